"""sparsecode.sklearn.SparseCoder: scikit-learn's SparseCoder on the C++ encoder."""
import numpy as np

from ._sklearn_base import CodingMixin


class SparseCoder(CodingMixin):
    """Sparse coding of data against a fixed dictionary (scikit-learn 1.2's SparseCoder).

    Per sample, min_a 0.5*||x - D'a||^2 + transform_alpha*||a||_1 ('lasso_lars': exact LARS,
    'lasso_cd': coordinate descent, 'fista', 'fss': feature-sign, all to a relative duality
    gap of 1e-6 or exactly), OMP with transform_n_nonzero_coefs atoms ('omp'), or soft
    thresholding of D x ('threshold'). dictionary: (n_components, n_features); atoms need not
    have unit norm. transform(X, sparse=True) returns a scipy.sparse.csr_matrix.
    """

    def __init__(self, dictionary, *, transform_algorithm="omp", transform_n_nonzero_coefs=None,
                 transform_alpha=None, split_sign=False, n_jobs=None, positive_code=False,
                 transform_max_iter=1000):
        self.dictionary = dictionary
        self.transform_algorithm = transform_algorithm
        self.transform_n_nonzero_coefs = transform_n_nonzero_coefs
        self.transform_alpha = transform_alpha
        self.split_sign = split_sign
        self.n_jobs = n_jobs
        self.positive_code = positive_code
        self.transform_max_iter = transform_max_iter

    def _dictionary(self):
        D = np.asarray(self.dictionary)
        if D.ndim != 2 or D.size == 0 or D.dtype.kind not in "fiu" or not np.isfinite(D).all():
            raise ValueError("dictionary must be a finite numeric 2-D array (n_components, n_features), "
                             "got shape %s and dtype %s" % (D.shape, D.dtype))
        return D

    def fit(self, X, y=None):
        """Validates the parameters and X (nothing is learned); returns self."""
        self._check_transform_params()
        D = self._dictionary()
        self._validate_data(X, dtype=[np.float64, np.float32])
        if self.n_features_in_ != D.shape[1]:
            raise ValueError("X has %d features, but %s is expecting %d features as input (the dictionary's)."
                             % (self.n_features_in_, type(self).__name__, D.shape[1]))
        return self

    def transform(self, X, y=None, sparse=False):
        """Codes of X (n_samples, n_features): (n_samples, n_components), or twice that with
        split_sign; a csr_matrix if sparse=True. float32 X gives float32 codes."""
        D = self._dictionary()
        # Non-finite values are refused by the library's encode (ValueError naming the row): no
        # second pass over X here.
        X = self._validate_data(X, dtype=[np.float64, np.float32], order="C", reset=False, force_all_finite=False)
        if X.shape[1] != D.shape[1]:
            raise ValueError("X has %d features, but %s is expecting %d features as input."
                             % (X.shape[1], type(self).__name__, D.shape[1]))
        return self._encode(X, D, sparse=sparse)

    @property
    def n_components_(self):
        return self._dictionary().shape[0]

    @property
    def _n_features_out(self):
        return self.n_components_

    def _more_tags(self):
        return {"requires_fit": False, "preserves_dtype": [np.float64, np.float32]}
