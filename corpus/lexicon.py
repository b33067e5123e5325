"""Word lists that more than one rule reads: months, weekdays, ranks and titles, name particles, newsroom roles.

One copy of each, so that the dateline parser, the speaker extractor, the boilerplate filter, the text
extractor and the question parser agree on what a month or a rank is. Pure data and tiny helpers: every
word is lower case, without a full stop; the rules that use a list decide how case and stops are matched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable


def alternation(words: Iterable[str]) -> str:
    """A regex alternation of `words`, longest first so that "september" wins over "sep".

    Args:
        words: The words, taken literally (regex characters are escaped).

    Returns:
        "september|sept|sep|..." without a surrounding group; wrap it in ``(?:...)`` to use it.
    """
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


# --------------------------------------------------------------------------------------------- dates

MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
               "november", "december")

MONTHS: dict[str, int] = {
    **{name: number for number, name in enumerate(MONTH_NAMES, start=1)},
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10,
    "nov": 11, "dec": 12,
}
"""Every month name and abbreviation, lower case, to the month's number (1-12)."""

MONTH_ABBREVIATIONS = frozenset(MONTHS) - frozenset(MONTH_NAMES)
"""The short forms only ("jan", "sept"): words a full stop after does not end a sentence."""

MONTH_PATTERN = rf"(?:{alternation(MONTHS)})\.?"
"""A month name or abbreviation and an optional full stop ("March", "Mar.", "Sept"), lower case: compile
it with re.IGNORECASE or wrap it in ``(?i:...)``. It has no word boundaries of its own."""

WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

WEEKDAYS: dict[str, int] = {
    **{name: number for number, name in enumerate(WEEKDAY_NAMES, start=1)},
    "mon": 1, "tue": 2, "tues": 2, "wed": 3, "thu": 4, "thur": 4, "thurs": 4, "fri": 5, "sat": 6, "sun": 7,
}
"""Every weekday name and abbreviation, lower case, to its ISO number (Monday 1 ... Sunday 7)."""

WEEKDAY_PATTERN = rf"(?:{alternation(WEEKDAYS)})\.?"
"""A weekday name or abbreviation and an optional full stop ("Tuesday", "Tues."), lower case, as
`MONTH_PATTERN`."""

# --------------------------------------------------------------------------------- ranks and titles
# The words a person's name may follow and that are not part of it ("Maj. Gen. Igor Konashenkov",
# "Dr Lena Marsh", "Ambassador Sofia Lund"). The speaker extractor strips them from a name; the speaker
# filter ignores them in the name a question asks about, so both must read the same list.

MILITARY_RANKS = frozenset({
    "general", "gen", "major", "maj", "colonel", "col", "lieutenant", "lt", "captain", "capt", "sergeant", "sgt",
    "corporal", "cpl", "admiral", "adm", "brigadier", "brig", "commander", "cmdr", "pvt",
    "rear", "vice",  # of "Rear Adm.", "Vice Adm."
})

COURTESY_TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir", "dame", "lord", "lady",
                             "rev", "reverend"})
"""Titles that say nothing of a person's role: a rank stands in for a missing role, these do not."""

OFFICE_TITLES = frozenset({"ambassador", "president", "premier", "chancellor", "mayor", "senator", "sen", "rep", "gov",
                           "judge", "justice"})

RELIGIOUS_TITLES = frozenset({"father", "sister", "sheikh", "rabbi", "imam", "cardinal", "archbishop", "bishop",
                              "pope"})

ROYAL_TITLES = frozenset({"king", "queen", "prince", "princess"})

RANKS_AND_TITLES = MILITARY_RANKS | COURTESY_TITLES | OFFICE_TITLES | RELIGIOUS_TITLES | ROYAL_TITLES
"""Every rank and title word above, lower case and without a full stop: what the speaker filter ignores."""

TITLE_ABBREVIATIONS = frozenset({"gen", "maj", "col", "lt", "capt", "sgt", "cpl", "adm", "brig", "cmdr", "dr", "prof",
                                 "mr", "mrs", "ms", "mx", "rev"})
"""Abbreviated titles written with or without a full stop ("Dr." and "Dr")."""

STOP_ONLY_ABBREVIATIONS = frozenset({"sen", "rep", "gov", "pvt"})
"""Abbreviated titles that are titles only with their full stop: "Sen." is a title, "Sen" a name (Hun Sen)."""

# ------------------------------------------------------------------------------------------ names

NAME_PARTICLES = frozenset({"van", "von", "de", "der", "den", "da", "di", "du", "la", "le", "al", "bin", "ibn", "ben",
                            "el", "ter", "dos", "del"})
"""Lower-case words inside a person's name ("Ana de Souza", "Jan ter Horst")."""

NEWSROOM_ROLES = frozenset({"staff", "writer", "writers", "reporter", "reporters", "correspondent", "correspondents",
                            "editor", "editors", "desk", "team"})
"""Words of a byline that name a newsroom role, not a person ("Courier Staff", "By Reuters staff writers")."""

UPPER = "A-ZÀ-ÖØ-Þ"
"""The upper-case letters a name may start with, as the inside of a regex character class: ASCII and Latin-1."""

