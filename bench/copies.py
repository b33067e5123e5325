"""Syndicated copies against contradictions: is a passage shown once for two outlets only when both say the same?

Usage (from the repository root):

    .venv/bin/python bench/copies.py

Pairs written for this benchmark (invented outlets, places and people, like corpus/demo; no text from any
real article): a paragraph, and variants of it in which a reprinting outlet
- `copy`: says the same thing in another form: a number in words, a month spelled out, a thousands
  separator dropped, "per cent" for "percent", the dateline dropped, a rank spelled out, the attribution
  moved, a fact left out or added;
- `contradiction`: changes one fact: a number, a date, a weekday, a month, an ordinal, a person, a place, an
  organisation, two numbers swapped between things or read the other way round.

It reports, for the rule before this benchmark ("text only": `near_identical`) and the rule now
(`is_copy`: near-identical text whose numbers, dates and names agree), how many contradictions are merged
into one passage (target 0) and the recall of true copies (should not drop). Then the same recall over the
edited demo paragraphs bench/syndication.py measures, and end to end: every pair stored as two outlets'
articles in a fresh store (hash embedder), its paragraph asked, and the answer checked: one passage "also
carried by" the other outlet (merged) or both shown, each marked with what the other says.

Last, when the retrieval benchmark's store exists (bench/out/multihop/data/corpus.sqlite3, opened read-only):
the near-identical paragraphs of the real articles the store groups as one story, and how many of them
state other facts (an updated live blog's or deals page's numbers).
"""

from __future__ import annotations

import itertools
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import syndication as syndication_bench  # noqa: E402  (bench/syndication.py: the demo corpus and its edits)

from bot.config import Config, EmbeddingConfig  # noqa: E402
from bot.service import EventService  # noqa: E402
from corpus.models import ArticleDraft  # noqa: E402
from corpus.syndication import (  # noqa: E402
    SYNDICATION_THRESHOLD,
    conflicts,
    is_copy,
    near_identical,
    overlap,
    shingles,
)
from index.embedder import HashEmbedder  # noqa: E402

REAL_STORE = syndication_bench.REAL_STORE


@dataclass(frozen=True)
class Pair:
    name: str
    original: str
    variant: str
    contradiction: bool


