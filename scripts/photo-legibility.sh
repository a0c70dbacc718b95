#!/usr/bin/env bash
# Measures how far a document photo can shrink and stay legible (the numbers behind
# core/src/domain/photo.rs): synthetic camera photos of a KTP and of a contract page,
# shrunk by each candidate plan, read by Tesseract. A measurement, not a gate step:
# about 2 minutes per 4 photos of each document on a quiet machine.
#   bash scripts/photo-legibility.sh [--cards N] [--seed S] [--out DIR]
# Installs Tesseract (apt) and a venv with Pillow and NumPy (~/.cache) when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${XDG_CACHE_HOME:-$HOME/.cache}/rantau-photo-venv"
if ! command -v tesseract >/dev/null 2>&1; then
  [ "$(id -u)" -eq 0 ] || { echo "install tesseract-ocr first" >&2; exit 1; }
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tesseract-ocr >/dev/null
fi
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check pillow==12.0.0 numpy==2.3.5
fi
exec "$VENV/bin/python" scripts/photo_legibility.py "$@"
