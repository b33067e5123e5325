"""DiscordDouble: a local stand-in for Discord's REST API and gateway, for the real discord.py client.

See README.md in this package for what is modelled and what is not.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Callable, Iterable, Mapping

from aiohttp import web

from . import world as w
from .commands import STRING, SUB_COMMAND, SUB_COMMAND_GROUP, Commands
from .gateway import GatewayMixin
from .guild import Guild
from .interactions import InteractionRecord, Interactions
from .messages import Channels, MessageStore, StoredMessage
from .recording import GatewayFrame, RecordedRequest, Waitable
from .routing import API_PREFIX, FaultRule, Options, Reject, Router
from .validation import custom_ids

log = logging.getLogger(__name__)


def _option(name: str) -> property:
    """A setting of the double, kept in its shared :class:`Options` (so tests may change it at any time)."""
    return property(lambda self: getattr(self.options, name), lambda self, value: setattr(self.options, name, value))


class CommandNotAvailable(PermissionError):
    """Discord's client would not let this user run this command (missing default_member_permissions)."""


class DiscordDouble(GatewayMixin):
    """A Discord API double on 127.0.0.1 (random port) for the unmodified discord.py client.

    Parameters
    ----------
    token:
        The bot token the double accepts (REST ``Authorization: Bot <token>`` and IDENTIFY).
    heartbeat_interval_ms:
        Sent in HELLO; discord.py heartbeats at this interval (Discord uses ~41 s).
    callback_deadline:
        Seconds after INTERACTION_CREATE within which the initial callback must arrive
        (Discord: 3). Later callbacks get 404 "Unknown interaction" (10062). ``None`` disables.
    interaction_token_ttl:
        Seconds the interaction webhook token stays valid (Discord: 15 minutes).
    echo_bot_messages:
        Send MESSAGE_CREATE/UPDATE/DELETE for the bot's own non-ephemeral messages, as Discord does.
    world:
        The guild, roles, members and channels (:class:`~tests.discord_double.world.World`).

    The REST side is composed of one object per resource, sharing the world, the options and the
    message store: :class:`Guild`, :class:`Commands`, :class:`Interactions` and :class:`Channels`,
    behind a :class:`Router` that records every request.
    """

    token = _option("token")
    heartbeat_interval_ms = _option("heartbeat_interval_ms")
    callback_deadline = _option("callback_deadline")
    interaction_token_ttl = _option("interaction_token_ttl")
    attachment_size_limit = _option("attachment_size_limit")
    echo_bot_messages = _option("echo_bot_messages")

    def __init__(
        self,
        *,
        token: str = "double-bot-token",
        heartbeat_interval_ms: int = 1000,
        callback_deadline: float | None = 3.0,
        interaction_token_ttl: float = 15 * 60,
        attachment_size_limit: int = 10 * 1024 * 1024,
        echo_bot_messages: bool = True,
        world: w.World | None = None,
    ) -> None:
        self.options = Options(
            token, heartbeat_interval_ms, callback_deadline, interaction_token_ttl, attachment_size_limit,
            echo_bot_messages,
        )
        self.world = world or w.World()
        self.port: int | None = None
        self._runner: web.AppRunner | None = None
        self._requests: Waitable[RecordedRequest] = Waitable("request")
        self._frames: Waitable[GatewayFrame] = Waitable("gateway frame")
        self._gateway_init()
        self._store = MessageStore(self.world, self.options, self, lambda: self.base_url)
        self._commands = Commands(self.world, self._store)
        self._interactions = Interactions(self.world, self._store, self.options)
        self._channels = Channels(self.world, self._store, self)
        self._guild = Guild(self.world, lambda: self.gateway_url)
        self._router = Router(self.options, self._requests, self._interactions.classify)
        # The resources' own collections, under the names tests use.
        self.commands: dict[int | None, list[dict[str, Any]]] = self._commands.synced
        self.interactions: dict[int, InteractionRecord] = self._interactions.by_id
        self.faults: list[FaultRule] = self._router.faults
        self.errors: list[str] = self._router.errors

    # -- lifecycle -------------------------------------------------------------------------------

    async def start(self) -> DiscordDouble:
        if self._runner is not None:
            raise RuntimeError("already started")
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/ws", self._ws_handler)
        app.router.add_get("/resume", self._ws_handler)
        resources = (self._guild, self._commands, self._interactions, self._channels)
        self._router.install(app, [r for res in resources for r in res.routes()], self._channels.get_attachment)
        runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self._runner = runner
        self.port = runner.addresses[0][1]
        log.debug("discord double listening on %s", self.base_url)
        return self

    async def stop(self) -> None:
        if self._runner is None:
            return
        for conn in self.connections:
            if conn.closed_at is None:
                try:
                    await asyncio.wait_for(self._close(conn, 1001, "double stopping"), 3)
                except (asyncio.TimeoutError, ConnectionError):
                    conn.transport.close()
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        self._requests.cancel_all()
        self._frames.cancel_all()
        await self._runner.cleanup()
        self._runner = None

    async def __aenter__(self) -> DiscordDouble:
        return await self.start()

    async def __aexit__(self, *exc: Any) -> None:
        await self.stop()

    # -- addresses -------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        if self.port is None:
            raise RuntimeError("double not started")
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        """Value for ``discord.http.Route.BASE``."""
        return self.base_url + API_PREFIX

    @property
    def ws_base_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    @property
    def gateway_url(self) -> str:
        """Value for ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY`` (as a ``yarl.URL``)."""
        return self.ws_base_url + "/ws"

    # -- world shortcuts -------------------------------------------------------------------------

    @property
    def guild_id(self) -> int:
        return self.world.guild_id

    @property
    def application_id(self) -> int:
        return self.world.application_id

    @property
    def bot_user(self) -> w.User:
        return self.world.bot

    @property
    def members(self) -> dict[str, w.Member]:
        return self.world.members

    @property
    def roles(self) -> dict[str, w.Role]:
        return self.world.roles

    @property
    def channels(self) -> dict[str, w.Channel]:
        return self.world.channels

    # -- recorded requests -----------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every HTTP request received, in the order they were answered."""
        return self._requests.items

    @property
    def gateway_frames(self) -> list[GatewayFrame]:
        """Every gateway payload in both directions, in order."""
        return self._frames.items

    @property
    def unknown_requests(self) -> list[RecordedRequest]:
        """Requests that matched no modelled route (answered 404 "Unknown route")."""
        return [r for r in self.requests if r.route is None and not r.path.startswith("/attachments/")]

    def mark(self) -> int:
        """The current request count, to pass as ``since=`` and ignore earlier requests."""
        return len(self.requests)

    def find(
        self,
        method: str | None = None,
        path_contains: str | None = None,
        *,
        route: str | None = None,
        kind: str | None = None,
        interaction: Any = None,
        ok: bool | None = None,
        since: int = 0,
    ) -> list[RecordedRequest]:
        """Recorded requests matching every given filter (``route`` like ``POST /channels/{channel_id}/messages``)."""
        match = self._request_filter(None, method, path_contains, route, kind, interaction, ok)
        return [r for r in self.requests[since:] if match(r)]

    async def wait_for_request(
        self,
        predicate: Callable[[RecordedRequest], bool] | None = None,
        timeout: float = 5.0,
        *,
        method: str | None = None,
        path_contains: str | None = None,
        route: str | None = None,
        kind: str | None = None,
        interaction: Any = None,
        ok: bool | None = None,
        since: int = 0,
    ) -> RecordedRequest:
        """The first request (from index ``since``, already recorded or yet to come) matching all filters.

        Raises ``TimeoutError`` listing the latest requests if none arrives within ``timeout``.
        """
        match = self._request_filter(predicate, method, path_contains, route, kind, interaction, ok)
        return await self._requests.wait(match, timeout, since)

    def interaction_responses(self, interaction: Any) -> list[RecordedRequest]:
        """The callback and every webhook request (followups, edits, fetches, deletes) for one
        interaction, in order, including failed attempts (check ``.ok``/``.status``)."""
        iid = self._interaction_id(interaction)
        return [r for r in self.requests if r.interaction_id == iid]

    async def wait_for_interaction_response(
        self, interaction: Any, kind: str | None = None, *, ok: bool | None = True, timeout: float = 5.0, since: int = 0
    ) -> RecordedRequest:
        """Wait for a (by default successful) ``callback``/``followup``/``edit_original``/... request."""
        return await self.wait_for_request(kind=kind, interaction=interaction, ok=ok, timeout=timeout, since=since)

    def _request_filter(
        self,
        predicate: Callable[[RecordedRequest], bool] | None,
        method: str | None,
        path_contains: str | None,
        route: str | None,
        kind: str | None,
        interaction: Any,
        ok: bool | None,
    ) -> Callable[[RecordedRequest], bool]:
        iid = None if interaction is None else self._interaction_id(interaction)

        def match(r: RecordedRequest) -> bool:
            return (
                (method is None or r.method == method.upper())
                and (path_contains is None or path_contains in r.path)
                and (route is None or r.route == route)
                and (kind is None or r.kind == kind)
                and (iid is None or r.interaction_id == iid)
                and (ok is None or r.ok == ok)
                and (predicate is None or predicate(r))
            )

        return match

    @staticmethod
    def _interaction_id(interaction: Any) -> int:
        return interaction.id if isinstance(interaction, InteractionRecord) else int(interaction)

    # -- messages as Discord now holds them ------------------------------------------------------

    @property
    def messages(self) -> list[dict[str, Any]]:
        """Current payloads of all live messages (users' and the bot's, ephemeral included), oldest first."""
        return [m.payload for m in self._store.by_id.values() if not m.deleted]

    def channel_messages(self, channel: Any = None, *, include_ephemeral: bool = True) -> list[dict[str, Any]]:
        channel_id = self.world.channel(channel).id
        return [m.payload for m in self._store.channel_messages(channel_id, include_ephemeral=include_ephemeral)]

    def get_message(self, message_id: Any) -> dict[str, Any] | None:
        stored = self._store.live(int(message_id))
        return None if stored is None else stored.payload

    def message_versions(self, message_id: Any) -> list[dict[str, Any]]:
        """Every version of a message, oldest first (the last is current)."""
        stored = self._store.by_id[int(message_id)]
        return [*stored.versions, stored.payload]

    def original_message(self, interaction: Any) -> dict[str, Any] | None:
        """The current initial-response message of an interaction (None if none or deleted)."""
        inter = self.interactions[self._interaction_id(interaction)]
        return self.get_message(inter.original_message_id) if inter.original_message_id else None

    def followup_messages(self, interaction: Any) -> list[dict[str, Any]]:
        inter = self.interactions[self._interaction_id(interaction)]
        return [p for p in (self.get_message(i) for i in inter.followup_message_ids) if p is not None]

    # -- faults ------------------------------------------------------------------------------------

    def fail_next(
        self,
        method: str | None,
        path_substring: str,
        status: int = 429,
        retry_after: float = 0.3,
        times: int = 1,
        *,
        global_: bool = False,
        scope: str = "user",
        body: Any = None,
    ) -> FaultRule:
        """Answer the next ``times`` requests whose method matches (``None``/``"*"``: any) and whose
        API path contains ``path_substring`` with ``status`` instead of handling them.

        429 comes with Discord's body (``retry_after``, ``global``) and headers (``Via``,
        ``Retry-After``, ``X-RateLimit-*``, ``X-RateLimit-Scope``); 502 with Cloudflare-style
        HTML; other statuses with a JSON ``{"message", "code"}`` body, or ``body`` if given.
        Returns the rule; ``rule.hits`` lists the requests it answered.
        """
        rule = FaultRule(method, path_substring, status, retry_after, times, global_, scope, body)
        self.faults.append(rule)
        return rule

    def check(self) -> None:
        """Raise AssertionError if the double itself failed while handling a request."""
        if self.errors:
            raise AssertionError("discord double internal errors:\n" + "\n".join(self.errors))

    # -- injecting user actions --------------------------------------------------------------------

    async def send_slash_command(
        self,
        name: str,
        options: Mapping[str, Any] | None = None,
        *,
        user: Any = "member",
        channel: Any = None,
        roles: Iterable[Any] | None = None,
        permissions: int | None = None,
        attachments: Mapping[str, Any] | None = None,
        scope: str = "auto",
        locale: str = "en-US",
        ignore_default_permissions: bool = False,
    ) -> InteractionRecord:
        """Simulate a user running a slash command; returns the interaction (``.id``, ``.token``).

        ``name`` may name a subcommand: ``"article add"`` or ``"group sub command"``.
        ``options`` maps option names to values: str/int/bool/float, a member key or
        :class:`~world.Member` for user options, a :class:`~world.Channel`, a :class:`~world.Role`,
        or an :class:`~world.AttachmentSpec` / ``(filename, bytes[, content_type])`` for attachment
        options (also accepted through ``attachments``). When the bot synced the command, option
        types come from the synced definition, and unknown or missing required options raise
        ``ValueError``; otherwise types are inferred from the Python values.
        ``user`` is a member key (``"member"``, ``"moderator"``, ``"admin"``, ``"owner"``) or a Member;
        ``roles`` (names or ids) replaces that member's roles for this interaction and
        ``permissions`` overrides the computed ``member.permissions`` bit field.
        ``scope``: ``"auto"`` (guild command if synced to the guild, else global), ``"guild"`` or
        ``"global"``. If the synced command has ``default_member_permissions`` the user lacks,
        :class:`CommandNotAvailable` is raised (Discord hides it), unless ``ignore_default_permissions``.
        """
        member = self.world.member(user)
        channel_obj = self.world.channel(channel)
        role_ids = [self.world.role(r).id for r in roles] if roles is not None else list(member.role_ids)
        perms = permissions if permissions is not None else self.world.permissions_for(role_ids, member.id)

        path = name.split()
        command, command_scope = self._commands.lookup(path[0], scope)
        if command is not None and not ignore_default_permissions:
            required = command.get("default_member_permissions")
            if required is not None and not (perms & w.ADMINISTRATOR) and (perms & int(required)) != int(required):
                raise CommandNotAvailable(
                    f"/{name}: default_member_permissions={required} but {member.key} has {perms}"
                )

        values = dict(options or {})
        values.update(attachments or {})
        resolved: dict[str, dict[str, Any]] = {}
        data_options = self._commands.build_options(command, path, values, resolved, channel_obj)
        data = self._commands.data(command, command_scope, path, data_options, resolved)
        return await self._send_interaction(2, data, member, channel_obj, role_ids, perms, locale, name=name)

    async def send_autocomplete(
        self,
        name: str,
        options: Mapping[str, Any],
        focused: str,
        *,
        user: Any = "member",
        channel: Any = None,
        scope: str = "auto",
    ) -> InteractionRecord:
        """Simulate typing into option ``focused``: an APPLICATION_COMMAND_AUTOCOMPLETE (type 4)
        interaction. The focused value is sent as the typed text (a string), as Discord does.
        The bot's choices end up in ``interaction.autocomplete_choices``."""
        member = self.world.member(user)
        channel_obj = self.world.channel(channel)
        path = name.split()
        command, command_scope = self._commands.lookup(path[0], scope)
        values = {k: v for k, v in options.items() if k != focused}
        data_options = self._commands.build_options(command, path, values, {}, channel_obj, check_required=False)
        leaf = data_options
        while leaf and leaf[0]["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP):
            leaf = leaf[0]["options"]
        spec = self._commands.option_schema(command, path).get(focused) if command else None
        typed = str(options.get(focused, ""))
        leaf.append({"name": focused, "type": spec["type"] if spec else STRING, "value": typed, "focused": True})
        data = self._commands.data(command, command_scope, path, data_options)
        perms = self.world.permissions_for(member.role_ids, member.id)
        return await self._send_interaction(4, data, member, channel_obj, member.role_ids, perms, "en-US", name=name)

    async def send_component(
        self,
        message: Any,
        custom_id: str,
        *,
        component_type: int = 2,
        values: list[str] | None = None,
        user: Any = "member",
    ) -> InteractionRecord:
        """Simulate a click on a button (``component_type=2``) or a select choice (3, with ``values``)
        of a stored message (id or payload). As on Discord, only a component the message now shows can be
        clicked: an unknown ``custom_id`` (or a deleted message) raises ``ValueError``."""
        message_id = int(message["id"] if isinstance(message, dict) else message)
        stored = self._store.by_id[message_id]
        shown = custom_ids(stored.payload.get("components"))
        if stored.deleted or custom_id not in shown:
            raise ValueError(f"message {message_id} shows no component {custom_id!r} (it shows {shown})")
        member = self.world.member(user)
        channel_obj = self.world.channel(stored.channel_id)
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": component_type}
        if values is not None:
            data["values"] = list(values)
        perms = self.world.permissions_for(member.role_ids, member.id)
        return await self._send_interaction(
            3, data, member, channel_obj, member.role_ids, perms, "en-US", message=stored.payload
        )

    async def send_message(
        self,
        content: str = "",
        *,
        author: Any = "member",
        channel: Any = None,
        mention_bot: bool = False,
        reply_to: Any = None,
        mention_author: bool = True,
        attachments: Iterable[Any] = (),
        embeds: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """Simulate a user posting a message; dispatches MESSAGE_CREATE and returns the full message.

        ``mention_bot`` prefixes ``<@bot_id>`` (``mentions`` then holds the bot). ``reply_to``
        (a message id or payload) makes it a reply; with ``mention_author`` the replied-to author is
        added to ``mentions``, as Discord's default "ping on reply" does.

        Delivery follows the bot's intents: without GUILD_MESSAGES nothing is dispatched; without
        MESSAGE_CONTENT, content/embeds/attachments arrive empty unless the bot is mentioned.
        """
        member = self.world.member(author)
        channel_obj = self.world.channel(channel)
        if mention_bot and self.world.bot.mention not in content:
            content = f"{self.world.bot.mention} {content}".rstrip()
        reference = None
        if reply_to is not None:
            ref_id = reply_to["id"] if isinstance(reply_to, dict) else reply_to
            try:
                reference = self._store.reference_for({"message_id": str(ref_id)})
            except Reject:
                raise KeyError(f"reply_to: unknown message {ref_id}") from None
        stored_atts = [
            self._store.store_blob(channel_obj.id, w.AttachmentSpec.coerce(a), ephemeral=False) for a in attachments
        ]
        stored = self._store.create(
            channel=channel_obj,
            author=member.user,
            body={"content": content, "embeds": embeds or []},
            attachments=stored_atts,
            type=w.MESSAGE_REPLY if reference else w.MESSAGE_DEFAULT,
            reference=reference,
        )
        if reference and mention_author:
            ref_author = reference["message"]["author"]
            if all(m["id"] != ref_author["id"] for m in stored.payload["mentions"]):
                ref_member = self.world.find_member_by_id(ref_author["id"])
                extra = dict(ref_author)
                if ref_member is not None:
                    extra["member"] = ref_member.payload(with_user=False)
                stored.payload["mentions"].append(extra)
        await self._deliver(stored)
        return stored.payload

    async def create_forum_post(
        self, forum: Any, title: str, content: str = "", *, author: Any = "member", mention_bot: bool = False
    ) -> tuple[w.Channel, dict[str, Any]]:
        """Simulate a member posting in a forum channel: a public thread named ``title`` (owned by the
        author) whose starter message (``content``) has the thread's id, as on Discord. Dispatches
        THREAD_CREATE (``newly_created``) then MESSAGE_CREATE for the starter message (content-gated by the
        MESSAGE_CONTENT intent like any message). Returns the thread and the starter message."""
        parent = self.world.channel(forum)
        if parent.type != w.GUILD_FORUM:
            raise ValueError(f"{parent.name!r} is not a forum channel")
        if not 1 <= len(title) <= 100:
            raise ValueError("a forum post's title has 1-100 characters")
        if self.session is None:
            raise RuntimeError("no gateway session yet: the client has not sent IDENTIFY")
        member = self.world.member(author)
        if mention_bot and self.world.bot.mention not in content:
            content = f"{self.world.bot.mention} {content}".rstrip()
        thread = self.world.add_thread(parent, title, owner_id=member.id)
        starter = self._store.create(channel=thread, author=member.user, body={"content": content, "embeds": []},
                                     attachments=[])
        # The starter message's id is the thread's id.
        del self._store.by_id[starter.id]
        starter.payload["id"] = str(thread.id)
        self._store.by_id[thread.id] = starter
        thread.last_message_id = thread.id
        parent.last_message_id = thread.id
        payload = dict(thread.payload(), newly_created=True, message_count=1, total_message_sent=1)
        await self.dispatch("THREAD_CREATE", payload)
        await self._deliver(starter)
        return thread, starter.payload

    async def _deliver(self, stored: StoredMessage) -> None:
        """MESSAGE_CREATE for a member's message, following the bot's intents as Discord does."""
        if self.session is None:
            raise RuntimeError("no gateway session yet: the client has not sent IDENTIFY")
        intents = self.intents
        channel_obj = self.world.find_channel_by_id(stored.channel_id) or self.world.channel(stored.channel_id)
        needed = w.INTENT_DIRECT_MESSAGES if channel_obj.is_dm else w.INTENT_GUILD_MESSAGES
        if not intents & needed:
            log.warning("MESSAGE_CREATE not dispatched: the bot did not request the %s intent",
                        "DIRECT_MESSAGES" if channel_obj.is_dm else "GUILD_MESSAGES")
            return
        data = self._store.gateway_copy(stored)
        mentioned = any(m["id"] == str(self.world.bot.id) for m in data["mentions"])
        # Message content is withheld without the intent, except in DMs and messages mentioning the bot.
        if not intents & w.INTENT_MESSAGE_CONTENT and not mentioned and not channel_obj.is_dm:
            data.update(content="", embeds=[], attachments=[], components=[])
            data.pop("poll", None)
        await self.dispatch("MESSAGE_CREATE", data)

    async def send_message_command(
        self, name: str, message: Any, *, user: Any = "member", scope: str = "auto",
    ) -> InteractionRecord:
        """Simulate a member choosing a message context-menu command (Apps -> ``name``) on a stored message
        (id or payload): an APPLICATION_COMMAND interaction of command type 3, whose ``data`` holds
        ``target_id`` and the message, content included, under ``resolved.messages`` (no intent needed)."""
        message_id = int(message["id"] if isinstance(message, dict) else message)
        stored = self._store.by_id[message_id]
        member = self.world.member(user)
        channel_obj = self.world.channel(stored.channel_id)
        command, command_scope = self._commands.lookup(name, scope, ctype=3)
        resolved = {"messages": {str(message_id): self._store.gateway_copy(stored)}}
        data = self._commands.data(command, command_scope, [name], [], resolved, ctype=3)
        data["target_id"] = str(message_id)
        perms = self.world.permissions_for(member.role_ids, member.id)
        return await self._send_interaction(2, data, member, channel_obj, member.role_ids, perms, "en-US", name=name)

    def dm_channel(self, member: Any = "member") -> w.Channel:
        """The DM channel between a member and the bot; pass it as ``channel`` to :meth:`send_message`."""
        return self.world.dm(member)

    # -- interaction plumbing ----------------------------------------------------------------------

    async def _send_interaction(self, *args: Any, **kwargs: Any) -> InteractionRecord:
        """Create an interaction (arguments as :meth:`Interactions.create`) and dispatch INTERACTION_CREATE."""
        if self.session is None:
            raise RuntimeError("no gateway session yet: the client has not sent IDENTIFY")
        record = self._interactions.create(*args, **kwargs)
        await self.dispatch("INTERACTION_CREATE", record.payload)
        return record


__all__ = ["DiscordDouble", "CommandNotAvailable", "InteractionRecord", "StoredMessage"]
