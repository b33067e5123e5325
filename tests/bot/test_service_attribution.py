"""Attribution through the service: origins and speakers at ingest, syndicated copies shown once,
speaker filters and boosts, and the fields of `eventbot ask --json`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.present import also_carried_line, attribution_line
from bot.results import Reason
from bot.service import EventService
from retrieval.boosts import SPEAKER_BOOST, boost_speaker
from corpus import demo_corpus
from index.hybrid import Hit
from tests.articles import write_json

DEMO = demo_corpus.DEMO_DIR
PAIR = ("kestrelledger-ceasefire-talks.html", "harbourwatch-ceasefire-talks.html")


@pytest.fixture
def demo(service: EventService) -> EventService:
    """The syndicated pair and two other stories about the same conflict."""
    wanted = {*PAIR, "frontierdispatch-ceasefire-agreed.html", "frontierdispatch-kastro-clash.html"}
    for item in demo_corpus.load():
        if item.filename in wanted:
            assert service.add_document(item.content, item.filename, url=item.url).status == "added"
    return service


def test_origin_and_speakers_are_read_at_ingest(demo: EventService) -> None:
    origins = {a.source: a.origin for a in demo.articles() if a.title.startswith("Ceasefire talks begin")}
    assert origins == {"Harbour Watch": "Meridian Press"}
    answer = demo.ask("How many artillery shells did Varenko say were fired near Kastro on the day the talks opened?")
    top = answer.passages[0]
    assert "22 artillery shells" in top.text
    assert top.speaker == "Ilias Varenko (Aldorian defence ministry spokesman)" and top.origin == "Meridian Press"
    assert attribution_line(top).startswith(
        "Ilias Varenko (Aldorian defence ministry spokesman), via Meridian Press · ")


def test_the_demo_syndicated_pair_is_shown_once_with_also_carried_by(demo: EventService) -> None:
    answer = demo.ask("Who chairs the ceasefire talks in Lindhaven?", k=4)
    texts = [p.text for p in answer.passages]
    assert len(texts) == len(set(texts))
    chair = [p for p in answer.passages if "chaired by the veteran diplomat Ambassador Helga Rustad" in p.text]
    assert len(chair) == 1
    shown, copy = chair[0], {"The Kestrel Ledger", "Harbour Watch"} - {chair[0].source}
    assert [c["source"] for c in shown.also_carried_by] == list(copy)
    assert all(c["url"] and c["title"] for c in shown.also_carried_by)
    assert also_carried_line(shown) == f"also carried by {copy.pop()}"
    for p in answer.passages:  # no passage of either copy shows up twice, whichever outlet it comes from
        if p.source in ("The Kestrel Ledger", "Harbour Watch"):
            assert len(p.also_carried_by) == 1


def test_speaker_filter_keeps_only_passages_quoting_that_speaker(demo: EventService) -> None:
    answer = demo.ask("ceasefire talks speaker:Rustad", k=4)
    assert answer.answered and answer.filters == {"speaker": "Rustad"}
    assert all("Helga Rustad" in p.speaker for p in answer.passages)
    assert demo.ask("ceasefire talks", k=4, speaker="Varenko").passages[0].speaker.startswith("Ilias Varenko")
    nobody = demo.ask("ceasefire talks", speaker="Konashenkov")
    assert not nobody.answered and nobody.reason == Reason.NO_MATCH


def test_boost_moves_passages_quoting_the_speaker_up_by_a_factor() -> None:
    hits = [Hit(1, 0.030, 0.5), Hit(2, 0.024, 0.5), Hit(3, 0.020, 0.5), Hit(4, 0.010, 0.5)]
    speakers = {1: "Ilias Varenko (spokesman)", 2: None, 3: "Helga Rustad (Ambassador)", 4: "Helga Rustad (Ambassador)"}
    boosted = boost_speaker(hits, speakers, "Rustad")
    assert [h.id for h in boosted] == [1, 3, 2, 4]  # 0.020 * 1.25 passes 0.024, not 0.030; 0.0125 passes nobody
    assert boosted[1].score == pytest.approx(0.020 * SPEAKER_BOOST)
    assert boost_speaker(hits, speakers, "Konashenkov") == hits


def test_asking_what_someone_said_boosts_passages_quoting_them(demo: EventService,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    question = "what did Rustad say about the truce and the observers"
    asked = demo.ask(question, k=3)
    top = asked.passages[0]
    assert "Rustad" in top.speaker
    assert [p.score for p in asked.passages] == sorted((p.score for p in asked.passages), reverse=True)
    monkeypatch.setattr("retrieval.boosts.SPEAKER_BOOST", 1.0)
    plain = {p.passage_id: p.score for p in demo.ask(question, k=3).passages}
    assert top.score == pytest.approx(plain[top.passage_id] * SPEAKER_BOOST, rel=1e-3)


def test_source_filter_knows_agency_aliases(service: EventService, tmp_path: Path) -> None:
    records = [{"title": "Stadium sale blocked", "url": "https://paper.example/stadium",
                "body": "(AP) \u2014 A judge blocked the sale of the city stadium on Tuesday.\n\n"
                        "\"The sale cannot go ahead,\" Judge Amira Haddad said.", "source": "City Paper"}]
    assert service.import_file(write_json(tmp_path / "a.json", records)).added == 1
    answer = service.ask("stadium sale judge source:AP")
    assert answer.answered and answer.passages[0].origin == "Associated Press"
    assert service.ask("stadium sale judge source:Reuters").answered is False


def test_ask_json_carries_outlet_origin_speaker_and_copies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("embedding:\n  model: hash\n", encoding="utf-8")
    monkeypatch.setenv("EVENTBOT_CONFIG", str(config))
    runner = CliRunner()
    added = runner.invoke(app, ["add", *(str(DEMO / f) for f in PAIR)])
    assert added.exit_code == 0, added.stderr
    result = runner.invoke(app, ["ask", "How many artillery shells were fired near Kastro?", "--json", "-k", "2"])
    answer = json.loads(result.stdout)
    top = answer["passages"][0]
    assert {"source", "author", "published_at", "origin", "speaker", "also_carried_by"} <= set(top)
    assert top["origin"] == "Meridian Press" and top["speaker"].startswith("Ilias Varenko")
    assert top["source"] in ("The Kestrel Ledger", "Harbour Watch") and len(top["also_carried_by"]) == 1
    assert set(top["also_carried_by"][0]) == {"source", "url", "title"}
    human = runner.invoke(app, ["ask", "How many artillery shells were fired near Kastro?", "--speaker", "Varenko"])
    assert "Ilias Varenko (Aldorian defence ministry spokesman), via Meridian Press" in human.stdout
    assert "also carried by" in human.stdout


def test_a_verbatim_copy_at_another_outlet_shows_as_also_carried_by(service: EventService, tmp_path: Path) -> None:
    body = ("ORVIK (Meridian Press) - Households flooded by the dam breach can claim up to 40,000 crowns each.\n\n"
            "\"The state will stand behind the people of Velmora,\" finance ministry spokesman Emil Roth said.")
    records = [{"title": title, "url": url, "body": body, "source": source} for title, url, source in [
        ("Flood households can claim 40,000 crowns", "https://valley.example/claims", "Valley Courier"),
        ("Flood compensation announced", "https://coast.example/compensation", "Coastal Ledger")]]
    report = service.import_file(write_json(tmp_path / "a.json", records))
    assert (report.added, report.duplicates) == (1, 1)
    top = service.ask("how much can flooded households claim?").passages[0]
    assert top.source == "Valley Courier" and top.origin == "Meridian Press"
    assert top.also_carried_by == [{"source": "Coastal Ledger", "url": "https://coast.example/compensation",
                                    "title": "Flood compensation announced"}]


# -- copies that disagree ----------------------------------------------------------------------------

SHOOTDOWN = [
    "KASTRO (Meridian Press) - Aldorian air defences shot down 41 drones over the Dorsk ridge on Sept. 17, the "
    "regional governor Anton Brel said.",
    "The drones were launched from three sites across the border, according to the governor's office, and most "
    "were brought down before dawn.",
    "Schools in the ridge villages stayed closed for a second day while engineers checked the power lines.",
]


def _shootdown(source: str, url: str, paragraphs: list[str], published: str = "2026-09-17") -> dict:
    return {"title": f"Drones downed over Dorsk ridge ({source})", "url": url, "body": "\n\n".join(paragraphs),
            "source": source, "published_at": published}


def test_copies_that_differ_in_a_fact_are_both_shown_and_marked(service: EventService, tmp_path: Path) -> None:
    changed = [SHOOTDOWN[0].replace("41 drones", "14 drones"), *SHOOTDOWN[1:]]
    records = [_shootdown("The Kestrel Ledger", "https://kl.example/drones", SHOOTDOWN),
               _shootdown("Harbour Watch", "https://hw.example/drones", changed)]
    assert service.import_file(write_json(tmp_path / "a.json", records)).added == 2
    answer = service.ask("How many drones did the air defences shoot down over the Dorsk ridge?", k=4)
    shown = [p for p in answer.passages if "shot down" in p.text]
    assert {p.source for p in shown} == {"The Kestrel Ledger", "Harbour Watch"}  # not collapsed: both shown
    for p in shown:
        assert p.also_carried_by == []  # "also carried by" would say the other agrees
        [other] = p.disagrees_with
        assert other["source"] == ({"The Kestrel Ledger", "Harbour Watch"} - {p.source}).pop()
        assert other["url"] and other["title"] and other["relation"] == "other outlet"
        mine, theirs = ("41 drones", "14 drones") if p.source == "The Kestrel Ledger" else ("14 drones", "41 drones")
        assert other["detail"] == f"{p.source} reports {mine}; {other['source']} reports {theirs}"
    # The paragraphs that agree are still one story carried twice.
    schools = service.ask("Why did the schools in the ridge villages stay closed?", k=4).passages
    [school] = [p for p in schools if "Schools" in p.text]
    assert len(school.also_carried_by) == 1 and school.disagrees_with == []


def test_copies_that_differ_only_in_formatting_are_still_one_story(service: EventService, tmp_path: Path) -> None:
    reformatted = [SHOOTDOWN[0].replace("41", "forty-one").replace("Sept. 17", "September 17")
                   .replace("KASTRO (Meridian Press) - ", ""), *SHOOTDOWN[1:]]
    records = [_shootdown("The Kestrel Ledger", "https://kl.example/drones", SHOOTDOWN),
               _shootdown("Harbour Watch", "https://hw.example/drones", reformatted)]
    assert service.import_file(write_json(tmp_path / "a.json", records)).added == 2
    answer = service.ask("How many drones did the air defences shoot down over the Dorsk ridge?", k=4)
    [top] = [p for p in answer.passages if "shot down" in p.text]
    assert len(top.also_carried_by) == 1 and top.disagrees_with == []


def test_a_later_version_of_the_same_outlets_story_is_named_as_its_correction(service: EventService,
                                                                               tmp_path: Path) -> None:
    corrected = [SHOOTDOWN[0].replace("41 drones", "14 drones"), *SHOOTDOWN[1:]]
    records = [_shootdown("The Kestrel Ledger", "https://kl.example/drones", SHOOTDOWN),
               _shootdown("The Kestrel Ledger", "https://kl.example/drones-corrected", corrected, "2026-09-18")]
    assert service.import_file(write_json(tmp_path / "a.json", records)).added == 2
    answer = service.ask("How many drones did the air defences shoot down over the Dorsk ridge?", k=4)
    by_url = {p.url: p for p in answer.passages if "shot down" in p.text}
    old, new = by_url["https://kl.example/drones"], by_url["https://kl.example/drones-corrected"]
    assert old.disagrees_with[0]["relation"] == "later version"
    assert old.disagrees_with[0]["detail"] == ("The Kestrel Ledger's later version (2026-09-18) reports 14 drones; "
                                               "this one reports 41 drones")
    assert new.disagrees_with[0]["relation"] == "earlier version"
    assert new.disagrees_with[0]["detail"] == ("this version reports 14 drones; The Kestrel Ledger's earlier "
                                               "version (2026-09-17) reported 41 drones")


def test_the_cli_shows_what_a_disagreeing_copy_says(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("embedding:\n  model: hash\n", encoding="utf-8")
    monkeypatch.setenv("EVENTBOT_CONFIG", str(config))
    changed = [SHOOTDOWN[0].replace("41 drones", "14 drones"), *SHOOTDOWN[1:]]
    records = [_shootdown("The Kestrel Ledger", "https://kl.example/drones", SHOOTDOWN),
               _shootdown("Harbour Watch", "https://hw.example/drones", changed)]
    runner = CliRunner()
    assert runner.invoke(app, ["import", str(write_json(tmp_path / "a.json", records))]).exit_code == 0
    question = "How many drones did the air defences shoot down over the Dorsk ridge?"
    answer = json.loads(runner.invoke(app, ["ask", question, "--json", "-k", "1"]).stdout)
    [top] = answer["passages"]
    assert set(top["disagrees_with"][0]) == {"source", "url", "title", "relation", "detail"}
    human = runner.invoke(app, ["ask", question, "-k", "1"]).stdout
    other = "Harbour Watch" if top["source"] == "The Kestrel Ledger" else "The Kestrel Ledger"
    assert f"differs from {other}: {top['disagrees_with'][0]['detail']}" in " ".join(human.split())
    assert top["disagrees_with"][0]["url"] in human
