"""/add, /remove and /sources: moderators only, through the real service."""

from __future__ import annotations

import logging
from pathlib import Path
from unittest.mock import AsyncMock, MagicMock

import discord
import pytest
from pytest_httpserver import HTTPServer

from bot.chat.client import EventBot
from bot.chat.cogs.articles import Articles, SourcesView
from bot.chat.cogs.ask import Ask
from bot.config import Config, DiscordConfig, EmbeddingConfig, FetchConfig
from bot.service import EventService
from corpus.models import AddedBy
from index.embedder import HashEmbedder
from tests.articles import DAM, write_json
from tests.bot.chat.conftest import ADMIN, MODERATOR, invoke, make_interaction, only_message

pytestmark = pytest.mark.asyncio

PAGES = Path(__file__).resolve().parents[2] / "fixtures" / "pages"
FERRY = (PAGES / "wp_ferry_strike.html").read_bytes()


@pytest.fixture
def ferry_url(httpserver_ipv4: HTTPServer) -> str:
    httpserver_ipv4.expect_request("/ferry").respond_with_data(FERRY, content_type="text/html; charset=utf-8")
    return httpserver_ipv4.url_for("/ferry")


@pytest.fixture
def service(data_dir: Path, httpserver_ipv4: HTTPServer) -> EventService:
    """The service, allowed to fetch from the test server on 127.0.0.1 (loopback is refused by default)."""
    config = Config(embedding=EmbeddingConfig(model="hash"),
                    fetch=FetchConfig(allowed_private_hosts=["127.0.0.1"], allowed_ports=[80, 443, httpserver_ipv4.port]))
    svc = EventService(data_dir, config, embedder=HashEmbedder())
    yield svc
    svc.close()


def attachment(name: str, content: bytes) -> MagicMock:
    file = MagicMock(spec=discord.Attachment)
    file.filename = name
    file.size = len(content)
    file.read = AsyncMock(return_value=content)
    return file


async def test_member_without_a_role_is_refused_and_nothing_is_added(
        bot: EventBot, service: EventService, ferry_url: str, caplog: pytest.LogCaptureFixture) -> None:
    cog = Articles(bot)
    interaction = make_interaction(bot, user_id=77, command="add")
    with caplog.at_level(logging.INFO):
        await invoke(cog.add, cog, interaction, url=ferry_url)
    message = only_message(interaction)
    assert message == {"content": "Only moderators can use that command.", "ephemeral": True,
                       "allowed_mentions": message["allowed_mentions"]}
    interaction.response.defer.assert_not_awaited()
    assert service.stats().articles == 0
    assert "refused /add for member77 (77)" in caplog.text


@pytest.mark.parametrize(("roles", "permissions"), [(MODERATOR, None), (ADMIN, None), (("moderator",), None),
                                                     ((), discord.Permissions(manage_messages=True)),
                                                     ((), discord.Permissions(administrator=True))])
async def test_moderators_may_add(bot: EventBot, service: EventService, ferry_url: str, roles: tuple[str, ...],
                                  permissions: discord.Permissions | None) -> None:
    cog = Articles(bot)
    interaction = make_interaction(bot, roles=roles, permissions=permissions, command="add")
    await invoke(cog.add, cog, interaction, url=ferry_url)
    assert only_message(interaction)["content"].startswith("Added: [Castelmar ferry crews end strike after pay deal]")
    assert service.stats().articles == 1


async def test_added_page_is_answerable_and_a_second_add_says_already_held(
        bot: EventBot, service: EventService, ferry_url: str) -> None:
    cog = Articles(bot)
    first = make_interaction(bot, roles=MODERATOR, command="add")
    await invoke(cog.add, cog, first, url=ferry_url)
    first.response.defer.assert_awaited_once_with(thinking=True)
    assert "(6 passages, article 1)" in only_message(first)["content"]

    again = make_interaction(bot, roles=MODERATOR, command="add")
    await invoke(cog.add, cog, again, url=ferry_url)
    assert only_message(again)["content"].startswith("Already held as article 1: Castelmar ferry crews")

    ask = Ask(bot)
    question = make_interaction(bot)
    await ask.ask.callback(ask, question, question="what pay deal ended the ferry strike in Castelmar?")
    assert "Castelmar ferry crews end strike" in only_message(question)["embeds"][0].description


