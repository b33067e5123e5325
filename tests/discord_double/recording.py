"""What the double records, and event-based waiting on those records."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Generic, Mapping, TypeVar

T = TypeVar("T")


@dataclass
class RecordedFile:
    """One uploaded file of a multipart request (``files[n]`` field)."""

    field_name: str
    filename: str | None
    content_type: str | None
    data: bytes


@dataclass
class RecordedRequest:
    """One HTTP request the client made, with the double's answer.

    ``path`` is relative to the API base (``/channels/1/messages``), ``route`` is the matched
    template (``POST /channels/{channel_id}/messages``, or ``None`` for unknown routes), ``json`` is
    the JSON body, or the ``payload_json`` part of a multipart body. ``kind`` names the
    interaction-related requests: ``callback``, ``followup``, ``get_original``, ``edit_original``,
    ``delete_original``, ``get_followup``, ``edit_followup``, ``delete_followup``; else ``None``.
    ``injected`` is set when the answer came from :meth:`DiscordDouble.fail_next`.
    """

    index: int
    method: str
    path: str
    raw_path: str
    query: dict[str, str]
    headers: Mapping[str, str]  # case-insensitive (a multidict.CIMultiDict)
    json: Any
    files: list[RecordedFile]
    time: float  # time.monotonic()
    wall_time: float  # time.time()
    route: str | None = None
    params: dict[str, str] = field(default_factory=dict)
    status: int = 0
    response: Any = None
    kind: str | None = None
    interaction_id: int | None = None
    injected: str | None = None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def _message(self) -> dict[str, Any]:
        """The message this request sends or edits: the JSON body, or ``data`` of a callback."""
        body = self.json if isinstance(self.json, dict) else {}
        return (body.get("data") or {}) if self.kind == "callback" else body

    @property
    def content(self) -> str | None:
        return self._message.get("content")

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return list(self._message.get("embeds") or [])

    @property
    def flags(self) -> int:
        return int(self._message.get("flags") or 0)

    def __repr__(self) -> str:
        extra = f" kind={self.kind}" if self.kind else ""
        extra += f" injected={self.injected}" if self.injected else ""
        return f"<RecordedRequest #{self.index} {self.method} {self.path} -> {self.status}{extra}>"


@dataclass
class GatewayFrame:
    """One gateway payload, in either direction (``"recv"``: client to double; ``"send"``: double to client)."""

    index: int
    direction: str
    connection: int
    op: int | None
    t: str | None
    s: int | None
    d: Any
    time: float  # time.monotonic()

    def __repr__(self) -> str:
        name = f" {self.t}" if self.t else ""
        return f"<GatewayFrame #{self.index} {self.direction} conn={self.connection} op={self.op}{name} s={self.s}>"


class Waitable(Generic[T]):
    """A growing list of records plus futures waiting for a record that matches a predicate."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.items: list[T] = []
        self._waiters: list[tuple[Callable[[T], bool], asyncio.Future[T]]] = []

    def append(self, item: T) -> None:
        self.items.append(item)
        still_waiting = []
        for predicate, future in self._waiters:
            if future.done():
                continue
            try:
                matched = predicate(item)
            except Exception as exc:  # a broken predicate should fail the waiting test, not the server
                future.set_exception(exc)
                continue
            if matched:
                future.set_result(item)
            else:
                still_waiting.append((predicate, future))
        self._waiters = still_waiting

    async def wait(self, predicate: Callable[[T], bool], timeout: float, since: int = 0) -> T:
        for item in self.items[since:]:
            if predicate(item):
                return item
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._waiters.append((predicate, future))
        try:
            return await asyncio.wait_for(future, timeout)
        except asyncio.TimeoutError:
            recent = "\n  ".join(repr(i) for i in self.items[-15:]) or "(none)"
            raise TimeoutError(
                f"no matching {self.what} within {timeout}s; last {self.what}s:\n  {recent}"
            ) from None
        finally:
            if not future.done():
                future.cancel()

    def cancel_all(self) -> None:
        for _, future in self._waiters:
            if not future.done():
                future.cancel()
        self._waiters = []


def monotonic() -> float:
    return time.monotonic()
