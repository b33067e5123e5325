"""HTTP plumbing shared by the REST resources: options, Discord-shaped errors, recording, auth, faults."""

from __future__ import annotations

import hashlib
import json
import logging
import math
import time
import traceback
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Iterable, Protocol

from aiohttp import web
from multidict import CIMultiDict

from .recording import RecordedFile, RecordedRequest, Waitable, monotonic

log = logging.getLogger(__name__)

API_PREFIX = "/api/v10"

Reply = tuple  # (status, body) or (status, body, extra_headers); body None means no content
Handler = Callable[..., Awaitable[Any]]
Route = tuple[str, str, Handler, bool]  # (method, path template, handler, needs bot Authorization)


@dataclass
class Options:
    """The double's settings (defaults and meaning on :class:`DiscordDouble`); tests may change them at any time."""

    token: str
    heartbeat_interval_ms: int
    callback_deadline: float | None
    interaction_token_ttl: float
    attachment_size_limit: int
    echo_bot_messages: bool


class Gateway(Protocol):
    """What the REST resources need of the gateway: the session (None before IDENTIFY) and dispatch."""

    @property
    def session(self) -> Any: ...

    @property
    def intents(self) -> int: ...

    async def dispatch(self, event: str, data: dict[str, Any]) -> int: ...


# -- Discord-shaped errors -------------------------------------------------------------------------


class Reject(Exception):
    """Raised anywhere below a handler: the request is answered with this Discord error instead."""

    def __init__(self, status: int, message: str, code: int, errors: dict[str, Any] | None = None) -> None:
        super().__init__(f"{status} {message} ({code})")
        body: dict[str, Any] = {"message": message, "code": code}
        if errors:
            body["errors"] = errors
        self.reply: Reply = (status, body)


def invalid_form(path: str, code: str, message: str) -> Reject:
    """A 50035 "Invalid Form Body" error for one field (``path`` like ``embeds.0.title``)."""
    errors: dict[str, Any] = {}
    node = errors
    for part in path.split("."):
        node = node.setdefault(part, {})
    node["_errors"] = [{"code": code, "message": message}]
    return Reject(400, "Invalid Form Body", 50035, errors)


UNKNOWN_CODES = {"Channel": 10003, "Guild": 10004, "Member": 10007, "Message": 10008, "User": 10013,
                 "Webhook": 10015, "interaction": 10062, "application command": 10063}


def unknown(what: str) -> Reject:
    """404 "Unknown <what>" with Discord's code; ``what`` is capitalised as Discord does ("Message", "interaction")."""
    return Reject(404, f"Unknown {what}", UNKNOWN_CODES[what])


DEFAULT_FAULT_BODIES: dict[int, dict[str, Any]] = {
    400: {"message": "400: Bad Request", "code": 0},
    401: {"message": "401: Unauthorized", "code": 0},
    403: {"message": "Missing Permissions", "code": 50013},
    404: {"message": "404: Not Found", "code": 0},
    500: {"message": "500: Internal Server Error", "code": 0},
    503: {"message": "503: Service Unavailable", "code": 0},
    504: {"message": "504: Gateway Timeout", "code": 0},
}


def json_body(rec: RecordedRequest) -> dict[str, Any]:
    """The request's JSON object body (``{}`` if there is none)."""
    return rec.json if isinstance(rec.json, dict) else {}


def to_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def bucket_hash(route: str | None) -> str:
    return hashlib.md5((route or "unknown").encode()).hexdigest()[:16]


# -- injected faults ---------------------------------------------------------------------------------


@dataclass
class FaultRule:
    """An injected failure; see :meth:`DiscordDouble.fail_next`."""

    method: str | None
    path_substring: str
    status: int
    retry_after: float
    times: int
    global_: bool = False
    scope: str = "user"
    body: Any = None
    hits: list[RecordedRequest] = field(default_factory=list)

    @property
    def exhausted(self) -> bool:
        return len(self.hits) >= self.times

    def matches(self, rec: RecordedRequest) -> bool:
        if self.exhausted:
            return False
        if self.method not in (None, "*") and self.method.upper() != rec.method:
            return False
        return self.path_substring in rec.path

    def reply(self, rec: RecordedRequest) -> Reply:
        status = self.status
        if status == 429:
            body = self.body or {"message": "You are being rate limited.", "retry_after": self.retry_after,
                                 "global": self.global_}
            headers = {
                # discord.py treats a 429 without a Via header as a Cloudflare ban and does not retry.
                "Via": "1.1 google",
                "Retry-After": str(max(1, math.ceil(self.retry_after))),
                "X-RateLimit-Limit": "5",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": f"{time.time() + self.retry_after:.3f}",
                "X-RateLimit-Reset-After": f"{self.retry_after:.3f}",
                "X-RateLimit-Bucket": bucket_hash(rec.route),
                "X-RateLimit-Scope": "global" if self.global_ else self.scope,
            }
            if self.global_:
                headers["X-RateLimit-Global"] = "true"
            return (429, body, headers)
        if status == 502 and self.body is None:
            # What Cloudflare sends: HTML, not JSON.
            html = "<html><head><title>502 Bad Gateway</title></head><body>502 Bad Gateway</body></html>"
            return (502, html, {"Content-Type": "text/html"})
        body = self.body
        if body is None:
            body = DEFAULT_FAULT_BODIES.get(status, {"message": f"{status}", "code": 0})
        return (status, body)


