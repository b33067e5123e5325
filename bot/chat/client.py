"""EventBot: the discord.py client, its command tree and the cogs, over the corpora it answers from."""

from __future__ import annotations

import asyncio
import contextvars
import functools
import hashlib
import json
import logging
import signal
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import discord
from discord import app_commands
from discord.ext import commands

from bot import logs
from bot.chat import errors
from bot.chat.cooldown import UserCooldown
from bot.config import DiscordConfig
from bot.conversation import Conversations
from bot.corpora import Corpora
from bot.server_settings import SettingsStore
from bot.service import EventService

log = logging.getLogger(__name__)

T = TypeVar("T")

EXTENSIONS = ("bot.chat.cogs.ask", "bot.chat.cogs.articles", "bot.chat.cogs.admin", "bot.chat.cogs.community",
              "bot.chat.cogs.feeds", "bot.chat.cogs.events")
# Threads for /add (fetch, extract, embed). Their own pool: a fetch may take up to the fetch timeout, and
# links that stall on purpose must not hold the threads that answer questions (asyncio's default pool).
ADD_WORKERS = 4
# Seconds the commands in flight get to end after SIGTERM before they are cancelled and the index is
# saved (`docker stop` sends SIGKILL 10 s after SIGTERM; systemd after 90 s).
SHUTDOWN_GRACE = 7.0


class StartFailed(Exception):
    """The bot could not start: a one-line reason for the operator, and the exit code."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


class EventTree(app_commands.CommandTree):
    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """Every command: refused while the bot shuts down; otherwise counted as work in flight."""
        bot = interaction.client
        if not isinstance(bot, EventBot):
            return True
        if bot.closing:
            await errors.reply(interaction, "I am restarting: ask me again in a minute.")
            return False
        bot.track_current_task()
        # The rest of this task is the command: its log lines carry the interaction's id.
        logs.begin(f"/{interaction.command.qualified_name}" if interaction.command else "command", "slash",
                   str(interaction.id))
        return True

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        await errors.handle(interaction, error)


def intents(message_content: bool = False) -> discord.Intents:
    """Servers and their messages (for mentions of the bot) and direct messages; no privileged intent is
    needed. `message_content`: the privileged intent, for follow-ups in threads without a mention."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.guild_messages = True
    wanted.dm_messages = True
    wanted.message_content = message_content
    return wanted


