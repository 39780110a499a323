"""encode and SparseCoder: the CLI's codes bit for bit, scikit-learn's optimum, zero copy, float32, CSR, bad input."""
import subprocess

import numpy as np
import pytest
import scipy.sparse
from sklearn.decomposition import SparseCoder as SkSparseCoder

import sparsecode
from sparsecode.sklearn import SparseCoder
from conftest import objectives

ALPHA = 0.15


@pytest.mark.parametrize("solver", ["lars", "cd", "fss", "fista", "omp"])
@pytest.mark.parametrize("threads", [1, 2])
def test_codes_equal_the_cli_bit_for_bit(tmp_path, cli, patches, dictionary, solver, threads):
    X = patches[:600]
    np.save(tmp_path / "D.npy", dictionary)
    np.save(tmp_path / "X.npy", X)
    extra = ["--omp-atoms", "6"] if solver == "omp" else []
    subprocess.run([str(cli), "encode", "--dict", str(tmp_path / "D.npy"), "--input", str(tmp_path / "X.npy"),
                    "--lambda", str(ALPHA), "--solver", solver, "--threads", str(threads), "--quiet",
                    "--out", str(tmp_path / "A.npy")] + extra, check=True)
    theirs = np.load(tmp_path / "A.npy")
    ours, summary = sparsecode.encode(dictionary, X, alpha=ALPHA, solver=solver, threads=threads,
                                      omp_atoms=6 if solver == "omp" else 0)
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    assert np.array_equal(ours, theirs)
    assert summary.samples == len(X)


@pytest.mark.parametrize("solver", ["lars", "cd"])
def test_float32_codes_equal_the_cli_bit_for_bit(tmp_path, cli, patches, dictionary, solver):
    X, D = patches[:600].astype(np.float32), dictionary.astype(np.float32)
    np.save(tmp_path / "D.npy", D)
    np.save(tmp_path / "X.npy", X)
    subprocess.run([str(cli), "encode", "--dict", str(tmp_path / "D.npy"), "--input", str(tmp_path / "X.npy"),
                    "--lambda", str(ALPHA), "--solver", solver, "--threads", "2", "--float32", "--quiet",
                    "--out", str(tmp_path / "A.npy")], check=True)
    theirs = np.load(tmp_path / "A.npy")
    ours, _ = sparsecode.encode(D, X, alpha=ALPHA, solver=solver, threads=2)
    assert ours.dtype == theirs.dtype == np.float32
    assert np.array_equal(ours, theirs)


@pytest.mark.parametrize("algorithm", ["lasso_lars", "fss", "lasso_cd", "fista"])
def test_objective_and_kkt_agree_with_scikit_learn(patches, dictionary, algorithm):
    X = patches[:300]
    reference = SkSparseCoder(dictionary, transform_algorithm="lasso_lars", transform_alpha=ALPHA).transform(X)
    ours = SparseCoder(dictionary, transform_algorithm=algorithm, transform_alpha=ALPHA).transform(X)
    f_ref, f_ours = objectives(X, dictionary, reference, ALPHA), objectives(X, dictionary, ours, ALPHA)
    # LARS and feature-sign are exact; CD and FISTA stop at a relative duality gap of 1e-6.
    exact = algorithm in ("lasso_lars", "fss")
    tol = 1e-8 if exact else 1e-6
    assert np.all(np.abs(f_ours - f_ref) <= tol * np.maximum(f_ref, 1e-12))
    if exact:
        # KKT: D(x - D'a) = alpha*sign(a) on the support, |.| <= alpha off it.
        G = (X - ours @ dictionary) @ dictionary.T
        on = ours != 0
        assert np.max(np.abs(G[on] - ALPHA * np.sign(ours[on]))) <= 1e-8 * ALPHA * 1e3
        assert np.max(np.abs(G[~on])) <= ALPHA * (1 + 1e-8)


@pytest.mark.filterwarnings("ignore:Orthogonal matching pursuit ended prematurely")
def test_omp_matches_scikit_learn_support(patches, dictionary):
    X = patches[:300]
    ref = SkSparseCoder(dictionary, transform_algorithm="omp", transform_n_nonzero_coefs=5).transform(X)
    ours = SparseCoder(dictionary, transform_algorithm="omp", transform_n_nonzero_coefs=5).transform(X)
    r_ref = np.linalg.norm(X - ref @ dictionary, axis=1)
    r_ours = np.linalg.norm(X - ours @ dictionary, axis=1)
    assert np.all((ours != 0).sum(axis=1) <= 5)
    assert np.allclose(r_ours, r_ref, rtol=1e-8, atol=1e-10)


def test_a_dictionary_with_long_atoms_is_rescaled_exactly(patches, dictionary):
    X = patches[:100]
    D = dictionary * np.linspace(0.5, 3.0, len(dictionary))[:, None]
    reference = SkSparseCoder(D, transform_algorithm="lasso_lars", transform_alpha=ALPHA).transform(X)
    ours = SparseCoder(D, transform_algorithm="lasso_lars", transform_alpha=ALPHA).transform(X)
    f_ref, f_ours = objectives(X, D, reference, ALPHA), objectives(X, D, ours, ALPHA)
    assert np.all(np.abs(f_ours - f_ref) <= 1e-8 * f_ref)


