"""sparsecode.ConvFeatures: the library's convolutional feature extractor (`sparsecode features`) as a scikit-learn transformer."""
import numbers
import os
import tempfile

import numpy as np
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils.validation import check_array, check_is_fitted

from . import _core
from ._validation import threads_of

DICTIONARIES = ("kmeans", "sparse-coding", "autoencoder")
ENCODERS = ("soft", "lasso", "omp", "triangle", "sae")
POOLS = ("sum", "max", "mean")


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _check_int(name, value, low, high=None):
    if not _is_int(value) or value < low or (high is not None and value > high):
        bound = ">= %d" % low if high is None else "in [%d, %d]" % (low, high)
        raise ValueError("%s must be an integer %s, got %r" % (name, bound, value))
    return int(value)


def _check_real(name, value, positive=False):
    if (not isinstance(value, numbers.Real) or isinstance(value, bool) or not np.isfinite(value) or value < 0
            or (positive and value == 0)):
        raise ValueError("%s must be a finite number %s, got %r" % (name, "> 0" if positive else ">= 0", value))
    return float(value)


def _check_choice(name, value, choices):
    if not isinstance(value, str) or value not in choices:
        raise ValueError("%s must be one of %s, got %r" % (name, ", ".join(repr(c) for c in choices), value))
    return value


def _grids(grid):
    """grid: an integer g (g x g regions), a sequence of them or "1,2,4" (a pyramid) -> "1,2,4"."""
    items = grid.split(",") if isinstance(grid, str) else [grid] if _is_int(grid) else grid
    try:
        values = [int(g) if isinstance(g, str) else g for g in items]
    except (TypeError, ValueError):
        values = None
    if not values or not all(_is_int(g) and g >= 1 for g in values):
        raise ValueError("grid must be a positive integer, a sequence of them or a text such as '1,2,4', got %r"
                         % (grid,))
    return ",".join(str(int(g)) for g in values)


