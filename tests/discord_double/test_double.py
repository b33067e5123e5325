"""The Discord double against the real, unmodified discord.py client.

A minimal bot is defined here: /ping defers then sends a followup, and on_message replies to
mentions. A few more commands exercise the other flows the double models.
"""

from __future__ import annotations

import asyncio
import io
from typing import AsyncIterator

import discord
import pytest
import pytest_asyncio
from discord import app_commands
from discord.ext import commands

from tests.discord_double import AttachmentSpec, CommandNotAvailable, DiscordDouble, running_client
from tests.discord_double.fixtures import discord_double  # noqa: F401  (pytest fixture)
from tests.discord_double.gateway import OP_HEARTBEAT, OP_HEARTBEAT_ACK, OP_IDENTIFY, OP_RESUME
from tests.discord_double.routing import Reject
from tests.discord_double.validation import check_message

# -- the bot under test ------------------------------------------------------------------------


class MiniBot(commands.Bot):
    def __init__(self, guild_id: int) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=discord.Intents.default(),  # no privileged intents: no message content
            guild_ready_timeout=0.05,  # on_ready 50 ms after GUILD_CREATE instead of 2 s
        )
        self.guild_id = guild_id
        self.seen_messages: list[discord.Message] = []
        self.readies = 0
        self.resumes = 0

    async def setup_hook(self) -> None:
        guild = discord.Object(self.guild_id)
        self.tree.copy_global_to(guild=guild)
        await self.tree.sync(guild=guild)

    async def on_ready(self) -> None:
        self.readies += 1

    async def on_resumed(self) -> None:
        self.resumes += 1

    async def on_message(self, message: discord.Message) -> None:
        self.seen_messages.append(message)
        if message.author.bot:
            return
        if self.user is not None and self.user.mentioned_in(message):
            await message.reply(f"you said: {message.clean_content}")


