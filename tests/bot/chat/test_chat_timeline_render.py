"""Timeline pages: whole developments per page, within Discord's limits, nothing able to ping."""

from __future__ import annotations

from bot.chat.timeline_render import PAGE_CHARS, events_embed, pages
from retrieval.answer import Answer
from retrieval.timeline import EventSummary, Timeline, TimelineEntry


def entry(n: int, text: str) -> TimelineEntry:
    return TimelineEntry(f"2026-03-{n:02d}", text, f"Report {n}", f"https://news.example/{n}", "Harbour Watch", None,
                         None, n, n * 10, first_report=n == 1)


def timeline(entries: list[TimelineEntry]) -> Timeline:
    event = EventSummary(1, "Dam breach @everyone", "2026-03-01", "2026-03-28", len(entries), ["Harbour Watch"])
    return Timeline("dam", event, entries, Answer("dam", True, []))


def test_pages_hold_whole_developments_in_order_within_the_limit() -> None:
    sentence = "The water rose again in the lower town and crews worked through the night. "
    shown = pages(timeline([entry(n, sentence * (3 + n % 5)) for n in range(1, 28)]))
    assert len(shown) > 1
    seen = []
    for page in shown:
        assert len(page.description) <= PAGE_CHARS and len(page.title) <= 256
        for block in page.description.split("\n\n"):
            head, *_, last = block.splitlines()
            assert head.startswith("**") and last.startswith("\u2014 ") and "](<https://news.example/" in last
            seen.append(int(last.rsplit("/", 1)[1].rstrip(">)")))
    assert seen == list(range(1, 28))
    assert shown[0].footer.text.startswith(f"page 1 of {len(shown)}")
    assert "*first report*" in shown[0].description.split("\n\n")[0]


def test_a_development_longer_than_a_page_is_shortened_at_a_sentence_not_split() -> None:
    (page,) = pages(timeline([entry(1, "A sentence about the dam that goes on. " * 400)]))
    assert len(page.description) <= PAGE_CHARS and page.description.splitlines()[-1].startswith("\u2014 ")


def test_mentions_cannot_ping_from_an_article() -> None:
    (page,) = pages(timeline([entry(1, "Ping @everyone and <@123> now.")]))
    assert "@everyone" not in page.description and "<@123>" not in page.description
    assert "@everyone" not in page.title


def test_events_embed_lists_what_fits_and_says_how_many_more() -> None:
    many = [EventSummary(i, f"Story {i} " + "x" * 250, "2026-03-01", "2026-03-02", 2, ["A", "B"]) for i in range(60)]
    embed = events_embed(many)
    assert embed is not None and len(embed.description) <= 4096 and "more" in embed.description.splitlines()[-1]
    assert events_embed([]) is None
