#!/usr/bin/env bash
# Puts the four official Fashion-MNIST files (gzip IDX, 30 MB, MIT licence) in data/, which the
# app serves next to the page. From Debian's dataset-fashion-mnist package when it is (or can be)
# installed, else from the official download. Never committed (data/ is git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

FILES=(train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz)
DEBIAN_DIR=/usr/share/datasets/fashion-mnist
OFFICIAL_URL=http://fashion-mnist.s3-website.eu-central-1.amazonaws.com

complete() {
  for f in "${FILES[@]}"; do gzip -t "$1/$f" 2>/dev/null || return 1; done
}

mkdir -p data
if complete data; then
  echo "==> data/ already holds the four Fashion-MNIST files"
  exit 0
fi
if ! complete "$DEBIAN_DIR" && command -v apt-get >/dev/null && apt-cache show dataset-fashion-mnist >/dev/null 2>&1; then
  apt_install dataset-fashion-mnist || true
fi
if complete "$DEBIAN_DIR"; then
  echo "==> copying Fashion-MNIST from $DEBIAN_DIR"
  for f in "${FILES[@]}"; do cp "$DEBIAN_DIR/$f" data/; done
else
  echo "==> downloading Fashion-MNIST from $OFFICIAL_URL"
  for f in "${FILES[@]}"; do
    curl -fL --retry 3 -o "data/$f.part" "$OFFICIAL_URL/$f" && mv "data/$f.part" "data/$f"
  done
fi
complete data || { echo "error: data/ does not hold four valid gzip files" >&2; exit 1; }
echo "==> data/ ready: $(du -sh data | cut -f1)"
