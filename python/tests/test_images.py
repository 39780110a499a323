"""Images, patches and montages from Python, and the sparse autoencoder estimator."""
import numpy as np
import pytest

import sparsecode
from conftest import ROOT


def test_extract_patches_is_seeded_and_mean_free(white_images):
    a = sparsecode.extract_patches(white_images, 6, 500, seed=7)
    b = sparsecode.extract_patches(white_images, 6, 500, seed=7)
    c = sparsecode.extract_patches(white_images, 6, 500, seed=8)
    assert a.shape == (500, 36) and a.flags.c_contiguous and a.dtype == np.float64
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    assert np.allclose(a.mean(axis=1), 0, atol=1e-12)


def test_grid_patches_are_the_image_pixels():
    image = np.arange(5 * 7, dtype=np.float64).reshape(5, 7)
    p = sparsecode.extract_patches([image], 2, sampling="grid", stride=1, remove_mean=False)
    assert p.shape == (4 * 6, 4)
    assert np.array_equal(p[0], [0, 1, 7, 8]) and np.array_equal(p[-1], image[3:5, 5:7].ravel())


def test_whitening_reaches_the_target_variance():
    images = sparsecode.load_images(ROOT / "data" / "images")
    white = sparsecode.whiten_images(images, target_variance=0.1)
    assert [w.shape for w in white] == [i.shape for i in images]
    pixels = np.concatenate([w.ravel() for w in white])
    assert abs(pixels.var() - 0.1) < 1e-9


def test_montage_places_atoms_on_a_grid(tmp_path):
    D = np.zeros((4, 9))
    D[1, 4] = 1.0  # atom 1: centre pixel bright, rest mid-grey
    img = sparsecode.montage(D, border=1)
    assert img.dtype == np.uint8 and img.shape == (2 * 4 + 1, 2 * 4 + 1)
    cell = img[1:4, 5:8]
    assert cell[1, 1] == 255 and (cell.ravel()[[0, 1, 2, 3, 5, 6, 7, 8]] == 128).all()
    assert (img[1:4, 1:4] == 128).all() and img[0].max() == 0
    sparsecode.save_montage(D, tmp_path / "m.png", scale=2)
    assert (tmp_path / "m.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="not a perfect square|patch"):
        sparsecode.montage(np.ones((3, 10)))


def test_autoencoder_transform_is_the_forward_pass(patches):
    X = patches[:400]
    X01 = (X - X.min()) / (X.max() - X.min())
    sae = sparsecode.SparseAutoencoder(n_hidden=10, max_iter=30, random_state=1).fit(X01)
    W1t, W2t = sae.coefs_
    b1, b2 = sae.intercepts_
    hidden = 1 / (1 + np.exp(-(X01 @ W1t + b1)))
    assert np.allclose(sae.transform(X01), hidden, rtol=1e-12, atol=1e-12)
    assert np.allclose(sae.reconstruct(X01), 1 / (1 + np.exp(-(hidden @ W2t + b2))), atol=1e-12)
    assert sae.loss_ < sae.summary_["initial_cost"] and sae.n_iter_ >= 1


def test_autoencoder_callback_stops_and_bad_options_raise(patches):
    X01 = np.clip(patches[:200] + 0.5, 0, 1)
    calls = []
    sae = sparsecode.SparseAutoencoder(n_hidden=5, optimizer="adam", epochs=50, batch_size=32,
                                       callback=lambda p: calls.append(p) or len(calls) == 3).fit(X01)
    assert len(calls) == 3 and sae.summary_["termination"] == "user_callback"
    with pytest.raises(ValueError, match="optimizer"):
        sparsecode.SparseAutoencoder(optimizer="newton").fit(X01)
    with pytest.raises(ValueError, match="rho"):
        sparsecode.SparseAutoencoder(rho=2.0).fit(X01)
