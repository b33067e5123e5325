"""Messages as Discord holds them (with attachments and the echo of the bot's own), and the channel
routes: channels, messages, history, typing, threads, reactions and attachment downloads."""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from aiohttp import web

from . import world as w
from .recording import RecordedFile, RecordedRequest
from .routing import Gateway, Options, Reject, Reply, Route, invalid_form, json_body, to_int, unknown
from .validation import check_message, check_not_empty, check_upload

if TYPE_CHECKING:
    from .interactions import InteractionRecord

MENTION_RE = re.compile(r"<@!?(\d+)>")
ROLE_MENTION_RE = re.compile(r"<@&(\d+)>")
EVERYONE_RE = re.compile(r"@(everyone|here)")
SUPPRESS_EMBEDS = 4
SUPPRESS_NOTIFICATIONS = 4096


@dataclass
class StoredMessage:
    payload: dict[str, Any]
    channel_id: int
    interaction_id: int | None = None
    deleted: bool = False
    versions: list[dict[str, Any]] = field(default_factory=list)  # earlier versions, oldest first
    reactions: set[str] = field(default_factory=set)  # the bot's own reactions (URL-encoded emoji)

    @property
    def id(self) -> int:
        return int(self.payload["id"])

    @property
    def ephemeral(self) -> bool:
        return bool(int(self.payload.get("flags") or 0) & w.FLAG_EPHEMERAL)


