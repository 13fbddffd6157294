"""viz: draw minitorch (and PyTorch) computation graphs with their values and gradients.

Being built (issue: viz); depends only on the public graph protocol of DESIGN.md section 4.
"""
