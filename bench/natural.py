"""Natural questions (issue 13 dev set): short chat questions about one reported fact, scored on the
product's own settings.

Usage (from the repository root):

    .venv/bin/python bench/natural.py --check            # every label resolves; counts (no eventbot run)
    flock /tmp/eventbot-cpu.lock .venv/bin/python bench/natural.py            # import if needed, ask, print
    flock /tmp/eventbot-cpu.lock .venv/bin/python bench/natural.py --errors   # ... and every miss
    .venv/bin/python bench/natural.py --config my.yaml --k 10                  # an experiment

The questions (bench/natural/questions.jsonl) were written by hand against the MultiHop-RAG corpus
(/work/shared/eval/multihop-rag/corpus.json, read in place). They hold no article text: an answerable
question is labelled by its article's url, the 0-based index of the answering paragraph among the
body's non-empty paragraphs (split on a blank line, stripped) and the first 12 hex digits of the
sha256 of that paragraph with all whitespace removed; an optional "also" lists other paragraphs
(same fields) found to state the same fact, which count as well. Unanswerable ones are "absent" (an event the
corpus does not cover) or "near_miss" (people, firms or places it covers, but a fact it does not state).

1. Imports the corpus with bench/retrieval.py's `prepare` into the same data folder as that
   benchmark (default bench/out/multihop/data), reused while the stamp (corpus bytes and the settings
   that shape passages, vectors and the dense index) matches.
2. Asks every question through ONE `eventbot ask --batch FILE --json --k K` subprocess (retrieval.py's
   `ask_all`), with the SHIPPED config.yaml by default (what a user gets) and K = its retrieval.top_k.
3. A shown passage holds the answer when it comes from the labelled url (or lists it among the pages
   carrying the same text) and its text, whitespace removed, is inside a labelled paragraph's or
   contains it (long paragraphs are split into several passages; short lines are joined to the next).
   Prints, on all questions and on two fixed halves (A for tuning, B held out): answering paragraph at
   rank 1 / in the top 3 / in the top K, MRR, share answered, right article at rank 1; for the
   unanswerable ones the share declined (answered=false), by kind; then by question type; and the wall
   time of the ask step. Raw answers go to bench/out/natural/answers.jsonl.

The halves: within each question type (answerable) and each kind (unanswerable), questions sorted by
sha256 of their id alternate A, B, A, ... so each half holds about half of every stratum, fixed forever.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sqlite3
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import retrieval
from bench.retrieval import EVAL, ask_all, prepare
from corpus.store import normalize_url

QUESTIONS = ROOT / "bench" / "natural" / "questions.jsonl"
OUT = ROOT / "bench" / "out" / "natural"
DEFAULT_CONFIG = ROOT / "config.yaml"
DEFAULT_DATA_DIR = retrieval.OUT / "data"  # shared with bench/retrieval.py while the stamp matches
TYPES = ("who", "what", "when", "where", "how_many", "how_much", "why")
KINDS = ("absent", "near_miss")
HALVES = ("half A (tuning)", "half B (held out)")
_WS = re.compile(r"\s+")
_WORD = re.compile(r"[a-z0-9']+")


def paragraphs(body: str) -> list[str]:
    """The article body's non-empty paragraphs, the way labels count them."""
    return [p.strip() for p in body.split("\n\n") if p.strip()]


def squash(text: str) -> str:
    return _WS.sub("", text)


def digest(text: str) -> str:
    return hashlib.sha256(squash(text).encode("utf-8")).hexdigest()[:12]


