"""Syndication detection measured: exact paragraph hashes against 5-word shingle containment.

Usage (from the repository root):

    .venv/bin/python bench/syndication.py

Articles: the demo corpus as extracted (corpus/demo). Positive pairs: the demo's syndicated pair
(Kestrel Ledger / Harbour Watch, ceasefire talks), and for every demo article four copies made here the
way reprints differ: `cut` (the first 60 % of the paragraphs), `edited` (two small edits in every
paragraph: spelling, dropped words, number formats, the dateline removed), `reflowed` (paragraphs merged
in pairs, a new first paragraph and a "Read more" line added) and `cut+edited`. Negative pairs: every
other pair of distinct demo stories, several about the same event with the same people quoted.

For each method it prints the lowest score of each kind of positive pair and the highest negative
score: a threshold between them separates the two. Then the same for single paragraphs (the
"also carried by" check): an edited paragraph against its original, and the most similar paragraphs of
two different stories.

Last, when the retrieval benchmark's store exists (bench/out/multihop/data/corpus.sqlite3, 609 real news
articles; opened read-only), it lists every pair of articles whose sketches share enough keys to be
compared, with their containment: real text reuse that the threshold must place.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from corpus import demo_corpus, extract  # noqa: E402
from corpus.syndication import (  # noqa: E402
    MIN_SHARED_KEYS,
    NEAR_IDENTICAL,
    SYNDICATION_THRESHOLD,
    near_identical,
    overlap,
    shingles,
    sketch,
    words,
)

REAL_STORE = ROOT / "bench" / "out" / "multihop" / "data" / "corpus.sqlite3"

EDITS = [
    (r"\bon (Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b", r"\1"),
    (r"\bpercent\b", "per cent"),
    (r"\bdefence\b", "defense"),
    (r"(\d),(\d{3})", r"\1\2"),
    (r"\bthe ministry\b", "the Ministry"),
    (r"\bhad been\b", "were"),
    (r"\babout\b", "around"),
    (r"\bsaid\b", "told reporters"),
    (r"\bthat\b", ""),
    (r"\bkilometres\b", "km"),
]
DATELINE = re.compile(r"^[A-Z][A-Z ,.0-9a-z]*\([^)]+\)\s*-\s*")


def edit(paragraph: str, n: int = 2) -> str:
    """Two small edits, the first edits that apply, as a copy editor at a reprinting outlet might make."""
    text, done = DATELINE.sub("", paragraph), 0
    for pattern, repl in EDITS:
        new = re.sub(pattern, repl, text, count=1)
        if new != text:
            text, done = new, done + 1
        if done == n:
            break
    if done < n:  # nothing to edit: drop the paragraph's last word
        text = text.rsplit(" ", 1)[0]
    return text


def variants(paragraphs: list[str]) -> dict[str, list[str]]:
    cut = paragraphs[:max(2, round(len(paragraphs) * 0.6))]
    merged = [" ".join(paragraphs[i:i + 2]) for i in range(0, len(paragraphs), 2)]
    return {
        "cut": cut,
        "edited": [edit(p) for p in paragraphs],
        "reflowed": ["This story was first published by our partners at a wire agency."] + merged
                    + ["Read more: the week's top stories from the region"],
        "cut+edited": [edit(p) for p in cut],
    }


def paragraph_hash_overlap(a: list[str], b: list[str]) -> float:
    """Share of the shorter article's paragraphs whose normalised text appears in the other."""
    def keys(ps: list[str]) -> set[str]:
        return {hashlib.sha1(" ".join(words(p)).encode()).hexdigest() for p in ps if words(p)}
    ka, kb = keys(a), keys(b)
    return len(ka & kb) / min(len(ka), len(kb)) if ka and kb else 0.0


def shingle_overlap(a: list[str], b: list[str]) -> float:
    return overlap(shingles(a), shingles(b))


def jaccard3(a: str, b: str) -> float:
    sa, sb = shingles([a], 3), shingles([b], 3)
    return len(sa & sb) / len(sa | sb) if sa and sb else 0.0


def load() -> dict[str, list[str]]:
    out = {}
    for item in demo_corpus.load():
        if item.filename.endswith(".html"):
            draft = extract.extract_html(item.content, url=item.url)
        else:
            draft = extract.extract_text(item.content.decode("utf-8"), name=item.filename)
        out[item.filename] = list(draft.paragraphs)
    return out


