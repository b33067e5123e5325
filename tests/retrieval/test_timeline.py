"""Timelines: one entry per development, in publication order, copies once, differing figures side by side."""

from __future__ import annotations

import numpy as np

from corpus.models import Article, Passage
from retrieval.answer import Answer, AnswerPassage, Reason
from retrieval.question import article_filter
from retrieval.timeline import EventSummary, Member, Timeline, build, choose_event

BREACH = ("VELMORA - An earthen dam on the upper Orvine river gave way before dawn on Wednesday, sending a wall of "
          "water into the river town and forcing the evacuation of 1,200 residents from the lower districts.")
BREACH_OTHER_FIGURE = BREACH.replace("1,200", "1,500")
RESCUE = "Volunteer boat crews rescued 86 people from rooftops in Velmora on Thursday as the water lingered."
INQUIRY = "The province ordered an independent inquiry into the collapse of the Tessel dam on Monday."
HEADING = "Read more"
_ids = iter(range(1, 10_000))


def member(article_id: int, source: str, when: str | None, *paragraphs: str, carriers=(),
           copy_of: tuple[int, ...] = ()) -> Member:
    article = Article(article_id, f"{source} story {article_id}", f"https://{source.lower().replace(' ', '')}.example/{article_id}",
                      source, None, when, "en", None, f"hash{article_id}", "2026-04-01")
    passages = [Passage(next(_ids), article_id, i, text) for i, text in enumerate(paragraphs)]
    return Member(article, passages, np.zeros((0, 4), dtype=np.float32), carriers, frozenset(copy_of))


def test_entries_come_in_publication_order_with_the_first_report_marked() -> None:
    entries = build([member(3, "Kestrel Ledger", "2026-03-09", INQUIRY),
                     member(1, "Harbour Watch", "2026-03-04T06:00:00", BREACH),
                     member(2, "Valley Courier", "2026-03-05", RESCUE),
                     member(4, "Saltmarch Post", None, "Households may claim compensation from the national fund.")],
                    None, None)
    assert [e.article_id for e in entries] == [1, 2, 3, 4]  # undated last
    assert [e.first_report for e in entries] == [True, False, False, False]
    assert entries[0].text == BREACH and entries[0].source == "Harbour Watch"


def test_a_syndicated_copy_is_shown_once_with_also_carried_by() -> None:
    copy = member(2, "Valley Courier", "2026-03-05", RESCUE, INQUIRY, copy_of=(1,))  # the store links them
    entries = build([member(1, "Harbour Watch", "2026-03-04", BREACH, RESCUE, INQUIRY), copy], None, None)
    assert len(entries) == 1
    assert [c["source"] for c in entries[0].also_carried_by] == ["Valley Courier"]
    assert entries[0].also_carried_by[0]["published_at"] == "2026-03-05"


def test_a_key_paragraph_copying_an_earlier_one_is_folded_even_in_another_story() -> None:
    entries = build([member(1, "Harbour Watch", "2026-03-04", BREACH),
                     member(2, "Valley Courier", "2026-03-06", BREACH, HEADING)], None, None)
    assert len(entries) == 1 and entries[0].also_carried_by[0]["source"] == "Valley Courier"


def test_figures_that_differ_between_outlets_are_shown_side_by_side() -> None:
    entries = build([member(1, "Harbour Watch", "2026-03-04", BREACH),
                     member(2, "Valley Courier", "2026-03-05", RESCUE, BREACH_OTHER_FIGURE)], None, None)
    assert [e.text for e in entries] == [BREACH, BREACH_OTHER_FIGURE]  # the differing paragraph is its key one
    detail = "1,200 (Harbour Watch, 4 Mar) / 1,500 (Valley Courier, 5 Mar)"
    assert entries[0].differs_from[0]["detail"] == detail and entries[0].differs_from[0]["source"] == "Valley Courier"
    assert entries[1].differs_from[0]["detail"] == detail and entries[1].differs_from[0]["source"] == "Harbour Watch"
    assert not entries[0].also_carried_by and not entries[1].also_carried_by


