"""Process-wide settings a PyTorch script makes at start (threads, matmul precision,
deterministic algorithms, print options) and ``compile``."""
