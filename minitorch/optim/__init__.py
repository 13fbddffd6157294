"""``minitorch.optim``: optimizers (and ``lr_scheduler``)."""