class ConvFeatures(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Single-layer convolutional sparse-code features (Coates, Lee & Ng 2011), computed by the C++
    library exactly as `sparsecode features fit|transform`: every patch x patch patch at `stride`
    is contrast-normalized, ZCA-whitened (fitted on `patches_count` random training patches),
    encoded on a learned dictionary of `n_components` atoms, and the codes are pooled over g x g
    regions for every g in `grid`. transform gives (n_images, n_features_out) float32.

    Parameters (the flags of `sparsecode features fit`, with its defaults; the defaults are the
    README's Fashion-MNIST configuration and assume pixels in 0..255):
    n_components (--atoms), patch, stride, dictionary ('kmeans', 'sparse-coding', 'autoencoder'),
    l1_penalty (--lambda: the L1 weight of the 'sparse-coding' dictionary and the 'lasso' encoder),
    encoder ('soft', 'lasso', 'omp', 'triangle', 'sae'), alpha (the soft threshold), pool ('sum',
    'max', 'mean'), grid (an integer, a sequence such as (1, 2, 4) or the text '1,2,4'),
    patches_count, random_state (--seed, an integer >= 0), n_jobs (--threads; None: one thread,
    -1: every core; the features do not depend on it), verbose (True or 1: print the fit summary
    and the transform progress; 2: also every iteration of fit's dictionary learner).

    Input X: a 3-D array of N images H x W, or a 2-D array of N rows of H*W pixels, each a
    row-major image. The image size of 2-D X is `image_shape` = (H, W) (one of them may be -1, as
    in numpy's reshape); with image_shape=None a row must be a square image (H*W a perfect
    square), anything else raises ValueError. uint8, integer and float64 pixels are converted once
    to float32 (the library computes in float32); a C-contiguous float32 array is read in place.

    Fitted attributes: components_ (n_components, patch*patch) the dictionary atoms as rows;
    whitening_mean_ (patch*patch,) and whitening_matrix_ (patch*patch, patch*patch) of the ZCA
    (whitened = W (x - mean)); encoder_weights_ and encoder_bias_ (encoder 'sae' only);
    image_shape_ (H, W); n_features_in_ (= H*W); fit_summary_ (dict: patches, dictionary,
    termination of the dictionary learner, seconds).

    The GIL is released while the library computes. fit checks Ctrl-C after every iteration of
    the dictionary learner (a k-means pass, a sparse-coding mini-batch, an autoencoder L-BFGS
    iteration) and transform between batches of 256 images: KeyboardInterrupt, and the estimator
    stays usable (an interrupted fit leaves the previous fit, or an unfitted estimator).
    Pickling stores the extractor's model file (the bytes of `features fit --out`); save_model
    writes that file and load_model reads one, so models move between Python and the CLI.
    """

    def __init__(self, n_components=256, *, patch=6, stride=1, dictionary="kmeans", l1_penalty=0.1,
                 encoder="soft", alpha=0.25, pool="sum", grid=4, patches_count=100000, image_shape=None,
                 random_state=0, n_jobs=None, verbose=False):
        self.n_components = n_components
        self.patch = patch
        self.stride = stride
        self.dictionary = dictionary
        self.l1_penalty = l1_penalty
        self.encoder = encoder
        self.alpha = alpha
        self.pool = pool
        self.grid = grid
        self.patches_count = patches_count
        self.image_shape = image_shape
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose

    # ----------------------------------------------------------------------------------------
    def _settings(self):
        """The parameters checked one by one (ValueError naming the parameter) -> the library's options."""
        dictionary = _check_choice("dictionary", self.dictionary, DICTIONARIES)
        encoder = _check_choice("encoder", self.encoder, ENCODERS)
        if encoder == "sae" and dictionary != "autoencoder":
            raise ValueError("encoder='sae' needs dictionary='autoencoder', got dictionary=%r" % (dictionary,))
        needs_l1 = dictionary == "sparse-coding" or encoder == "lasso"
        if not _is_int(self.random_state) or self.random_state < 0:
            raise ValueError("random_state must be an integer >= 0 (the library's seed), got %r"
                             % (self.random_state,))
        return dict(atoms=_check_int("n_components", self.n_components, 1, 1 << 20),
                    patch=_check_int("patch", self.patch, 1, 256), stride=_check_int("stride", self.stride, 1, 256),
                    dictionary=dictionary, encoder=encoder,
                    **{"lambda": _check_real("l1_penalty", self.l1_penalty, positive=needs_l1)},
                    alpha=_check_real("alpha", self.alpha), pool=_check_choice("pool", self.pool, POOLS),
                    grids=_grids(self.grid), patches_count=_check_int("patches_count", self.patches_count, 1),
                    seed=int(self.random_state))

    def _shape_of_rows(self, n_pixels):
        """The (H, W) of a 2-D X's rows: image_shape (one entry may be -1), or a square."""
        shape = self.image_shape
        if shape is None:
            side = int(round(np.sqrt(n_pixels)))
            if side * side != n_pixels:
                raise ValueError("X has %d columns, not a square image: pass image_shape=(height, width) for 2-D X "
                                 "(one of them may be -1), or X as an N x H x W array" % n_pixels)
            return side, side
        if (not isinstance(shape, (tuple, list)) or len(shape) != 2 or not all(_is_int(s) for s in shape)
                or not all(s >= 1 or s == -1 for s in shape) or list(shape) == [-1, -1]):
            raise ValueError("image_shape must be None or (height, width) of integers >= 1, one of which may be "
                             "-1, got %r" % (shape,))
        h, w = int(shape[0]), int(shape[1])
        if h == -1 and n_pixels % w == 0:
            h = n_pixels // w
        elif w == -1 and n_pixels % h == 0:
            w = n_pixels // h
        if h * w != n_pixels:
            raise ValueError("image_shape=%r does not fit rows of %d pixels" % (tuple(shape), n_pixels))
        return h, w

    def _images(self, X, reset):
        """X -> (N x H*W float32 C-ordered rows, (H, W)); the estimator's n_features_in_ on reset."""
        ndim = getattr(X, "ndim", None)
        if ndim is None and isinstance(X, (list, tuple)):
            ndim = np.ndim(X)
        if ndim == 3:
            images = check_array(X, dtype=np.float32, order="C", allow_nd=True, input_name="X")
            shape = images.shape[1:]
            if self.image_shape is not None and tuple(self._shape_of_rows(shape[0] * shape[1])) != shape:
                raise ValueError("X holds %dx%d images but image_shape=%r" % (shape + (tuple(self.image_shape),)))
            if reset:
                self.n_features_in_ = shape[0] * shape[1]
                if hasattr(self, "feature_names_in_"):
                    del self.feature_names_in_
            elif shape != tuple(self.image_shape_):
                raise ValueError("X holds %dx%d images but ConvFeatures was fitted on %dx%d images"
                                 % (shape + tuple(self.image_shape_)))
            rows = images.reshape(len(images), -1)
        elif ndim == 2 or ndim is None:
            rows = self._validate_data(X, dtype=np.float32, order="C", reset=reset)
            shape = self._shape_of_rows(rows.shape[1])
        else:
            hint = "; Reshape your data: X.reshape(1, -1) is one image as a row" if ndim < 2 else ""
            raise ValueError("X must be N x H x W images (3-D) or N rows of H*W pixels (2-D), got a %d-D array of "
                             "shape %s%s" % (ndim, np.shape(X), hint))
        return rows, (int(shape[0]), int(shape[1]))

    def _check_geometry(self, settings, shape):
        h, w = shape
        p, s = settings["patch"], settings["stride"]
        if p > h or p > w:
            raise ValueError("patch=%d is larger than the %dx%d images%s" % (
                p, h, w, "" if self.image_shape is not None else " (see image_shape for 2-D X)"))
        positions = ((h - p) // s + 1, (w - p) // s + 1)
        finest = max(int(g) for g in settings["grids"].split(","))
        if finest > min(positions):
            raise ValueError("grid=%r is finer than the %dx%d patch positions of %dx%d images (patch=%d, stride=%d)"
                             % (self.grid, positions[0], positions[1], h, w, p, s))

    # ----------------------------------------------------------------------------------------
    def fit(self, X, y=None):
        """Fits the extractor on images X (see the class); y is ignored."""
        settings = self._settings()
        threads = threads_of(self.n_jobs)
        # The input checks reset n_features_in_ (and feature_names_in_): an interrupted or failed
        # fit puts them back, so the estimator keeps its previous state (or stays unfitted).
        before = {k: self.__dict__[k] for k in ("n_features_in_", "feature_names_in_") if k in self.__dict__}
        try:
            rows, shape = self._images(X, reset=True)
            self._check_geometry(settings, shape)
            extractor, summary = _core.FeatureExtractor.fit(rows, shape[0], shape[1], settings, threads,
                                                            self._fit_progress())
        except BaseException:
            for k in ("n_features_in_", "feature_names_in_"):
                self.__dict__.pop(k, None)
            self.__dict__.update(before)
            raise
        self._set_fitted(extractor, summary)
        if self.verbose:
            print("[ConvFeatures] %d images %dx%d, %d patches; %s; %d features per image; %.2f s"
                  % (len(rows), shape[0], shape[1], summary["patches"], summary["dictionary"],
                     extractor.feature_count, summary["seconds"]), flush=True)
        return self

    def _fit_progress(self):
        """verbose >= 2: a printer of the dictionary learner's iterations, else None."""
        if not self.verbose or self.verbose < 2:
            return None

        def progress(p):
            print("[ConvFeatures] fit: %s iteration %d, objective %.6g, %.2f s"
                  % (p["dictionary"], p["iteration"], p["objective"], p["seconds"]), flush=True)
        return progress

    def _set_fitted(self, extractor, summary):
        self._extractor = extractor
        self.image_shape_ = (extractor.height, extractor.width)
        self.n_features_in_ = extractor.height * extractor.width
        self.components_ = extractor.dictionary
        self.whitening_mean_ = extractor.whitening_mean.ravel()
        self.whitening_matrix_ = extractor.whitening_matrix
        if extractor.options["encoder"] == "sae":
            self.encoder_weights_ = extractor.encoder_weights
            self.encoder_bias_ = extractor.encoder_bias.ravel()
        else:  # no stale attributes from an earlier fit
            self.__dict__.pop("encoder_weights_", None)
            self.__dict__.pop("encoder_bias_", None)
        self.fit_summary_ = summary

    def transform(self, X):
        """Features of images X: (n_images, n_features_out) float32."""
        check_is_fitted(self, "components_")
        rows, shape = self._images(X, reset=False)
        if shape != tuple(self.image_shape_):
            raise ValueError("X holds %dx%d images but ConvFeatures was fitted on %dx%d images"
                             % (shape + tuple(self.image_shape_)))
        progress = None
        if self.verbose:
            def progress(done, total):
                print("[ConvFeatures] transform: %d/%d images" % (done, total), flush=True)
        return self._extractor.transform(rows, shape[0], shape[1], threads_of(self.n_jobs), progress)

    @property
    def _n_features_out(self):
        return self._extractor.feature_count

    def _more_tags(self):
        return {"preserves_dtype": [np.float32]}

    # ----------------------------------------------------------------------------------------
    def save_model(self, path):
        """Writes the fitted extractor as `sparsecode features fit --out` does (atomically)."""
        check_is_fitted(self, "components_")
        self._extractor.save(os.fspath(path))

    @classmethod
    def load_model(cls, path, n_jobs=None, verbose=False):
        """A fitted ConvFeatures from a model file of `sparsecode features fit` (or save_model); its
        parameters are the file's options and image_shape its image size."""
        extractor = _core.FeatureExtractor.load(os.fspath(path))
        return cls._from_extractor(extractor, n_jobs=n_jobs, verbose=verbose)

    @classmethod
    def _from_extractor(cls, extractor, **kw):
        o = extractor.options
        grids = [int(g) for g in o["grids"].split(",")]
        est = cls(n_components=o["atoms"], patch=o["patch"], stride=o["stride"], dictionary=o["dictionary"],
                  l1_penalty=o["lambda"], encoder=o["encoder"], alpha=o["alpha"], pool=o["pool"],
                  grid=grids[0] if len(grids) == 1 else tuple(grids), patches_count=o["patches_count"],
                  image_shape=(extractor.height, extractor.width), random_state=o["seed"], **kw)
        est._set_fitted(extractor, {})
        return est

    def __getstate__(self):
        state = dict(super().__getstate__())
        extractor = state.pop("_extractor", None)
        if extractor is not None:
            with tempfile.TemporaryDirectory() as tmp:
                path = os.path.join(tmp, "model.bin")
                extractor.save(path)
                with open(path, "rb") as f:
                    state["_extractor_file"] = f.read()
        return state

    def __setstate__(self, state):
        state = dict(state)
        data = state.pop("_extractor_file", None)
        super().__setstate__(state)
        if data is not None:
            with tempfile.TemporaryDirectory() as tmp:
                path = os.path.join(tmp, "model.bin")
                with open(path, "wb") as f:
                    f.write(data)
                self._extractor = _core.FeatureExtractor.load(path)