def test_exact_text_carriers_are_listed_and_headings_are_not_chosen() -> None:
    carriers = [{"source": "Orvik Post", "url": "https://orvik.example/1", "title": "Dam"}]
    (entry,) = build([member(1, "Harbour Watch", "2026-03-04", HEADING, BREACH, carriers=carriers)], None, None)
    assert entry.text == BREACH and entry.also_carried_by[0]["source"] == "Orvik Post"


def test_key_paragraph_is_the_one_closest_to_query_and_event() -> None:
    m = member(1, "Harbour Watch", "2026-03-04", BREACH, RESCUE, INQUIRY)
    vectors = np.eye(3, 4, dtype=np.float32)
    m = Member(m.article, m.passages, vectors)
    query = np.array([0, 0, 1, 0], dtype=np.float32)
    (entry,) = build([m], query, query)
    assert entry.text == INQUIRY


def test_json_has_the_issue_schema() -> None:
    entries = build([member(1, "Harbour Watch", "2026-03-04", BREACH)], None, None)
    event = EventSummary(7, "Dam breach", "2026-03-04", "2026-03-04", 1, ["Harbour Watch"])
    answer = Answer("dam", True, [])
    data = Timeline("dam", event, entries, answer).to_json()
    assert data["query"] == "dam" and data["reason"] is None
    assert data["event"] == {"label": "Dam breach", "first_seen": "2026-03-04", "last_seen": "2026-03-04",
                             "articles": 1, "outlets": ["Harbour Watch"]}
    assert set(data["entries"][0]) == {"published_at", "text", "title", "url", "source", "origin", "speaker",
                                       "first_report", "also_carried_by", "differs_from"}
    missing = Timeline("x", None, [], Answer("x", False, [], 3, Reason.NOTHING_RELEVANT)).to_json()
    assert missing["event"] is None and missing["entries"] == [] and missing["reason"] == "nothing_relevant"


def passage(article_id: int, score: float) -> AnswerPassage:
    return AnswerPassage("t", "T", None, None, None, None, score, score, article_id, article_id * 10)


def test_the_event_named_is_the_one_whose_passages_score_most() -> None:
    answer = Answer("q", True, [passage(1, 0.9), passage(2, 0.5), passage(3, 0.45), passage(4, 0.44)])
    assert choose_event(answer, {1: 10, 2: 20, 3: 20, 4: 20}) == 20  # three passages outvote one a bit better
    assert choose_event(answer, {1: 10}) == 10
    assert choose_event(answer, {}) is None


def in_period(article: Article, since: str | None, until: str | None) -> bool:
    """What a timeline's period keeps (bot.events uses the question's article filter)."""
    keep = article_filter(None, since, until)
    return keep is None or keep(article)


def test_period_bounds_are_inclusive_and_undated_articles_need_no_bounds() -> None:
    a = member(1, "X", "2026-03-04T23:00:00", BREACH).article
    assert in_period(a, "2026-03-04", "2026-03-04") and not in_period(a, "2026-03-05", None)
    undated = member(2, "X", None, BREACH).article
    assert in_period(undated, None, None) and not in_period(undated, "2026-01-01", None)


def test_with_vectors_only_close_paragraphs_are_compared_and_differing_figures_still_found() -> None:
    def with_vectors(m: Member, rows: list[list[float]]) -> Member:
        v = np.array(rows, dtype=np.float32)
        return Member(m.article, m.passages, v / np.linalg.norm(v, axis=1, keepdims=True))

    first = with_vectors(member(1, "Harbour Watch", "2026-03-04", BREACH), [[1, 0, 0, 0]])
    close = with_vectors(member(2, "Valley Courier", "2026-03-05", RESCUE, BREACH_OTHER_FIGURE),
                         [[0, 1, 0, 0], [0.95, 0.05, 0, 0]])
    entries = build([first, close], None, None)
    assert [e.text for e in entries] == [BREACH, BREACH_OTHER_FIGURE] and entries[1].differs_from
    far = with_vectors(member(2, "Valley Courier", "2026-03-05", RESCUE, BREACH_OTHER_FIGURE),
                       [[0, 1, 0, 0], [0, 0, 1, 0]])  # vectors say unrelated: the words are not compared
    assert not any(e.differs_from for e in build([first, far], None, None))
