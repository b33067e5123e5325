"""Ranking in EventService.ask: unheld outlets named in a question, many-part questions (hash embedder)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from bot.service import EventService
from tests.articles import ALL, write_json


@pytest.fixture
def loaded(service: EventService, tmp_path: Path) -> EventService:
    service.import_file(write_json(tmp_path / "a.json", ALL))
    return service


def test_a_report_attributed_to_an_outlet_not_held_is_not_answered(loaded: EventService) -> None:
    q = "how many residents were evacuated from the riverside quarter, according to a Bloomberg report?"
    answer = loaded.ask(q)
    assert not answer.answered and answer.passages == []
    assert answer.note == "I hold no articles from Bloomberg."
    held = loaded.ask("how many residents were evacuated from the riverside quarter, according to a Harbour Watch report?")
    assert held.answered and "1,200 residents" in held.passages[0].text
    assert loaded.ask(q + " source:Harbour").answered  # a source filter is the asker's own choice
    loaded.settings = dataclasses.replace(loaded.settings, abstain_unheld_outlets=False)
    assert loaded.ask(q).answered


def test_each_part_of_a_two_part_question_finds_its_passage(loaded: EventService) -> None:
    q = ("how many residents were evacuated from the riverside quarter near the dam, "
         "while negotiators returned to the border city for ceasefire talks on Monday?")
    both = loaded.ask(q, k=2)
    assert {p.source for p in both.passages} == {"Harbour Watch", "Northwire"}
    assert all(p.score > 0 for p in both.passages)
    loaded.settings = dataclasses.replace(loaded.settings, part_weight=0.0)
    assert loaded.ask(q, k=2).answered
