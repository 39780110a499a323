"""sparsecode.sklearn.MiniBatchDictionaryLearning and DictionaryLearning on the C++ learners."""
import numbers
import sys
import time

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from . import _core
from ._sklearn_base import CodingMixin
from ._validation import check_alpha, threads_of

_FIT_SOLVERS = {"lars": "lars", "cd": "cd"}


class _LearnerMixin(CodingMixin):
    """fit/partial_fit plumbing shared by both learners: settings, initialisation, progress."""

    _kind = None  # "online" or "batch"

    def _settings(self, n_samples, n_features):
        if self.fit_algorithm not in _FIT_SOLVERS:
            raise ValueError("fit_algorithm must be 'lars' or 'cd', got %r" % (self.fit_algorithm,))
        k = self.n_components if self.n_components is not None else n_features
        if not isinstance(k, numbers.Integral) or k < 1:
            raise ValueError("n_components must be None or an integer >= 1, got %r" % (self.n_components,))
        self._check_transform_params()
        seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        if self.dict_init is not None:
            init = "given"
        else:
            init = "data" if n_samples >= k else "gaussian"
        return dict(atoms=int(k), alpha=check_alpha(self.alpha), solver=_FIT_SOLVERS[self.fit_algorithm],
                    positive=bool(self.positive_code), positive_dict=bool(self.positive_dict), seed=seed,
                    init=init, threads=threads_of(self.n_jobs))

    def _new_learner(self, settings, n_features):
        learner = (_core.OnlineLearner if self._kind == "online" else _core.BatchLearner)(settings)
        if self.dict_init is not None:
            D = np.array(self.dict_init, dtype=np.float64, order="C")
            if D.shape != (settings["atoms"], n_features) or not np.isfinite(D).all():
                raise ValueError("dict_init must be a finite array of shape (n_components, n_features) = %s, got %s"
                                 % ((settings["atoms"], n_features), D.shape))
            norms = np.sqrt((D ** 2).sum(axis=1))
            D[norms > 1] /= norms[norms > 1, None]
            learner.initialize_with(D)
        return learner

    def _progress_callback(self, total, record=None):
        """The callback handed to the learner: `record`, verbose output, then the user's callback."""
        name = type(self).__name__
        start = time.perf_counter()

        def report(progress):
            if record is not None:
                record(progress)
            if self.verbose:
                step = progress["iteration"]
                if self.verbose > 1 or step == 1 or step == total or step % max(1, total // 10) == 0:
                    print("[%s] step %d/%s: mean batch cost %.6g, %.2f non-zeros, %.1f s"
                          % (name, step, total if total else "?", progress["batch_objective"],
                             progress["mean_nonzeros"], time.perf_counter() - start), file=sys.stdout, flush=True)
            callback = getattr(self, "callback", None)
            return bool(callback(progress)) if callback is not None else False

        return report

    def _validate_fit_data(self, X, reset=True):
        """X for fitting as float64 (the learners' data), remembering whether it came as float32:
        components_ then take X's dtype, as scikit-learn's (and the online learner codes and
        updates in float32)."""
        X = self._validate_data(X, dtype=[np.float64, np.float32], order="C", reset=reset)
        if reset:
            self._fit_dtype = X.dtype
        return np.asarray(X, dtype=np.float64)

    def _adopt(self, learner):
        """Attributes from the learner's state (also after an interrupted fit)."""
        self._learner = learner
        D = learner.dictionary
        if D is not None:
            self.components_ = D.astype(getattr(self, "_fit_dtype", np.float64), copy=False)
        progress = learner.progress
        self.n_steps_ = int(progress["iteration"])

    def transform(self, X, sparse=False):
        """Codes of X on components_ by transform_algorithm (float32 X gives float32 codes)."""
        check_is_fitted(self, "components_")
        # Non-finite values are refused by the library's encode (ValueError naming the row): no
        # second pass over X here.
        X = self._validate_data(X, dtype=[np.float64, np.float32], order="C", reset=False, force_all_finite=False)
        return self._encode(X, self.components_, sparse=sparse)

    def _fit_learner(self, X64, total, tol=0.0, max_no_improvement=0, record=None):
        """Fits a new learner on validated X64 (float64, C order) and adopts its state."""
        settings = self._fit_settings(X64.shape)
        learner = self._new_learner(settings, X64.shape[1])
        try:
            _, termination, report = learner.fit(X64, self._progress_callback(total, record), tol,
                                                 max_no_improvement)
        except BaseException:  # Ctrl-C, or an exception from the callback
            self._adopt(learner)  # keep the completed iterations; the estimator stays usable
            raise
        self._adopt(learner)
        self.termination_ = termination
        self.fit_report_ = report  # the library's one-line summary
        if self.verbose:
            print("[%s] %s" % (type(self).__name__, report), flush=True)

    @property
    def _n_features_out(self):
        return self.components_.shape[0]


class MiniBatchDictionaryLearning(_LearnerMixin):
    """Online dictionary learning (scikit-learn 1.2's MiniBatchDictionaryLearning; Mairal et al. 2010).

    Learns components_ (n_components, n_features), atoms of norm <= 1, minimising the mean of
    0.5*||x - D'a||^2 + alpha*||a||_1 with mini-batches of batch_size samples. With max_iter,
    fit runs max_iter epochs with scikit-learn's early stopping (tol on the dictionary's
    change, max_no_improvement on the smoothed batch cost); otherwise n_iter mini-batches
    (1000 by default, as scikit-learn 1.2). Past statistics are forgotten with the library's
    default rule ((1 - 1/t)^4, which reached lower held-out objectives than scikit-learn's).
    The first dictionary is drawn from the data (random samples; Gaussian when there are
    fewer samples than atoms), not an SVD. batch_size defaults to 256 (scikit-learn >= 1.4).
    shuffle=False is rejected (samples are always visited in a seeded random order).
    callback(progress: dict) is called after every mini-batch; a true result stops fit.
    Ctrl-C stops fit within one mini-batch (KeyboardInterrupt) and keeps what was learned.
    """

    _kind = "online"

    def __init__(self, n_components=None, *, alpha=1, n_iter="deprecated", max_iter=None, fit_algorithm="lars",
                 n_jobs=None, batch_size=256, shuffle=True, dict_init=None, transform_algorithm="omp",
                 transform_n_nonzero_coefs=None, transform_alpha=None, verbose=False, split_sign=False,
                 random_state=None, positive_code=False, positive_dict=False, transform_max_iter=1000,
                 callback=None, tol=1e-3, max_no_improvement=10):
        self.n_components = n_components
        self.alpha = alpha
        self.n_iter = n_iter
        self.max_iter = max_iter
        self.fit_algorithm = fit_algorithm
        self.n_jobs = n_jobs
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.dict_init = dict_init
        self.transform_algorithm = transform_algorithm
        self.transform_n_nonzero_coefs = transform_n_nonzero_coefs
        self.transform_alpha = transform_alpha
        self.verbose = verbose
        self.split_sign = split_sign
        self.random_state = random_state
        self.positive_code = positive_code
        self.positive_dict = positive_dict
        self.transform_max_iter = transform_max_iter
        self.callback = callback
        self.tol = tol
        self.max_no_improvement = max_no_improvement

    def _batch_size(self):
        if not isinstance(self.batch_size, numbers.Integral) or self.batch_size < 1:
            raise ValueError("batch_size must be an integer >= 1, got %r" % (self.batch_size,))
        return int(self.batch_size)

    def _fit_settings(self, shape):
        if not self.shuffle:
            raise ValueError("shuffle=False is not supported: samples are visited in a seeded random order")
        settings = self._settings(*shape)
        settings["batch_size"] = self._batch_size()
        # float32 data are learned as `sparsecode learn --float32` does: faster, at a held-out
        # objective within about 1e-5 of float64's on the README's benchmark.
        settings["float32"] = bool(getattr(self, "_fit_dtype", np.float64) == np.float32)
        if self.max_iter is not None:
            if not isinstance(self.max_iter, numbers.Integral) or self.max_iter < 1:
                raise ValueError("max_iter must be None or an integer >= 1, got %r" % (self.max_iter,))
            settings["epochs"] = int(self.max_iter)
        else:
            n_iter = 1000 if self.n_iter == "deprecated" else self.n_iter
            if not isinstance(n_iter, numbers.Integral) or n_iter < 1:
                raise ValueError("n_iter must be an integer >= 1, got %r" % (n_iter,))
            settings["iterations"] = int(n_iter)
        return settings

    def fit(self, X, y=None):
        """Learns the dictionary from X (n_samples, n_features); returns self."""
        early = self.max_iter is not None
        if early and (not isinstance(self.tol, numbers.Real) or self.tol < 0):
            raise ValueError("tol must be a number >= 0, got %r" % (self.tol,))
        if early and self.max_no_improvement is not None and (
                not isinstance(self.max_no_improvement, numbers.Integral) or self.max_no_improvement < 0):
            raise ValueError("max_no_improvement must be None or an integer >= 0, got %r"
                             % (self.max_no_improvement,))
        X64 = self._validate_fit_data(X)
        steps_per_epoch = max(1, -(-X64.shape[0] // self._batch_size()))
        total = (self.max_iter * steps_per_epoch if early
                 else (1000 if self.n_iter == "deprecated" else self.n_iter))
        self._fit_learner(X64, total, tol=float(self.tol) if early else 0.0,
                          max_no_improvement=int(self.max_no_improvement or 0) if early else 0)
        self.n_iter_ = int(np.ceil(self.n_steps_ / steps_per_epoch))
        return self

    def partial_fit(self, X, y=None):
        """One mini-batch step on all of X (as scikit-learn); the first call initialises."""
        first = not hasattr(self, "_learner")
        X64 = self._validate_fit_data(X, reset=first)
        if first:
            settings = self._fit_settings(X64.shape)
            learner = self._new_learner(settings, X64.shape[1])
        else:
            learner = self._learner
        learner.partial_fit(X64)
        self._adopt(learner)
        return self


class DictionaryLearning(_LearnerMixin):
    """Batch dictionary learning (scikit-learn 1.2's DictionaryLearning): alternating exact codes
    (LARS or coordinate descent) and the exact dictionary update (Lagrange dual; block
    coordinate descent for positive_dict), for at most max_iter iterations or until the
    objective decreases by less than tol relative. Atoms that no code uses are replaced by
    random samples. error_ holds the mean objective after every iteration. code_init is not
    supported (codes are recomputed exactly every iteration): a value raises ValueError.
    fit_transform(X) is fit(X).transform(X) (transform_algorithm on the learned dictionary;
    scikit-learn returns the last training codes instead).
    """

    _kind = "batch"

    def __init__(self, n_components=None, *, alpha=1, max_iter=1000, tol=1e-8, fit_algorithm="lars",
                 transform_algorithm="omp", transform_n_nonzero_coefs=None, transform_alpha=None, n_jobs=None,
                 code_init=None, dict_init=None, verbose=False, split_sign=False, random_state=None,
                 positive_code=False, positive_dict=False, transform_max_iter=1000):
        self.n_components = n_components
        self.alpha = alpha
        self.max_iter = max_iter
        self.tol = tol
        self.fit_algorithm = fit_algorithm
        self.transform_algorithm = transform_algorithm
        self.transform_n_nonzero_coefs = transform_n_nonzero_coefs
        self.transform_alpha = transform_alpha
        self.n_jobs = n_jobs
        self.code_init = code_init
        self.dict_init = dict_init
        self.verbose = verbose
        self.split_sign = split_sign
        self.random_state = random_state
        self.positive_code = positive_code
        self.positive_dict = positive_dict
        self.transform_max_iter = transform_max_iter

    def _fit_settings(self, shape):
        if self.code_init is not None:
            raise ValueError("code_init is not supported: codes are recomputed exactly at every iteration")
        if not isinstance(self.max_iter, numbers.Integral) or self.max_iter < 1:
            raise ValueError("max_iter must be an integer >= 1, got %r" % (self.max_iter,))
        if not isinstance(self.tol, numbers.Real) or self.tol < 0:
            raise ValueError("tol must be a number >= 0, got %r" % (self.tol,))
        settings = self._settings(*shape)
        settings["iterations"] = int(self.max_iter)
        settings["relative_decrease"] = float(self.tol)
        return settings

    def fit(self, X, y=None):
        """Learns the dictionary from X (n_samples, n_features); returns self."""
        errors = []
        try:
            X64 = self._validate_fit_data(X)
            self._fit_learner(X64, self.max_iter, record=lambda p: errors.append(p["batch_objective"]))
        finally:
            self.error_ = np.array(errors)
        self.n_iter_ = self.n_steps_
        return self

    def fit_transform(self, X, y=None):
        return self.fit(X).transform(X)
