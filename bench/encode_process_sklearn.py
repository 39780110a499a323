#!/usr/bin/python3
"""scikit-learn's side of bench/run_encode_process.sh, and the objective of any code file.

    encode_process_sklearn.py encode X.npy D.npy ALG VALUE OUT.npz   # ALG lasso_cd (VALUE = alpha) or omp (VALUE = atoms)
    encode_process_sklearn.py objective X.npy D.npy LAMBDA CODES.npz|.npy

`encode` loads the samples and the k×d dictionary, runs SparseCoder.transform with n_jobs = all cores,
saves the codes with scipy.sparse.save_npz (as a user would) and prints the transform's own seconds;
the script's whole-process time is taken outside. `objective` prints the mean of
0.5‖x − Da‖² + λ‖a‖₁ over the samples and the mean number of non-zeros."""
import os
import sys
import time

import numpy as np
import scipy.sparse

from encode_vs_sklearn import objective_of  # this script's directory is on sys.path


def main():
    mode = sys.argv[1]
    X = np.load(sys.argv[2])
    D = np.load(sys.argv[3])
    if mode == "encode":
        from sklearn.decomposition import SparseCoder
        alg, value, out = sys.argv[4], float(sys.argv[5]), sys.argv[6]
        kw = dict(transform_alpha=value) if alg == "lasso_cd" else dict(transform_n_nonzero_coefs=int(value))
        coder = SparseCoder(dictionary=D, transform_algorithm=alg, n_jobs=os.cpu_count(), **kw)
        t0 = time.perf_counter()
        A = coder.transform(X)
        seconds = time.perf_counter() - t0
        scipy.sparse.save_npz(out, scipy.sparse.csr_matrix(A))
        print("%.6f" % seconds)
    elif mode == "objective":
        lam, path = float(sys.argv[4]), sys.argv[5]
        A = scipy.sparse.load_npz(path).toarray() if path.endswith(".npz") else np.load(path)
        print("%.10f %.2f" % (objective_of(X, D, lam, A), float(np.mean((A != 0).sum(axis=1)))))
    else:
        sys.exit("usage: see the docstring")


if __name__ == "__main__":
    main()
