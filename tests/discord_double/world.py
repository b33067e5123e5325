"""The guild the double pretends to host: ids, users, roles, members, channels and payload builders.

Everything here is plain data. Payload builders return dicts shaped like Discord's API objects
(the subset discord.py 2.7 reads), so the same builders serve REST answers and gateway events.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import threading
import time
from dataclasses import dataclass, field
from typing import Any, TypeVar

DISCORD_EPOCH_MS = 1420070400000

# Permission bits, as documented by Discord (https://discord.com/developers/docs/topics/permissions).
CREATE_INSTANT_INVITE = 1 << 0
KICK_MEMBERS = 1 << 1
BAN_MEMBERS = 1 << 2
ADMINISTRATOR = 1 << 3
MANAGE_CHANNELS = 1 << 4
MANAGE_GUILD = 1 << 5
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
USE_EXTERNAL_EMOJIS = 1 << 18
CHANGE_NICKNAME = 1 << 26
MANAGE_ROLES = 1 << 28
USE_APPLICATION_COMMANDS = 1 << 31
MANAGE_THREADS = 1 << 34
CREATE_PUBLIC_THREADS = 1 << 35
CREATE_PRIVATE_THREADS = 1 << 36
SEND_MESSAGES_IN_THREADS = 1 << 38
MODERATE_MEMBERS = 1 << 40
# Every bit up to 52: a superset of the flags Discord defines today, which is what Discord
# reports for administrators (unknown bits are ignored by discord.py).
ALL_PERMISSIONS = (1 << 53) - 1

DEFAULT_EVERYONE_PERMISSIONS = (
    CREATE_INSTANT_INVITE
    | ADD_REACTIONS
    | VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | USE_EXTERNAL_EMOJIS
    | CHANGE_NICKNAME
    | USE_APPLICATION_COMMANDS
    | CREATE_PUBLIC_THREADS
    | SEND_MESSAGES_IN_THREADS
)
DEFAULT_MODERATOR_PERMISSIONS = MANAGE_MESSAGES | MANAGE_THREADS | MODERATE_MEMBERS | KICK_MEMBERS
DEFAULT_BOT_PERMISSIONS = DEFAULT_EVERYONE_PERMISSIONS | CREATE_PRIVATE_THREADS | MANAGE_THREADS

# Gateway intents (https://discord.com/developers/docs/events/gateway#gateway-intents).
INTENT_GUILDS = 1 << 0
INTENT_GUILD_MEMBERS = 1 << 1
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_DIRECT_MESSAGES = 1 << 12
INTENT_MESSAGE_CONTENT = 1 << 15

# Message flags.
FLAG_EPHEMERAL = 1 << 6
FLAG_LOADING = 1 << 7
FLAG_IS_COMPONENTS_V2 = 1 << 15

# Channel types.
GUILD_TEXT = 0
DM = 1
GUILD_CATEGORY = 4
GUILD_FORUM = 15
PUBLIC_THREAD = 11
PRIVATE_THREAD = 12

# Message types.
MESSAGE_DEFAULT = 0
MESSAGE_REPLY = 19
MESSAGE_CHAT_INPUT_COMMAND = 20


def iso(ts: float | None = None) -> str:
    """An ISO-8601 timestamp as Discord writes it (UTC, microseconds, +00:00)."""
    moment = _dt.datetime.fromtimestamp(time.time() if ts is None else ts, _dt.timezone.utc)
    return moment.isoformat()


class SnowflakeFactory:
    """Time-based snowflakes, so ``discord.utils.snowflake_time`` gives sensible datetimes."""

    def __init__(self) -> None:
        self._counter = itertools.count()
        self._lock = threading.Lock()

    def __call__(self) -> int:
        with self._lock:
            increment = next(self._counter) & 0xFFF
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        return (ms << 22) | (1 << 17) | increment


def fixed_snowflake(n: int) -> int:
    """A stable id for the built-in world (2023-11-14 plus ``n``); stable across runs for readable logs."""
    return ((1700000000000 - DISCORD_EPOCH_MS) << 22) | n


@dataclass
class User:
    """A Discord user. ``key`` is the short name tests use to pick it (``"member"``, ``"admin"`` ...)."""

    key: str
    id: int
    username: str
    global_name: str | None = None
    bot: bool = False

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "username": self.username,
            "global_name": self.global_name,
            "discriminator": "0",
            "avatar": None,
            "public_flags": 0,
            "flags": 0,
            "banner": None,
            "accent_color": None,
            "avatar_decoration_data": None,
        }
        if self.bot:
            data["bot"] = True
        return data


@dataclass
class Role:
    id: int
    name: str
    permissions: int
    position: int = 0
    managed: bool = False
    mentionable: bool = False

    @property
    def mention(self) -> str:
        return f"<@&{self.id}>"

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "name": self.name,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": self.position,
            "permissions": str(self.permissions),
            "managed": self.managed,
            "mentionable": self.mentionable,
            "flags": 0,
        }


@dataclass
class Member:
    """A guild member: a :class:`User` plus role ids."""

    user: User
    role_ids: list[int] = field(default_factory=list)
    nick: str | None = None
    joined_at: str = field(default_factory=iso)

    @property
    def key(self) -> str:
        return self.user.key

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def mention(self) -> str:
        return self.user.mention

    def payload(self, *, with_user: bool = True, permissions: int | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {
            "roles": [str(r) for r in self.role_ids],
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "joined_at": self.joined_at,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": 0,
            "communication_disabled_until": None,
        }
        if with_user:
            data["user"] = self.user.payload()
        if permissions is not None:
            data["permissions"] = str(permissions)
        return data


@dataclass
class Channel:
    id: int
    name: str
    type: int = GUILD_TEXT
    guild_id: int | None = None
    parent_id: int | None = None
    position: int = 0
    topic: str | None = None
    owner_id: int | None = None  # threads only
    last_message_id: int | None = None
    recipient: dict[str, Any] | None = None  # DMs only: the user at the other end

    @property
    def is_dm(self) -> bool:
        return self.type == DM

    @property
    def mention(self) -> str:
        return f"<#{self.id}>"

    @property
    def is_thread(self) -> bool:
        return self.type in (PUBLIC_THREAD, PRIVATE_THREAD)

    def payload(self) -> dict[str, Any]:
        if self.is_dm:
            return {"id": str(self.id), "type": DM, "flags": 0, "recipients": [self.recipient],
                    "last_message_id": str(self.last_message_id) if self.last_message_id else None}
        data: dict[str, Any] = {
            "id": str(self.id),
            "type": self.type,
            "guild_id": str(self.guild_id) if self.guild_id else None,
            "name": self.name,
            "parent_id": str(self.parent_id) if self.parent_id else None,
            "flags": 0,
            "last_message_id": str(self.last_message_id) if self.last_message_id else None,
        }
        if self.is_thread:
            data.update(
                owner_id=str(self.owner_id),
                rate_limit_per_user=0,
                message_count=0,
                member_count=1,
                total_message_sent=0,
                thread_metadata={
                    "archived": False,
                    "auto_archive_duration": 1440,
                    "archive_timestamp": iso(),
                    "locked": False,
                    "invitable": True,
                    "create_timestamp": iso(),
                },
            )
        else:
            data.update(position=self.position, permission_overwrites=[], nsfw=False)
            if self.type == GUILD_TEXT:
                data.update(topic=self.topic, rate_limit_per_user=0, default_auto_archive_duration=1440)
            elif self.type == GUILD_FORUM:
                data.update(topic=self.topic, rate_limit_per_user=0, default_auto_archive_duration=1440,
                            available_tags=[], default_reaction_emoji=None, default_sort_order=None,
                            default_forum_layout=0, default_thread_rate_limit_per_user=0)
        return data


T = TypeVar("T", Role, Member, Channel)


def _by_id(items: dict[str, T], ref: Any) -> T | None:
    return next((item for item in items.values() if str(item.id) == str(ref)), None)


def _resolve(items: dict[str, T], ref: Any, what: str) -> T:
    """``items[ref]`` for a key, else the item whose id is ``ref``; KeyError naming the known keys."""
    if isinstance(ref, str) and ref in items:
        return items[ref]
    found = _by_id(items, ref)
    if found is None:
        raise KeyError(f"unknown {what} {ref!r}; known: {sorted(items)}")
    return found


@dataclass
class AttachmentSpec:
    """A file a simulated user attaches (to a slash command option or to a message)."""

    filename: str
    data: bytes
    content_type: str | None = None
    description: str | None = None

    @classmethod
    def coerce(cls, value: Any) -> AttachmentSpec:
        if isinstance(value, AttachmentSpec):
            return value
        if isinstance(value, tuple) and len(value) in (2, 3):
            return cls(*value)
        raise TypeError(f"expected AttachmentSpec or (filename, bytes[, content_type]), got {value!r}")


class World:
    """The built-in guild: one guild, a few channels, three roles and five members.

    Attributes worth knowing in tests:

    - ``bot``: the bot's own :class:`User` (its id is also the application id).
    - ``guild_id``, ``channels["general"]``, ``channels["news"]``.
    - ``roles["@everyone"]``, ``roles["Moderator"]``, ``roles["Admin"]``.
    - ``members["member"]`` (no role), ``members["moderator"]`` (Moderator role: MANAGE_MESSAGES ...),
      ``members["admin"]`` (Admin role: ADMINISTRATOR), ``members["owner"]`` (guild owner, no role),
      ``members["bot"]``.
    """

    def __init__(self, *, guild_name: str = "Double Guild", bot_name: str = "eventbot") -> None:
        self.snowflake = SnowflakeFactory()
        self.guild_id = fixed_snowflake(1)
        self.guild_name = guild_name
        self.application_id = fixed_snowflake(2)
        self.bot = User("bot", self.application_id, bot_name, None, bot=True)
        self.app_permissions = DEFAULT_BOT_PERMISSIONS

        self.roles: dict[str, Role] = {}
        self.members: dict[str, Member] = {}
        self.channels: dict[str, Channel] = {}
        self.dms: dict[str, Channel] = {}  # direct message channels with the bot, by member key

        self.roles["@everyone"] = Role(self.guild_id, "@everyone", DEFAULT_EVERYONE_PERMISSIONS, position=0)
        self.roles["Moderator"] = Role(fixed_snowflake(10), "Moderator", DEFAULT_MODERATOR_PERMISSIONS, position=1)
        self.roles["Admin"] = Role(fixed_snowflake(11), "Admin", ADMINISTRATOR, position=2)

        category = Channel(fixed_snowflake(20), "Text Channels", GUILD_CATEGORY, self.guild_id, position=0)
        self.channels["Text Channels"] = category
        self.channels["general"] = Channel(
            fixed_snowflake(21), "general", GUILD_TEXT, self.guild_id, category.id, position=0, topic="General chat"
        )
        self.channels["news"] = Channel(
            fixed_snowflake(22), "news", GUILD_TEXT, self.guild_id, category.id, position=1, topic="News questions"
        )

        self.members["bot"] = Member(self.bot)
        self.add_member("member", "alice", global_name="Alice", user_id=fixed_snowflake(30))
        self.add_member("moderator", "mo", global_name="Mo", roles=["Moderator"], user_id=fixed_snowflake(31))
        self.add_member("admin", "ada", global_name="Ada", roles=["Admin"], user_id=fixed_snowflake(32))
        self.owner = self.add_member("owner", "olive", global_name="Olive", user_id=fixed_snowflake(33))

    # -- lookups ---------------------------------------------------------------------------------

    @property
    def default_channel(self) -> Channel:
        return self.channels["general"]

    def add_member(
        self,
        key: str,
        username: str | None = None,
        *,
        global_name: str | None = None,
        roles: list[Any] = (),
        user_id: int | None = None,
    ) -> Member:
        """Create a user and member; ``roles`` are role names, ids or :class:`Role` objects.

        Members added while a client is connected are not announced (no GUILD_MEMBER_ADD).
        """
        if key in self.members:
            raise ValueError(f"member {key!r} already exists")
        user = User(key, user_id or self.snowflake(), username or key, global_name)
        member = Member(user, [self.role(r).id for r in roles])
        self.members[key] = member
        return member

    def add_role(self, name: str, permissions: int) -> Role:
        if name in self.roles:
            raise ValueError(f"role {name!r} already exists")
        role = Role(self.snowflake(), name, permissions, position=len(self.roles))
        self.roles[name] = role
        return role

    def role(self, ref: Any) -> Role:
        """A role by object, name or id (KeyError if unknown); likewise :meth:`member` and :meth:`channel`."""
        return ref if isinstance(ref, Role) else _resolve(self.roles, ref, "role")

    def member(self, ref: Any) -> Member:
        if isinstance(ref, Member):
            return ref
        return _resolve(self.members, ref.key if isinstance(ref, User) else ref, "member")

    def find_member_by_id(self, user_id: Any) -> Member | None:
        return _by_id(self.members, user_id)

    def channel(self, ref: Any) -> Channel:
        if isinstance(ref, Channel):
            return ref
        return self.default_channel if ref is None else _resolve(self.channels, ref, "channel")

    def find_channel_by_id(self, channel_id: Any) -> Channel | None:
        return _by_id(self.channels, channel_id) or _by_id(self.dms, channel_id)

    def dm(self, member: Any) -> Channel:
        """The direct message channel between ``member`` and the bot (made on first use)."""
        user = self.member(member).user
        if user.key not in self.dms:
            self.dms[user.key] = Channel(self.snowflake(), "", DM, None, recipient=user.payload())
        return self.dms[user.key]

    def bot_permissions(self, channel: Channel) -> int:
        """The bot's own permissions in a guild channel: its roles' (no overwrites), as discord.py computes them."""
        bot = self.members["bot"]
        return self.permissions_for(list(bot.role_ids), bot.id)

    def add_forum(self, name: str, *, topic: str | None = None) -> Channel:
        """A forum channel (type 15) in the text category: members post threads in it, never plain messages.
        Add it before the client connects (GUILD_CREATE lists it; later channels are not announced)."""
        if name in self.channels:
            raise ValueError(f"channel {name!r} already exists")
        category = self.channels["Text Channels"]
        forum = Channel(self.snowflake(), name, GUILD_FORUM, self.guild_id, category.id,
                        position=len(self.channels), topic=topic)
        self.channels[name] = forum
        return forum

    def add_thread(self, parent: Channel, name: str, *, private: bool = False, thread_id: int | None = None,
                   owner_id: int | None = None) -> Channel:
        thread = Channel(
            thread_id or self.snowflake(),
            name,
            PRIVATE_THREAD if private else PUBLIC_THREAD,
            self.guild_id,
            parent.id,
            owner_id=owner_id or self.bot.id,
        )
        # Keyed by id: thread names need not be unique.
        self.channels[str(thread.id)] = thread
        return thread

    # -- permissions -------------------------------------------------------------------------------

    def permissions_for(self, role_ids: list[int], user_id: int | None = None) -> int:
        """Guild-level permissions as Discord computes them (channel overwrites are not modelled)."""
        if user_id is not None and user_id == self.owner.id:
            return ALL_PERMISSIONS
        value = self.roles["@everyone"].permissions
        by_id = {r.id: r for r in self.roles.values()}
        for role_id in role_ids:
            role = by_id.get(int(role_id))
            if role is not None:
                value |= role.permissions
        if value & ADMINISTRATOR:
            return ALL_PERMISSIONS
        return value

    # -- payloads ----------------------------------------------------------------------------------

    def application_payload(self) -> dict[str, Any]:
        return {
            "id": str(self.application_id),
            "name": self.bot.username,
            "description": "A bot running against the local Discord double.",
            "icon": None,
            "bot_public": False,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "flags": 0,
            "owner": self.owner.user.payload(),
            "team": None,
            "summary": "",
            "rpc_origins": [],
            "terms_of_service_url": None,
            "privacy_policy_url": None,
            "interactions_endpoint_url": None,
            "tags": [],
            "bot": self.bot.payload(),
        }

    def me_payload(self) -> dict[str, Any]:
        data = self.bot.payload()
        data.update(verified=True, mfa_enabled=False, locale="en-US", email=None)
        return data

    def guild_payload(self, *, full: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.guild_id),
            "name": self.guild_name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(self.owner.id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "roles": [r.payload() for r in self.roles.values()],
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "application_id": None,
            "system_channel_id": str(self.default_channel.id),
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "vanity_url_code": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": "en-US",
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
            "max_members": 500000,
            "max_video_channel_users": 25,
        }
        if full:
            members = list(self.members.values())
            data.update(
                joined_at=self.members["bot"].joined_at,
                large=False,
                unavailable=False,
                # Equal to len(members): discord.py then treats the guild as chunked and does not
                # request members at startup.
                member_count=len(members),
                members=[m.payload() for m in members],
                channels=[c.payload() for c in self.channels.values() if not c.is_thread],
                threads=[c.payload() for c in self.channels.values() if c.is_thread],
                voice_states=[],
                presences=[],
                stage_instances=[],
                guild_scheduled_events=[],
                soundboard_sounds=[],
            )
        return data
