"""encode(): sparse codes of samples on a dictionary by the C++ library, dense or as scipy.sparse CSR."""
from dataclasses import dataclass

import numpy as np
import scipy.sparse

from . import _core
from ._validation import as_samples, check_alpha

SOLVERS = ("lars", "cd", "fista", "ista", "fss", "omp")


@dataclass
class EncodeSummary:
    """What the encoder reports: means over the samples and the worst certificates."""
    solver: str
    samples: int
    mean_objective: float        #: mean of 0.5*||x - D'a||^2 + alpha*||a||_1
    mean_nonzeros: float
    mean_relative_residual: float
    max_duality_gap: float       #: 0 for OMP, which has none
    max_relative_gap: float
    not_converged: int           #: samples stopped by the iteration cap
    seconds: float
    report: str                  #: the library's brief_report(): two lines for people

    def __str__(self):
        return self.report


def encode(dictionary, X, alpha=1.0, solver="lars", positive=False, omp_atoms=0, omp_tolerance=0.0,
           tolerance=1e-6, max_iter=0, threads=0, out=None, sparse=False):
    """Sparse codes of the rows of X on the atoms (rows) of `dictionary`.

    Per sample, min_a 0.5*||x - D'a||^2 + alpha*||a||_1 (a >= 0 with positive=True), or OMP with
    at most `omp_atoms` atoms. dictionary: (k, d) with atom norms <= 1 (scikit-learn's
    components_); X: (N, d). C-contiguous float64 or float32 X is read in place, without a
    copy; the dictionary is converted to X's dtype. `out` (N, k, C-contiguous, X's dtype)
    receives the codes if given. sparse=True returns a scipy.sparse.csr_matrix, built chunk by
    chunk without the dense N x k array. threads=0 uses every core (codes do not depend on it).

    Returns (codes, EncodeSummary).
    """
    if solver not in SOLVERS:
        raise ValueError("solver must be one of %s, got %r" % (", ".join(SOLVERS), solver))
    X = as_samples(X, check_finite=False)  # the library names the first non-finite sample
    D = as_samples(dictionary, "dictionary", dtype=X.dtype)
    if D.shape[1] != X.shape[1]:
        raise ValueError("X has %d features, but the dictionary has %d (shape %s)"
                         % (X.shape[1], D.shape[1], D.shape))
    kwargs = dict(solver=solver, alpha=check_alpha(alpha), positive=bool(positive), omp_atoms=int(omp_atoms),
                  omp_tolerance=float(omp_tolerance), tolerance=float(tolerance), max_iterations=int(max_iter),
                  threads=int(threads))
    if sparse:
        if out is not None:
            raise ValueError("out is for dense codes; it cannot be combined with sparse=True")
        data, indices, indptr, summary = _core.encode_csr(D, X, **kwargs)
        codes = scipy.sparse.csr_matrix((data, indices, indptr), shape=(X.shape[0], D.shape[0]))
        return codes, EncodeSummary(**summary)
    if out is None:
        out = np.empty((X.shape[0], D.shape[0]), dtype=X.dtype)
    elif not (isinstance(out, np.ndarray) and out.dtype == X.dtype and out.flags.c_contiguous
              and out.shape == (X.shape[0], D.shape[0]) and out.flags.writeable):
        raise ValueError("out must be a writable C-contiguous %s array of shape %s"
                         % (X.dtype, (X.shape[0], D.shape[0])))
    summary = _core.encode(D, X, out, **kwargs)
    return out, EncodeSummary(**summary)
