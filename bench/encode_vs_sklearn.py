#!/usr/bin/python3
"""Times scikit-learn's SparseCoder (lasso_lars, lasso_cd, omp) on the patches written by
bench_encode, computes every result's objective the same way (0.5*||x - D a||^2 + lambda*||a||_1,
mean over patches, in float64) and writes the comparison table (markdown) to stdout.

scikit-learn 1.2's sparse_encode passes alpha/n_features to Lasso/LassoLars, whose objective is
(1/(2 n_features))||x - D a||^2 + (alpha/n_features)||a||_1: the same minimiser as
0.5*||x - D a||^2 + alpha*||a||_1, so transform_alpha = lambda."""
import csv
import os
import platform
import sys
import time

import numpy as np
import sklearn
from sklearn.decomposition import SparseCoder


def main(out):
    D = np.load(os.path.join(out, "D.npy"))  # k x d, atoms as rows
    X = np.load(os.path.join(out, "X.npy"))  # N x d
    lam = float(open(os.path.join(out, "lambda.txt")).read())
    n = X.shape[0]
    jobs = os.cpu_count()

    def objective(A):
        R = X - A @ D
        return float(np.mean(0.5 * np.einsum("ij,ij->i", R, R) + lam * np.abs(A).sum(axis=1)))

    rows = []  # (name, seconds, objective, nnz, kind)
    with open(os.path.join(out, "ours.tsv")) as f:
        for r in csv.DictReader(f, delimiter="\t"):
            A = np.load(os.path.join(out, "A_%s.npy" % r["name"]))
            kind = "omp" if r["name"].startswith("omp") else "lasso"
            rows.append(("sparsecode " + r["name"], float(r["seconds"]), objective(A),
                         float(np.mean((A != 0).sum(axis=1))), kind, int(r["not_converged"])))

    # Best of three warm runs for lasso_cd and omp, as for ours (bench_encode keeps the best of
    # three): a single run of scikit-learn varies by up to 2x here (joblib workers, BLAS threads).
    # lasso_lars takes ~20 s a run and is timed once; it also starts the joblib worker pool.
    sk = {}
    for alg, kw, reps in (("lasso_lars", dict(transform_alpha=lam), 1),
                          ("lasso_cd", dict(transform_alpha=lam), 3),
                          ("omp", dict(transform_n_nonzero_coefs=12), 3)):
        coder = SparseCoder(dictionary=D, transform_algorithm=alg, n_jobs=jobs, **kw)
        dt = float("inf")
        for _ in range(reps):
            t0 = time.perf_counter()
            A = coder.transform(X)
            dt = min(dt, time.perf_counter() - t0)
        sk[alg] = dt
        rows.append(("sklearn " + alg, dt, objective(A), float(np.mean((A != 0).sum(axis=1))),
                     "omp" if alg == "omp" else "lasso", -1))

    best = min(r[2] for r in rows if r[4] == "lasso")
    print("N = %d patches (12x12, whitened), d = %d, k = %d, lambda = %.6g, %d cores; "
          "scikit-learn %s with n_jobs=%d (lasso_cd and omp: best of 3 runs, lasso_lars: 1 run; ours: best of 3); numpy %s; OPENBLAS_CORETYPE=%s; %s" % (
              n, X.shape[1], D.shape[0], lam, jobs, sklearn.__version__, jobs, np.__version__,
              os.environ.get("OPENBLAS_CORETYPE", "(unset)"), platform.processor() or platform.machine()))
    print()
    print("| solver | seconds | patches/s | × sklearn lasso_lars | × sklearn lasso_cd | × sklearn omp "
          "| mean objective | rel. gap to best LASSO | mean nnz | not converged |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, dt, obj, nnz, kind, nc in rows:
        gap = "(OMP)" if kind == "omp" else "%.2e" % ((obj - best) / best)
        print("| %s | %.3f | %.0f | %.1f | %.1f | %.1f | %.10f | %s | %.2f | %s |" % (
            name, dt, n / dt, sk["lasso_lars"] / dt, sk["lasso_cd"] / dt, sk["omp"] / dt, obj, gap,
            nnz, "-" if nc < 0 else str(nc)))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "bench-encode-out")