def make_bot(guild_id: int) -> MiniBot:
    bot = MiniBot(guild_id)

    @bot.tree.command()
    @app_commands.describe(text="What to echo")
    async def ping(interaction: discord.Interaction, text: str) -> None:
        """Defer, then answer with a followup."""
        await interaction.response.defer()
        await interaction.followup.send(f"pong: {text}")

    @bot.tree.command()
    async def whisper(interaction: discord.Interaction, text: str) -> None:
        """Answer ephemerally, immediately."""
        await interaction.response.send_message(f"psst: {text}", ephemeral=True)

    @bot.tree.command()
    async def secret(interaction: discord.Interaction, text: str) -> None:
        """Defer ephemerally, then followup."""
        await interaction.response.defer(ephemeral=True)
        await interaction.followup.send(f"secret: {text}")

    @bot.tree.command()
    async def whoami(interaction: discord.Interaction) -> None:
        """Report what discord.py sees of the caller's roles and permissions."""
        assert isinstance(interaction.user, discord.Member)
        perms = interaction.permissions
        roles = ",".join(sorted(r.name for r in interaction.user.roles if not r.is_default()))
        await interaction.response.send_message(
            f"roles={roles} manage_messages={perms.manage_messages} administrator={perms.administrator}"
        )

    @bot.tree.command()
    @app_commands.default_permissions(manage_messages=True)
    async def purge(interaction: discord.Interaction) -> None:
        """Moderators only (hidden from others by default_member_permissions)."""
        await interaction.response.send_message("purged", ephemeral=True)

    @bot.tree.command()
    async def summarize(interaction: discord.Interaction, file: discord.Attachment, lines: int = 1) -> None:
        """Read an attached file."""
        await interaction.response.defer(thinking=True)
        data = await file.read()
        first = b"\n".join(data.splitlines()[:lines]).decode()
        await interaction.followup.send(f"{file.filename} ({file.size} bytes): {first}")

    @bot.tree.command()
    async def slow(interaction: discord.Interaction) -> None:
        """Answers too late."""
        await asyncio.sleep(0.5)
        try:
            await interaction.response.send_message("late")
        except discord.NotFound as exc:
            bot.late_error = exc  # type: ignore[attr-defined]

    @bot.tree.command()
    async def discuss(interaction: discord.Interaction, topic: str) -> None:
        """Open a thread and post in it."""
        await interaction.response.defer()
        assert isinstance(interaction.channel, discord.TextChannel)
        thread = await interaction.channel.create_thread(name=topic, type=discord.ChannelType.public_thread)
        await thread.send(f"Let's talk about {topic}")
        await interaction.followup.send(f"opened {thread.mention}")

    async def topic_choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        topics = ["elections", "energy", "economy", "sports"]
        return [app_commands.Choice(name=t, value=t) for t in topics if t.startswith(current)]

    @bot.tree.command()
    @app_commands.autocomplete(name=topic_choices)
    async def topic(interaction: discord.Interaction, name: str) -> None:
        """Autocompleted option."""
        await interaction.response.send_message(name)

    @bot.tree.command()
    async def progress(interaction: discord.Interaction) -> None:
        """Walk through every interaction webhook route."""
        await interaction.response.send_message("working")
        await interaction.edit_original_response(content="done")
        await interaction.original_response()
        extra = await interaction.followup.send("extra", wait=True)
        await extra.edit(content="extra edited")
        await interaction.followup.fetch_message(extra.id)
        await extra.delete()
        await interaction.delete_original_response()

    class Confirm(discord.ui.View):
        @discord.ui.button(label="Confirm", custom_id="confirm")
        async def confirm(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
            await interaction.response.edit_message(content="confirmed", view=None)

    @bot.tree.command()
    async def ask(interaction: discord.Interaction) -> None:
        """Answer with a button."""
        await interaction.response.send_message("sure?", view=Confirm())

    @bot.tree.context_menu(name="Quote this")
    async def quote(interaction: discord.Interaction, message: discord.Message) -> None:
        await interaction.response.send_message(f"quoted: {message.content}", ephemeral=True)

    return bot


@pytest_asyncio.fixture
async def bot(discord_double: DiscordDouble) -> AsyncIterator[MiniBot]:  # noqa: F811
    client = make_bot(discord_double.guild_id)
    async with running_client(client, discord_double):
        yield client


# -- login, READY, command sync ------------------------------------------------------------------


@pytest.mark.asyncio
async def test_login_ready_and_command_sync(discord_double: DiscordDouble, bot: MiniBot) -> None:  # noqa: F811
    double = discord_double
    assert bot.user is not None and bot.user.id == double.bot_user.id
    assert bot.application_id == double.application_id
    guild = bot.get_guild(double.guild_id)
    assert guild is not None
    assert {r.name for r in guild.roles} == {"@everyone", "Moderator", "Admin"}
    assert guild.get_role(double.roles["Admin"].id).permissions.administrator
    assert {c.name for c in guild.text_channels} == {"general", "news"}

    paths = [(r.method, r.path) for r in double.requests[:2]]
    assert paths == [("GET", "/users/@me"), ("GET", "/oauth2/applications/@me")]
    assert double.requests[0].headers["Authorization"] == f"Bot {double.token}"
    identify = await double.wait_for_gateway(op=OP_IDENTIFY, direction="recv")
    assert identify.d["token"] == double.token
    assert identify.d["intents"] == discord.Intents.default().value
    ready = await double.wait_for_gateway(event="READY", direction="send")
    assert ready.d["resume_gateway_url"].startswith(double.ws_base_url)
    assert bot.readies == 1

    synced = {c["name"]: c for c in double.commands[double.guild_id]}
    assert {"ping", "whisper", "summarize"} <= set(synced)
    assert synced["ping"]["options"] == [
        {"type": 3, "name": "text", "description": "What to echo", "required": True}
    ]
    assert synced["summarize"]["options"][0]["type"] == 11
    assert synced["purge"]["default_member_permissions"] == str(discord.Permissions(manage_messages=True).value)
    fetched = await bot.tree.fetch_commands(guild=discord.Object(double.guild_id))
    assert {c.name: c.id for c in fetched} == {name: int(c["id"]) for name, c in synced.items()}
    shards, url, _limits = await bot.http.get_bot_gateway()
    assert (shards, url) == (1, double.gateway_url)
    assert double.unknown_requests == []


# -- slash commands --------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_slash_command_deferred_then_followup(discord_double: DiscordDouble, bot: MiniBot) -> None:  # noqa: F811
    double = discord_double
    interaction = await double.send_slash_command("ping", {"text": "hello"})
    followup = await double.wait_for_interaction_response(interaction, "followup")

    callback, *rest = double.interaction_responses(interaction)
    assert callback.kind == "callback" and callback.status == 200
    assert callback.json == {"type": 5}
    assert callback.query == {"with_response": "1"}
    assert rest == [followup]
    assert followup.json["content"] == "pong: hello"
    assert followup.query["wait"] == "1"
    assert callback.time <= followup.time
    # Discord turns the deferred "thinking" message into the first followup.
    original = double.original_message(interaction)
    assert original is not None and original["content"] == "pong: hello"
    assert original["flags"] == 0 and original["id"] == followup.response["id"]
    assert double.unknown_requests == []


@pytest.mark.asyncio
async def test_ephemeral_flags_recorded(discord_double: DiscordDouble, bot: MiniBot) -> None:  # noqa: F811
    double = discord_double
    direct = await double.send_slash_command("whisper", {"text": "a"})
    deferred = await double.send_slash_command("secret", {"text": "b"})

    callback = await double.wait_for_interaction_response(direct, "callback")
    assert callback.json["type"] == 4
    assert callback.json["data"]["flags"] == 64
    assert callback.json["data"]["content"] == "psst: a"
    assert callback.response["interaction"]["response_message_ephemeral"] is True

    defer = await double.wait_for_interaction_response(deferred, "callback")
    assert defer.json == {"type": 5, "data": {"flags": 64}}
    await double.wait_for_interaction_response(deferred, "followup")
    original = double.original_message(deferred)
    assert original is not None and original["content"] == "secret: b" and original["flags"] & 64
    # Ephemeral messages are not in the channel's public history.
    public = double.channel_messages("general", include_ephemeral=False)
    assert all(m["content"] not in ("psst: a", "secret: b") for m in public)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("member", "roles= manage_messages=False administrator=False"),
        ("moderator", "roles=Moderator manage_messages=True administrator=False"),
        ("admin", "roles=Admin manage_messages=True administrator=True"),
    ],
)
async def test_member_permissions_follow_roles(
    discord_double: DiscordDouble, bot: MiniBot, user: str, expected: str  # noqa: F811
) -> None:
    interaction = await discord_double.send_slash_command("whoami", user=user)
    callback = await discord_double.wait_for_interaction_response(interaction, "callback")
    assert callback.json["data"]["content"] == expected


