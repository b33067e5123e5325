"""What the Discord front end browses: a passage's neighbours, the quoted speakers and the held titles."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.service import EventService
from corpus.errors import ArticleNotFound
from tests.articles import ALL, write_json


@pytest.fixture
def loaded(service: EventService, tmp_path: Path) -> EventService:
    assert service.import_file(write_json(tmp_path / "articles.json", ALL)).added == 3
    return service


def test_neighbours_are_the_paragraphs_around_a_passage_in_order(loaded: EventService) -> None:
    article_id = loaded.find("https://www.harbourwatch.example/2026/03/04/velmora-dam/").id
    middle = next(p.id for batch in loaded.store.iter_passages() for p, a in batch
                  if a.id == article_id and p.position == 1)
    article, around = loaded.neighbours(middle)
    assert article.id == article_id and [p.position for p in around] == [0, 1, 2]
    assert "evacuated 1,200 residents" in around[1].text
    first = around[0].id
    assert [p.position for p in loaded.neighbours(first)[1]] == [0, 1]  # the first paragraph has no before
    loaded.remove(str(article_id))
    with pytest.raises(ArticleNotFound, match="no longer held"):
        loaded.neighbours(middle)


def test_speakers_titles_and_outlets_are_found_by_part_of_their_name(loaded: EventService) -> None:
    speakers = loaded.speakers("verl")
    assert speakers and all("Verlinde" in name and n >= 1 for name, n in speakers)
    assert loaded.speakers("nobody-of-that-name") == []
    assert [t for _, t in loaded.titles("DAM")] == ["Dam breach floods lower Velmora"]
    assert len(loaded.titles("", limit=2)) == 2
    assert loaded.outlets("north") == [("Northwire", 1)]
