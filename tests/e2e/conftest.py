"""The real EventBot, unmodified, against the Discord double over 127.0.0.1.

Each test gets: a Discord double (with a member whose id an article mentions), a local web server
for /add by URL, a config file read the way `eventbot run` reads it (test embedder, the web server
allowlisted, no cooldowns), a data folder holding the demo corpus, and the bot logged in.
"""

from __future__ import annotations

import json
import logging
import random
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web

from bot.chat.client import EventBot
from bot.config import Config, load_config
from bot.corpora import Corpora
from bot.service import EventService
from corpus import demo_corpus
from tests.discord_double import DiscordDouble, InteractionRecord, RecordedRequest, patch_discord_py, running_client

HEARTBEAT_MS = 200  # Discord: about 41 s; short here so heartbeats fall inside a test
PROGRESS_INTERVAL = 0.05  # /reindex edits its message this often (the bot's default: 2 s)
BYSTANDER_ID = 123456789012345678  # a member of the guild, mentioned inside an article (scenario 9)
FILLER_ARTICLES = 1000  # x 5 passages: a rebuild of about a second, in many progress steps


# -- data folders, built once per session and copied into each test -----------------------------


def _config_dict(**extra: Any) -> dict[str, Any]:
    return {"embedding": {"model": "hash"}, **extra}


def _filler_records(n: int) -> list[dict[str, str]]:
    """Articles of made-up words, unlike any in the questions asked: bulk for the rebuild."""
    rng = random.Random(4)
    syllables = ["ka", "lo", "mi", "ren", "tas", "vo", "quil", "bre", "dun", "sha", "pex", "nor", "ith", "zal"]

    def word() -> str:
        return "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))

    return [{"title": f"Bulletin {i} {word()}", "url": f"https://filler.example/{i}", "source": "Filler Wire",
             "published_at": "2026-01-01",
             "body": "\n\n".join(" ".join(word() for _ in range(60)).capitalize() + "." for _ in range(5))}
            for i in range(n)]


def _build(folder: Path, filler: int = 0) -> Path:
    service = EventService.from_config(Config.model_validate(_config_dict(data_dir=str(folder))))
    try:
        for item in demo_corpus.load():
            assert service.add_document(item.content, item.filename, url=item.url).status == "added"
        if filler:
            records = folder.parent / f"{folder.name}-filler.json"
            records.write_text(json.dumps(_filler_records(filler)), encoding="utf-8")
            assert service.import_file(records).added == filler
    finally:
        service.close()
    return folder


@pytest.fixture(scope="session")
def demo_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder holding the demo corpus (14 articles), indexed with the test embedder."""
    return _build(tmp_path_factory.mktemp("e2e") / "demo")


@pytest.fixture(scope="session")
def large_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo corpus plus filler articles: a rebuild that takes a while."""
    return _build(tmp_path_factory.mktemp("e2e") / "large", filler=FILLER_ARTICLES)


# -- a web server for /add by URL -----------------------------------------------------------------


class PageServer:
    """Pages at http://127.0.0.1:PORT/PATH; `hits` lists the paths fetched."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[bytes, str]] = {}
        self.hits: list[str] = []
        self.port = 0
        self._runner: web.AppRunner | None = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path.lstrip('/')}"

    def add(self, path: str, body: bytes, content_type: str = "text/html") -> str:
        self.pages["/" + path.lstrip("/")] = (body, content_type)
        return self.url(path)

    async def _serve(self, request: web.Request) -> web.Response:
        self.hits.append(request.path)
        if request.path not in self.pages:
            raise web.HTTPNotFound()
        body, content_type = self.pages[request.path]
        return web.Response(body=body, content_type=content_type, charset="utf-8")

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/{tail:.*}", self._serve)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


@pytest_asyncio.fixture
async def pages() -> AsyncIterator[PageServer]:
    server = PageServer()
    await server.start()
    yield server
    await server.stop()


# -- config, service, double, bot -------------------------------------------------------------------


def operator_config(folder: Path, double: DiscordDouble, port: int, **extra: Any) -> Config:
    """config.yaml as an operator would write it for this guild (pages from 127.0.0.1:`port` allowed, no
    cooldowns, `extra` sections added), read by load_config."""
    path = folder / "config.yaml"
    raw = _config_dict(
        fetch={"allowed_private_hosts": ["127.0.0.1"], "allowed_ports": [port]},
        discord={"guild_ids": [double.guild_id], "ask_cooldown_seconds": 0, "add_cooldown_seconds": 0,
                 "progress_interval": PROGRESS_INTERVAL},
        **extra,
    )
    path.write_text(json.dumps(raw), encoding="utf-8")  # JSON is YAML
    return load_config(path)  # data_dir: EVENTBOT_DATA_DIR, set per test by tests/conftest.py


@pytest.fixture
def config(tmp_path: Path, pages: PageServer, double: DiscordDouble) -> Config:
    return operator_config(tmp_path, double, pages.port)


@pytest.fixture
def data(config: Config, demo_data: Path) -> Path:
    """The folder the service opens; tests wanting the large corpus override this fixture."""
    shutil.copytree(demo_data, config.data_dir)
    return config.data_dir


@pytest.fixture
def corpora(config: Config, data: Path) -> Iterator[Corpora]:
    """What `eventbot run` builds from the config (one corpus shared by every server, the default)."""
    corpora = Corpora(config.data_dir, config, config.discord.corpora)
    yield corpora
    corpora.close()


@pytest.fixture
def event_service(corpora: Corpora, double: DiscordDouble) -> EventService:
    """The corpus the double's guild sees."""
    return corpora.for_guild(double.guild_id)


@pytest_asyncio.fixture
async def double(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[DiscordDouble]:
    async with DiscordDouble(heartbeat_interval_ms=HEARTBEAT_MS) as d:
        d.world.add_member("bystander", "harbourmaster", user_id=BYSTANDER_ID)
        patch_discord_py(monkeypatch, d)
        yield d
    d.check()


@pytest_asyncio.fixture
async def eventbot(double: DiscordDouble, corpora: Corpora, config: Config,
                   caplog: pytest.LogCaptureFixture) -> AsyncIterator[EventBot]:
    """The bot logged in to the double; at the end, no request the double did not know and no error logged."""
    bot = EventBot(corpora, config.discord, sync_state=config.data_dir / "discord-commands.json",
                   guild_ready_timeout=0.05)
    async with running_client(bot, double):
        yield bot
    assert double.unknown_requests == []
    logged = caplog.get_records("setup") + caplog.get_records("call") + caplog.records
    assert [r.getMessage() for r in logged if r.levelno >= logging.ERROR] == []


# -- helpers ----------------------------------------------------------------------------------------


def message_text(request: RecordedRequest) -> str:
    """Everything a member reads in a message the bot sent: content and embed descriptions."""
    parts = [request.content or ""]
    parts += [e.get("description") or "" for e in request.embeds or []]
    return "\n".join(parts)


async def ask(double: DiscordDouble, question: str, user: str = "member",
              timeout: float = 5.0) -> tuple[InteractionRecord, RecordedRequest]:
    """/ask as `user`; the interaction and the bot's (successful) followup."""
    interaction = await double.send_slash_command("ask", {"question": question}, user=user)
    return interaction, await double.wait_for_interaction_response(interaction, "followup", timeout=timeout)