@pytest.mark.asyncio
async def test_roles_and_permissions_overrides(discord_double: DiscordDouble, bot: MiniBot) -> None:  # noqa: F811
    double = discord_double
    by_role = await double.send_slash_command("whoami", user="member", roles=["Moderator"])
    by_bits = await double.send_slash_command(
        "whoami", user="member", permissions=discord.Permissions(manage_messages=True).value
    )
    one = await double.wait_for_interaction_response(by_role, "callback")
    two = await double.wait_for_interaction_response(by_bits, "callback")
    assert one.json["data"]["content"] == "roles=Moderator manage_messages=True administrator=False"
    assert two.json["data"]["content"] == "roles= manage_messages=True administrator=False"

    # default_member_permissions: Discord does not offer /purge to a plain member.
    with pytest.raises(CommandNotAvailable):
        await double.send_slash_command("purge", user="member")
    allowed = await double.send_slash_command("purge", user="moderator")
    assert (await double.wait_for_interaction_response(allowed, "callback")).json["data"]["content"] == "purged"
    with pytest.raises(ValueError, match="no option"):
        await double.send_slash_command("ping", {"txt": "typo"})
    with pytest.raises(ValueError, match="missing required"):
        await double.send_slash_command("ping")


@pytest.mark.asyncio
async def test_attachment_option_resolved_and_readable(
    discord_double: DiscordDouble, bot: MiniBot
) -> None:  # noqa: F811
    double = discord_double
    body = b"Headline: floods in the north\nSecond line\n"
    interaction = await double.send_slash_command(
        "summarize", {"lines": 1}, attachments={"file": AttachmentSpec("story.txt", body, "text/plain")}
    )
    followup = await double.wait_for_interaction_response(interaction, "followup")
    assert followup.json["content"] == f"story.txt ({len(body)} bytes): Headline: floods in the north"

    data = interaction.payload["data"]
    option = next(o for o in data["options"] if o["name"] == "file")
    assert option["type"] == 11
    assert data["resolved"]["attachments"][option["value"]]["filename"] == "story.txt"
    assert next(o for o in data["options"] if o["name"] == "lines") == {"name": "lines", "type": 4, "value": 1}
    download = double.find("GET", "/attachments/")
    assert len(download) == 1 and download[0].status == 200
    assert download[0].headers.get("Authorization") is None  # a CDN fetch, not an API call


