// Downstream use of the installed library: computes a Gram cache and a duality-gap certificate.
#include <cmath>
#include <iostream>

#include <sparsecode/sparsecode.hpp>

int main() {
  using sparsecode::Matrix;
  using sparsecode::Vector;
  const Matrix<double> d = Matrix<double>::Identity(3, 3);
  const sparsecode::solvers::GramCache<double> cache(d);
  const Vector<double> dtx = Vector<double>::Ones(3);
  const Vector<double> code = Vector<double>::Constant(3, 0.5);
  Vector<double> grad(3);
  sparsecode::solvers::Penalty penalty;
  penalty.lambda = 0.5;
  const auto c = sparsecode::solvers::certify(cache.gram(), dtx, 3.0, code, penalty, grad);
  // At a = (1 − λ)·1 the LASSO on D = I is solved exactly: the gap must vanish.
  const bool ok = std::abs(c.gap()) < 1e-12 && std::abs(cache.lipschitz() - 1.0) < 1e-12;
  std::cout << "gap " << c.gap() << ", L " << cache.lipschitz() << "\n";
  return ok ? 0 : 1;
}
