"""``SummaryWriter``: tensorboardX's writer, taking minitorch tensors where it takes values.

tensorboardX converts PyTorch tensors itself but knows nothing of minitorch's, so the
methods that log values convert tensors to NumPy first; everything else is tensorboardX's.
"""
from __future__ import annotations

import tensorboardX

from ...tensor import Tensor


def _plain(value):
    """A tensor as NumPy data (a Python number for 0-d), anything else unchanged."""
    if isinstance(value, Tensor):
        return value.item() if value.dim() == 0 else value.detach().cpu().numpy()
    return value


class SummaryWriter(tensorboardX.SummaryWriter):
    """``SummaryWriter(log_dir=None, comment='', purge_step=None, max_queue=10,
    flush_secs=120, filename_suffix='')``, as in ``torch.utils.tensorboard``."""

    def add_scalar(self, tag, scalar_value, global_step=None, walltime=None, **kwargs):
        return super().add_scalar(tag, _plain(scalar_value), global_step, walltime, **kwargs)

    def add_scalars(self, main_tag, tag_scalar_dict, global_step=None, walltime=None):
        values = {tag: _plain(value) for tag, value in tag_scalar_dict.items()}
        return super().add_scalars(main_tag, values, global_step, walltime)

    def add_histogram(self, tag, values, global_step=None, bins="tensorflow", walltime=None,
                      max_bins=None):
        return super().add_histogram(tag, _plain(values), global_step, bins, walltime, max_bins)

    def add_image(self, tag, img_tensor, global_step=None, walltime=None, dataformats="CHW"):
        return super().add_image(tag, _plain(img_tensor), global_step, walltime, dataformats)
