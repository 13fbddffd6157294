"""PyTorch's module path ``torch.nn.modules.batchnorm``, which scripts and checkpoints name;
minitorch defines batch normalisation with the other normalisations, in normalization.py."""
from .normalization import BatchNorm1d, BatchNorm2d, _BatchNorm  # noqa: F401