def load_questions(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def load_corpus(path: Path) -> dict[str, dict]:
    """Articles by their url exactly as the corpus file spells it."""
    return {a["url"]: a for a in json.loads(path.read_text(encoding="utf-8"))}


def halves(questions: list[dict]) -> dict[str, str]:
    """id -> half name: stratified by type / kind, ordered by a hash of the id within each stratum."""
    strata: dict[str, list[str]] = defaultdict(list)
    for q in questions:
        strata[q["type"] if q["answerable"] else "u:" + q["kind"]].append(q["id"])
    out = {}
    for ids in strata.values():
        for n, qid in enumerate(sorted(ids, key=lambda i: hashlib.sha256(i.encode()).hexdigest())):
            out[qid] = HALVES[n % 2]
    return out


def labels(q: dict) -> list[dict]:
    """The paragraphs that answer an answerable question: its label, then any "also" labels."""
    return [q, *q.get("also", [])]


def gold_paragraph(label: dict, corpus: dict[str, dict]) -> str:
    return paragraphs(corpus[label["url"]]["body"])[label["paragraph"]]


def golds(q: dict, corpus: dict[str, dict]) -> list[tuple[str, str]]:
    """(normalised url, squashed paragraph) of every label of an answerable question."""
    return [(normalize_url(lab["url"]), squash(gold_paragraph(lab, corpus))) for lab in labels(q)]


# ---------------------------------------------------------------------------------------------- check

def _shared_run(question: str, paragraph: str, n: int = 6) -> str | None:
    """A run of `n` consecutive words the question shares with the paragraph (a copied sentence), if any."""
    qw, pw = _WORD.findall(question.lower()), _WORD.findall(paragraph.lower())
    grams = {tuple(pw[i:i + n]) for i in range(len(pw) - n + 1)}
    for i in range(len(qw) - n + 1):
        if tuple(qw[i:i + n]) in grams:
            return " ".join(qw[i:i + n])
    return None


def _label_error(label: dict, corpus: dict[str, dict]) -> str | None:
    """What is wrong with one label (url, paragraph index, digest), or None."""
    article = corpus.get(label.get("url"))
    if article is None:
        return f"url not in the corpus: {label.get('url')}"
    paras = paragraphs(article["body"])
    if not isinstance(label.get("paragraph"), int) or not 0 <= label["paragraph"] < len(paras):
        return f"paragraph {label.get('paragraph')!r} out of range (0..{len(paras) - 1}) in {label['url']}"
    if digest(paras[label["paragraph"]]) != label.get("digest"):
        return f"digest {label.get('digest')} != {digest(paras[label['paragraph']])} (paragraph {label['paragraph']})"
    return None


def _stored_passages(data_dir: Path) -> tuple[dict[str, list[str]], dict[str, str]] | None:
    """Squashed passage texts by normalised article url, and carrier url -> held url; None if no store."""
    db_path = data_dir / "corpus.sqlite3"
    if not db_path.exists():
        return None
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        by_url: dict[str, list[str]] = defaultdict(list)
        for url, text in db.execute("SELECT a.url, p.text FROM passages p JOIN articles a ON a.id = p.article_id"):
            by_url[url].append(squash(text))
        carriers = {c: a for c, a in db.execute(
            "SELECT c.url, a.url FROM article_carriers c JOIN articles a ON a.id = c.article_id")}
    finally:
        db.close()
    return by_url, carriers


def check(questions: list[dict], corpus: dict[str, dict], data_dir: Path | None) -> int:
    """Verify every label and print the set's counts; the number of errors found."""
    errors: list[str] = []
    warnings: list[str] = []
    seen: set[str] = set()
    for q in questions:
        qid = q.get("id", "?")
        if qid in seen:
            errors.append(f"{qid}: duplicate id")
        seen.add(qid)
        if not str(q.get("question", "")).strip():
            errors.append(f"{qid}: empty question")
        if q.get("answerable") is True:
            if q.get("type") not in TYPES:
                errors.append(f"{qid}: type {q.get('type')!r} not one of {TYPES}")
            for lab in labels(q):
                error = _label_error(lab, corpus)
                if error:
                    errors.append(f"{qid}: {error}")
                    continue
                run = _shared_run(q["question"], gold_paragraph(lab, corpus))
                if run:
                    warnings.append(f"{qid}: question shares six words in a row with its paragraph: {run!r}")
        elif q.get("answerable") is False:
            if q.get("kind") not in KINDS:
                errors.append(f"{qid}: kind {q.get('kind')!r} not one of {KINDS}")
            if not q.get("note"):
                errors.append(f"{qid}: an unanswerable question needs a note (what was checked)")
        else:
            errors.append(f"{qid}: 'answerable' must be true or false")

    answerable = [q for q in questions if q.get("answerable") is True and not any(_label_error(lab, corpus) for lab in labels(q))]
    unanswerable = [q for q in questions if q.get("answerable") is False]
    stored = _stored_passages(data_dir) if data_dir else None
    if stored is not None:
        by_url, carriers = stored
        unreachable = 0
        n_labels = 0
        for q in answerable:
            for url, gold in golds(q, corpus):
                n_labels += 1
                texts = by_url.get(url) or by_url.get(carriers.get(url, ""), [])
                if not any(t and (t in gold or gold in t) for t in texts):
                    unreachable += 1
                    errors.append(f"{q['id']}: no passage stored in {data_dir} holds its paragraph {url} "
                                  f"({'article not held' if not texts else 'article held'})")
        print(f"store {data_dir}: {n_labels - unreachable}/{n_labels} labelled paragraphs held as passages")

    halves_of = halves([q for q in questions if q.get("answerable") in (True, False)
                        and (q.get("type") in TYPES or q.get("kind") in KINDS)])
    types = Counter(q["type"] for q in answerable)
    kinds = Counter(q["kind"] for q in unanswerable)
    articles = {q["url"] for q in answerable}
    outlets = Counter(corpus[u]["source"] for u in articles)
    categories = Counter(corpus[u]["category"] for u in articles)
    per_half = Counter((halves_of.get(q["id"]), q["answerable"]) for q in questions if q["id"] in halves_of)
    print(f"{len(questions)} questions: {len(answerable)} answerable "
          f"({sum(1 for q in answerable if q.get('also'))} with more than one answering paragraph), "
          f"{len(unanswerable)} unanswerable")
    print("  answerable by type: " + ", ".join(f"{t} {types[t]}" for t in TYPES))
    print(f"  {len(articles)} articles, {len(outlets)} outlets; by category: "
          + ", ".join(f"{c} {n}" for c, n in categories.most_common()))
    print("  unanswerable by kind: " + ", ".join(f"{k} {kinds[k]}" for k in KINDS))
    for h in HALVES:
        print(f"  {h}: {per_half[(h, True)]} answerable, {per_half[(h, False)]} unanswerable")
    for w in warnings:
        print(f"warning: {w}")
    for e in errors:
        print(f"error: {e}")
    print("labels OK" if not errors else f"{len(errors)} errors")
    return len(errors)


# ---------------------------------------------------------------------------------------------- score

@dataclass
class Tally:
    n: int = 0
    at1: int = 0
    at3: int = 0
    atk: int = 0
    rr: float = 0.0
    answered: int = 0
    article1: int = 0
    # unanswerable: kind -> [asked, declined]
    declined: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))

    def add(self, rank: int | None, answered: bool, article1: bool) -> None:
        self.n += 1
        self.at1 += rank == 1
        self.at3 += rank is not None and rank <= 3
        self.atk += rank is not None
        self.rr += 1 / rank if rank else 0.0
        self.answered += answered
        self.article1 += article1


