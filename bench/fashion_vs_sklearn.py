#!/usr/bin/python3
"""Fashion-MNIST single-layer pipeline in numpy + scikit-learn at sparsecode's default settings.

The same stages as `sparsecode features fit|transform` and `sparsecode classify train|predict` with their
defaults, each timed: 100,000 random 6×6 patches, per-patch contrast normalization (ε = 10, pixels 0..255),
ZCA whitening (ε = 0.1), MiniBatchKMeans K = 256 with unit-norm centroids (spherical k-means stand-in),
soft threshold [max(0, Dᵀx − α), max(0, −Dᵀx − α)] with α = 0.25 at stride 1, sum pooling over 4×4
regions (8,192 features), standardization, LogisticRegression with C = 1/(l2·N) (sparsecode's l2 is on
the mean loss). Run it on a subset (--train N) when the full set would take too long.

    /usr/bin/python3 bench/fashion_vs_sklearn.py [--train 10000] [--l2 3e-3] [--transform-only]
"""
import argparse
import gzip
import os
import time

import numpy as np

DATA = os.environ.get("FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")


def read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    rank = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def normalize(p, eps=10.0):
    p = p - p.mean(axis=1, keepdims=True)
    return p / np.sqrt((p * p).mean(axis=1, keepdims=True) + eps)


def fit_extractor(images, rng, patch=6, count=100000, atoms=256, zca_eps=0.1):
    from sklearn.cluster import MiniBatchKMeans
    n, h, w = images.shape
    idx = rng.integers(0, n, count)
    r = rng.integers(0, h - patch + 1, count)
    c = rng.integers(0, w - patch + 1, count)
    p = np.stack([images[i, y:y + patch, x:x + patch].ravel() for i, y, x in zip(idx, r, c)]).astype(np.float64)
    p = normalize(p)
    mean = p.mean(axis=0)
    cov = np.cov(p - mean, rowvar=False, bias=True)
    lam, v = np.linalg.eigh(cov)
    zca = (v / np.sqrt(np.maximum(lam, 0) + zca_eps)) @ v.T
    white = (p - mean) @ zca
    km = MiniBatchKMeans(n_clusters=atoms, batch_size=4096, n_init=1, random_state=0).fit(white)
    d = km.cluster_centers_
    d /= np.maximum(np.linalg.norm(d, axis=1, keepdims=True), 1e-12)
    return mean.astype(np.float32), zca.astype(np.float32), d.astype(np.float32)


def patches_of(x, patch):
    """Every patch × patch patch of the m images x (m, h, w), as rows (m·positions, patch²)."""
    from numpy.lib.stride_tricks import sliding_window_view
    return sliding_window_view(x, (patch, patch), axis=(1, 2)).reshape(-1, patch * patch)


