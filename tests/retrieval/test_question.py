"""Filters typed in a question, and the speaker it asks about (retrieval.question)."""

from __future__ import annotations

import pytest

from retrieval.question import Query, parse_query, speaker_hint, speaker_matches


def test_filters_are_taken_out_and_the_rest_is_the_question() -> None:
    q = parse_query('what did Varenko say about drones  source:Reuters speaker:"Ilias Varenko" since:2026-03-01 '
                    "until:2026-03-31?")
    assert q == Query("what did Varenko say about drones ?", "Reuters", "Ilias Varenko", "2026-03-01", "2026-03-31",
                      speaker_hint="Varenko")


def test_filter_keywords_are_case_blind_and_the_last_of_a_kind_wins() -> None:
    q = parse_query("SOURCE:AP dam breach Source:'Meridian Press'")
    assert (q.text, q.source) == ("dam breach", "Meridian Press")


def test_words_with_colons_that_are_no_filters_stay_in_the_question() -> None:
    for text in ("ratio 3:1 at the port", "the source: the ministry", "resource:dam", 'source:"" dam'):
        q = parse_query(text)
        assert q.source is None and q.since is None
    assert parse_query("resource:dam").text == "resource:dam"


def test_filters_fall_back_to_the_given_defaults() -> None:
    q = parse_query("dam since:2026-03-01")
    assert q.filters(since="2025-01-01", source="Northwire", speaker=None) == {"since": "2026-03-01",
                                                                               "source": "Northwire"}


@pytest.mark.parametrize(("question", "who"), [
    ("what did Konashenkov say about the drones?", "Konashenkov"),
    ("What has the defence ministry said about the talks", "defence ministry"),
    ("How many shells did Varenko say were fired near Kastro?", "Varenko"),
    ("what did konashenkov claim", "konashenkov"),
    ("According to Helga Rustad, when will the talks end?", "Helga Rustad"),
    ("Verlinde's comments on the evacuation", "Verlinde"),
    ("quotes from Petra Lindqvist about pay", "Petra Lindqvist"),
    ("what did they say about the dam", None),
    ("What did the report say?", None),
    ("Who chairs the ceasefire talks?", None),
    ("How many residents were evacuated?", None),
])
def test_speaker_hint(question: str, who: str | None) -> None:
    assert speaker_hint(question) == who


def test_speaker_matches_words_of_the_name_or_role_ignoring_case_accents_and_ranks() -> None:
    varenko = "Ilias Varenko (Aldorian defence ministry spokesman)"
    assert speaker_matches(varenko, "varenko") and speaker_matches(varenko, "Maj. Gen. Ilias Varenko")
    assert speaker_matches(varenko, "defence ministry") and speaker_matches("Zoë Ångström", "zoe angstrom")
    assert not speaker_matches(varenko, "Helga Rustad") and not speaker_matches(None, "Varenko")
    assert not speaker_matches(varenko, "Varen") and not speaker_matches(varenko, "Maj.")


@pytest.mark.parametrize("shape", ["A.", "Ab-", "Kremlin.", "what did A. ", "A's A.", "according to A."])
def test_parsing_is_linear_in_the_question_length(shape: str) -> None:
    """`A.A.A.…` made the possessive speaker pattern try every dot: 0.45 s at 4,000 characters,
    1.5 s at 8,000 (a mention's text was parsed before the 1,000-character cut)."""
    import time

    question = shape * (20_000 // len(shape))
    started = time.perf_counter()
    parse_query(question)
    assert time.perf_counter() - started < 0.5


def test_a_long_question_is_cut_before_it_is_parsed(service) -> None:  # noqa: ANN001
    import time

    from tests.articles import ALL, write_json

    service.import_file(write_json(service.data_dir / "a.json", ALL))
    started = time.perf_counter()
    answer = service.ask("A." * 50_000)
    assert time.perf_counter() - started < 1 and len(answer.question) <= 1000
