"""Ranking in EventService.ask: unheld outlets named in a question, many-part questions (hash embedder)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.present import why_unanswered
from bot.results import Reason
from bot.service import EventService
from tests.articles import ALL, write_json


def tune(service: EventService, **ranking: object) -> None:
    """Change the service's ranking parameters (config `retrieval:`) from the next question on."""
    service.retriever.params = service.retriever.params.model_copy(update=ranking)


@pytest.fixture
def loaded(service: EventService, tmp_path: Path) -> EventService:
    service.import_file(write_json(tmp_path / "a.json", ALL))
    return service


def test_a_report_attributed_to_an_outlet_not_held_is_not_answered(loaded: EventService) -> None:
    q = "how many residents were evacuated from the riverside quarter, according to a Bloomberg report?"
    answer = loaded.ask(q)
    assert not answer.answered and answer.passages == []
    assert (answer.reason, answer.unheld) == (Reason.UNHELD_OUTLET, ("Bloomberg",))
    assert why_unanswered(answer) == "I hold no articles from Bloomberg."
    held = loaded.ask("how many residents were evacuated from the riverside quarter, "
                      "according to a Harbour Watch report?")
    assert held.answered and "1,200 residents" in held.passages[0].text
    assert loaded.ask(q + " source:Harbour").answered  # a source filter is the asker's own choice
    tune(loaded, abstain_unheld_outlets=False)
    assert loaded.ask(q).answered


def test_each_part_of_a_many_part_question_is_searched_and_its_best_passage_raised(service: EventService,
                                                                                  tmp_path: Path) -> None:
    orchard = {"title": "Frost hits the orchards", "url": "https://alpha.example/frost", "source": "Alpha",
               "body": "The orchard harvest of red apples fell sharply after the spring frost.\n\n"
                       "Apple prices rose in the orchard markets of the valley.\n\n"
                       "Orchard owners said the frost was the worst in a decade."}
    ferry = {"title": "New ferry timetable", "url": "https://beta.example/ferry", "source": "Beta",
             "body": "The ferry timetable on the northern route changed on Monday."}
    service.import_file(write_json(tmp_path / "b.json", [orchard, ferry]))
    q = ("did the spring frost cut the orchard harvest of red apples and raise apple prices in the orchard markets, "
         "while the ferry timetable of the northern route changed?")
    tune(service, max_per_article=3, part_weight=0.0)
    alone = {p.text: p.score for p in service.ask(q, k=4).passages}
    tune(service, part_weight=1.5)
    parts = {p.text: p.score for p in service.ask(q, k=4).passages}
    ferry_text = ferry["body"]
    # The ferry passage is its part's best: it gains the full weight; the orchard passages at most that.
    assert parts[ferry_text] == pytest.approx(alone[ferry_text] + 1.5, abs=1e-5)
    assert all(alone[t] < parts[t] <= alone[t] + 1.5 + 1e-5 for t in alone)
