"""Articles change: re-adding a page or importing a record whose URL is held, with new text, updates the held
article (same id, new passages, the old ones gone from the store and every index) instead of keeping the old
text as "already held". Imports name each duplicate record by position and what it repeats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.chat import render
from bot.cli import app
from bot.results import AddResult, AddStatus
from bot.service import EventService
from corpus.models import Article, ArticleDraft
from tests.articles import CEASEFIRE, DAM, STRIKE, write_json

FIRST = (
    "The council said on Monday that 41 families had been moved out of the flooded lower town of Velmora.",
    "Boats from Orvik ferried the last residents to the sports hall by midnight.",
)
CORRECTED = (
    "The council said on Monday that 14 families had been moved out of the flooded lower town of Velmora.",
    "Boats from Orvik ferried the last residents to the sports hall by midnight.",
    "An earlier version of this story gave the wrong number of families.",
)
URL = "https://www.valleycourier.example/velmora-families"


def draft(paragraphs: tuple[str, ...], url: str = URL, title: str = "Families moved out of Velmora") -> ArticleDraft:
    return ArticleDraft(title=title, paragraphs=paragraphs, url=url, source="Valley Courier")


def indexed(service: EventService) -> set[int]:
    return set(service.index.current().ids())


def test_a_changed_page_added_again_updates_the_held_article(service: EventService) -> None:
    first = service.add_draft(draft(FIRST), URL)
    assert service.ask("how many families were moved out of Velmora?").passages[0].text == FIRST[0]
    again = service.add_draft(draft(CORRECTED, url=URL + "/?utm_source=feed", title="Families moved (corrected)"),
                              URL)
    assert again.status == AddStatus.UPDATED
    assert again.article.id == first.article.id and again.article.title == "Families moved (corrected)"
    assert again.message == "updated 'Families moved (corrected)' (3 passages; the previous version had 2)"
    assert service.stats().articles == 1
    stored = set(service.store.passage_ids())
    assert indexed(service) == stored and len(stored) == 3  # the old version's passages left every index
    top = service.ask("how many families were moved out of Velmora?").passages[0]
    assert top.text == CORRECTED[0] and top.article_id == first.article.id
    assert service.index.current().consistent()


def test_the_same_page_unchanged_is_still_already_held(service: EventService) -> None:
    service.add_draft(draft(FIRST))
    assert service.add_draft(draft(FIRST)).status == AddStatus.DUPLICATE


def test_an_update_drops_the_carriers_of_the_old_text(service: EventService) -> None:
    held = service.add_draft(draft(FIRST)).article
    service.add_draft(ArticleDraft(title="Copy", paragraphs=FIRST, url="https://coast.example/c", source="Coastal"))
    assert service.store.carriers(held.id)
    service.add_draft(draft(CORRECTED))
    assert service.store.carriers(held.id) == []  # they carried the old text, not this one


def test_an_update_survives_a_restart(service: EventService) -> None:
    service.add_draft(draft(FIRST))
    service.add_draft(draft(CORRECTED))
    service.close()
    reopened = EventService(service.data_dir, service.config, embedder=service.index._embedder())
    assert indexed(reopened) == set(reopened.store.passage_ids())
    assert reopened.ask("how many families were moved out of Velmora?").passages[0].text == CORRECTED[0]
    reopened.close()


def record(paragraphs: tuple[str, ...], url: str = URL) -> dict:
    return {"title": "Families moved out of Velmora", "url": url, "body": "\n\n".join(paragraphs),
            "source": "Valley Courier"}


def test_an_import_record_with_a_held_url_and_new_text_updates_it(service: EventService, tmp_path: Path) -> None:
    assert service.import_file(write_json(tmp_path / "a.json", [record(FIRST)])).added == 1
    report = service.import_file(write_json(tmp_path / "b.json", [record(CORRECTED), STRIKE]))
    assert (report.added, report.updated, report.duplicates) == (1, 1, 0)
    assert indexed(service) == set(service.store.passage_ids())
    assert service.ask("how many families were moved out of Velmora?").passages[0].text == CORRECTED[0]


def test_import_names_each_duplicate_record_and_what_it_repeats(service: EventService, tmp_path: Path) -> None:
    assert service.import_file(write_json(tmp_path / "a.json", [DAM])).added == 1
    records = [
        CEASEFIRE,                                                                         # 1: added
        {**CEASEFIRE, "url": CEASEFIRE["url"] + "?utm_source=feed&utm_medium=rss"},       # 2: tracking parameters
        {**CEASEFIRE, "url": CEASEFIRE["url"].replace("www.northwire", "WWW.NorthWire")},  # 3: case
        {**CEASEFIRE, "url": CEASEFIRE["url"] + "/"},                                      # 4: trailing slash
        {**STRIKE, "url": "https://mirror.example/strike", "source": STRIKE["source"]},    # 5: added
        {**STRIKE, "url": "https://copy.example/strike"},                                  # 6: same text as record 5
        {**DAM, "url": DAM["url"].rstrip("/") + "?utm_campaign=x"},                        # 7: held, tracking, no slash
        {**DAM, "url": DAM["url"] + "#comments"},                                          # 8: repeats record 7
    ]
    report = service.import_file(write_json(tmp_path / "b.json", records))
    assert (report.added, report.updated, report.duplicates) == (2, 0, 6)
    notes = dict(report.duplicate_records)
    assert sorted(notes) == [2, 3, 4, 6, 7, 8]
    assert notes[2] == "repeats record 1 (its URL differs only by tracking parameters)"
    assert notes[3] == "repeats record 1 (its URL differs only by case)"
    assert notes[4] == "repeats record 1 (its URL differs only by a trailing slash)"
    assert notes[6] == "the same text as record 5"
    # Against a held article, only what its stored link keeps is named (the store drops trailing slashes).
    assert notes[7] == f"already held as article 1: {DAM['title']!r} (its URL differs only by tracking parameters)"
    assert notes[8] == "repeats record 7 (its URL differs only by tracking parameters, a trailing slash and a fragment)"
    again = service.import_file(write_json(tmp_path / "c.json", [DAM]))
    assert again.duplicate_records == [(1, f"already held as article 1: {DAM['title']!r}")]


def test_the_cli_says_updated_and_names_duplicate_records(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("embedding:\n  model: hash\n", encoding="utf-8")
    monkeypatch.setenv("EVENTBOT_CONFIG", str(config))
    runner = CliRunner()
    first = tmp_path / "families.md"
    first.write_text("# Families moved out of Velmora\n\nURL: " + URL + "\n\n" + "\n\n".join(FIRST), encoding="utf-8")
    assert runner.invoke(app, ["add", str(first)]).exit_code == 0
    first.write_text("# Families moved out of Velmora\n\nURL: " + URL + "\n\n" + "\n\n".join(CORRECTED),
                     encoding="utf-8")
    result = runner.invoke(app, ["add", str(first)])
    assert result.exit_code == 0 and "updated" in result.stderr and "previous version had 2" in result.stderr
    records = write_json(tmp_path / "r.json", [record(CORRECTED), {**record(CORRECTED), "url": URL + "/"}])
    result = runner.invoke(app, ["import", str(records)])
    assert "record 1 already held as article 1" in " ".join(result.stderr.split())
    assert "record 2 repeats record 1 (its URL differs only by a trailing slash)" in " ".join(result.stderr.split())
    assert json.loads(runner.invoke(app, ["ask", "families moved out", "--json"]).stdout)["passages"]


def test_discord_says_updated() -> None:
    article = Article(7, "Families moved", URL, "Valley Courier", None, None, "en", None, "h", "x", 3)
    result = AddResult("u", AddStatus.UPDATED, "updated 'Families moved' (3 passages; the previous version had 2)",
                       article)
    assert render.add_result(result) == (f"Updated: [Families moved](<{URL}>) (3 passages, article 7; the previous version's passages "
                     "are gone).")
