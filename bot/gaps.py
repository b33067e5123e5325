"""What the community asks that the held articles do not answer: declined questions and answers voted not
helpful, grouped by wording (case, punctuation, question words and word order aside), most asked first."""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bot.asklog import Entry
from bot.results import Reason

SIMILAR = 0.6  # two wordings group together when they share this share of their content words (Jaccard)
WORDINGS_KEPT = 5

_WORD = re.compile(r"\w+")
# Words that say how something is asked, not what about: left out when wordings are compared.
_STOPWORDS = frozenset(
    "a an the of in on at to for from by with and or but is are was were be been being it its this that these those"
    " what which who whom whose when where why how did do does has have had will would can could should may might"
    " about into over after before than then there their they them he she his her we our you your i me my as not no"
    " so if any some all just more most up out said say says tell told know anything something happen happened"
    " happening please any news latest".split()
)

REASONS = {Reason.NOTHING_RELEVANT: "nothing relevant", Reason.UNKNOWN_TERMS: "unknown words",
           Reason.UNHELD_OUTLET: "outlet not held", Reason.NO_MATCH: "nothing matched the filters",
           Reason.NO_ARTICLES: "no articles held"}


def terms(question: str) -> frozenset[str]:
    """A question's content words: case and accents folded, punctuation and question words dropped,
    plurals folded ("strikes" -> "strike")."""
    text = unicodedata.normalize("NFKC", question).casefold()
    out = set()
    for w in _WORD.findall(text):
        if w in _STOPWORDS or (len(w) < 2 and not w.isdigit()):
            continue
        out.add(w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w)
    return frozenset(out)


def similar(a: frozenset[str], b: frozenset[str]) -> bool:
    """Jaccard similarity of at least SIMILAR (sets too different in size cannot reach it)."""
    la, lb = len(a), len(b)
    if not la or not lb:
        return a == b
    if min(la, lb) < SIMILAR * max(la, lb):
        return False
    shared = len(a & b)
    return shared >= SIMILAR * (la + lb - shared)


def _wording(question: str) -> str:
    """A wording as shown: spaces made single."""
    return " ".join(question.split())


def _same_wording(question: str) -> str:
    """What two identical wordings share: their words, case and punctuation aside."""
    return " ".join(_WORD.findall(unicodedata.normalize("NFKC", question).casefold()))


@dataclass(frozen=True)
class Gap:
    question: str  # the wording asked most often among the unanswered (the latest on a tie)
    asked: int  # every time a wording of the group was asked in the window
    declined: int
    not_helpful: int  # answers voted not helpful more than helpful
    reasons: dict[str, int]  # why the declined ones were declined (Reason values)
    first_asked: float
    last_asked: float
    answered_since: bool  # asked again after the last miss, and answered (without a not-helpful majority)
    wordings: list[str] = field(default_factory=list)  # other wordings, most asked first

    @property
    def missed(self) -> int:
        return self.declined + self.not_helpful

    def to_json(self) -> dict:
        return {"question": self.question, "asked": self.asked, "declined": self.declined,
                "not_helpful": self.not_helpful, "reasons": self.reasons, "first_asked": self.first_asked,
                "last_asked": self.last_asked, "answered_since": self.answered_since, "wordings": self.wordings}


def _missed(e: Entry) -> bool:
    return not e.answered or e.not_helpful > e.helpful


