"""`eventbot run` observed as an operator would (issue 19): its Prometheus endpoint scraped over 127.0.0.1
while members use it through the Discord double, its JSON log lines carrying each interaction's id, and a
metrics port already in use costing the metrics, not the bot."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import urllib.request
from pathlib import Path

import pytest

from bot.config import Config
from tests.discord_double import DiscordDouble
from tests.e2e.conftest import PageServer, ask, message_text
from tests.e2e.pages import FERRY, article_html
from tests.e2e.test_e2e_shutdown import start_bot, until_answering

pytestmark = pytest.mark.asyncio


def configure(tmp_path: Path, **extra: object) -> None:
    """Add keys to the config.yaml the child process reads (written as JSON by the e2e fixtures)."""
    path = tmp_path / "config.yaml"
    path.write_text(json.dumps({**json.loads(path.read_text(encoding="utf-8")), **extra}), encoding="utf-8")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def scrape(port: int) -> dict[str, float]:
    """The endpoint's samples as `name{labels}` -> value, read the way Prometheus reads them."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        lines = response.read().decode().splitlines()
    return {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1]) for line in lines if not line.startswith("#")}


async def stop(bot: asyncio.subprocess.Process) -> str:
    bot.send_signal(signal.SIGTERM)
    _, err = await asyncio.wait_for(bot.communicate(), timeout=30)
    return err.decode()


async def test_metrics_and_json_logs_follow_what_members_do(
        double: DiscordDouble, config: Config, data: Path, pages: PageServer, tmp_path: Path) -> None:
    port = free_port()
    configure(tmp_path, metrics={"port": port}, log_format="json", log_level="INFO")
    bot = await start_bot(double, tmp_path)
    try:
        await until_answering(double, bot)
        before = await asyncio.to_thread(scrape, port)
        question, _ = await ask(double, "How many residents were evacuated at the Velmora dam?")
        added = await double.send_slash_command("add", {"url": pages.add("ferry", article_html(**FERRY))},
                                                user="moderator")
        assert "Added" in message_text(await double.wait_for_interaction_response(added, "followup", timeout=20))
        refused = await double.send_slash_command("add", {"url": "http://news.example:8081/a"}, user="moderator")
        assert "not allowed" in message_text(await double.wait_for_interaction_response(refused, "followup"))
        mention = await double.send_message("How many residents were evacuated?", mention_bot=True)
        await double.wait_for_request(route="POST /channels/{channel_id}/messages", ok=True)
        after = await asyncio.to_thread(scrape, port)
    finally:
        err = await stop(bot) if bot.returncode is None else (await bot.stderr.read()).decode()
    assert bot.returncode == 0, err
    assert f"metrics at http://127.0.0.1:{port}/metrics" in err

    def moved(sample: str) -> float:
        return after[sample] - before.get(sample, 0)

    assert moved('eventbot_questions_total{front_end="slash"}') == 1
    assert moved('eventbot_questions_total{front_end="mention"}') == 1
    assert moved('eventbot_answers_total{outcome="answered",reason=""}') == 2
    assert moved("eventbot_question_seconds_count") == 2
    assert moved('eventbot_ingest_total{status="added"}') == 1
    assert moved('eventbot_ingest_total{status="failed"}') == 1
    assert moved('eventbot_fetch_refusals_total{reason="port"}') == 1
    assert after["eventbot_articles"] == before["eventbot_articles"] + 1 == 15  # the demo corpus and the ferry
    assert after["eventbot_indexed_passages"] == after["eventbot_passages"] > 0

    # Every log line is one JSON object; those of a command carry its interaction's id.
    logged = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert logged and all({"time", "level", "logger", "message"} <= set(r) for r in logged)
    asked = [r for r in logged if r.get("request_id") == str(question.id)]
    assert [r["logger"] for r in asked] == ["bot.questions"]
    assert asked[0]["request_kind"] == "/ask" and asked[0]["front_end"] == "slash"
    [mentioned] = [r for r in logged if r.get("request_id") == mention["id"]]
    assert mentioned["request_kind"] == "mention" and mentioned["message"].startswith("question answered")
    fetched = [r for r in logged if r.get("parent_request_id") == str(added.id)]
    assert fetched and fetched[0]["request_kind"] == "fetch" and "fetched http://" in fetched[0]["message"]
    assert any(r.get("request_id") == str(added.id) and r["logger"] == "bot.chat.cogs.articles" for r in logged)


async def test_a_metrics_port_in_use_is_a_warning_and_the_bot_still_answers(
        double: DiscordDouble, config: Config, data: Path, tmp_path: Path) -> None:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    configure(tmp_path, metrics={"port": port})
    bot = await start_bot(double, tmp_path)
    try:
        await until_answering(double, bot)
    finally:
        taken.close()
        err = await stop(bot) if bot.returncode is None else (await bot.stderr.read()).decode()
    assert bot.returncode == 0, err
    assert f"warning: cannot serve metrics on 127.0.0.1:{port}" in err and "metrics.port" in err, err
    assert "The bot runs without metrics." in err and "Traceback" not in err
