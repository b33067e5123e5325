"""A local Discord API double for testing bots built on the real discord.py client.

Start a :class:`DiscordDouble`, point discord.py at it with :func:`patch_discord_py` (test setup
only), run the bot with :func:`running_client`, then drive it with ``send_slash_command`` /
``send_message`` and assert on ``requests``. See README.md.
"""

from .harness import patch_discord_py, running_client
from .interactions import InteractionRecord
from .recording import GatewayFrame, RecordedFile, RecordedRequest
from .routing import FaultRule
from .server import CommandNotAvailable, DiscordDouble
from .world import AttachmentSpec, Channel, Member, Role, User, World

__all__ = [
    "AttachmentSpec",
    "Channel",
    "CommandNotAvailable",
    "DiscordDouble",
    "FaultRule",
    "GatewayFrame",
    "InteractionRecord",
    "Member",
    "RecordedFile",
    "RecordedRequest",
    "Role",
    "User",
    "World",
    "patch_discord_py",
    "running_client",
]
