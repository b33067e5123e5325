"""Pointing discord.py at the double, and running a client against it (no pytest dependency)."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from typing import TYPE_CHECKING, Any, AsyncIterator, TypeVar

if TYPE_CHECKING:
    import discord

    from .server import DiscordDouble

ClientT = TypeVar("ClientT", bound="discord.Client")


def patch_discord_py(monkeypatch: Any, double: DiscordDouble) -> None:
    """Point discord.py's REST base and default gateway at ``double`` through pytest's ``monkeypatch``.

    These two class attributes are the only changes; they are undone when the test ends.
    (Both REST clients read ``Route.BASE``: the bot's ``HTTPClient`` and the webhook adapter that
    interaction responses and followups use.)
    """
    import discord.gateway
    import discord.http
    import yarl

    monkeypatch.setattr(discord.http.Route, "BASE", double.api_base)
    monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(double.gateway_url))


@contextlib.asynccontextmanager
async def running_client(client: ClientT, double: DiscordDouble, *, timeout: float = 10.0) -> AsyncIterator[ClientT]:
    """Log ``client`` in to ``double``, connect, wait for on_ready; on exit close it and await its task.

    Logging in runs ``setup_hook`` (where bots usually sync commands). Tip: build test clients with
    ``guild_ready_timeout=0.05``; discord.py otherwise waits 2 s after the last GUILD_CREATE
    before firing on_ready.
    """
    try:
        await client.login(double.token)
    except BaseException:
        await client.close()
        raise
    task = asyncio.create_task(client.connect(reconnect=True), name="discord-double-client")
    ready = asyncio.create_task(client.wait_until_ready())
    try:
        done, _ = await asyncio.wait({task, ready}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        if ready not in done:
            if task in done:
                task.result()  # re-raise why the client stopped
                raise RuntimeError("client stopped before it became ready")
            raise TimeoutError(f"client not ready within {timeout}s")
        yield client
    finally:
        ready.cancel()
        await client.close()
        await _finish_connect_task(task)


async def _finish_connect_task(task: asyncio.Task[None], grace: float = 2.0) -> None:
    """Let ``Client.connect`` return after ``close()``; cancel it if it is stuck mid-reconnect.

    discord.py quirk: ``Client.close()`` only closes ``client.ws``. If it runs while the client is
    reconnecting (e.g. inside ``before_identify_hook``'s 5 s sleep), the new websocket is not
    ``client.ws`` yet, so its keep-alive thread survives and later fails on the closed loop. Stop
    such threads here.
    """
    done, _ = await asyncio.wait({task}, timeout=grace)
    if not done:
        task.cancel()
    results = await asyncio.gather(task, return_exceptions=True)
    loop = asyncio.get_running_loop()
    from discord.gateway import KeepAliveHandler

    for thread in threading.enumerate():
        if isinstance(thread, KeepAliveHandler) and getattr(thread.ws, "loop", None) is loop:
            thread.stop()
    error = results[0]
    if isinstance(error, BaseException) and not isinstance(error, asyncio.CancelledError):
        raise error
