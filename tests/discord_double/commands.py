"""Application commands: the sync routes, the commands as Discord holds them, and the command data
of the interactions the double sends (``send_slash_command``, ``send_autocomplete``)."""

from __future__ import annotations

from typing import Any

from . import world as w
from .messages import MessageStore
from .recording import RecordedRequest
from .routing import Reject, Reply, Route, to_int, unknown
from .validation import check_command, too_long

# Application command option types (Discord docs: "Application Command Option Type").
SUB_COMMAND = 1
SUB_COMMAND_GROUP = 2
STRING = 3
INTEGER = 4
BOOLEAN = 5
USER = 6
CHANNEL = 7
ROLE = 8
MENTIONABLE = 9
NUMBER = 10
ATTACHMENT = 11

Command = dict[str, Any]


class Commands:
    """The synced commands: ``synced[None]`` global, ``synced[guild_id]`` the guild's."""

    def __init__(self, world: w.World, store: MessageStore) -> None:
        self.world = world
        self.store = store
        self.synced: dict[int | None, list[Command]] = {}

    def routes(self) -> list[Route]:
        routes: list[Route] = []
        app = "/applications/{application_id}"
        for base in (app + "/commands", app + "/guilds/{guild_id}/commands"):
            routes += [
                ("GET", base, self.get_commands, True),
                ("PUT", base, self.put_commands, True),
                ("POST", base, self.post_command, True),
                ("GET", base + "/{command_id}", self.get_command, True),
                ("PATCH", base + "/{command_id}", self.patch_command, True),
                ("DELETE", base + "/{command_id}", self.delete_command, True),
            ]
        return routes

    # -- routes ----------------------------------------------------------------------------------

    def scope(self, application_id: str, guild_id: str | None) -> int | None:
        """None for global commands, else the guild id; raises 403 Missing Access for another app or guild."""
        other_guild = guild_id is not None and to_int(guild_id) != self.world.guild_id
        if to_int(application_id) != self.world.application_id or other_guild:
            raise Reject(403, "Missing Access", 50001)
        return to_int(guild_id) if guild_id else None

    def command(self, application_id: str, guild_id: str | None, command_id: str) -> tuple[int | None, Command]:
        """(scope, the stored command); raises as :meth:`scope` or 404 Unknown application command."""
        scope = self.scope(application_id, guild_id)
        cmd = next((c for c in self.synced.get(scope, []) if c["id"] == command_id), None)
        if cmd is None:
            raise unknown("application command")
        return scope, cmd

    def _store(self, scope: int | None, body: Command, existing: Command | None) -> Command:
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

    async def get_commands(self, rec: RecordedRequest, application_id: str, guild_id: str | None = None) -> Reply:
        return (200, list(self.synced.get(self.scope(application_id, guild_id), [])))

    async def put_commands(self, rec: RecordedRequest, application_id: str, guild_id: str | None = None) -> Reply:
        scope = self.scope(application_id, guild_id)
        body = rec.json or []
        if len(body) > 100:
            raise too_long("_", 100)
        for i, cmd in enumerate(body):
            check_command(cmd, str(i))
        old = {(c["name"], c["type"]): c for c in self.synced.get(scope, [])}
        self.synced[scope] = [self._store(scope, c, old.get((c["name"], c.get("type", 1)))) for c in body]
        return (200, list(self.synced[scope]))

    async def post_command(self, rec: RecordedRequest, application_id: str, guild_id: str | None = None) -> Reply:
        scope = self.scope(application_id, guild_id)
        body = rec.json or {}
        check_command(body, "_")
        cmds = self.synced.setdefault(scope, [])
        existing = next((c for c in cmds if c["name"] == body["name"] and c["type"] == body.get("type", 1)), None)
        cmd = self._store(scope, body, existing)
        if existing:
            cmds[cmds.index(existing)] = cmd
            return (200, cmd)
        cmds.append(cmd)
        return (201, cmd)

    async def get_command(
        self, rec: RecordedRequest, application_id: str, command_id: str, guild_id: str | None = None
    ) -> Reply:
        return (200, self.command(application_id, guild_id, command_id)[1])

    async def patch_command(
        self, rec: RecordedRequest, application_id: str, command_id: str, guild_id: str | None = None
    ) -> Reply:
        _, cmd = self.command(application_id, guild_id, command_id)
        cmd.update({k: v for k, v in (rec.json or {}).items() if k in cmd})
        cmd["version"] = str(self.world.snowflake())
        return (200, cmd)

    async def delete_command(
        self, rec: RecordedRequest, application_id: str, command_id: str, guild_id: str | None = None
    ) -> Reply:
        scope, cmd = self.command(application_id, guild_id, command_id)
        self.synced[scope].remove(cmd)
        return (204, None)

    # -- command data of injected interactions -----------------------------------------------------

    def lookup(self, name: str, scope: str, ctype: int = 1) -> tuple[Command | None, int | None]:
        """(synced command or None, guild id if it is a guild command). ``ctype``: 1 slash, 2 user, 3 message."""

        def find(scope: int | None) -> Command | None:
            return next((c for c in self.synced.get(scope, []) if c["name"] == name and c["type"] == ctype), None)

        guild_cmd = find(self.world.guild_id)
        global_cmd = find(None)
        if scope == "guild":
            return guild_cmd, self.world.guild_id
        if scope == "global":
            return global_cmd, None
        if scope != "auto":
            raise ValueError("scope must be 'auto', 'guild' or 'global'")
        if guild_cmd is not None:
            return guild_cmd, self.world.guild_id
        if global_cmd is not None:
            return global_cmd, None
        if any(self.synced.values()):
            known = sorted({c["name"] for cmds in self.synced.values() for c in cmds})
            raise ValueError(f"/{name} was never synced to the double (synced: {known}); Discord would not offer it")
        return None, None

    def data(
        self, command: Command | None, scope: int | None, path: list[str], options: list[dict[str, Any]],
        resolved: dict[str, dict[str, Any]] | None = None, ctype: int = 1,
    ) -> dict[str, Any]:
        """The ``data`` of an APPLICATION_COMMAND (or autocomplete) interaction; ``ctype`` the command's type."""
        data: dict[str, Any] = {
            "id": command["id"] if command else str(self.world.snowflake()),
            "name": path[0],
            "type": ctype,
            "options": options,
        }
        if resolved:
            data["resolved"] = resolved
        if scope is not None:
            data["guild_id"] = str(scope)
        return data

    def option_schema(self, command: Command | None, path: list[str]) -> dict[str, dict[str, Any]]:
        options = (command.get("options") or []) if command else []
        for part in path[1:]:
            groups = (SUB_COMMAND, SUB_COMMAND_GROUP)
            sub = next((o for o in options if o["name"] == part and o["type"] in groups), None)
            if sub is None:
                raise ValueError(f"/{' '.join(path)}: no subcommand {part!r} in the synced command")
            options = sub.get("options") or []
        return {o["name"]: o for o in options}

    def build_options(
        self, command: Command | None, path: list[str], values: dict[str, Any], resolved: dict[str, dict[str, Any]],
        channel: w.Channel, check_required: bool = True,
    ) -> list[dict[str, Any]]:
        """The ``options`` of the interaction data (nested under subcommands), filling ``resolved``."""
        schema = self.option_schema(command, path) if command else None
        leaf: list[dict[str, Any]] = []
        for opt_name, value in values.items():
            spec = None
            if schema is not None:
                spec = schema.get(opt_name)
                if spec is None:
                    raise ValueError(f"/{' '.join(path)} has no option {opt_name!r} (has: {sorted(schema)})")
            otype = spec["type"] if spec else infer_type(value)
            leaf.append({"name": opt_name, "type": otype, "value": self._option_value(otype, value, resolved, channel)})
        if schema is not None and check_required:
            missing = [n for n, o in schema.items() if o.get("required") and n not in values]
            if missing:
                raise ValueError(f"/{' '.join(path)}: missing required options {missing}")
        if len(path) == 1:
            return leaf
        if len(path) == 2:
            return [{"name": path[1], "type": SUB_COMMAND, "options": leaf}]
        sub = {"name": path[2], "type": SUB_COMMAND, "options": leaf}
        return [{"name": path[1], "type": SUB_COMMAND_GROUP, "options": [sub]}]

    def _option_value(self, otype: int, value: Any, resolved: dict[str, dict[str, Any]], channel: w.Channel) -> Any:
        if otype == STRING:
            return str(value)
        if otype == INTEGER:
            return int(value)
        if otype == NUMBER:
            return value if isinstance(value, (int, float)) and not isinstance(value, bool) else float(value)
        if otype == BOOLEAN:
            return bool(value)
        if otype == ATTACHMENT:
            att = self.store.store_blob(channel.id, w.AttachmentSpec.coerce(value), ephemeral=True)
            resolved.setdefault("attachments", {})[att["id"]] = att
            return att["id"]
        if otype == ROLE or (otype == MENTIONABLE and isinstance(value, w.Role)):
            role = self.world.role(value)
            resolved.setdefault("roles", {})[str(role.id)] = role.payload()
            return str(role.id)
        if otype in (USER, MENTIONABLE):
            member = self.world.member(value)
            perms = self.world.permissions_for(member.role_ids, member.id)
            resolved.setdefault("users", {})[str(member.id)] = member.user.payload()
            resolved.setdefault("members", {})[str(member.id)] = member.payload(with_user=False, permissions=perms)
            return str(member.id)
        if otype == CHANNEL:
            ch = self.world.channel(value)
            keep = ("id", "name", "type", "parent_id", "thread_metadata")
            data = {k: v for k, v in ch.payload().items() if k in keep}
            data["permissions"] = str(w.ALL_PERMISSIONS)
            resolved.setdefault("channels", {})[str(ch.id)] = data
            return str(ch.id)
        raise ValueError(f"option type {otype} is not modelled")


def infer_type(value: Any) -> int:
    if isinstance(value, (w.AttachmentSpec, tuple)):
        return ATTACHMENT
    if isinstance(value, (w.Member, w.User)):
        return USER
    if isinstance(value, w.Channel):
        return CHANNEL
    if isinstance(value, w.Role):
        return ROLE
    if isinstance(value, bool):
        return BOOLEAN
    if isinstance(value, int):
        return INTEGER
    if isinstance(value, float):
        return NUMBER
    return STRING
