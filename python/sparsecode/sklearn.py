"""Drop-in replacements for scikit-learn 1.2's SparseCoder, MiniBatchDictionaryLearning and DictionaryLearning.

Same constructor parameters, attributes, methods and objective (per sample
0.5*||x - D'a||^2 + alpha*||a||_1), computed by the C++ library. Differences, all documented
on the classes: transform(X, sparse=True) returns a scipy.sparse.csr_matrix; transform keeps
float32 input in float32; n_jobs=None means one thread as in scikit-learn. Parameters the
library cannot honour raise ValueError.
"""
from ._sklearn_coder import SparseCoder
from ._sklearn_learners import DictionaryLearning, MiniBatchDictionaryLearning

__all__ = ["SparseCoder", "MiniBatchDictionaryLearning", "DictionaryLearning"]
