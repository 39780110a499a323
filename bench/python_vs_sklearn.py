#!/usr/bin/python3
"""The Python package against scikit-learn, from Python, in one run (ratios are what matter).

1. Encoding: sparsecode.sklearn.SparseCoder.transform vs sklearn.decomposition.SparseCoder on
   20,000 whitened 12x12 patches of data/images, k = 256 normalised patches as atoms (as
   bench/bench_encode.cpp: patches seed 1, atoms seed 2, lambda bisected to ~12 non-zeros),
   for lasso_lars, lasso_cd and omp (12 atoms); both with n_jobs = every core; best of --reps
   (scikit-learn's lasso_lars once).
2. Python-call overhead: wall time of sparsecode.encode() vs the library's own encode time
   (EncodeSummary.seconds) on the same call.
3. Learning: MiniBatchDictionaryLearning.fit on --learn-samples patches (one epoch, mini-batches
   of 256, k = 256, alpha = 0.6, lars) on both sides: time and the held-out objective (5,000
   other patches coded exactly by sparsecode's LARS at the same alpha, for both dictionaries).

Run after building the module (cmake --build build --target sparsecode_python):
    PYTHONPATH=build/python /usr/bin/python3 bench/python_vs_sklearn.py
"""
import argparse
import os

os.environ.setdefault("PYTHONWARNINGS", "ignore")  # scikit-learn's joblib workers inherit it (OMP's warnings)
import pathlib
import time
import warnings

import numpy as np
from sklearn.decomposition import MiniBatchDictionaryLearning as SkMiniBatch
from sklearn.decomposition import SparseCoder as SkSparseCoder

import sparsecode
from sparsecode.sklearn import MiniBatchDictionaryLearning, SparseCoder

ROOT = pathlib.Path(__file__).resolve().parents[1]


def objective(X, D, A, lam):
    R = X - A @ D
    return float(np.mean(0.5 * np.einsum("ij,ij->i", R, R) + lam * np.abs(A).sum(axis=1)))


def best_time(fn, reps):
    best, result = float("inf"), None
    for _ in range(reps):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def bisect_lambda(D, X):
    """lambda with ~12 LARS non-zeros per code on the first 1,000 patches (as bench_encode)."""
    head = X[:1000]
    lo, hi = 0.0, float(np.abs(head @ D.T).max())
    lam = 0.5 * (lo + hi)
    for _ in range(60):
        lam = 0.5 * (lo + hi)
        nnz = sparsecode.encode(D, head, alpha=lam)[1].mean_nonzeros
        if nnz > 12.5:
            lo = lam
        elif nnz < 11.5:
            hi = lam
        else:
            break
    return lam


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--patches", type=int, default=20000)
    p.add_argument("--learn-samples", type=int, default=100000)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--skip-learning", action="store_true")
    a = p.parse_args()
    jobs = os.cpu_count()
    warnings.simplefilter("ignore")

    white = sparsecode.whiten_images(sparsecode.load_images(ROOT / "data" / "images"))
    X = sparsecode.extract_patches(white, 12, a.patches, seed=1)
    D = sparsecode.extract_patches(white, 12, 256, seed=2)
    D /= np.linalg.norm(D, axis=1, keepdims=True)
    lam = bisect_lambda(D, X)
    print("## Encoding: %d whitened 12x12 patches, k = 256, lambda = %.6g, n_jobs = %d\n" % (len(X), lam, jobs))
    print("| algorithm | sparsecode s | scikit-learn s | speed-up | objective ours | objective sklearn |")
    print("|---|---|---|---|---|---|")
    for alg, kw in [("lasso_lars", dict(transform_alpha=lam)), ("lasso_cd", dict(transform_alpha=lam)),
                    ("omp", dict(transform_n_nonzero_coefs=12))]:
        t_ours, A_ours = best_time(lambda: SparseCoder(D, transform_algorithm=alg, n_jobs=-1, **kw).transform(X),
                                   a.reps)
        t_sk, A_sk = best_time(lambda: SkSparseCoder(D, transform_algorithm=alg, n_jobs=jobs, **kw).transform(X),
                               1 if alg == "lasso_lars" else a.reps)
        print("| %s | %.3f | %.3f | %.1fx | %.6f | %.6f |" % (alg, t_ours, t_sk, t_sk / t_ours,
                                                             objective(X, D, A_ours, lam), objective(X, D, A_sk, lam)))

    print("\n## Python-call overhead (sparsecode.encode, lars, all cores; best of %d)\n" % a.reps)
    rows = []
    for _ in range(a.reps):
        t0 = time.perf_counter()
        _, s = sparsecode.encode(D, X, alpha=lam, threads=0)
        rows.append((time.perf_counter() - t0, s.seconds))
    wall, lib = min(rows)
    print("wall %.4f s, library %.4f s: overhead %.1f%%" % (wall, lib, 100 * (wall - lib) / lib))

    if a.skip_learning:
        return
    n = a.learn_samples
    data = sparsecode.extract_patches(white, 12, n + 5000, seed=3)
    train, held = data[:n], data[n:]
    params = dict(n_components=256, alpha=0.6, batch_size=256, n_iter=n // 256, fit_algorithm="lars",
                  random_state=0, n_jobs=jobs)
    print("\n## Learning: %d patches (one epoch), k = 256, alpha = 0.6, batch 256, n_jobs = %d\n" % (n, jobs))
    print("| | seconds | held-out objective |")
    print("|---|---|---|")
    results = {}
    for name, cls in [("sparsecode", MiniBatchDictionaryLearning), ("scikit-learn", SkMiniBatch)]:
        t0 = time.perf_counter()
        m = cls(**params).fit(train)
        seconds = time.perf_counter() - t0
        Dm = m.components_ / np.maximum(1.0, np.linalg.norm(m.components_, axis=1, keepdims=True))
        f = sparsecode.encode(Dm, held, alpha=0.6, threads=0)[1].mean_objective
        results[name] = seconds
        print("| %s | %.2f | %.6f |" % (name, seconds, f))
    print("\nspeed-up %.1fx" % (results["scikit-learn"] / results["sparsecode"]))


if __name__ == "__main__":
    main()