# (paragraph, [(name, old, new, contradiction)]): each variant replaces `old` with `new` in the paragraph.
PARAGRAPHS: list[tuple[str, list[tuple[str, str, str, bool]]]] = [
    ("KASTRO (Meridian Press) - Aldorian air defences shot down 41 drones over the Dorsk ridge on Sept. 17, "
     "regional governor Anton Brel said.", [
        ("number in words", "41", "forty-one", False),
        ("month spelled out", "Sept. 17", "September 17", False),
        ("day before month", "on Sept. 17", "on 17 September", False),
        ("dateline dropped", "KASTRO (Meridian Press) - ", "", False),
        ("attribution moved", "regional governor Anton Brel said", "said Anton Brel, the regional governor", False),
        ("outlet added", "Anton Brel said", "Anton Brel told Harbour Watch", False),
        ("date left out", " on Sept. 17", "", False),
        ("number", "41 drones", "14 drones", True),
        ("number in words", "41 drones", "fourteen drones", True),
        ("day of month", "Sept. 17", "Sept. 18", True),
        ("month", "Sept. 17", "Oct. 17", True),
        ("place", "Dorsk ridge", "Vrana ridge", True),
        ("person", "Anton Brel", "Ilse Varga", True),
        ("country", "Aldorian air", "Sarvenian air", True),
    ]),
    ("About 2,800 dockworkers at the port of Saltmarch walked off the job at 6 a.m. on Tuesday, demanding an 11 "
     "percent pay rise over two years.", [
        ("thousands separator", "2,800", "2800", False),
        ("per cent", "11 percent", "11 per cent", False),
        ("percent sign", "11 percent", "11%", False),
        ("weekday without 'on'", "on Tuesday", "Tuesday", False),
        ("hedge reworded", "About 2,800", "Some 2,800", False),
        ("time run together", "6 a.m.", "6am", False),
        ("weekday as a date", "on Tuesday", "on March 24", False),
        ("number", "2,800", "1,800", True),
        ("weekday", "Tuesday", "Wednesday", True),
        ("percentage", "11 percent", "12 percent", True),
        ("years in words", "two years", "three years", True),
        ("port", "port of Saltmarch", "port of Lindqvist", True),
    ]),
    ("The 72-hour ceasefire, brokered by Ambassador Helga Rustad, took effect at midnight on March 20 and was the "
     "first truce along the border since 2024.", [
        ("date reordered", "March 20", "20 March", False),
        ("hours in words", "72-hour", "seventy-two-hour", False),
        ("title changed", "Ambassador Helga Rustad", "envoy Helga Rustad", False),
        ("ordinal as digits", "first truce", "1st truce", False),
        ("hours", "72-hour", "48-hour", True),
        ("date", "March 20", "March 21", True),
        ("ordinal", "first truce", "second truce", True),
        ("year", "since 2024", "since 2023", True),
        ("mediator", "Helga Rustad", "Mira Okafor", True),
    ]),
    ("Engineers from the Orvine Water Authority said the Tessel dam had been inspected only twice in the past "
     "decade, most recently in 2019.", [
        ("count in words", "twice", "two times", False),
        ("organisation in lower case", "Orvine Water Authority", "Orvine water authority", False),
        ("year left out", ", most recently in 2019", "", False),
        ("count", "twice", "three times", True),
        ("year", "in 2019", "in 2017", True),
        ("dam", "Tessel dam", "Velmora dam", True),
        ("organisation", "Orvine Water Authority", "Kestria Water Authority", True),
    ]),
    ("Households flooded by the dam breach can claim up to 40,000 crowns each from March 30, finance ministry "
     "spokesman Emil Roth said in Orvik.", [
        ("thousands separator", "40,000", "40000", False),
        ("date reordered", "March 30", "30 March", False),
        ("attribution moved", "finance ministry spokesman Emil Roth said in Orvik",
         "said Emil Roth, a spokesman for the finance ministry, in Orvik", False),
        ("amount", "40,000 crowns", "4,000 crowns", True),
        ("date", "March 30", "March 13", True),
        ("town", "in Orvik", "in Hollin", True),
        ("spokesman", "Emil Roth", "Emil Rask", True),
    ]),
    ("Aldoria and Sarvenia exchanged 57 prisoners each at the Vrana crossing on Saturday, the third such exchange "
     "this year, the Red Crescent said.", [
        ("number in words", "57", "fifty-seven", False),
        ("ordinal as digits", "third such", "3rd such", False),
        ("weekday without 'on'", "on Saturday", "Saturday", False),
        ("number", "57 prisoners", "75 prisoners", True),
        ("weekday", "Saturday", "Sunday", True),
        ("ordinal", "third such", "fourth such", True),
        ("organisation", "Red Crescent", "Red Cross", True),
        ("crossing", "Vrana crossing", "Dorsk crossing", True),
    ]),
    ("The Saltmarch council approved 12 new ferries and 4 patrol boats for the harbour, at a cost of 3.2 million "
     "crowns.", [
        ("numbers in words", "12 new ferries and 4 patrol", "twelve new ferries and four patrol", False),
        ("amount in digits", "3.2 million", "3,200,000", False),
        ("numbers swapped between things", "12 new ferries and 4 patrol", "4 new ferries and 12 patrol", True),
        ("amount", "3.2 million", "2.3 million", True),
        ("one number", "4 patrol", "5 patrol", True),
    ]),
    ("\"We will not sign anything that leaves Kastro divided,\" Sarvenian deputy foreign minister Aurel Constantin "
     "told reporters in Lindhaven on Monday.", [
        ("role reworded", "Sarvenian deputy foreign minister Aurel Constantin told",
         "Aurel Constantin, Sarvenia's deputy foreign minister, told", False),
        ("place left out", " in Lindhaven", "", False),
        ("speaker", "Aurel Constantin", "Ilias Varenko", True),
        ("country", "Sarvenian deputy", "Aldorian deputy", True),
        ("city in the quote", "leaves Kastro divided", "leaves Tavrin divided", True),
        ("weekday", "on Monday", "on Friday", True),
    ]),
    ("The Kestrian parliament passed the harbour bill by 212 votes to 98 on Thursday, the Saltmarch Gazette "
     "reported.", [
        ("score as digits", "by 212 votes to 98", "212-98", False),
        ("weekday left out", " on Thursday", "", False),
        ("votes read the other way", "by 212 votes to 98", "by 98 votes to 212", True),
        ("one number", "to 98", "to 89", True),
        ("newspaper", "Saltmarch Gazette", "Orvik Gazette", True),
    ]),
    ("Maj. Gen. Ilias Varenko, the Aldorian defence ministry spokesman, said 22 artillery shells hit positions near "
     "Kastro overnight.", [
        ("rank spelled out", "Maj. Gen.", "Major General", False),
        ("number in words", "22", "twenty-two", False),
        ("first name left out", "Maj. Gen. Ilias Varenko", "Gen. Varenko", False),
        ("number", "22 artillery", "32 artillery", True),
        ("place", "near Kastro", "near Tavrin", True),
        ("spokesman", "Ilias Varenko", "Oren Halvik", True),
    ]),
    ("The port authority has offered a 4.5 percent rise and a one-off payment of $1,200 per worker, spokeswoman "
     "Petra Lindqvist said.", [
        ("percent sign", "4.5 percent", "4.5%", False),
        ("thousands separator", "$1,200", "$1200", False),
        ("currency as a word", "$1,200", "1,200 dollars", False),
        ("percentage", "4.5 percent", "5.4 percent", True),
        ("amount", "$1,200", "$2,100", True),
        ("spokeswoman", "Petra Lindqvist", "Petra Lindholm", True),
    ]),
    ("The ferry Aurora ran aground off Hollin late on Friday, its second accident in three months, the Kestrian "
     "coastguard said.", [
        ("ordinal as digits", "second accident", "2nd accident", False),
        ("number as digits", "three months", "3 months", False),
        ("country for its adjective", "the Kestrian coastguard", "Kestria's coastguard", False),
        ("ordinal", "second accident", "first accident", True),
        ("place", "off Hollin", "off Orvik", True),
        ("ship", "ferry Aurora", "ferry Nordlys", True),
        ("months", "three months", "four months", True),
    ]),
]

