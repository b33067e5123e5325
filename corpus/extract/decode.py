"""Bytes to text: the one place a page's or a file's encoding is decided."""

from __future__ import annotations

import codecs
import logging
import re
import unicodedata

import trafilatura

from corpus.errors import NotAnArticle

log = logging.getLogger(__name__)

_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE)
_XML_ENCODING_RE = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:\-]+)""", re.IGNORECASE)


def decode_html(data: bytes) -> str:
    """Decode page bytes: BOM, then strict UTF-8, then the declared charset, then detection."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(encoding, errors="replace").lstrip("\ufeff")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    head = data[:4096]
    match = _XML_ENCODING_RE.search(head) or _META_CHARSET_RE.search(head)
    if match:
        declared = match.group(1).decode("ascii", errors="ignore")
        try:
            encoding = codecs.lookup(declared).name
        except LookupError:
            log.debug("unknown declared charset %r", declared)
        else:
            # Browsers read these labels as windows-1252, and so do pages.
            if encoding in ("latin-1", "iso8859-1", "ascii"):
                encoding = "cp1252"
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                log.debug("page does not decode as its declared %s", encoding)
    # Let trafilatura's detection decide.
    return trafilatura.utils.decode_file(data)


def decode_text(data: bytes, name: str) -> str:
    """Decode a text file, refusing binary data."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", errors="replace")
    elif b"\x00" in data:
        raise NotAnArticle(f"{name} is a binary file, not text")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = _guess_decode(data, name)
    control = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f")
    if control > max(2, len(text) // 100):
        raise NotAnArticle(f"{name} is a binary file, not text")
    return text


def _guess_decode(data: bytes, name: str) -> str:
    """Decode non-UTF-8 text with charset detection, or refuse it."""
    from charset_normalizer import from_bytes  # a trafilatura dependency

    best = from_bytes(data).best()
    if best is None or best.chaos > 0.3:
        raise NotAnArticle(f"{name} could not be read as text (unknown encoding or binary data)")
    log.debug("%s decoded as %s", name, best.encoding)
    return str(best)
