"""Extraction from the open web (issue 17): headings as context, repeats, tables, unspaced scripts, the retry
of a short precision-mode body, and template lines in Spanish, Portuguese, French, German and Russian.

Every page here is written for these tests (invented outlets and people)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import trafilatura

from corpus.clean import Block, clean_blocks, is_boilerplate, word_count
from corpus.errors import NotAnArticle
from corpus.extract import extract, extract_html
from corpus.extract import html as html_module
from corpus.extract.preview import body_lines
from corpus.models import ArticleDraft
from corpus.split import sectioned_passages
from corpus.store import ArticleStore

LOREM = ("The harbour board met on Tuesday evening to weigh the ferry operator's offer, and members spent "
         "most of the session on the cost of the new pier at Castelmar.")


def page(body: str, title: str = "Ferry talks resume in Castelmar", lang: str = "en") -> str:
    return (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>'
            f'<meta property="og:title" content="{title}"></head><body><main><article><h1>{title}</h1>'
            f"{body}</article></main></body></html>")


def paragraphs(n: int, tag: str = "p") -> str:
    return "".join(f"<{tag}>{LOREM} Point {i} of the plan was read aloud.</{tag}>" for i in range(n))


# ------------------------------------------------------------------------------------------ headings


INTERVIEW = page(
    "<p>Marta Quill has skippered the Castelmar ferry for twenty years. We asked her about the strike and what "
    "comes after it for the crews and the islanders who rely on them.</p>"
    "<h2>Why did the crews walk out in March?</h2>"
    "<p>We had asked for a new rota since the autumn, and nobody at the company would sit down with us to "
    "talk about it, so in the end we stopped the boats.</p>"
    "<h2>What happens to the winter timetable now?</h2>"
    "<p>It stays as it is until the board signs the agreement, which I expect in the first week of April.</p>"
    "<p>After that the extra evening crossing comes back, on weekdays only at first.</p>"
)


def test_a_heading_is_the_context_of_the_paragraphs_below_it_not_a_paragraph() -> None:
    draft = extract_html(INTERVIEW, url="https://harborledger.example/interview")
    assert "Why did the crews walk out in March?" not in draft.paragraphs
    by_text = dict(zip(draft.paragraphs, draft.headings, strict=True))
    assert by_text["After that the extra evening crossing comes back, on weekdays only at first."] == (
        "What happens to the winter timetable now?")
    assert by_text[draft.paragraphs[0]] is None  # the introduction sits under no heading
    # The headline (the page's h1) is the title, never a section's heading.
    assert "Ferry talks resume in Castelmar" not in draft.headings
    lines = list(body_lines(draft))
    assert lines.count("What happens to the winter timetable now?") == 1  # shown once, before its section
    assert lines.index("Why did the crews walk out in March?") == 1


def test_a_boilerplate_heading_is_dropped_with_the_headlines_under_it() -> None:
    kept = clean_blocks([Block("The pier opens in May, the board said on Tuesday."), Block("Related stories", True),
                         Block("Council votes on bus fares"), Block("Island schools reopen")])
    assert kept == [("The pier opens in May, the board said on Tuesday.", None)]


def test_sections_split_into_passages_keep_their_heading() -> None:
    sections = sectioned_passages(["Intro paragraph of the interview, long enough.", "Short label",
                                   "The answer to the first question, in full words."],
                                  [None, "First question?", "First question?"])
    assert sections == [("Intro paragraph of the interview, long enough.", None),
                        ("Short label\nThe answer to the first question, in full words.", "First question?")]


def test_headings_are_stored_with_their_passages_and_an_old_store_gains_the_column(tmp_path: Path) -> None:
    path = tmp_path / "corpus.sqlite3"
    db = sqlite3.connect(path)
    db.executescript("CREATE TABLE passages (id INTEGER PRIMARY KEY AUTOINCREMENT, article_id INTEGER NOT NULL,"
                     " position INTEGER NOT NULL, text TEXT NOT NULL, speaker TEXT);")
    db.close()
    store = ArticleStore(path)
    try:
        _, passages = store.add(ArticleDraft(title="Ferry", paragraphs=("The crews stopped the boats.", "It ends."),
                                             headings=("Why did they walk out?", None)))
        assert [p.heading for p in passages] == ["Why did they walk out?", None]
        held = store.passages_with_articles([p.id for p in passages])
        assert [held[p.id][0].heading for p in passages] == ["Why did they walk out?", None]
    finally:
        store.close()


# ------------------------------------------------------------------------------------------ repeats


def test_a_question_put_to_each_person_of_a_series_is_kept_each_time() -> None:
    people = "".join(f"<p><b>{name}</b></p><p>What made you start cooking for others?</p>"
                     f"<p>{name} said the village bakery closed and somebody had to feed the ferry crews at dawn, "
                     f"so the kitchen at number {i} opened its door.</p>"
                     for i, name in enumerate(("Ana Brisk", "Dario Fenn", "Lena Marsh")))
    draft = extract_html(page(people), url="https://harborledger.example/cooks")
    assert draft.paragraphs.count("What made you start cooking for others?") == 3


def test_a_long_paragraph_printed_twice_is_kept_once() -> None:
    long = " ".join([LOREM] * 2)
    kept = clean_blocks([Block(long), Block("Another paragraph entirely."), Block(long)])
    assert [text for text, _ in kept] == [long, "Another paragraph entirely."]


# ------------------------------------------------------------------------------------------ tables


def test_a_page_laid_out_in_a_table_gives_its_main_column() -> None:
    html = ('<html><head><title>Mill Lane market moves indoors</title></head><body><table><tr>'
            '<td><h4>Sections</h4><p>News</p><p>Sport</p></td>'
            f'<td><h2>Mill Lane market moves indoors</h2>{paragraphs(6)}</td>'
            '<td><h4>Orvik weather</h4><p>Showers, 7 degrees. Wind from the west.</p></td>'
            '</tr></table></body></html>')
    draft = extract_html(html, url="https://valleycourier.example/market")
    assert len(draft.paragraphs) == 6
    assert not any("Showers" in p or p == "Sport" for p in draft.paragraphs)


def test_a_data_table_in_an_article_is_read_one_row_a_paragraph() -> None:
    table = ("<table><tr><th>Crossing</th><th>Departs</th></tr><tr><td>Castelmar to Hollin</td><td>06:40</td></tr>"
             "<tr><td>Hollin to Castelmar</td><td>07:25</td></tr></table>")
    draft = extract_html(page(paragraphs(3) + table + paragraphs(2)), url="https://harborledger.example/timetable")
    assert "Castelmar to Hollin | 06:40" in draft.paragraphs


# ------------------------------------------------------------------------------------------ unspaced scripts


JAPANESE = ("カステルマーのフェリー乗組員は火曜日、三週間続いたストライキを終えた。"
            "港湾局は新しい勤務表に合意し、夜の便は四月から再開される予定だと発表した。")


def test_unspaced_scripts_are_measured_in_characters() -> None:
    assert word_count("The ferry runs again.") == 4
    assert word_count(JAPANESE) == 38  # 75 characters of text, not "2 words"
    assert word_count("東京 and Osaka") == 3


def test_a_japanese_article_is_not_refused_as_too_short() -> None:
    draft = extract_html(page(f"<p>{JAPANESE}</p>", title="フェリーのストライキが終了", lang="ja"),
                         url="https://kaiko.example/ferry")
    assert draft.paragraphs == (JAPANESE,)
    assert draft.language == "ja"


def test_a_japanese_page_with_one_line_is_still_refused() -> None:
    with pytest.raises(NotAnArticle):
        extract_html(page("<p>フェリーが再開した。</p>", lang="ja"), url="https://kaiko.example/short")


# ------------------------------------------------------------------------------------------ the retry


def test_a_short_precision_mode_body_is_retried_and_the_longer_body_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """Precision mode that keeps only a reprint notice: the default mode's full body is taken instead."""
    real = trafilatura.bare_extraction
    modes: list[bool] = []

    def precise_picks_the_notice(tree, **options):  # type: ignore[no-untyped-def]
        modes.append(options["favor_precision"])
        doc = real(tree, **options)
        if options["favor_precision"]:
            for element in list(doc.body)[1:]:
                doc.body.remove(element)
        return doc

    monkeypatch.setattr(html_module.trafilatura, "bare_extraction", precise_picks_the_notice)
    notice = ("<p>This article was first published by the Harbor Ledger and is reprinted here with the kind "
              "permission of its editors.</p>")
    draft = extract_html(page(notice + paragraphs(8)), url="https://harborledger.example/reprint")
    assert modes == [True, False]
    assert len(draft.paragraphs) == 9


