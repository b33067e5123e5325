"""Turn a web page or a text/Markdown file into an `ArticleDraft`: one entry point, one decode path.

`extract(content, kind, url=..., name=...)` takes the bytes (or text) of a fetched page, a Discord upload
or a local file; `kind_for` says which kind a file name or a Content-Type is. Bytes are decoded by
`corpus.extract.decode` whichever way they came, so the same file reads the same from the CLI and from
Discord. HTML goes through trafilatura and our boilerplate filter (`corpus.extract.html`), plain text and
Markdown through `corpus.extract.text`.
"""

from __future__ import annotations

import re
from pathlib import Path

from corpus import provenance
from corpus.errors import NotAnArticle, UnsupportedFile
from corpus.extract._common import MIN_WORDS
from corpus.extract.decode import decode
from corpus.extract.html import LOGIN_OR_ERROR, NO_ARTICLE, extract_html
from corpus.extract.text import MARKDOWN_SUFFIXES, extract_text
from corpus.models import ArticleDraft

__all__ = [
    "HTML_SUFFIXES",
    "LOGIN_OR_ERROR",
    "MARKDOWN_SUFFIXES",
    "MIN_WORDS",
    "NO_ARTICLE",
    "TEXT_SUFFIXES",
    "TEXT_TYPES",
    "extract",
    "extract_file",
    "extract_html",
    "extract_text",
    "kind_for",
]

HTML_SUFFIXES = frozenset({".html", ".htm"})
TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown"})
TEXT_TYPES = frozenset({"text/plain", "text/markdown"})
"""Content-Types read as text; a fetched page of any other type is read as HTML."""

_MEDIA_TYPE_RE = re.compile(
    r"(?:application|audio|font|image|message|model|multipart|text|video)/[\w.+\-]+\s*(?:;.*)?", re.IGNORECASE
)
_KINDS = ("html", "text")


def kind_for(name_or_content_type: str) -> str:
    """How to read a file or a fetched page: "html" or "text".

    Args:
        name_or_content_type: A file name ("notes.md") or a page's Content-Type ("text/plain",
            "text/html; charset=utf-8"). An empty Content-Type (the server sent none) reads as HTML.

    Returns:
        "text" for .txt, .md and .markdown files and text/plain or text/markdown pages; "html" for .html
        and .htm files and pages of any other type.

    Raises:
        UnsupportedFile: a file name with any other suffix, or none.
    """
    value = name_or_content_type.strip()
    suffix = Path(value).suffix.lower()
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in TEXT_SUFFIXES:
        return "text"
    if not value or _MEDIA_TYPE_RE.fullmatch(value):
        return "text" if value.split(";")[0].strip().lower() in TEXT_TYPES else "html"
    raise UnsupportedFile(f"{name_or_content_type}: {suffix or 'files without a suffix'} not supported; "
                          "use .html, .htm, .txt or .md")


def extract(content: bytes | str, kind: str, *, url: str | None = None, name: str | None = None) -> ArticleDraft:
    """Extract the article of a page or a file, from its bytes or its text.

    Bytes are decoded by `corpus.extract.decode.decode`: the one decoding path for fetched pages, uploads
    and local files.

    Args:
        content: The page or file, as bytes (decoded here) or as text.
        kind: "html" or "text" (see `kind_for`). Text whose `name` ends in .md or .markdown, or that has no
            name, is read as Markdown.
        url: Where the content came from: resolves a page's relative canonical URL and is the article's
            URL when the content declares none.
        name: The file name, if any: names the file in messages and gives a text file its fallback title.

    Returns:
        The article.

    Raises:
        NotAnArticle: the content is empty, binary, not decodable as text, or holds no article text.
        ValueError: `kind` is neither "html" nor "text".
    """
    if kind not in _KINDS:
        raise ValueError(f"kind must be 'html' or 'text', not {kind!r}")
    if isinstance(content, bytes):
        label = Path(name).name if name else url or "that file"
        if name and not content.strip():
            raise NotAnArticle(f"{label} is empty")
        content = decode(content, kind, label)
    if kind == "html":
        return extract_html(content, url=url)
    return provenance.settle(extract_text(content, name=name), url)


def extract_file(path: Path) -> ArticleDraft:
    """Extract the article held in a local file, through `extract` like any other bytes.

    ``.html``/``.htm`` files are read as HTML (the URL is the page's canonical
    URL if it declares one, else None); ``.txt``, ``.md`` and ``.markdown``
    files as text.

    Args:
        path: The file to read.

    Returns:
        The article.

    Raises:
        UnsupportedFile: any other file type.
        NotAnArticle: the file is empty, binary, not decodable as text, or
            holds no article text.
        OSError: the file cannot be read.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in HTML_SUFFIXES and suffix not in TEXT_SUFFIXES:
        kind = f"{suffix} files are" if suffix else "files without an extension are"
        raise UnsupportedFile(f"cannot read {path.name}: {kind} not supported; use .html, .htm, .txt or .md")
    return extract(path.read_bytes(), kind_for(path.name), name=path.name)
