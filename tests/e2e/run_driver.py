"""`eventbot run` in a child process, against a Discord double the parent test started:

    DISCORD_API_BASE=... DISCORD_GATEWAY=... DISCORD_TOKEN=... python -m tests.e2e.run_driver [run options]

The same two changes to discord.py as `tests.discord_double.patch_discord_py` (its REST base and default
gateway), then the command line's own `main`, unchanged.
"""

from __future__ import annotations

import os
import sys

import discord.gateway
import discord.http
import yarl

from bot.cli import main

if __name__ == "__main__":
    discord.http.Route.BASE = os.environ["DISCORD_API_BASE"]
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(os.environ["DISCORD_GATEWAY"])
    sys.argv = ["eventbot", "run", *sys.argv[1:]]
    main()