@pytest.mark.asyncio
async def test_original_and_followup_edits_fetches_and_deletes(
    discord_double: DiscordDouble, bot: MiniBot
) -> None:  # noqa: F811
    double = discord_double
    interaction = await double.send_slash_command("progress")
    await double.wait_for_interaction_response(interaction, "delete_original")
    responses = double.interaction_responses(interaction)
    assert [(r.kind, r.method, r.status) for r in responses] == [
        ("callback", "POST", 200),
        ("edit_original", "PATCH", 200),
        ("get_original", "GET", 200),
        ("followup", "POST", 200),
        ("edit_followup", "PATCH", 200),
        ("get_followup", "GET", 200),
        ("delete_followup", "DELETE", 204),
        ("delete_original", "DELETE", 204),
    ]
    assert responses[1].path.endswith("/messages/@original")
    followup_id = responses[3].response["id"]
    assert responses[4].path.endswith(f"/messages/{followup_id}")
    assert [v["content"] for v in double.message_versions(followup_id)] == ["extra", "extra edited"]
    original_id = responses[0].response["resource"]["message"]["id"]
    assert [v["content"] for v in double.message_versions(original_id)] == ["working", "done"]
    assert double.original_message(interaction) is None and double.followup_messages(interaction) == []


@pytest.mark.asyncio
async def test_callback_after_deadline_is_unknown_interaction(
    discord_double: DiscordDouble, bot: MiniBot
) -> None:  # noqa: F811
    double = discord_double
    double.callback_deadline = 0.2  # Discord: 3 s
    interaction = await double.send_slash_command("slow")
    callback = await double.wait_for_request(kind="callback", interaction=interaction)
    assert callback.status == 404 and callback.response["code"] == 10062
    await asyncio.sleep(0.05)
    assert isinstance(getattr(bot, "late_error", None), discord.NotFound)


@pytest.mark.asyncio
async def test_autocomplete_and_button(discord_double: DiscordDouble, bot: MiniBot) -> None:  # noqa: F811
    double = discord_double
    typing = await double.send_autocomplete("topic", {"name": "e"}, focused="name")
    callback = await double.wait_for_interaction_response(typing, "callback")
    assert callback.json["type"] == 8
    assert [c["value"] for c in typing.autocomplete_choices or []] == ["elections", "energy", "economy"]

    asked = await double.send_slash_command("ask")
    await double.wait_for_interaction_response(asked, "callback")
    message = double.original_message(asked)
    assert message is not None and message["components"][0]["components"][0]["custom_id"] == "confirm"
    click = await double.send_component(message, "confirm")
    update = await double.wait_for_interaction_response(click, "callback")
    assert update.json["type"] == 7
    assert double.get_message(message["id"])["content"] == "confirmed"
    assert double.get_message(message["id"])["components"] == []
    with pytest.raises(ValueError, match="shows no component 'confirm'"):  # the button is gone: no click
        await double.send_component(message, "confirm")


