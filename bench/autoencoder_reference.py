#!/usr/bin/python3
"""numpy reference of the sparse autoencoder cost and gradient (same formula as autoencoder/cost.cpp).

Usage: autoencoder_reference.py DIR [REPEATS]
Reads DIR/X.npy (N×d), theta.npy, grad.npy, cost.npy written by bench_autoencoder, recomputes
J and ∇J (UFLDL setting: d = 64, h = 25, sigmoid/sigmoid, untied, ρ = 0.01, β = 3, λ = 1e-4,
α = 1e-3), prints the relative differences and the median seconds per evaluation.
"""
import sys
import time

import numpy as np

RHO, BETA, LAMBDA, ALPHA, HIDDEN, EPS = 0.01, 3.0, 1e-4, 1e-3, 25, 1e-10


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def cost_and_gradient(theta, x):
    """x is d×m (one sample per column); theta = [W1 (h×d), b1, W2 (d×h), b2], column-major."""
    d, m = x.shape
    h = HIDDEN
    w1 = theta[: h * d].reshape((h, d), order="F")
    b1 = theta[h * d : h * d + h]
    w2 = theta[h * d + h : 2 * h * d + h].reshape((d, h), order="F")
    b2 = theta[2 * h * d + h :]
    a2 = sigmoid(w1 @ x + b1[:, None])
    a3 = sigmoid(w2 @ a2 + b2[:, None])
    rho_hat = a2.mean(axis=1)
    r = np.clip(rho_hat, EPS, 1 - EPS)
    residual = a3 - x
    j = (0.5 / m) * np.sum(residual**2) + 0.5 * LAMBDA * (np.sum(w1**2) + np.sum(w2**2))
    j += BETA * np.sum(RHO * np.log(RHO / r) + (1 - RHO) * np.log((1 - RHO) / (1 - r)))
    j += ALPHA / m * np.sum(np.abs(a2))
    inside = (rho_hat >= EPS) & (rho_hat <= 1 - EPS)
    s = BETA * np.where(inside, -RHO / r + (1 - RHO) / (1 - r), 0.0) + ALPHA
    delta3 = residual * a3 * (1 - a3)
    delta2 = (w2.T @ delta3 + s[:, None]) * a2 * (1 - a2)
    gw1 = delta2 @ x.T / m + LAMBDA * w1
    gw2 = delta3 @ a2.T / m + LAMBDA * w2
    gb1 = delta2.sum(axis=1) / m
    gb2 = delta3.sum(axis=1) / m
    grad = np.concatenate([gw1.ravel(order="F"), gb1, gw2.ravel(order="F"), gb2])
    return j, grad


def main():
    directory = sys.argv[1]
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    x = np.load(f"{directory}/X.npy").T  # N×d on disk -> d×N
    theta = np.load(f"{directory}/theta.npy")
    j, grad = cost_and_gradient(theta, x)
    j_cpp = float(np.load(f"{directory}/cost.npy")[0])
    grad_cpp = np.load(f"{directory}/grad.npy")
    print(f"cost_relative_difference {abs(j - j_cpp) / abs(j):.3e}")
    print(f"gradient_relative_difference {np.linalg.norm(grad - grad_cpp) / np.linalg.norm(grad):.3e}")
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        cost_and_gradient(theta, x)
        times.append(time.perf_counter() - start)
    print(f"numpy_seconds_per_eval {np.median(times):.6g}")


if __name__ == "__main__":
    main()
