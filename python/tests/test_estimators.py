"""The scikit-learn estimators: check_estimator, pickling then partial_fit, clone, GridSearchCV, callbacks, verbose."""
import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

import sparsecode
from sparsecode.sklearn import DictionaryLearning, MiniBatchDictionaryLearning, SparseCoder
from conftest import run_checks

# A fixed dictionary fixes n_features: these checks fit SparseCoder on data of other widths
# (scikit-learn's own SparseCoder fails them for the same reason) or construct it without one.
SPARSE_CODER_NEEDS_OTHER_WIDTHS = {"check_estimators_fit_returns_self", "check_dtype_object", "check_estimators_dtypes",
                                   "check_estimators_overwrite_params", "check_parameters_default_constructible",
                                   "check_fit2d_1sample", "check_fit2d_1feature", "check_fit_idempotent",
                                   "check_fit_check_is_fitted", "check_n_features_in"}


def test_check_estimator_sparse_coder():
    D = np.random.default_rng(0).standard_normal((4, 3))
    run_checks(SparseCoder(D, transform_algorithm="lasso_lars", transform_alpha=0.1),
               skip=SPARSE_CODER_NEEDS_OTHER_WIDTHS)


def test_check_estimator_minibatch_dictionary_learning():
    run_checks(MiniBatchDictionaryLearning(n_components=3, alpha=0.1, n_iter=20, batch_size=16, random_state=0))


def test_check_estimator_dictionary_learning():
    run_checks(DictionaryLearning(n_components=3, alpha=0.1, max_iter=10, random_state=0))


def test_check_estimator_sparse_autoencoder():
    run_checks(sparsecode.SparseAutoencoder(n_hidden=3, max_iter=10, decoder="linear"))


def learner(**kw):
    args = dict(n_components=24, alpha=0.2, batch_size=64, n_iter=30, random_state=0)
    args.update(kw)
    return MiniBatchDictionaryLearning(**args)


def test_pickle_round_trip_then_partial_fit_continues(patches):
    X, more = patches[:1000], patches[1000:1064]
    a = learner().fit(X)
    b = pickle.loads(pickle.dumps(a))
    assert np.array_equal(a.components_, b.components_)
    assert np.array_equal(a.transform(X[:50]), b.transform(X[:50]))
    # The statistics travel with the pickle: the next step is the same as on the original.
    a.partial_fit(more)
    b.partial_fit(more)
    assert np.array_equal(a.components_, b.components_) and a.n_steps_ == b.n_steps_ == 31
    # partial_fit from scratch, pickled midway, equals uninterrupted partial_fit.
    c = learner()
    d = learner()
    for i in range(4):
        c.partial_fit(X[64 * i:64 * (i + 1)])
        d.partial_fit(X[64 * i:64 * (i + 1)])
        d = pickle.loads(pickle.dumps(d))
    assert np.array_equal(c.components_, d.components_)


def test_pickle_batch_learner(patches):
    a = DictionaryLearning(n_components=16, alpha=0.2, max_iter=5, random_state=0).fit(patches[:500])
    b = pickle.loads(pickle.dumps(a))
    assert np.array_equal(a.transform(patches[:20]), b.transform(patches[:20]))


def test_clone_gives_an_unfitted_copy_with_the_same_parameters(patches):
    a = learner(alpha=0.3).fit(patches[:500])
    b = clone(a)
    assert b.get_params() == a.get_params() and not hasattr(b, "components_")
    assert np.array_equal(b.fit(patches[:500]).components_, a.components_)  # deterministic per seed


def test_grid_search_over_alpha_prefers_the_best_reconstruction(patches):
    def score(estimator, X, y=None):  # held-out reconstruction error (no penalty): small alpha wins
        codes = estimator.transform(X)
        return -np.mean((X - codes @ estimator.components_) ** 2)

    search = GridSearchCV(learner(transform_algorithm="lasso_lars", n_iter=20), {"alpha": [0.05, 0.5, 2.0]},
                          scoring=score, cv=2)
    search.fit(patches[:800])
    assert search.best_params_ == {"alpha": 0.05}
    assert np.all(np.diff(search.cv_results_["mean_test_score"]) < 0)


def test_callback_receives_progress_and_can_stop(patches):
    seen = []

    def callback(progress):
        seen.append(progress)
        return progress["iteration"] >= 5  # true: stop

    m = learner(n_iter=1000, callback=callback).fit(patches[:1000])
    assert [p["iteration"] for p in seen] == [1, 2, 3, 4, 5]
    assert m.n_steps_ == 5 and m.termination_ == "user_callback"
    assert all(p["batch_objective"] > 0 for p in seen)


def test_early_stopping_with_max_iter(patches):
    m = learner(max_iter=50, tol=0.0, max_no_improvement=3).fit(patches[:2000])
    assert m.termination_ in ("converged", "epochs")
    assert 1 <= m.n_iter_ <= 50


def test_verbose_prints_progress(patches, capsys):
    learner(n_iter=10, verbose=True).fit(patches[:500])
    out = capsys.readouterr().out
    assert "[MiniBatchDictionaryLearning] step 10/10" in out


@pytest.mark.parametrize("params, message", [
    (dict(alpha=-1.0), "alpha must be a finite number >= 0"),
    (dict(shuffle=False), "shuffle=False is not supported"),
    (dict(fit_algorithm="omp"), "fit_algorithm must be"),
    (dict(batch_size=0), "batch_size must be"),
    (dict(n_components=0), "n_components must be"),
])
def test_parameters_that_cannot_be_honoured_raise(patches, params, message):
    with pytest.raises(ValueError, match=message):
        learner(**params).fit(patches[:200])


def test_dictionary_learning_rejects_code_init(patches):
    with pytest.raises(ValueError, match="code_init is not supported"):
        DictionaryLearning(n_components=4, code_init=np.zeros((200, 4))).fit(patches[:200])


def test_dictionary_learning_objective_never_increases(patches):
    m = DictionaryLearning(n_components=32, alpha=0.2, max_iter=15, random_state=0).fit(patches[:1000])
    assert len(m.error_) == m.n_iter_ >= 2
    assert np.all(np.diff(m.error_) <= 1e-10 * m.error_[0])
    assert np.all(np.linalg.norm(m.components_, axis=1) <= 1 + 1e-9)


def test_positive_dictionary_and_codes(patches):
    X = np.abs(patches[:500])
    m = learner(positive_dict=True, positive_code=True, transform_algorithm="lasso_lars").fit(X)
    assert np.all(m.components_ >= 0) and np.all(m.transform(X) >= 0)


def test_an_exception_in_the_callback_propagates_and_keeps_the_state(patches):
    def callback(progress):
        if progress["iteration"] == 3:
            raise RuntimeError("boom")

    m = learner(n_iter=100, callback=callback)
    with pytest.raises(RuntimeError, match="boom"):
        m.fit(patches[:1000])
    assert m.n_steps_ == 3 and m.transform(patches[:5]).shape == (5, 24)
