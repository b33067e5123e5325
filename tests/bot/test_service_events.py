"""Events and timelines through the service and the command line, on the demo corpus (hash embedder):
clusters kept in step as articles come and go, saved and rebuilt when their file is unusable."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.config import Config, EmbeddingConfig
from bot.service import EventService
from corpus import demo_corpus
from corpus.models import ArticleDraft
from index.embedder import HashEmbedder

DAM_QUERY = "what happened with the Velmora dam?"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def demo(service: EventService) -> EventService:
    for item in demo_corpus.load():
        assert service.add_document(item.content, item.filename, url=item.url).status == "added"
    return service


def reopen(service: EventService) -> EventService:
    service.close()
    return EventService(service.data_dir, service.config, embedder=HashEmbedder())


def dam_event(service: EventService):
    return next(e for e in service.events() if "Velmora" in e.label)


def test_events_are_listed_most_recent_activity_first(demo: EventService) -> None:
    listed = demo.events()
    assert [e.last_seen for e in listed if e.last_seen] == sorted((e.last_seen for e in listed if e.last_seen),
                                                                  reverse=True)
    dam = dam_event(demo)
    assert dam.first_seen.startswith("2026-03-04") and dam.last_seen.startswith("2026-03-19")
    assert dam.articles >= 4 and set(dam.outlets) == {"Harbour Watch", "Valley Courier", "The Kestrel Ledger"}
    assert sum(e.articles for e in listed) == 14  # every article in exactly one event


def test_timeline_of_the_dam_in_order_with_the_first_report_first(demo: EventService) -> None:
    found = demo.timeline(DAM_QUERY)
    assert found.answered and "Velmora" in found.event.label
    dated = [e.published_at for e in found.entries if e.published_at]
    assert dated == sorted(dated) and dated[0].startswith("2026-03-04")
    assert found.entries[0].first_report and not any(e.first_report for e in found.entries[1:])
    assert found.entries[0].source == "Harbour Watch" and found.entries[0].url.endswith("dam-breach-velmora")
    assert all("Saltmarch" not in e.text for e in found.entries)


def test_since_and_until_narrow_the_timeline(demo: EventService) -> None:
    found = demo.timeline(DAM_QUERY, since="2026-03-05", until="2026-03-10")
    assert [e.published_at[:10] for e in found.entries] == ["2026-03-05", "2026-03-09"]
    assert not any(e.first_report for e in found.entries)  # the first report (4 Mar) is before the period


def test_nothing_held_or_nothing_relevant_is_said_plainly(service: EventService) -> None:
    empty = service.timeline(DAM_QUERY)
    assert not empty.answered and empty.answer.reason == "no_articles" and empty.to_json()["reason"] == "no_articles"
    assert service.events() == []


def test_a_new_report_joins_its_event_and_a_removed_one_leaves_it(demo: EventService) -> None:
    before = dam_event(demo)
    draft = ArticleDraft(
        title="Velmora dam repairs finished, Tessel reservoir refilling",
        paragraphs=("Engineers finished repairs on the breached Tessel dam above Velmora on Monday, and Kestria "
                    "province said the reservoir would refill over the spring.",
                    "Velmora families who returned home after the dam breach flood said the town was quiet again."),
        url="https://www.valleycourier.example/news/2026/03/30/tessel-dam-repaired", source="Valley Courier",
        published_at="2026-03-30")
    added = demo.add_draft(draft)
    after = dam_event(demo)
    assert after.articles == before.articles + 1 and after.last_seen == "2026-03-30"
    dated = [e for e in demo.timeline(DAM_QUERY).entries if e.published_at]  # undated reports come after these
    assert dated[-1].url.endswith("tessel-dam-repaired")  # the latest last
    demo.remove(str(added.article.id))
    assert dam_event(demo).articles == before.articles and dam_event(demo).last_seen == before.last_seen


def test_clusters_are_saved_and_a_damaged_file_is_rebuilt_with_a_log_line(
        demo: EventService, caplog: pytest.LogCaptureFixture) -> None:
    listed = demo.events()
    path = demo.data_dir / "events.npz"
    assert path.exists()
    again = reopen(demo)
    try:
        assert again.events() == listed  # loaded, not clustered anew
        path.write_bytes(b"not an archive")
        fresh = reopen(again)
    finally:
        again.close()
    try:
        with caplog.at_level(logging.WARNING):
            assert fresh.events() == listed
        assert "event clusters" in caplog.text and "damaged" in caplog.text and "rebuilding" in caplog.text
        path.unlink()
        gone = reopen(fresh)
    finally:
        fresh.close()
    try:
        assert gone.events() == listed and path.exists()
    finally:
        gone.close()


def test_reindex_clusters_everything_again(demo: EventService) -> None:
    listed = demo.events()
    (demo.data_dir / "events.npz").unlink()
    demo.reindex()
    assert (demo.data_dir / "events.npz").exists() and demo.events() == listed


def test_an_import_is_clustered_once_it_is_done(service: EventService, tmp_path: Path) -> None:
    records = [{"title": f"Brannock fire day {n}", "url": f"https://news.example/fire/{n}", "source": "Harbour Watch",
                "published_at": f"2026-05-{n:02d}",
                "body": f"The Brannock forest fire burned {n * 100} hectares, fire chief Ilse Marrow said on day {n}."}
               for n in range(1, 6)]
    path = tmp_path / "fire.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    assert service.import_file(path).added == 5
    (event,) = service.events()
    assert event.articles == 5 and event.first_seen == "2026-05-01" and event.last_seen == "2026-05-05"


def test_importing_the_service_loads_no_matplotlib() -> None:
    import subprocess

    code = "import bot.service, bot.cli, sys; assert 'matplotlib' not in sys.modules, 'matplotlib imported'"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[2])


# -- the command line ---------------------------------------------------------------------------

runner = CliRunner()


@pytest.fixture
def cli_demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    config = tmp_path / "config.yaml"
    config.write_text("embedding:\n  model: hash\n", encoding="utf-8")
    monkeypatch.setenv("EVENTBOT_CONFIG", str(config))
    data = Path(tmp_path / "data")
    service = EventService(data, Config(embedding=EmbeddingConfig(model="hash")), embedder=HashEmbedder())
    for item in demo_corpus.load():
        service.add_document(item.content, item.filename, url=item.url)
    service.close()
    return data


def test_cli_timeline_json_and_picture(cli_demo: Path, tmp_path: Path) -> None:
    png = tmp_path / "out" / "dam.png"
    png.parent.mkdir()
    result = runner.invoke(app, ["timeline", DAM_QUERY, "--json", "--png", str(png)])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) >= {"query", "event", "entries"} and data["query"] == DAM_QUERY
    assert set(data["event"]) == {"label", "first_seen", "last_seen", "articles", "outlets"}
    entries = data["entries"]
    assert entries[0]["first_report"] and entries[0]["source"] == "Harbour Watch"
    dated = [e["published_at"] for e in entries if e["published_at"]]
    assert dated == sorted(dated)
    assert png.read_bytes().startswith(PNG_MAGIC) and "timeline drawn to" in result.stderr


def test_cli_timeline_text_and_events(cli_demo: Path) -> None:
    result = runner.invoke(app, ["timeline", DAM_QUERY])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Dam breach floods Velmora") and "4 Mar 2026 (first report)" in result.stdout
    assert result.stdout.index("4 Mar 2026") < result.stdout.index("19 Mar 2026")
    listed = runner.invoke(app, ["events", "--json"])
    events = json.loads(listed.stdout)["events"]
    assert listed.exit_code == 0 and sum(e["articles"] for e in events) == 14
    plain = runner.invoke(app, ["events"])
    assert plain.stdout.startswith("1. ") and "3 outlets" in plain.stdout


def test_cli_timeline_of_nothing_held_exits_1_with_the_reason(cli_demo: Path, tmp_path: Path) -> None:
    png = tmp_path / "none.png"
    result = runner.invoke(app, ["timeline", "best recipe for banana bread with walnuts", "--png", str(png)])
    assert result.exit_code == 1 and "I found nothing about that in the 14 articles I hold." in result.stdout
    assert not png.exists()
    as_json = runner.invoke(app, ["timeline", "best recipe for banana bread with walnuts", "--json"])
    data = json.loads(as_json.stdout)
    assert as_json.exit_code == 1 and data["event"] is None and data["reason"] == "nothing_relevant"


def test_cli_bad_date_is_a_clear_error(cli_demo: Path) -> None:
    result = runner.invoke(app, ["timeline", DAM_QUERY, "--since", "last tuesday"])
    assert result.exit_code == 1 and "error:" in result.stderr and "Traceback" not in result.stderr


def test_cli_png_to_an_unwritable_place_is_a_clear_error(cli_demo: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["timeline", DAM_QUERY, "--png", str(tmp_path / "no" / "such" / "dir" / "x.png")])
    assert result.exit_code == 1 and "cannot write" in result.stderr


def test_an_article_another_process_adds_joins_the_events_here(demo: EventService) -> None:
    other = EventService(demo.data_dir, demo.config, embedder=HashEmbedder())
    try:
        before = dam_event(demo).articles
        other.add_draft(ArticleDraft(
            title="Velmora dam breach: Tessel engineers questioned",
            paragraphs=("Engineers who inspected the Tessel dam above Velmora were questioned on Tuesday by the "
                        "Kestria inquiry into the dam breach that flooded the lower town.",),
            url="https://www.harbourwatch.example/2026/03/24/tessel-engineers", source="Harbour Watch",
            published_at="2026-03-24"))
        demo.index.refresh()  # what the running bot's watch does every second
        assert dam_event(demo).articles == before + 1 and dam_event(demo).last_seen == "2026-03-24"
    finally:
        other.close()
