"""`eventbot extract`: what `add` would store, shown and never stored; and the service's preview methods."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from bot.config import Config, EmbeddingConfig, FetchConfig
from bot.service import EventService
from index.embedder import HashEmbedder
from tests.bot.test_cli import hash_config, run  # noqa: F401  (hash_config: an autouse fixture)

INTERVIEW = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Castelmar skipper on the strike</title>
<meta property="og:site_name" content="Harbor Ledger"><meta name="author" content="Dario Fenn">
<meta property="article:published_time" content="2026-03-04T09:30:00+00:00">
<link rel="canonical" href="/2026/03/04/skipper-interview"></head><body><article>
<h1>Castelmar skipper on the strike</h1>
<p>Marta Quill has skippered the Castelmar ferry for twenty years. We asked her about the strike and about what
comes after it for the crews and the islanders who rely on the boats.</p>
<h2>Why did the crews walk out in March?</h2>
<p>"We had asked for a new rota since the autumn, and nobody at the company would sit down with us," Quill said.</p>
<p>Related stories</p><p>Port authority names new director</p>
</article></body></html>"""


@pytest.fixture
def page(tmp_path: Path) -> Path:
    path = tmp_path / "skipper.html"
    path.write_text(INTERVIEW, encoding="utf-8")
    return path


def test_extract_shows_metadata_passages_speakers_and_headings_and_stores_nothing(page: Path) -> None:
    code, out, _ = run("extract", str(page), "--url", "https://harborledger.example/news?id=4")
    assert code == 0
    assert "Title: Castelmar skipper on the strike" in out
    assert "Outlet: Harbor Ledger" in out and "Author: Dario Fenn" in out and "Published: 2026-03-04" in out
    assert "URL: https://harborledger.example/2026/03/04/skipper-interview" in out  # canonical, resolved
    assert "§ Why did the crews walk out in March?" in out
    assert "speaker: Marta Quill" in out or "speaker: Quill" in out
    assert "Port authority names new director" not in out and "Related stories" not in out
    assert "2 passages (nothing stored)" in out
    code, out, _ = run("list")
    assert code == 0 and "Castelmar" not in out


def test_extract_json_is_one_object_with_every_field(page: Path) -> None:
    code, out, _ = run("extract", str(page), "--json")
    data = json.loads(out)
    assert code == 0
    assert data["title"] == "Castelmar skipper on the strike" and data["outlet"] == "Harbor Ledger"
    assert data["url"] is None  # a local file with a relative canonical link and no --url
    assert data["language"] == "en" and data["origin"] is None
    second = data["passages"][1]
    assert second["heading"] == "Why did the crews walk out in March?" and second["speaker"]
    assert data["passages"][0]["heading"] is None


@pytest.mark.parametrize(("args", "message"), [
    (("/no/such/file.html",), "no such file: /no/such/file.html"),
    (("notes.pdf",), "no such file"),
    (("https://harborledger.example/a", "--url", "https://other.example/"), "--url goes with a file"),
])
def test_extract_failures_are_a_clear_message_and_exit_1(args: tuple[str, ...], message: str) -> None:
    code, out, err = run("extract", *args)
    assert code == 1 and message in err and out == ""


def test_extract_failure_json_names_the_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    code, out, _ = run("extract", str(empty), "--json")
    assert code == 1 and json.loads(out) == {"target": str(empty), "error": "empty.html is empty"}


def test_short_page_is_refused_like_add_would(tmp_path: Path) -> None:
    short = tmp_path / "short.html"
    short.write_text("<html><head><title>Notice</title></head><body><p>Back soon.</p></body></html>")
    code, _, err = run("extract", str(short))
    assert code == 1 and "no article text found" in err


def test_service_previews_a_fetched_page_as_add_url_would_store_it(tmp_path: Path, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/skipper").respond_with_data(INTERVIEW, content_type="text/html; charset=utf-8")
    config = Config(embedding=EmbeddingConfig(model="hash"),
                    fetch=FetchConfig(allowed_private_hosts=["127.0.0.1", "localhost"],
                                      allowed_ports=[80, 443, httpserver.port]))
    service = EventService(tmp_path / "data", config, embedder=HashEmbedder())
    try:
        url = httpserver.url_for("/skipper")
        preview = service.preview_url(url)
        assert preview.ok and preview.title == "Castelmar skipper on the strike"
        assert preview.added_url == url and preview.url.endswith("/2026/03/04/skipper-interview")
        assert service.stats().articles == 0
        added = service.add_url(url)
        held = service.store.passages_with_articles(service.store.passage_ids())
        assert added.status == "added" and len(held) == len(preview.passages)
        assert sorted((p.text, p.heading) for p, _ in held.values()) == sorted(
            (p.text, p.heading) for p in preview.passages)
        refused = service.preview_url("file:///etc/passwd")
        assert not refused.ok and refused.error
    finally:
        service.close()
