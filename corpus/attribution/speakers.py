"""Who is quoted: the `Speaker` each paragraph reports, by rules.

`attribute_speakers` finds reporting clauses (``"...," X said``, ``X said ...``, ``said X``, ``according to
X``, ``X told Y``, ``X added/stressed/warned/...``, ``X called ... and said``; see `_clauses`), then resolves X
here: a surname to the full name and role given earlier in the article ("Konashenkov" -> "Igor Konashenkov
(Russian Defense Ministry spokesman)"), a role ("the spokesman") to the one person holding it, "he"/"she" to
the last named speaker when that is unambiguous, and "the ministry" to the fullest earlier mention of one
ministry. Anonymous sources ("officials said", "a police spokeswoman said") give None. Precision comes
before recall: when a rule is unsure it gives None.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from corpus.attribution._clauses import QUOTE_RE, find_clauses, mask_quotes, split_sentences
from corpus.attribution._text import normalise
from corpus.attribution._words import (
    ANONYMOUS,
    APPOSITIVE_HEADS,
    ARTICLES,
    CAPITALISED_COMMON,
    COURTESY,
    DESCRIPTOR_SUFFIX,
    DOCUMENTS,
    FEMALE,
    FORBIDDEN,
    INDEFINITE,
    LEADING,
    LOWER_ORG_RE,
    MALE,
    NOT_PERSON_TAIL,
    OFFICES,
    ORG_HEADS,
    ORG_RUN_RE,
    OTHER_PRONOUNS,
    PERSON_RUN_RE,
    PREPOSITIONS,
    PRONOUN_GENDER,
    PRONOUNS,
    RANKS,
    ROLE_ALIASES,
    ROLES,
    SELF_SUFFICIENT,
)
from corpus.attribution.datelines import strip_dateline
from corpus.lexicon import NAME_PARTICLES


@dataclass(frozen=True)
class Speaker:
    """Whose words a passage reports.

    `name` is a person's full name as first introduced, without rank or courtesy title, or an
    organisation's fullest mention. `title` is the person's role as first introduced ("Russian Defense
    Ministry spokesman"), or the rank/office ("Ambassador", "Col.") when the article gives no other role;
    None for organisations. `rank` keeps the rank or courtesy title ("Maj. Gen.") when there was one.
    `kind` is "direct" when the passage quotes the speaker's words, else "indirect".
    """

    name: str
    title: str | None = None
    kind: str = "indirect"
    organisation: bool = False
    rank: str | None = None

    def display(self) -> str:
        """ "Igor Konashenkov (Russian Defense Ministry spokesman)", or the bare name."""
        return f"{self.name} ({self.title})" if self.title else self.name

    def __str__(self) -> str:
        return self.display()


@dataclass
class _Person:
    name: str
    title: str | None = None
    rank: str | None = None
    gender: str | None = None

    @property
    def surname(self) -> str:
        return self.name.split()[-1]

    def speaker(self, kind: str) -> Speaker:
        # A rank stands in for a missing role ("Col.", "Ambassador"); a courtesy title ("Ms", "Dr.") does not.
        rank_role = self.rank if self.rank and self.rank.lower().rstrip(".") not in COURTESY else None
        return Speaker(self.name, self.title or rank_role, kind, False, self.rank)


@dataclass
class _Org:
    name: str
    head: str

    @property
    def words(self) -> set[str]:
        return {w.lower().removesuffix("'s") for w in self.name.split()}


@dataclass
class _Resolved:
    speaker: Speaker
    person: _Person | None


@dataclass
class _Context:
    """What an article has said so far about its people and organisations."""

    people: list[_Person] = field(default_factory=list)
    orgs: list[_Org] = field(default_factory=list)
    speakers: list[_Person] = field(default_factory=list)  # person speakers, most recent last
    previous: list[_Person] = field(default_factory=list)  # the previous paragraph's person speakers
    current: list[_Person] = field(default_factory=list)  # this paragraph's person speakers so far

    # -- people

    def person(self, name: str, title: str | None, rank: str | None, gender: str | None) -> _Person | None:
        """The registered person for a name, adding or completing the entry; None when ambiguous."""
        tokens = name.split()
        if len(tokens) == 1:
            matches = [p for p in self.people if p.surname == name or p.name == name]
            if len(matches) > 1:
                return None
            if matches:
                person = matches[0]
                self._complete(person, title, rank, gender)
                return person
        else:
            for person in self.people:
                if person.name == name:
                    self._complete(person, title, rank, gender)
                    return person
            for person in self.people:  # "Konashenkov" seen first, "Igor Konashenkov" now
                if " " not in person.name and person.name == tokens[-1]:
                    person.name = name
                    self._complete(person, title, rank, gender)
                    return person
        person = _Person(name, title, rank, gender)
        self.people.append(person)
        return person

    @staticmethod
    def _complete(person: _Person, title: str | None, rank: str | None, gender: str | None) -> None:
        person.title = person.title or title
        person.rank = person.rank or rank
        person.gender = person.gender or gender

    def by_role(self, role: str) -> _Person | None:
        """The one person whose title or rank holds this role ("the spokesman", "the doctor")."""
        wanted = ROLE_ALIASES.get(role, (role,))
        found = [p for p in self.people
                 if any(w in {x.lower().strip(",") for x in f"{p.title or ''} {p.rank or ''}".split()}
                        for w in wanted)]
        return found[0] if len(found) == 1 else None

    def pronoun(self, gender: str | None) -> _Person | None:
        """The person "he"/"she" (or, gender None, "the 62-year-old") refers to, or None when that is not clear."""
        def fits(p: _Person) -> bool:
            return gender is None or p.gender in (None, gender)

        if self.current:
            if len({id(p) for p in self.current}) == 1:
                return self.current[-1] if fits(self.current[-1]) else None
            same = [p for p in self.current if p.gender == gender]
            return same[-1] if same else None
        same = [p for p in self.speakers if gender is not None and p.gender == gender]
        if same:
            return same[-1]
        if len({id(p) for p in self.previous}) == 1 and fits(self.previous[0]):
            return self.previous[0]
        if len(self.people) == 1 and fits(self.people[0]):
            return self.people[0]
        return None

    # -- organisations

    def org(self, name: str, head: str, bare_ok: bool = True) -> str | None:
        """The fullest earlier mention of an organisation, or None when two different ones fit, or when
        none does and `bare_ok` is False (a bare "the company" that names nobody)."""
        words = {w.lower().removesuffix("'s") for w in name.split()} - {"the"}
        fits = [o for o in self.orgs if o.head == head and words <= o.words]
        fullest = [o for o in fits if not any(o is not p and o.words < p.words for p in fits)]
        names = {o.name for o in fullest}
        if len(names) > 1:
            return None
        if names:
            return names.pop()
        if not bare_ok:
            return None
        self.orgs.append(_Org(name, head))
        return name

    def mention_org(self, name: str, head: str) -> None:
        if not any(o.name == name for o in self.orgs):
            self.orgs.append(_Org(name, head))


def attribute_speakers(paragraphs: Sequence[str], title: str | None = None) -> list[Speaker | None]:
    """The speaker each paragraph reports, resolved against what the article said before.

    Args:
        paragraphs: The article's paragraphs in reading order (a leading dateline is ignored).
        title: The headline, read only for full names of people.

    Returns:
        One entry per paragraph: the `Speaker` whose words or claims the paragraph reports, or None when
        it reports nobody's, only anonymous sources', or when the speaker cannot be resolved. When a
        paragraph reports several speakers, the one of the first direct quotation wins, else the first
        named person, else the first organisation.
    """
    ctx = _Context()
    if title:
        _register_mentions(ctx, normalise(title))
    out: list[Speaker | None] = []
    last: Speaker | None = None
    for index, raw in enumerate(paragraphs):
        text = normalise(raw)
        if index < 3:
            text = strip_dateline(text)
        masked, quotes = mask_quotes(text)
        ctx.current = []
        found: list[tuple[Speaker, bool, int]] = []  # speaker, is a person, order
        for sentence in split_sentences(masked):
            for clause in find_clauses(sentence, quotes):
                resolved = _resolve(ctx, clause.who)
                if resolved is None:
                    continue
                speaker = resolved.speaker
                if clause.direct:
                    speaker = Speaker(speaker.name, speaker.title, "direct", speaker.organisation, speaker.rank)
                if resolved.person is not None:
                    ctx.current.append(resolved.person)
                found.append((speaker, resolved.person is not None, len(found)))
            _register_mentions(ctx, sentence)
        chosen = _choose(found)
        if chosen is None and last is not None and last.kind == "direct" and _only_quote(masked, quotes):
            chosen = last  # a paragraph that only continues the previous paragraph's quotation
        out.append(chosen)
        for person in ctx.current:
            if person in ctx.speakers:
                ctx.speakers.remove(person)
            ctx.speakers.append(person)
        ctx.previous = ctx.current
        last = chosen
    return out


def _choose(found: list[tuple[Speaker, bool, int]]) -> Speaker | None:
    if not found:
        return None
    for speaker, _, _ in found:
        if speaker.kind == "direct":
            return speaker
    people = [s for s, is_person, _ in found if is_person]
    return people[0] if people else found[0][0]


def _only_quote(masked: str, quotes: list[str]) -> bool:
    rest = QUOTE_RE.sub("", masked).replace('"', "").strip(" .,;")
    return not rest and bool(quotes) and len(quotes[-1].split()) >= 3


# -------------------------------------------------------------------- resolving a clause's noun phrase


def _resolve(ctx: _Context, who: str) -> _Resolved | None:
    who = who.strip(" ,.;:\"'")
    if not who or "\ue000" in who or '"' in who:
        return None
    parts = [p.strip() for p in who.split(",") if p.strip()]
    main, appositives = parts[0], parts[1:]
    words = main.split()
    while words and words[0].lower() in LEADING:
        words.pop(0)
    if not words or len(words) > 10:
        return None
    lowered = [w.lower() for w in words]
    if re.fullmatch(r"the \d{1,3}-year-old", " ".join(lowered)):  # refers back like a pronoun of either gender
        person = ctx.pronoun(None)
        return _Resolved(person.speaker("indirect"), person) if person else None
    if any(w in FORBIDDEN for w in lowered) or any(any(c.isdigit() for c in w) for w in words):
        return None
    if len(words) == 1 and lowered[0] in PRONOUNS:
        person = ctx.pronoun(PRONOUNS[lowered[0]])
        if person is None:
            return None
        person.gender = PRONOUNS[lowered[0]]
        return _Resolved(person.speaker("indirect"), person)
    if lowered[0] in OTHER_PRONOUNS:
        return None
    # Cut trailing prepositional phrases: "Police in the northern city of Granholt" -> "Police".
    for i, w in enumerate(lowered[1:], start=1):
        if w in PREPOSITIONS:
            words, lowered = words[:i], lowered[:i]
            break
    of_at = lowered.index("of") if "of" in lowered[1:] else len(lowered)
    if lowered[of_at - 1].strip("'") in ANONYMOUS:  # the head noun: "officials", not "Dock Workers' Union"
        return None
    article = lowered[0] if lowered[0] in ARTICLES | INDEFINITE else None
    if article:
        words, lowered = words[1:], lowered[1:]
    if not words:
        return None
    # "A Sarvenian foreign ministry statement said" -> the ministry
    if lowered[-1] in DOCUMENTS:
        words, lowered = words[:-1], lowered[:-1]
        if not words or lowered[-1].removesuffix("'s") not in ORG_HEADS:
            return None
        article = None
    if article in INDEFINITE and article not in ("a", "an"):
        return None
    head_index = lowered.index("of") - 1 if "of" in lowered[1:] else len(words) - 1
    head = lowered[head_index].removesuffix("'s").strip("'")
    capitalised = [w for w in words if w[0].isupper() and w.lower() not in CAPITALISED_COMMON]
    if head in ORG_HEADS and (head_index == len(words) - 1 or "of" in lowered):
        if article in ("a", "an"):
            return None
        name = ctx.org(" ".join(words), head, bare_ok=len(words) > 1 or head in SELF_SUFFICIENT)
        return _Resolved(Speaker(name, kind="indirect", organisation=True), None) if name else None
    if article in ("a", "an"):
        return None  # an unnamed person: "a police spokeswoman"
    if (not capitalised or words[-1][0].islower()) and appositives:
        if _looks_like_name(appositives[0]):
            return _resolve_name(ctx, words, appositives)  # "The company's chief executive, Sofia Lund"
        named = appositives[0].split()
        if all(w[0].isupper() for w in named) and named[-1].lower() in NOT_PERSON_TAIL | ORG_HEADS:
            org = ctx.org(appositives[0], named[-1].lower())  # "The developer, Tornvik Properties"
            return _Resolved(Speaker(org, kind="indirect", organisation=True), None) if org else None
    if not capitalised or words[head_index][0].islower():
        if head in ROLES and article in ("the", "his", "her", "its", "their"):
            person = ctx.by_role(head)
            return _Resolved(person.speaker("indirect"), person) if person else None
        return None
    return _resolve_name(ctx, words, appositives)


def _split_person(words: list[str], sentence_start: bool = True) -> tuple[list[str], list[str], list[str]]:
    """(descriptor, rank, name) words of a noun phrase ending in a person's name."""
    if "of" in words:  # "Col. Anja Verlinde of the regional emergency ministry"
        words = words[:words.index("of")]
    name: list[str] = []
    i = len(words) - 1
    while i >= 0:
        w = words[i]
        lw = w.lower()
        if lw in RANKS or lw in OFFICES or lw in CAPITALISED_COMMON:
            break
        if w[0].isupper() or (lw in NAME_PARTICLES and name):
            name.insert(0, w)
            i -= 1
            continue
        break
    while name and name[0].lower() in NAME_PARTICLES:
        name.pop(0)
    # "Stallholder Piet Vandermeer": a sentence-initial common noun is no first name.
    if len(name) >= 3 and DESCRIPTOR_SUFFIX.search(name[0].lower()) and i < 0 and sentence_start:
        i += 1
        name = name[1:]
    prefix = words[:i + 1]
    rank: list[str] = []
    while prefix and prefix[-1].lower() in RANKS and (prefix[-1].lower() not in OFFICES or not rank and
                                                      (prefix[-1].endswith(".") or prefix[-1].lower() in
                                                       ("ambassador", "captain", "colonel", "general",
                                                        "major", "lieutenant", "admiral", "commander",
                                                        "sergeant"))):
        rank.insert(0, prefix.pop())
    # Two-word military ranks: "Maj. Gen.", "Lt. Col.", "Rear Adm."
    while prefix and rank and prefix[-1].lower() in RANKS and prefix[-1].endswith("."):
        rank.insert(0, prefix.pop())
    return prefix, rank, name


def _resolve_name(ctx: _Context, words: list[str], appositives: list[str]) -> _Resolved | None:
    descriptor, rank, name = _split_person(words)
    if not name:
        # "The port authority's chief executive, Henrik Vogt": the name is the appositive.
        if appositives and _looks_like_name(appositives[0]):
            _, rank, name = _split_person(appositives[0].split(), sentence_start=False)
            descriptor, appositives = words, appositives[1:]
        else:
            if descriptor and descriptor[-1].lower() in ROLES:
                person = ctx.by_role(descriptor[-1].lower())
                return _Resolved(person.speaker("indirect"), person) if person else None
            return None
    lowered_name = [w.lower() for w in name]
    if any(w in NOT_PERSON_TAIL for w in lowered_name[-1:]) or any(
            w.removesuffix("'s") in ORG_HEADS for w in lowered_name):
        # "Norrland Shipping", "The Havenstad Dockers' Association"
        org_words = words if words[0].lower() not in ARTICLES else words[1:]
        head = next((w.lower().removesuffix("'s") for w in reversed(org_words)
                     if w.lower().removesuffix("'s") in ORG_HEADS | NOT_PERSON_TAIL), "")
        org = ctx.org(" ".join(org_words), head)
        return _Resolved(Speaker(org, kind="indirect", organisation=True), None) if org else None
    descriptor_text = _clean_descriptor(descriptor)
    if len(name) == 1 and descriptor and descriptor[-1].lower().removesuffix("'s") in ORG_HEADS:
        # "The rail operator AldoFreight"
        org = ctx.org(name[0], name[0].lower())
        return _Resolved(Speaker(org, kind="indirect", organisation=True), None) if org else None
    title = descriptor_text
    gender = _gender(descriptor + rank)
    lowered_descriptor = [w.lower().removesuffix("'s") for w in descriptor]
    heads = [i for i, w in enumerate(lowered_descriptor) if w in ORG_HEADS]
    if heads and heads[0] > 0:  # "Kestria emergency ministry spokeswoman": the ministry, for "the ministry said"
        ctx.mention_org(" ".join(descriptor[:heads[0] + 1]).removesuffix("'s"), lowered_descriptor[heads[0]])
    for appositive in appositives:
        role, role_gender = _appositive_role(appositive)
        gender = gender or role_gender
        if title is None and role:
            title = role
    if len(name) == 1 and name[0].lower() in CAPITALISED_COMMON:
        return None
    if len(name) == 1 and not any(p.surname == name[0] or p.name == name[0] for p in ctx.people):
        # An unknown single word: accept it as a name unless it looks like a plural common noun.
        if name[0].endswith("s") and not any(c.isupper() for c in name[0][1:]):
            return None
    person = ctx.person(" ".join(name), title, " ".join(rank) or None, gender)
    if person is None:
        return None
    return _Resolved(person.speaker("indirect"), person)


def _clean_descriptor(words: list[str]) -> str | None:
    words = list(words)
    while words and words[0].lower() in ARTICLES:
        words.pop(0)
    while words and words[-1].lower() in ("of", "and", "the"):
        words.pop()
    return " ".join(words) or None


def _looks_like_name(text: str) -> bool:
    words = text.split()
    while words and words[0].lower() in RANKS:
        words = words[1:]
    return 2 <= len(words) <= 4 and all(w[0].isupper() or w.lower() in NAME_PARTICLES for w in words) and not any(
        w.lower() in CAPITALISED_COMMON | OFFICES | NOT_PERSON_TAIL for w in words)


def _appositive_role(text: str) -> tuple[str | None, str | None]:
    """The role an appositive gives ("the ministry's spokeswoman", "who heads X"), and a gender cue."""
    words = text.split()
    lowered = [w.lower() for w in words]
    if not words or all(w.isdigit() for w in words) or lowered[0].endswith("ing"):
        return None, None
    if lowered[0] == "who":
        cues = {PRONOUN_GENDER[w] for w in lowered if w in PRONOUN_GENDER}
        gender = cues.pop() if len(cues) == 1 else None
        if len(words) > 2 and lowered[1] in APPOSITIVE_HEADS:
            return " ".join([APPOSITIVE_HEADS[lowered[1]]] + _cut_clause(words[2:])), gender
        if len(words) > 3 and lowered[1] in ("is", "was") and lowered[2] in ("the", "a", "an"):
            return " ".join(_cut_clause(words[3:])) or None, gender
        return None, gender
    if lowered[0] in ("the", "a", "an", "its", "their"):
        words = words[1:]
    words = _cut_clause(words)
    if not words or any(w.lower() in FORBIDDEN for w in words):
        return None, None
    return " ".join(words), _gender(words[-1:])


def _cut_clause(words: list[str]) -> list[str]:
    for i, w in enumerate(words):
        if w.lower() in ("who", "which", "that", "whose", "where", "when"):
            return words[:i]
    return words


def _gender(words: list[str]) -> str | None:
    for w in words:
        lw = w.lower().strip(",.")
        if lw in FEMALE:
            return "f"
        if lw in MALE:
            return "m"
    return None


def _register_mentions(ctx: _Context, sentence: str) -> None:
    """Record the people and organisations a sentence names, so later references resolve to them."""
    text = QUOTE_RE.sub(" ", sentence)
    for m in ORG_RUN_RE.finditer(text):
        words = m.group(0).split()
        if words and words[0].lower() == "the":
            words = words[1:]
        heads = [w.lower().removesuffix("'s").strip("'") for w in words]
        head = next((h for h in heads if h in ORG_HEADS), None)
        if head and len(words) >= 2:
            ctx.mention_org(" ".join(words), head)
    for m in LOWER_ORG_RE.finditer(text):
        name = m.group(1).strip()
        words = name.split()
        head = next((w.lower() for w in words if w.lower() in ORG_HEADS), None)
        if any(w in FORBIDDEN | ARTICLES | PREPOSITIONS | {"and", "or"} for w in words[:-1] if w.islower()):
            continue
        if head and len(words) >= 2:
            ctx.mention_org(name, head)
    for m in PERSON_RUN_RE.finditer(text):
        words = m.group(0).split()
        if len(words[-1]) > 2 and words[-1].endswith("."):  # the sentence's full stop, not an initial
            words[-1] = words[-1][:-1]
        start = m.start()
        lowered = [w.lower().strip(".") for w in words]
        if lowered[-1] in NOT_PERSON_TAIL or any(w.removesuffix("'s") in ORG_HEADS for w in lowered):
            continue
        while words and words[0].lower() in CAPITALISED_COMMON:
            start += len(words[0]) + 1
            words = words[1:]
        if len(words) < 2:
            continue
        descriptor, rank, name = _split_person(words, sentence_start=start == 0)
        if len(name) < 2 or any(w.lower() in CAPITALISED_COMMON for w in name) or any(
                w.endswith("'s") for w in name):
            continue
        before = text[:start].split()
        lead: list[str] = []
        for w in reversed(before[-5:]):
            lw = w.lower()
            if not w.isalpha() and "'" not in w or lw in FORBIDDEN or lw in ARTICLES or lw in PREPOSITIONS or (
                    lw in ("and", "or", "but", "of", "as")):
                break
            lead.insert(0, w)
        descriptor = lead + descriptor
        if name and " ".join(name) not in {p.name for p in ctx.people}:
            ctx.person(" ".join(name), _clean_descriptor(descriptor), " ".join(rank) or None,
                       _gender(descriptor + rank))
