"""Bulk import of already-extracted articles (JSON array or JSON Lines)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from corpus.errors import BadRecord
from corpus.invisible import strip_invisible
from corpus.models import ArticleDraft
from corpus.split import split_paragraphs

REQUIRED = ("title", "url", "body")
OPTIONAL = ("source", "author", "published_at")
_SURROGATE = re.compile("[\ud800-\udfff]")  # lone surrogates (JSON escapes such as \ud800) are not UTF-8


def read_records(path: Path) -> Iterator[tuple[int, dict | BadRecord]]:
    """(position from 1, record or the error for that position) for each record in the file.

    A JSON array is read whole; anything else is read as JSON Lines, where a bad line is reported
    and the rest still read.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise BadRecord(f"cannot read {path}: {e}") from e
    if text.lstrip().startswith("["):
        try:
            records = json.loads(text)
        except json.JSONDecodeError as e:
            raise BadRecord(f"{path} is not valid JSON (line {e.lineno}): {e.msg}") from e
        for position, record in enumerate(records, start=1):
            yield position, record
        return
    position = 0
    for line in text.splitlines():
        if not line.strip():
            continue
        position += 1
        try:
            yield position, json.loads(line)
        except json.JSONDecodeError as e:
            yield position, BadRecord(f"not valid JSON: {e.msg}")


def record_to_draft(record: object, max_paragraph_chars: int = 2000) -> ArticleDraft:
    """Check one record and turn it into an article. Raises `BadRecord` saying what is wrong."""
    if not isinstance(record, dict):
        raise BadRecord(f"expected an object, got {type(record).__name__}")
    for key in REQUIRED:
        if not isinstance(record.get(key), str) or not strip_invisible(record[key]).strip():
            raise BadRecord(f"missing or empty {key!r}")
    for key in OPTIONAL:
        if record.get(key) is not None and not isinstance(record[key], str):
            raise BadRecord(f"{key!r} must be a string")
    record = {k: _SURROGATE.sub("\ufffd", v) if isinstance(v, str) else v for k, v in record.items()}
    url = record["url"].strip()
    try:
        host = urlsplit(url).netloc
    except ValueError:
        host = ""
    if not url.startswith(("http://", "https://")) or not host:
        raise BadRecord(f"'url' must be an http(s) URL, got {url[:60]!r}")
    published = (record.get("published_at") or "").strip() or None
    if published:
        try:
            datetime.fromisoformat(published.replace("Z", "+00:00"))
        except ValueError as e:
            raise BadRecord(f"'published_at' is not an ISO 8601 date: {published!r}") from e
    paragraphs = split_paragraphs(record["body"], max_paragraph_chars)
    if not paragraphs:
        raise BadRecord("'body' holds no text")
    return ArticleDraft(
        title=" ".join(record["title"].split()),
        paragraphs=tuple(paragraphs),
        url=url,
        source=(record.get("source") or "").strip() or None,
        author=(record.get("author") or "").strip() or None,
        published_at=published,
    )
