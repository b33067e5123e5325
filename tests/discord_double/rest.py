"""The REST half of the double: routes, recording, injected faults, messages and interactions."""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
import time
import traceback
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Awaitable, Callable

from aiohttp import web
from multidict import CIMultiDict

from . import world as w
from .recording import RecordedFile, RecordedRequest, monotonic

if TYPE_CHECKING:
    from .server import DiscordDouble

log = logging.getLogger(__name__)

API_PREFIX = "/api/v10"

Reply = tuple  # (status, body) or (status, body, extra_headers); body None means no content


# -- Discord-shaped error bodies -----------------------------------------------------------------


def _error(status: int, message: str, code: int, errors: dict[str, Any] | None = None) -> Reply:
    body: dict[str, Any] = {"message": message, "code": code}
    if errors:
        body["errors"] = errors
    return (status, body)


def _form_error(path: str, code: str, message: str) -> Reply:
    """A 50035 "Invalid Form Body" error for one field (``path`` like ``embeds.0.title``)."""
    errors: dict[str, Any] = {}
    node = errors
    for part in path.split("."):
        node = node.setdefault(part, {})
    node["_errors"] = [{"code": code, "message": message}]
    return _error(400, "Invalid Form Body", 50035, errors)


UNKNOWN_CHANNEL = (404, {"message": "Unknown Channel", "code": 10003})
UNKNOWN_MESSAGE = (404, {"message": "Unknown Message", "code": 10008})
UNKNOWN_WEBHOOK = (404, {"message": "Unknown Webhook", "code": 10015})
UNKNOWN_INTERACTION = (404, {"message": "Unknown interaction", "code": 10062})
UNKNOWN_COMMAND = (404, {"message": "Unknown application command", "code": 10063})
UNKNOWN_MEMBER = (404, {"message": "Unknown Member", "code": 10007})
UNKNOWN_USER = (404, {"message": "Unknown User", "code": 10013})
UNKNOWN_GUILD = (404, {"message": "Unknown Guild", "code": 10004})
ALREADY_ACKNOWLEDGED = (400, {"message": "Interaction has already been acknowledged.", "code": 40060})
EMPTY_MESSAGE = (400, {"message": "Cannot send an empty message", "code": 50006})
INVALID_WEBHOOK_TOKEN = (401, {"message": "Invalid Webhook Token", "code": 50027})
UNAUTHORIZED = (401, {"message": "401: Unauthorized", "code": 0})

DEFAULT_FAULT_BODIES: dict[int, dict[str, Any]] = {
    400: {"message": "400: Bad Request", "code": 0},
    401: {"message": "401: Unauthorized", "code": 0},
    403: {"message": "Missing Permissions", "code": 50013},
    404: {"message": "404: Not Found", "code": 0},
    500: {"message": "500: Internal Server Error", "code": 0},
    503: {"message": "503: Service Unavailable", "code": 0},
    504: {"message": "504: Gateway Timeout", "code": 0},
}


# -- message validation (limits from Discord's docs) ---------------------------------------------

EMBED_LIMITS = {"title": 256, "description": 4096}
EMBED_TOTAL_LIMIT = 6000