def test_inputs_reach_the_library_without_copies(monkeypatch, patches, dictionary):
    X = np.ascontiguousarray(patches[:200])
    seen = {}
    real = sparsecode._coding._core.encode

    def spy(D, X_, out, **kwargs):
        seen["X"], seen["out"] = X_, out
        return real(D, X_, out, **kwargs)

    monkeypatch.setattr(sparsecode._coding._core, "encode", spy)
    out = np.full((len(X), len(dictionary)), np.nan)
    codes, _ = sparsecode.encode(dictionary, X, alpha=ALPHA, out=out)
    assert codes is out and not np.isnan(out).any()          # written in the caller's buffer
    assert seen["X"].__array_interface__["data"][0] == X.__array_interface__["data"][0]
    assert seen["out"] is out
    # The estimator passes C-contiguous float32 data through as well.
    X32 = X.astype(np.float32)
    SparseCoder(dictionary, transform_algorithm="lasso_lars", transform_alpha=ALPHA).transform(X32)
    assert seen["X"].__array_interface__["data"][0] == X32.__array_interface__["data"][0]


def test_other_layouts_are_converted_once(patches, dictionary):
    X = patches[:100]
    a, _ = sparsecode.encode(dictionary, X, alpha=ALPHA)
    b, _ = sparsecode.encode(dictionary, np.asfortranarray(X), alpha=ALPHA)
    c, _ = sparsecode.encode(dictionary, X.tolist(), alpha=ALPHA)
    wide = np.zeros((len(X), 2 * X.shape[1]))
    wide[:, ::2] = X
    d, _ = sparsecode.encode(dictionary, wide[:, ::2], alpha=ALPHA)  # a strided view
    assert np.array_equal(a, b) and np.array_equal(a, c) and np.array_equal(a, d)


def test_float32_path(patches, dictionary):
    X32, D32 = patches[:300].astype(np.float32), dictionary.astype(np.float32)
    codes32, s32 = sparsecode.encode(D32, X32, alpha=ALPHA)
    codes64, s64 = sparsecode.encode(dictionary, patches[:300], alpha=ALPHA)
    assert codes32.dtype == np.float32
    assert abs(s32.mean_objective - s64.mean_objective) <= 1e-4 * s64.mean_objective
    coder = SparseCoder(dictionary, transform_algorithm="lasso_cd", transform_alpha=ALPHA)
    assert coder.transform(X32).dtype == np.float32


@pytest.mark.parametrize("split_sign", [False, True])
def test_sparse_output_equals_dense(patches, dictionary, split_sign):
    X = patches[:500]
    coder = SparseCoder(dictionary, transform_algorithm="lasso_lars", transform_alpha=ALPHA, split_sign=split_sign)
    dense = coder.transform(X)
    sparse = coder.transform(X, sparse=True)
    assert isinstance(sparse, scipy.sparse.csr_matrix)
    assert np.array_equal(sparse.toarray(), dense)
    codes, _ = sparsecode.encode(dictionary, X, alpha=ALPHA, sparse=True)
    assert codes.nnz == np.count_nonzero(sparsecode.encode(dictionary, X, alpha=ALPHA)[0])


@pytest.mark.parametrize("bad, message", [
    (lambda X: np.where(np.arange(X.size).reshape(X.shape) == 7, np.nan, X), "NaN"),
    (lambda X: X[:, :10], "features"),
    (lambda X: X[None], "2-D"),
    (lambda X: np.array([["a"] * X.shape[1]] * 3, dtype=object), "numeric"),
])
def test_bad_input_raises_a_clear_value_error(patches, dictionary, bad, message):
    with pytest.raises(ValueError, match=message):
        sparsecode.encode(dictionary, bad(patches[:20]), alpha=ALPHA)


@pytest.mark.parametrize("bad, message", [
    (lambda X: np.where(np.arange(X.size).reshape(X.shape) == 7, np.nan, X), "NaN"),
    (lambda X: X[:, :10], "features"),
    (lambda X: X[None], "dim 3"),
    (lambda X: np.array([["a"] * X.shape[1]] * 3, dtype=object), "could not convert"),
])
@pytest.mark.parametrize("algorithm", ["lasso_lars", "lasso_cd", "omp", "threshold", "fista", "fss"])
def test_estimators_reject_bad_input_with_value_error(patches, dictionary, bad, message, algorithm):
    with pytest.raises(ValueError, match=message):
        SparseCoder(dictionary, transform_algorithm=algorithm).transform(bad(patches[:20]))


def test_bad_parameters_raise_value_error(patches, dictionary):
    X = patches[:20]
    with pytest.raises(ValueError, match="alpha must be a finite number >= 0"):
        sparsecode.encode(dictionary, X, alpha=-1.0)
    with pytest.raises(ValueError, match="transform_alpha must be"):
        SparseCoder(dictionary, transform_algorithm="lasso_cd", transform_alpha=-0.5).transform(X)
    with pytest.raises(ValueError, match="'lars' with a non-zero count is not offered"):
        SparseCoder(dictionary, transform_algorithm="lars").transform(X)
    with pytest.raises(ValueError, match="positive_code=True is not supported"):
        SparseCoder(dictionary, transform_algorithm="omp", positive_code=True).transform(X)
    with pytest.raises(ValueError, match="solver must be one of"):
        sparsecode.encode(dictionary, X, solver="magic")
