"""The deployment files install and run what the README and CI do. Read, not built, here: the image is built
and run for real by deploy/build-local.sh (root, dockerd, debootstrap; minutes), not by the test suite."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _readme_demo_install() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    line = next(ln for ln in readme.splitlines() if "pip install" in ln and "eventbot demo" in ln)
    return re.search(r"pip install [^&]+", line).group(0).strip()


def test_the_image_installs_the_project_as_the_readme_and_ci_do() -> None:
    assert _readme_demo_install() == "pip install -q -e ."
    assert ".venv/bin/pip install -q -e ." in DOCKERFILE
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]'" in ci
    assert "python3 -m venv .venv" in DOCKERFILE


def test_the_image_takes_the_cpu_torch_pyproject_pins() -> None:
    pinned = next(d for d in PYPROJECT["project"]["dependencies"] if d.startswith("torch"))
    line = next(ln for ln in DOCKERFILE.splitlines() if "torch==" in ln)
    assert pinned.split(";")[0].strip() in line.split()
    assert "--index-url https://download.pytorch.org/whl/cpu" in line


def test_the_image_copies_every_package_and_runs_as_a_user() -> None:
    packages = [p.rstrip("*") for p in PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]]
    for package in packages:
        assert f"COPY {package} ./{package}" in DOCKERFILE, package
    assert re.search(r"^USER (?!root)\w+", DOCKERFILE, re.MULTILINE)
    assert "HEALTHCHECK" in DOCKERFILE and '"doctor"' in DOCKERFILE
    assert "EVENTBOT_DATA_DIR=/data" in DOCKERFILE and 'VOLUME ["/data"]' in DOCKERFILE
    assert "DISCORD_TOKEN" not in DOCKERFILE.split("ENV", 1)[1].split("WORKDIR")[0]  # never baked in


def test_compose_and_systemd_run_the_same_command_with_the_token_from_outside() -> None:
    compose = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text(encoding="utf-8"))["services"]["eventbot"]
    assert compose["build"] == ".." and "eventbot-data:/data" in compose["volumes"]
    assert compose["environment"]["DISCORD_TOKEN"].startswith("${DISCORD_TOKEN")
    unit = (ROOT / "deploy" / "eventbot.service").read_text(encoding="utf-8")
    assert "ExecStart=/opt/eventbot/.venv/bin/eventbot run" in unit
    assert "EnvironmentFile=/etc/eventbot.env" in unit and "DISCORD_TOKEN=" not in unit.split("[Unit]")[1]
    assert "KillSignal=SIGTERM" in unit


def test_the_local_build_changes_only_the_base_and_where_torch_comes_from() -> None:
    script = (ROOT / "deploy" / "build-local.sh").read_text(encoding="utf-8")
    replaced = re.search(r'sed "s\|([^|]+)\|', script).group(1)
    assert replaced in next(ln for ln in DOCKERFILE.splitlines() if "torch==" in ln)
    assert "ARG BASE=python:3.11-slim\nFROM ${BASE}" in DOCKERFILE
    assert "--build-arg BASE=" in script


def test_the_user_can_write_its_home_and_the_image_keeps_no_pip_cache() -> None:
    # matplotlib (/timeline pictures) caches in the home folder; /app belongs to root.
    assert re.search(r"useradd .*--create-home --home-dir /home/eventbot eventbot", DOCKERFILE)
    assert "PIP_NO_CACHE_DIR=1" in DOCKERFILE
    unit = (ROOT / "deploy" / "eventbot.service").read_text(encoding="utf-8")
    assert "CacheDirectory=eventbot" in unit and "MPLCONFIGDIR=/var/cache/eventbot/" in unit
