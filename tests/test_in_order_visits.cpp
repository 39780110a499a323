// Tests for InOrderVisits: items completed out of order on several threads are visited in order, once each.
#include <doctest/doctest.h>

#include <omp.h>

#include <atomic>
#include <stdexcept>
#include <vector>

#include "sparsecode/core/internal/in_order_visits.hpp"

using sparsecode::core::internal::InOrderVisits;

namespace {

// Busy work of a length that varies from item to item, so that items complete out of order.
double work(long item) {
  double x = 0.0;
  for (long r = 0; r < 50 + (item * 7919) % 400; ++r) x += 1.0 / static_cast<double>(r + item + 1);
  return x;
}

}  // namespace

TEST_CASE("InOrderVisits: items completed by 1, 2 and 4 threads are visited once each, in order") {
  for (const int threads : {1, 2, 4}) {
    CAPTURE(threads);
    const long items = 2000;
    std::vector<long> order;
    std::vector<char> complete(static_cast<std::size_t>(items), 0);
    bool saw_incomplete = false;
    std::atomic<int> inside{0};
    bool overlapped = false;
    InOrderVisits visits(items, [&](long i) {
      overlapped = overlapped || inside.fetch_add(1) != 0;
      saw_incomplete = saw_incomplete || complete[static_cast<std::size_t>(i)] == 0;
      order.push_back(i);
      inside.fetch_sub(1);
    });
    double sink = 0.0;
#pragma omp parallel for schedule(dynamic) num_threads(threads) reduction(+ : sink)
    for (long i = 0; i < items; ++i) {
      sink += work(i);
      complete[static_cast<std::size_t>(i)] = 1;  // written before completed(): the visit must see it
      visits.completed(i);
    }
    visits.finish();
    CHECK(sink > 0.0);
    REQUIRE(order.size() == static_cast<std::size_t>(items));
    for (long i = 0; i < items; ++i) CHECK(order[static_cast<std::size_t>(i)] == i);
    CHECK_FALSE(saw_incomplete);
    CHECK_FALSE(overlapped);
  }
}

TEST_CASE("InOrderVisits: a throwing visit stops the visits after it") {
  std::vector<long> order;
  InOrderVisits visits(10, [&](long i) {
    if (i == 3) throw std::runtime_error("item 3");
    order.push_back(i);
  });
  for (long i = 0; i < 3; ++i) visits.completed(i);
  CHECK_THROWS_AS(visits.completed(3), std::runtime_error);
  for (long i = 4; i < 10; ++i) visits.completed(i);  // the turn stays taken: nothing more is visited
  CHECK(order == std::vector<long>{0, 1, 2});
}
