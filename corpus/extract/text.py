"""The article of a plain text or Markdown file: title line, ``Key: value`` header, paragraphs."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from urllib.parse import urlsplit

from corpus.bylines import byline_names
from corpus.clean import Block, clean_blocks, collapse_whitespace, word_count
from corpus.errors import NotAnArticle
from corpus.extract._common import MIN_WORDS, iso_date, language_code
from corpus.invisible import strip_invisible
from corpus.models import ArticleDraft

log = logging.getLogger(__name__)

MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})


_FRONT_MATTER_KEYS = {
    "source": "source",
    "outlet": "source",
    "publisher": "source",
    "site": "source",
    "author": "author",
    "authors": "author",
    "by": "author",
    "byline": "author",
    "date": "published_at",
    "published": "published_at",
    "published_at": "published_at",
    "url": "url",
    "link": "url",
    "canonical": "url",
    "language": "language",
    "lang": "language",
    "title": "title",
}
_FRONT_MATTER_LINE_RE = re.compile(r"^\s*([A-Za-z_ ]{2,15}?)\s*:\s*(.+?)\s*$")

_MD_HEADING_RE = re.compile(r"^\s{0,3}#{1,6}\s*(.*?)\s*#*\s*$")
_MD_SETEXT_RE = re.compile(r"^\s{0,3}(?:=+|-+)\s*$")
_MD_RULE_RE = re.compile(r"^\s{0,3}(?:(?:-\s*){3,}|(?:\*\s*){3,}|(?:_\s*){3,})$")
_MD_BULLET_RE = re.compile(r"^\s{0,8}(?:[-*+•]|\d{1,3}[.)])\s+")
_MD_QUOTE_RE = re.compile(r"^\s{0,3}>\s?")
_MD_FENCE_RE = re.compile(r"^\s{0,3}(?:```|~~~)")
_MD_REF_DEF_RE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*\S+")
_MD_INLINE = (
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), ""),  # images
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # links
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),  # reference links
    (re.compile(r"<(https?://[^>\s]+)>"), r"\1"),  # autolinks
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),  # strong
    (re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])"), r"\1"),  # emphasis *x*
    (re.compile(r"(?<![\w_])_(?=\S)(.+?)(?<=\S)_(?![\w_])"), r"\1"),  # emphasis _x_
    (re.compile(r"~~(?=\S)(.+?)(?<=\S)~~"), r"\1"),  # strikethrough
    (re.compile(r"`([^`]+)`"), r"\1"),  # code
)
# A first line this long is a sentence, not a title.
_MAX_TITLE_WORDS = 25


def extract_text(text: str, name: str | None = None) -> ArticleDraft:
    """Read an article from plain text or Markdown.

    The title is the first non-empty line (Markdown heading markers removed;
    a YAML ``title:`` wins). If that line is longer than 25 words it is kept as
    body text and the title is made from `name` instead.
    Lines right after the title of the form ``Key: value`` fill metadata:
    ``Source:``/``Outlet:``/``Publisher:``, ``Author:``/``By:``, ``Date:``/
    ``Published:`` (ISO 8601 or e.g. "March 4, 2026"), ``URL:``/``Link:`` and
    ``Language:``; a bare byline (``By Name``, ``Written by Name``: see
    `corpus.bylines.byline_names`) sets the author. A leading YAML
    front-matter block (between ``---`` lines) with the same keys is read too.
    The body is the blank-line separated paragraphs after that; lines within
    a paragraph are joined. For Markdown (`name` ending in .md/.markdown, or no
    `name`), emphasis, link syntax, list bullets, block-quote markers, code
    fences and horizontal rules are stripped; each list item becomes its own
    paragraph; section headings in the body become the context (`headings`) of
    the paragraphs below them, as in HTML, never paragraphs. The same boilerplate filter as for HTML applies.

    Args:
        text: The file's text.
        name: The file name, if any: selects Markdown handling by suffix and
            provides a fallback title.

    Returns:
        The article, with `url` from the front matter if given (http/https
        only), else None. A date that cannot be parsed is kept as written in
        ``extra["date_text"]``.

    Raises:
        NotAnArticle: no title or fewer than `MIN_WORDS` words of body text.
    """
    markdown = name is None or Path(name).suffix.lower() in MARKDOWN_SUFFIXES
    text = strip_invisible(text)  # read as a reader sees it: "By Ana\u2067 Brisk" is a byline
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    fields: dict[str, str] = {}
    lines = _read_yaml_front_matter(lines, fields)

    # Title: the first non-empty line.
    index = next((i for i, line in enumerate(lines) if line.strip()), None)
    if index is None:
        raise NotAnArticle(f"{_file_label(name)} is empty")
    first = lines[index]
    title_line = _MD_HEADING_RE.sub(r"\1", first) if markdown else first
    title_line = _strip_inline_markdown(title_line) if markdown else title_line
    title = collapse_whitespace(title_line)
    rest = lines[index + 1 :]
    if markdown and rest and _MD_SETEXT_RE.match(rest[0]):
        rest = rest[1:]
    if len(title.split()) > _MAX_TITLE_WORDS and name:
        # No title line: the file starts with body text.
        title = collapse_whitespace(re.sub(r"[-_]+", " ", Path(name).stem)).capitalize()
        rest = lines[index:]
    rest = _read_header_lines(rest, fields)

    blocks = _markdown_blocks(rest) if markdown else [Block(b) for b in _plain_blocks(rest)]
    title = fields.pop("title", None) or title
    sections = clean_blocks(blocks)
    paragraphs = [text for text, _ in sections]
    if not title:
        raise NotAnArticle(f"{_file_label(name)} has no title line")
    if sum(word_count(p) for p in paragraphs) < MIN_WORDS:
        raise NotAnArticle(f"{_file_label(name)} holds too little text to be an article")

    published = fields.get("published_at")
    extra: dict[str, str] = {}
    published_iso = iso_date(published) if published else None
    if published and not published_iso:
        extra["date_text"] = published
    url = fields.get("url")
    if url and urlsplit(url).scheme not in ("http", "https"):
        log.debug("ignoring non-web URL %r in %s", url, _file_label(name))
        url = None
    return ArticleDraft(
        title=title,
        paragraphs=tuple(paragraphs),
        headings=tuple(h for _, h in sections) if any(h for _, h in sections) else (),
        url=url,
        source=fields.get("source"),
        author=fields.get("author"),
        published_at=published_iso,
        language=language_code(fields.get("language")),
        extra=extra,
    )


def _file_label(name: str | None) -> str:
    return Path(name).name if name else "that text"


def _read_yaml_front_matter(lines: list[str], fields: dict[str, str]) -> list[str]:
    """Consume a leading ``---`` ... ``---`` block of ``key: value`` lines."""
    if not lines or lines[0].strip() != "---":
        return lines
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            for line in lines[1:end]:
                _take_field(line, fields)
            return lines[end + 1 :]
    return lines


def _read_header_lines(lines: list[str], fields: dict[str, str]) -> list[str]:
    """Consume ``Key: value`` and ``By Name`` lines right after the title."""
    index = 0
    while index < len(lines):
        line = lines[index]
        if not line.strip():
            index += 1
            continue
        if _take_field(line, fields):
            index += 1
            continue
        # "By Ana Brisk" / "BY ANA BRISK and Dario Fenn": capitalised names only, nothing else on the line.
        names = byline_names(_strip_inline_markdown(line))
        standalone = index + 1 == len(lines) or not lines[index + 1].strip() or _take_field(lines[index + 1], {})
        if names and standalone and "author" not in fields:
            fields["author"] = names
            index += 1
            continue
        break
    return lines[index:]


def _take_field(line: str, fields: dict[str, str]) -> bool:
    """Store a known ``Key: value`` line in `fields`; False if it is not one."""
    match = _FRONT_MATTER_LINE_RE.match(_strip_inline_markdown(line))
    if not match:
        return False
    key = _FRONT_MATTER_KEYS.get(match.group(1).strip().lower().replace(" ", "_"))
    if key is None:
        return False
    fields.setdefault(key, match.group(2).strip().strip("\"'"))
    return True


def _plain_blocks(lines: list[str]) -> list[str]:
    """Blank-line separated paragraphs, lines joined with spaces."""
    blocks: list[str] = []
    current: list[str] = []
    for line in [*lines, ""]:
        if line.strip():
            current.append(line.strip())
        elif current:
            blocks.append(" ".join(current))
            current = []
    return blocks


def _markdown_blocks(lines: list[str]) -> list[Block]:
    """Paragraphs and headings of a Markdown body with the markup stripped."""
    blocks: list[Block] = []
    current: list[str] = []

    def flush() -> None:
        if current:
            blocks.append(Block(_strip_inline_markdown(" ".join(current))))
            current.clear()

    for line in lines:
        if _MD_FENCE_RE.match(line) or _MD_REF_DEF_RE.match(line):
            continue
        if _MD_SETEXT_RE.match(line) and len(current) == 1:
            # "Heading\n-------": the line collected so far is a heading.
            blocks.append(Block(_strip_inline_markdown(current[0]), heading=True))
            current.clear()
            continue
        if not line.strip() or _MD_RULE_RE.match(line):
            flush()
            continue
        line = _MD_QUOTE_RE.sub("", line)
        heading = _MD_HEADING_RE.match(line) if line.lstrip().startswith("#") else None
        if heading:
            flush()
            blocks.append(Block(_strip_inline_markdown(heading.group(1)), heading=True))
            continue
        bullet = _MD_BULLET_RE.match(line)
        if bullet:
            flush()
            line = line[bullet.end() :]
        current.append(line.strip())
    flush()
    return blocks


def _strip_inline_markdown(text: str) -> str:
    for pattern, replacement in _MD_INLINE:
        text = pattern.sub(replacement, text)
    return text