def test_a_long_precision_mode_body_is_not_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    real = trafilatura.bare_extraction
    modes: list[bool] = []

    def counting(tree, **options):  # type: ignore[no-untyped-def]
        modes.append(options["favor_precision"])
        return real(tree, **options)

    monkeypatch.setattr(html_module.trafilatura, "bare_extraction", counting)
    extract_html(page(paragraphs(8)), url="https://harborledger.example/long")
    assert modes == [True]


# ------------------------------------------------------------------------------------------ other languages


TEMPLATE_LINES = [
    # es
    "Por Ana Souza", "Publicado el 12 de marzo de 2026", "Actualizado: 12/03/2026 10:30", "Noticias relacionadas",
    "Lee también: El puerto reabre", "Compartir", "Todos los derechos reservados",
    # pt
    "Por Ana Souza | 12 de março de 2026 às 10h30", "Leia também", "Veja também", "Atualizado em 12/03/2026",
    # fr
    "Par Jean Dupont", "Publié le 12 mars 2026 à 10h30", "Mis à jour le 12 mars 2026", "Lire aussi",
    "À lire aussi : Le port rouvre", "Sur le même sujet",
    # de
    "Von Jan Berg", "Von Jan Berg, 12. März 2026, 10:30 Uhr", "Stand: 12.03.2026", "Mehr zum Thema",
    "Lesen Sie auch: Der Hafen öffnet wieder", "Das könnte Sie auch interessieren", "Alle Rechte vorbehalten",
    # ru
    "Автор: Иван Петров", "Опубликовано 12 марта 2026 года", "12 марта 2026 г. 10:45", "Читайте также",
    "Читайте также: Порт снова открыт", "Похожие новости", "Поделиться",
    # relative times
    "Actualizado hace 3 horas", "Atualizado há 2 dias", "Mis à jour il y a 3 heures", "Aktualisiert vor 3 Stunden",
    "Обновлено 3 часа назад",
]

