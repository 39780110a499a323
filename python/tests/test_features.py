"""sparsecode.ConvFeatures: check_estimator, the CLI's features bit for bit, Pipeline, GridSearchCV, pickle, input checks, Ctrl-C."""
import pickle
import signal
import subprocess
import textwrap
import time

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

import sparsecode
from conftest import interruptible_child, run_checks, stripes


@pytest.fixture(scope="module")
def images():
    return stripes(300, seed=0)


def small(**kw):
    args = dict(n_components=16, patch=5, grid=2, patches_count=3000, random_state=3)
    args.update(kw)
    return sparsecode.ConvFeatures(**args)


def test_check_estimator():
    # check_estimator's data have 1 to 10 columns, read here as 1-row images (image_shape=(1, -1)),
    # where only 1x1 patches fit. Their contrast-normalized values are all zero, which k-means (the
    # default dictionary) refuses ("0 non-zero samples"), so the checks run the autoencoder
    # dictionary: they test the estimator's API (parameters, clone, pickle, input validation,
    # dtypes, fitted state, n_features_in_); the features themselves are tested below on images.
    run_checks(sparsecode.ConvFeatures(n_components=2, patch=1, grid=1, patches_count=100,
                                       dictionary="autoencoder", encoder="sae", image_shape=(1, -1)))


@pytest.mark.parametrize("encoder, threads", [("soft", 1), ("omp", 2)])
def test_features_equal_the_cli_bit_for_bit(cli, images, tmp_path, encoder, threads):
    X = images[0]  # 300 images: more than one of the binding's 256-image batches
    np.save(tmp_path / "images.npy", X)
    flags = ["--patch", "5", "--atoms", "16", "--grid", "2", "--patches-count", "3000", "--seed", "3",
             "--encoder", encoder, "--threads", str(threads), "--quiet"]
    subprocess.run([cli, "features", "fit", "--images", tmp_path / "images.npy", "--out", tmp_path / "cli.model"]
                   + flags, check=True)
    subprocess.run([cli, "features", "transform", "--model", tmp_path / "cli.model", "--images",
                    tmp_path / "images.npy", "--out", tmp_path / "cli.npy", "--threads", str(threads), "--quiet"],
                   check=True)
    reference = np.load(tmp_path / "cli.npy")
    # The CLI's model read into Python gives the CLI's features.
    loaded = sparsecode.ConvFeatures.load_model(tmp_path / "cli.model", n_jobs=threads)
    assert loaded.encoder == encoder and loaded.image_shape_ == (16, 16)
    assert np.array_equal(loaded.transform(X), reference)
    # Fitting in Python with the same parameters gives the CLI's dictionary and features.
    ours = small(encoder=encoder, n_jobs=threads).fit(X)
    assert np.array_equal(ours.components_, loaded.components_)
    features = ours.transform(X)
    assert features.dtype == np.float32 and features.shape == (300, ours.get_feature_names_out().size)
    assert np.array_equal(features, reference)
    # And a model saved from Python is one the CLI transforms to the same features.
    ours.save_model(tmp_path / "py.model")
    subprocess.run([cli, "features", "transform", "--model", tmp_path / "py.model", "--images",
                    tmp_path / "images.npy", "--out", tmp_path / "py.npy", "--threads", str(threads), "--quiet"],
                   check=True)
    assert np.array_equal(np.load(tmp_path / "py.npy"), reference)


def test_pipeline_with_logistic_regression_classifies_stripes():
    X, y = stripes(240, seed=1)
    X_test, y_test = stripes(200, seed=2)
    model = Pipeline([("features", small(n_components=8)), ("clf", LogisticRegression(max_iter=2000))])
    model.fit(X, y)
    accuracy = (model.predict(X_test) == y_test).mean()
    assert accuracy >= 0.9, accuracy  # chance is 0.5


def test_grid_search_over_a_conv_features_parameter():
    X, y = stripes(120, seed=4)
    model = Pipeline([("features", small(n_components=4)), ("clf", LogisticRegression(max_iter=2000))])
    search = GridSearchCV(model, {"features__pool": ["sum", "max"]}, cv=2).fit(X, y)
    assert search.best_params_["features__pool"] in ("sum", "max")
    assert len(search.cv_results_["mean_test_score"]) == 2 and search.best_score_ >= 0.75


def test_pickle_round_trip_gives_identical_features_and_clone_is_unfitted(images):
    X = images[0][:40]
    a = small().fit(X)
    b = pickle.loads(pickle.dumps(a))
    assert np.array_equal(a.transform(X), b.transform(X))
    assert np.array_equal(a.components_, b.components_) and b.fit_summary_ == a.fit_summary_
    c = clone(a)
    assert c.get_params() == a.get_params() and not hasattr(c, "components_")
    assert np.array_equal(c.fit(X).transform(X), a.transform(X))  # deterministic per seed


