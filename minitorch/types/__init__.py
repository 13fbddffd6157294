"""What a tensor is made of: its ``dtype`` (and PyTorch's promotion rules), ``Size``, ``device``,
the numeric limits (``finfo``/``iinfo``), and the legacy typed tensors (``LongTensor``...).

Nothing here computes; every other layer imports from here.
"""
