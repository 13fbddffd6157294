"""How much `python3 dev.py lab` / `test` downloads on a machine without an NVIDIA GPU.

    python3 scripts/measure_download.py [lab|dev]

Asks pip what it would install into an empty environment (``--dry-run --ignore-installed
--report``), with torch from PyTorch's CPU index as dev.py does, and adds up the wheel
sizes (a HEAD request per remote wheel; local files are measured on disk). The README's
figure comes from this script.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import dev  # noqa: E402  (the install commands measured are dev.py's own)


def would_install(extra: str) -> list:
    """pip's report entries for ``.[extra]`` plus the CPU torch, into an empty environment."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        subprocess.run([sys.executable, "-m", "pip", "install", "--dry-run", "--quiet",
                        "--ignore-installed", "--retries", "0", "--report", report,
                        "--extra-index-url", dev.TORCH_CPU_INDEX,
                        dev.torch_requirement(), "-e", f".[{extra}]"],
                       cwd=ROOT, check=True)
        return json.loads(report.read_text())["install"]


def wheel_size(url: str) -> int:
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme == "file":
        return Path(urllib.parse.unquote(parsed.path)).stat().st_size
    with urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=30) as r:
        return int(r.headers["Content-Length"])


def main(argv) -> int:
    extra = argv[0] if argv else "lab"
    sizes = {}
    for item in would_install(extra):
        url = item["download_info"]["url"]
        if not url.startswith("file://" + str(ROOT)):  # the project itself is not downloaded
            sizes[f'{item["metadata"]["name"]}=={item["metadata"]["version"]}'] = wheel_size(url)
    for name, size in sorted(sizes.items(), key=lambda kv: -kv[1])[:8]:
        print(f"{size / 1e6:8.1f} MB  {name}")
    print(f"{sum(sizes.values()) / 1e6:8.1f} MB  in all, {len(sizes)} wheels for .[{extra}]")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
