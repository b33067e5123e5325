"""Article extraction against 181 real pages whose bodies a person marked (scrapinghub's benchmark).

Usage (from the repository root):

    .venv/bin/python bench/extraction.py                 # eventbot only
    .venv/bin/python bench/extraction.py --compare       # + plain trafilatura and its precision mode
    .venv/bin/python bench/extraction.py --worst 10      # + the 10 pages with the lowest F1
    .venv/bin/python bench/extraction.py --save bench/out/extraction.json   # per-page scores, for --against
    .venv/bin/python bench/extraction.py --against bench/out/extraction.json  # pages improved / worsened

eventbot's body is what `eventbot extract` shows and `eventbot add` stores: `corpus.extract.extract` on the
page's bytes with its URL, then each paragraph preceded by its heading (once per section), joined by
newlines. The data is read in place from ../shared/eval/article-extraction (never copied here).

The metric is the benchmark's own (its README): tokens are `\\w+` matches, a text is its multiset of word
4-grams; per page tp/fp/fn are counted with multiplicity and divided by tp+fp+fn; precision and recall are
means over pages (precision over pages with a prediction; an empty prediction is recall 0) and F1 is
2PR/(P+R) of those means.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATA = ROOT.parent / "shared" / "eval" / "article-extraction"
_TOKEN_RE = re.compile(r"\w+", re.UNICODE)

Extractor = Callable[[bytes, str], str]


@dataclass(frozen=True)
class Score:
    """One page's shingle counts, each divided by tp+fp+fn (the benchmark's normalisation)."""

    tp: float
    fp: float
    fn: float

    @property
    def f1(self) -> float:
        return 2 * self.tp / (2 * self.tp + self.fp + self.fn) if self.tp else 0.0


def shingles(text: str, n: int = 4) -> Counter[str]:
    """The text's word n-grams, counted (a text shorter than n words is one shingle of all its words)."""
    tokens = _TOKEN_RE.findall(text or "")
    grams = (" ".join(tokens[i:i + n]) for i in range(max(1, len(tokens) - n + 1)))
    return Counter(g for g in grams if g)


def score(truth: str, prediction: str) -> Score:
    true, pred = shingles(truth), shingles(prediction)
    tp = sum((true & pred).values())
    fp = sum((pred - true).values())
    fn = sum((true - pred).values())
    total = tp + fp + fn
    return Score(tp / total, fp / total, fn / total) if total else Score(0.0, 0.0, 0.0)


def summary(scores: dict[str, Score]) -> tuple[float, float, float]:
    """(F1, precision, recall) as the benchmark computes them from per-page scores."""
    precisions = [s.tp / (s.tp + s.fp) for s in scores.values() if s.tp + s.fp > 0]
    recalls = [s.tp / (s.tp + s.fn) for s in scores.values() if s.tp + s.fn > 0]
    p = sum(precisions) / len(precisions) if precisions else 0.0
    r = sum(recalls) / len(recalls) if recalls else 0.0
    return (2 * p * r / (p + r) if p + r else 0.0), p, r


def eventbot_body(html: bytes, url: str) -> str:
    """The body eventbot would store for the page ("" when it refuses the page)."""
    from corpus.errors import NotAnArticle
    from corpus.extract import extract
    from corpus.extract.preview import body_lines

    try:
        return "\n".join(body_lines(extract(html, "html", url=url)))
    except NotAnArticle:
        return ""


def trafilatura_body(precision: bool) -> Extractor:
    import trafilatura

    def run(html: bytes, url: str) -> str:
        options = {"favor_precision": True, "include_comments": False} if precision else {}
        return trafilatura.extract(html, url=url, **options) or ""

    return run


def pages(limit: int | None = None) -> list[tuple[str, str, bytes, str]]:
    """(id, url, html bytes, true body) for each page, in id order."""
    truth = json.loads((DATA / "ground-truth.json").read_text(encoding="utf-8"))
    out = []
    for page_id in sorted(truth)[:limit]:
        html = gzip.decompress((DATA / "html" / f"{page_id}.html.gz").read_bytes())
        out.append((page_id, truth[page_id]["url"], html, truth[page_id]["articleBody"]))
    return out


