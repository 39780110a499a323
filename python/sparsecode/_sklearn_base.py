"""What the scikit-learn-compatible estimators share: transform_algorithm -> solver, dictionary scaling, split_sign."""
import numpy as np
import scipy.sparse
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin

from ._coding import encode
from ._validation import as_samples, check_alpha, threads_of

#: scikit-learn's transform_algorithm names -> the library's solvers ('threshold' is done in NumPy).
ALGORITHMS = {"lasso_lars": "lars", "lasso_cd": "cd", "omp": "omp", "threshold": None,
              "fista": "fista", "fss": "fss"}


class CodingMixin(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """transform() for estimators with scikit-learn's transform_* parameters and a dictionary."""

    def _check_transform_params(self):
        if self.transform_algorithm not in ALGORITHMS:
            hint = (" ('lars' with a non-zero count is not offered; use 'omp' or 'lasso_lars')"
                    if self.transform_algorithm == "lars" else "")
            raise ValueError("transform_algorithm must be one of %s, got %r%s"
                             % (", ".join(ALGORITHMS), self.transform_algorithm, hint))
        if self.positive_code and self.transform_algorithm == "omp":
            raise ValueError("positive_code=True is not supported with transform_algorithm='omp'")
        if self.transform_n_nonzero_coefs is not None and (
                not isinstance(self.transform_n_nonzero_coefs, (int, np.integer))
                or self.transform_n_nonzero_coefs < 1):
            raise ValueError("transform_n_nonzero_coefs must be None or an integer >= 1, got %r"
                             % (self.transform_n_nonzero_coefs,))
        if not isinstance(self.transform_max_iter, (int, np.integer)) or self.transform_max_iter < 1:
            raise ValueError("transform_max_iter must be an integer >= 1, got %r" % (self.transform_max_iter,))
        threads_of(self.n_jobs)

    def _transform_alpha(self):
        alpha = self.transform_alpha
        if alpha is None:
            alpha = getattr(self, "alpha", 1.0)
        return check_alpha(alpha, "transform_alpha")

    def _encode(self, X, components, sparse=False):
        """Codes of X (validated, C-contiguous) on components (k, d), as scikit-learn's sparse_encode."""
        self._check_transform_params()
        alpha = self._transform_alpha()
        D = np.asarray(components, dtype=X.dtype)
        k, d = D.shape
        if self.transform_algorithm == "threshold":  # numpy only: the library's check does not run
            cov = as_samples(X) @ D.T
            codes = np.sign(cov) * np.maximum(np.abs(cov) - alpha, 0)
            if self.positive_code:
                np.clip(codes, 0, None, out=codes)
            return self._split(scipy.sparse.csr_matrix(codes) if sparse else codes, sparse)
        # The library wants atoms of norm <= 1. A global scale c (the largest norm) changes
        # nothing: with D = c*E, the LASSO at alpha on D is the LASSO at alpha/c on E with codes
        # scaled by 1/c, and OMP's support and fit are scale invariant.
        scale = float(np.sqrt((D.astype(np.float64) ** 2).sum(axis=1)).max())
        if scale > 1.0 + 1e-7:
            D = np.ascontiguousarray(D / scale)
        else:
            scale = 1.0
        n_nonzero = self.transform_n_nonzero_coefs
        if n_nonzero is None:
            n_nonzero = int(min(max(d / 10, 1), k))
        solver = ALGORITHMS[self.transform_algorithm]
        codes, _ = encode(D, X, alpha=alpha / scale, solver=solver, positive=self.positive_code,
                          omp_atoms=n_nonzero if solver == "omp" else 0,
                          max_iter=self.transform_max_iter if solver in ("cd", "fista") else 0,
                          threads=threads_of(self.n_jobs), sparse=sparse)
        if scale != 1.0:
            codes = codes / scale if sparse else np.divide(codes, scale, out=codes)
        return self._split(codes, sparse)

    def _split(self, codes, sparse):
        if not self.split_sign:
            return codes
        if sparse:
            return scipy.sparse.hstack([codes.maximum(0), -codes.minimum(0)], format="csr")
        return np.hstack([np.maximum(codes, 0), -np.minimum(codes, 0)])

    def _more_tags(self):
        return {"preserves_dtype": [np.float64, np.float32]}
