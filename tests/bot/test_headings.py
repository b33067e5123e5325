"""Section headings: stored with their passages, searched with them and shown with them, never passages."""

from __future__ import annotations

from bot.present import attribution_line
from bot.service import EventService
from corpus.models import ArticleDraft

INTERVIEW = ArticleDraft(
    title="Twenty years at the helm",
    url="https://harborledger.example/skipper",
    source="Harbor Ledger",
    paragraphs=("Marta Quill has skippered the Castelmar ferry for two decades and talked to us on the quay.",
                "Since the autumn, and nobody at the company would sit down with us to talk about it.",
                "It stays as it is until the board signs, which I expect in the first week of April."),
    headings=(None, "Why did the crews walk out in March?", "What happens to the winter timetable?"),
)


def test_a_question_worded_like_a_heading_finds_the_passage_under_it_shown_with_it(service: EventService) -> None:
    assert service.add_draft(INTERVIEW).status == "added"
    answer = service.ask("why did the crews walk out?", k=1)
    top = answer.passages[0]
    assert top.text.startswith("Since the autumn") and top.heading == "Why did the crews walk out in March?"
    assert attribution_line(top).endswith("Twenty years at the helm · § Why did the crews walk out in March?")
    assert all(p.text not in INTERVIEW.headings for p in service.ask("winter timetable", k=5).passages)


def test_headings_survive_a_reindex(service: EventService) -> None:
    service.add_draft(INTERVIEW)
    service.reindex()
    top = service.ask("what happens to the winter timetable?", k=1).passages[0]
    assert top.heading == "What happens to the winter timetable?" and top.text.startswith("It stays as it is")
