"""Feed benchmark: 100 feeds x 50 entries served on 127.0.0.1, polled by `EventService.poll_feeds`.

Usage (from the repository root; heavy, so under the shared CPU lock):

    flock /tmp/eventbot-cpu.lock .venv/bin/python bench/feeds.py                   # the packaged model, ~8 min
    flock /tmp/eventbot-cpu.lock .venv/bin/python bench/feeds.py --embedder hash   # no model: fetch + extract
    ... bench/feeds.py --feeds 10 --entries 20                                      # a quick run

A child process serves the feeds and their article pages (tests/feeds.py: `FeedSite`, answering
conditional GETs with 304; original text, every page different); the parent follows every feed in a
fresh data folder and polls them all (`feeds.workers` at a time, the config's default; the cap of new
entries per poll set to the entries per feed), then polls them all again with nothing new. It prints,
for each poll: seconds, feeds polled, feed requests and 304s, pages fetched (counted by the server),
articles added, passages indexed; and the process's RSS before the first poll and its peak after it.
The second poll should fetch no page and get a 304 for every feed.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import perf  # noqa: E402

if TYPE_CHECKING:
    from bot.service import EventService


def serve(feeds: int, entries: int) -> None:
    """Child: serve the feeds and pages until stdin closes; print the port, then on request the hit counts."""
    from tests.feeds import FeedSite, article_page, items, rss20

    site = FeedSite()
    with site.running():
        for f in range(feeds):
            numbers = range(f * entries, (f + 1) * entries)
            links = [site.add(f"/news/{n}", article_page(n, outlet=f"Outlet {f}")) for n in numbers]
            site.add(f"/feeds/{f}.xml", rss20(items(links, start=f * entries), title=f"Outlet {f}"),
                     "application/rss+xml")
        print(site.port, flush=True)
        for _ in sys.stdin:  # each line asks for the counts so far
            counts = {"feeds": site.total("/feeds/"), "pages": site.total("/news/"),
                      "not_modified": sum(site.not_modified.values())}
            print(json.dumps(counts), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=100)
    parser.add_argument("--entries", type=int, default=50)
    parser.add_argument("--embedder", choices=["model", "hash"], default="model",
                        help="model: the packaged model, as shipped; hash: the tests' stand-in (no embedding cost)")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.feeds, args.entries)
        return
    perf.offline()
    server = subprocess.Popen([sys.executable, __file__, "--serve", "--feeds", str(args.feeds), "--entries",
                               str(args.entries)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                              cwd=perf.ROOT)
    try:
        port = int(server.stdout.readline())  # type: ignore[union-attr]
        run(args, port, server)
    finally:
        server.stdin.close()  # type: ignore[union-attr]
        server.wait(timeout=30)


def _counts(server: subprocess.Popen) -> dict:
    server.stdin.write("counts\n")  # type: ignore[union-attr]
    server.stdin.flush()  # type: ignore[union-attr]
    return json.loads(server.stdout.readline())  # type: ignore[union-attr]


def run(args: argparse.Namespace, port: int, server: subprocess.Popen) -> None:
    from bot.config import Config, EmbeddingConfig, FeedsConfig, FetchConfig
    from bot.service import EventService

    cfg = Config(fetch=FetchConfig(allowed_private_hosts=["127.0.0.1"], allowed_ports=[port]),
                 feeds=FeedsConfig(max_new_entries=args.entries),
                 **({"embedding": EmbeddingConfig(model="hash")} if args.embedder == "hash" else {}))
    embedder = None
    if args.embedder == "hash":
        from index.embedder import HashEmbedder

        embedder = HashEmbedder()
    with tempfile.TemporaryDirectory(prefix="eventbot-feeds-") as folder:
        service = EventService(Path(folder), cfg, embedder=embedder)
        try:
            measure(args, service, server)
        finally:
            service.close()


def measure(args: argparse.Namespace, service: EventService, server: subprocess.Popen) -> None:
    cfg = service.config
    port = cfg.fetch.allowed_ports[0]
    for f in range(args.feeds):
        service.follow_feed(f"http://127.0.0.1:{port}/feeds/{f}.xml")
    if args.embedder == "model":
        service.embedder.encode(["warm up the model before the clock starts"])
    service.stats()  # open the index
    from corpus.extract import extract  # noqa: F401  (imported before the clock, as a running bot has it)

    print(f"# {perf.machine_note()}; CPU: {_cpu()}; {args.feeds} feeds x {args.entries} entries; "
          f"embedder: {cfg.embedding.model}; feeds.workers {cfg.feeds.workers}", flush=True)
    rss_before = perf.rss_mb()
    for label in ("first poll (everything new)", "second poll (nothing new)"):
        before = _counts(server)
        started = time.perf_counter()
        report = service.poll_feeds()
        seconds = time.perf_counter() - started
        after = _counts(server)
        print(f"{label}: {seconds:.1f} s, {report.feeds_polled} feeds polled, "
              f"{after['feeds'] - before['feeds']} feed requests ({after['not_modified'] - before['not_modified']} "
              f"answered 304), {after['pages'] - before['pages']} pages fetched, {report.articles_added} articles "
              f"added, {report.passages_indexed} passages indexed, {report.feeds_failed} feeds failed", flush=True)
        if report.articles_added:
            print(f"  {report.articles_added / seconds:.1f} articles/s, {report.passages_indexed / seconds:.0f} "
                  "passages/s")
    print(f"RSS before the first poll {rss_before:.0f} MB, peak {perf.peak_rss_mb():.0f} MB; "
          f"stats: {service.stats().articles} articles, {service.stats().indexed} passages indexed")


def _cpu() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown"


if __name__ == "__main__":
    main()
