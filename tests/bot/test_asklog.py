"""The question log (bot.asklog), the gaps found in it (bot.gaps), and the service's facade over both."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from bot.asklog import Entry, LogUnavailable, Origin, QuestionLog, UnknownAnswer, Vote, percentile
from bot.config import Config, EmbeddingConfig, QuestionLogConfig
from bot.gaps import find_gaps, gap_detail, gap_line, terms
from bot.results import Answer, AnswerPassage, Reason
from bot.service import EventService
from index.embedder import HashEmbedder
from retrieval.errors import RetrievalError
from tests.articles import ALL, write_json

DAY = 86400.0
ANSWERED_Q = "how many residents were evacuated from the riverside quarter?"
DECLINED_Q = "best recipe for banana bread with walnuts"


class Clock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _answer(question: str, answered: bool, reason: Reason | None = None) -> Answer:
    passages = [AnswerPassage("text", "Title", "https://x.example/a", "Outlet", None, None, 1.0, 0.9, 7, 70)] if answered else []
    return Answer(question, answered, passages, articles_held=3, reason=reason)


def _rows(path: Path, sql: str) -> list[tuple]:
    db = sqlite3.connect(path)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


@pytest.fixture
def loaded(service: EventService, tmp_path: Path) -> EventService:
    assert service.import_file(write_json(tmp_path / "articles.json", ALL)).added == 3
    return service


# -- the log --------------------------------------------------------------------------------------


def test_every_field_is_logged_and_the_asker_only_as_a_hash(loaded: EventService) -> None:
    origin = Origin("slash", guild_id=42, channel_id=7, user_id=123456789012345678)
    logged = loaded.ask_logged(origin, ANSWERED_Q, 2)
    declined = loaded.ask_logged(origin, DECLINED_Q)
    loaded.questions.flush()
    rows = _rows(loaded.data_dir / "questions.sqlite3",
                 "SELECT id, surface, guild_id, channel_id, user_hash, question, answered, reason, latency_ms, passages "
                 "FROM questions ORDER BY asked_at")
    assert [r[0] for r in rows] == [logged.question_id, declined.question_id]
    first, second = rows
    assert first[1:4] == ("slash", 42, 7) and first[5] == ANSWERED_Q and first[6] == 1 and first[7] is None
    assert first[8] > 0
    shown = [p.passage_id for p in logged.answer.passages]
    assert shown and f'"passage_id": {shown[0]}' in first[9]
    assert second[6] == 0 and second[7] == "nothing_relevant" and second[9] == "[]"
    # The asker: the same hash each time, and nothing in the file holds the id.
    assert first[4] == second[4] and len(first[4]) == 24
    assert b"123456789012345678" not in (loaded.data_dir / "questions.sqlite3").read_bytes()


def test_a_bad_filter_is_logged_and_still_raised(loaded: EventService) -> None:
    with pytest.raises(RetrievalError):
        loaded.ask_logged(Origin("cli"), "dam", since="last week")
    assert [e.reason for e in loaded.questions.entries(0)] == ["bad_question"]
    assert loaded.activity().questions == 1 and loaded.activity().declined == 0


def test_an_unwritable_log_never_fails_or_slows_a_question(loaded: EventService, caplog: pytest.LogCaptureFixture) -> None:
    loaded.questions.path = loaded.data_dir / "no-such-folder-file"
    (loaded.data_dir / "no-such-folder-file").mkdir()  # a folder where the file should be: SQLite cannot open it
    started = time.perf_counter()
    with caplog.at_level(logging.WARNING, logger="bot.asklog"):
        logged = loaded.ask_logged(Origin("cli"), ANSWERED_Q)
        assert logged.answer.answered
        assert loaded.questions.flush()
    assert time.perf_counter() - started < 5
    assert any("cannot write 1 entries" in r.getMessage() for r in caplog.records)
    with pytest.raises(LogUnavailable, match="cannot record votes"):
        loaded.record_feedback(logged.question_id, 1, True)


def test_writes_do_not_wait_for_a_locked_database(tmp_path: Path) -> None:
    log = QuestionLog(tmp_path / "q.sqlite3")
    log.record(Origin(), "warm up", _answer("warm up", True), 1.0)
    assert log.flush()
    blocker = sqlite3.connect(tmp_path / "q.sqlite3", isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    started = time.perf_counter()
    for i in range(100):
        assert log.record(Origin(), f"question {i}", _answer("q", False, Reason.NOTHING_RELEVANT), 1.0) is not None
    assert time.perf_counter() - started < 0.5  # the writer waits on the lock, not the asker
    blocker.execute("ROLLBACK")
    blocker.close()
    log.close()


def test_a_disabled_log_writes_nothing(data_dir: Path) -> None:
    cfg = Config(embedding=EmbeddingConfig(model="hash"), question_log=QuestionLogConfig(enabled=False))
    service = EventService(data_dir, cfg, embedder=HashEmbedder())
    try:
        logged = service.ask_logged(Origin("cli"), "what happened at the dam?")
        assert logged.question_id is None and service.gaps() == [] and service.activity().questions == 0
        with pytest.raises(LogUnavailable, match="not kept"):
            service.record_feedback(1, 1, True)
    finally:
        service.close()
    assert not (data_dir / "questions.sqlite3").exists()


def test_old_entries_and_their_votes_are_deleted_after_keep_days(tmp_path: Path) -> None:
    clock = Clock()
    log = QuestionLog(tmp_path / "q.sqlite3", keep_days=90, clock=clock)
    old = log.record(Origin(), "old question", _answer("old", True), 3.0)
    assert log.flush()
    assert log.vote(old, 5, False) is Vote.RECORDED
    clock.now += 91 * DAY
    recent = log.record(Origin(), "new question", _answer("new", True), 3.0)
    assert log.flush()
    assert [e.id for e in log.entries(0)] == [recent]
    assert _rows(tmp_path / "q.sqlite3", "SELECT COUNT(*) FROM votes") == [(0,)]
    with pytest.raises(UnknownAnswer, match="kept 90 days"):
        log.vote(old, 5, True)
    log.close()


def test_one_vote_per_member_per_answer_a_second_click_changes_it(tmp_path: Path) -> None:
    log = QuestionLog(tmp_path / "q.sqlite3")
    qid = log.record(Origin("slash", 1, 2, 3), "q", _answer("q", True), 3.0)
    assert log.vote(qid, 10, True) is Vote.RECORDED  # waits for its question to be written
    assert log.vote(qid, 10, True) is Vote.UNCHANGED
    assert log.vote(qid, 10, False) is Vote.CHANGED
    assert log.vote(qid, 11, False) is Vote.RECORDED
    [entry] = log.entries(0)
    assert (entry.helpful, entry.not_helpful) == (0, 2)
    with pytest.raises(UnknownAnswer):
        log.vote(qid + 1, 10, True)
    log.close()


def test_the_log_is_safe_from_many_threads(tmp_path: Path) -> None:
    log = QuestionLog(tmp_path / "q.sqlite3")

    def ask(n: int) -> None:
        for i in range(50):
            log.record(Origin("slash", n), f"q{n}-{i}", _answer("q", i % 2 == 0, Reason.NOTHING_RELEVANT), float(i))

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    log.close()
    assert _rows(tmp_path / "q.sqlite3", "SELECT COUNT(*) FROM questions") == [(200,)]


def test_percentiles_and_the_last_day(tmp_path: Path) -> None:
    assert percentile([], 50) is None
    assert percentile([5.0], 95) == 5.0
    assert percentile([float(i) for i in range(1, 101)], 50) == 50.0
    assert percentile([float(i) for i in range(1, 101)], 95) == 95.0
    clock = Clock()
    log = QuestionLog(tmp_path / "q.sqlite3", clock=clock)
    log.record(Origin(guild_id=1), "yesterday's", _answer("y", True), 999.0)
    clock.now += 2 * DAY
    for i in range(1, 21):
        log.record(Origin(guild_id=1), f"q{i}", _answer("q", i % 4 != 0, Reason.NOTHING_RELEVANT), float(i))
    log.record(Origin(guild_id=2), "other server", _answer("o", False, Reason.NOTHING_RELEVANT), 500.0)
    day = log.activity(24, guild_id=1)
    assert (day.questions, day.answered, day.declined) == (20, 15, 5)
    assert day.decline_rate == 0.25 and day.p50_ms == 10.0 and day.p95_ms == 19.0
    assert log.activity(24).questions == 21
    log.close()


# -- gaps -----------------------------------------------------------------------------------------


def _entry(n: int, question: str, answered: bool = False, reason: str | None = "nothing_relevant",
           up: int = 0, down: int = 0, at: float | None = None) -> Entry:
    return Entry(n, at if at is not None else float(n), "slash", 1, 2, question, answered,
                 None if answered else reason, 10.0, [], up, down)


def test_similar_wordings_group_together_most_frequent_first() -> None:
    entries = [
        _entry(1, "What did the port authority say about the strike?"),
        _entry(2, "what did the Port Authority say about the strike"),
        _entry(3, "Port authority: what did they say about the strikes?!"),
        _entry(4, "what did the port authority say about the dock strike?"),
        _entry(5, "who won the cycling race in Orvik?"),
        _entry(6, "What did the port authority say about the strike?", answered=True, down=2, up=1),
        _entry(7, "how many residents were evacuated?", answered=True, up=1),  # answered and liked: no gap
        _entry(8, "dam since:yesterday", reason="bad_question"),  # a bad filter: no gap
        _entry(9, "who won the Orvik cycling race", answered=True, down=1),
    ]
    gaps = find_gaps(entries)
    assert [g.asked for g in gaps] == [5, 2]
    strike, race = gaps
    assert strike.question == "What did the port authority say about the strike?"
    assert (strike.declined, strike.not_helpful, strike.reasons) == (4, 1, {"nothing_relevant": 4})
    assert gap_line(strike, 7) == "asked 5 times this week: What did the port authority say about the strike?"
    assert gap_detail(strike) == "4 declined (nothing relevant 4), 1 marked not helpful"
    assert "what did the port authority say about the dock strike?" in strike.wordings
    assert (race.declined, race.not_helpful) == (1, 1) and gap_line(race, 30).startswith("asked twice in the last 30 days")


def test_a_gap_answered_since_says_so() -> None:
    gaps = find_gaps([_entry(1, "ferry timetable changes"), _entry(2, "ferry timetable changes?", answered=True)])
    assert gaps[0].answered_since and gap_detail(gaps[0]) == "1 declined (nothing relevant 1); answered since"


def test_terms_ignore_case_punctuation_question_words_and_plurals() -> None:
    assert terms("What did the Port Authority say about the STRIKES?") == {"port", "authority", "strike"}
    assert terms("what happened?") == frozenset()
    assert len(find_gaps([_entry(1, "what happened?"), _entry(2, "What happened"), _entry(3, "why?")])) == 2


def test_service_gaps_reads_the_window_and_the_server(loaded: EventService) -> None:
    for guild in (1, 1, 2):
        loaded.ask_logged(Origin("slash", guild_id=guild), DECLINED_Q)
    loaded.ask_logged(Origin("slash", guild_id=1), ANSWERED_Q)
    assert [(g.question, g.asked) for g in loaded.gaps(7, guild_id=1)] == [(DECLINED_Q, 2)]
    assert loaded.gaps(7)[0].asked == 3
