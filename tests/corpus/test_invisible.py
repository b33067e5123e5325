"""Zero-width, bidi and other invisible characters leave every article however it arrives: imported, read
from a text file or from HTML. Otherwise "Reu\u200dters" shows as Reuters and is not found as Reuters."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.service import EventService
from corpus.extract import extract
from corpus.importer import record_to_draft
from corpus.invisible import INVISIBLE, strip_invisible
from corpus.models import ArticleDraft
from tests.articles import write_json

HIDDEN = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e", "\u200f", "\u061c", "\u202a",
          "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\U000e0041"]
BODY = ("The port authority said on Tuesday that the harbour would reopen to container ships next week, after "
        "divers finished checking the quay walls for damage from the storm.")


@pytest.mark.parametrize("mark", HIDDEN)
def test_each_invisible_character_is_stripped(mark: str) -> None:
    assert mark in INVISIBLE
    assert strip_invisible(f"Reu{mark}ters") == "Reuters"


def test_a_draft_never_holds_them_however_it_is_made() -> None:
    draft = ArticleDraft(title="Harbour\u200b reopens", paragraphs=(f"Port\u202e {BODY}",), source="Reu\u200dters",
                         author="Ana\u2066 Brisk", origin="Meridian\u200f Press", speakers=("Petra\u200c Lind",))
    assert (draft.title, draft.source, draft.author, draft.origin) == ("Harbour reopens", "Reuters", "Ana Brisk",
                                                                       "Meridian Press")
    assert draft.paragraphs == (f"Port {BODY}",) and draft.speakers == ("Petra Lind",)


def test_imported_text_file_and_html_articles_all_lose_them() -> None:
    imported = record_to_draft({"title": "Harbour reopens", "url": "https://x.example/a", "body": BODY,
                                "source": "Reu\u200dters", "author": "Ana\u200b Brisk"})
    text = extract(f"Harbour reopens\nSource: Reu\u200dters\nBy Ana\u2067 Brisk\n\n{BODY}".encode(), "text",
                   name="a.txt")
    html = extract(f"""<html><head><title>Harbour reopens</title><meta property="og:site_name" content="Reu\u202eters">
        </head><body><article><h1>Harbour re\u200bopens</h1><p>{BODY}</p><p>{BODY}</p></article></body></html>""".encode(),
                   "html", url="https://www.reuters.com/a")
    assert imported.source == text.source == html.source == "Reuters"
    assert imported.author == text.author == "Ana Brisk"
    assert html.title == "Harbour reopens"


def test_an_invisible_title_is_no_title() -> None:
    from corpus.errors import BadRecord

    with pytest.raises(BadRecord, match="title"):
        record_to_draft({"title": "\u200b\u200d", "url": "https://x.example/a", "body": BODY})


def test_an_outlet_written_with_a_zero_width_joiner_is_found_by_its_name(service: EventService,
                                                                         tmp_path: Path) -> None:
    records = [{"title": "Harbour reopens", "url": "https://x.example/a", "body": BODY, "source": "Reu\u200dters"}]
    assert service.import_file(write_json(tmp_path / "a.json", records)).added == 1
    answer = service.ask("when will the harbour reopen to container ships? source:Reuters")
    assert answer.answered and answer.passages[0].source == "Reuters"
