"""Event clusters and timelines (issue 18): clustering quality, timeline quality, time to add, latency.

    flock /tmp/eventbot-cpu.lock .venv/bin/python bench/events.py              # everything
    .venv/bin/python bench/events.py --only demo,multihop --temporal-limit 100  # a quicker look

What it measures (the real model, the default config unless `--config`):

- Clustering, pairwise: over every pair of labelled articles, precision and recall of "same event"
  (a pair is predicted same when both articles are in one cluster). Labels: bench/events/demo-labels.json
  (the demo corpus, ours) and bench/events/multihop-labels.json (30 events of 3+ MultiHop-RAG articles,
  labelled by hand from the corpus, as URLs). `--sweep` also reclusters the same articles under other
  `events:` settings (the signatures are computed once).
- Timelines of the labelled events (the query is the event's name): entries in time order (share of
  timelines wholly in order), share of the event's outlets represented (an entry's outlet or one of its
  `also_carried_by`), duplicates shown (two entries whose texts are copies, `is_copy`, or one article twice),
  and the share of the event's articles shown.
- MultiHop-RAG temporal questions (question_type temporal_query): share whose evidence articles all
  appear in the question's timeline, in publication order; and the share of evidence articles shown.
- Scale: a synthetic corpus of 100k passages (bench/synthetic.py, random vectors: every article its own
  event, the most events to compare against): the first clustering of all articles, the time to add one
  article (the whole add, and the clusters' share of it), and /timeline latency p50/p95 (service timeline,
  Discord pages and the PNG) over MultiHop-RAG questions; the same latency on MultiHop-RAG itself.
"""

from __future__ import annotations

import argparse
import itertools
import json
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import perf

HERE = Path(__file__).resolve().parent
OUT = perf.OUT / "events"
EVAL = Path("/work/shared/eval/multihop-rag")
MULTIHOP_DATA = Path("/work/main/bench/out/multihop/data")  # imported by bench/query.py; read, copied here


def log(*args: object) -> None:
    print(*args, file=sys.stderr, flush=True)


# -- data folders ------------------------------------------------------------------------------------


def demo_folder(config) -> Path:
    """A data folder holding the demo corpus, embedded with the configured model (built once)."""
    from bot.service import EventService
    from corpus import demo_corpus

    data = OUT / "demo"
    if (data / "corpus.sqlite3").exists():
        return data
    service = EventService(data, config)
    try:
        for item in demo_corpus.load():
            service.add_document(item.content, item.filename, url=item.url)
    finally:
        service.close()
    return data


def copied(source: Path, name: str) -> Path:
    """A copy of a data folder under bench/out/events (the source is only read), made once."""
    target = OUT / name
    if not (target / "corpus.sqlite3").exists():
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(source, target, ignore=shutil.ignore_patterns("events.npz", "*.tmp"))
    return target


# -- labels and clusters -----------------------------------------------------------------------------


def url_key(url: str | None) -> str | None:
    from corpus.store import normalize_url

    return normalize_url(url) if url else None


def demo_labels(service) -> list[tuple[str, list[int]]]:
    """(event name, held article ids) of the demo labels; an article without a link found by its title."""
    from corpus import demo_corpus

    manifest = {a["file"]: a for a in demo_corpus.manifest()["articles"]}
    held = service.articles()
    by_url = {url_key(a.url): a.id for a in held if a.url}
    by_title = {a.title: a.id for a in held}
    out = []
    for event in json.loads((HERE / "events" / "demo-labels.json").read_text())["events"]:
        ids = []
        for file in event["files"]:
            meta = manifest[file]
            found = by_url.get(url_key(meta.get("url"))) or by_title.get(meta.get("title"))
            if found:
                ids.append(found)
        out.append((event["name"], ids))
    return out


def multihop_labels(service) -> list[tuple[str, list[int]]]:
    by_url = {url_key(a.url): a.id for a in service.articles() if a.url}
    events = json.loads((HERE / "events" / "multihop-labels.json").read_text())["events"]
    return [(e["name"], [by_url[url_key(u)] for u in e["urls"] if url_key(u) in by_url]) for e in events]


def pairwise(labels: list[tuple[str, list[int]]], event_of) -> dict:
    """Pairwise precision and recall of "same event" over the labelled articles."""
    label_of = {a: name for name, ids in labels for a in ids}
    tp = fp = fn = 0
    for a, b in itertools.combinations(sorted(label_of), 2):
        same = label_of[a] == label_of[b]
        predicted = event_of(a) is not None and event_of(a) == event_of(b)
        tp += same and predicted
        fp += predicted and not same
        fn += same and not predicted
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return {"precision": round(precision, 3), "recall": round(recall, 3), "pairs_same": tp + fn,
            "articles": len(label_of), "f1": round(2 * precision * recall / (precision + recall), 3)
            if precision + recall else 0.0}


