"""Per-server corpora: each server's moderators manage their own articles; questions see only theirs."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.chat import render
from bot.chat.client import EventBot
from bot.chat.cogs.articles import Articles
from bot.chat.cogs.ask import Ask
from bot.config import DiscordConfig
from bot.corpora import Corpora
from bot.errors import NoServer
from bot.config import Config, EmbeddingConfig
from bot.service import EventService, make_embedder
from tests.articles import DAM, write_json
from tests.bot.chat.conftest import MODERATOR, invoke, make_interaction, only_message

QUESTION = "how many residents were evacuated from the riverside quarter?"


@pytest.fixture
def corpora(tmp_path: Path) -> Corpora:
    pool = Corpora(tmp_path / "data", Config(embedding=EmbeddingConfig(model="hash")), "per_guild")
    yield pool
    pool.close()


def test_each_server_has_its_own_folder_and_one_shared_model(corpora: Corpora, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    loads = []
    monkeypatch.setattr("bot.corpora.make_embedder", lambda s: loads.append(s) or make_embedder(s))
    first, second = corpora.for_guild(111), corpora.for_guild(222)
    assert corpora.for_guild(111) is first and first is not second
    assert first.data_dir == tmp_path / "data" / "guilds" / "111"
    first.import_file(write_json(tmp_path / "a.json", [DAM]))
    assert first.ask(QUESTION).answered
    answer = second.ask(QUESTION)
    assert not answer.answered and answer.articles_held == 0
    second.import_file(write_json(tmp_path / "b.json", [DAM]))
    assert second.ask(QUESTION).answered
    assert len(loads) == 1  # the model is loaded once for every server


def test_direct_messages_are_turned_away_with_per_server_corpora(corpora: Corpora) -> None:
    with pytest.raises(NoServer, match="ask me in a server"):
        corpora.for_guild(None)


def test_shared_corpus_is_the_same_for_every_server_and_direct_messages(service: EventService) -> None:
    pool = Corpora.single(service)
    assert pool.for_guild(111) is service and pool.for_guild(222) is service and pool.for_guild(None) is service


@pytest.mark.asyncio
async def test_an_article_added_in_one_server_is_not_shown_in_another(corpora: Corpora) -> None:
    bot = EventBot(corpora, DiscordConfig(ask_cooldown_seconds=0, add_cooldown_seconds=0))
    articles, ask = Articles(bot), Ask(bot)
    add = make_interaction(bot, roles=MODERATOR, command="add")
    add.guild_id = 111
    html = (f"<html><head><title>{DAM['title']}</title></head><body><article>"
            + "".join(f"<p>{p}</p>" for p in DAM["body"].split("\n\n")) + "</article></body></html>")
    file = make_attachment(html.encode(), "dam.html")
    await invoke(articles.add, articles, add, file=file)
    assert only_message(add)["content"].startswith("Added:")

    here, elsewhere = make_interaction(bot), make_interaction(bot)
    here.guild_id, elsewhere.guild_id = 111, 222
    await invoke(ask.ask, ask, here, question=QUESTION)
    await invoke(ask.ask, ask, elsewhere, question=QUESTION)
    assert only_message(here)["embeds"]
    other = only_message(elsewhere)
    assert "embeds" not in other and other["content"].startswith("I hold no articles yet")


@pytest.mark.asyncio
async def test_a_question_in_a_direct_message_gets_a_clear_refusal(corpora: Corpora) -> None:
    bot = EventBot(corpora, DiscordConfig(ask_cooldown_seconds=0))
    ask = Ask(bot)
    dm = make_interaction(bot, in_guild=False)
    dm.guild_id = None
    await invoke(ask.ask, ask, dm, question=QUESTION)
    message = only_message(dm)
    assert message["ephemeral"] is True and "ask me in a server" in message["content"].lower()
    assert render.SOMETHING_WRONG not in message["content"]


def make_attachment(content: bytes, filename: str):  # noqa: ANN201
    from unittest.mock import AsyncMock, MagicMock

    import discord

    file = MagicMock(spec=discord.Attachment)
    file.filename, file.size = filename, len(content)
    file.read = AsyncMock(return_value=content)
    return file
