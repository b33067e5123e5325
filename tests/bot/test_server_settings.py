"""Per-server channel settings (bot.server_settings): defaults, changes, persistence, failures."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.server_settings import ChannelRule, SettingsStore, SettingsUnavailable


def test_defaults_answer_everywhere_with_the_configured_thread_mode(tmp_path: Path) -> None:
    settings = SettingsStore(tmp_path / "s.sqlite3").get(1)
    assert settings.answer_channels == [] and settings.answers_in(5) and settings.answers_in(None)
    assert settings.in_thread(5, default=True) and not settings.in_thread(5, default=False)
    assert not settings.auto_answers(5)


def test_settings_are_per_server_and_survive_a_restart(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path / "s.sqlite3")
    store.update(1, 10, answer=True)
    store.update(1, 11, thread=False)
    store.update(1, 12, auto_answer=True)
    store.update(2, 20, answer=True)
    store.close()
    again = SettingsStore(tmp_path / "s.sqlite3")
    one = again.get(1)
    assert one.answer_channels == [10]
    assert one.answers_in(10) and not one.answers_in(11) and one.answers_in(99, parent_id=10)  # a thread of #10
    assert not one.in_thread(11, default=True) and one.in_thread(10, default=True)
    assert one.auto_answers(12) and not one.auto_answers(10)
    assert again.get(2).answer_channels == [20] and again.get(3).answer_channels == []
    # Taking the last listed channel off answers everywhere again; a rule back to defaults is forgotten.
    assert again.update(1, 10, answer=False).answer_channels == []
    assert 10 not in again.get(1).channels
    assert again.reset(1).channels == {} and again.get(2).channels == {20: ChannelRule(answer=True)}
    again.close()


def test_an_unwritable_file_refuses_changes_and_reads_the_defaults(tmp_path: Path,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    folder = tmp_path / "s.sqlite3"
    folder.mkdir()  # a folder where the file should be
    store = SettingsStore(folder)
    with caplog.at_level(logging.WARNING, logger="bot.server_settings"):
        assert store.get(1).answer_channels == []
        with pytest.raises(SettingsUnavailable, match="nothing was changed"):
            store.update(1, 10, answer=True)
        with pytest.raises(SettingsUnavailable):
            store.reset(1)
    assert any("cannot read the channel settings" in r.getMessage() for r in caplog.records)
