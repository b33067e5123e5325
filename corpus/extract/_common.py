"""What HTML and text extraction share: the article threshold and metadata normalisation."""

from __future__ import annotations

import logging
import re
from datetime import date, datetime
from email.utils import parsedate_to_datetime

log = logging.getLogger(__name__)

MIN_WORDS = 25
"""Fewer words than this in the whole body means there is no article."""

def language_code(value: str | None) -> str | None:
    """Primary language subtag, lower case: "en-GB" -> "en"; None for anything else."""
    if not value:
        return None
    code = re.split(r"[-_]", value.strip(), maxsplit=1)[0].lower()
    return code if re.fullmatch(r"[a-z]{2,3}", code) else None


_TEXT_DATE_FORMATS = ("%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%B %d %Y", "%Y/%m/%d", "%d.%m.%Y")


def iso_date(value: str | None) -> str | None:
    """Normalise a date or datetime string to ISO 8601 (keeping the time if given)."""
    if not value or not value.strip():
        return None
    text = value.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text).isoformat()
        return datetime.fromisoformat(text.replace(" ", "T", 1)).isoformat()
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text).isoformat()  # RFC 2822, as in some feeds
    except (TypeError, ValueError, IndexError):
        pass
    for fmt in _TEXT_DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    log.debug("unparsed date %r", text)
    return None
