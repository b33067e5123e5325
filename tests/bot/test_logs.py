"""Log lines as JSON (or text) carrying the request they belong to (bot.logs), set up from the config."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot import logs
from bot.cli import app
from bot.config import ConfigError, load_config
from tests.articles import ALL, write_json

log = logging.getLogger("tests.logs")


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """What `setup(json)` writes, as read by a log collector; the root logger restored afterwards."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    stream = io.StringIO()
    logs.setup("INFO", "json", stream)
    yield stream
    for handler in root.handlers[:]:
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)


def records(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_each_line_is_a_json_object_with_the_request_it_belongs_to(json_lines: io.StringIO) -> None:
    log.info("before any request")
    with logs.request("add", "cli") as add:
        log.info("adding")
        with logs.request("fetch") as fetch:
            log.warning("fetching %s", "https://news.example/a")
        log.info("added")
    try:
        raise ValueError("boom")
    except ValueError:
        log.exception("unexpected")
    outside, adding, fetching, added, failed = records(json_lines)
    assert "request_id" not in outside and outside["message"] == "before any request"
    assert adding["request_id"] == added["request_id"] == add.id and adding["front_end"] == "cli"
    # A fetch inside a command: its own id, the command's as its parent, the command's front end.
    assert fetching["request_id"] == fetch.id != add.id
    assert fetching["parent_request_id"] == add.id and fetching["request_kind"] == "fetch"
    assert fetching["front_end"] == "cli" and fetching["message"] == "fetching https://news.example/a"
    assert fetching["level"] == "WARNING" and fetching["logger"] == "tests.logs" and fetching["time"].endswith("+00:00")
    assert "request_id" not in failed and 'ValueError: boom' in failed["exception"]


@pytest.mark.asyncio
async def test_the_request_follows_the_work_into_threads_and_not_into_other_tasks(json_lines: io.StringIO) -> None:
    async def command(interaction_id: str) -> None:
        logs.begin("/ask", "slash", interaction_id)
        await asyncio.sleep(0)
        await asyncio.to_thread(log.info, "answering %s", interaction_id)

    await asyncio.gather(command("111"), command("222"))
    log.info("after")
    lines = records(json_lines)
    assert {(r["request_id"], r["message"]) for r in lines[:2]} == {("111", "answering 111"), ("222", "answering 222")}
    assert "request_id" not in lines[2]


def test_text_lines_show_the_request_id() -> None:
    stream = io.StringIO()
    handler = logs.setup("INFO", "text", stream)
    try:
        with logs.request("ask", "cli") as asked:
            log.info("a question")
        log.info("no request")
    finally:
        logging.getLogger().removeHandler(handler)
    assert stream.getvalue().splitlines() == [f"INFO tests.logs [{asked.id}]: a question", "INFO tests.logs: no request"]


def test_a_bad_log_format_is_a_clear_config_error(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("log_format: xml\n")
    with pytest.raises(ConfigError, match="log_format"):
        load_config(path)


def test_the_command_line_logs_json_lines_with_its_command_as_the_request(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("embedding:\n  model: hash\nlog_level: INFO\nlog_format: json\n")
    monkeypatch.setenv("EVENTBOT_CONFIG", str(config))
    root = logging.getLogger()
    level = root.level
    runner = CliRunner()
    try:
        assert runner.invoke(app, ["import", str(write_json(tmp_path / "a.json", ALL))]).exit_code == 0
        result = runner.invoke(app, ["ask", "how many residents were evacuated?"])
    finally:
        for handler in [h for h in root.handlers if isinstance(h, logs._Handler)]:
            root.removeHandler(handler)
        root.setLevel(level)
    assert result.exit_code == 0 and "1,200 residents" in result.stdout
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    asked = [r for r in lines if r["logger"] == "bot.questions"]
    assert len(asked) == 1 and asked[0]["message"].startswith("question answered")
    assert asked[0]["request_kind"] == "ask" and asked[0]["front_end"] == "cli" and len(asked[0]["request_id"]) == 8
