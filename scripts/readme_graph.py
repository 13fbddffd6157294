"""Draw the README's picture (docs/images/graph.svg): the graph of b = a*a + 3*a after
backward, exactly as the README's code draws it.

    python scripts/readme_graph.py
"""
from pathlib import Path

import minitorch as torch
from minitorch import viz

OUT = Path(__file__).resolve().parent.parent / "docs" / "images" / "graph"

a = torch.tensor(2.0, requires_grad=True)
b = a * a + 3 * a
b.backward()
print(viz.draw(b).render(OUT, format="svg", cleanup=True))