def sweep(service, labels) -> list[dict]:
    """Pairwise figures under other `events:` settings (same signatures, clustered again in memory)."""
    from retrieval.events import cluster

    book = service.event_book
    clusters = book.current()
    signs = clusters.signatures()
    copies = {s.article_id: book._copies(s.article_id) for s in signs}
    rows = []
    base = service.config.events
    for min_similarity in (0.5, 0.55, 0.6, 0.65, 0.7, 0.75):
        for name_weight in (0.0, 0.15, 0.3, 0.5):
            for window in (7.0, 14.0, 30.0):
                params = base.model_copy(update={"min_similarity": min_similarity, "name_weight": name_weight,
                                                 "window_days": window})
                c = cluster(signs, params, copies)
                rows.append({"min_similarity": min_similarity, "name_weight": name_weight, "window_days": window,
                             "events": len(c), **pairwise(labels, c.event_of)})
    return rows


# -- timelines ---------------------------------------------------------------------------------------


def timeline_figures(service, labels) -> dict:
    """Timelines of the labelled events, asked for by their names."""
    from corpus.syndication import is_copy

    held = {a.id: a for a in service.articles()}
    in_order = outlets_share = articles_share = 0.0
    duplicates = 0
    answered = 0
    rows = []
    for name, ids in labels:
        found = service.timeline(name)
        if not found.answered:
            rows.append({"event": name, "answered": False})
            continue
        answered += 1
        dated = [e.published_at[:19] for e in found.entries if e.published_at]
        ordered = dated == sorted(dated)
        in_order += ordered
        want = {held[a].source for a in ids if held[a].source}
        shown_outlets = {e.source for e in found.entries} | {c.get("source") for e in found.entries
                                                             for c in e.also_carried_by}
        share = len(want & shown_outlets) / len(want) if want else 1.0
        outlets_share += share
        urls = [url_key(e.url) for e in found.entries] + [url_key(c.get("url")) for e in found.entries
                                                          for c in e.also_carried_by]
        shown_articles = len({url_key(held[a].url) for a in ids} & set(urls)) / len(ids)
        articles_share += shown_articles
        dup = sum(1 for x, y in itertools.combinations(found.entries, 2) if is_copy(x.text, y.text))
        dup += len(found.entries) - len({e.article_id for e in found.entries})
        duplicates += dup
        rows.append({"event": name, "answered": True, "entries": len(found.entries), "in_order": ordered,
                     "outlets": round(share, 2), "articles_shown": round(shown_articles, 2), "duplicates": dup,
                     "label": found.event.label if found.event else None})
    n = len(labels)
    return {"events": n, "answered": answered, "in_order": round(in_order / max(answered, 1), 3),
            "outlets_represented": round(outlets_share / max(answered, 1), 3),
            "articles_shown": round(articles_share / max(answered, 1), 3), "duplicates": duplicates, "rows": rows}


def temporal(service, limit: int | None) -> dict:
    """MultiHop-RAG temporal questions: are the evidence articles in the timeline, in publication order?"""
    questions = [q for q in json.loads((EVAL / "MultiHopRAG.json").read_text()) if q["question_type"] == "temporal_query"]
    questions = questions[:limit] if limit else questions
    all_in_order = any_shown = 0
    shown_share = 0.0
    latencies = []
    for q in questions:
        evidence = list(dict.fromkeys(url_key(e["url"]) for e in q["evidence_list"]))
        started = time.perf_counter()
        found = service.timeline(q["query"])
        latencies.append((time.perf_counter() - started) * 1000)
        position: dict[str, int] = {}
        for n, e in enumerate(found.entries):
            for url in [e.url, *(c.get("url") for c in e.also_carried_by)]:
                position.setdefault(url_key(url), n)
        shown = [u for u in evidence if u in position]
        shown_share += len(shown) / len(evidence)
        any_shown += bool(shown)
        dates = {url_key(e["url"]): e["published_at"][:19] for e in q["evidence_list"]}
        by_date = sorted(evidence, key=lambda u: dates[u])
        all_in_order += len(shown) == len(evidence) and [position[u] for u in by_date] == sorted(position[u] for u in by_date)
    n = len(questions)
    return {"questions": n, "all_evidence_in_order": round(all_in_order / n, 3),
            "any_evidence_shown": round(any_shown / n, 3), "evidence_shown": round(shown_share / n, 3),
            "timeline_ms": perf.percentiles(latencies)}


# -- scale -------------------------------------------------------------------------------------------


