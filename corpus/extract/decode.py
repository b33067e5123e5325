"""Bytes to text: the one place a page's or a file's encoding is decided.

Every way an article arrives (a fetched page, a Discord upload, a local file) goes through `decode`, so
the same bytes always read the same. Web pages: a byte-order mark, else strict UTF-8, else the charset
the page declares (``<meta charset>``, ``<?xml encoding?>``), else detection. Text files: a UTF-16 mark,
else NUL bytes refuse the file, else UTF-8, else windows-1252 when it reads the bytes as cleanly as the
best guess of charset detection, else that guess; text that is still mostly control characters is refused.
"""

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
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)

# How much messier (charset_normalizer's chaos, 0-1) windows-1252 may read legacy text than the detector's
# best guess and still be chosen: detection alone takes a cp1252 file with curly quotes or a euro sign for
# a Baltic or DOS code page, and windows-1252 is what a Western text file that is not UTF-8 nearly always is.
_CP1252_SLACK = 0.05
# Detection's guess is refused above this chaos: the bytes are no text in any encoding.
_MAX_CHAOS = 0.3


def decode(data: bytes, kind: str, label: str) -> str:
    """The text of a page's or a file's bytes.

    Args:
        data: The bytes as fetched, uploaded or read.
        kind: "html" or "text" (see `corpus.extract.kind_for`).
        label: How messages name the bytes: the file name, else the URL.

    Returns:
        The text, without a byte-order mark.

    Raises:
        NotAnArticle: the bytes are binary (NUL bytes, for a page in its first 8 KiB, unless it starts with
            a UTF-16 byte-order mark; for text also mostly control characters) or, for text, no encoding
            reads them.
    """
    if kind == "html":
        if b"\x00" in data[:8192] and not data.startswith(_UTF16_BOMS):
            raise NotAnArticle(f"{label} is a binary file, not a web page")
        return decode_html(data)
    return decode_text(data, label)


def decode_html(data: bytes) -> str:
    """The text of a web page's bytes: BOM, then strict UTF-8, then the declared charset, then detection.

    Args:
        data: The page's bytes.

    Returns:
        The page's text. A declared latin-1 or ascii is read as windows-1252, as browsers do; bytes that
        match no declaration are decoded by trafilatura's detection, which never fails.
    """
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


def decode_text(data: bytes, label: str) -> str:
    """The text of a plain text or Markdown file's bytes.

    Args:
        data: The file's bytes.
        label: How messages name the file.

    Returns:
        The text: UTF-16 when the file starts with its byte-order mark, else UTF-8 (a UTF-8 mark dropped),
        else windows-1252 or the encoding charset detection finds (see `_decode_legacy`).

    Raises:
        NotAnArticle: the file holds NUL bytes (and no UTF-16 mark), no encoding reads it, or what it reads
            as is mostly control characters.
    """
    if data.startswith(_UTF16_BOMS):
        text = data.decode("utf-16", errors="replace")
    elif b"\x00" in data:
        raise NotAnArticle(f"{label} is a binary file, not a text file")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = _decode_legacy(data, label)
    control = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f")
    if control > max(2, len(text) // 100):
        raise NotAnArticle(f"{label} is a binary file, not a text file")
    return text


def _decode_legacy(data: bytes, label: str) -> str:
    """Decode text that is not UTF-8: windows-1252 when it reads as cleanly as detection's guess, else the guess."""
    from charset_normalizer import from_bytes  # a trafilatura dependency

    best = from_bytes(data).best()
    western = from_bytes(data, cp_isolation=["cp1252"]).best()
    if western is not None and (best is None or western.chaos <= best.chaos + _CP1252_SLACK):
        best = western
    if best is None or best.chaos > _MAX_CHAOS:
        raise NotAnArticle(f"{label} could not be read as text (unknown encoding or binary data)")
    log.debug("%s decoded as %s", label, best.encoding)
    return str(best)