SENTENCES = [
    "Por fin llegó el ferry a Castelmar el 12 de marzo de 2026, con tres horas de retraso.",
    "Por la tarde, el sindicato publicó su propuesta de horario.",
    "A tripulação disse que leia também o acordo antes de votar na assembleia de sexta-feira.",
    "Par ailleurs, le conseil a annoncé la réouverture du port le 12 mars 2026.",
    "Von den 300 Arbeitern im Hafen blieben am 12. März 2026 nur 20 im Streik.",
    "Подробнее о забастовке паромщиков рассказал глава профсоюза Иван Петров 12 марта 2026 года.",
]


@pytest.mark.parametrize("line", TEMPLATE_LINES)
def test_template_lines_in_other_languages_are_boilerplate(line: str) -> None:
    assert is_boilerplate(line)


@pytest.mark.parametrize("sentence", SENTENCES)
def test_sentences_in_other_languages_are_kept(sentence: str) -> None:
    assert not is_boilerplate(sentence)


def test_a_spanish_page_loses_its_byline_date_and_related_links() -> None:
    body = ("<p>Por María Vidal</p><p>Publicado el 12 de marzo de 2026</p>"
            "<p>Los tripulantes del ferry de Castelmar volvieron al trabajo el martes tras tres semanas de huelga, "
            "después de que la junta del puerto aceptara el nuevo turno de noche.</p>"
            "<p>La junta dijo que el servicio de la tarde vuelve en abril, primero solo los días laborables.</p>"
            "<h3>Noticias relacionadas</h3><ul><li>El puerto nombra nueva directora</li>"
            "<li>Las escuelas de la isla reabren</li></ul>")
    draft = extract(page(body, title="Termina la huelga del ferry", lang="es").encode(), "html",
                    url="https://diariodelpuerto.example/huelga")
    assert draft.paragraphs[0].startswith("Los tripulantes del ferry")
    assert not any("María Vidal" in p or "marzo" in p or "directora" in p for p in draft.paragraphs)


def test_markdown_headings_are_context_as_in_html() -> None:
    text = ("# Ferry strike ends\n\nThe Castelmar ferry crews went back to work on Tuesday after three weeks, "
            "the harbour board said.\n\n## What happens next\n\nThe evening crossing returns in April, on weekdays "
            "at first, the board said.\n")
    draft = extract(text.encode(), "text", name="ferry.md")
    assert draft.title == "Ferry strike ends"
    assert draft.headings == (None, "What happens next")
    assert "What happens next" not in draft.paragraphs


def test_a_login_wall_is_not_retried_into_an_article(monkeypatch: pytest.MonkeyPatch) -> None:
    """The retry looks for a lost body, not for text around a wall: the page is still refused."""
    real = trafilatura.bare_extraction
    modes: list[bool] = []

    def counting(tree, **options):  # type: ignore[no-untyped-def]
        modes.append(options["favor_precision"])
        return real(tree, **options)

    monkeypatch.setattr(html_module.trafilatura, "bare_extraction", counting)
    wall = ("<p>Subscribers only. Log in to continue reading this story about the Castelmar ferry strike and "
            "the harbour board's offer to the crews, with the latest figures from the quay and the island council.</p>" + "<nav>" + "<p>Sections News Sport Weather</p>" * 30
            + "</nav>")
    with pytest.raises(NotAnArticle, match="login, paywall or error page"):
        extract_html(page(wall, title="Sign in"), url="https://harborledger.example/wall")
    assert modes == [True]
