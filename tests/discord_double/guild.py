"""Read-only routes on the world: gateway URL, users, the application, and the guild with its
channels, roles and members."""

from __future__ import annotations

from typing import Callable

from . import world as w
from .recording import RecordedRequest
from .routing import Reply, Route, to_int, unknown


class Guild:
    def __init__(self, world: w.World, gateway_url: Callable[[], str]) -> None:
        self.world = world
        self.gateway_url = gateway_url

    def routes(self) -> list[Route]:
        return [
            ("GET", "/gateway", self.get_gateway, False),
            ("GET", "/gateway/bot", self.get_gateway_bot, True),
            ("GET", "/users/@me", self.get_me, True),
            ("GET", "/users/{user_id}", self.get_user, True),
            ("GET", "/oauth2/applications/@me", self.get_application, True),
            ("GET", "/applications/@me", self.get_application, True),
            ("GET", "/guilds/{guild_id}", self.get_guild, True),
            ("GET", "/guilds/{guild_id}/channels", self.get_channels, True),
            ("GET", "/guilds/{guild_id}/roles", self.get_roles, True),
            ("GET", "/guilds/{guild_id}/members/{user_id}", self.get_member, True),
        ]

    def _check_guild(self, guild_id: str) -> None:
        if to_int(guild_id) != self.world.guild_id:
            raise unknown("Guild")

    def _member(self, user_id: str, what: str) -> w.Member:
        member = self.world.find_member_by_id(user_id)
        if member is None:
            raise unknown(what)
        return member

    async def get_gateway(self, rec: RecordedRequest) -> Reply:
        return (200, {"url": self.gateway_url()})

    async def get_gateway_bot(self, rec: RecordedRequest) -> Reply:
        limit = {"total": 1000, "remaining": 999, "reset_after": 14400000, "max_concurrency": 1}
        return (200, {"url": self.gateway_url(), "shards": 1, "session_start_limit": limit})

    async def get_me(self, rec: RecordedRequest) -> Reply:
        return (200, self.world.me_payload())

    async def get_user(self, rec: RecordedRequest, user_id: str) -> Reply:
        return (200, self._member(user_id, "User").user.payload())

    async def get_application(self, rec: RecordedRequest) -> Reply:
        return (200, self.world.application_payload())

    async def get_guild(self, rec: RecordedRequest, guild_id: str) -> Reply:
        self._check_guild(guild_id)
        return (200, self.world.guild_payload(full=False))

    async def get_channels(self, rec: RecordedRequest, guild_id: str) -> Reply:
        self._check_guild(guild_id)
        return (200, [c.payload() for c in self.world.channels.values() if not c.is_thread])

    async def get_roles(self, rec: RecordedRequest, guild_id: str) -> Reply:
        self._check_guild(guild_id)
        return (200, [r.payload() for r in self.world.roles.values()])

    async def get_member(self, rec: RecordedRequest, guild_id: str, user_id: str) -> Reply:
        self._check_guild(guild_id)
        return (200, self._member(user_id, "Member").payload())
