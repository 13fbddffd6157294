"""Soak test: train an MLP for many steps and watch the process's memory (RSS).

    python scripts/soak.py --steps 10000 [--every 500]

Prints the resident set size every ``--every`` steps, and at the end the growth between the
first report after warm-up and the last one. A leak of one small array per step shows as
steady growth; flat memory shows as a growth near zero (a few hundred KiB of allocator noise).
Exit status 1 when the growth after warm-up exceeds ``--limit-mib``.
"""
from __future__ import annotations

import argparse
import gc
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import minitorch  # noqa: E402
from minitorch import nn  # noqa: E402


def rss_kib() -> int:
    """Resident set size of this process in KiB, from /proc (Linux) or psutil."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import psutil
    return psutil.Process().memory_info().rss // 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10000)
    parser.add_argument("--every", type=int, default=500)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--limit-mib", type=float, default=8.0)
    args = parser.parse_args()

    minitorch.manual_seed(0)
    model = nn.Sequential(nn.Linear(32, 128), nn.ReLU(), nn.Linear(128, 128), nn.Tanh(),
                          nn.LayerNorm(128), nn.Dropout(0.1), nn.Linear(128, 10))
    optimizer = minitorch.optim.Adam(model.parameters(), lr=1e-3)
    scheduler = minitorch.optim.lr_scheduler.StepLR(optimizer, step_size=2000, gamma=0.5)
    # a fixed synthetic data set, drawn in batches as a training loop would
    data = minitorch.randn(1024, 32)
    labels = (data[:, :10] * 3).argmax(dim=1)

    start, reports = time.time(), []
    print(f"{'step':>6} {'RSS MiB':>9} {'loss':>8} {'gc objects':>10}", flush=True)
    for step in range(1, args.steps + 1):
        index = minitorch.randint(0, 1024, (args.batch,))
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(data[index]), labels[index])
        loss.backward()
        optimizer.step()
        scheduler.step()
        if step % args.every == 0:
            rss = rss_kib()
            reports.append((step, rss))
            # objects the collector tracks, less this script's own report tuples
            objects = len(gc.get_objects()) - len(reports)
            print(f"{step:6d} {rss / 1024:9.2f} {loss.item():8.4f} {objects:10d}", flush=True)

    warm = reports[min(1, len(reports) - 1)]  # the first report includes allocator warm-up
    last = reports[-1]
    growth = (last[1] - warm[1]) / 1024
    print(f"\nRSS after warm-up (step {warm[0]}): {warm[1] / 1024:.2f} MiB; at step {last[0]}: "
          f"{last[1] / 1024:.2f} MiB; growth {growth:+.2f} MiB "
          f"({growth * 1024 / max(last[0] - warm[0], 1):+.3f} KiB/step); "
          f"peak {max(r for _, r in reports) / 1024:.2f} MiB; {time.time() - start:.0f}s")
    return 1 if growth > args.limit_mib else 0


if __name__ == "__main__":
    sys.exit(main())
