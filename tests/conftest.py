"""Shared fixtures: every test gets its own data folder; fast tests use the hash embedder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.config import Config, EmbeddingConfig
from bot.service import EventService
from index.embedder import HashEmbedder

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the user's config or data folder."""
    monkeypatch.setenv("EVENTBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("EVENTBOT_CONFIG", raising=False)
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    os.environ["HF_HUB_OFFLINE"] = "1"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def service(data_dir: Path) -> EventService:
    svc = EventService(data_dir, Config(embedding=EmbeddingConfig(model="hash")), embedder=HashEmbedder())
    yield svc
    svc.close()


@pytest.fixture(scope="session")
def real_embedder():
    """The packaged all-MiniLM-L6-v2, loaded once per session."""
    from index.embedder import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder()
