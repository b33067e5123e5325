"""Which corpus a Discord server sees: one shared by every server, or one per server.

`shared`: every server asks and adds to the one corpus in the data folder. `per_guild`: each server has
its own under `DATA_DIR/guilds/<server id>/`, managed by its own moderators; questions see only that
server's articles. The servers' services share one embedding model, loaded once.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Literal

from bot.config import Config
from bot.errors import NoServer
from bot.service import EventService, make_embedder
from index.embedder import Embedder

Mode = Literal["shared", "per_guild"]


class Corpora:
    def __init__(self, data_dir: Path, config: Config, mode: Mode = "shared",
                 shared: EventService | None = None, watch: float | None = None) -> None:
        """`watch`: every this many seconds, each corpus takes in what other processes sharing its folder
        did (`eventbot import` while the bot runs); None: it does not (a test's one process)."""
        if mode not in ("shared", "per_guild"):
            raise ValueError(f"corpora must be 'shared' or 'per_guild', not {mode!r}")
        self.data_dir, self.config, self.mode = Path(data_dir), config, mode
        self._watch = watch
        self._shared = shared if shared is not None else EventService(self.data_dir, config) if mode == "shared" else None
        if self._shared is not None and watch:
            self._shared.watch(watch)
        self._services: dict[int, EventService] = {}
        self._embedder = _SharedEmbedder(config)
        self._lock = threading.Lock()

    @classmethod
    def single(cls, service: EventService) -> Corpora:
        """One corpus for every server: `service`."""
        return cls(service.data_dir, service.config, "shared", shared=service)

    def folder(self, guild_id: int) -> Path:
        return self.data_dir / "guilds" / str(int(guild_id))

    def for_guild(self, guild_id: int | None) -> EventService:
        """The service of the corpus `guild_id` sees (None: a direct message).

        Raises:
            NoServer: per-server corpora, and no server.
        """
        if self._shared is not None:
            return self._shared
        if guild_id is None:
            raise NoServer("each server has its own articles here: ask me in a server")
        with self._lock:
            service = self._services.get(guild_id)
            if service is None:
                service = EventService(self.folder(guild_id), self.config, embedder=self._embedder)  # type: ignore[arg-type]
                if self._watch:
                    service.watch(self._watch)
                self._services[guild_id] = service
            return service

    def stored_guilds(self) -> list[int]:
        """With per-server corpora, the servers whose corpus is on disk (opened or not); else none."""
        if self._shared is not None:
            return []
        folder = self.data_dir / "guilds"
        return sorted(int(p.name) for p in folder.iterdir() if p.name.isdigit()) if folder.is_dir() else []

    def services(self) -> list[EventService]:
        with self._lock:
            return [self._shared] if self._shared is not None else list(self._services.values())

    def close(self) -> None:
        for service in self.services():
            service.close()


class _SharedEmbedder:
    """One embedder for every server's service, loaded on first use (in the worker thread that needs it)."""

    def __init__(self, config: Config) -> None:
        self._config = config
        self._model: Embedder | None = None
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> object:
        if name.startswith("_"):
            raise AttributeError(name)
        with self._lock:
            if self._model is None:
                self._model = make_embedder(self._config)
        return getattr(self._model, name)