def transform(images, mean, zca, dico, patch=6, alpha=0.25, grid=4, chunk=250):
    n, h, w = images.shape
    rows, cols = h - patch + 1, w - patch + 1
    k = dico.shape[0]
    proj = zca @ dico.T                      # whiten then project in one GEMM
    offset = mean @ proj
    starts_r = [g * rows // grid for g in range(grid + 1)]
    starts_c = [g * cols // grid for g in range(grid + 1)]
    out = np.empty((n, grid * grid * 2 * k), dtype=np.float32)
    for b in range(0, n, chunk):
        x = images[b:b + chunk].astype(np.float32)
        m = x.shape[0]
        p = patches_of(x, patch)
        z = (normalize(p) @ proj - offset).reshape(m, rows, cols, k)
        pos = np.maximum(z - alpha, 0)
        neg = np.maximum(-z - alpha, 0)
        feats = []
        for gy in range(grid):
            for gx in range(grid):
                sl = (slice(None), slice(starts_r[gy], starts_r[gy + 1]), slice(starts_c[gx], starts_c[gx + 1]))
                feats.append(np.concatenate([pos[sl].sum(axis=(1, 2)), neg[sl].sum(axis=(1, 2))], axis=1))
        out[b:b + m] = np.concatenate(feats, axis=1)
    return out


def gemm_seconds(images, zca, dico, patch=6, chunk=250):
    """Seconds of the transform's one GEMM alone (patches × whitened atoms, float32), building the
    patches untimed: a floor under any implementation that computes Dᵀx for every patch in BLAS."""
    n = images.shape[0]
    proj = (zca @ dico.T).astype(np.float32)
    total = 0.0
    for b in range(0, n, chunk):
        p = np.ascontiguousarray(patches_of(images[b:b + chunk].astype(np.float32), patch))
        t = time.time()
        p @ proj
        total += time.time() - t
    return total


def sparsecode_transform_seconds(model, images):
    """sparsecode's transform of the uint8 images in this process, as a Python user calls it (the
    conversion to float32 and the output's allocation included): a first call, whose 328 MB output
    is fresh memory that the OS maps page by page as numpy's transform's output is, then a second
    call whose output reuses the first's freed memory."""
    from sparsecode.features import ConvFeatures
    extractor = ConvFeatures.load_model(model, n_jobs=-1)
    seconds = []
    for _ in range(2):
        t = time.time()
        features = extractor.transform(images)
        seconds.append(time.time() - t)
        del features
    return f"sparsecode in process: first call {seconds[0]:.3f} s, second call {seconds[1]:.3f} s"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--train", type=int, default=10000, help="training images used (first N; 60000 = all)")
    ap.add_argument("--l2", type=float, default=3e-3, help="sparsecode's l2 (mean loss); C = 1/(l2·N)")
    ap.add_argument("--max-iter", type=int, default=300)
    ap.add_argument("--transform-only", action="store_true",
                    help="fit, then read, transform and save the test images only (plus the GEMM floor), "
                         "no classifier")
    ap.add_argument("--sparsecode-model", metavar="E.bin",
                    help="with --transform-only: also time sparsecode's transform of the same images in this "
                         "process (ConvFeatures.load_model(E.bin, n_jobs=-1), the package built in PYTHONPATH), "
                         "a first call and a second one whose output reuses freed memory")
    args = ap.parse_args()
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    xtr = read_idx(f"{DATA}/train-images-idx3-ubyte.gz")[:args.train]
    ytr = read_idx(f"{DATA}/train-labels-idx1-ubyte.gz")[:args.train]
    xte = read_idx(f"{DATA}/t10k-images-idx3-ubyte.gz")
    yte = read_idx(f"{DATA}/t10k-labels-idx1-ubyte.gz")
    rng = np.random.default_rng(0)
    times = {}
    t = time.time()
    mean, zca, dico = fit_extractor(xtr, rng)
    times["features fit"] = time.time() - t
    if args.transform_only:
        import tempfile
        with tempfile.TemporaryDirectory() as tmp:
            t = time.time()
            images = read_idx(f"{DATA}/t10k-images-idx3-ubyte.gz")
            t_transform = time.time()
            features = transform(images, mean, zca, dico)
            t_transform = time.time() - t_transform
            np.save(f"{tmp}/features.npy", features)
            t_whole = time.time() - t
        print(f"transform of the 10,000 test images: {t_transform:.3f} s; "
              f"with reading the IDX file and writing the .npy: {t_whole:.3f} s; "
              f"its GEMM alone: {gemm_seconds(xte, zca, dico):.3f} s", end="")
        if args.sparsecode_model:
            print("; " + sparsecode_transform_seconds(args.sparsecode_model, images), end="")
        print()
        return
    t = time.time()
    ftr = transform(xtr, mean, zca, dico)
    times["transform train"] = time.time() - t
    t = time.time()
    fte = transform(xte, mean, zca, dico)
    times["transform test"] = time.time() - t
    t = time.time()
    scaler = StandardScaler(copy=False).fit(ftr)
    ftr = scaler.transform(ftr)
    clf = LogisticRegression(C=1.0 / (args.l2 * len(ytr)), max_iter=args.max_iter, tol=1e-4)
    clf.fit(ftr, ytr)
    times["classify train"] = time.time() - t
    t = time.time()
    pred = clf.predict(scaler.transform(fte))
    times["classify predict"] = time.time() - t
    acc = float((pred == yte).mean())
    print(f"scikit-learn pipeline, {len(ytr)} training images, l2 {args.l2:g} (C = {1.0 / (args.l2 * len(ytr)):.4g}), "
          f"{ftr.shape[1]} features, LogisticRegression iterations {int(clf.n_iter_.max())}")
    for name, sec in times.items():
        print(f"  {name:18s} {sec:8.1f} s")
    print(f"  {'total':18s} {sum(times.values()):8.1f} s")
    print(f"  (the test transform's GEMM alone: {gemm_seconds(xte, zca, dico):.1f} s)")
    print(f"test accuracy {acc:.4f}")
    for c in range(10):
        print(f"  class {c}: {float((pred[yte == c] == c).mean()):.4f}")


if __name__ == "__main__":
    main()
