"""One decode path: the same bytes read the same whether they are uploaded, fetched or read from disk."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.errors import NotAnArticle, UnsupportedFile
from corpus.extract import extract, extract_file, kind_for
from corpus.extract.decode import decode

PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "pages"

TITLE = "Café owners count the cost – “never again”"
BODY = ("The café owners of Velmora said the flood reached the square before dawn, and the mayor’s office "
        "promised help for every business on the waterfront within a week. ") * 2
FRENCH = ("Amende pour une banque zurichoise",
          "La banque de Zürich a payé une amende à la ville pour des prêts accordés à une chaîne de cafés. " * 3)
# charset detection alone read these two wrongly: cp1250 ("ŕ la ville") and cp775 ("Cafķ flood ¢ ōquotedö").
FLOOD = ("Café flood – “quoted”", "Velmora café owners said the flood reached the square before dawn, and the "
         "mayor's office promised help for every business on the waterfront within a week. " * 3)
RUSSIAN = ("Пожар в Орвике", "Пожарные сказали, что огонь потушили утром, а жители вернулись в свои дома. " * 4)


def _file(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(("name", "title", "body", "encoding"), [
    ("cafe.txt", TITLE, BODY, "utf-8"),
    ("cafe-bom.txt", TITLE, BODY, "utf-8-sig"),
    ("cafe-cp1252.txt", TITLE, BODY, "cp1252"),
    ("flood-cp1252.txt", *FLOOD, "cp1252"),
    ("cafe-cp1252.md", TITLE, BODY, "cp1252"),
    ("cafe-utf16.txt", TITLE, BODY, "utf-16"),  # with its byte-order mark
    ("cafe-utf16be.txt", TITLE, BODY, "utf-16-be-bom"),
    ("zurich-latin1.txt", *FRENCH, "latin-1"),
    ("orvik-koi8.txt", *RUSSIAN, "koi8-r"),
    ("orvik-cp1251.txt", *RUSSIAN, "cp1251"),
])
def test_text_bytes_read_the_same_uploaded_and_from_disk(tmp_path: Path, name: str, title: str, body: str,
                                                         encoding: str) -> None:
    text = f"{title}\n\n{body}"
    data = b"\xfe\xff" + text.encode("utf-16-be") if encoding == "utf-16-be-bom" else text.encode(encoding)
    uploaded = extract(data, "text", name=name)
    assert uploaded == extract_file(_file(tmp_path, name, data))
    assert (uploaded.title, uploaded.paragraphs) == (title, (body.strip(),))


def test_html_bytes_read_the_same_uploaded_and_from_disk() -> None:
    data = (PAGES / "cp1252_bank_fine.html").read_bytes()
    assert extract(data, "html", name="cp1252_bank_fine.html") == extract_file(PAGES / "cp1252_bank_fine.html")


@pytest.mark.parametrize(("name", "data", "message"), [
    ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
     "photo.txt is a binary file, not a text file"),
    ("control.txt", bytes(range(1, 32)) * 40, "control.txt is a binary file, not a text file"),
    ("blank.md", b" \n\t\n", "blank.md is empty"),
    ("page.html", b"<html><body>" + b"\x00" * 20 + b"</body></html>", "page.html is a binary file, not a web page"),
])
def test_binary_and_empty_files_are_refused_alike(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    for read in (lambda: extract(data, kind_for(name), name=name), lambda: extract_file(_file(tmp_path, name, data))):
        with pytest.raises(NotAnArticle) as caught:
            read()
        assert str(caught.value) == message


def test_fetched_text_is_named_by_its_url_and_gets_it_when_it_declares_none() -> None:
    url = "https://news.example/cafe"
    with pytest.raises(NotAnArticle, match=f"^{url} is a binary file, not a text file$"):
        extract(b"Title\n\nsome \x00 bytes", "text", url=url)
    assert extract(f"{TITLE}\n\n{BODY}".encode("cp1252"), kind_for("text/plain"), url=url).url == url
    declared = f"{TITLE}\nURL: https://news.example/original\n\n{BODY}"
    assert extract(declared.encode(), "text", url=url).url == "https://news.example/original"


def test_text_and_bytes_give_the_same_draft() -> None:
    text = f"{TITLE}\n\n{BODY}"
    assert extract(text, "text", name="cafe.md") == extract(text.encode("utf-8"), "text", name="cafe.md")
    page = (PAGES / "og_wildfire.html").read_bytes()
    assert extract(page.decode("utf-8"), "html") == extract(page, "html")


def test_decode_keeps_the_page_rules_for_html() -> None:
    page = "<html><head><meta charset='windows-1252'><title>Café</title></head></html>"
    assert decode(page.encode("cp1252"), "html", "page.html") == page
    assert decode(b"\xef\xbb\xbf<p>caf\xc3\xa9</p>", "html", "page.html") == "<p>café</p>"


@pytest.mark.parametrize(("value", "kind"), [
    ("story.html", "html"), ("STORY.HTM", "html"), ("notes.txt", "text"), ("notes.md", "text"),
    ("notes.markdown", "text"), ("text/html", "html"), ("application/xhtml+xml", "html"), ("text/plain", "text"),
    ("text/markdown; charset=utf-8", "text"), ("", "html"),
])
def test_kind_for_a_file_name_or_a_content_type(value: str, kind: str) -> None:
    assert kind_for(value) == kind


@pytest.mark.parametrize(("name", "message"), [
    ("report.pdf", "report.pdf: .pdf not supported; use .html, .htm, .txt or .md"),
    ("README", "README: files without a suffix not supported; use .html, .htm, .txt or .md"),
])
def test_kind_for_refuses_other_files_with_the_uploads_message(name: str, message: str) -> None:
    with pytest.raises(UnsupportedFile) as caught:
        kind_for(name)
    assert str(caught.value) == message


def test_extract_refuses_an_unknown_kind() -> None:
    with pytest.raises(ValueError, match="kind"):
        extract(b"<p>x</p>", "pdf")
