// The dictionary-update QP's shared pieces: projection, objective, KKT residual and argument checks.
#include "sparsecode/solvers/dictionary_qp.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace sparsecode::solvers {

std::string to_string(DictionaryTermination termination) {
  switch (termination) {
    case DictionaryTermination::converged: return "converged";
    case DictionaryTermination::max_iterations: return "max_iterations";
    case DictionaryTermination::numerical_issue: return "numerical_issue";
  }
  return "unknown";
}

template <class T>
void project_atom(Eigen::Ref<Vector<T>> atom, DictionaryConstraint constraint) {
  if (constraint == DictionaryConstraint::nonnegative_unit_ball) atom = atom.cwiseMax(T(0));
  const T norm = atom.norm();
  if (norm > T(1)) atom /= norm;
}

template <class T>
double dictionary_objective(const Matrix<T>& a, const Matrix<T>& b, const Matrix<T>& d) {
  const Matrix<double> dd = d.template cast<double>();
  const Matrix<double> dtd = dd.transpose() * dd;
  return 0.5 * dtd.cwiseProduct(a.template cast<double>()).sum() -
         dd.cwiseProduct(b.template cast<double>()).sum();
}

template <class T>
double dictionary_kkt_residual(const Matrix<T>& a, const Matrix<T>& b, const Matrix<T>& d,
                               DictionaryConstraint constraint) {
  const Matrix<double> dd = d.template cast<double>();
  const Matrix<double> g = dd * a.template cast<double>() - b.template cast<double>();
  const double used = 1e-12 * std::max(1e-300, static_cast<double>(a.diagonal().maxCoeff()));
  double worst = 0.0;
  Vector<double> step(d.rows());
  for (Index j = 0; j < d.cols(); ++j) {
    const double ajj = static_cast<double>(a(j, j));
    if (!(ajj > used)) continue;
    step = dd.col(j) - g.col(j) / ajj;
    project_atom<double>(step, constraint);
    worst = std::max(worst, (dd.col(j) - step).norm());
  }
  return worst;
}

template <class T>
void check_dictionary_qp(const Matrix<T>& a, const Matrix<T>& b, const Matrix<T>& d) {
  const Index k = d.cols();
  if (k < 1) throw std::invalid_argument("dictionary D must have at least one atom (k >= 1)");
  if (a.rows() != k || a.cols() != k) {
    throw std::invalid_argument("statistics A must be k x k = " + std::to_string(k) + " x " +
                                std::to_string(k) + ", got " + std::to_string(a.rows()) + " x " +
                                std::to_string(a.cols()));
  }
  if (b.rows() != d.rows() || b.cols() != k) {
    throw std::invalid_argument("statistics B must be d x k = " + std::to_string(d.rows()) + " x " +
                                std::to_string(k) + ", got " + std::to_string(b.rows()) + " x " +
                                std::to_string(b.cols()));
  }
  if (!a.allFinite()) throw std::invalid_argument("statistics A contain NaN or Inf");
  if (!b.allFinite()) throw std::invalid_argument("statistics B contain NaN or Inf");
  if (!d.allFinite()) throw std::invalid_argument("dictionary D contains NaN or Inf");
}

#define SPARSECODE_INSTANTIATE(T)                                                                 \
  template void project_atom<T>(Eigen::Ref<Vector<T>>, DictionaryConstraint);                      \
  template double dictionary_objective<T>(const Matrix<T>&, const Matrix<T>&, const Matrix<T>&);  \
  template double dictionary_kkt_residual<T>(const Matrix<T>&, const Matrix<T>&, const Matrix<T>&, \
                                             DictionaryConstraint);                                \
  template void check_dictionary_qp<T>(const Matrix<T>&, const Matrix<T>&, const Matrix<T>&);
SPARSECODE_INSTANTIATE(float)
SPARSECODE_INSTANTIATE(double)
#undef SPARSECODE_INSTANTIATE

}  // namespace sparsecode::solvers
