#!/usr/bin/python3
"""Times scikit-learn's SparseCoder (lasso_lars, lasso_cd, omp) on the patches written by
bench_encode (`time OUT ROUND`, once per round, interleaved with bench_encode by run_encode.sh);
then (`table OUT`) computes every result's objective the same way (0.5*||x - D a||^2 +
lambda*||a||_1, mean over patches, in float64) and writes the comparison table (markdown) to
stdout, each side's time being its best over the rounds.

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


def load(out):
    D = np.load(os.path.join(out, "D.npy"))  # k x d, atoms as rows
    X = np.load(os.path.join(out, "X.npy"))  # N x d
    lam = float(open(os.path.join(out, "lambda.txt")).read())
    return D, X, lam


def objective_of(X, D, lam, A):
    R = X - A @ D
    return float(np.mean(0.5 * np.einsum("ij,ij->i", R, R) + lam * np.abs(A).sum(axis=1)))


def time_round(out, tag):
    """Times scikit-learn once more and writes sklearn_<tag>.tsv: best of three warm runs for
    lasso_cd and omp (a single run varies by up to 2x here: joblib workers, BLAS threads);
    lasso_lars (~20 s a run) only in round 1, where it also starts the joblib worker pool."""
    D, X, lam = load(out)
    jobs = os.cpu_count()
    algs = [("lasso_cd", dict(transform_alpha=lam), 3), ("omp", dict(transform_n_nonzero_coefs=12), 3)]
    if tag == "1":
        algs.insert(0, ("lasso_lars", dict(transform_alpha=lam), 1))
    with open(os.path.join(out, "sklearn_%s.tsv" % tag), "w") as f:
        f.write("name\tseconds\tmean_objective\tmean_nonzeros\n")
        for alg, kw, reps in algs:
            coder = SparseCoder(dictionary=D, transform_algorithm=alg, n_jobs=jobs, **kw)
            dt = float("inf")
            for _ in range(reps):
                t0 = time.perf_counter()
                A = coder.transform(X)
                dt = min(dt, time.perf_counter() - t0)
            f.write("%s\t%r\t%r\t%r\n" % (alg, dt, objective_of(X, D, lam, A),
                                           float(np.mean((A != 0).sum(axis=1)))))


def best_times(out, prefix):
    """name -> (rows of the first file, best seconds over all rounds) for files prefix_*.tsv."""
    best, first = {}, {}
    for fn in sorted(os.listdir(out)):
        if not (fn.startswith(prefix + "_") and fn.endswith(".tsv")):
            continue
        with open(os.path.join(out, fn)) as f:
            for r in csv.DictReader(f, delimiter="\t"):
                first.setdefault(r["name"], r)
                best[r["name"]] = min(best.get(r["name"], float("inf")), float(r["seconds"]))
    return first, best


def table(out):
    D, X, lam = load(out)
    n = X.shape[0]
    jobs = os.cpu_count()
    rows = []  # (name, seconds, objective, nnz, kind, not converged)
    ours, ours_best = best_times(out, "ours")
    rounds = sum(1 for fn in os.listdir(out) if fn.startswith("ours_"))
    for name, r in ours.items():
        A = np.load(os.path.join(out, "A_%s.npy" % name))
        kind = "omp" if name.startswith("omp") else "lasso"
        rows.append(("sparsecode " + name, ours_best[name], objective_of(X, D, lam, A),
                     float(np.mean((A != 0).sum(axis=1))), kind, int(r["not_converged"])))
    sk_rows, sk = best_times(out, "sklearn")
    for alg, r in sk_rows.items():
        rows.append(("sklearn " + alg, sk[alg], float(r["mean_objective"]), float(r["mean_nonzeros"]),
                     "omp" if alg == "omp" else "lasso", -1))

    best = min(r[2] for r in rows if r[4] == "lasso")
    print("N = %d patches (12x12, whitened), d = %d, k = %d, lambda = %.6g, %d cores; "
          "scikit-learn %s with n_jobs=%d; %d interleaved rounds (ours, then scikit-learn), each "
          "side's best over them (per round: ours best of 3, lasso_cd and omp best of 3; "
          "lasso_lars: 1 run in round 1); numpy %s; OPENBLAS_CORETYPE=%s; %s" % (
              n, X.shape[1], D.shape[0], lam, jobs, sklearn.__version__, jobs, rounds, np.__version__,
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
    if len(sys.argv) == 4 and sys.argv[1] == "time":
        time_round(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 3 and sys.argv[1] == "table":
        table(sys.argv[2])
    else:
        sys.exit("usage: encode_vs_sklearn.py time OUT ROUND | table OUT")
