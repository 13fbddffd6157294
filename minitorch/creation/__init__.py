"""Making tensors: from data or by shape (``factories``), ranges (``arange``, ``linspace``...),
and the copies that keep the graph connected (``to``, ``clone``, DLPack: ``conversion``).
Random tensors are in ``minitorch.random``.
"""
