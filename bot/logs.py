"""Logging, set up once at start, and the request each log record belongs to.

A request is one question, command or fetch: `request(kind)` gives it a short id for as long as it runs
(a contextvar, so it follows the work into `asyncio.to_thread` and into threads started with a copied
context). Every record logged meanwhile carries `request_id`, `request_kind` and `front_end`, and the
id of the request it runs inside (`parent_request_id`: the /add command a fetch belongs to).
`log_format: json` writes one JSON object a line, for a log collector; `text` is for people.
"""

from __future__ import annotations

import json
import logging
import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Literal

Format = Literal["text", "json"]

# Libraries that say too much at INFO; they log at WARNING and above unless the level asks for less.
NOISY = ("httpx", "sentence_transformers", "faiss", "bm25s", "trafilatura", "htmldate")


@dataclass(frozen=True)
class Request:
    id: str
    kind: str  # "ask", "add", "/ask", "mention", "fetch", ...
    front_end: str  # "cli", "slash", "mention", "api" (called from Python)
    parent: Request | None = None


_current: ContextVar[Request | None] = ContextVar("eventbot_request", default=None)


def new_id() -> str:
    return secrets.token_hex(4)


def current() -> Request | None:
    """The innermost request running in this context, if any."""
    return _current.get()


def front_end() -> str:
    """Who asked: the current request's front end, or "api" outside any."""
    request = _current.get()
    return request.front_end if request else "api"


@contextmanager
def request(kind: str, front_end: str | None = None, id: str | None = None) -> Iterator[Request]:
    """Run the block as a request: a fresh id (or `id`, e.g. a Discord interaction's), inside the current
    request if there is one (whose front end it keeps unless given)."""
    parent = _current.get()
    made = Request(id or new_id(), kind, front_end or (parent.front_end if parent else "api"), parent)
    token = _current.set(made)
    try:
        yield made
    finally:
        _current.reset(token)


def begin(kind: str, front_end: str, id: str | None = None) -> Request:
    """Make a request current for the rest of the running task (a Discord command's task ends with it)."""
    made = Request(id or new_id(), kind, front_end, _current.get())
    _current.set(made)
    return made


class RequestFilter(logging.Filter):
    """Puts the current request on every record (empty strings outside any)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = _current.get()
        record.request_id = request.id if request else ""
        record.request_kind = request.kind if request else ""
        record.front_end = request.front_end if request else ""
        record.parent_request_id = request.parent.id if request and request.parent else ""
        return True


class TextFormatter(logging.Formatter):
    """`LEVEL logger [request id]: message`; the brackets only inside a request."""

    def format(self, record: logging.LogRecord) -> str:
        rid = getattr(record, "request_id", "")
        line = f"{record.levelname} {record.name}{f' [{rid}]' if rid else ''}: {record.getMessage()}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, the request's fields when
    inside one, and the traceback as `exception`."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("request_id", "request_kind", "front_end", "parent_request_id"):
            if value := getattr(record, key, ""):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class _Handler(logging.StreamHandler):
    """The handler `setup` installs (found again and replaced by a second call). Without a stream of its
    own it writes to whatever `sys.stderr` is when a record comes (a test runner swaps it)."""

    def __init__(self, stream: IO[str] | None) -> None:
        super().__init__(stream)
        self._fixed = stream is not None

    def emit(self, record: logging.LogRecord) -> None:
        if not self._fixed:
            self.stream = sys.stderr
        super().emit(record)


def setup(level: str = "WARNING", fmt: Format = "text", stream: IO[str] | None = None) -> logging.Handler:
    """Send every log record at `level` and above to `stream` (stderr), as text or JSON lines.

    Called once at start by the command line (and `eventbot run`); calling again replaces the handler.
    """
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _Handler)]:
        root.removeHandler(old)
    handler = _Handler(stream)
    handler.addFilter(RequestFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root.addHandler(handler)
    root.setLevel(level)
    quiet = max(logging.WARNING, logging.getLevelName(level))
    for name in NOISY:
        logging.getLogger(name).setLevel(quiet)
    return handler