@pytest.mark.asyncio
async def test_component_limits_are_checked(discord_double: DiscordDouble, bot: MiniBot) -> None:  # noqa: F811
    double = discord_double
    channel = bot.get_channel(double.channels["general"].id)
    assert isinstance(channel, discord.TextChannel)
    long_id = discord.ui.View()
    long_id.add_item(discord.ui.Button(label="x", custom_id="x" * 101))
    with pytest.raises(discord.HTTPException) as too_long:
        await channel.send("too long", view=long_id)
    assert too_long.value.status == 400 and "custom_id" in str(too_long.value)
    twice = {"content": "twice", "components": [{"type": 1, "components": [
        {"type": 2, "style": 1, "label": "a", "custom_id": "same"},
        {"type": 2, "style": 2, "label": "b", "custom_id": "same"}]}]}
    with pytest.raises(discord.HTTPException) as duplicated:
        await bot.http.send_message(channel.id, params=discord.http.MultipartParameters(twice, None, None))
    assert "custom id cannot be duplicated" in duplicated.value.text
    fine = discord.ui.View()
    fine.add_item(discord.ui.Button(label="ok", custom_id="ok"))
    fine.add_item(discord.ui.Button(label="docs", url="https://example.com/docs"))
    sent = await channel.send("fine", view=fine)
    assert [c["custom_id"] for c in double.get_message(sent.id)["components"][0]["components"][:1]] == ["ok"]


@pytest.mark.asyncio
async def test_thread_creation(discord_double: DiscordDouble, bot: MiniBot) -> None:  # noqa: F811
    double = discord_double
    interaction = await double.send_slash_command("discuss", {"topic": "energy prices"})
    followup = await double.wait_for_interaction_response(interaction, "followup")
    created = double.find("POST", route="POST /channels/{channel_id}/threads")
    assert len(created) == 1 and created[0].json["name"] == "energy prices"
    thread_id = created[0].response["id"]
    posted = double.find("POST", f"/channels/{thread_id}/messages", ok=True)
    assert posted[0].json["content"] == "Let's talk about energy prices"
    assert followup.json["content"] == f"opened <#{thread_id}>"


# -- messages ----------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_mention_gets_a_reply(discord_double: DiscordDouble, bot: MiniBot) -> None:  # noqa: F811
    double = discord_double
    message = await double.send_message("what happened today?", mention_bot=True, author="moderator")
    reply = await double.wait_for_request(method="POST", route="POST /channels/{channel_id}/messages", ok=True)

    assert reply.path == f"/channels/{double.channels['general'].id}/messages"
    assert str(reply.json["message_reference"]["message_id"]) == message["id"]
    assert reply.json["content"] == "you said: @eventbot what happened today?"
    assert reply.response["type"] == 19 and reply.response["referenced_message"]["id"] == message["id"]
    # The bot sees its own reply echoed back (and ignores it: no second reply).
    await double.wait_for_gateway(
        event="MESSAGE_CREATE", direction="send", predicate=lambda f: f.d["id"] == reply.response["id"]
    )
    await asyncio.sleep(0.1)
    assert len(double.find("POST", "/messages", ok=True)) == 1


@pytest.mark.asyncio
async def test_message_content_intent_is_modelled(discord_double: DiscordDouble, bot: MiniBot) -> None:  # noqa: F811
    double = discord_double
    plain = await double.send_message("no mention here")
    mention = await double.send_message("hello", mention_bot=True)
    await double.wait_for_request(method="POST", path_contains="/messages", ok=True)
    seen = {str(m.id): m.content for m in bot.seen_messages}
    assert seen[plain["id"]] == ""  # no MESSAGE_CONTENT intent: Discord blanks the content
    assert seen[mention["id"]] == f"<@{double.bot_user.id}> hello"
    assert str(double.find("POST", "/messages", ok=True)[0].json["message_reference"]["message_id"]) == mention["id"]