async def test_loopback_links_are_refused_by_default(data_dir: Path, ferry_url: str) -> None:
    strict = EventService(data_dir, Config(embedding=EmbeddingConfig(model="hash")), embedder=HashEmbedder())
    try:
        bot = EventBot(strict)
        cog = Articles(bot)
        interaction = make_interaction(bot, roles=MODERATOR, command="add")
        await invoke(cog.add, cog, interaction, url=ferry_url)
        assert only_message(interaction)["content"].startswith("Could not add that: refused")
        assert strict.stats().articles == 0
    finally:
        strict.close()


async def test_attached_file_is_added_from_its_bytes(bot: EventBot, service: EventService) -> None:
    cog = Articles(bot)
    interaction = make_interaction(bot, roles=MODERATOR, command="add")
    file = attachment("harbour_wall.txt", (PAGES / "harbour_wall.txt").read_bytes())
    await invoke(cog.add, cog, interaction, file=file)
    assert only_message(interaction)["content"].startswith("Added: [Harbour wall repairs to start in spring]")
    file.read.assert_awaited_once()


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("report.pdf", b"%PDF-1.7", "Could not add that: report.pdf: .pdf not supported"),
    ("login.html", (PAGES / "login_wall.html").read_bytes(), "Could not add that:"),
])
async def test_unusable_files_say_why(bot: EventBot, service: EventService, name: str, content: bytes,
                                      expected: str) -> None:
    cog = Articles(bot)
    interaction = make_interaction(bot, roles=MODERATOR, command="add")
    await invoke(cog.add, cog, interaction, file=attachment(name, content))
    assert only_message(interaction)["content"].startswith(expected)
    assert service.stats().articles == 0


@pytest.mark.parametrize("target", ["/etc/passwd", "file:///etc/passwd", "../config.yaml",
                                    str(PAGES / "harbour_wall.txt")])
async def test_nothing_typed_in_discord_reads_the_hosts_disk(bot: EventBot, service: EventService, target: str) -> None:
    cog = Articles(bot)
    interaction = make_interaction(bot, roles=MODERATOR, command="add")
    await invoke(cog.add, cog, interaction, url=target)
    assert only_message(interaction)["content"].startswith("Could not add that: refused")
    assert service.stats().articles == 0


async def test_add_needs_exactly_one_of_link_and_file(bot: EventBot) -> None:
    cog = Articles(bot)
    interaction = make_interaction(bot, roles=MODERATOR, command="add")
    await invoke(cog.add, cog, interaction)
    assert only_message(interaction)["ephemeral"] is True


async def test_oversized_attachment_is_refused_before_download(bot: EventBot, service: EventService) -> None:
    cog = Articles(bot)
    interaction = make_interaction(bot, roles=MODERATOR, command="add")
    file = attachment("big.html", b"x")
    file.size = service.config.fetch.max_bytes + 1
    await invoke(cog.add, cog, interaction, file=file)
    assert "larger than" in only_message(interaction)["content"]
    file.read.assert_not_awaited()


async def test_remove_by_url_then_unknown_id_is_a_short_message(bot: EventBot, loaded: EventService) -> None:
    cog = Articles(bot)
    interaction = make_interaction(bot, roles=MODERATOR, command="remove")
    await invoke(cog.remove, cog, interaction, url_or_id=DAM["url"])
    assert only_message(interaction)["content"].startswith("Removed article 1: [Dam breach floods lower Velmora]")
    assert loaded.stats().articles == 2

    missing = make_interaction(bot, roles=MODERATOR, command="remove")
    await invoke(cog.remove, cog, missing, url_or_id="1")
    message = only_message(missing)
    assert (message["content"], message["ephemeral"]) == ("No held article matches '1'", True)


async def test_remove_refused_in_direct_messages(bot: EventBot, loaded: EventService) -> None:
    cog = Articles(bot)
    interaction = make_interaction(bot, roles=MODERATOR, in_guild=False, command="remove")
    await invoke(cog.remove, cog, interaction, url_or_id="1")
    assert only_message(interaction)["content"] == "That command works only in a server."
    assert loaded.stats().articles == 3


