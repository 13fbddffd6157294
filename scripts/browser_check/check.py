"""Open chapters in JupyterLab in a real (headless) browser and measure how big the graph
drawings' text is on screen: issue 25's "graphs are postage stamps" check.

    sudo scripts/browser_check/install.sh        # Debian's chromium + chromium-driver, selenium
    .venv/bin/python scripts/browser_check/check.py [--dir chapters] [00 01 03]

It starts JupyterLab on a free port, opens each notebook at a 1400 px wide window, waits for
its outputs, and for every output image of a cell that calls viz (``viz.draw`` or
``viz.backward_steps``) computes the text height as displayed: viz's 10 pt font times the
factor by which JupyterLab scaled the image to fit the cell (JupyterLab draws an SVG output as
an <img>, so its text is measured through the image's displayed and natural widths).
Screenshots go to build/browser_check/. Exit status 1 when some graph text is below 9 px.
"""
from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "build" / "browser_check"
WINDOW = (1400, 1000)
FONT_PX = 10 * 4 / 3        # viz's 10 pt node font at 100 %
MIN_TEXT_PX = 9
DRIVER = "/usr/bin/chromedriver"   # Debian's chromium-driver

# For every code cell that calls viz: the displayed and natural width of its output images.
MEASURE_JS = """
const found = [];
const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
for (const cell of (panel ? panel.querySelectorAll('.jp-CodeCell') : [])) {
  const code = cell.querySelector('.jp-InputArea .cm-content');
  if (!code || !/viz\\.(draw|backward_steps)\\(/.test(code.textContent)) continue;
  for (const img of cell.querySelectorAll('.jp-OutputArea-output img')) {
    found.push({code: code.textContent.slice(0, 60), shown: img.clientWidth,
                natural: img.naturalWidth, mime: img.closest('[data-mime-type]')
                  ?.getAttribute('data-mime-type') || ''});
  }
}
return found;
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_lab(port: int) -> subprocess.Popen:
    lab = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root",
         f"--port={port}", "--ServerApp.ip=127.0.0.1", "--IdentityProvider.token=",
         "--ServerApp.password=", f"--ServerApp.root_dir={ROOT}"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status", timeout=2)
            return lab
        except OSError:
            time.sleep(0.5)
    lab.terminate()
    raise SystemExit("JupyterLab did not start within a minute")


def browser() -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                f"--window-size={WINDOW[0]},{WINDOW[1]}", "--force-device-scale-factor=1"):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service(DRIVER), options=options)


def measure(driver, url: str, shot: Path) -> list:
    driver.get(url)
    deadline = time.time() + 90
    found = []
    while time.time() < deadline:
        # Scroll every cell into view once, so a windowed notebook renders all outputs.
        driver.execute_script("for (const c of document.querySelectorAll('.jp-Cell')) "
                              "c.scrollIntoView();")
        found = driver.execute_script(MEASURE_JS)
        if found and all(f["natural"] for f in found):
            break
        time.sleep(1)
    if found:
        driver.execute_script(
            "const i = [...document.querySelectorAll('.jp-CodeCell')].find(c => "
            "/viz\\.(draw|backward_steps)\\(/.test(c.textContent)); i && i.scrollIntoView();")
        time.sleep(0.5)
    driver.save_screenshot(str(shot))
    return found


def main(argv) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("numbers", nargs="*", default=["00", "01", "03"])
    parser.add_argument("--dir", default="chapters", help="folder of the notebooks, under the "
                        "repository root (default: chapters)")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    port = free_port()
    lab = start_lab(port)
    driver = browser()
    small = 0
    try:
        for number in args.numbers:
            (notebook,) = sorted((ROOT / args.dir).glob(f"{number}_*.ipynb"))
            rel = notebook.relative_to(ROOT).as_posix()
            # A workspace of its own, reset: only this notebook open, no restored tabs.
            url = f"http://127.0.0.1:{port}/lab/workspaces/check{number}/tree/{rel}?reset"
            found = measure(driver, url, OUT / f"{notebook.stem}.png")
            if not found:
                print(f"{rel}: no graph output found")
                small += 1
            for f in found:
                text_px = FONT_PX * f["shown"] / f["natural"] if f["natural"] else 0.0
                ok = text_px >= MIN_TEXT_PX
                small += not ok
                print(f"{rel}: {f['mime'] or 'image'} {f['natural']} px drawn at {f['shown']} px:"
                      f" text {text_px:.1f} px {'ok' if ok else 'TOO SMALL'}  ({f['code']!r})")
    finally:
        driver.quit()
        lab.terminate()
        lab.wait(timeout=30)
    print(f"screenshots in {OUT}")
    return 1 if small else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