@pytest.mark.asyncio
async def test_message_limits_are_enforced(discord_double: DiscordDouble, bot: MiniBot) -> None:  # noqa: F811
    channel = bot.get_channel(discord_double.channels["news"].id)
    assert isinstance(channel, discord.TextChannel)
    with pytest.raises(discord.HTTPException) as too_long:
        await channel.send("x" * 2001)
    assert too_long.value.code == 50035
    with pytest.raises(discord.HTTPException) as big_embed:
        await channel.send(embed=discord.Embed(description="y" * 4097))
    assert big_embed.value.code == 50035
    data = b"col1,col2\n1,2\n"
    sent = await channel.send("fine", file=discord.File(io.BytesIO(data), filename="table.csv"))
    assert sent.attachments[0].filename == "table.csv" and sent.attachments[0].size == len(data)
    assert await sent.attachments[0].read() == data
    (upload,) = discord_double.find("POST", f"/channels/{channel.id}/messages", ok=True)
    assert upload.json["content"] == "fine" and upload.files[0].data == data


@pytest.mark.asyncio
async def test_mentions_follow_allowed_mentions(discord_double: DiscordDouble, bot: MiniBot) -> None:  # noqa: F811
    channel = bot.get_channel(discord_double.channels["general"].id)
    assert isinstance(channel, discord.TextChannel)
    alice = discord_double.members["member"].id
    text = f"@everyone and <@{alice}>"
    pings = await channel.send(text)  # no allowed_mentions: Discord parses everything
    muted = await channel.send(text, allowed_mentions=discord.AllowedMentions.none())
    broken = await channel.send("@\u200beveryone")
    stored = [discord_double.get_message(m.id) for m in (pings, muted, broken)]
    assert [m["mention_everyone"] for m in stored] == [True, False, False]
    assert [len(m["mentions"]) for m in stored] == [1, 0, 0]
    await pings.edit(content="nobody now")
    assert discord_double.get_message(pings.id)["mention_everyone"] is False


# -- gateway faults ----------------------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize("code", [None, 4000], ids=["tcp-drop", "close-4000"])
async def test_drop_gateway_resumes_and_replays(
    discord_double: DiscordDouble, bot: MiniBot, code: int | None
) -> None:  # noqa: F811
    double = discord_double
    first = double.connection
    assert first is not None
    mark = len(double.gateway_frames)
    await double.drop_gateway(code=code)
    # Sent while the bot is disconnected: kept in the session and replayed after RESUME.
    missed = await double.send_slash_command("ping", {"text": "while you were away"})

    resume = await double.wait_for_gateway(op=OP_RESUME, direction="recv", since=mark)
    assert resume.d["session_id"] == double.session.id
    assert double.connections[resume.connection].path == "/resume"  # READY's resume_gateway_url
    await double.wait_for_gateway(event="RESUMED", direction="send", since=mark)
    followup = await double.wait_for_interaction_response(missed, "followup")
    assert followup.json["content"] == "pong: while you were away"

    after = await double.send_slash_command("ping", {"text": "back"})
    assert (await double.wait_for_interaction_response(after, "followup")).json["content"] == "pong: back"
    assert len(double.sessions) == 1 and bot.resumes == 1
    assert not any(f.op == OP_IDENTIFY for f in double.gateway_frames[mark:])


@pytest.mark.asyncio
async def test_rejected_resume_falls_back_to_identify(
    discord_double: DiscordDouble, bot: MiniBot
) -> None:  # noqa: F811
    double = discord_double

    async def identify_at_once(shard_id: int | None, *, initial: bool = False) -> None:
        pass  # discord.py's default sleeps 5 s before every re-IDENTIFY

    bot.before_identify_hook = identify_at_once  # type: ignore[method-assign]
    mark = len(double.gateway_frames)
    double.reject_next_resume()
    await double.drop_gateway(code=4000)
    await double.wait_for_gateway(op=OP_IDENTIFY, direction="recv", since=mark)
    await double.wait_for_gateway(event="GUILD_CREATE", direction="send", since=mark)
    assert len(double.sessions) == 2
    interaction = await double.send_slash_command("ping", {"text": "fresh"})
    assert (await double.wait_for_interaction_response(interaction, "followup")).json["content"] == "pong: fresh"


