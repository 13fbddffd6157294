"""``minitorch.datasets``: small datasets that load without a network connection.

=====================  =================================================================
``load_digits``        8x8 handwritten digits, from the copy scikit-learn installs
``load_mnist_5k``      5,000 real 28x28 MNIST digits, carried in ``datasets/data``
``load_names``         5,163 US first names (1990 Census), carried in ``datasets/data``
``make_moons``         two interleaving half circles (generated)
``make_circles``       two concentric circles (generated)
``make_spirals``       interleaved spiral arms (generated)
``make_xor``           the XOR quadrants (generated)
``train_test_split``   a random (optionally stratified) held-out split of any dataset
=====================  =================================================================

Sources and licences are in each function's docstring and in ``datasets/data/README.md``.
"""
from ._files import NamesDataset, load_digits, load_mnist_5k, load_names
from ._split import train_test_split
from ._toy import make_circles, make_moons, make_spirals, make_xor

__all__ = ["NamesDataset", "load_digits", "load_mnist_5k", "load_names", "make_circles",
           "make_moons", "make_spirals", "make_xor", "train_test_split"]