class MessageStore:
    """Every message and uploaded file the double holds. Builds, edits and deletes messages, and
    tells the client about the bot's own, as Discord does."""

    def __init__(self, world: w.World, options: Options, gateway: Gateway, base_url: Callable[[], str]) -> None:
        self.world = world
        self.options = options
        self.gateway = gateway
        self.base_url = base_url
        self.by_id: dict[int, StoredMessage] = {}
        self.blobs: dict[int, tuple[bytes, str | None]] = {}

    # -- finding ---------------------------------------------------------------------------------

    def live(self, message_id: Any) -> StoredMessage | None:
        """The message, unless unknown or deleted."""
        stored = self.by_id.get(to_int(message_id))
        return None if stored is None or stored.deleted else stored

    def in_channel(self, channel_id: str, message_id: str, *, include_ephemeral: bool = False) -> StoredMessage:
        """The live message ``message_id`` of channel ``channel_id``; raises 404 Unknown Message."""
        stored = self.live(message_id)
        if stored is None or str(stored.channel_id) != channel_id or (stored.ephemeral and not include_ephemeral):
            raise unknown("Message")
        return stored

    def channel_messages(self, channel_id: int, *, include_ephemeral: bool = True) -> list[StoredMessage]:
        return [
            m
            for m in self.by_id.values()
            if m.channel_id == channel_id and not m.deleted and (include_ephemeral or not m.ephemeral)
        ]

    # -- the bot sends, edits, deletes -------------------------------------------------------------

    def send(
        self, channel: w.Channel, body: dict[str, Any], files: list[RecordedFile],
        interaction: InteractionRecord | None = None,
    ) -> StoredMessage:
        """A message the bot posts in ``channel``, or as a response to ``interaction``, after Discord's
        checks in Discord's order. Only channel posts can reply or carry stickers; only interaction
        responses can be ephemeral."""
        check_upload(files, self.options.attachment_size_limit)
        check_message(body)
        reference = None if interaction else self.reference_for(body.get("message_reference"))
        attachments = self.make_attachments(channel.id, body, files, [])
        probe = dict(body, attachments=attachments)
        if interaction is None:
            probe["sticker_items"] = body.get("sticker_ids")
        check_not_empty(probe)
        mask = SUPPRESS_EMBEDS | SUPPRESS_NOTIFICATIONS | w.FLAG_IS_COMPONENTS_V2
        if interaction is not None:
            mask |= w.FLAG_EPHEMERAL
            kind = w.MESSAGE_CHAT_INPUT_COMMAND
        else:
            kind = w.MESSAGE_REPLY if reference else w.MESSAGE_DEFAULT
        return self.create(
            channel=channel, author=self.world.bot, body=body, attachments=attachments, type=kind,
            flags=int(body.get("flags") or 0) & mask, interaction=interaction, reference=reference,
        )

    def create(
        self, *, channel: w.Channel, author: w.User, body: dict[str, Any], attachments: list[dict[str, Any]],
        type: int = w.MESSAGE_DEFAULT, flags: int = 0, interaction: InteractionRecord | None = None,
        reference: dict[str, Any] | None = None,
    ) -> StoredMessage:
        """Store a message as given (no checks)."""
        content = body.get("content") or ""
        mentions, mention_roles = self.mentions_for(content, body.get("allowed_mentions"))
        message: dict[str, Any] = {
            "id": str(self.world.snowflake()),
            "channel_id": str(channel.id),
            "author": author.payload(),
            "content": content,
            "timestamp": w.iso(),
            "edited_timestamp": None,
            "tts": bool(body.get("tts", False)),
            "mention_everyone": mentions_everyone(content, body.get("allowed_mentions")),
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
        self.by_id[stored.id] = stored
        channel.last_message_id = stored.id
        return stored

    def edit(self, stored: StoredMessage, body: dict[str, Any], files: list[RecordedFile]) -> None:
        """Apply an edit body in place (raises Reject, leaving the message as it was)."""
        check_message(body)
        new = dict(stored.payload)
        for key in ("content", "embeds", "components"):
            if key in body:
                new[key] = body[key] if body[key] is not None else ("" if key == "content" else [])
        if "content" in body:
            new["mentions"], new["mention_roles"] = self.mentions_for(new["content"], body.get("allowed_mentions"))
            new["mention_everyone"] = mentions_everyone(new["content"], body.get("allowed_mentions"))
        if "attachments" in body or files:
            old = stored.payload.get("attachments", [])
            new["attachments"] = self.make_attachments(stored.channel_id, body, files, old)
        flags = int(new.get("flags") or 0)
        was_loading = bool(flags & w.FLAG_LOADING)
        if "flags" in body and body["flags"] is not None:
            # Only SUPPRESS_EMBEDS can be changed by an edit; ephemeral/loading are Discord's.
            flags = (flags & ~SUPPRESS_EMBEDS) | (int(body["flags"]) & SUPPRESS_EMBEDS)
        flags &= ~w.FLAG_LOADING
        new["flags"] = flags
        check_not_empty(new)
        if not was_loading:
            new["edited_timestamp"] = w.iso()
        stored.versions.append(stored.payload)
        stored.payload = new

    async def update(self, stored: StoredMessage, body: dict[str, Any], files: list[RecordedFile]) -> Reply:
        """Edit, echo MESSAGE_UPDATE, answer with the new message."""
        self.edit(stored, body, files)
        await self.echo("MESSAGE_UPDATE", stored)
        return (200, stored.payload)

    async def delete(self, stored: StoredMessage) -> Reply:
        stored.deleted = True
        await self.echo("MESSAGE_DELETE", stored)
        return (204, None)

    async def echo(self, event: str, stored: StoredMessage) -> None:
        """Tell the client about its own message, as Discord does (non-ephemeral only)."""
        if not self.options.echo_bot_messages or stored.ephemeral or self.gateway.session is None:
            return
        dm = self.is_dm(stored.channel_id)
        if not self.gateway.intents & (w.INTENT_DIRECT_MESSAGES if dm else w.INTENT_GUILD_MESSAGES):
            return
        if event == "MESSAGE_DELETE":
            data = {"id": str(stored.id), "channel_id": str(stored.channel_id)}
            if not dm:
                data["guild_id"] = str(self.world.guild_id)
        else:
            data = self.gateway_copy(stored)
        await self.gateway.dispatch(event, data)

    def is_dm(self, channel_id: int) -> bool:
        channel = self.world.find_channel_by_id(channel_id)
        return channel is not None and channel.is_dm

    def gateway_copy(self, stored: StoredMessage) -> dict[str, Any]:
        """The message as MESSAGE_CREATE/UPDATE carries it: in a guild, with ``guild_id`` and the author's
        ``member``; in a DM, neither."""
        data = dict(stored.payload)
        if self.is_dm(stored.channel_id):
            return data
        data["guild_id"] = str(self.world.guild_id)
        author = self.world.find_member_by_id(data["author"]["id"])
        if author is not None and "webhook_id" not in data:
            data["member"] = author.payload(with_user=False)
        return data

    # -- parts of a message --------------------------------------------------------------------------

    def reference_for(self, ref: dict[str, Any] | None) -> dict[str, Any] | None:
        """``message_reference`` and ``referenced_message`` of a reply (raises 50035 for an unknown
        message unless ``fail_if_not_exists`` is false)."""
        if not ref:
            return None
        target = self.live(ref.get("message_id"))
        if target is None:
            if ref.get("fail_if_not_exists", True):
                raise invalid_form("message_reference", "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message")
            return None
        reference = {
            "type": ref.get("type", 0),
            "message_id": str(target.id),
            "channel_id": str(target.channel_id),
        }
        if not self.is_dm(target.channel_id):
            reference["guild_id"] = str(self.world.guild_id)
        referenced = {k: v for k, v in target.payload.items() if k != "referenced_message"}
        return {"reference": reference, "message": referenced}

    def make_attachments(
        self, channel_id: int, body: dict[str, Any], files: list[RecordedFile], keep: list[dict[str, Any]]
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
                result.append(self.store_blob(channel_id, spec, ephemeral=False))
        return result

    def store_blob(self, channel_id: int, spec: w.AttachmentSpec, *, ephemeral: bool) -> dict[str, Any]:
        att_id = self.world.snowflake()
        self.blobs[att_id] = (spec.data, spec.content_type)
        now = int(time.time())
        # Signed-CDN-style query (expiry, issued, hash); the double does not check it.
        query = f"?ex={now + 86400:x}&is={now:x}&hm={hashlib.sha256(spec.data).hexdigest()[:64]}&"
        url = f"{self.base_url()}/attachments/{channel_id}/{att_id}/{spec.filename}{query}"
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

    def mentions_for(self, content: str, allowed: dict[str, Any] | None) -> tuple[list[dict[str, Any]], list[str]]:
        """``mentions`` and ``mention_roles`` of ``content``, filtered by ``allowed_mentions``."""
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


def mentions_everyone(content: str, allowed: dict[str, Any] | None) -> bool:
    """Whether ``@everyone``/``@here`` in the content pings (no allowed_mentions: everything may)."""
    if allowed is not None and "everyone" not in (allowed.get("parse") or []):
        return False
    return EVERYONE_RE.search(content or "") is not None


class Channels:
    """Channel routes: the channel, its messages and history, typing, threads, the bot's reactions."""

    def __init__(self, world: w.World, store: MessageStore, gateway: Gateway) -> None:
        self.world = world
        self.store = store
        self.gateway = gateway

    def routes(self) -> list[Route]:
        msg = "/channels/{channel_id}/messages/{message_id}"
        return [
            ("GET", "/channels/{channel_id}", self.get_channel, True),
            ("GET", "/channels/{channel_id}/messages", self.get_messages, True),
            ("POST", "/channels/{channel_id}/messages", self.post_message, True),
            ("GET", msg, self.get_message, True),
            ("PATCH", msg, self.patch_message, True),
            ("DELETE", msg, self.delete_message, True),
            ("POST", "/channels/{channel_id}/typing", self.post_typing, True),
            ("POST", "/channels/{channel_id}/threads", self.post_thread, True),
            ("POST", msg + "/threads", self.post_thread, True),
            ("PUT", msg + "/reactions/{emoji}/@me", self.put_reaction, True),
            ("DELETE", msg + "/reactions/{emoji}/@me", self.put_reaction, True),
        ]

    def channel(self, channel_id: str, accept: Callable[[w.Channel], bool] = lambda c: True) -> w.Channel:
        """The channel, if ``accept`` takes it; else raises 404 Unknown Channel."""
        channel = self.world.find_channel_by_id(channel_id)
        if channel is None or not accept(channel):
            raise unknown("Channel")
        return channel

    async def get_channel(self, rec: RecordedRequest, channel_id: str) -> Reply:
        return (200, self.channel(channel_id).payload())

    async def post_typing(self, rec: RecordedRequest, channel_id: str) -> Reply:
        self.channel(channel_id)
        return (204, None)

    async def get_messages(self, rec: RecordedRequest, channel_id: str) -> Reply:
        channel = self.channel(channel_id)
        limit = min(100, int(rec.query.get("limit", 50)))
        items = self.store.channel_messages(channel.id, include_ephemeral=False)
        if "before" in rec.query:
            items = [m for m in items if m.id < int(rec.query["before"])]
        if "after" in rec.query:
            items = [m for m in items if m.id > int(rec.query["after"])]
            items = items[:limit]
        else:
            items = items[-limit:]
        return (200, [m.payload for m in reversed(items)])

    def require(self, channel: w.Channel, *bits: int) -> int:
        """The bot's permissions in a guild channel; 403 Missing Permissions (50013) unless it has all ``bits``.
        DMs need none."""
        if channel.is_dm:
            return w.ALL_PERMISSIONS
        perms = self.world.bot_permissions(channel)
        if any(not perms & bit for bit in (w.VIEW_CHANNEL, *bits)):
            raise Reject(403, "Missing Permissions", 50013)
        return perms

    async def post_message(self, rec: RecordedRequest, channel_id: str) -> Reply:
        channel = self.channel(channel_id, lambda c: c.type != w.GUILD_CATEGORY)
        if channel.type == w.GUILD_FORUM:  # a forum holds only threads (posts)
            raise Reject(400, "Cannot send messages in a non-text channel", 50008)
        perms = self.require(channel, w.SEND_MESSAGES_IN_THREADS if channel.is_thread else w.SEND_MESSAGES)
        body = json_body(rec)
        if body.get("embeds") and not perms & w.EMBED_LINKS:
            body = dict(body, embeds=[])  # Discord drops the embeds of a bot without Embed Links, silently
        if rec.files and not perms & w.ATTACH_FILES:
            raise Reject(403, "Missing Permissions", 50013)
        stored = self.store.send(channel, body, rec.files)
        await self.store.echo("MESSAGE_CREATE", stored)
        return (200, stored.payload)

    async def get_message(self, rec: RecordedRequest, channel_id: str, message_id: str) -> Reply:
        return (200, self.store.in_channel(channel_id, message_id).payload)

    async def patch_message(self, rec: RecordedRequest, channel_id: str, message_id: str) -> Reply:
        stored = self.store.in_channel(channel_id, message_id)
        if str(stored.payload["author"]["id"]) != str(self.world.bot.id):
            raise Reject(403, "Cannot edit a message authored by another user", 50005)
        return await self.store.update(stored, json_body(rec), rec.files)

    async def delete_message(self, rec: RecordedRequest, channel_id: str, message_id: str) -> Reply:
        return await self.store.delete(self.store.in_channel(channel_id, message_id))

    async def put_reaction(self, rec: RecordedRequest, channel_id: str, message_id: str, emoji: str) -> Reply:
        stored = self.store.in_channel(channel_id, message_id, include_ephemeral=True)
        channel = self.channel(channel_id)
        if rec.method == "PUT":
            self.require(channel, w.ADD_REACTIONS, w.READ_MESSAGE_HISTORY)
            stored.reactions.add(emoji)
        else:
            stored.reactions.discard(emoji)
        return (204, None)

    async def post_thread(self, rec: RecordedRequest, channel_id: str, message_id: str | None = None) -> Reply:
        parent = self.channel(channel_id, lambda c: c.type == w.GUILD_TEXT)
        body = json_body(rec)
        private = message_id is None and body.get("type") == w.PRIVATE_THREAD
        self.require(parent, w.CREATE_PRIVATE_THREADS if private else w.CREATE_PUBLIC_THREADS)
        name = body.get("name") or ""
        if not 1 <= len(name) <= 100:
            raise invalid_form("name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
        thread_id = None
        if message_id is not None:
            self.store.in_channel(channel_id, message_id)
            # A thread started from a message has the message's id.
            thread_id = int(message_id)
            if self.world.find_channel_by_id(thread_id) is not None:
                raise Reject(400, "A thread has already been created for this message", 160004)
        thread = self.world.add_thread(parent, name, private=private, thread_id=thread_id)
        if self.gateway.session is not None:
            await self.gateway.dispatch("THREAD_CREATE", dict(thread.payload(), newly_created=True))
        return (201, thread.payload())

    async def get_attachment(self, rec: RecordedRequest, channel_id: str, attachment_id: str, filename: str) -> Any:
        blob = self.store.blobs.get(to_int(attachment_id))
        if blob is None:
            return (404, "Not Found")
        data, content_type = blob
        return web.Response(body=data, headers={"Content-Type": content_type or "application/octet-stream"})