@pytest.mark.asyncio
async def test_heartbeats_keep_arriving(discord_double: DiscordDouble, bot: MiniBot) -> None:  # noqa: F811
    double = discord_double
    interval = double.heartbeat_interval_ms / 1000
    before = len(double.heartbeats)
    await asyncio.sleep(3)
    beats = double.heartbeats[before:]
    assert len(beats) >= 2, beats
    gaps = [b.time - a.time for a, b in zip(beats, beats[1:])]
    assert all(0.5 * interval < g < 1.5 * interval for g in gaps), gaps
    assert beats[-1].d == double.session.seq  # a heartbeat carries the last sequence number
    acks = [f for f in double.gateway_frames if f.op == OP_HEARTBEAT_ACK and f.time >= beats[0].time]
    assert len(acks) >= len(beats)
    # (Not asserting bot.latency here: discord.py's keep-alive thread records its send time only
    # after the send completes, so on a busy machine it can measure a whole interval.)

    double.delay_heartbeat_ack(0.3)
    mark = len(double.gateway_frames)
    await double.wait_for_gateway(op=OP_HEARTBEAT, direction="recv", since=mark, timeout=2 * interval)
    await double.wait_for_gateway(op=OP_HEARTBEAT_ACK, direction="send", since=mark, timeout=2 * interval)
    await asyncio.sleep(0.02)
    assert bot.latency >= 0.3


# -- REST faults ---------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_429_on_followup_is_retried_after_retry_after(
    discord_double: DiscordDouble, bot: MiniBot
) -> None:  # noqa: F811
    double = discord_double
    rule = double.fail_next("POST", "/webhooks/", status=429, retry_after=0.3)
    interaction = await double.send_slash_command("ping", {"text": "limited"})
    ok = await double.wait_for_interaction_response(interaction, "followup")

    attempts = [r for r in double.interaction_responses(interaction) if r.kind == "followup"]
    assert [r.status for r in attempts] == [429, 200]
    limited, retried = attempts
    assert rule.hits == [limited] and limited.injected
    assert limited.response == {"message": "You are being rate limited.", "retry_after": 0.3, "global": False}
    assert retried is ok and retried.time - limited.time >= 0.3
    assert len([m for m in double.messages if m["content"] == "pong: limited"]) == 1


@pytest.mark.asyncio
async def test_global_429_on_channel_message(discord_double: DiscordDouble, bot: MiniBot) -> None:  # noqa: F811
    double = discord_double
    double.fail_next("POST", "/messages", status=429, retry_after=0.2, global_=True)
    await double.send_message("anyone?", mention_bot=True)
    ok = await double.wait_for_request(method="POST", path_contains="/messages", ok=True)
    limited, retried = double.find("POST", "/messages")
    assert limited.status == 429 and limited.response["global"] is True
    assert retried is ok and ok.time - limited.time >= 0.2


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("status", "method", "path"),
    [(500, "POST", "/channels/"), (502, "POST", "/webhooks/")],
    ids=["500-channel-message", "502-followup"],
)
async def test_5xx_once_is_retried(
    discord_double: DiscordDouble, bot: MiniBot, status: int, method: str, path: str  # noqa: F811
) -> None:
    double = discord_double
    double.fail_next(method, path, status=status)
    if path == "/channels/":
        await double.send_message("status?", mention_bot=True)
    else:
        await double.send_slash_command("ping", {"text": "flaky"})
    ok = await double.wait_for_request(method=method, path_contains=path, ok=True)
    attempts = double.find(method, path)
    assert [r.status for r in attempts] == [status, 200]
    assert ok.time - attempts[0].time >= 1.0  # discord.py sleeps 1 + 2 * tries before retrying
    assert len(double.find(method, path, ok=True)) == 1


@pytest.mark.asyncio
async def test_unknown_routes_are_recorded(discord_double: DiscordDouble, bot: MiniBot) -> None:  # noqa: F811
    with pytest.raises(discord.NotFound):
        await bot.http.request(discord.http.Route("GET", "/guilds/{guild_id}/bans", guild_id=discord_double.guild_id))
    (unknown,) = discord_double.unknown_requests
    assert unknown.path == f"/guilds/{discord_double.guild_id}/bans"
    assert unknown.response == {"message": "Unknown route", "code": 0}


# -- message commands, DMs, the bot's own permissions (issue 16) -------------------------------------


