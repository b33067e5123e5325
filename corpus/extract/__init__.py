"""Turn an HTML page or a local text/Markdown file into an `ArticleDraft`.

HTML goes through trafilatura, tuned for precision (no comments, tables, images
or links), and then through our own boilerplate filter (`corpus.clean`). Page
metadata that trafilatura misses or simplifies (the publication time, the
language, a JSON-LD ``mainEntityOfPage`` URL) is read from JSON-LD and
OpenGraph/meta tags here.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from corpus.errors import NotAnArticle, UnsupportedFile
from corpus.extract._common import KEEP_SUBHEADINGS, MIN_WORDS
from corpus.extract.decode import decode_text
from corpus.extract.html import LOGIN_OR_ERROR, NO_ARTICLE, extract_html
from corpus.extract.text import MARKDOWN_SUFFIXES, extract_text
from corpus.models import ArticleDraft

__all__ = [
    "HTML_SUFFIXES",
    "KEEP_SUBHEADINGS",
    "LOGIN_OR_ERROR",
    "MARKDOWN_SUFFIXES",
    "MIN_WORDS",
    "NO_ARTICLE",
    "TEXT_SUFFIXES",
    "extract_file",
    "extract_html",
    "extract_text",
]

HTML_SUFFIXES = frozenset({".html", ".htm"})
TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown"})


def extract_file(path: Path) -> ArticleDraft:
    """Extract the article held in a local file.

    ``.html``/``.htm`` files go through `extract_html` (the URL is the page's
    canonical URL if it declares one, else None); ``.txt``, ``.md`` and
    ``.markdown`` files through `extract_text`.

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
    data = path.read_bytes()
    if not data.strip():
        raise NotAnArticle(f"{path.name} is empty")
    if suffix in HTML_SUFFIXES:
        if b"\x00" in data[:8192] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise NotAnArticle(f"{path.name} is a binary file, not a web page")
        return extract_html(data)
    return extract_text(decode_text(data, path.name), name=path.name)
