# eventbot on CPU: the packaged embedding model is inside the image (nothing is downloaded at run time).
#   docker build -t eventbot .
#   docker run -d --name eventbot --stop-timeout 30 -e DISCORD_TOKEN=... -v eventbot-data:/data eventbot
# BASE: any Debian-like image with python3.11 and its venv module (deploy/build-local.sh builds one
# from the Debian mirror where Docker Hub cannot be reached).
ARG BASE=python:3.11-slim
FROM ${BASE}

# PIP_NO_CACHE_DIR: pip's download cache (the torch wheel alone is ~190 MB) would stay in the image layer.
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 \
    EVENTBOT_DATA_DIR=/data

WORKDIR /app
COPY pyproject.toml README.md config.yaml ./
COPY bot ./bot
COPY corpus ./corpus
COPY index ./index
COPY retrieval ./retrieval

# The CPU build of torch first (PyPI's Linux wheel is the multi-GB CUDA one), at the version pyproject.toml
# pins, then the project exactly as the README installs it (tests/test_deploy.py checks both lines).
RUN python3 -m venv .venv \
 && .venv/bin/pip install -q torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu \
 && .venv/bin/pip install -q -e . \
 && useradd --system --uid 10001 --create-home --home-dir /home/eventbot eventbot \
 && mkdir -p /data && chown eventbot /data

USER eventbot
VOLUME ["/data"]
# Healthy while the config, model, data folder, store and index check out (`eventbot doctor`; --offline:
# without asking Discord every minute).
HEALTHCHECK --interval=60s --timeout=20s --start-period=60s CMD [".venv/bin/eventbot", "doctor", "--offline"]
# SIGTERM (docker stop) shuts the bot down gracefully: the index is saved and the store closed.
STOPSIGNAL SIGTERM
CMD [".venv/bin/eventbot", "run"]
