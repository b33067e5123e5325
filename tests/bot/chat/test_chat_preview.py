"""`/add preview`'s message: within Discord's limits whatever the article, nothing in it able to ping or link."""

from __future__ import annotations

from bot.chat.render import CONTENT_LIMIT, EMBED_DESCRIPTION_LIMIT, EMBED_TOTAL_LIMIT, dlen
from bot.chat.render_preview import preview_reply
from bot.preview import Preview, PreviewPassage


def test_a_long_article_is_shown_within_the_limits_its_first_ten_passages_said_so() -> None:
    passages = tuple(PreviewPassage("The crews voted again. " * 200, speaker="Marta Quill", heading=f"Part {i // 3}")
                     for i in range(14))
    reply = preview_reply(Preview("https://harborledger.example/a", title="Ferry " * 80, outlet="Harbor Ledger",
                                  url="https://harborledger.example/a", passages=passages))
    assert dlen(reply.content) <= CONTENT_LIMIT and "14 passages; the first 10 shown." in reply.content
    assert len(reply.embeds) == 10
    descriptions = [e.description for e in reply.embeds]
    assert all(dlen(d) <= EMBED_DESCRIPTION_LIMIT for d in descriptions)
    assert sum(dlen(d) for d in descriptions) <= EMBED_TOTAL_LIMIT
    assert [d.startswith("*§ Part") for d in descriptions] == [True, False, False] * 3 + [True]  # once per section
    assert all(d.endswith("— speaker: Marta Quill") for d in descriptions)


def test_text_from_the_page_cannot_ping_or_make_links() -> None:
    reply = preview_reply(Preview("x.html", title="@everyone [click](https://evil.example)", outlet="<@123>",
                                  passages=(PreviewPassage("Hello @here, see [this](https://evil.example)."),)))
    text = reply.content + reply.embeds[0].description
    assert "@everyone" not in text and "@here" not in text and "<@123>" not in text
    assert "](https://evil.example)" not in text


def test_an_error_says_nothing_was_stored() -> None:
    reply = preview_reply(Preview("https://a.example/", error="refused: port 6379 is not allowed"))
    assert reply.content == "Could not add that: refused: port 6379 is not allowed (nothing stored)." and not reply.embeds
