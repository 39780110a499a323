"""Input checks shared by the package: 2-D finite float arrays, passed to C++ without copies when possible."""
import numbers
import os

import numpy as np


def as_samples(X, name="X", dtype=None, check_finite=True):
    """X as a C-contiguous 2-D float64 or float32 array (samples as rows).

    A C-contiguous float64/float32 array is returned as is (the library reads the caller's
    memory). Anything else (other dtypes, Fortran order, strided views, lists) is converted
    once, to float64 unless `dtype` says otherwise. Raises ValueError for non-numeric data,
    an array that is not 2-D, an empty array or (with check_finite) a non-finite value; callers
    whose library call checks the values itself (it names the first bad sample) pass
    check_finite=False and save a pass over X.
    """
    if dtype is None:
        dtype = X.dtype if isinstance(X, np.ndarray) and X.dtype in (np.float32, np.float64) else np.float64
    try:
        array = np.ascontiguousarray(X, dtype=dtype)
    except (TypeError, ValueError) as e:
        raise ValueError("%s must be numeric (float64 or float32 preferred): %s" % (name, e)) from None
    if array.ndim != 2:
        raise ValueError("%s must be a 2-D array (samples as rows), got %d-D with shape %s"
                         % (name, array.ndim, array.shape))
    if array.size == 0:
        raise ValueError("%s is empty (shape %s)" % (name, array.shape))
    if check_finite and not np.isfinite(array).all():
        raise ValueError("%s contains NaN or infinity" % name)
    return array


def check_alpha(alpha, name="alpha"):
    if not isinstance(alpha, numbers.Real) or isinstance(alpha, bool) or not np.isfinite(alpha) or alpha < 0:
        raise ValueError("%s must be a finite number >= 0, got %r" % (name, alpha))
    return float(alpha)


def threads_of(n_jobs):
    """scikit-learn's n_jobs convention -> the library's thread count (0: every core).

    None means 1 (as in scikit-learn); -1 every core; -2 all but one, and so on. The codes do
    not depend on the thread count.
    """
    if n_jobs is None:
        return 1
    if not isinstance(n_jobs, numbers.Integral) or n_jobs == 0:
        raise ValueError("n_jobs must be None or a non-zero integer, got %r" % (n_jobs,))
    if n_jobs > 0:
        return int(n_jobs)
    return max(1, (os.cpu_count() or 1) + 1 + int(n_jobs))
