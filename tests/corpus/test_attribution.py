"""Datelines and speakers: the labelled sets must stay above their targets, plus focused cases."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # bench/ is not an installed package

from bench.attribution import FIXTURES, SPEAKER_SETS, TARGETS, score_datelines, score_speakers  # noqa: E402
from corpus.attribution import (  # noqa: E402
    Dateline,
    Speaker,
    annotate,
    attribute_speakers,
    canonical_agency,
    parse_dateline,
    strip_dateline,
)
from corpus.models import ArticleDraft  # noqa: E402


def names(paragraphs: list[str], title: str | None = None) -> list[str | None]:
    return [s.name if s else None for s in attribute_speakers(paragraphs, title)]


# -- the labelled sets ---------------------------------------------------------------------------


@pytest.mark.parametrize("files", [(name,) for name in SPEAKER_SETS] + [SPEAKER_SETS])
def test_labelled_speakers_meet_the_precision_and_recall_targets(files: tuple[str, ...]) -> None:
    score = score_speakers(*(FIXTURES / f for f in files))
    assert score.labelled >= 20 and score.paragraphs >= 30
    assert score.precision >= TARGETS["precision"], "\n".join(score.errors)
    assert score.recall >= TARGETS["recall"], "\n".join(score.errors)


def test_labelled_set_is_big_enough_and_covers_every_kind_of_case() -> None:
    score = score_speakers(*(FIXTURES / name for name in SPEAKER_SETS))
    assert score.labelled >= 60
    for case in ("direct", "indirect", "mixed", "pronoun", "multiple", "none", "anonymous", "org", "according"):
        assert score.by_case[case] >= 1, case


def test_every_labelled_dateline_is_read_right() -> None:
    correct, total, errors = score_datelines()
    assert total >= 20 and correct == total, "\n".join(errors)


# -- datelines -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("alias", "canonical"), [
    ("AP", "Associated Press"), ("The Associated Press", "Associated Press"), ("afp", "Agence France-Presse"),
    ("Reuters", "Reuters"), ("ITAR-TASS", "TASS"), ("AA", "Anadolu Agency"), ("Meridian  Press", "Meridian Press"),
])
def test_agency_aliases_are_canonicalised_and_other_names_kept(alias: str, canonical: str) -> None:
    assert canonical_agency(alias) == canonical


def test_dateline_is_found_after_a_byline_line_and_wins_over_it() -> None:
    got = parse_dateline(["By Lena Marsh, Northwire", "LINDHAVEN (Meridian Press) - Talks opened on Monday."])
    assert got == Dateline("LINDHAVEN", None, "Meridian Press")


def test_a_city_only_dateline_takes_the_agency_of_the_byline() -> None:
    got = parse_dateline(["By Reuters Staff", "LONDON - Ministers met on Thursday."])
    assert got == Dateline("LONDON", None, "Reuters")


def test_no_dateline_in_ordinary_text_or_quotes() -> None:
    assert parse_dateline(["The talks resumed on Monday (local time) - the third round."]) is None
    assert parse_dateline(['"We are ready," she said (Reuters) - on Monday.']) is None
    assert parse_dateline([]) is None


def test_dateline_dates_take_every_month_and_weekday_form_of_the_lexicon() -> None:
    assert parse_dateline("LONDON, Jun. 9 (Reuters) - Ministers met.") == Dateline("LONDON", "Jun. 9", "Reuters")
    assert parse_dateline("LONDON, Sept. 9 (Reuters) - Ministers met.") == Dateline("LONDON", "Sept. 9", "Reuters")
    assert parse_dateline("LONDON, Thur. (Reuters) - Ministers met.") == Dateline("LONDON", "Thur", "Reuters")


def test_strip_dateline_leaves_the_story_text() -> None:
    assert strip_dateline("ORVIK, March 9 (Northwire) - The government ordered an inquiry.") == (
        "The government ordered an inquiry.")
    assert strip_dateline("No dateline here.") == "No dateline here."


# -- speakers ------------------------------------------------------------------------------------


def test_surname_resolves_to_full_name_and_title_given_earlier() -> None:
    speakers = attribute_speakers([
        "VELGRAD (Interfax) - Troops took the village of Drava on Tuesday, the defence ministry said.",
        '"The village is under our control," Novarin defence ministry spokesman Maj. Gen. Pavel Ostrowski said.',
        "According to Ostrowski, the other side lost three tanks.",
        "Ostrowski added that the advance would continue.",
    ])
    assert speakers[0] == Speaker("defence ministry", None, "indirect", organisation=True)
    for s in speakers[1:]:
        assert (s.name, s.title, s.rank) == ("Pavel Ostrowski", "Novarin defence ministry spokesman", "Maj. Gen.")
    assert [s.kind for s in speakers[1:]] == ["direct", "indirect", "indirect"]


def test_display_is_name_and_role_or_the_bare_name() -> None:
    assert Speaker("Igor Konashenkov", "Russian Defense Ministry spokesman").display() == (
        "Igor Konashenkov (Russian Defense Ministry spokesman)")
    assert str(Speaker("Harbour and Dock Workers' Union", organisation=True)) == "Harbour and Dock Workers' Union"


def test_rank_stands_in_for_a_missing_role() -> None:
    [s] = attribute_speakers(["Ambassador Helga Rustad said the talks would last two weeks."])
    assert (s.name, s.title) == ("Helga Rustad", "Ambassador")


def test_a_courtesy_title_is_no_part_of_the_name_and_no_role() -> None:
    for title in ("Ms", "Mx", "Mx.", "Dr."):
        [s] = attribute_speakers([f"{title} Jordan Lee said the talks would last two weeks."])
        assert (s.name, s.title, s.rank) == ("Jordan Lee", None, title)


def test_a_title_abbreviated_without_its_stop_only_when_it_is_no_name() -> None:
    assert names(["Sen. Hana Moravec said the vote would be close."]) == ["Hana Moravec"]
    assert names(["Prime Minister Hun Sen said the border would reopen."]) == ["Hun Sen"]


def test_pronoun_takes_the_only_candidate_and_refuses_two() -> None:
    assert names(["Mayor Hanne Solberg said the hall would be rebuilt.", "She said work would start in May."]) == [
        "Hanne Solberg", "Hanne Solberg"]
    assert names(["Ana Petrescu said six people were rescued. Milan Hordak said two had died.",
                  "She said the search would go on."]) == ["Ana Petrescu", None]


def test_pronoun_follows_gender_learnt_earlier_in_the_article() -> None:
    assert names([
        "Clara Moretti said the union would strike. She said talks had failed.",
        "Transport Minister Jonas Albrecht said the offer stood.",
        "She added that nurses would join the pickets.",
    ]) == ["Clara Moretti", "Jonas Albrecht", "Clara Moretti"]


def test_anonymous_and_unnamed_sources_give_no_speaker() -> None:
    assert names([
        "Officials said the road would reopen on Friday.",
        "A police spokeswoman said four people were held.",
        "Diplomats familiar with the talks said an agenda was agreed.",
        "Investigators have not said what caused the fire.",
        "The film \"A Winter in Kelmar\" won the top prize.",
    ]) == [None] * 5


def test_organisation_resolves_to_its_fullest_mention_unless_two_fit() -> None:
    assert names([
        "The strike was called by the Federation of Rail and Transport Workers.",
        "The federation said pickets would be set up at 14 depots.",
    ]) == [None, "Federation of Rail and Transport Workers"]
    assert names([
        "The Estravian interior ministry said two diplomats were expelled.",
        "Novarin's foreign ministry called the expulsions \"groundless and absurd\" and said it would respond.",
        "The ministry said the diplomats had 72 hours to leave.",
    ]) == ["Estravian interior ministry", "Novarin's foreign ministry", None]


def test_a_bare_company_that_names_nobody_is_no_speaker() -> None:
    assert names(["Profits fell by a third, the company said."]) == [None]
    assert names(["Police said the march passed off peacefully."]) == ["Police"]


def test_role_reference_resolves_to_the_one_person_holding_it() -> None:
    assert names([
        "Fisheries Commissioner Dana Wroblewski said the limits would stay.",
        "The commissioner said the quotas would be reviewed in 2027.",
    ]) == ["Dana Wroblewski", "Dana Wroblewski"]


def test_a_paragraph_that_only_continues_a_quotation_keeps_its_speaker() -> None:
    speakers = attribute_speakers(['"We did not expect so many people," organiser Febe Janssen said on Saturday.',
                                   '"Next year we will need a bigger square."'])
    assert [s.name for s in speakers] == ["Febe Janssen", "Febe Janssen"] and speakers[1].kind == "direct"


def test_first_direct_quotation_wins_among_several_speakers() -> None:
    assert names(['"It is a small step," Foreign Minister Ilse Varga said, while Tomas Kell said flights would '
                  'restart.']) == ["Ilse Varga"]


def test_annotate_gives_origin_and_one_speaker_per_paragraph() -> None:
    draft = ArticleDraft(title="Ferries collide", paragraphs=(
        "PORT ELSIN (Meridian Press) - Two ferries collided in fog, the coast guard said.",
        "Captain Erland Moss said visibility had dropped to 50 metres.",
        "Both ferries returned to port."))
    notes = annotate(draft)
    assert notes.origin == "Meridian Press" and notes.dateline.city == "PORT ELSIN"
    assert [s.display() if s else None for s in notes.speakers] == ["coast guard", "Erland Moss (Captain)", None]


def test_odd_input_does_not_break_the_rules() -> None:
    odd = ["", '"', '""', "said said said", "According to", ", he said.", "(AP) —", "\u201cUnclosed quote, she said",
           "A" * 5000, "He said. She said. They said."]
    assert len(attribute_speakers(odd, title="")) == len(odd)
    for text in odd:
        parse_dateline([text])


_WIRE_WORDS = st.sampled_from(['"', "said", "he", "she", "according to", "The", "ministry", "Col.", "Anja",
                               "Verlinde", ",", ".", "(Reuters)", "-", "told", "spokesman", "who", "of", "the"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.text(max_size=80), st.lists(_WIRE_WORDS, max_size=25).map(" ".join)), max_size=8))
def test_any_text_gives_one_entry_per_paragraph(paragraphs: list[str]) -> None:
    speakers = attribute_speakers(paragraphs)
    assert len(speakers) == len(paragraphs)
    assert all(s is None or (s.name.strip() and s.kind in ("direct", "indirect")) for s in speakers)
    parse_dateline(paragraphs)