def main() -> None:
    articles = load()
    pair = ("kestrelledger-ceasefire-talks.html", "harbourwatch-ceasefire-talks.html")
    methods = {"paragraph hashes": paragraph_hash_overlap, "5-word shingles": shingle_overlap}
    print(f"{len(articles)} demo articles; {len(articles) * 4} edited copies; "
          f"{len(articles) * (len(articles) - 1) // 2 - 1} negative pairs\n")
    print(f"{'':18}{'demo pair':>10}{'cut':>8}{'edited':>8}{'reflowed':>10}{'cut+ed.':>9}{'| max neg.':>11}  margin")
    for name, score in methods.items():
        row = [score(articles[pair[0]], articles[pair[1]])]
        for kind in ("cut", "edited", "reflowed", "cut+edited"):
            row.append(min(score(ps, variants(ps)[kind]) for ps in articles.values()))
        negatives = [score(articles[a], articles[b]) for a, b in itertools.combinations(articles, 2)
                     if {a, b} != set(pair)]
        worst = max(negatives)
        print(f"{name:18}{row[0]:10.2f}{row[1]:8.2f}{row[2]:8.2f}{row[3]:10.2f}{row[4]:9.2f}{worst:11.2f}"
              f"  {min(row) - worst:+.2f}")
    print(f"(lowest positive score of each kind; chosen: 5-word shingles, same story at >= {SYNDICATION_THRESHOLD})\n")

    edited, negatives = [], []
    for ps in articles.values():
        edited += [jaccard3(p, edit(p)) for p in ps]
    names = list(articles)
    for a, b in itertools.combinations(names, 2):
        if {a, b} == set(pair):
            continue
        negatives += [jaccard3(p, q) for p in articles[a] for q in articles[b]]
    edited.sort()
    print("paragraphs, 3-word shingle Jaccard:")
    print(f"  an edited paragraph vs its original: min {edited[0]:.2f}, 5th percentile "
          f"{edited[len(edited) // 20]:.2f}, median {edited[len(edited) // 2]:.2f} ({len(edited)} paragraphs)")
    print(f"  paragraphs of two different stories: max {max(negatives):.2f} ({len(negatives)} pairs)")
    shown_once = sum(near_identical(p, edit(p)) for ps in articles.values() for p in ps)
    false = sum(j >= NEAR_IDENTICAL for j in negatives)
    print(f"  at the chosen {NEAR_IDENTICAL}: {shown_once}/{len(edited)} edited paragraphs matched, "
          f"{false} false matches between different stories")
    pair_matched = sum(any(near_identical(p, q) for q in articles[pair[1]]) for p in articles[pair[0]])
    print(f"  demo pair: {pair_matched} of {len(articles[pair[0]])} Kestrel Ledger paragraphs found in the "
          f"Harbour Watch copy")
    real_store()


def read_store(path: Path) -> tuple[dict[int, list[str]], dict[int, tuple[str, str]]] | None:
    """A real store's passages by article, in order, and each article's (source, title), read-only; None
    (with a line saying so) when there is none."""
    import sqlite3
    from collections import defaultdict

    if not path.exists():
        print(f"\n(no real store at {path}: run bench/retrieval.py once to build it)")
        return None
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    texts: dict[int, list[str]] = defaultdict(list)
    for article_id, text in db.execute("SELECT article_id, text FROM passages ORDER BY article_id, position"):
        texts[article_id].append(text)
    meta = {r[0]: (r[1], r[2]) for r in db.execute("SELECT id, source, title FROM articles")}
    db.close()
    return texts, meta


def real_store(path: Path = REAL_STORE) -> None:
    """Containment of every candidate pair in a real store (read-only), as the store would compare them."""
    from collections import defaultdict

    held = read_store(path)
    if held is None:
        return
    texts, meta = held
    sets = {i: shingles(t) for i, t in texts.items()}
    by_key: dict[int, list[int]] = defaultdict(list)
    for i, sh in sets.items():
        for key in sketch(sh):
            by_key[key].append(i)
    shared: dict[tuple[int, int], int] = defaultdict(int)
    for ids in by_key.values():
        for a, b in itertools.combinations(sorted(ids), 2):
            shared[a, b] += 1
    pairs = sorted(((overlap(sets[a], sets[b]), a, b) for (a, b), n in shared.items() if n >= MIN_SHARED_KEYS),
                   reverse=True)
    print(f"\nreal store: {len(sets)} articles, {len(pairs)} candidate pairs (>= {MIN_SHARED_KEYS} shared sketch keys)")
    buckets = [(0.5, 1.01), (0.3, 0.5), (0.2, 0.3), (0.1, 0.2), (0.0, 0.1)]
    print("  containment: " + ", ".join(f"[{lo:.1f}, {min(hi, 1):.1f}{']' if hi > 1 else ')'} "
                                        f"{sum(lo <= s < hi for s, _, _ in pairs)}" for lo, hi in buckets))
    for score, a, b in pairs:
        if score < 0.2:
            break
        mark = "same story" if score >= SYNDICATION_THRESHOLD else "apart"
        print(f"  {score:.2f} {mark:10}  {meta[a][0]}: {meta[a][1][:45]!r} / {meta[b][0]}: {meta[b][1][:45]!r}")


if __name__ == "__main__":
    main()