def validate_message_body(body: dict[str, Any]) -> Reply | None:
    """Check the limits Discord enforces on message bodies; ``None`` when the body is acceptable."""
    content = body.get("content")
    if content is not None:
        if not isinstance(content, str):
            return _form_error("content", "BASE_TYPE_STRING", "Must be a string.")
        if len(content) > 2000:
            return _form_error("content", "BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length.")
    too_long = "BASE_TYPE_MAX_LENGTH"
    embeds = body.get("embeds")
    if embeds is not None:
        if len(embeds) > 10:
            return _form_error("embeds", "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
        total = 0
        for i, embed in enumerate(embeds):
            for key, limit in EMBED_LIMITS.items():
                value = embed.get(key)
                if value is not None:
                    total += len(value)
                    if len(value) > limit:
                        return _form_error(
                            f"embeds.{i}.{key}", "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length."
                        )
            fields = embed.get("fields") or []
            if len(fields) > 25:
                return _form_error(f"embeds.{i}.fields", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
            for j, fld in enumerate(fields):
                for key, limit in (("name", 256), ("value", 1024)):
                    value = fld.get(key)
                    if value is None or str(value) == "":
                        where = f"embeds.{i}.fields.{j}.{key}"
                        return _form_error(where, "BASE_TYPE_REQUIRED", "This field is required")
                    if len(str(value)) > limit:
                        where = f"embeds.{i}.fields.{j}.{key}"
                        return _form_error(where, too_long, f"Must be {limit} or fewer in length.")
                    total += len(str(value))
            footer = (embed.get("footer") or {}).get("text")
            if footer is not None:
                total += len(footer)
                if len(footer) > 2048:
                    return _form_error(f"embeds.{i}.footer.text", too_long, "Must be 2048 or fewer in length.")
            author = (embed.get("author") or {}).get("name")
            if author is not None:
                total += len(author)
                if len(author) > 256:
                    return _form_error(f"embeds.{i}.author.name", too_long, "Must be 256 or fewer in length.")
        if total > EMBED_TOTAL_LIMIT:
            return _form_error("embeds", "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000")
    return None


def is_empty_message(message: dict[str, Any]) -> bool:
    if int(message.get("flags") or 0) & w.FLAG_IS_COMPONENTS_V2:
        return not message.get("components")
    return not (
        (message.get("content") or "").strip()
        or message.get("embeds")
        or message.get("attachments")
        or message.get("components")
        or message.get("sticker_items")
        or message.get("poll")
    )


COMMAND_NAME_RE = re.compile(r"^[-_'\w]{1,32}$", re.UNICODE)


def validate_command(cmd: dict[str, Any], path: str) -> Reply | None:
    """The checks Discord applies on command sync that a bot most often trips over."""
    name = cmd.get("name") or ""
    ctype = cmd.get("type", 1)
    if not COMMAND_NAME_RE.match(name) or (ctype == 1 and name != name.lower()):
        return _form_error(f"{path}.name", "APPLICATION_COMMAND_INVALID_NAME", f"Command name is invalid: {name!r}")
    if ctype == 1:
        desc = cmd.get("description") or ""
        if not 1 <= len(desc) <= 100:
            return _form_error(f"{path}.description", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
    options = cmd.get("options") or []
    if len(options) > 25:
        return _form_error(f"{path}.options", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    seen_optional = False
    for i, opt in enumerate(options):
        if opt.get("type") in (1, 2):
            err = validate_command(dict(opt, type=1), f"{path}.options.{i}")
            if err:
                return err
            continue
        if not opt.get("required"):
            seen_optional = True
        elif seen_optional:
            return _form_error(
                f"{path}.options.{i}",
                "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                "Required options must be placed before non-required options",
            )
        err = validate_command(dict(opt, type=1, options=[]), f"{path}.options.{i}")
        if err:
            return err
    return None


# -- the interaction and message stores ------------------------------------------------------------


@dataclass
class InteractionRecord:
    """An interaction the double sent, and what the bot did with it.

    ``response_type`` is the callback type the bot answered with (4 message, 5 deferred,
    6 deferred update, 7 update, 8 autocomplete, 9 modal), ``original_message_id`` the message that
    the initial response created (or updated), ``followup_message_ids`` the followups.
    """

    id: int
    token: str
    type: int
    name: str | None
    channel_id: int
    user_id: int
    payload: dict[str, Any]
    created_at: float
    response_type: int | None = None
    acknowledged_at: float | None = None
    ephemeral: bool = False
    original_message_id: int | None = None
    followup_message_ids: list[int] = field(default_factory=list)
    autocomplete_choices: list[dict[str, Any]] | None = None
    modal: dict[str, Any] | None = None

    @property
    def acknowledged(self) -> bool:
        return self.response_type is not None


@dataclass
class StoredMessage:
    payload: dict[str, Any]
    channel_id: int
    interaction_id: int | None = None
    deleted: bool = False
    versions: list[dict[str, Any]] = field(default_factory=list)  # earlier versions, oldest first

    @property
    def id(self) -> int:
        return int(self.payload["id"])

    @property
    def ephemeral(self) -> bool:
        return bool(int(self.payload.get("flags") or 0) & w.FLAG_EPHEMERAL)


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


MENTION_RE = re.compile(r"<@!?(\d+)>")
ROLE_MENTION_RE = re.compile(r"<@&(\d+)>")
EVERYONE_RE = re.compile(r"@(everyone|here)")


def bucket_hash(route: str | None) -> str:
    return hashlib.md5((route or "unknown").encode()).hexdigest()[:16]


class RestMixin:
    """REST behaviour of :class:`DiscordDouble` (split out for readability)."""

    def _rest_init(self: DiscordDouble) -> None:
        self.interactions: dict[int, InteractionRecord] = {}
        self._interactions_by_token: dict[str, InteractionRecord] = {}
        self._messages: dict[int, StoredMessage] = {}
        self._blobs: dict[int, tuple[bytes, str | None]] = {}
        self.commands: dict[int | None, list[dict[str, Any]]] = {}
        self.faults: list[FaultRule] = []
        self.errors: list[str] = []

    # -- routing ---------------------------------------------------------------------------------

    def _routes(self: DiscordDouble) -> list[tuple[str, str, Callable[..., Awaitable[Reply]], bool]]:
        """(method, path template, handler, needs bot Authorization)."""
        app_cmds = "/applications/{application_id}/commands"
        guild_cmds = "/applications/{application_id}/guilds/{guild_id}/commands"
        msg = "/channels/{channel_id}/messages/{message_id}"
        hook_msg = "/webhooks/{application_id}/{token}/messages/{message_id}"
        return [
            ("GET", "/gateway", self._get_gateway, False),
            ("GET", "/gateway/bot", self._get_gateway_bot, True),
            ("GET", "/users/@me", self._get_me, True),
            ("GET", "/users/{user_id}", self._get_user, True),
            ("GET", "/oauth2/applications/@me", self._get_application, True),
            ("GET", "/applications/@me", self._get_application, True),
            ("GET", app_cmds, self._get_commands, True),
            ("PUT", app_cmds, self._put_commands, True),
            ("POST", app_cmds, self._post_command, True),
            ("GET", app_cmds + "/{command_id}", self._get_command, True),
            ("PATCH", app_cmds + "/{command_id}", self._patch_command, True),
            ("DELETE", app_cmds + "/{command_id}", self._delete_command, True),
            ("GET", guild_cmds, self._get_commands, True),
            ("PUT", guild_cmds, self._put_commands, True),
            ("POST", guild_cmds, self._post_command, True),
            ("GET", guild_cmds + "/{command_id}", self._get_command, True),
            ("PATCH", guild_cmds + "/{command_id}", self._patch_command, True),
            ("DELETE", guild_cmds + "/{command_id}", self._delete_command, True),
            ("POST", "/interactions/{interaction_id}/{token}/callback", self._post_callback, False),
            ("POST", "/webhooks/{application_id}/{token}", self._post_followup, False),
            ("GET", hook_msg, self._get_webhook_message, False),
            ("PATCH", hook_msg, self._patch_webhook_message, False),
            ("DELETE", hook_msg, self._delete_webhook_message, False),
            ("GET", "/channels/{channel_id}", self._get_channel, True),
            ("GET", "/channels/{channel_id}/messages", self._get_messages, True),
            ("POST", "/channels/{channel_id}/messages", self._post_message, True),
            ("GET", msg, self._get_message, True),
            ("PATCH", msg, self._patch_message, True),
            ("DELETE", msg, self._delete_message, True),
            ("POST", "/channels/{channel_id}/typing", self._post_typing, True),
            ("POST", "/channels/{channel_id}/threads", self._post_thread, True),
            ("POST", msg + "/threads", self._post_thread, True),
            ("PUT", msg + "/reactions/{emoji}/@me", self._put_reaction, True),
            ("DELETE", msg + "/reactions/{emoji}/@me", self._put_reaction, True),
            ("GET", "/guilds/{guild_id}", self._get_guild, True),
            ("GET", "/guilds/{guild_id}/channels", self._get_guild_channels, True),
            ("GET", "/guilds/{guild_id}/roles", self._get_guild_roles, True),
            ("GET", "/guilds/{guild_id}/members/{user_id}", self._get_member, True),
        ]

    def _install_routes(self: DiscordDouble, app: web.Application) -> None:
        app.router.add_get("/ws", self._ws_handler)
        app.router.add_get("/resume", self._ws_handler)
        attachments = self._wrap(self._get_attachment, None, False)
        app.router.add_get("/attachments/{channel_id}/{attachment_id}/{filename}", attachments)
        for method, template, handler, auth in self._routes():
            app.router.add_route(method, API_PREFIX + template, self._wrap(handler, f"{method} {template}", auth))
        app.router.add_route("*", "/{tail:.*}", self._wrap(self._unknown_route, None, False))

    def _wrap(self: DiscordDouble, handler: Callable[..., Awaitable[Any]], route: str | None, auth: bool) -> Callable:
        async def endpoint(request: web.Request) -> web.StreamResponse:
            rec = await self._parse_request(request, route)
            params = {k: v for k, v in request.match_info.items() if k != "tail"}
            rec.params = params
            self._classify(rec)
            result: Any
            fault = next((f for f in self.faults if f.matches(rec)), None)
            if fault is not None:
                fault.hits.append(rec)
                rec.injected = f"fail_next({fault.status})"
                return self._finish(rec, self._fault_response(fault, rec))
            if auth and request.headers.get("Authorization") != f"Bot {self.token}":
                return self._finish(rec, UNAUTHORIZED)
            try:
                result = await handler(rec, **params)
            except Exception:
                # A bug in the double must not look like a Discord 5xx (discord.py would retry
                # for ~25 s); answer 400 and make the fixture fail at teardown instead.
                trace = traceback.format_exc()
                self.errors.append(f"{rec!r}\n{trace}")
                log.error("discord double failed on %r\n%s", rec, trace)
                result = (400, {"message": "discord double internal error (see double.errors)", "code": 0})
            return self._finish(rec, result)

        return endpoint

    async def _parse_request(self: DiscordDouble, request: web.Request, route: str | None) -> RecordedRequest:
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

    def _classify(self: DiscordDouble, rec: RecordedRequest) -> None:
        p = rec.params
        if rec.route is None:
            return
        if "/callback" in rec.route:
            rec.kind = "callback"
            rec.interaction_id = _int(p.get("interaction_id"))
            return
        if rec.route.split(" ", 1)[1].startswith("/webhooks/"):
            inter = self._interactions_by_token.get(p.get("token", ""))
            rec.interaction_id = inter.id if inter else None
            if "message_id" not in p:
                rec.kind = "followup" if rec.method == "POST" else None
            else:
                target = "original" if p["message_id"] == "@original" else "followup"
                verb = {"GET": "get", "PATCH": "edit", "DELETE": "delete"}[rec.method]
                rec.kind = f"{verb}_{target}"

    def _finish(self: DiscordDouble, rec: RecordedRequest, result: Any) -> web.StreamResponse:
        if isinstance(result, web.StreamResponse):
            rec.status = result.status
            response = result
        else:
            status, body, *rest = result
            extra = rest[0] if rest else {}
            rec.status = status
            rec.response = body
            headers = self._ratelimit_headers(rec) if status < 400 else {}
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
        rec.index = len(self._requests.items)
        self._requests.append(rec)
        return response

    def _ratelimit_headers(self: DiscordDouble, rec: RecordedRequest) -> dict[str, str]:
        # Generous limits: real per-route limits are not modelled, only injected 429s.
        return {
            "X-RateLimit-Limit": "50",
            "X-RateLimit-Remaining": "49",
            "X-RateLimit-Reset": f"{time.time() + 1:.3f}",
            "X-RateLimit-Reset-After": "1.000",
            "X-RateLimit-Bucket": bucket_hash(rec.route),
        }

    def _fault_response(self: DiscordDouble, fault: FaultRule, rec: RecordedRequest) -> Reply:
        status = fault.status
        if status == 429:
            body = fault.body or {
                "message": "You are being rate limited.",
                "retry_after": fault.retry_after,
                "global": fault.global_,
            }
            headers = {
                # discord.py treats a 429 without a Via header as a Cloudflare ban and does not retry.
                "Via": "1.1 google",
                "Retry-After": str(max(1, math.ceil(fault.retry_after))),
                "X-RateLimit-Limit": "5",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": f"{time.time() + fault.retry_after:.3f}",
                "X-RateLimit-Reset-After": f"{fault.retry_after:.3f}",
                "X-RateLimit-Bucket": bucket_hash(rec.route),
                "X-RateLimit-Scope": "global" if fault.global_ else fault.scope,
            }
            if fault.global_:
                headers["X-RateLimit-Global"] = "true"
            return (429, body, headers)
        if status == 502 and fault.body is None:
            # What Cloudflare sends: HTML, not JSON.
            html = "<html><head><title>502 Bad Gateway</title></head><body>502 Bad Gateway</body></html>"
            return (502, html, {"Content-Type": "text/html"})
        body = fault.body
        if body is None:
            body = DEFAULT_FAULT_BODIES.get(status, {"message": f"{status}", "code": 0})
        return (status, body)

    # -- simple routes ---------------------------------------------------------------------------

    async def _unknown_route(self: DiscordDouble, rec: RecordedRequest, **_: str) -> Reply:
        return (404, {"message": "Unknown route", "code": 0})

    async def _get_gateway(self: DiscordDouble, rec: RecordedRequest) -> Reply:
        return (200, {"url": self.gateway_url})

    async def _get_gateway_bot(self: DiscordDouble, rec: RecordedRequest) -> Reply:
        return (
            200,
            {
                "url": self.gateway_url,
                "shards": 1,
                "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 14400000, "max_concurrency": 1},
            },
        )

    async def _get_me(self: DiscordDouble, rec: RecordedRequest) -> Reply:
        return (200, self.world.me_payload())

    async def _get_user(self: DiscordDouble, rec: RecordedRequest, user_id: str) -> Reply:
        member = self.world.find_member_by_id(user_id)
        return (200, member.user.payload()) if member else UNKNOWN_USER

    async def _get_application(self: DiscordDouble, rec: RecordedRequest) -> Reply:
        return (200, self.world.application_payload())

    async def _get_guild(self: DiscordDouble, rec: RecordedRequest, guild_id: str) -> Reply:
        if _int(guild_id) != self.world.guild_id:
            return UNKNOWN_GUILD
        return (200, self.world.guild_payload(full=False))

    async def _get_guild_channels(self: DiscordDouble, rec: RecordedRequest, guild_id: str) -> Reply:
        if _int(guild_id) != self.world.guild_id:
            return UNKNOWN_GUILD
        return (200, [c.payload() for c in self.world.channels.values() if not c.is_thread])

    async def _get_guild_roles(self: DiscordDouble, rec: RecordedRequest, guild_id: str) -> Reply:
        if _int(guild_id) != self.world.guild_id:
            return UNKNOWN_GUILD
        return (200, [r.payload() for r in self.world.roles.values()])

    async def _get_member(self: DiscordDouble, rec: RecordedRequest, guild_id: str, user_id: str) -> Reply:
        if _int(guild_id) != self.world.guild_id:
            return UNKNOWN_GUILD
        member = self.world.find_member_by_id(user_id)
        return (200, member.payload()) if member else UNKNOWN_MEMBER

    async def _get_channel(self: DiscordDouble, rec: RecordedRequest, channel_id: str) -> Reply:
        channel = self.world.find_channel_by_id(channel_id)
        return (200, channel.payload()) if channel else UNKNOWN_CHANNEL

    async def _post_typing(self: DiscordDouble, rec: RecordedRequest, channel_id: str) -> Reply:
        return (204, None) if self.world.find_channel_by_id(channel_id) else UNKNOWN_CHANNEL

    async def _put_reaction(
        self: DiscordDouble, rec: RecordedRequest, channel_id: str, message_id: str, emoji: str
    ) -> Reply:
        stored = self._messages.get(_int(message_id))
        if stored is None or stored.deleted or str(stored.channel_id) != channel_id:
            return UNKNOWN_MESSAGE
        return (204, None)

    async def _get_attachment(
        self: DiscordDouble, rec: RecordedRequest, channel_id: str, attachment_id: str, filename: str
    ) -> Any:
        blob = self._blobs.get(_int(attachment_id))
        if blob is None:
            return (404, "Not Found")
        data, content_type = blob
        return web.Response(body=data, headers={"Content-Type": content_type or "application/octet-stream"})

    # -- application commands --------------------------------------------------------------------

    def _command_scope(
        self: DiscordDouble, application_id: str, guild_id: str | None
    ) -> tuple[int | None, Reply | None]:
        if _int(application_id) != self.world.application_id:
            return None, (403, {"message": "Missing Access", "code": 50001})
        if guild_id is not None and _int(guild_id) != self.world.guild_id:
            return None, (403, {"message": "Missing Access", "code": 50001})
        return (_int(guild_id) if guild_id else None), None

    def _store_command(
        self: DiscordDouble, scope: int | None, body: dict[str, Any], existing: dict[str, Any] | None
    ) -> dict[str, Any]:
        cmd = {
            "id": existing["id"] if existing else str(self.world.snowflake()),
            "application_id": str(self.world.application_id),
            "version": str(self.world.snowflake()),
            "type": body.get("type", 1),
            "name": body["name"],
            "name_localizations": body.get("name_localizations"),
            "description": body.get("description", ""),
            "description_localizations": body.get("description_localizations"),
            "options": body.get("options") or [],
            # Discord accepts a number or a string and always answers with a string.
            "default_member_permissions": (
                None if body.get("default_member_permissions") is None else str(body["default_member_permissions"])
            ),
            "dm_permission": body.get("dm_permission", True),
            "contexts": body.get("contexts"),
            "integration_types": body.get("integration_types", [0]),
            "nsfw": body.get("nsfw", False),
        }
        if scope is not None:
            cmd["guild_id"] = str(scope)
        return cmd

    async def _get_commands(
        self: DiscordDouble, rec: RecordedRequest, application_id: str, guild_id: str | None = None
    ) -> Reply:
        scope, err = self._command_scope(application_id, guild_id)
        return err or (200, list(self.commands.get(scope, [])))

    async def _put_commands(
        self: DiscordDouble, rec: RecordedRequest, application_id: str, guild_id: str | None = None
    ) -> Reply:
        scope, err = self._command_scope(application_id, guild_id)
        if err:
            return err
        body = rec.json or []
        if len(body) > 100:
            return _form_error("_", "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length.")
        for i, cmd in enumerate(body):
            err = validate_command(cmd, str(i))
            if err:
                return err
        old = {(c["name"], c["type"]): c for c in self.commands.get(scope, [])}
        self.commands[scope] = [self._store_command(scope, c, old.get((c["name"], c.get("type", 1)))) for c in body]
        return (200, list(self.commands[scope]))

    async def _post_command(
        self: DiscordDouble, rec: RecordedRequest, application_id: str, guild_id: str | None = None
    ) -> Reply:
        scope, err = self._command_scope(application_id, guild_id)
        if err:
            return err
        body = rec.json or {}
        err = validate_command(body, "_")
        if err:
            return err
        cmds = self.commands.setdefault(scope, [])
        existing = next((c for c in cmds if c["name"] == body["name"] and c["type"] == body.get("type", 1)), None)
        cmd = self._store_command(scope, body, existing)
        if existing:
            cmds[cmds.index(existing)] = cmd
            return (200, cmd)
        cmds.append(cmd)
        return (201, cmd)

    def _find_stored_command(self: DiscordDouble, scope: int | None, command_id: str) -> dict[str, Any] | None:
        return next((c for c in self.commands.get(scope, []) if c["id"] == command_id), None)

    async def _get_command(
        self: DiscordDouble, rec: RecordedRequest, application_id: str, command_id: str, guild_id: str | None = None
    ) -> Reply:
        scope, err = self._command_scope(application_id, guild_id)
        cmd = None if err else self._find_stored_command(scope, command_id)
        return err or ((200, cmd) if cmd else UNKNOWN_COMMAND)

    async def _patch_command(
        self: DiscordDouble, rec: RecordedRequest, application_id: str, command_id: str, guild_id: str | None = None
    ) -> Reply:
        scope, err = self._command_scope(application_id, guild_id)
        if err:
            return err
        cmd = self._find_stored_command(scope, command_id)
        if cmd is None:
            return UNKNOWN_COMMAND
        cmd.update({k: v for k, v in (rec.json or {}).items() if k in cmd})
        cmd["version"] = str(self.world.snowflake())
        return (200, cmd)

    async def _delete_command(
        self: DiscordDouble, rec: RecordedRequest, application_id: str, command_id: str, guild_id: str | None = None
    ) -> Reply:
        scope, err = self._command_scope(application_id, guild_id)
        if err:
            return err
        cmd = self._find_stored_command(scope, command_id)
        if cmd is None:
            return UNKNOWN_COMMAND
        self.commands[scope].remove(cmd)
        return (204, None)

    # -- messages: building, storing, echoing ----------------------------------------------------

    def _make_attachments(
        self: DiscordDouble,
        channel_id: int,
        body: dict[str, Any],
        files: list[RecordedFile],
        keep: list[dict[str, Any]],
    ) -> list[dict[str, Any]]:
        """Attachments of a created/edited message: kept old ones plus uploaded ``files[n]`` parts."""
        by_index = {}
        for f in files:
            m = re.match(r"files\[(\d+)\]", f.field_name)
            by_index[m.group(1) if m else f.field_name] = f
        result: list[dict[str, Any]] = []
        keep_by_id = {a["id"]: a for a in keep}
        listed = body.get("attachments")
        if listed is None:
            result.extend(keep)
            listed = [{"id": k} for k in by_index]
        for entry in listed:
            key = str(entry.get("id"))
            if key in keep_by_id:
                result.append(keep_by_id[key])
            elif key in by_index:
                f = by_index[key]
                filename = entry.get("filename") or f.filename or "file"
                spec = w.AttachmentSpec(filename, f.data, f.content_type, entry.get("description"))
                result.append(self._store_blob(channel_id, spec, ephemeral=False))
        return result

    def _store_blob(self: DiscordDouble, channel_id: int, spec: w.AttachmentSpec, *, ephemeral: bool) -> dict[str, Any]:
        att_id = self.world.snowflake()
        self._blobs[att_id] = (spec.data, spec.content_type)
        now = int(time.time())
        # Signed-CDN-style query (expiry, issued, hash); the double does not check it.
        query = f"?ex={now + 86400:x}&is={now:x}&hm={hashlib.sha256(spec.data).hexdigest()[:64]}&"
        url = f"{self.base_url}/attachments/{channel_id}/{att_id}/{spec.filename}{query}"
        data: dict[str, Any] = {
            "id": str(att_id),
            "filename": spec.filename,
            "size": len(spec.data),
            "url": url,
            "proxy_url": url,
            "content_type": spec.content_type,
            "flags": 0,
        }
        if spec.description is not None:
            data["description"] = spec.description
        if ephemeral:
            data["ephemeral"] = True
        return data

    def _mentions_for(
        self: DiscordDouble, content: str, allowed: dict[str, Any] | None
    ) -> tuple[list[dict[str, Any]], list[str]]:
        users, roles = [], []
        parse = None if allowed is None else set(allowed.get("parse") or [])
        allowed_users = set(map(str, (allowed or {}).get("users") or []))
        allowed_roles = set(map(str, (allowed or {}).get("roles") or []))
        for uid in dict.fromkeys(MENTION_RE.findall(content or "")):
            member = self.world.find_member_by_id(uid)
            if member is None or (parse is not None and "users" not in parse and uid not in allowed_users):
                continue
            data = member.user.payload()
            data["member"] = member.payload(with_user=False)
            users.append(data)
        for rid in dict.fromkeys(ROLE_MENTION_RE.findall(content or "")):
            if parse is not None and "roles" not in parse and rid not in allowed_roles:
                continue
            roles.append(rid)
        return users, roles

    @staticmethod
    def _mentions_everyone(content: str, allowed: dict[str, Any] | None) -> bool:
        """Whether ``@everyone``/``@here`` in the content pings (no allowed_mentions: everything may)."""
        if allowed is not None and "everyone" not in (allowed.get("parse") or []):
            return False
        return EVERYONE_RE.search(content or "") is not None

    def _new_message(
        self: DiscordDouble,
        *,
        channel: w.Channel,
        author: w.User,
        body: dict[str, Any],
        attachments: list[dict[str, Any]],
        type: int = w.MESSAGE_DEFAULT,
        flags: int = 0,
        interaction: InteractionRecord | None = None,
        reference: dict[str, Any] | None = None,
    ) -> StoredMessage:
        content = body.get("content") or ""
        mentions, mention_roles = self._mentions_for(content, body.get("allowed_mentions"))
        message: dict[str, Any] = {
            "id": str(self.world.snowflake()),
            "channel_id": str(channel.id),
            "author": author.payload(),
            "content": content,
            "timestamp": w.iso(),
            "edited_timestamp": None,
            "tts": bool(body.get("tts", False)),
            "mention_everyone": self._mentions_everyone(content, body.get("allowed_mentions")),
            "mentions": mentions,
            "mention_roles": mention_roles,
            "attachments": attachments,
            "embeds": list(body.get("embeds") or []),
            "pinned": False,
            "type": type,
            "flags": flags,
            "components": list(body.get("components") or []),
        }
        if body.get("nonce") is not None:
            message["nonce"] = body["nonce"]
        if body.get("poll") is not None:
            message["poll"] = body["poll"]
        if reference is not None:
            message["message_reference"] = reference["reference"]
            message["referenced_message"] = reference["message"]
        if interaction is not None:
            message["webhook_id"] = str(self.world.application_id)
            message["application_id"] = str(self.world.application_id)
            message["interaction_metadata"] = {
                "id": str(interaction.id),
                "type": interaction.type,
                "name": interaction.name,
                "command_type": 1,
                "user": self.world.member(interaction.user_id).user.payload(),
                "authorizing_integration_owners": {"0": str(self.world.guild_id)},
            }
        stored = StoredMessage(message, channel.id, interaction.id if interaction else None)
        self._messages[stored.id] = stored
        channel.last_message_id = stored.id
        return stored

    def _edit_message(
        self: DiscordDouble, stored: StoredMessage, body: dict[str, Any], files: list[RecordedFile]
    ) -> Reply | None:
        """Apply an edit body; returns an error reply, or None (the message is updated in place)."""
        err = validate_message_body(body)
        if err:
            return err
        new = dict(stored.payload)
        for key in ("content", "embeds", "components"):
            if key in body:
                new[key] = body[key] if body[key] is not None else ("" if key == "content" else [])
        if "content" in body:
            new["mentions"], new["mention_roles"] = self._mentions_for(new["content"], body.get("allowed_mentions"))
            new["mention_everyone"] = self._mentions_everyone(new["content"], body.get("allowed_mentions"))
        if "attachments" in body or files:
            old = stored.payload.get("attachments", [])
            new["attachments"] = self._make_attachments(stored.channel_id, body, files, old)
        flags = int(new.get("flags") or 0)
        was_loading = bool(flags & w.FLAG_LOADING)
        if "flags" in body and body["flags"] is not None:
            # Only SUPPRESS_EMBEDS (4) can be changed by an edit; ephemeral/loading are Discord's.
            flags = (flags & ~4) | (int(body["flags"]) & 4)
        flags &= ~w.FLAG_LOADING
        new["flags"] = flags
        if is_empty_message(new):
            return EMPTY_MESSAGE
        if not was_loading:
            new["edited_timestamp"] = w.iso()
        stored.versions.append(stored.payload)
        stored.payload = new
        return None

    def _gateway_copy(self: DiscordDouble, stored: StoredMessage) -> dict[str, Any]:
        data = dict(stored.payload)
        data["guild_id"] = str(self.world.guild_id)
        author = self.world.find_member_by_id(data["author"]["id"])
        if author is not None and "webhook_id" not in data:
            data["member"] = author.payload(with_user=False)
        return data

    async def _echo(self: DiscordDouble, event: str, stored: StoredMessage) -> None:
        """Tell the client about its own message, as Discord does (non-ephemeral only)."""
        if not self.echo_bot_messages or stored.ephemeral or self.session is None:
            return
        if not self.intents & w.INTENT_GUILD_MESSAGES:
            return
        if event == "MESSAGE_DELETE":
            data = {"id": str(stored.id), "channel_id": str(stored.channel_id), "guild_id": str(self.world.guild_id)}
        else:
            data = self._gateway_copy(stored)
        await self.dispatch(event, data)

    def _reference_for(
        self: DiscordDouble, channel: w.Channel, ref: dict[str, Any] | None
    ) -> tuple[dict[str, Any] | None, Reply | None]:
        if not ref:
            return None, None
        target = self._messages.get(_int(ref.get("message_id")))
        if target is None or target.deleted:
            if ref.get("fail_if_not_exists", True):
                return None, _form_error(
                    "message_reference", "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message"
                )
            return None, None
        reference = {
            "type": ref.get("type", 0),
            "message_id": str(target.id),
            "channel_id": str(target.channel_id),
            "guild_id": str(self.world.guild_id),
        }
        referenced = {k: v for k, v in target.payload.items() if k != "referenced_message"}
        return {"reference": reference, "message": referenced}, None

    def _upload_too_large(self: DiscordDouble, files: list[RecordedFile]) -> bool:
        return sum(len(f.data) for f in files) > self.attachment_size_limit

    # -- channel messages ------------------------------------------------------------------------

    async def _post_message(self: DiscordDouble, rec: RecordedRequest, channel_id: str) -> Reply:
        channel = self.world.find_channel_by_id(channel_id)
        if channel is None or channel.type == w.GUILD_CATEGORY:
            return UNKNOWN_CHANNEL
        body = rec.json if isinstance(rec.json, dict) else {}
        if self._upload_too_large(rec.files):
            return (413, {"message": "Request entity too large", "code": 40005})
        err = validate_message_body(body)
        if err:
            return err
        reference, err = self._reference_for(channel, body.get("message_reference"))
        if err:
            return err
        attachments = self._make_attachments(channel.id, body, rec.files, [])
        probe = dict(body, attachments=attachments, sticker_items=body.get("sticker_ids"))
        if is_empty_message(probe):
            return EMPTY_MESSAGE
        flags = int(body.get("flags") or 0) & (4 | 4096 | w.FLAG_IS_COMPONENTS_V2)
        stored = self._new_message(
            channel=channel,
            author=self.world.bot,
            body=body,
            attachments=attachments,
            type=w.MESSAGE_REPLY if reference else w.MESSAGE_DEFAULT,
            flags=flags,
            reference=reference,
        )
        await self._echo("MESSAGE_CREATE", stored)
        return (200, stored.payload)

    def _channel_message(self: DiscordDouble, channel_id: str, message_id: str) -> StoredMessage | None:
        stored = self._messages.get(_int(message_id))
        if stored is None or stored.deleted or str(stored.channel_id) != channel_id or stored.ephemeral:
            return None
        return stored

    async def _get_message(self: DiscordDouble, rec: RecordedRequest, channel_id: str, message_id: str) -> Reply:
        stored = self._channel_message(channel_id, message_id)
        return (200, stored.payload) if stored else UNKNOWN_MESSAGE

    async def _get_messages(self: DiscordDouble, rec: RecordedRequest, channel_id: str) -> Reply:
        if self.world.find_channel_by_id(channel_id) is None:
            return UNKNOWN_CHANNEL
        limit = min(100, int(rec.query.get("limit", 50)))
        items = [
            m
            for m in self._messages.values()
            if str(m.channel_id) == channel_id and not m.deleted and not m.ephemeral
        ]
        if "before" in rec.query:
            items = [m for m in items if m.id < int(rec.query["before"])]
        if "after" in rec.query:
            items = [m for m in items if m.id > int(rec.query["after"])]
            items = items[:limit]
        else:
            items = items[-limit:]
        return (200, [m.payload for m in reversed(items)])

    async def _patch_message(self: DiscordDouble, rec: RecordedRequest, channel_id: str, message_id: str) -> Reply:
        stored = self._channel_message(channel_id, message_id)
        if stored is None:
            return UNKNOWN_MESSAGE
        if str(stored.payload["author"]["id"]) != str(self.world.bot.id):
            return (403, {"message": "Cannot edit a message authored by another user", "code": 50005})
        err = self._edit_message(stored, rec.json if isinstance(rec.json, dict) else {}, rec.files)
        if err:
            return err
        await self._echo("MESSAGE_UPDATE", stored)
        return (200, stored.payload)

    async def _delete_message(self: DiscordDouble, rec: RecordedRequest, channel_id: str, message_id: str) -> Reply:
        stored = self._channel_message(channel_id, message_id)
        if stored is None:
            return UNKNOWN_MESSAGE
        stored.deleted = True
        await self._echo("MESSAGE_DELETE", stored)
        return (204, None)

    async def _post_thread(
        self: DiscordDouble, rec: RecordedRequest, channel_id: str, message_id: str | None = None
    ) -> Reply:
        parent = self.world.find_channel_by_id(channel_id)
        if parent is None or parent.type != w.GUILD_TEXT:
            return UNKNOWN_CHANNEL
        body = rec.json if isinstance(rec.json, dict) else {}
        name = body.get("name") or ""
        if not 1 <= len(name) <= 100:
            return _form_error("name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
        thread_id = None
        if message_id is not None:
            if self._channel_message(channel_id, message_id) is None:
                return UNKNOWN_MESSAGE
            # A thread started from a message has the message's id.
            thread_id = int(message_id)
            if self.world.find_channel_by_id(thread_id) is not None:
                return (400, {"message": "A thread has already been created for this message", "code": 160004})
        private = message_id is None and body.get("type") == w.PRIVATE_THREAD
        thread = self.world.add_thread(parent, name, private=private, thread_id=thread_id)
        if self.session is not None:
            await self.dispatch("THREAD_CREATE", dict(thread.payload(), newly_created=True))
        return (201, thread.payload())

    # -- interactions ----------------------------------------------------------------------------

    async def _post_callback(self: DiscordDouble, rec: RecordedRequest, interaction_id: str, token: str) -> Reply:
        inter = self.interactions.get(_int(interaction_id))
        if inter is None or inter.token != token:
            return UNKNOWN_INTERACTION
        if inter.acknowledged:
            return ALREADY_ACKNOWLEDGED
        if self.callback_deadline is not None and rec.time - inter.created_at > self.callback_deadline:
            # Discord gives 3 s for the initial response; after that the token is dead for callbacks.
            return UNKNOWN_INTERACTION
        body = rec.json if isinstance(rec.json, dict) else {}
        cb_type = body.get("type")
        data = body.get("data") or {}
        allowed = {2: {4, 5, 9}, 3: {4, 5, 6, 7, 9}, 4: {8}, 5: {4, 5, 6, 7}}.get(inter.type, set())
        if cb_type not in allowed:
            why = f"Callback type {cb_type} is not valid for interaction type {inter.type}"
            return _form_error("type", "INTERACTION_CALLBACK_TYPE_INVALID", why)
        channel = self.world.channel(inter.channel_id)
        resource: dict[str, Any] = {"type": cb_type}
        stored: StoredMessage | None = None

        if cb_type == 4:
            if self._upload_too_large(rec.files):
                return (413, {"message": "Request entity too large", "code": 40005})
            err = validate_message_body(data)
            if err:
                return err
            attachments = self._make_attachments(channel.id, data, rec.files, [])
            if is_empty_message(dict(data, attachments=attachments)):
                return EMPTY_MESSAGE
            flags = int(data.get("flags") or 0) & (w.FLAG_EPHEMERAL | 4 | 4096 | w.FLAG_IS_COMPONENTS_V2)
            stored = self._new_message(
                channel=channel, author=self.world.bot, body=data, attachments=attachments,
                type=w.MESSAGE_CHAT_INPUT_COMMAND, flags=flags, interaction=inter,
            )
            inter.original_message_id = stored.id
        elif cb_type == 5:
            flags = w.FLAG_LOADING | (int(data.get("flags") or 0) & w.FLAG_EPHEMERAL)
            stored = self._new_message(
                channel=channel, author=self.world.bot, body={}, attachments=[],
                type=w.MESSAGE_CHAT_INPUT_COMMAND, flags=flags, interaction=inter,
            )
            inter.original_message_id = stored.id
        elif cb_type in (6, 7):
            target = self._messages.get(_int(inter.payload.get("message", {}).get("id")))
            if target is None:
                return UNKNOWN_MESSAGE
            inter.original_message_id = target.id
            if cb_type == 7:
                err = self._edit_message(target, data, rec.files)
                if err:
                    return err
                stored = target
        elif cb_type == 8:
            choices = data.get("choices") or []
            if len(choices) > 25:
                return _form_error("data.choices", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
            inter.autocomplete_choices = choices
        elif cb_type == 9:
            inter.modal = data

        inter.response_type = cb_type
        inter.acknowledged_at = rec.time
        inter.ephemeral = bool(stored and stored.ephemeral)
        if stored is not None:
            resource["message"] = stored.payload
            await self._echo("MESSAGE_UPDATE" if cb_type == 7 else "MESSAGE_CREATE", stored)
        if rec.query.get("with_response") not in ("1", "true", "True"):
            return (204, None)
        return (
            200,
            {
                "interaction": {
                    "id": str(inter.id),
                    "type": inter.type,
                    "response_message_id": str(stored.id) if stored else None,
                    "response_message_loading": bool(stored and stored.payload["flags"] & w.FLAG_LOADING),
                    "response_message_ephemeral": inter.ephemeral,
                },
                "resource": resource,
            },
        )

    def _webhook_interaction(
        self: DiscordDouble, rec: RecordedRequest, application_id: str, token: str
    ) -> tuple[InteractionRecord | None, Reply | None]:
        inter = self._interactions_by_token.get(token)
        if inter is None or _int(application_id) != self.world.application_id:
            return None, UNKNOWN_WEBHOOK
        if rec.time - inter.created_at > self.interaction_token_ttl:
            return None, INVALID_WEBHOOK_TOKEN
        if not inter.acknowledged:
            # The interaction webhook only exists once the interaction has been responded to.
            return None, UNKNOWN_WEBHOOK
        return inter, None

    async def _post_followup(self: DiscordDouble, rec: RecordedRequest, application_id: str, token: str) -> Reply:
        inter, err = self._webhook_interaction(rec, application_id, token)
        if err:
            return err
        assert inter is not None
        body = rec.json if isinstance(rec.json, dict) else {}
        if self._upload_too_large(rec.files):
            return (413, {"message": "Request entity too large", "code": 40005})
        err = validate_message_body(body)
        if err:
            return err
        original = self._messages.get(inter.original_message_id or 0)
        still_thinking = original is not None and not original.deleted and original.payload["flags"] & w.FLAG_LOADING
        if inter.response_type == 5 and still_thinking:
            # Discord: after a deferred response, the first followup replaces the "thinking"
            # message (and keeps the ephemeral choice made when deferring).
            err = self._edit_message(original, body, rec.files)
            if err:
                return err
            await self._echo("MESSAGE_UPDATE", original)
            stored = original
        else:
            attachments = self._make_attachments(inter.channel_id, body, rec.files, [])
            if is_empty_message(dict(body, attachments=attachments)):
                return EMPTY_MESSAGE
            flags = int(body.get("flags") or 0) & (w.FLAG_EPHEMERAL | 4 | 4096 | w.FLAG_IS_COMPONENTS_V2)
            stored = self._new_message(
                channel=self.world.channel(inter.channel_id), author=self.world.bot, body=body,
                attachments=attachments, type=w.MESSAGE_CHAT_INPUT_COMMAND, flags=flags, interaction=inter,
            )
            inter.followup_message_ids.append(stored.id)
            await self._echo("MESSAGE_CREATE", stored)
        if rec.query.get("wait") in ("0", "false", "False"):
            return (204, None)
        return (200, stored.payload)

    def _webhook_message(self: DiscordDouble, inter: InteractionRecord, message_id: str) -> StoredMessage | None:
        mid = inter.original_message_id if message_id == "@original" else _int(message_id)
        if mid is None or (mid != inter.original_message_id and mid not in inter.followup_message_ids):
            return None
        stored = self._messages.get(mid)
        return None if stored is None or stored.deleted else stored

    async def _get_webhook_message(
        self: DiscordDouble, rec: RecordedRequest, application_id: str, token: str, message_id: str
    ) -> Reply:
        inter, err = self._webhook_interaction(rec, application_id, token)
        if err:
            return err
        stored = self._webhook_message(inter, message_id)
        return (200, stored.payload) if stored else UNKNOWN_MESSAGE

    async def _patch_webhook_message(
        self: DiscordDouble, rec: RecordedRequest, application_id: str, token: str, message_id: str
    ) -> Reply:
        inter, err = self._webhook_interaction(rec, application_id, token)
        if err:
            return err
        stored = self._webhook_message(inter, message_id)
        if stored is None:
            return UNKNOWN_MESSAGE
        if self._upload_too_large(rec.files):
            return (413, {"message": "Request entity too large", "code": 40005})
        err = self._edit_message(stored, rec.json if isinstance(rec.json, dict) else {}, rec.files)
        if err:
            return err
        await self._echo("MESSAGE_UPDATE", stored)
        return (200, stored.payload)

    async def _delete_webhook_message(
        self: DiscordDouble, rec: RecordedRequest, application_id: str, token: str, message_id: str
    ) -> Reply:
        inter, err = self._webhook_interaction(rec, application_id, token)
        if err:
            return err
        stored = self._webhook_message(inter, message_id)
        if stored is None:
            return UNKNOWN_MESSAGE
        stored.deleted = True
        await self._echo("MESSAGE_DELETE", stored)
        return (204, None)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