# -- the router ----------------------------------------------------------------------------------------


class Router:
    """Turns each HTTP request into a :class:`RecordedRequest`, answers it (an injected fault, a 401,
    a handler's reply or a :class:`Reject`) and records it with the answer, in answer order."""

    def __init__(
        self, options: Options, recorded: Waitable[RecordedRequest], classify: Callable[[RecordedRequest], None]
    ) -> None:
        self.options = options
        self.recorded = recorded
        self.classify = classify
        self.faults: list[FaultRule] = []
        self.errors: list[str] = []

    def install(self, app: web.Application, routes: Iterable[Route], attachments: Handler) -> None:
        """Add the API ``routes``, attachment downloads and a catch-all "Unknown route" to ``app``."""
        app.router.add_get("/attachments/{channel_id}/{attachment_id}/{filename}", self._endpoint(attachments))
        for method, template, handler, auth in routes:
            app.router.add_route(method, API_PREFIX + template, self._endpoint(handler, f"{method} {template}", auth))
        app.router.add_route("*", "/{tail:.*}", self._endpoint(unknown_route))

    def _endpoint(self, handler: Handler, route: str | None = None, auth: bool = False) -> Handler:
        async def endpoint(request: web.Request) -> web.StreamResponse:
            rec = await parse_request(request, route)
            rec.params = {k: v for k, v in request.match_info.items() if k != "tail"}
            self.classify(rec)
            fault = next((f for f in self.faults if f.matches(rec)), None)
            if fault is not None:
                fault.hits.append(rec)
                rec.injected = f"fail_next({fault.status})"
                return self._finish(rec, fault.reply(rec))
            if auth and request.headers.get("Authorization") != f"Bot {self.options.token}":
                return self._finish(rec, (401, {"message": "401: Unauthorized", "code": 0}))
            try:
                result = await handler(rec, **rec.params)
            except Reject as rejected:
                result = rejected.reply
            except Exception:
                # A bug in the double must not look like a Discord 5xx (discord.py would retry
                # for ~25 s); answer 400 and make the fixture fail at teardown instead.
                trace = traceback.format_exc()
                self.errors.append(f"{rec!r}\n{trace}")
                log.error("discord double failed on %r\n%s", rec, trace)
                result = (400, {"message": "discord double internal error (see double.errors)", "code": 0})
            return self._finish(rec, result)

        return endpoint

    def _finish(self, rec: RecordedRequest, result: Any) -> web.StreamResponse:
        if isinstance(result, web.StreamResponse):
            rec.status = result.status
            response = result
        else:
            status, body, *rest = result
            extra = rest[0] if rest else {}
            rec.status = status
            rec.response = body
            headers = ratelimit_headers(rec) if status < 400 else {}
            headers.update(extra)
            if body is None:
                response = web.Response(status=status, headers=headers)
            elif isinstance(body, (bytes, str)):
                headers.setdefault("Content-Type", "text/plain")
                raw = body.encode() if isinstance(body, str) else body
                response = web.Response(status=status, body=raw, headers=headers)
            else:
                # Exactly "application/json": discord.py compares the header verbatim, and
                # aiohttp's json_response would append "; charset=utf-8".
                headers["Content-Type"] = "application/json"
                response = web.Response(status=status, body=json.dumps(body).encode(), headers=headers)
        rec.index = len(self.recorded.items)
        self.recorded.append(rec)
        return response


async def unknown_route(rec: RecordedRequest, **_: str) -> Reply:
    return (404, {"message": "Unknown route", "code": 0})


def ratelimit_headers(rec: RecordedRequest) -> dict[str, str]:
    # Generous limits: real per-route limits are not modelled, only injected 429s.
    return {
        "X-RateLimit-Limit": "50",
        "X-RateLimit-Remaining": "49",
        "X-RateLimit-Reset": f"{time.time() + 1:.3f}",
        "X-RateLimit-Reset-After": "1.000",
        "X-RateLimit-Bucket": bucket_hash(rec.route),
    }


async def parse_request(request: web.Request, route: str | None) -> RecordedRequest:
    path = request.path[len(API_PREFIX) :] if request.path.startswith(API_PREFIX + "/") else request.path
    body: Any = None
    files: list[RecordedFile] = []
    ctype = request.headers.get("Content-Type", "")
    if request.can_read_body:
        if ctype.startswith("multipart/"):
            reader = await request.multipart()
            async for part in reader:
                data = await part.read(decode=False)
                if part.name == "payload_json":
                    body = json.loads(data.decode())
                else:
                    files.append(
                        RecordedFile(part.name or "", part.filename, part.headers.get("Content-Type"), bytes(data))
                    )
        else:
            raw = await request.read()
            if raw:
                try:
                    body = json.loads(raw.decode())
                except ValueError:
                    body = raw.decode(errors="replace")
    return RecordedRequest(
        index=-1,
        method=request.method,
        path=path,
        raw_path=request.path_qs,
        query=dict(request.query),
        headers=CIMultiDict(request.headers),
        json=body,
        files=files,
        time=monotonic(),
        wall_time=time.time(),
        route=route,
    )
