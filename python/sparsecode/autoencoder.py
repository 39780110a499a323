"""sparsecode.SparseAutoencoder: the library's sparse autoencoder as a scikit-learn transformer."""
import numpy as np
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from . import _core


class SparseAutoencoder(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Single-hidden-layer sparse autoencoder (Ng, CS294A notes): x -> h = f(W1 x + b1) ->
    g(W2 h + b2), cost = reconstruction + weight decay + beta*KL(rho || mean activation) +
    l1*mean ||h||_1. Every option of `sparsecode autoencoder train`: optimizer 'lbfgs' (max_iter
    iterations) or 'adam'/'sgd' (epochs, batch_size, learning_rate, val_frac, patience,
    max_norm). transform gives the hidden activations (n_samples, n_hidden). Attributes:
    coefs_ = [W1' (n_features, n_hidden), W2' (n_hidden, n_features)], intercepts_ = [b1, b2],
    n_iter_, loss_. callback(progress: dict) after every iteration; a true result stops.
    """

    def __init__(self, n_hidden=25, *, rho=0.01, beta=3.0, weight_decay=1e-4, l1=0.0, activation="sigmoid",
                 decoder="sigmoid", tied=False, optimizer="lbfgs", max_iter=400, epochs=100, batch_size=256,
                 learning_rate=None, val_frac=0.1, patience=10, max_norm=0.0, random_state=0, n_jobs=None,
                 verbose=False, callback=None):
        self.n_hidden = n_hidden
        self.rho = rho
        self.beta = beta
        self.weight_decay = weight_decay
        self.l1 = l1
        self.activation = activation
        self.decoder = decoder
        self.tied = tied
        self.optimizer = optimizer
        self.max_iter = max_iter
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.val_frac = val_frac
        self.patience = patience
        self.max_norm = max_norm
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.callback = callback

    def _settings(self):
        from ._validation import threads_of
        if not isinstance(self.random_state, (int, np.integer)) or self.random_state < 0:
            raise ValueError("random_state must be an integer >= 0 (the library's seed), got %r"
                             % (self.random_state,))
        return dict(hidden=int(self.n_hidden), rho=float(self.rho), beta=float(self.beta),
                    weight_decay=float(self.weight_decay), l1=float(self.l1), activation=self.activation,
                    decoder=self.decoder, tied=bool(self.tied), optimizer=self.optimizer,
                    max_iter=int(self.max_iter), epochs=int(self.epochs), batch_size=int(self.batch_size),
                    learning_rate=None if self.learning_rate is None else float(self.learning_rate),
                    val_frac=float(self.val_frac), patience=int(self.patience), max_norm=float(self.max_norm),
                    seed=int(self.random_state), threads=threads_of(self.n_jobs))

    def fit(self, X, y=None):
        X = self._validate_data(X, dtype=np.float64, order="C")
        settings = self._settings()
        name = type(self).__name__

        def report(progress):
            if self.verbose:
                print("[%s] iteration %d: cost %.6g" % (name, progress["iteration"], progress["cost"]), flush=True)
            return bool(self.callback(progress)) if self.callback is not None else False

        theta, summary = _core.train_autoencoder(X, settings, None, report)
        self._theta, self._fit_settings = theta, settings
        W1t, W2t, b1, b2 = _core.autoencoder_layers(theta, settings, X.shape[1])
        self.coefs_, self.intercepts_ = [W1t, W2t], [b1, b2]
        self.n_iter_ = summary["iterations"]
        self.loss_ = summary["final_cost"]
        self.summary_ = summary
        return self

    def transform(self, X):
        check_is_fitted(self, "coefs_")
        X = self._validate_data(X, dtype=np.float64, order="C", reset=False)
        return _core.autoencoder_apply(self._theta, self._fit_settings, X, "encode")

    def reconstruct(self, X):
        """g(W2 f(W1 x + b1) + b2) for every row of X."""
        check_is_fitted(self, "coefs_")
        X = self._validate_data(X, dtype=np.float64, order="C", reset=False)
        return _core.autoencoder_apply(self._theta, self._fit_settings, X, "reconstruct")

    @property
    def _n_features_out(self):
        return self.coefs_[0].shape[1]
