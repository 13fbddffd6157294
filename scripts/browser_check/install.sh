#!/bin/sh
# Install what scripts/browser_check/check.py needs: Debian's headless Chromium and its
# WebDriver (no browser download from elsewhere), and selenium into the course's .venv.
# Run as root (or with sudo) on Debian or Ubuntu, from the repository root.
set -eu
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium chromium-driver
"${VENV_PYTHON:-.venv/bin/python}" -m pip install "selenium>=4.10"
