// In-order consumption of work items that complete out of order on several threads, without waiting.
#pragma once

#include <atomic>
#include <functional>
#include <memory>

namespace sparsecode::core::internal {

/// Calls visit(0), visit(1), …, visit(n − 1) in that order, each once, as the items complete on
/// any threads: the thread that completes an item marks it and, unless another thread is
/// visiting, visits every completed item from the first unvisited one on. Nobody waits for
/// anybody; what is left when the parallel work ends is visited by finish(). Visits never run
/// concurrently, and a visit sees everything the completing thread wrote before completed().
/// If a visit throws, the exception leaves that completed() call and no further visit happens
/// (finish() must then not be called).
class InOrderVisits {
 public:
  InOrderVisits(long items, std::function<void(long)> visit)
      : items_(items),
        done_(std::make_unique<std::atomic<bool>[]>(static_cast<std::size_t>(items))),  // value-initialized: false
        visit_(std::move(visit)) {}

  /// Item i is complete (called once per item, by the thread that completed it).
  void completed(long i) {
    // Sequentially consistent throughout: the hand-over below is a store of one flag followed
    // by a load of another, which acquire/release alone would let two threads both miss.
    done_[static_cast<std::size_t>(i)].store(true);
    while (!busy_.exchange(true)) {
      long next = next_;
      while (next < items_ && done_[static_cast<std::size_t>(next)].load()) {
        next_ = next + 1;  // before the visit: a throwing visit is not repeated
        visit_(next);
        ++next;
      }
      busy_.store(false);
      // An item completed after the check above, while this thread still held the turn (its
      // completer then found the turn taken), would otherwise wait for finish(): look once more.
      if (!(next < items_ && done_[static_cast<std::size_t>(next)].load())) return;
    }
  }

  /// Visits the items not yet visited, in order; every item must be complete.
  void finish() {
    while (next_ < items_) visit_(next_++);
  }

 private:
  long items_;
  std::unique_ptr<std::atomic<bool>[]> done_;
  std::function<void(long)> visit_;
  std::atomic<bool> busy_{false};
  long next_ = 0;  ///< first item not visited; read and written only by the thread holding busy_
};

}  // namespace sparsecode::core::internal