def test_two_dimensional_rows_are_row_major_images(images):
    X = images[0][:30]
    m = small().fit(X)
    reference = m.transform(X)
    assert m.n_features_in_ == 256 and m.components_.shape == (16, 25)
    assert np.array_equal(m.transform(X.reshape(30, -1)), reference)  # 256 columns: a 16x16 square
    rows = small(image_shape=(16, -1)).fit(X.reshape(30, -1))
    assert rows.image_shape_ == (16, 16) and np.array_equal(rows.transform(X.reshape(30, -1)), reference)
    with pytest.raises(ValueError, match="not a square image: pass image_shape"):
        small().fit(np.zeros((5, 240)))
    with pytest.raises(ValueError, match="image_shape=.* does not fit rows of 240 pixels"):
        small(image_shape=(7, -1)).fit(np.zeros((5, 240)))


def test_pixel_types_give_the_same_features_and_float32_is_read_in_place(images):
    X = images[0][:20]
    m = small().fit(X)
    reference = m.transform(X)
    for dtype in (np.float32, np.float64, np.int64):
        assert np.array_equal(m.transform(X.astype(dtype)), reference)
    X32 = X.astype(np.float32)
    rows, shape = m._images(X32, reset=False)
    assert shape == (16, 16) and np.shares_memory(rows, X32)  # no copy on the way to the library
    assert not np.shares_memory(m._images(X, reset=False)[0], X)  # uint8: converted once


def test_fitted_attributes_describe_the_whitening_and_dictionary(images):
    sae = small(n_components=8, dictionary="autoencoder", encoder="sae", patches_count=500).fit(images[0][:50])
    assert sae.encoder_weights_.shape == (8, 25) and sae.encoder_bias_.shape == (8,)
    m = sae.set_params(dictionary="kmeans", encoder="soft", grid=(1, 2)).fit(images[0][:50])
    assert not hasattr(m, "encoder_weights_")  # nothing left from the autoencoder fit
    assert np.allclose(np.linalg.norm(m.components_, axis=1), 1, atol=1e-5)
    assert m.whitening_mean_.shape == (25,) and m.whitening_matrix_.shape == (25, 25)
    assert np.allclose(m.whitening_matrix_, m.whitening_matrix_.T, atol=1e-5)  # ZCA is symmetric
    assert m.transform(images[0][:3]).shape == (3, 2 * 8 * (1 + 4))
    assert m.fit_summary_["patches"] == 500 and "k-means" in m.fit_summary_["dictionary"]
    assert m.fit_summary_["termination"] == "iterations"  # all 20 passes


def test_verbose_prints_the_fit_summary_and_transform_progress(images, capsys):
    small(verbose=True).fit(images[0][:20]).transform(images[0][:20])
    captured = capsys.readouterr()
    assert "[ConvFeatures] 20 images 16x16, 3000 patches" in captured.out
    assert "[ConvFeatures] transform: 20/20 images" in captured.out
    assert "fit: kmeans iteration" not in captured.out
    small(verbose=2).fit(images[0][:20])
    lines = [line for line in capsys.readouterr().out.splitlines() if "fit: kmeans iteration" in line]
    assert [int(line.split()[4].rstrip(",")) for line in lines] == list(range(1, len(lines) + 1))
    assert len(lines) >= 2


@pytest.mark.parametrize("make, message", [
    (lambda X: np.where(np.arange(X.size).reshape(X.shape) == 7, np.nan, X), "NaN"),
    (lambda X: X[0, 0], "got a 1-D array"),
    (lambda X: X[:, :, :, None], "got a 4-D array"),
    (lambda X: np.array([[["a"] * 16] * 16] * 3, dtype=object), "could not convert"),
    (lambda X: X[:, :4, :4], "patch=5 is larger than the 4x4 images"),
    (lambda X: X[:0], "0 sample"),
])
def test_bad_input_raises_value_error(images, make, message):
    X = images[0][:10].astype(np.float64)
    with pytest.raises(ValueError, match=message):
        small().fit(make(X))


def test_transform_rejects_images_of_another_size(images):
    m = small().fit(images[0][:10])
    with pytest.raises(ValueError, match="X holds 12x12 images but ConvFeatures was fitted on 16x16 images"):
        m.transform(images[0][:5, :12, :12])
    with pytest.raises(ValueError, match="expecting 256 features"):
        m.transform(np.zeros((5, 100)))


@pytest.mark.parametrize("params, message", [
    (dict(n_components=0), "n_components must be an integer in \\[1, "),
    (dict(patch=2.5), "patch must be an integer"),
    (dict(stride=0), "stride must be"),
    (dict(dictionary="pca"), "dictionary must be one of"),
    (dict(encoder="relu"), "encoder must be one of"),
    (dict(encoder="sae"), "encoder='sae' needs dictionary='autoencoder'"),
    (dict(encoder="lasso", l1_penalty=0.0), "l1_penalty must be a finite number > 0"),
    (dict(alpha=-0.1), "alpha must be"),
    (dict(pool="median"), "pool must be one of"),
    (dict(grid=0), "grid must be"),
    (dict(grid="1,x"), "grid must be"),
    (dict(grid=13), "grid=13 is finer than the 12x12 patch positions"),
    (dict(patches_count=0), "patches_count must be"),
    (dict(image_shape=(0, 16)), "image_shape must be"),
    (dict(random_state=None), "random_state must be an integer >= 0"),
    (dict(n_jobs=0), "n_jobs must be"),
])
def test_parameters_that_cannot_be_honoured_raise(images, params, message):
    with pytest.raises(ValueError, match=message):
        small(**params).fit(images[0][:10])


