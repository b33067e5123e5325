"""The Prometheus endpoint (bot.metrics): scraped over 127.0.0.1 as Prometheus would, its figures move as
questions are asked and articles added, refused and rebuilt; a port in use is a clear message."""

from __future__ import annotations

import json
import re
import socket
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from pytest_httpserver import HTTPServer

from bot import logs, metrics
from bot.config import Config, EmbeddingConfig, FetchConfig
from bot.service import EventService
from index.embedder import HashEmbedder
from tests.articles import ALL, DAM, write_json

ARTICLE = ("<html><head><title>Bridge reopens in Kastro</title></head><body><article><h1>Bridge reopens in Kastro"
           "</h1><p>The Kastro bridge reopened to traffic on Friday after three weeks of repairs to its eastern "
           "span, the city's transport office said.</p><p>Engineers replaced forty steel cables and resurfaced "
           "the deck, and lorries are limited to twelve tonnes until the load tests end next month.</p>"
           "</article></body></html>")


@pytest.fixture
def fresh() -> metrics.Metrics:
    return metrics.reset()


@pytest.fixture
def web(service: EventService, httpserver: HTTPServer, data_dir: Path) -> Iterator[EventService]:
    """A service allowed to fetch from the local test server (a private address, another port)."""
    service.close()
    fetching = FetchConfig(allowed_private_hosts=["127.0.0.1"], allowed_ports=[httpserver.port])
    svc = EventService(data_dir, Config(embedding=EmbeddingConfig(model="hash"), fetch=fetching),
                       embedder=HashEmbedder())
    yield svc
    svc.close()


@pytest.fixture
def endpoint(fresh: metrics.Metrics, web: EventService) -> Iterator[str]:
    server = metrics.serve(0, "127.0.0.1", lambda: [web])
    yield f"http://127.0.0.1:{server.server_port}/metrics"
    server.shutdown()
    server.server_close()