def run(extractor: Extractor, data: list[tuple[str, str, bytes, str]]) -> tuple[dict[str, Score], list[str], float]:
    """Per-page scores, the pages with an empty body, and the seconds it took."""
    scores: dict[str, Score] = {}
    empty: list[str] = []
    started = time.perf_counter()
    for page_id, url, html, truth in data:
        body = extractor(html, url)
        if not body.strip():
            empty.append(page_id)
        scores[page_id] = score(truth, body)
    return scores, empty, time.perf_counter() - started


def _cpu() -> str:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
    except OSError:
        return "unknown CPU"
    return next((line.split(":", 1)[1].strip() for line in out.splitlines() if line.startswith("Model name")),
                "unknown CPU")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", action="store_true", help="also run plain trafilatura and its precision mode")
    parser.add_argument("--worst", type=int, default=0, metavar="N", help="print the N pages with the lowest F1")
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages (by id)")
    parser.add_argument("--save", type=Path, help="write eventbot's per-page scores to this JSON file")
    parser.add_argument("--against", type=Path, help="count pages improved/worsened against a --save file")
    args = parser.parse_args(argv)

    import logging

    logging.disable(logging.WARNING)  # trafilatura and htmldate warn about many real pages
    data = pages(args.limit)
    runs: list[tuple[str, Extractor]] = [("eventbot", eventbot_body)]
    if args.compare:
        runs += [("trafilatura (defaults)", trafilatura_body(False)),
                 ("trafilatura (favor_precision, no comments)", trafilatura_body(True))]
    print(f"article extraction: {len(data)} pages; CPU {_cpu()}")
    print("| extractor | F1 | precision | recall | empty pages | seconds |")
    print("|---|---|---|---|---|---|")
    results = {}
    for name, extractor in runs:
        scores, empty, seconds = run(extractor, data)
        results[name] = (scores, empty)
        f1, p, r = summary(scores)
        print(f"| {name} | {f1:.3f} | {p:.3f} | {r:.3f} | {len(empty)} | {seconds:.1f} |", flush=True)
    scores, empty = results["eventbot"]
    if empty:
        print("eventbot empty pages:", ", ".join(f"{e[:12]}" for e in empty))
    if args.worst:
        urls = {page_id: url for page_id, url, _, _ in data}
        print(f"\nworst {args.worst} pages for eventbot (F1, precision, recall):")
        for page_id, s in sorted(scores.items(), key=lambda item: item[1].f1)[:args.worst]:
            p = s.tp / (s.tp + s.fp) if s.tp + s.fp else 0.0
            r = s.tp / (s.tp + s.fn) if s.tp + s.fn else 0.0
            print(f"  {s.f1:.3f} P {p:.3f} R {r:.3f}  {page_id[:12]}  {urls[page_id]}")
    if args.against:
        before = {k: Score(**v) for k, v in json.loads(args.against.read_text()).items()}
        better = sum(1 for k, s in scores.items() if k in before and s.f1 > before[k].f1 + 1e-9)
        worse = [k for k, s in scores.items() if k in before and s.f1 < before[k].f1 - 1e-9]
        print(f"\nagainst {args.against}: {better} pages improved, {len(worse)} worsened, "
              f"{len(scores) - better - len(worse)} unchanged (F1 per page)")
        for k in sorted(worse, key=lambda k: scores[k].f1 - before[k].f1)[:args.worst or 10]:
            print(f"  worse {before[k].f1:.3f} -> {scores[k].f1:.3f}  {k[:12]}")
    if args.save:
        args.save.parent.mkdir(parents=True, exist_ok=True)
        args.save.write_text(json.dumps({k: vars(s) for k, s in scores.items()}))


if __name__ == "__main__":
    main()