INTERRUPTED_TRANSFORM = textwrap.dedent("""
    import sys
    import numpy as np
    import sparsecode

    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, (12000, 32, 32), dtype=np.uint8)
    m = sparsecode.ConvFeatures(n_components=64, patch=6, patches_count=5000, verbose=True).fit(X[:100])
    print("fitted", flush=True)
    try:
        m.transform(X)
    except KeyboardInterrupt:
        print("interrupted;", m.transform(X[:3]).shape, flush=True)  # still usable
        sys.exit(0)
    sys.exit(3)
""")


def test_ctrl_c_interrupts_a_long_transform_promptly():
    child = interruptible_child(INTERRUPTED_TRANSFORM)
    try:
        assert child.stdout.readline().startswith("[ConvFeatures] 100 images")
        assert child.stdout.readline().strip() == "fitted"
        assert child.stdout.readline().startswith("[ConvFeatures] transform: 256/12000")  # the first batch is done
        child.send_signal(signal.SIGINT)
        sent = time.monotonic()
        out, _ = child.communicate(timeout=60)  # the whole transform takes far longer
        elapsed = time.monotonic() - sent
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 0, out
    assert out.splitlines()[-1] == "interrupted; (3, 2048)"
    print("KeyboardInterrupt after %.3f s" % elapsed)


INTERRUPTED_FIT = textwrap.dedent("""
    import sys
    import numpy as np
    import sparsecode
    from sklearn.exceptions import NotFittedError

    dictionary, settings, refit = sys.argv[1], eval(sys.argv[2]), sys.argv[3] == "refit"
    X = np.random.default_rng(0).integers(0, 256, (2000, 32, 32), dtype=np.uint8)
    m = sparsecode.ConvFeatures(n_components=8, patches_count=2000, dictionary=dictionary)
    if refit:
        m.fit(X[:50, :20, :20])  # a quick earlier fit on other images, which must survive
        before = m.components_.copy(), m.n_features_in_
    m.set_params(**settings)
    # The learner's iterations are collected by list.append: no Python code and no I/O (a
    # buffered write would check signals itself) runs in the callback, so only the binding's own
    # Ctrl-C check can raise inside fit.
    done = []
    m._fit_progress = lambda: done.append
    print("fitting", flush=True)
    try:
        m.fit(X)
    except KeyboardInterrupt:
        if refit:  # the earlier fit, still usable
            assert np.array_equal(m.components_, before[0]) and m.n_features_in_ == before[1] == 400
            state = "previous fit kept: %s" % (m.transform(X[:3, :20, :20]).shape,)
        else:
            assert not hasattr(m, "n_features_in_")
            try:
                m.transform(X[:3])
                state = "fitted?"
            except NotFittedError:
                state = "still unfitted"
        print("interrupted after", len(done), "iterations;", state, flush=True)
        sys.exit(0)
    sys.exit(3)
""")


@pytest.mark.parametrize("dictionary, settings, iterations, refit", [
    # Fits of several seconds at least and their learners' iterations: 20 k-means passes (the
    # library's default), one sparse-coding epoch of mini-batches of 256 patches, up to 200 L-BFGS
    # iterations (the library's default).
    ("kmeans", dict(n_components=256, patches_count=400000), 20, False),
    ("sparse-coding", dict(n_components=256, patches_count=200000), -(-200000 // 256), True),
    ("autoencoder", dict(n_components=256, patches_count=20000), 200, True),
])
def test_ctrl_c_interrupts_a_long_fit_within_an_iteration(dictionary, settings, iterations, refit):
    child = interruptible_child(INTERRUPTED_FIT, dictionary, repr(settings), "refit" if refit else "new")
    try:
        assert child.stdout.readline().strip() == "fitting"
        time.sleep(1.0)  # well inside the dictionary learner, far from its end
        child.send_signal(signal.SIGINT)
        sent = time.monotonic()
        out, _ = child.communicate(timeout=120)  # a hang guard
        elapsed = time.monotonic() - sent
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 0, out
    words = out.split()
    assert words[:2] == ["interrupted", "after"], out
    assert out.split(";")[1].strip() == ("previous fit kept: (3, 256)" if refit else "still unfitted")
    # KeyboardInterrupt came from inside the learner, at the first iteration after the signal:
    # without the binding's check it would come only once fit returned, after every iteration.
    assert int(words[2]) < iterations // 2
    print("KeyboardInterrupt after %.3f s, %s of %d iterations" % (elapsed, words[2], iterations))
