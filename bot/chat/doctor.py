"""`eventbot doctor`'s Discord check: the slash commands Discord holds for the bot (GET
/applications/{id}/commands, per configured server or global) against the ones the bot defines.

A command missing from Discord cannot be used; one that differs (options, description, who may use it)
or that the bot no longer defines is stale. `eventbot run` syncs only when its own commands changed since
its last sync, so a change made elsewhere (another copy of the bot, a manual edit) needs `--sync`.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import discord
from pydantic import SecretStr

from bot.chat.client import EXTENSIONS, EventBot
from bot.config import Config
from bot.corpora import Corpora
from bot.doctor import COMMANDS, Check, Status

TIMEOUT = 20.0  # seconds for the whole check (discord.py retries Discord's 5xx answers on its own)
FIX = "run `eventbot run --sync` (a plain `eventbot run` syncs only when the bot's commands changed since its last sync)"
# What a member sees of a command; Discord adds ids and versions, and fills some defaults of its own.
COMPARED = ("type", "description", "options", "default_member_permissions", "nsfw")

Commands = dict[str, dict[str, Any]]


def check_commands(cfg: Config, token: SecretStr) -> list[Check]:
    """The check, run to its end (at most TIMEOUT seconds)."""
    return asyncio.run(registered_commands(cfg, token))


async def registered_commands(cfg: Config, token: SecretStr) -> list[Check]:
    """One check per place the bot syncs to (each of `discord.guild_ids`, or global)."""
    defined = await defined_commands(cfg)
    try:
        held = await asyncio.wait_for(_held(token.get_secret_value(), list(defined)), TIMEOUT)
    except discord.LoginFailure:
        return [Check(COMMANDS, Status.FAIL, "Discord rejected DISCORD_TOKEN",
                      "copy the token again from the Developer Portal's Bot page (Reset Token)")]
    except (aiohttp.ClientError, OSError, TimeoutError, discord.HTTPException) as e:
        return [Check(COMMANDS, Status.WARN, f"cannot ask Discord for the commands ({_why(e)}): not checked",
                      "check this machine can reach discord.com, then run `eventbot doctor` again")]
    return [_compare(target, defined[target], held[target]) for target in defined]


async def defined_commands(cfg: Config) -> dict[int | None, Commands]:
    """The commands `eventbot run` would sync, by target (a server id, or None: global), by name.
    The bot is built as `eventbot run` builds it, but never logs in and opens no corpus."""
    bot = EventBot(Corpora(cfg.data_dir, cfg, "per_guild"), cfg.discord)  # per_guild: opened only when used
    try:
        for extension in EXTENSIONS:
            await bot.load_extension(extension)
        return {guild.id if guild else None: {c["name"]: c for c in bot.command_payloads(guild)}
                for guild in bot.sync_targets()}
    finally:
        await bot.close()


async def _held(token: str, targets: list[int | None]) -> dict[int | None, Commands | str]:
    """What Discord holds for each target, by name; or why it would not say (a server the bot is not in)."""
    http = discord.http.HTTPClient(asyncio.get_running_loop())
    try:
        await http.static_login(token)
        application = int((await http.application_info())["id"])
        held: dict[int | None, Commands | str] = {}
        for guild in targets:
            try:
                found = await (http.get_guild_commands(application, guild) if guild
                               else http.get_global_commands(application))
            except discord.Forbidden as e:
                held[guild] = _why(e)
                continue
            held[guild] = {c["name"]: dict(c) for c in found}
        return held
    finally:
        await http.close()


def _ordered(names: set[str], commands: Commands) -> list[str]:
    """Slash commands first, then menus; by name within each."""
    return sorted(names, key=lambda n: (commands[n].get("type", 1), n))


def _label(command: dict) -> str:
    """How a member meets the command: `/ask`, or the menu entry's name."""
    kind = command.get("type", 1)
    if kind == 1:
        return f"/{command['name']}"
    return f"“{command['name']}” ({'message' if kind == 3 else 'user'} menu)"


def _compare(target: int | None, defined: Commands, held: Commands | str) -> Check:
    where = f"server {target}" if target else "global"
    if isinstance(held, str):
        return Check(COMMANDS, Status.FAIL, f"{where}: Discord refused to list the bot's commands ({held})",
                     "invite the bot to that server with the applications.commands scope, or fix discord.guild_ids")
    missing = _ordered(set(defined) - set(held), defined)
    removed = _ordered(set(held) - set(defined), held)
    changed = {name: diff for name in _ordered(set(defined) & set(held), defined)
               if (diff := _differences(defined[name], held[name]))}
    if not (missing or removed or changed):
        return Check(COMMANDS, Status.OK, f"{where}: the {len(defined)} commands Discord holds are the bot's")
    problems = []
    if missing:
        problems.append("missing " + ", ".join(_label(defined[n]) for n in missing))
    if changed:
        problems.append("stale " + ", ".join(f"{_label(defined[n])} ({', '.join(d)} differ)" for n, d in changed.items()))
    if removed:
        problems.append("no longer defined " + ", ".join(_label(held[n]) for n in removed))
    return Check(COMMANDS, Status.WARN, f"{where}: " + "; ".join(problems), FIX)


def _differences(defined: dict[str, Any], held: dict[str, Any]) -> list[str]:
    """The fields a member would see differ in (Discord's defaults and extra fields ignored)."""
    fields = [key for key in COMPARED if _normal(key, defined.get(key)) != _normal(key, held.get(key))]
    if defined.get("contexts") is not None and defined["contexts"] != held.get("contexts"):
        fields.append("contexts")  # where it may be used (servers only, DMs); compared when the bot sets it
    return fields


def _normal(key: str, value: Any) -> Any:
    """A value as both sides may write it: no empty or false fields, permissions as a string, type 1 default."""
    if key == "type":
        return value or 1
    if key == "default_member_permissions":
        return None if value is None else str(value)
    if _empty(value):
        return None
    if isinstance(value, dict):
        return {k: _normal(k, v) for k, v in value.items() if not _empty(v)}
    if isinstance(value, list):
        return [_normal(key, v) for v in value]
    return value


def _empty(value: Any) -> bool:
    return value is None or value is False or value in ("", [], {})


def _why(error: BaseException) -> str:
    if isinstance(error, discord.HTTPException):
        return f"{error.status} {error.text or error.response.reason}"
    return str(error) or type(error).__name__
