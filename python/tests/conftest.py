"""Fixtures of the Python tests: small whitened patches from data/images, a unit-norm dictionary, the CLI's path, run_checks, striped images."""
import os
import pathlib
import signal
import subprocess
import sys
import warnings

import numpy as np
import pytest
from sklearn.utils.estimator_checks import check_estimator

import sparsecode

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def white_images():
    """The embedded images (data/images), whitened."""
    return sparsecode.whiten_images(sparsecode.load_images(ROOT / "data" / "images"))


@pytest.fixture(scope="session")
def patches(white_images):
    """3,000 whitened 8x8 patches (3,000 x 64, float64, C order) from the embedded images."""
    return sparsecode.extract_patches(white_images, 8, 3000, seed=3)


@pytest.fixture(scope="session")
def dictionary(patches):
    """96 atoms of unit norm (96 x 64): random patches, normalised."""
    rng = np.random.default_rng(1)
    D = patches[rng.choice(len(patches), 96, replace=False)].copy()
    D /= np.linalg.norm(D, axis=1, keepdims=True)
    return D


@pytest.fixture(scope="session")
def cli():
    """The sparsecode command-line tool: $SPARSECODE_CLI (which must exist), else build/sparsecode
    if it was built (the tests comparing with it are skipped otherwise, e.g. after pip install)."""
    if "SPARSECODE_CLI" in os.environ:
        path = pathlib.Path(os.environ["SPARSECODE_CLI"])
        if not path.is_file():
            pytest.fail("SPARSECODE_CLI=%s does not exist" % path)
        return path
    path = ROOT / "build" / "sparsecode"
    if not path.is_file():
        pytest.skip("the sparsecode CLI is not built at %s (set SPARSECODE_CLI)" % path)
    return path


def objectives(X, D, codes, alpha):
    """Per-sample 0.5*||x - D'a||^2 + alpha*||a||_1."""
    R = X - codes @ D
    return 0.5 * np.einsum("ij,ij->i", R, R) + alpha * np.abs(codes).sum(axis=1)


def run_checks(estimator, skip=()):
    """Every check of check_estimator on `estimator` but those named in `skip`; failures reported together."""
    failures, ran = [], 0
    for est, check in check_estimator(estimator, generate_only=True):
        name = getattr(check, "func", check).__name__
        if name in skip:
            continue
        ran += 1
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                check(est)
            except Exception as e:  # collect all, report together
                failures.append("%s: %s" % (name, str(e).splitlines()[0] if str(e) else type(e).__name__))
    assert ran > 20
    assert not failures, "\n".join(failures)


def stripes(n, seed, side=16):
    """n uint8 images side x side of noisy stripes, class 0 horizontal, class 1 vertical (random
    period 3..6, phase and contrast): the orientation is the only thing telling the classes apart."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    r, c = np.mgrid[0:side, 0:side]
    images = np.empty((n, side, side), dtype=np.uint8)
    for i in range(n):
        coord = r if y[i] == 0 else c
        wave = np.sin(2 * np.pi * coord / rng.uniform(3, 6) + rng.uniform(0, 2 * np.pi))
        pixels = 128 + rng.uniform(40, 100) * wave + rng.normal(0, 20, (side, side))
        images[i] = np.clip(pixels, 0, 255)
    return images, y


def interruptible_child(code, *args):
    """`python -c code args...` with stdout piped, for the Ctrl-C tests. SIGINT is reset to its
    default in the child: a shell that runs the tests in the background (nohup, `cmd &`) ignores
    SIGINT, the child would inherit that and Python would then install no KeyboardInterrupt handler."""
    return subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, text=True,
                            env=dict(os.environ), preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
