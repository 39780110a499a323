"""Dictionary learning quality against scikit-learn, float32 data, and Ctrl-C during a long fit."""
import pickle
import signal
import textwrap
import time
import warnings

import numpy as np
from sklearn.decomposition import MiniBatchDictionaryLearning as SkMiniBatchDictionaryLearning

import sparsecode
from conftest import interruptible_child
from sparsecode.sklearn import MiniBatchDictionaryLearning


def heldout_objective(D, X, alpha):
    """Mean 0.5*||x - D'a||^2 + alpha*||a||_1 over X with exact LASSO codes (the same coder for both)."""
    _, summary = sparsecode.encode(D, X, alpha=alpha, solver="lars")
    return summary.mean_objective


def test_minibatch_heldout_objective_no_worse_than_scikit_learn(white_images):
    alpha = 0.3
    X = sparsecode.extract_patches(white_images, 8, 4000, seed=5)
    train, heldout = X[:3072], X[3072:]
    params = dict(n_components=32, alpha=alpha, batch_size=256, n_iter=12, random_state=0)  # one epoch
    ours = MiniBatchDictionaryLearning(**params).fit(train)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = SkMiniBatchDictionaryLearning(**params).fit(train)
    f_ours = heldout_objective(ours.components_, heldout, alpha)
    f_theirs = heldout_objective(theirs.components_ / np.maximum(
        1.0, np.linalg.norm(theirs.components_, axis=1, keepdims=True)), heldout, alpha)
    assert ours.n_steps_ == theirs.n_steps_ == 12
    print("held-out objective: sparsecode %.6f, scikit-learn %.6f" % (f_ours, f_theirs))
    assert f_ours <= f_theirs


def test_float32_data_are_learned_in_float32_as_scikit_learn_keeps_their_dtype(white_images):
    alpha = 0.3
    X = sparsecode.extract_patches(white_images, 8, 4000, seed=5)
    train, heldout = X[:3072], X[3072:]
    params = dict(n_components=32, alpha=alpha, batch_size=256, n_iter=12, random_state=0)
    single = MiniBatchDictionaryLearning(**params).fit(train.astype(np.float32))
    double = MiniBatchDictionaryLearning(**params).fit(train)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = SkMiniBatchDictionaryLearning(**params).fit(train.astype(np.float32))
    assert single.components_.dtype == theirs.components_.dtype == np.float32
    assert double.components_.dtype == np.float64
    assert single.transform(heldout.astype(np.float32)).dtype == np.float32
    # Learned in float32 (another rounding, another dictionary), at the same held-out objective.
    assert not np.array_equal(single.components_.astype(np.float64), double.components_)
    f_single = heldout_objective(single.components_.astype(np.float64), heldout, alpha)
    f_double = heldout_objective(double.components_, heldout, alpha)
    print("held-out objective: float32 learning %.7f, float64 %.7f" % (f_single, f_double))
    assert abs(f_single - f_double) <= 1e-3 * f_double
    # The choice survives pickling, and partial_fit goes on in float32.
    again = pickle.loads(pickle.dumps(single)).partial_fit(train[:256].astype(np.float32))
    assert again.components_.dtype == np.float32 and again.n_steps_ == 13


INTERRUPTED_FIT = textwrap.dedent("""
    import sys
    import numpy as np
    from sparsecode.sklearn import MiniBatchDictionaryLearning

    X = np.random.default_rng(0).standard_normal((4000, 64))
    started = []

    def callback(progress):
        if not started:
            started.append(True)
            print("started", flush=True)

    m = MiniBatchDictionaryLearning(64, alpha=0.1, n_iter=10**9, batch_size=64, random_state=0, callback=callback)
    try:
        m.fit(X)
    except KeyboardInterrupt:
        steps = m.n_steps_
        m.transform(X[:5])
        m.partial_fit(X[:64])  # still usable
        print("interrupted after", steps, "steps; then", m.n_steps_, flush=True)
        sys.exit(0)
    sys.exit(3)
""")


def test_ctrl_c_interrupts_a_long_fit_promptly():
    child = interruptible_child(INTERRUPTED_FIT)
    try:
        assert child.stdout.readline().strip() == "started"
        time.sleep(0.3)
        child.send_signal(signal.SIGINT)
        sent = time.monotonic()
        out, _ = child.communicate(timeout=30)  # the fit alone would run for hours
        elapsed = time.monotonic() - sent
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 0, out
    assert out.startswith("interrupted after")
    steps, after = int(out.split()[2]), int(out.split()[-1])
    assert steps >= 1 and after == steps + 1
    print("KeyboardInterrupt after %.3f s" % elapsed)