async def test_sources_pages_through_the_articles(bot: EventBot, loaded: EventService) -> None:
    cog = Articles(bot)
    view = SourcesView(loaded, page_size=2)
    first = await view.show(0)
    assert first.startswith("**3 articles held** (page 1 of 2") and first.count("\n") == 2
    assert (view.previous.disabled, view.next.disabled) == (True, False)
    click = make_interaction(bot)
    await view.next.callback(click)
    content = click.response.edit_message.await_args.kwargs["content"]
    assert "(page 2 of 2" in content and "Dam breach floods lower Velmora" in content
    assert (view.previous.disabled, view.next.disabled) == (False, True)

    interaction = make_interaction(bot, roles=MODERATOR, command="sources")
    await invoke(cog.sources, cog, interaction, page=1)
    message = only_message(interaction)
    assert message["ephemeral"] is True and "view" not in message  # one page of ten: no buttons


# -- one corpus shared by several servers (issue 15) ---------------------------------------------------


async def test_in_a_shared_corpus_only_the_adding_server_removes_an_article(
        service: EventService, ferry_url: str) -> None:
    """Before: a moderator of any server could remove (and a role named "Moderator" made one)."""
    bot = EventBot(service, DiscordConfig(ask_cooldown_seconds=0, add_cooldown_seconds=0))
    cog = Articles(bot)
    await invoke(cog.add, cog, make_interaction(bot, user_id=11, roles=MODERATOR, command="add", guild_id=1),
                 url=ferry_url)
    article = service.articles()[0]
    assert service.added_by(article.id) == AddedBy(11, 1)

    elsewhere = make_interaction(bot, roles=MODERATOR, command="remove", guild_id=2)
    await invoke(cog.remove, cog, elsewhere, url_or_id=str(article.id))
    assert "added from another server" in only_message(elsewhere)["content"]
    assert service.stats().articles == 1

    home = make_interaction(bot, roles=MODERATOR, command="remove", guild_id=1)
    await invoke(cog.remove, cog, home, url_or_id=article.url)
    assert only_message(home)["content"].startswith(f"Removed article {article.id}")
    assert service.stats().articles == 0


async def test_owner_servers_remove_any_article_and_alone_those_of_the_command_line(loaded: EventService) -> None:
    bot = EventBot(loaded, DiscordConfig(owner_guild_ids=[9]))
    cog = Articles(bot)
    imported = str(loaded.articles()[0].id)  # from a file: no server recorded
    other = make_interaction(bot, roles=MODERATOR, command="remove", guild_id=1)
    await invoke(cog.remove, cog, other, url_or_id=imported)
    assert "added from the command line" in only_message(other)["content"]
    owner = make_interaction(bot, roles=MODERATOR, command="remove", guild_id=9)
    await invoke(cog.remove, cog, owner, url_or_id=imported)
    assert only_message(owner)["content"].startswith("Removed article")


async def test_per_server_corpora_are_their_servers_own(tmp_path: Path) -> None:
    from bot.corpora import Corpora

    config = Config(embedding=EmbeddingConfig(model="hash"))
    corpora = Corpora(tmp_path / "data", config, "per_guild")
    try:
        bot = EventBot(corpora, DiscordConfig(owner_guild_ids=[9]))
        service = corpora.for_guild(1)
        service.import_file(write_json(tmp_path / "a.json", [DAM]))
        cog = Articles(bot)
        interaction = make_interaction(bot, roles=MODERATOR, command="remove", guild_id=1)
        await invoke(cog.remove, cog, interaction, url_or_id="1")
        assert only_message(interaction)["content"].startswith("Removed article 1")
    finally:
        corpora.close()


@pytest.mark.parametrize(("roles", "allowed"), [(((555, "Helpers"),), True), (((556, "Moderator"),), False),
                                                (((557, "helpers"),), True), (((558, "555"),), False)])
async def test_roles_are_matched_by_id_or_by_name(service: EventService, ferry_url: str,
                                                  roles: tuple[tuple[int, str], ...], allowed: bool) -> None:
    bot = EventBot(service, DiscordConfig(moderator_roles=[555, "Helpers"], add_cooldown_seconds=0))
    cog = Articles(bot)
    interaction = make_interaction(bot, roles=roles, command="add")
    await invoke(cog.add, cog, interaction, url=ferry_url)
    assert (service.stats().articles == 1) is allowed

