"""One byline pattern: the boilerplate filter, the text extractor and the dateline parser read bylines alike."""

from __future__ import annotations

import pytest

from corpus.attribution import Dateline, parse_dateline
from corpus.bylines import byline_credit, byline_names
from corpus.clean import is_boilerplate
from corpus.extract import extract_text

BODY = "The dam held overnight, the regional water board said on Tuesday after a night of rain. " * 3


@pytest.mark.parametrize(("line", "names"), [
    ("By Ana Brisk", "Ana Brisk"),
    ("BY ANA BRISK and Dario Fenn", "ANA BRISK and Dario Fenn"),
    ("by Ana de Souza & Jan ter Horst", "Ana de Souza & Jan ter Horst"),
    ("Written by Omar ben Ali", "Omar ben Ali"),
    ("  Story by Lena Marsh, Tomas Reyes  ", "Lena Marsh, Tomas Reyes"),
    ("By Tuesday the operator had added two crossings", None),
    ("By Lena Marsh | March 4, 2026", None),
    ("Stand by Ana Brisk", None),
])
def test_byline_names_take_a_line_that_is_a_byline_and_nothing_else(line: str, names: str | None) -> None:
    assert byline_names(line) == names


@pytest.mark.parametrize("line", ["By Ana de Souza | March 4, 2026", "Written by Jan ter Horst, staff writers",
                                  "BY OMAR BEN ALI", "Reporting by Karim el Amin, Mar. 4, 2026"])
def test_boilerplate_filter_drops_byline_lines(line: str) -> None:
    assert is_boilerplate(line)


def test_text_extractor_takes_the_author_from_a_byline_line() -> None:
    for line, author in [("By Ana de Souza", "Ana de Souza"), ("Written by Lena Marsh", "Lena Marsh")]:
        draft = extract_text(f"Dam holds after the storm\n{line}\n\n{BODY}", name="dam.txt")
        assert draft.author == author
        assert draft.paragraphs[0].startswith("The dam held overnight")


def test_credit_lines_give_the_dateline_agency_whatever_their_opening_words() -> None:
    assert byline_credit("By Lena Marsh, Meridian Press") == "Lena Marsh, Meridian Press"
    assert byline_credit("By Lena Marsh. More to come") is None
    for line in ("By Reuters staff", "BY REUTERS", "Written by Reuters Staff"):
        assert parse_dateline([line, "The dam held."]) == Dateline(None, None, "Reuters")