def passage_urls(passage: dict) -> set[str]:
    """The normalised urls a shown passage comes from: its article's, and those of pages carrying the same text."""
    urls = {normalize_url(passage["url"])} if passage.get("url") else set()
    return urls | {normalize_url(c["url"]) for c in passage.get("also_carried_by") or [] if c.get("url")}


def matches(passage: dict, gold: list[tuple[str, str]]) -> bool:
    """Whether a shown passage holds one of the labelled paragraphs (see the module docstring)."""
    urls, text = passage_urls(passage), squash(passage["text"])
    return bool(text) and any(url in urls and (text in para or para in text) for url, para in gold)


def shown(answer: dict) -> list[dict]:
    """What the user sees: the passages of an answered question, nothing for a declined one."""
    return answer["passages"] if answer["answered"] else []


def rank_of(answer: dict, gold: list[tuple[str, str]]) -> int | None:
    for rank, p in enumerate(shown(answer), start=1):
        if matches(p, gold):
            return rank
    return None


def share(a: float, n: int) -> str:
    return f"{a / n:.3f}" if n else ""


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", type=Path, default=DEFAULT_CONFIG,
                    help="config.yaml for eventbot (default: the shipped %(default)s)")
    ap.add_argument("--k", type=int, help="passages asked for (default: the config's retrieval.top_k)")
    ap.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR,
                    help="data folder, shared with bench/retrieval.py (default %(default)s)")
    ap.add_argument("--questions", type=Path, default=QUESTIONS, help="the question set (default %(default)s)")
    ap.add_argument("--no-import", action="store_true", help="use --data-dir as it is (no stamp check, no import)")
    ap.add_argument("--answers", type=Path, default=OUT / "answers.jsonl", help="where to keep the raw answers")
    ap.add_argument("--check", action="store_true",
                    help="only verify the labels (and, if --data-dir holds a store, that each is held) and print counts")
    ap.add_argument("--errors", action="store_true", help="also print every miss")
    args = ap.parse_args(argv)

    corpus_file = EVAL / "corpus.json"
    corpus = load_corpus(corpus_file)
    questions = load_questions(args.questions)
    data_dir = args.data_dir.resolve()
    if args.check:
        sys.exit(1 if check(questions, corpus, data_dir) else 0)
    if check_quiet(questions, corpus):
        sys.exit("the question set has label errors: run with --check")

    cfg, config_args, env = prepare(args.config, data_dir, args.no_import)
    k = args.k or cfg.retrieval.top_k
    answers, wall, first = ask_all([q["question"] for q in questions], config_args, env, k)

    half_of = halves(questions)
    groups: dict[str, Tally] = defaultdict(Tally)
    misses: list[str] = []
    args.answers.parent.mkdir(parents=True, exist_ok=True)
    with args.answers.open("w", encoding="utf-8") as f:
        for q, a in zip(questions, answers, strict=True):
            rank = None
            if q["answerable"]:
                gold = golds(q, corpus)
                rank = rank_of(a, gold)
                top = shown(a)[:1]
                article1 = bool(top) and bool(passage_urls(top[0]) & {url for url, _ in gold})
                for key in ("all", half_of[q["id"]], "type:" + q["type"]):
                    groups[key].add(rank, bool(a["answered"]), article1)
                if rank != 1:
                    misses.append(_miss_line(q, a, rank, article1))
            else:
                for key in ("all", half_of[q["id"]]):
                    d = groups[key].declined[q["kind"]]
                    d[0] += 1
                    d[1] += not a["answered"]
                if a["answered"]:
                    misses.append(_miss_line(q, a, None, False))
            f.write(json.dumps({"id": q["id"], "half": half_of[q["id"]], "rank": rank, **a}, ensure_ascii=False) + "\n")

    n_ans = sum(q["answerable"] for q in questions)
    print(f"\nNatural questions (issue 13 dev set): {len(questions)} questions ({n_ans} answerable, "
          f"{len(questions) - n_ans} unanswerable), k={k}, config {args.config}")
    print(f"\n| set | answerable | para@1 | para@3 | para@{k} | MRR@{k} | answered | article@1 "
          f"| unanswerable | declined | absent declined | near-miss declined |\n|---|---|---|---|---|---|---|---|---|---|---|---|")
    for key in ("all", *HALVES):
        t = groups[key]
        dec = t.declined
        n_u = sum(v[0] for v in dec.values())
        d_u = sum(v[1] for v in dec.values())
        print(f"| {key} | {t.n} | {share(t.at1, t.n)} | {share(t.at3, t.n)} | {share(t.atk, t.n)} | {share(t.rr, t.n)} "
              f"| {share(t.answered, t.n)} | {share(t.article1, t.n)} | {n_u} | {share(d_u, n_u)} "
              f"| {share(dec['absent'][1], dec['absent'][0])} | {share(dec['near_miss'][1], dec['near_miss'][0])} |")
    print(f"\n| type | questions | para@1 | para@3 | para@{k} | MRR@{k} | answered | article@1 |\n|---|---|---|---|---|---|---|---|")
    for typ in TYPES:
        t = groups["type:" + typ]
        print(f"| {typ} | {t.n} | {share(t.at1, t.n)} | {share(t.at3, t.n)} | {share(t.atk, t.n)} | {share(t.rr, t.n)} "
              f"| {share(t.answered, t.n)} | {share(t.article1, t.n)} |")
    print(f"\nask step: {wall:.1f} s wall for {len(questions)} questions ({len(questions) / wall:.1f} questions/s; "
          f"first answer after {first:.1f} s, including start-up); raw answers in {args.answers}")
    if args.errors:
        print(f"\nmisses ({len(misses)}): answerable without the paragraph at rank 1, unanswerable answered\n")
        print("\n".join(misses))


def check_quiet(questions: list[dict], corpus: dict[str, dict]) -> int:
    """The number of answerable labels that do not resolve (url, paragraph index, digest)."""
    bad = 0
    for q in questions:
        if not q.get("answerable"):
            continue
        bad += any(_label_error(lab, corpus) for lab in labels(q))
    return bad


def _miss_line(q: dict, a: dict, rank: int | None, article1: bool) -> str:
    top = shown(a)[:1]
    if top:
        p = top[0]
        first = f"{p.get('source') or '?'}: {' '.join(p['text'].split())[:100]}"
    else:
        first = f"(declined: {a.get('reason')})"
    if q["answerable"]:
        where = f"right paragraph at rank {rank}" if rank else "right paragraph not shown"
        where += "; right article first" if article1 else ""
        return f"- {q['id']} [{q['type']}] {q['question']}\n    first: {first}\n    {where}"
    return f"- {q['id']} [{q['kind']}] {q['question']}\n    first: {first}\n    answered, should decline"


if __name__ == "__main__":
    main()