# ------------------------------------------------------------------ other languages (the cleaner's lists)
# Spanish, Portuguese, French, German and Russian words for the lines a page template puts around an
# article: date lines, bylines, "Related" labels. Only the boilerplate filter reads them; the English lists
# above stay the ones the dateline parser and the question parser read.

FOREIGN_MONTH_NAMES = frozenset({
    # es
    "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "setiembre", "octubre",
    "noviembre", "diciembre",
    # pt
    "janeiro", "fevereiro", "março", "marco", "maio", "junho", "julho", "setembro", "outubro", "novembro", "dezembro",
    # fr
    "janvier", "février", "fevrier", "mars", "avril", "mai", "juin", "juillet", "août", "aout", "septembre",
    "octobre", "novembre", "décembre", "decembre", "janv", "févr", "avr", "juil", "sept", "déc",
    # de
    "januar", "jänner", "februar", "märz", "maerz", "juni", "juli", "oktober", "dezember", "okt", "dez",
    # ru (the genitive of dates, "12 марта", and the nominative)
    "января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября",
    "декабря", "январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь",
    "ноябрь", "декабрь", "янв", "фев", "апр", "авг", "сен", "окт", "ноя", "дек",
})
"""Month names and common abbreviations in Spanish, Portuguese, French, German and Russian, lower case."""

FOREIGN_WEEKDAY_NAMES = frozenset({
    "lunes", "martes", "miércoles", "miercoles", "jueves", "viernes", "sábado", "sabado", "domingo",
    "segunda-feira", "terça-feira", "terca-feira", "quarta-feira", "quinta-feira", "sexta-feira",
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
    "montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonnabend", "sonntag",
    "понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье",
})
"""Weekday names in the same languages, lower case."""

DATE_FILLER_WORDS = frozenset({
    # es / pt
    "publicado", "publicada", "actualizado", "actualizada", "atualizado", "atualizada", "modificado", "fecha",
    "data", "el", "em", "a las", "às", "as", "del", "de", "do", "hace", "há", "horas", "minutos",
    # fr
    "publié", "publiée", "publie", "mis à jour", "mise à jour", "modifié", "le", "à", "il y a", "heures",
    # de
    "veröffentlicht", "aktualisiert", "zuletzt aktualisiert", "stand", "am", "um", "uhr", "vor", "stunden",
    "minuten",
    # ru
    "опубликовано", "обновлено", "дата", "публикации", "в", "г", "года", "час", "часа", "часов", "назад",
    "мин", "минут",
})
"""Words of a date line that are neither the date nor a name ("Publicado el", "Mis à jour le", "Stand:",
"Опубликовано ... года"), lower case."""

FOREIGN_BYLINE_OPENERS = ("Por", "POR", "Par", "PAR", "Von", "VON", "Texto de", "Texte de", "Text von",
                          "Автор", "АВТОР", "Текст", "Author", "Autor", "Autora", "Auteur")
"""Words that open a byline in other languages ("Por Ana Souza", "Von Jan Berg", "Автор: Иван Петров")."""

RELATED_LABELS = frozenset({
    # es
    "relacionado", "relacionados", "relacionada", "relacionadas", "noticias relacionadas", "artículos relacionados",
    "notas relacionadas", "lea también", "lee también", "leer más", "ver también", "ver más", "te puede interesar",
    "también te puede interesar", "más noticias", "lo más leído", "lo más visto", "seguir leyendo", "contenido relacionado",
    # pt
    "leia também", "leia mais", "veja também", "veja mais", "saiba mais", "notícias relacionadas",
    "matérias relacionadas", "posts relacionados", "mais lidas", "mais lidos", "você também pode gostar",
    "conteúdo relacionado", "continue lendo",
    # fr
    "lire aussi", "à lire aussi", "lire également", "à lire également", "lire la suite", "voir aussi",
    "sur le même sujet", "articles similaires", "articles liés", "les plus lus", "vous aimerez aussi",
    "à voir aussi", "en savoir plus", "dans la même rubrique",
    # de
    "mehr zum thema", "lesen sie auch", "lesen sie mehr", "auch interessant", "das könnte sie auch interessieren",
    "weiterlesen", "mehr lesen", "ähnliche artikel", "verwandte artikel", "verwandte themen", "meistgelesen",
    "zum thema", "mehr dazu", "mehr artikel",
    # ru
    "читайте также", "читать также", "смотрите также", "см. также", "похожие статьи", "похожие новости",
    "похожие материалы", "по теме", "другие новости", "самое читаемое", "читать далее", "подробнее",
    "новости по теме", "материалы по теме", "вам также может быть интересно",
})
"""Labels that announce links to other stories, lower case."""

SHARE_AND_COMMENT_LABELS = frozenset({
    "compartir", "compartir en", "comparte", "compartilhe", "compartilhar", "partager", "partagez", "partager sur",
    "teilen", "artikel teilen", "поделиться", "комментарии", "comentarios", "comentários", "commentaires",
    "kommentare", "deja un comentario", "deixe um comentário", "laisser un commentaire", "ответить",
    "responder", "répondre", "antworten", "suscríbete", "inscreva-se", "abonnez-vous", "abonnieren",
    "подписаться", "todos los derechos reservados", "todos os direitos reservados", "tous droits réservés",
    "alle rechte vorbehalten", "все права защищены",
})
"""Sharing, comment, subscription and rights lines in those languages, lower case (matched whole)."""