def scrape(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of the endpoint: (name, labels) -> value."""
    with urllib.request.urlopen(url, timeout=5) as response:
        text = response.read().decode()
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def test_the_figures_move_as_the_bot_is_used(endpoint: str, web: EventService, httpserver: HTTPServer,
                                             tmp_path: Path) -> None:
    before = scrape(endpoint)
    assert before[("eventbot_questions_total", (("front_end", "slash"),))] == 0
    assert before[("eventbot_articles", ())] == 0 and before[("eventbot_index_bytes", ())] == 0

    report = web.import_file(write_json(tmp_path / "a.json", [*ALL, DAM]))  # the fourth repeats the first
    assert (report.added, report.duplicates) == (3, 1)
    httpserver.expect_request("/bridge").respond_with_data(ARTICLE, content_type="text/html")
    httpserver.expect_request("/report.pdf").respond_with_data(b"%PDF-1.4", content_type="application/pdf")
    assert web.add_url(httpserver.url_for("/bridge")).status == "added"
    assert web.add_url(httpserver.url_for("/report.pdf")).status == "failed"  # not a page
    assert web.add_url(f"http://10.1.2.3:{httpserver.port}/admin").status == "failed"  # a private network
    assert web.add_url("http://news.example:8080/a").status == "failed"  # a port not allowed
    assert web.add_url("ftp://news.example/a").status == "failed"
    assert web.add_document(b"%PDF", "report.pdf").status == "failed"

    with logs.request("ask", "cli"):
        assert web.ask("how many residents were evacuated?").answered
    with logs.request("/ask", "slash"):
        assert web.ask("how many residents were evacuated from the riverside quarter?").answered
        assert web.ask("since:2030-01-01 how many residents were evacuated?").reason == "no_match"
    assert not web.ask("zzyzx qwv").answered  # no front end: a caller of the Python API

    after = scrape(endpoint)
    assert after[("eventbot_questions_total", (("front_end", "cli"),))] == 1
    assert after[("eventbot_questions_total", (("front_end", "slash"),))] == 2
    assert after[("eventbot_questions_total", (("front_end", "api"),))] == 1
    assert after[("eventbot_answers_total", (("outcome", "answered"), ("reason", "")))] == 2
    assert after[("eventbot_answers_total", (("outcome", "declined"), ("reason", "no_match")))] == 1
    declined = sum(v for (name, labels), v in after.items()
                   if name == "eventbot_answers_total" and ("outcome", "declined") in labels)
    assert declined == 2
    assert after[("eventbot_question_seconds_count", ())] == 4
    assert 0 < after[("eventbot_question_seconds_sum", ())] < 10

    assert after[("eventbot_ingest_total", (("status", "added"),))] == 4  # 3 imported, 1 fetched
    assert after[("eventbot_ingest_total", (("status", "duplicate"),))] == 1
    assert after[("eventbot_ingest_total", (("status", "failed"),))] == 5
    assert after[("eventbot_ingest_failures_total", (("reason", "refused"),))] == 4
    assert after[("eventbot_ingest_failures_total", (("reason", "unsupported_file"),))] == 1
    refusals = {dict(labels)["reason"]: v for (name, labels), v in after.items()
                if name == "eventbot_fetch_refusals_total"}
    assert refusals == {"content_type": 1, "address": 1, "port": 1, "scheme": 1}

    articles, passages = web.store.counts()
    assert after[("eventbot_articles", ())] == articles == 4
    assert after[("eventbot_passages", ())] == after[("eventbot_indexed_passages", ())] == passages
    assert after[("eventbot_index_bytes", ())] > 0


def test_rebuild_progress_is_shown_while_a_rebuild_runs(endpoint: str, web: EventService, tmp_path: Path) -> None:
    web.import_file(write_json(tmp_path / "a.json", ALL))
    seen: list[tuple[float, float]] = []

    def step(done: int, total: int) -> None:  # the caller's own progress, still called
        now = scrape(endpoint)
        seen.append((now[("eventbot_rebuild_running", ())], now[("eventbot_rebuild_progress", ())]))

    web.reindex(step)
    assert seen and all(running == 1 for running, _ in seen)
    assert seen[-1][1] == 1.0
    done = scrape(endpoint)
    assert done[("eventbot_rebuild_running", ())] == 0 and done[("eventbot_rebuild_progress", ())] == 1.0


def test_feed_polls_are_counted(endpoint: str) -> None:
    metrics.current().feed_polled("ok", added=2)
    metrics.current().feed_polled("failed")
    after = scrape(endpoint)
    assert after[("eventbot_feed_polls_total", (("status", "ok"),))] == 1
    assert after[("eventbot_feed_polls_total", (("status", "failed"),))] == 1
    assert after[("eventbot_feed_articles_total", ())] == 2


def test_a_port_in_use_is_a_clear_message(fresh: metrics.Metrics) -> None:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    try:
        with pytest.raises(metrics.MetricsUnavailable, match=rf"127\.0\.0\.1:{port} .*metrics\.port"):
            metrics.serve(port, "127.0.0.1")
    finally:
        taken.close()
    with pytest.raises(metrics.MetricsUnavailable, match="cannot serve metrics on 192.0.2.1"):
        metrics.serve(0, "192.0.2.1")  # not an address of this machine


def test_each_metrics_object_starts_from_zero(fresh: metrics.Metrics) -> None:
    fresh.feed_polled("ok")
    again = metrics.reset()
    assert again.registry is not fresh.registry
    assert again.registry.get_sample_value("eventbot_feed_polls_total", {"status": "ok"}) is None


def test_the_example_dashboard_charts_the_metrics_the_endpoint_serves(endpoint: str) -> None:
    dashboard = json.loads((Path(__file__).parents[2] / "deploy" / "grafana-dashboard.json").read_text())
    exprs = [t["expr"] for panel in dashboard["panels"] for t in panel["targets"]]
    charted = {re.sub(r"_(total|bucket)$", "", name) for expr in exprs for name in re.findall(r"\beventbot_\w+", expr)}
    with urllib.request.urlopen(endpoint, timeout=5) as response:
        served = {family.name for family in text_string_to_metric_families(response.read().decode())}
    assert charted <= served, charted - served
    assert served - charted == {"eventbot_rebuild_running"}  # the 0/1 gauge: its description names it
