"""pytest fixtures for the Discord double. Import the ones you use into your test module:

    from tests.discord_double.fixtures import discord_double
"""

from __future__ import annotations

from typing import AsyncIterator

import pytest
import pytest_asyncio

from .harness import patch_discord_py
from .server import DiscordDouble


@pytest_asyncio.fixture
async def discord_double(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[DiscordDouble]:
    """A started :class:`DiscordDouble` with discord.py pointed at it for this test only.

    At teardown it fails the test if the double hit an internal error.
    """
    async with DiscordDouble() as double:
        patch_discord_py(monkeypatch, double)
        yield double
    double.check()
