"""Answer buttons, "More from this article", autocomplete choices and permission messages: within Discord's limits."""

from __future__ import annotations

import discord
import pytest

from bot.chat import complete, permissions, render, views
from bot.chat.render import EMBED_DESCRIPTION_LIMIT, dlen
from bot.results import Answer, AnswerPassage
from corpus.models import Article, Passage


def passage(n: int, source: str | None = "Harbour Watch") -> AnswerPassage:
    return AnswerPassage(f"The dam broke, paragraph {n}.", "Dam breach", f"https://hw.example/{n}", source, None,
                         "2026-03-04", 1.0, 0.5, n, 100 + n)


def test_every_shown_passage_gets_its_more_button_and_other_factories_join() -> None:
    reply = render.answer_reply(Answer("dam", True, [passage(n) for n in range(10)], 10))
    view = views.answer_view(reply)
    assert view is not None and [c.custom_id for c in view.children] == [f"eventbot:more:{100 + n}" for n in range(10)]
    labels = [c.item.label for c in view.children]
    assert all(len(x) <= 80 for x in labels) and labels[0] == "1. More from Harbour Watch"
    feedback = discord.ui.Button(label="Helpful", custom_id="eventbot:helpful")
    both = views.answer_view(reply, [views.more_buttons, lambda r: [feedback]])
    assert both is not None and both.children[-1] is feedback and len(both.children) == 11
    single = views.answer_view(render.answer_reply(Answer("dam", True, [passage(1)], 1)))
    assert single is not None and single.children[0].item.label == "More from this article"
    assert views.answer_view(render.Reply(content="nothing found")) is None


def test_article_context_bolds_the_passage_and_fits() -> None:
    article = Article(7, "Dam breach floods Velmora", "https://hw.example/dam", "Harbour Watch", None, "2026-03-04",
                      None, None, "h", "x", 3)
    around = [Passage(1, 7, 0, "Before. " * 300), Passage(2, 7, 1, "The dam broke."), Passage(3, 7, 2, "After " * 900)]
    reply = render.article_context(article, around, focus=2)
    [embed] = reply.embeds
    assert dlen(embed.description) <= EMBED_DESCRIPTION_LIMIT and "**The dam broke.**" in embed.description
    assert "(<https://hw.example/dam#:~:text=Before.%20Before." in embed.description
    assert reply.content == "Paragraphs 1-3 of the article:"


def test_choices_fit_discord_s_limits() -> None:
    rows = [("x" * 150, " (3 articles)", f"value {n}") for n in range(40)] + [("long", "", "v" * 101)]
    made = complete.choices(rows)
    assert len(made) == 25 and all(len(c.name) <= 100 and c.name.endswith(" (3 articles)") for c in made)
    assert all(c.value != "v" * 101 for c in made)


@pytest.mark.parametrize(("granted", "missing"), [
    (discord.Permissions(send_messages=True, view_channel=True), ["Embed Links"]),
    (discord.Permissions(administrator=True), []),
    (discord.Permissions(embed_links=True), []),
])
def test_missing_permissions_are_named(granted: discord.Permissions, missing: list[str]) -> None:
    assert permissions.missing(granted, permissions.TO_ANSWER) == missing


def test_missing_permissions_message() -> None:
    text = render.missing_permissions(["Create Public Threads", "Send Messages in Threads"], "answer in a thread")
    assert text.startswith("I cannot answer in a thread: I lack the Create Public Threads and Send Messages in "
                           "Threads permissions in this channel.")
