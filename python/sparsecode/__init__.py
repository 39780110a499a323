"""sparsecode: sparse coding and dictionary learning (C++ library) from Python, on NumPy arrays.

    import sparsecode
    codes, summary = sparsecode.encode(D, X, alpha=0.1)          # D: (k, d), X: (N, d)
    from sparsecode.sklearn import MiniBatchDictionaryLearning   # drop-in for scikit-learn's
    features = sparsecode.ConvFeatures(n_components=64).fit(images).transform(images)  # N x H x W

C-contiguous float64/float32 arrays (samples as rows) are passed to the library without copies;
other layouts are converted once.
"""
from . import _core
from ._coding import EncodeSummary, encode
from .autoencoder import SparseAutoencoder
from .features import ConvFeatures
from .images import extract_patches, load_images, montage, save_montage, whiten_images

__version__ = _core.__version__
__all__ = ["encode", "EncodeSummary", "extract_patches", "load_images", "whiten_images", "montage", "save_montage",
           "SparseAutoencoder", "ConvFeatures"]
