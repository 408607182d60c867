#!/usr/bin/env bash
# `npm run bench:setup`: the PyTorch baseline `npm run bench` compares against, with an optimized BLAS.
# Debian's python3-torch links the system libblas.so.3; without libopenblas0-pthread that is the reference BLAS,
# ~20x slower on matrix products, which would make every tfjs/PyTorch ratio look far better than it is.
set -euo pipefail

if ! command -v dpkg-query >/dev/null || ! command -v apt-get >/dev/null; then
  echo "bench:setup: not a Debian/Ubuntu system; install PyTorch yourself (pip install torch: its wheels bundle MKL or OpenBLAS)."
  exit 0
fi

installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]; }
missing=()
for pkg in python3-torch libopenblas0-pthread; do installed "$pkg" || missing+=("$pkg"); done

if [ ${#missing[@]} -eq 0 ]; then
  echo "bench:setup: python3-torch and libopenblas0-pthread are installed."
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "bench:setup: missing ${missing[*]}. Install with:"
  echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}"
  exit 1
fi
echo "bench:setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
