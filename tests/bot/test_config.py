"""One source of defaults: bot/config.py declares them, config.yaml writes them all out, the layers get them."""

from __future__ import annotations

import yaml

from bot.config import DEFAULT_CONFIG, Config, load_config
from index.dense import DenseParams
from index.hybrid import SearchParams
from retrieval.ranker import RankingParams


def test_config_yaml_writes_out_every_default_and_nothing_else() -> None:
    written = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    defaults = Config().model_dump(mode="json")
    assert written == defaults


def test_the_config_sections_are_the_parameter_objects_of_the_layers() -> None:
    cfg = load_config()
    assert isinstance(cfg.index, DenseParams)
    assert isinstance(cfg.retrieval, SearchParams) and isinstance(cfg.retrieval, RankingParams)
    # The shipped file changes nothing, so tests built on Config() behave as the CLI does.
    assert cfg.model_copy(update={"data_dir": Config().data_dir}) == Config()


def test_role_ids_and_owner_servers_in_the_config(tmp_path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("discord:\n  moderator_roles: [Moderator, 123456789012345678]\n  owner_guild_ids: [42]\n")
    cfg = load_config(path).discord
    assert cfg.moderator_roles == ["Moderator", 123456789012345678] and cfg.owner_guild_ids == [42]
