#!/bin/sh
# Builds the image on a machine that reaches only the Debian mirror and PyPI (no Docker Hub, no
# download.pytorch.org), to check the Dockerfile for real. It substitutes two things, and only here:
#   - the base: a Debian bookworm minbase with python3.11 + venv (debootstrap), not python:3.11-slim;
#   - this machine's extra CAs (/usr/local/share/ca-certificates: its registry traffic passes a TLS
#     proxy) are trusted in that base, and pip told to use the system bundle (PIP_CERT);
#   - the CPU torch wheel: taken from a local folder (TORCH_WHEELS, default /opt/wheels) served on
#     127.0.0.1, instead of --index-url https://download.pytorch.org/whl/cpu.
# Everything else is the committed Dockerfile. Needs root, debootstrap and a running dockerd.
#   sh deploy/build-local.sh [tag]        (default tag: eventbot:local)
set -eu
TAG=${1:-eventbot:local}
BASE=local/bookworm-python3:3.11
MIRROR=${MIRROR:-http://deb.debian.org/debian}
TORCH_WHEELS=${TORCH_WHEELS:-/opt/wheels}
PORT=${PORT:-8765}
cd "$(dirname "$0")/.."
TMP=$(mktemp -d)
SERVER=
cleanup() { if [ -n "$SERVER" ]; then kill "$SERVER"; fi; rm -rf "$TMP"; }
trap cleanup EXIT

if ! docker image inspect "$BASE" >/dev/null 2>&1; then
  debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates bookworm "$TMP/rootfs" "$MIRROR"
  cp /usr/local/share/ca-certificates/*.crt "$TMP/rootfs/usr/local/share/ca-certificates/" 2>/dev/null || true
  chroot "$TMP/rootfs" update-ca-certificates
  rm -rf "$TMP"/rootfs/var/cache/apt/archives/*.deb "$TMP"/rootfs/var/lib/apt/lists/*
  tar -C "$TMP/rootfs" -c . | docker import -c 'ENV LANG=C.UTF-8' \
    -c 'ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt' - "$BASE"
  rm -rf "$TMP/rootfs"
fi

python3 -m http.server "$PORT" --bind 127.0.0.1 --directory "$TORCH_WHEELS" >/dev/null 2>&1 &
SERVER=$!
sed "s|--index-url https://download.pytorch.org/whl/cpu|--find-links http://127.0.0.1:$PORT/|" Dockerfile >"$TMP/Dockerfile"
grep -q "find-links http://127.0.0.1:$PORT/" "$TMP/Dockerfile"  # the torch line was substituted
DOCKER_BUILDKIT=0 docker build --network=host --build-arg BASE="$BASE" -f "$TMP/Dockerfile" -t "$TAG" .
docker run --rm --entrypoint .venv/bin/python "$TAG" -c 'import torch; print("torch", torch.__version__)'