def _groups(entries: Iterable[Entry]) -> list[list[Entry]]:
    """Entries grouped by similar wording, only around the wordings that were missed: the most frequent of
    those seed the groups, and every entry joins the first similar seed (candidates found through the words
    they share, so a long log is grouped in near-linear time). Entries like no missed wording are left out."""
    by_terms: dict[frozenset[str], list[Entry]] = {}
    for e in entries:
        by_terms.setdefault(terms(e.question) or frozenset({_same_wording(e.question)}), []).append(e)
    missed = {key for key, members in by_terms.items() if any(_missed(e) for e in members)}
    rarity = Counter(word for key in by_terms for word in key)

    def prefix(key: frozenset[str]) -> list[str]:
        """Prefix filtering: two sets this similar share one of their rarest len - ceil(SIMILAR * len) + 1 words."""
        ordered = sorted(key, key=lambda w: (rarity[w], w))
        return ordered[:len(ordered) - math.ceil(SIMILAR * len(ordered)) + 1]

    seeds: list[frozenset[str]] = []
    groups: list[list[Entry]] = []
    index: dict[str, list[int]] = {}

    def seed_for(key: frozenset[str]) -> int | None:
        candidates = sorted({i for word in prefix(key) for i in index.get(word, ())})
        return next((i for i in candidates if similar(seeds[i], key)), None)

    for key in sorted(missed, key=lambda k: (-len(by_terms[k]), sorted(k))):
        found = seed_for(key)
        if found is None:
            for word in prefix(key):
                index.setdefault(word, []).append(len(seeds))
            seeds.append(key)
            groups.append([])
            found = len(seeds) - 1
        groups[found].extend(by_terms[key])
    for key in by_terms.keys() - missed:
        found = seed_for(key)
        if found is not None:
            groups[found].extend(by_terms[key])
    return groups


def find_gaps(entries: Sequence[Entry], limit: int | None = None) -> list[Gap]:
    """The groups holding a declined question or an answer voted not helpful, most missed first."""
    gaps = []
    for group in _groups(e for e in entries if e.reason != Reason.BAD_QUESTION):
        misses = [e for e in group if _missed(e)]
        if not misses:
            continue
        group.sort(key=lambda e: e.asked_at)
        same = {q: _same_wording(q) for q in {e.question for e in group}}  # each wording normalised once
        counts = Counter(same[e.question] for e in misses)
        last_missed: dict[str, float] = {}
        for e in misses:
            last_missed[same[e.question]] = max(e.asked_at, last_missed.get(same[e.question], e.asked_at))
        latest_text = {same[e.question]: _wording(e.question) for e in group}
        best = max(counts, key=lambda w: (counts[w], last_missed[w]))
        others = Counter(same[e.question] for e in group)
        wordings = [latest_text[w] for w, _ in others.most_common() if w != best][:WORDINGS_KEPT]
        last_miss = max(e.asked_at for e in misses)
        gaps.append(Gap(
            question=latest_text[best], asked=len(group), declined=sum(not e.answered for e in group),
            not_helpful=sum(e.answered and e.not_helpful > e.helpful for e in group),
            reasons=dict(Counter(e.reason for e in group if not e.answered and e.reason)),
            first_asked=group[0].asked_at, last_asked=group[-1].asked_at,
            answered_since=any(e.asked_at > last_miss and not _missed(e) for e in group), wordings=wordings))
    gaps.sort(key=lambda g: (-g.missed, -g.asked, -g.last_asked))
    return gaps[:limit] if limit is not None else gaps


def window(days: int) -> str:
    """"today", "this week", "in the last 30 days"."""
    return {1: "today", 7: "this week"}.get(days, f"in the last {days} days")


def asked(gap: Gap, days: int) -> str:
    """`asked 7 times this week`"""
    times = "once" if gap.asked == 1 else "twice" if gap.asked == 2 else f"{gap.asked} times"
    return f"asked {times} {window(days)}"


def gap_line(gap: Gap, days: int) -> str:
    """`asked 7 times this week: what did the port authority say about the strike?`"""
    return f"{asked(gap, days)}: {gap.question}"


def gap_detail(gap: Gap) -> str:
    """`5 declined (nothing relevant 4, unknown words 1), 2 not helpful; answered since`."""
    parts = []
    if gap.declined:
        why = ", ".join(f"{REASONS.get(r, r)} {n}" for r, n in sorted(gap.reasons.items(), key=lambda kv: -kv[1]))
        parts.append(f"{gap.declined} declined" + (f" ({why})" if why else ""))
    if gap.not_helpful:
        parts.append(f"{gap.not_helpful} marked not helpful")
    text = ", ".join(parts)
    return text + ("; answered since" if gap.answered_since else "")
