"""``minitorch.backends.cuda``: ``matmul.allow_tf32`` and friends. minitorch never uses TF32
or reduced-precision reductions (CuPy matmuls compute in the tensors' own dtype), so the
flags are recorded only, with PyTorch's defaults."""
from __future__ import annotations


class _MatmulFlags:
    def __init__(self) -> None:
        self.allow_tf32 = False
        self.allow_fp16_reduced_precision_reduction = True
        self.allow_bf16_reduced_precision_reduction = True


matmul = _MatmulFlags()


def is_built() -> bool:
    """False: minitorch is not built against CUDA (its GPU path goes through CuPy)."""
    return False