@pytest.mark.asyncio
async def test_message_command_carries_the_message_content(discord_double: DiscordDouble, bot: MiniBot) -> None:  # noqa: F811
    double = discord_double
    assert any(c["name"] == "Quote this" and c["type"] == 3 for c in double.commands[double.guild_id])
    plain = await double.send_message("no mention, so no content over the gateway")
    interaction = await double.send_message_command("Quote this", plain)
    callback = await double.wait_for_interaction_response(interaction, "callback")
    assert callback.json["data"]["content"] == "quoted: no mention, so no content over the gateway"
    assert interaction.payload["data"]["target_id"] == plain["id"] and interaction.ephemeral


@pytest.mark.asyncio
async def test_direct_messages_are_delivered_and_answered(discord_double: DiscordDouble, bot: MiniBot) -> None:  # noqa: F811
    double = discord_double
    dm = double.dm_channel("member")
    sent = await double.send_message("hello in private", channel=dm, mention_bot=True)
    reply = await double.wait_for_request(method="POST", path_contains=f"/channels/{dm.id}/messages", ok=True)
    frame = await double.wait_for_gateway(event="MESSAGE_CREATE", direction="send",
                                          predicate=lambda f: f.d["id"] == sent["id"])
    assert "guild_id" not in frame.d and "member" not in frame.d
    assert isinstance(bot.seen_messages[0].channel, discord.DMChannel)
    assert reply.json["content"].startswith("you said:")


@pytest.mark.asyncio
async def test_the_bot_s_own_permissions_are_enforced(discord_double: DiscordDouble, bot: MiniBot) -> None:  # noqa: F811
    double = discord_double
    double.world.roles["@everyone"].permissions &= ~discord.Permissions(send_messages=True).value
    await double.send_message("anyone there?", mention_bot=True)
    refused = await double.wait_for_request(method="POST", path_contains="/messages")
    assert refused.status == 403 and refused.response["code"] == 50013
    too_many = {"content": "x", "components": [{"type": 1, "components": [
        {"type": 2, "style": 2, "label": "b", "custom_id": f"b{i}"} for i in range(6)]}]}
    with pytest.raises(Reject) as rejected:  # six buttons in a row: Discord answers 400
        check_message(too_many)
    assert rejected.value.reply[0] == 400


# -- forums --------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_forum_post_creates_a_thread_with_its_starter_message(discord_double: DiscordDouble) -> None:  # noqa: F811
    double = discord_double
    forum = double.world.add_forum("questions", topic="Ask here")
    created: list[discord.Thread] = []
    messages: list[discord.Message] = []

    class ForumBot(discord.Client):
        async def on_thread_create(self, thread: discord.Thread) -> None:
            created.append(thread)

        async def on_message(self, message: discord.Message) -> None:
            messages.append(message)

    intents = discord.Intents.default()  # no message content
    async with running_client(ForumBot(intents=intents, guild_ready_timeout=0.05), double) as client:
        assert isinstance(client.get_channel(forum.id), discord.ForumChannel)
        thread, starter = await double.create_forum_post(forum, "What did the port say?", "details please")
        await double.wait_for_gateway(event="MESSAGE_CREATE", direction="send")
        await asyncio.sleep(0.05)
        assert [t.id for t in created] == [thread.id] and created[0].name == "What did the port say?"
        assert isinstance(created[0].parent, discord.ForumChannel)
        assert created[0].owner_id == double.members["member"].id
        assert int(starter["id"]) == thread.id and messages[0].id == thread.id
        assert messages[0].content == ""  # no MESSAGE_CONTENT intent and no mention
        # A forum holds only posts: a plain message is refused.
        with pytest.raises(discord.HTTPException) as refused:
            await client.http.send_message(forum.id, params=discord.http.MultipartParameters({"content": "hi"}, None, None))
        assert refused.value.code == 50008
        answer = await created[0].send("in the post")
        assert double.get_message(answer.id)["channel_id"] == str(thread.id)
        with pytest.raises(ValueError, match="not a forum"):
            await double.create_forum_post("general", "title")