PARAGRAPHS.append(
    ("No casualties were reported after the blast at the Orvik fuel depot on Wednesday, the fire service said.", [
        ("weekday without 'on'", "on Wednesday", "Wednesday", False),
        ("source reworded", "the fire service said", "firefighters said", False),
        ("none against a number", "No casualties", "Two casualties", True),
        ("depot", "Orvik fuel", "Hollin fuel", True),
        ("weekday", "Wednesday", "Thursday", True),
    ]))

# Two more paragraphs per article, so that the store groups the two outlets' articles as one story.
CONTEXT = (
    "Residents said the night had been quiet until shortly before the first reports reached the town hall, "
    "where officials gathered to discuss what to do next.",
    "The regional authorities promised a fuller statement once the situation had been assessed by the teams "
    "sent from the capital.",
)


def pairs() -> list[Pair]:
    out = []
    for original, variants in PARAGRAPHS:
        for name, old, new, contradiction in variants:
            assert old in original, (name, old)
            out.append(Pair(name, original, original.replace(old, new, 1), contradiction))
    return out


def rule_counts(rule, items: list[Pair]) -> tuple[int, int, int, int]:
    """(contradictions merged, contradictions, copies merged, copies) under `rule`."""
    bad = [p for p in items if p.contradiction]
    good = [p for p in items if not p.contradiction]
    return (sum(rule(p.original, p.variant) for p in bad), len(bad),
            sum(rule(p.original, p.variant) for p in good), len(good))


def end_to_end(items: list[Pair]) -> tuple[list[str], list[str], int, int]:
    """Each pair as two outlets' articles in a fresh store: (contradictions merged, copies not merged,
    contradictions shown apart and marked, copies merged)."""
    merged_wrong, missed, marked, merged = [], [], 0, 0
    config = Config(embedding=EmbeddingConfig(model="hash"))
    with tempfile.TemporaryDirectory() as tmp:
        for n, pair in enumerate(items):
            service = EventService(Path(tmp) / str(n), config, embedder=HashEmbedder())
            for outlet, text in (("The Kestrel Ledger", pair.original), ("Harbour Watch", pair.variant)):
                slug = outlet.lower().replace(" ", "")
                service.add_draft(ArticleDraft(title=f"Report {n}", paragraphs=(text, *CONTEXT), source=outlet,
                                               url=f"https://{slug}.example/{n}"))
            probes = [p for p in service.ask(pair.original, k=4).passages
                      if p.text in (pair.original, pair.variant)]
            folded = len(probes) == 1 and len(probes[0].also_carried_by) == 1
            apart = len(probes) == 2 and all(len(p.disagrees_with) == 1 and not p.also_carried_by for p in probes)
            if pair.contradiction:
                if folded:
                    merged_wrong.append(pair.name)
                marked += apart
            else:
                if folded:
                    merged += 1
                else:
                    missed.append(pair.name)
            service.close()
    return merged_wrong, missed, marked, merged


