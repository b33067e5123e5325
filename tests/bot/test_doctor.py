"""`eventbot doctor`: what it reports, its exit code, and that it never shows the token (bot.doctor)."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from bot.cli import app
from bot import metrics
from bot.config import Config, EmbeddingConfig, MetricsConfig
from bot.doctor import Status, diagnose, exit_code
from bot.service import EventService
from tests.articles import ALL, write_json

TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GabcDE.abcdefghijklmnopqrstuvwxyz0123456789AB"  # shaped like one, not one


def by_name(checks):  # noqa: ANN001, ANN201
    return {c.name: c for c in checks}


@pytest.fixture
def held(service: EventService, tmp_path: Path) -> Config:
    service.import_file(write_json(tmp_path / "a.json", ALL))
    service.close()
    return Config(data_dir=service.data_dir, embedding=EmbeddingConfig(model="hash"))


def test_a_healthy_folder_passes_with_warnings_only(held: Config) -> None:
    checks = by_name(diagnose(held, SecretStr(TOKEN)))
    assert checks["discord token"].status is Status.OK and TOKEN not in checks["discord token"].detail
    assert checks["articles"].status is Status.OK and checks["articles"].detail.startswith("3 articles")
    assert checks["index"].status is Status.OK
    assert checks["embedding model"].status is Status.WARN  # the test embedder is no deployment's model
    assert exit_code(list(checks.values())) == 0


def test_what_fails_says_what_to_do(held: Config, tmp_path: Path) -> None:
    bad_token = by_name(diagnose(held, SecretStr("not-a-token")))["discord token"]
    assert bad_token.status is Status.FAIL and "Reset Token" in bad_token.fix
    other_model = held.model_copy(update={"embedding": EmbeddingConfig(model="hash-64")})
    index = by_name(diagnose(other_model, None))["index"]
    assert index.status is Status.FAIL and index.fix == "run `eventbot reindex`"
    meta = next((held.data_dir / "index").glob("gen-*")) / "meta.json"
    meta.write_text(json.dumps({**json.loads(meta.read_text()), "count": 1}))
    assert by_name(diagnose(held, None))["index"].status is Status.WARN  # repaired on start
    (held.data_dir / "corpus.sqlite3").write_bytes(b"not a database" * 100)
    for suffix in ("-wal", "-shm"):
        (held.data_dir / f"corpus.sqlite3{suffix}").unlink(missing_ok=True)
    articles = by_name(diagnose(held, None))["articles"]
    assert articles.status is Status.FAIL and "backup" in articles.fix


def test_the_command_exits_1_on_a_failure_and_never_prints_the_token(held: Config, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("EVENTBOT_DATA_DIR", str(held.data_dir))
    config = held.data_dir.parent / "c.yaml"
    config.write_text("embedding:\n  model: hash\n")
    runner = CliRunner()
    monkeypatch.setenv("DISCORD_TOKEN", TOKEN)
    ok = runner.invoke(app, ["doctor", "--config", str(config), "--offline"])  # Discord: tests/bot/chat
    assert ok.exit_code == 0 and TOKEN not in ok.output and "discord token" in ok.output
    monkeypatch.setenv("DISCORD_TOKEN", TOKEN[:-30])
    bad = runner.invoke(app, ["doctor", "--config", str(config), "--offline"])
    assert bad.exit_code == 1 and "FAIL discord token" in bad.output and TOKEN[:-30] not in bad.output
    config.write_text("retrieval:\n  top_kk: 3\n")
    broken = runner.invoke(app, ["doctor", "--config", str(config)])
    assert broken.exit_code == 1 and "FAIL config" in broken.output and "top_kk" in broken.output


def test_the_metrics_port_is_checked_where_the_bot_would_serve(held: Config) -> None:
    assert by_name(diagnose(held, None))["metrics"].detail == "off (metrics.port is 0)"
    assert by_name(diagnose(held, None))["logging"].detail == "text on stderr, WARNING and above"
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    on = held.model_copy(update={"metrics": MetricsConfig(port=port), "log_format": "json"})
    try:
        busy = by_name(diagnose(on, None))["metrics"]
        assert busy.status is Status.WARN and f"another program holds 127.0.0.1:{port}" in busy.detail
        assert busy.fix == "set metrics.port to a free port"
    finally:
        taken.close()
    free = by_name(diagnose(on, None))
    assert free["metrics"].status is Status.OK and f"http://127.0.0.1:{port}/metrics" in free["metrics"].detail
    assert free["logging"].detail == "JSON lines on stderr, WARNING and above"
    server = metrics.serve(port)  # the bot running: its own endpoint holds the port
    try:
        running = by_name(diagnose(on, None))["metrics"]
        assert running.status is Status.OK and "by a running eventbot" in running.detail
    finally:
        server.shutdown()
        server.server_close()
    elsewhere = held.model_copy(update={"metrics": MetricsConfig(port=port, address="192.0.2.1")})
    assert by_name(diagnose(elsewhere, None))["metrics"].status is Status.WARN
