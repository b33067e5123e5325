"""The command line, driven as a user would, on the hash embedder."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from tests.articles import ALL, DAM, write_json

runner = CliRunner()


@pytest.fixture(autouse=True)
def hash_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text("embedding:\n  model: hash\n", encoding="utf-8")
    monkeypatch.setenv("EVENTBOT_CONFIG", str(path))
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_import_then_ask_json(tmp_path: Path) -> None:
    code, _, err = run("import", str(write_json(tmp_path / "a.json", ALL)))
    assert code == 0 and "imported 3 articles (8 passages)" in err
    code, out, _ = run("ask", "how many residents were evacuated from the riverside quarter?", "--json", "--k", "2")
    answer = json.loads(out)
    assert code == 0 and answer["answered"] is True and len(answer["passages"]) <= 2
    top = answer["passages"][0]
    assert set(top) >= {"text", "title", "url", "source", "author", "published_at", "score", "article_id", "passage_id"}
    assert "1,200 residents" in top["text"] and top["url"] == DAM["url"].rstrip("/")


def test_ask_human_output_shows_attribution_and_link(tmp_path: Path) -> None:
    run("import", str(write_json(tmp_path / "a.json", ALL)))
    code, out, _ = run("ask", "evacuated residents riverside quarter")
    assert code == 0
    assert "1,200 residents" in out and "Harbour Watch" in out and "Tomas Reyes" in out
    assert DAM["url"].rstrip("/") in out


def test_ask_before_anything_added_json_is_valid() -> None:
    code, out, _ = run("ask", "what happened at the dam?", "--json")
    answer = json.loads(out)
    assert code == 0 and answer["answered"] is False and answer["passages"] == []
    assert "eventbot add" in answer["note"]


def test_empty_question_json_is_valid_and_plain_is_an_error() -> None:
    code, out, _ = run("ask", "  ", "--json")
    assert code == 0 and json.loads(out)["answered"] is False
    code, _, err = run("ask", "  ")
    assert code == 1 and "question" in err


def test_batch_prints_json_lines(tmp_path: Path) -> None:
    run("import", str(write_json(tmp_path / "a.json", ALL)))
    questions = tmp_path / "q.txt"
    questions.write_text("artillery near the Kastro bridge\n\nbanana bread recipe walnuts\nport strike crane operators\n")
    code, out, _ = run("ask", "--batch", str(questions), "--json")
    answers = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [a["answered"] for a in answers] == [True, False, True]
    assert "artillery" in answers[0]["passages"][0]["text"]


def test_list_remove_stats(tmp_path: Path) -> None:
    run("import", str(write_json(tmp_path / "a.json", ALL)))
    code, out, _ = run("list")
    assert code == 0 and "Velmora" in out and "Northwire" in out
    code, _, err = run("remove", DAM["url"])
    assert code == 0 and "removed article" in err
    code, _, err = run("remove", DAM["url"])
    assert code == 1 and "no held article" in err
    code, out, _ = run("stats")
    assert "articles: 2" in out and "passages: 5" in out and "indexed passages: 5" in out


def test_malformed_import_file_is_a_message(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("[{,]")
    code, _, err = run("import", str(bad))
    assert code == 1 and "not valid JSON" in err and "Traceback" not in err


def test_bad_config_value_is_a_clear_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("retrieval:\n  top_k: 0\n  colour: blue\n")
    monkeypatch.setenv("EVENTBOT_CONFIG", str(path))
    code, _, err = run("stats")
    assert code == 2 and "retrieval.top_k" in err and "retrieval.colour: unknown key" in err


def test_add_missing_file_and_unsupported_url() -> None:
    code, _, err = run("add", "/nonexistent/page.html", "ftp://example.com/a")
    assert code == 1 and "no such file" in err and "refused" in err


def test_importing_the_service_does_not_import_discord() -> None:
    code = "import sys, bot.service, bot.cli; print('discord' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_asked_questions_show_up_in_gaps_and_stats(tmp_path: Path) -> None:
    run("import", str(write_json(tmp_path / "a.json", ALL)))
    code, out, _ = run("gaps")
    assert code == 0 and "No declined or unhelpful answers this week." in out
    for question in ("What did the port authority say about the strike at Orvik?",
                     "what did the Port Authority say about the Orvik strike", "banana bread recipe walnuts",
                     "how many residents were evacuated from the riverside quarter?"):
        assert run("ask", question)[0] == 0
    code, out, _ = run("gaps")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("asked twice this week: ") and "port authority" in lines[0].lower()
    assert "2 declined" in lines[1] and "asked once this week: banana bread recipe walnuts" in out
    assert "residents" not in out  # answered: no gap
    code, out, _ = run("gaps", "--days", "1", "--json")
    report = json.loads(out)
    assert code == 0 and report["days"] == 1 and [g["asked"] for g in report["gaps"]] == [2, 1]
    assert set(report["gaps"][0]) >= {"question", "declined", "not_helpful", "reasons", "last_asked", "wordings"}
    code, out, _ = run("stats")
    assert code == 0 and "last day: 4 questions, 75% declined, p50 " in out
    code, out, _ = run("stats", "--json")
    stats = json.loads(out)
    assert stats["articles"] == 3 and stats["last_day"]["questions"] == 4 and stats["last_day"]["declined"] == 3
    assert stats["last_day"]["decline_rate"] == 0.75 and stats["last_day"]["p95_ms"] >= stats["last_day"]["p50_ms"] > 0


def test_gaps_bad_options_and_an_empty_log_are_messages() -> None:
    code, _, err = run("gaps", "--days", "0")
    assert code == 2 and "--days" in err
    code, out, _ = run("stats", "--json")
    assert code == 0 and json.loads(out)["last_day"] == {"hours": 24.0, "questions": 0, "answered": 0, "declined": 0,
                                                         "decline_rate": None, "p50_ms": None, "p95_ms": None}
    code, out, _ = run("stats")
    assert "last day: no questions" in out


def test_batch_questions_are_not_logged(tmp_path: Path) -> None:
    questions = tmp_path / "q.txt"
    questions.write_text("banana bread recipe walnuts\n")
    assert run("ask", "--batch", str(questions), "--json")[0] == 0
    assert "no questions" in run("stats")[1]