class EventBot(commands.Bot):
    """Slash commands and mentions, answered from `corpora` (one service, or one per server).

    `settings` is the `discord` section of the configuration.

    `sync_state` is a file remembering the command set last synced to each target, so that a
    restart syncs only when the commands changed (`force_sync` syncs anyway). Without it, every
    start syncs.
    """

    def __init__(self, corpora: EventService | Corpora, settings: DiscordConfig = DiscordConfig(), *,
                 sync_state: Path | None = None, force_sync: bool = False, **options: Any) -> None:
        super().__init__(command_prefix=commands.when_mentioned, help_command=None,
                         intents=intents(settings.message_content), tree_cls=EventTree,
                         allowed_mentions=discord.AllowedMentions.none(), **options)
        self.corpora = corpora if isinstance(corpora, Corpora) else Corpora.single(corpora)
        self.settings = settings
        self.sync_state = sync_state
        self.force_sync = force_sync
        self.cooldowns = {"ask": UserCooldown(settings.ask_cooldown_seconds),
                          "add": UserCooldown(settings.add_cooldown_seconds)}
        self.add_pool = ThreadPoolExecutor(max_workers=ADD_WORKERS, thread_name_prefix="eventbot-add")
        self.closing = False  # set by `shutdown`: commands are refused from then on
        # Each server's channel settings (/settings), in the data folder: they survive restarts.
        self.server_settings = SettingsStore(self.corpora.data_dir / "discord-settings.sqlite3")
        self._working: set[asyncio.Task[Any]] = set()
        # Answers that can be followed up, by message id (and the thread opened for them).
        self.conversations = Conversations(settings.follow_ups_kept, settings.follow_up_minutes * 60)

    def track_current_task(self) -> None:
        """Count the running task (a command, a mention being answered) as work `shutdown` waits for."""
        task = asyncio.current_task()
        if task is not None:
            self._working.add(task)
            task.add_done_callback(self._working.discard)

    async def shutdown(self, grace: float = SHUTDOWN_GRACE) -> None:
        """Stop taking commands, give the ones in flight up to `grace` seconds to end (cancelling the rest),
        then disconnect. The caller then closes the corpora, which saves the index."""
        self.closing = True
        started = time.monotonic()
        working = {t for t in self._working if t is not asyncio.current_task() and not t.done()}
        if working:
            log.info("waiting for %d commands in flight", len(working))
            _, late = await asyncio.wait(working, timeout=grace)
            for task in late:
                log.warning("cancelling a command still running after %g s: %s", grace, task.get_name())
                task.cancel()
        self.add_pool.shutdown(wait=False, cancel_futures=True)
        left = max(0.5, grace - (time.monotonic() - started))
        try:  # an add whose command was cancelled may still be fetching: it ends at its own deadline
            await asyncio.wait_for(asyncio.to_thread(self.add_pool.shutdown, wait=True), timeout=left)
        except asyncio.TimeoutError:
            log.warning("an /add was still running when the bot stopped")
        await self.close()

    async def close(self) -> None:
        await super().close()
        self.add_pool.shutdown(wait=False, cancel_futures=True)
        self.server_settings.close()

    async def adding(self, work: Callable[..., T], /, *args: Any) -> T:
        """Run `work(*args)` (an add: fetching, extracting, embedding) in the bounded /add pool."""
        call = functools.partial(contextvars.copy_context().run, work, *args)  # the command's request id too
        return await asyncio.get_running_loop().run_in_executor(self.add_pool, call)

    def service_for(self, guild_id: int | None) -> EventService:
        """The service of the corpus a server sees (raises `NoServer` for a DM with per-server corpora)."""
        return self.corpora.for_guild(guild_id)

    async def setup_hook(self) -> None:
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        await self.sync_commands()

    async def on_message(self, message: discord.Message, /) -> None:
        """No prefix commands: mentions are answered by the Ask cog's listener."""

    async def on_ready(self) -> None:
        log.info("connected as %s (%s) to %d servers", self.user, self.user.id if self.user else "?", len(self.guilds))

    # -- command sync -----------------------------------------------------------------------------

    def command_payloads(self, guild: discord.abc.Snowflake | None) -> list[dict[str, Any]]:
        """The commands a sync to `guild` (None: global) sends, by name."""
        return sorted((c.to_dict(self.tree) for c in self.tree.get_commands(guild=guild)), key=lambda c: c["name"])

    def command_digest(self, guild: discord.abc.Snowflake | None) -> str:
        """A hash of the commands that a sync to `guild` (None: global) would send."""
        payload = self.command_payloads(guild)
        return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()

    def sync_targets(self) -> list[discord.Object | None]:
        """Where the commands are synced: each configured guild (the global commands copied to it, so they
        show at once), or globally (None) when none is."""
        targets: list[discord.Object | None] = [discord.Object(id=g) for g in self.settings.guild_ids] or [None]
        for guild in targets:
            if guild is not None:
                self.tree.copy_global_to(guild=guild)
        return targets

    async def sync_commands(self) -> list[str]:
        """Sync to each configured guild (instant), or globally when none is; skip targets already up to date.

        Returns the targets synced ("global" or guild ids).
        """
        state = self._read_sync_state()
        synced = []
        for guild in self.sync_targets():
            name = str(guild.id) if guild else "global"
            key = f"{self.application_id}:{name}"
            digest = self.command_digest(guild)
            if not self.force_sync and state.get(key) == digest:
                log.info("commands for %s unchanged; not syncing", name)
                continue
            try:
                await self.tree.sync(guild=guild)
            except discord.Forbidden:
                log.error("cannot sync commands to server %s: is the bot in it, invited with the "
                          "applications.commands scope?", name)
                continue
            state[key] = digest
            synced.append(name)
            log.info("synced commands to %s", name)
        self._write_sync_state(state)
        return synced

    def _read_sync_state(self) -> dict[str, str]:
        if self.sync_state is None:
            return {}
        try:
            data = json.loads(self.sync_state.read_text(encoding="utf-8"))
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}

    def _write_sync_state(self, state: dict[str, str]) -> None:
        if self.sync_state is None:
            return
        try:
            self.sync_state.parent.mkdir(parents=True, exist_ok=True)
            self.sync_state.write_text(json.dumps(state, indent=1), encoding="utf-8")
        except OSError as e:
            log.warning("cannot remember the synced commands in %s: %s", self.sync_state, e)


def run_bot(corpora: EventService | Corpora, settings: DiscordConfig, token: str, *, sync_state: Path | None = None,
            force_sync: bool = False) -> None:
    """Run until SIGTERM or SIGINT (Ctrl+C), then shut down gracefully (`EventBot.shutdown`) and return.

    Raises `StartFailed` for a rejected token or an unreachable Discord.
    """
    import aiohttp

    bot = EventBot(corpora, settings, sync_state=sync_state, force_sync=force_sync)
    try:
        asyncio.run(_serve(bot, token))
    except discord.LoginFailure as e:
        raise StartFailed("Discord rejected DISCORD_TOKEN: copy the bot's token again from the Developer "
                          "Portal (Bot -> Reset Token)") from e
    except discord.PrivilegedIntentsRequired as e:
        raise StartFailed(f"Discord refused the gateway intents: {e}") from e
    except (aiohttp.ClientConnectionError, discord.GatewayNotFound) as e:
        raise StartFailed(f"cannot reach Discord: {e}", code=1) from e
    except discord.HTTPException as e:
        raise StartFailed(f"Discord refused to start the bot: {e}", code=1) from e


async def _serve(bot: EventBot, token: str) -> None:
    """`bot.start` until a stop signal. (discord.py's `Client.run` catches only KeyboardInterrupt: under
    `docker stop` or systemd, SIGTERM would end the process without saving anything.)"""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()

    def on_signal(name: str) -> None:
        if stop.is_set():
            log.warning("%s: already stopping", name)
            return
        log.warning("%s: stopping (finishing the commands in flight, then saving the index)", name)
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, on_signal, sig.name)
        except (NotImplementedError, RuntimeError):  # no signal handlers here (Windows): Ctrl+C still works
            pass
    async with bot:
        running = asyncio.create_task(bot.start(token), name="eventbot")
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({running, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if running.done():
            stopping.cancel()
            running.result()  # why it stopped, if it failed
            return
        await bot.shutdown()
        try:
            await asyncio.wait_for(running, timeout=5)
        except (asyncio.TimeoutError, discord.DiscordException, OSError) as e:
            log.info("the gateway connection ended with %r", e)
