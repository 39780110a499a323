"""Images to training data, dictionaries to pictures: load/whiten images, extract patches, montages."""
import os

import numpy as np

from . import _core
from ._validation import as_samples


def _image_list(images):
    """A directory, a list of 2-D arrays or an N x H x W array -> list of C-ordered float64 H x W arrays."""
    if isinstance(images, (str, os.PathLike)):
        return load_images(images)
    if isinstance(images, np.ndarray) and images.ndim == 2:
        raise ValueError("images must be a list of 2-D arrays or an N x H x W array, got one 2-D array; "
                         "wrap it in a list")
    out = []
    for i, image in enumerate(images):
        try:
            array = np.ascontiguousarray(image, dtype=np.float64)
        except (TypeError, ValueError) as e:
            raise ValueError("images[%d] must be numeric: %s" % (i, e)) from None
        if array.ndim != 2:
            raise ValueError("images[%d] must be 2-D (H x W grayscale), got shape %s" % (i, array.shape))
        if not np.isfinite(array).all():
            raise ValueError("images[%d] contains NaN or infinity" % i)
        out.append(array)
    if not out:
        raise ValueError("images is empty")
    return out


def load_images(directory):
    """Every image file in `directory` (PNG, JPEG, BMP, PGM/PPM; sorted by name) as H x W float64
    grayscale in [0, 1]."""
    return _core.load_images(os.fspath(directory))


def whiten_images(images, cutoff_fraction=0.4, target_variance=0.1, threads=0):
    """Olshausen & Field whitening: each image's spectrum times f*exp(-(f/f0)^4), f0 =
    cutoff_fraction * side; all images scaled together to pooled variance target_variance.
    Returns a list of H x W float64 arrays."""
    return _core.whiten_images(_image_list(images), float(cutoff_fraction), float(target_variance), int(threads))


def extract_patches(images, size, count=10000, whiten=False, seed=0, sampling="random", stride=1, border=0,
                    remove_mean=True, normalize_contrast=False):
    """Patches (count, size*size), each a row-major size x size patch, from images (a directory,
    a list of 2-D arrays or an N x H x W array). random: each patch picks an image, then a
    position, with the seed; grid: every stride-th position. whiten=True whitens the images
    first (whiten_images' defaults). remove_mean subtracts each patch's mean."""
    images = _image_list(images)
    if whiten:
        images = whiten_images(images)
    return _core.extract_patches(images, int(size), int(count), sampling, int(stride), int(border), int(seed),
                                 bool(remove_mean), bool(normalize_contrast))


def _atoms(D):
    return as_samples(D, "dictionary", dtype=np.float64)


def montage(D, patch_shape=None, scale=1, border=1):
    """The atoms (rows of D, each a row-major patch; square unless patch_shape=(h, w)) on a
    near-square grid, each scaled to its own max |value| with 0 at mid-grey: a uint8 image."""
    h, w = patch_shape if patch_shape is not None else (0, 0)
    return _core.montage(_atoms(D), int(h), int(w), int(scale), int(border))


def save_montage(D, path, patch_shape=None, scale=1, border=1):
    """montage(D, ...) written as a PNG file (atomically)."""
    h, w = patch_shape if patch_shape is not None else (0, 0)
    _core.save_montage(_atoms(D), os.fspath(path), int(h), int(w), int(scale), int(border))