def scale(config, n: int, queries: int) -> dict:
    """First clustering, time to add one article and /timeline latency on a synthetic corpus of `n` passages."""
    from bench import synthetic
    from bot.service import EventService
    from corpus.models import ArticleDraft

    source = synthetic.ensure(n, config, log=log)
    data = OUT / f"synthetic-{n}"
    if data.exists():
        shutil.rmtree(data)
    shutil.copytree(source, data)
    service = EventService(data, config)
    try:
        service.index.current()
        started = time.perf_counter()
        service.event_book.current()
        first = time.perf_counter() - started
        events = len(service.event_book.current())
        words = perf.passage_texts(perf.corpus_records(40), config.corpus.max_paragraph_chars)
        adds, syncs = [], []
        for i in range(10):
            draft = ArticleDraft(title=f"Bench article {i}", paragraphs=tuple(words[i * 20:(i + 1) * 20]),
                                 url=f"https://bench.example/add/{i}", source="Bench Wire",
                                 published_at=f"2023-06-{i + 1:02d}")
            started = time.perf_counter()
            result = service.ingester.add_draft(draft)
            stored = time.perf_counter()
            service.event_book.sync()
            done = time.perf_counter()
            assert result.status == "added", result.message
            adds.append((done - started) * 1000)
            syncs.append((done - stored) * 1000)
        timed = latency(service, queries)
        passages = service.stats().passages
    finally:
        service.close()
    return {"passages": passages, "events": events, "first_clustering_s": round(first, 2),
            "add_one_article_ms": perf.percentiles(adds), "clusters_share_of_add_ms": perf.percentiles(syncs),
            "timeline_ms": timed["ms"]}


def latency(service, queries: int) -> dict:
    """/timeline as the bot answers it (service, Discord pages, the PNG), over MultiHop-RAG questions."""
    from bot.chat import timeline_render
    from bot.timeline_image import render_png

    latencies, entries = [], []
    for q in perf.questions(queries):
        started = time.perf_counter()
        found = service.timeline(q)
        if found.answered:
            timeline_render.pages(found)
            render_png(found)
            entries.append(len(found.entries))
        latencies.append((time.perf_counter() - started) * 1000)
    return {"ms": perf.percentiles(latencies), "entries_mean": round(statistics.mean(entries), 1) if entries else 0,
            "entries_max": max(entries, default=0)}


# -- main --------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", default="demo,multihop,scale", help="comma-separated: demo, multihop, scale")
    ap.add_argument("--temporal-limit", type=int, default=None, help="temporal questions asked (default: all)")
    ap.add_argument("--queries", type=int, default=100, help="questions timed for latency")
    ap.add_argument("--scale", type=int, default=100_000, help="passages of the synthetic corpus")
    ap.add_argument("--sweep", action="store_true", help="also recluster under other events: settings")
    ap.add_argument("--config", type=Path)
    args = ap.parse_args(argv)
    perf.offline()
    from bot.config import load_config
    from bot.service import EventService

    config = load_config(args.config)
    only = set(args.only.split(","))
    result: dict = {"machine": perf.machine_note(), "events_config": config.events.model_dump()}
    OUT.mkdir(parents=True, exist_ok=True)
    if "demo" in only:
        service = EventService(demo_folder(config), config)
        try:
            started = time.perf_counter()
            service.event_book.rebuild()
            labels = demo_labels(service)
            result["demo"] = {"clusters": pairwise(labels, service.event_book.current().event_of),
                              "events_held": len(service.events()),
                              "cluster_s": round(time.perf_counter() - started, 2),
                              "timelines": timeline_figures(service, labels)}
            if args.sweep:
                result["demo"]["sweep"] = sweep(service, labels)
        finally:
            service.close()
        log("demo:", json.dumps({k: v for k, v in result["demo"].items() if k != "sweep"}))
    if "multihop" in only:
        service = EventService(copied(MULTIHOP_DATA, "multihop"), config)
        try:
            service.index.current()
            started = time.perf_counter()
            service.event_book.rebuild()
            cluster_s = time.perf_counter() - started
            labels = multihop_labels(service)
            result["multihop"] = {"clusters": pairwise(labels, service.event_book.current().event_of),
                                  "events_held": len(service.events()), "cluster_s": round(cluster_s, 2),
                                  "articles": service.stats().articles, "passages": service.stats().passages,
                                  "timelines": timeline_figures(service, labels),
                                  "temporal": temporal(service, args.temporal_limit),
                                  "latency": latency(service, args.queries)}
            if args.sweep:
                result["multihop"]["sweep"] = sweep(service, labels)
        finally:
            service.close()
        log("multihop:", json.dumps({k: v for k, v in result["multihop"].items() if k not in ("sweep", "timelines")}))
    if "scale" in only:
        result["scale"] = scale(config, args.scale, args.queries)
        log("scale:", json.dumps(result["scale"]))
    (OUT / "result.json").write_text(json.dumps(result, indent=1))
    perf.emit(result)


if __name__ == "__main__":
    main()
