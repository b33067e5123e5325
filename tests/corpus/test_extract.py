"""Extraction from HTML pages and text files, judged by what a reader would notice."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from corpus.errors import NotAnArticle, UnsupportedFile
from corpus.extract import extract_file, extract_html, extract_text
from corpus.models import ArticleDraft

PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "pages"


def page(name: str) -> bytes:
    return (PAGES / name).read_bytes()


def assert_no_boilerplate(draft: ArticleDraft, boilerplate: list[str]) -> None:
    for text in boilerplate:
        for paragraph in draft.paragraphs:
            assert text.casefold() not in paragraph.casefold(), f"{text!r} leaked into {paragraph!r}"


# --------------------------------------------------------------------------- WordPress page


WP_BOILERPLATE = [
    "Now Reading",
    "By Marta Quill | March 4, 2026",
    "Related:",
    "Port authority names new director",
    "Advertisement",
    "See Also",
    "Island schools reopen",
    "Read more",
    "Our full coverage",
    "Patreon",
    "Support independent journalism",
    "Donate",
    "Subscribe to our newsletter",
    "Sign up",
    "We use cookies",
    "Share this",
    "Click to share",
    "Share on WhatsApp",
    "Tags:",
    "Filed under",
    "Leave a Reply",
    "Cancel reply",
    "You must be logged in",
    "Notify of",
    "follow-up comments",
    "All rights reserved",
    "Back to top",
    "Skip to content",
]


@pytest.fixture(scope="module")
def wp() -> ArticleDraft:
    return extract_html(page("wp_ferry_strike.html"), url="https://harborledger.example/?p=4182")


def test_wp_page_boilerplate_inside_the_article_is_gone(wp: ArticleDraft) -> None:
    assert_no_boilerplate(wp, WP_BOILERPLATE)


def test_wp_page_body_starts_with_the_dateline_and_ends_with_the_last_paragraph(wp: ArticleDraft) -> None:
    assert wp.paragraphs[0].startswith("CASTELMAR (Harbor Ledger) - Ferry crews in Castelmar returned to work")
    assert wp.paragraphs[-1] == (
        "Passengers who bought tickets for cancelled crossings can claim a refund at any port office "
        "until the end of April, the operator said on Wednesday."
    )
    assert len(wp.paragraphs) == 6


def test_wp_page_keeps_sentences_that_mention_support_reply_copyright(wp: ArticleDraft) -> None:
    body = "\n".join(wp.paragraphs)
    assert "The transport ministry said it would support the deal" in body
    assert "“We will reply in kind if the port breaks its word,” union spokesman Dario Fenn" in body
    assert "breaches his copyright. That case resumes next month." in body


def test_wp_page_metadata(wp: ArticleDraft) -> None:
    assert wp.title == "Castelmar ferry crews end strike after pay deal"
    assert wp.source == "Harbor Ledger"
    assert wp.author == "Marta Quill"
    assert wp.published_at == "2026-03-04T09:15:00+01:00"
    assert wp.url == "https://harborledger.example/2026/03/04/castelmar-ferry-crews-end-strike/"
    assert wp.language == "en"


# --------------------------------------------------------------------------- metadata sources


def test_json_ld_only_page() -> None:
    draft = extract_html(page("jsonld_dam_inspection.html"))
    assert draft.title == "Dam inspection finds cracks in Northgate spillway"
    assert draft.source == "Northgate Courier"
    assert draft.author == "Ines Okafor"
    assert draft.published_at == "2026-02-11T14:30:00+00:00"
    assert draft.url == "https://northgatecourier.example/news/dam-inspection-cracks"
    assert draft.language == "en"
    assert draft.paragraphs[0].startswith("NORTHGATE - Engineers found a series of hairline cracks")
    assert draft.paragraphs[-1].endswith("at the town hall on February 19.")
    assert len(draft.paragraphs) == 5
    assert_no_boilerplate(
        draft,
        [
            "By Ines Okafor",
            "February 11, 2026",
            "RELATED ARTICLES",
            "Water board approves budget",
            "Share on",
            "Leave a comment",
            "Copyright",
            "Scroll To Top",
            "Most read",
            "Council votes on bus fares",
        ],
    )
    assert any("the board was right to reply quickly" in p for p in draft.paragraphs)


def test_open_graph_only_page() -> None:
    draft = extract_html(page("og_wildfire.html"))
    assert draft.title == "Wildfire near Sorrel Ridge forces 600 to leave homes"
    assert draft.source == "Valley Wire"
    assert draft.author == "Petra Lind"
    assert draft.published_at == "2026-01-20"
    assert draft.url == "https://valleywire.example/fire/sorrel-ridge-evacuation"
    assert draft.paragraphs[0].startswith("SORREL RIDGE - About 600 residents")
    assert draft.paragraphs[-1] == (
        "Officials expected to decide on Wednesday morning whether residents could return, "
        "depending on the wind forecast."
    )
    assert len(draft.paragraphs) == 5
    assert_no_boilerplate(draft, ["Sign up", "Tags:", "Share this", "Facebook", "WhatsApp", "Email", "Related"])
    assert any("said it would support affected families" in p for p in draft.paragraphs)


def test_page_declared_in_windows_1252_is_decoded() -> None:
    draft = extract_file(PAGES / "cp1252_bank_fine.html")
    assert draft.title == "Zürich bank fined €4.5 million over café chain loans"
    assert draft.source == "Alpine Monitor"
    assert draft.author == "Renée Brünner"
    assert draft.published_at == "2026-04-02T07:45:00+02:00"
    assert draft.paragraphs[0].startswith("ZÜRICH – Swiss regulators on Thursday fined")
    assert "ignored “obvious warning signs”" in draft.paragraphs[1]
    assert "São Paulo" in draft.paragraphs[1]
    assert len(draft.paragraphs) == 4
    assert draft.url is None  # no canonical URL, and a local file has no address


def test_given_url_is_used_when_the_page_has_none() -> None:
    draft = extract_html(page("cp1252_bank_fine.html"), url="https://alpinemonitor.example/bank-fine")
    assert draft.url == "https://alpinemonitor.example/bank-fine"


def test_relative_canonical_url_is_resolved_against_the_given_url() -> None:
    html = (PAGES / "og_wildfire.html").read_text(encoding="utf-8")
    html = html.replace(
        '<meta property="og:url" content="https://valleywire.example/fire/sorrel-ridge-evacuation">',
        '<link rel="canonical" href="/fire/sorrel-ridge">',
    )
    draft = extract_html(html, url="https://valleywire.example/fire/sorrel-ridge?utm_source=x")
    assert draft.url == "https://valleywire.example/fire/sorrel-ridge"


def test_site_suffix_is_kept_when_it_is_not_the_source() -> None:
    html = (PAGES / "og_wildfire.html").read_text(encoding="utf-8")
    html = html.replace("forces 600 to leave homes", "forces 600 to leave homes | Update")
    draft = extract_html(html)
    assert draft.title == "Wildfire near Sorrel Ridge forces 600 to leave homes | Update"


def test_old_table_layout_page_without_metadata() -> None:
    """No OpenGraph, JSON-LD or canonical: title, site and byline come from the page itself."""
    draft = extract_file(PAGES / "table_layout_fish_market.html")
    assert draft.title == "Fish market moves to the old customs house"
    assert draft.source == "Orsa Times"  # the <title> prefix, confirmed by the logo's alt text
    assert draft.author == "Lise Varga"  # not "Times Staff"
    assert draft.published_at == "2026-03-06"
    assert draft.paragraphs[0].startswith("ORSA - The Orsa fish market will move")
    assert draft.paragraphs[-1].startswith("Stall rents will rise by about 10 percent")
    assert len(draft.paragraphs) == 4  # the closing author blurb is not article text
    assert_no_boilerplate(draft, ["ADVERTISEMENT", "Copyright", "Lise Varga covers", "Tide times", "High water"])


def test_wire_agency_byline_is_not_an_author() -> None:
    html = page("og_wildfire.html").decode("utf-8").replace("Petra Lind", "Meridian Press")
    assert extract_html(html).author is None


# --------------------------------------------------------------------------- not articles


@pytest.mark.parametrize("name", ["nav_only.html", "login_wall.html", "error_404.html"])
def test_pages_without_an_article_are_refused(name: str) -> None:
    with pytest.raises(NotAnArticle) as caught:
        extract_file(PAGES / name)
    message = str(caught.value)
    assert message and len(message) < 120


@pytest.mark.parametrize("html", ["", "   \n", b"", b"<html><body></body></html>", "<html><body><p>Hello.</p></body></html>"])
def test_empty_pages_are_refused(html: str | bytes) -> None:
    with pytest.raises(NotAnArticle):
        extract_html(html)


def test_short_page_is_refused() -> None:
    html = "<html><head><title>Brief</title></head><body><article><p>The port reopened on Friday after the strike.</p></article></body></html>"
    with pytest.raises(NotAnArticle, match="no article text"):
        extract_html(html)


# --------------------------------------------------------------------------- text files


def test_plain_text_file_with_header_lines() -> None:
    draft = extract_file(PAGES / "harbour_wall.txt")
    assert draft.title == "Harbour wall repairs to start in spring"
    assert draft.source == "Harbor Ledger"
    assert draft.author == "Marta Quill"
    assert draft.published_at == "2026-03-10"
    assert draft.url == "https://harborledger.example/2026/03/10/harbour-wall-repairs/"
    assert draft.paragraphs[0] == (
        "CASTELMAR - Work to repair the storm-damaged harbour wall in Castelmar will start in April "
        "and last about five months, the port authority said on Tuesday."
    )
    assert draft.paragraphs[-1].endswith('said harbour master Lena Strand.')
    assert len(draft.paragraphs) == 3


def test_markdown_file() -> None:
    draft = extract_file(PAGES / "council_vote.md")
    assert draft.title == "Orsa council votes to ban cars from the old town"
    assert draft.author == "Dario Fenn"
    assert draft.source == "Island Weekly"
    assert draft.published_at == "2026-03-12"
    assert draft.paragraphs[0] == (
        "ORSA - The island council voted 7-2 on Thursday to close the old town to private cars from June, "
        "after a two-year consultation that split residents."
    )
    assert "Delivery vans may enter before 10 a.m." in draft.paragraphs
    assert "Residents with mobility permits keep access at all times." in draft.paragraphs
    assert draft.paragraphs[-1] == "Opponents said they would ask the regional court to review the decision."
    assert "What changes" not in draft.paragraphs  # section headings are not passages
    assert len(draft.paragraphs) == 6
    body = "\n".join(draft.paragraphs)
    for markup in ("**", "__", "](", "#", "> ", "- Delivery", "---"):
        assert markup not in body
    assert '"We will reply to every objection in writing," said council leader Ana Brisk' in body


def test_text_without_header_lines() -> None:
    text = "Ferry timetable changes\n\n" + "The spring timetable adds two evening crossings to Orsa and Lune. " * 3
    draft = extract_text(text, name="timetable.txt")
    assert draft.title == "Ferry timetable changes"
    assert len(draft.paragraphs) == 1
    assert draft.author is None and draft.source is None and draft.url is None


def test_yaml_front_matter_in_markdown() -> None:
    text = (
        "---\ntitle: Lune lighthouse reopens\nauthor: Ana Brisk\ndate: 2026-05-02T10:00:00+02:00\n---\n"
        "# Ignored heading title\n\n" + "The lighthouse on Lune reopened to visitors on Saturday after repairs. " * 3
    )
    draft = extract_text(text, name="lighthouse.md")
    assert draft.title == "Lune lighthouse reopens"
    assert draft.author == "Ana Brisk"
    assert draft.published_at == "2026-05-02T10:00:00+02:00"


def test_sentence_starting_with_by_is_not_taken_for_a_byline() -> None:
    text = "Ferry timetable changes\n\nBy Tuesday the operator had\nadded two evening crossings to Orsa and Lune, " + "and more. " * 20
    draft = extract_text(text, name="timetable.txt")
    assert draft.author is None
    assert draft.paragraphs[0].startswith("By Tuesday the operator had added two evening crossings")


def test_short_text_is_refused() -> None:
    with pytest.raises(NotAnArticle):
        extract_text("A title\n\nOne short line.", name="note.txt")


def test_binary_file_with_txt_suffix_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "photo.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    with pytest.raises(NotAnArticle, match="binary"):
        extract_file(path)


def test_undecodable_text_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "noise.txt"
    path.write_bytes(bytes(range(1, 256)) * 8)
    with pytest.raises(NotAnArticle):
        extract_file(path)


def test_latin1_text_file_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "zurich.txt"
    body = "La banque de Zürich a payé une amende de 4,5 millions pour des prêts accordés à une chaîne de cafés en faillite. " * 2
    path.write_bytes(("Amende pour une banque zurichoise\n\n" + body).encode("latin-1"))
    draft = extract_file(path)
    assert "Zürich" in draft.paragraphs[0]


@pytest.mark.parametrize("name", ["report.pdf", "page.docx", "README"])
def test_unsupported_file_types(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"%PDF-1.7")
    with pytest.raises(UnsupportedFile) as caught:
        extract_file(path)
    assert ".html, .htm, .txt or .md" in str(caught.value)


def test_unsupported_message_names_the_suffix(tmp_path: Path) -> None:
    path = tmp_path / "report.PDF"
    path.write_bytes(b"%PDF-1.7")
    with pytest.raises(UnsupportedFile, match=r"\.pdf files are not supported"):
        extract_file(path)


# --------------------------------------------------------------------------- demo corpus

DEMO = Path(__file__).resolve().parents[2] / "corpus" / "demo"
MANIFEST = DEMO / "manifest.json"


def _demo_articles() -> list[dict]:
    if not MANIFEST.exists():
        return []
    return json.loads(MANIFEST.read_text(encoding="utf-8"))["articles"]


DEMO_ARTICLES = _demo_articles()
DEMO_HTML = [a for a in DEMO_ARTICLES if a["format"] == "html"]


def _check_against_manifest(draft: ArticleDraft, expected: dict) -> None:
    for text in expected["boilerplate"]:
        for paragraph in draft.paragraphs:
            assert text.casefold() not in paragraph.casefold(), f"boilerplate {text!r} in {paragraph!r}"
    assert expected["body_first_paragraph"] in draft.paragraphs
    assert expected["body_last_paragraph"] in draft.paragraphs
    assert abs(len(draft.paragraphs) - expected["paragraph_count"]) <= 1, draft.paragraphs
    assert draft.title == expected["title"]
    assert draft.source == expected["outlet"]


@pytest.mark.skipif(not DEMO_ARTICLES, reason="demo corpus not present")
@pytest.mark.parametrize("expected", DEMO_ARTICLES, ids=lambda a: a["file"])
def test_demo_article_extracts_cleanly(expected: dict) -> None:
    draft = extract_file(DEMO / expected["file"])
    _check_against_manifest(draft, expected)
    assert draft.author == expected["author"]
    # The manifest gives the day; pages with precise metadata also give the time.
    assert (draft.published_at or "")[:10] == (expected["published_at"] or "")
    # A local file's URL is its canonical URL, if the page declares one.
    assert draft.url == (expected["url"] if expected["has_canonical"] else None)


@pytest.mark.skipif(not DEMO_HTML, reason="demo corpus not present")
@pytest.mark.parametrize("expected", DEMO_HTML, ids=lambda a: a["file"])
def test_demo_page_fetched_from_its_url(expected: dict) -> None:
    draft = extract_html((DEMO / expected["file"]).read_bytes(), url=expected["url"])
    _check_against_manifest(draft, expected)
    assert draft.url == expected["url"]


@pytest.mark.skipif(not DEMO_HTML, reason="demo corpus not present")
@pytest.mark.parametrize("expected", DEMO_HTML, ids=lambda a: a["file"])
def test_demo_page_without_class_names_still_extracts_cleanly(expected: dict) -> None:
    """Unknown templates: with class/id hints gone, our filter has to catch what trafilatura keeps."""
    html = (DEMO / expected["file"]).read_text(encoding="utf-8")
    html = re.sub(r'\s(?:class|id|role|aria-label|rel)="[^"]*"', "", html)
    draft = extract_html(html)
    for text in expected["boilerplate"]:
        for paragraph in draft.paragraphs:
            assert text.casefold() not in paragraph.casefold(), f"boilerplate {text!r} in {paragraph!r}"
    assert expected["body_first_paragraph"] in draft.paragraphs
    assert expected["body_last_paragraph"] in draft.paragraphs
    assert abs(len(draft.paragraphs) - expected["paragraph_count"]) <= 1