def demo_recall() -> tuple[int, int, int, int, int]:
    """Edited demo paragraphs (bench/syndication.py's edits) matched to their original by each rule, and the
    demo's syndicated pair: (text only, text and facts, paragraphs, pair matched by text, by text and facts)."""
    articles = syndication_bench.load()
    paragraphs = [p for ps in articles.values() for p in ps]
    text_only = sum(near_identical(p, syndication_bench.edit(p)) for p in paragraphs)
    with_facts = sum(is_copy(p, syndication_bench.edit(p)) for p in paragraphs)
    a, b = (articles[name] for name in ("kestrelledger-ceasefire-talks.html", "harbourwatch-ceasefire-talks.html"))
    pair_text = sum(any(near_identical(p, q) for q in b) for p in a)
    pair_facts = sum(any(is_copy(p, q) for q in b) for p in a)
    return text_only, with_facts, len(paragraphs), pair_text, pair_facts


def real_store(path: Path = REAL_STORE) -> None:
    """Near-identical paragraphs of the real articles grouped as one story, and those whose facts differ."""
    held = syndication_bench.read_store(path)
    if held is None:
        return
    texts = held[0]
    sets = {i: shingles(t) for i, t in texts.items()}
    # The pairs bench/syndication.py lists as the same story (all candidate pairs, compared exactly here).
    stories = [(a, b) for a, b in itertools.combinations(sorted(sets), 2)
               if len(sets[a] & sets[b]) and overlap(sets[a], sets[b]) >= SYNDICATION_THRESHOLD]
    near, differ, examples = 0, 0, []
    for a, b in stories:
        for p in texts[a]:
            for q in texts[b]:
                if p != q and near_identical(p, q):
                    near += 1
                    found = conflicts(p, q)
                    if found:
                        differ += 1
                        examples.append(f"{' / '.join(c.kind + ': ' + ', '.join(c.mine) for c in found)}"
                                        f"  against  {' / '.join(', '.join(c.theirs) for c in found)}")
    print(f"\nreal store: {len(stories)} pairs of articles grouped as one story; {near} pairs of their paragraphs "
          f"are near-identical but not equal, {differ} of them state other facts (shown apart and marked):")
    for line in examples[:8]:
        print(f"  {line[:150]}")


def main() -> None:
    items = pairs()
    print(f"{len(items)} written pairs: {sum(not p.contradiction for p in items)} true copies, "
          f"{sum(p.contradiction for p in items)} contradictions (one fact changed)\n")
    print(f"{'rule':28}{'merged contradictions':>24}{'recall of true copies':>24}")
    for name, rule in (("text only (near_identical)", near_identical), ("text and facts (is_copy)", is_copy)):
        bad, n_bad, good, n_good = rule_counts(rule, items)
        print(f"{name:28}{f'{bad}/{n_bad}':>24}{f'{good}/{n_good} = {good / n_good:.2f}':>24}")
    text_only, with_facts, total, pair_text, pair_facts = demo_recall()
    print(f"\nedited demo paragraphs (bench/syndication.py) matched to their original: text only {text_only}/{total}, "
          f"text and facts {with_facts}/{total}")
    print(f"demo syndicated pair: Kestrel Ledger paragraphs found in the Harbour Watch copy: text only {pair_text}, "
          f"text and facts {pair_facts}")
    merged_wrong, missed, marked, merged = end_to_end(items)
    n_bad = sum(p.contradiction for p in items)
    print("\nend to end (each pair stored as two outlets' articles, its paragraph asked):")
    print(f"  contradictions merged into one passage: {len(merged_wrong)}/{n_bad}"
          + (f" ({', '.join(merged_wrong)})" if merged_wrong else ""))
    print(f"  contradictions shown apart, each marked with what the other says: {marked}/{n_bad}")
    print(f"  true copies shown once, 'also carried by' the other: {merged}/{len(items) - n_bad}"
          + (f" (not: {', '.join(missed)})" if missed else ""))
    real_store()


if __name__ == "__main__":
    main()
