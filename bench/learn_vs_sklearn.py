#!/usr/bin/python3
"""Online dictionary learning: sparsecode's OnlineLearner vs scikit-learn's MiniBatchDictionaryLearning.

Both learn k atoms from the same whitened 12x12 patches, in the same mini-batches (same order, same
batch size, same lambda). Only the learning calls are timed (partial_fit on both sides), in wall time and in process CPU
time; the runner pins both to one thread (OpenMP and OpenBLAS), so CPU time is a fair measure
even on a loaded machine, and the ratio reported is per CPU second. At the same
sample counts each dictionary is scored on the same held-out patches by coding them exactly with the
same lambda (sparsecode's encoder to a relative duality gap of 1e-8, for both dictionaries), so the
objectives are comparable. Writes CSV + PNG and prints the samples/s ratio and held-out objectives.
"""
import argparse
import csv
import os
import subprocess
import sys
import time

import numpy as np


def run(cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--build", default="build")
    p.add_argument("--out", default="out/bench_learn")
    p.add_argument("--samples", type=int, default=100000, help="training patches (one epoch for sparsecode)")
    p.add_argument("--heldout", type=int, default=5000)
    p.add_argument("--atoms", type=int, default=256)
    p.add_argument("--lam", type=float, default=0.6)
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--eval-every", type=int, default=10240)
    p.add_argument("--sklearn-seconds", type=float, default=300.0, help="CPU-time budget for scikit-learn")
    p.add_argument("--threads", type=int, default=1)
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    cli = os.path.join(a.build, "sparsecode")
    bench = os.path.join(a.build, "bench", "learn_bench")

    patches = os.path.join(a.out, "patches.npy")
    run([cli, "patches", "--images", "data/images", "--size", "12", "--count", str(a.samples + a.heldout),
         "--whiten", "of", "--seed", "1", "--quiet", "--out", patches])
    x = np.load(patches)
    train, held = x[: a.samples], x[a.samples:]
    train_path, held_path = os.path.join(a.out, "train.npy"), os.path.join(a.out, "heldout.npy")
    np.save(train_path, np.ascontiguousarray(train))
    np.save(held_path, np.ascontiguousarray(held))

    rows = []
    learn_prefix = os.path.join(a.out, "sparsecode")
    out = run([bench, "train", train_path, held_path, str(a.atoms), str(a.lam), str(a.batch), str(a.samples),
               str(a.eval_every), str(a.threads), learn_prefix])
    for r in csv.DictReader(out.splitlines()):
        rows.append(("sparsecode", int(r["samples"]), float(r["seconds"]), float(r["cpu_seconds"]),
                     float(r["heldout_objective"])))
        print("sparsecode", rows[-1][1:], flush=True)
    # The learner's floor: just coding the same samples with the same solver (on the final dictionary).
    enc_seconds, enc_cpu = (float(v) for v in run([bench, "encode", learn_prefix + "_D.npy", train_path, str(a.lam),
                                                   str(a.samples), str(a.threads)]).split(","))
    learned = rows[-1]
    print(f"encode of the same {a.samples} samples: {enc_seconds:.3f} s ({enc_cpu:.3f} CPU s); learning / encoding: "
          f"{learned[2] / enc_seconds:.2f}x wall, {learned[3] / enc_cpu:.2f}x CPU", flush=True)

    from sklearn.decomposition import MiniBatchDictionaryLearning
    sk = MiniBatchDictionaryLearning(n_components=a.atoms, alpha=a.lam, batch_size=a.batch, fit_algorithm="lars",
                                     transform_algorithm="lasso_lars", shuffle=False, random_state=0)
    seen, seconds, cpu, next_eval = 0, 0.0, 0.0, a.eval_every
    while seen < a.samples and cpu < a.sklearn_seconds:
        batch = train[seen: seen + a.batch]
        t0, c0 = time.perf_counter(), time.process_time()
        sk.partial_fit(batch)
        seconds += time.perf_counter() - t0
        cpu += time.process_time() - c0
        seen += len(batch)
        if seen >= next_eval or seen >= a.samples or cpu >= a.sklearn_seconds:
            d_path = os.path.join(a.out, "sklearn_D.npy")
            np.save(d_path, np.ascontiguousarray(sk.components_))
            obj = float(run([bench, "eval", d_path, held_path, str(a.lam), str(a.threads)]))
            rows.append(("sklearn", seen, seconds, cpu, obj))
            print("sklearn", rows[-1][1:], flush=True)
            next_eval += a.eval_every

    with open(os.path.join(a.out, "learn_vs_sklearn.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["method", "samples", "seconds", "cpu_seconds", "heldout_objective"])
        w.writerows(rows)

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(1, 2, figsize=(11, 4))
    for name in ("sparsecode", "sklearn"):
        r = [t for t in rows if t[0] == name]
        ax[0].plot([t[3] for t in r], [t[4] for t in r], "o-", label=name)
        ax[1].plot([t[1] for t in r], [t[4] for t in r], "o-", label=name)
    ax[0].set_xscale("log")
    ax[0].set_xlabel("training CPU seconds (one thread)")
    ax[1].set_xlabel("samples seen")
    for axis in ax:
        axis.set_ylabel("held-out objective (exact codes)")
        axis.legend()
    fig.suptitle(f"online dictionary learning, 12x12 whitened patches, k={a.atoms}, lambda={a.lam}, batch={a.batch}")
    fig.tight_layout()
    fig.savefig(os.path.join(a.out, "learn_vs_sklearn.png"), dpi=100)

    ours = [t for t in rows if t[0] == "sparsecode"]
    theirs = [t for t in rows if t[0] == "sklearn"]
    ours_rate = ours[-1][1] / ours[-1][3]
    sk_rate = theirs[-1][1] / theirs[-1][3]
    common = theirs[-1][1]
    ours_at = min((t for t in ours if t[1] >= common), key=lambda t: t[1], default=ours[-1])
    print(f"\nsamples per CPU second: sparsecode {ours_rate:.0f}, sklearn {sk_rate:.0f}, ratio {ours_rate / sk_rate:.1f}x")
    print(f"held-out objective after {common} samples (sklearn) / {ours_at[1]} (sparsecode): "
          f"sklearn {theirs[-1][4]:.5f}, sparsecode {ours_at[4]:.5f}")
    print(f"sparsecode after {ours[-1][1]} samples: {ours[-1][4]:.5f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
