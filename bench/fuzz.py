"""Long fuzz run over ingestion, import and questions: never an unhandled exception, refusals change nothing.

Usage (from the repository root):

    .venv/bin/python bench/fuzz.py                  # 10,000 inputs, seed 1 (~14 min on 2 cores)
    .venv/bin/python bench/fuzz.py --inputs 500 --seed 7

The tests (tests/bot/test_bad_input.py) run a few hundred hypothesis examples on every test run; this is the
longer run the safety issue asks for. It drives `EventService` on the hash embedder (no model: the
extraction, splitting, store and index paths are the same) in a fresh temporary folder holding the
test articles, and feeds it seeded random inputs of these kinds, in turn:

- `bytes`: random bytes as an .html and as a .txt upload;
- `soup`: malformed HTML from tags, entities, boilerplate lines, NULs, BOMs, zero-width and RTL marks;
- `mutated`: a demo page with random byte flips, deletions and truncation;
- `encoded`: a demo page re-encoded (UTF-16, cp1252, koi8-r, shift_jis, latin-1) with a wrong or no charset;
- `shape`: one huge paragraph, thousands of tiny ones, boilerplate only, empty, whitespace only;
- `import`: a JSON / JSON Lines import file with garbage records among good ones;
- `question`: empty, 10k characters, punctuation only, control characters, other scripts, filters
  (`source:`, `since:`) with bad values, `A.A.A…` (once quadratic to parse); each must take under 1 s;
- `remove`: keys that are no article (`²`, `http://[::1`, 24 digits, random text), and now and then with
  the store's write lock held by another connection (a clear "busy" error);
- `fetch`: links to a local hostile server (tests/hostile.py): redirects to random or unparseable
  `Location`s, bodies without Content-Type, gzip with zero padding or junk after it, random types and
  encodings, cut-off responses, and (one in twenty) headers dripped a byte at a time. Each must end
  within the fetch timeout + 1 s.

An input passes when the service returns a result or raises one of its own errors (`bot.errors.USER_ERRORS`:
a clear message, which the CLI and the bot show as it is),
and, when the input was refused, the store's article and passage counts are unchanged. An added article
is removed again, so the folder stays small. Prints counts per kind and every failure (exit 1 if any).
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import random
import sqlite3
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import Config, EmbeddingConfig, FetchConfig  # noqa: E402
from bot.errors import USER_ERRORS  # noqa: E402
from bot.service import EventService  # noqa: E402
from corpus import store as store_module  # noqa: E402
from corpus.errors import ArticleNotFound, StoreBusy  # noqa: E402
from index.embedder import HashEmbedder  # noqa: E402
from tests.articles import ALL, write_json  # noqa: E402
from tests.hostile import RawServer, Routes, drip_headers, redirect, respond  # noqa: E402

DEMO = ROOT / "corpus" / "demo"
HTML_BITS = ["<html>", "<head>", "<title>", "</title>", "<body>", "<article>", "<p>", "</p>", "<div>", "</div>",
             "<script>", "</script>", "<style>", "<!--", "-->", "<nav>Home World</nav>", "Leave a Reply",
             "Notify of", "Liked it? Take a second to support us on Patreon!", "&amp;", "&#0;", "&#xD800;", "\u200b",
             "\u202e", "\u2066", "<meta charset='utf-16'>", "<br>", "\x00", "\ufeff", "</html>", "<![CDATA[",
             "<svg><script>", "<table><tr><td>", "<h1>", "</h1>", "MOSCOW (Sputnik) -", "\"...,\" Konashenkov said."]
WORDS = ["flood", "Velmora", "said", "the", "dam", "ministry", "\u0645\u0631\u062d\u0628\u0627", "\u6c34\u707e",
         "\u200b", "@everyone", "<@123>", "...", "\t", "\u0928\u092e\u0938\u094d\u0924\u0947", "Пожар", "🙂", "\r\n"]
ENCODINGS = ["utf-16", "utf-16-be", "cp1252", "koi8-r", "shift_jis", "latin-1", "utf-32"]
KINDS = ["bytes", "soup", "mutated", "encoded", "shape", "import", "question", "remove", "fetch"]
FETCH_TIMEOUT = 1.0
ODD_KEYS = ["\u00b2", "\u0661\u0662", "http://[::1", "http://[", "9" * 24, str(2**63), "-1", "0", " ", "1e3",
            "https://exa mple.com/a", "\x00", "http://%zz/", "//", "file:///etc/passwd"]
ODD_LOCATIONS = ["http:\\\\x", "http://[::1", "http://exa mple.com:1:2/", "//[zz]/", "\u00ff://x/", "http://x:99999/",
                 "http://%zz/", "", " ", "javascript:alert(1)", "ftp://x/", "http://user:pw@x/", "/\\x", "?a=b", "#top"]


def soup(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(HTML_BITS) if rng.random() < 0.5 else rng.choice(WORDS) for _ in range(n))


def any_text(rng: random.Random, n: int) -> str:
    """Random code points from every plane (surrogates and all), as Discord or a file might carry."""
    return "".join(chr(rng.choice([rng.randrange(0x20, 0x7F), rng.randrange(0, 0x110000)])) for _ in range(n))


def mutate(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randrange(1, 40)):
        if not out:
            break
        i = rng.randrange(len(out))
        action = rng.random()
        if action < 0.5:
            out[i] = rng.randrange(256)
        elif action < 0.8:
            del out[i:i + rng.randrange(1, 200)]
        else:
            out[i:i] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 20)))
    if rng.random() < 0.3:
        out = out[:rng.randrange(len(out) + 1)]
    return bytes(out)


class Fuzzer:
    def __init__(self, service: EventService, rng: random.Random, scratch: Path, server: RawServer,
                 routes: Routes) -> None:
        self.service, self.rng, self.scratch = service, rng, scratch
        self.server, self.routes = server, routes
        self.fetches = 0
        self.pages = [p.read_bytes() for p in sorted(DEMO.glob("*.html"))]
        self.failures: list[str] = []
        self.outcomes: Counter[str] = Counter()

    def counts(self) -> tuple[int, int]:
        stats = self.service.stats()
        return stats.articles, stats.passages

    def document(self, kind: str, content: bytes, name: str) -> None:
        before = self.counts()
        try:
            result = self.service.add_document(content, name)
        except USER_ERRORS as e:
            self._refused(kind, before, str(e))
            return
        if result.status == "added":
            self.outcomes[f"{kind}: added"] += 1
            self.service.remove(str(result.article.id))
        elif not result.message or "Traceback" in result.message:
            self.failures.append(f"{kind}: refusal without a clear message: {result.message!r}")
        else:
            self._refused(kind, before, result.message)

    def _refused(self, kind: str, before: tuple[int, int], message: str) -> None:
        self.outcomes[f"{kind}: refused"] += 1
        if self.counts() != before:
            self.failures.append(f"{kind}: refused ({message}) but the store changed: {before} -> {self.counts()}")

    def run(self, kind: str) -> None:
        rng = self.rng
        if kind == "bytes":
            data = rng.randbytes(rng.randrange(0, 4000))
            self.document(kind, data, "page.html")
            self.document(kind, data, "page.txt")
        elif kind == "soup":
            self.document(kind, soup(rng, rng.randrange(0, 400)).encode("utf-8", "surrogatepass"), "page.html")
        elif kind == "mutated":
            self.document(kind, mutate(rng, rng.choice(self.pages)), rng.choice(["page.html", "page.htm", "page.txt"]))
        elif kind == "encoded":
            page = rng.choice(self.pages).decode("utf-8")
            if rng.random() < 0.5:
                page = page.replace("utf-8", rng.choice(ENCODINGS + ["bogus-charset"]))
            self.document(kind, page.encode(rng.choice(ENCODINGS), "replace"), "page.html")
        elif kind == "shape":
            self.document(kind, *self.shape())
        elif kind == "import":
            self.import_file()
        elif kind == "remove":
            self.remove()
        elif kind == "fetch":
            self.fetch()
        else:
            self.question()

    def remove(self) -> None:
        rng = self.rng
        key = rng.choice([rng.choice(ODD_KEYS), any_text(rng, rng.randrange(1, 40)), str(rng.randrange(10**6, 10**30)),
                          "https://fz.example/" + any_text(rng, 10)])
        before = self.counts()
        locked = rng.random() < 0.02
        try:
            if locked:  # another process mid-write: the store's write lock held
                other = sqlite3.connect(self.service.store.path, isolation_level=None)
                other.execute("BEGIN IMMEDIATE")
                try:
                    self.service.remove(str(self.service.articles(1)[0].id))
                finally:
                    other.execute("ROLLBACK")
                    other.close()
            else:
                self.service.remove(key)
        except (ArticleNotFound, StoreBusy) as e:
            self._refused("remove", before, str(e))
            return
        except USER_ERRORS as e:
            self.failures.append(f"remove: {key!r} refused with {type(e).__name__}: {e}")
            return
        self.failures.append(f"remove: {key!r} {'while locked ' if locked else ''}removed something")

    def fetch(self) -> None:
        rng = self.rng
        self.fetches += 1
        path = f"/{self.fetches}"
        page = rng.choice(self.pages)
        choice = rng.randrange(6) if self.fetches % 20 else 6
        if choice == 0:
            location = rng.choice([rng.choice(ODD_LOCATIONS),
                                   "".join(chr(rng.randrange(0x20, 0x100)) for _ in range(rng.randrange(1, 30)))])
            self.routes[path] = redirect(location.replace("\r", "").replace("\n", ""))
        elif choice == 1:
            body = rng.choice([page, soup(rng, 200).encode("utf-8", "surrogatepass"), rng.randbytes(500),
                               b"Harbour wall repaired\n\nThe wall was repaired by the council on Monday.",
                               page.decode("utf-8").encode("utf-16")])
            self.routes[path] = respond(body, {})
        elif choice == 2:
            tail = rng.choice([bytes(rng.randrange(1, 2000)), rng.randbytes(rng.randrange(1, 50)), b"\x1f", b"\x1f\x8b"])
            self.routes[path] = respond(gzip.compress(page) + tail, {"Content-Type": "text/html",
                                                                     "Content-Encoding": "gzip"})
        elif choice == 3:
            self.routes[path] = respond(mutate(rng, gzip.compress(page)), {
                "Content-Type": rng.choice(["text/html", "text/plain", "image/png", "", "text/html; charset=bogus"]),
                "Content-Encoding": rng.choice(["gzip", "deflate", "br", "identity", "gzip, gzip"])})
        elif choice == 4:
            self.routes[path] = lambda conn, closed, request, cut=rng.randrange(1, 60): conn.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5000\r\n\r\n"[:cut])
        elif choice == 5:
            self.routes[path] = lambda conn, closed, request, junk=rng.randbytes(rng.randrange(1, 300)): conn.sendall(junk)
        else:
            self.routes[path] = drip_headers(seconds=FETCH_TIMEOUT + 2)
        before = self.counts()
        started = time.monotonic()
        result = self.service.add_url(self.server.url(path))
        took = time.monotonic() - started
        if took > FETCH_TIMEOUT + 1:
            self.failures.append(f"fetch (shape {choice}): took {took:.1f} s, more than the timeout + 1 s")
        if result.status == "added":
            self.outcomes["fetch: added"] += 1
            self.service.remove(str(result.article.id))
        elif not result.message or "Traceback" in result.message:
            self.failures.append(f"fetch (shape {choice}): refusal without a clear message: {result.message!r}")
        else:
            self._refused("fetch", before, result.message)

    def shape(self) -> tuple[bytes, str]:
        rng = self.rng
        choice = rng.randrange(6)
        if choice == 0:
            return (f"Huge\n\n{'The flood reached the square. ' * rng.randrange(1000, 30_000)}").encode(), "huge.txt"
        if choice == 1:
            return ("Tiny\n\n" + "\n\n".join(f"w{i}" for i in range(rng.randrange(1000, 100_000)))).encode(), "tiny.txt"
        if choice == 2:
            lines = ["<nav>Home World Politics</nav>", "<p>Leave a Reply</p>", "<p>Notify of</p>", "<p>Scroll To Top</p>",
                     "<p>Liked it? Take a second to support Harbour Watch on Patreon!</p>",
                     "<footer>\u00a9 2026 Harbour Watch. All rights reserved.</footer>"]
            return f"<html><body>{''.join(rng.sample(lines, len(lines)))}</body></html>".encode(), "page.html"
        if choice == 3:
            return b"", rng.choice(["page.html", "page.txt", "page.md"])
        if choice == 4:
            return rng.choice([" ", "\n", "\t", "\u200b", "\u3000"]).encode() * rng.randrange(1, 5000), "page.txt"
        return any_text(rng, rng.randrange(1, 3000)).encode("utf-8", "surrogatepass"), "page.md"

    def import_file(self) -> None:
        rng = self.rng
        records: list[object] = [dict(r) for r in rng.sample(ALL, rng.randrange(0, len(ALL) + 1))]
        for _ in range(rng.randrange(0, 6)):
            records.insert(rng.randrange(len(records) + 1), rng.choice([
                None, 3, "text", [], {}, {"title": "", "url": "", "body": ""}, {"title": "x", "url": "ftp://a", "body": "b"},
                {"title": any_text(rng, 30), "url": "https://fz.example/" + str(rng.random()), "body": soup(rng, 50),
                 "published_at": rng.choice(["yesterday", "2026-13-45", "", None, 5])},
            ]))
        path = self.scratch / "import.json"
        if rng.random() < 0.5:
            text = json.dumps(records)
        else:
            text = "\n".join(json.dumps(r) if rng.random() < 0.9 else any_text(rng, 40) for r in records)
        if rng.random() < 0.2:
            text = text[:rng.randrange(len(text) + 1)]
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        before = self.counts()
        held = {a.id for a in self.service.articles()}
        try:
            report = self.service.import_file(path)
        except USER_ERRORS as e:
            self._refused("import", before, str(e))
            return
        self.outcomes["import: files read"] += 1
        self.outcomes["import: records added"] += report.added
        self.outcomes["import: records reported bad"] += len(report.failed)
        if any(not message or "Traceback" in message for _, message in report.failed):
            self.failures.append(f"import: a bad record without a clear message: {report.failed}")
        for article in self.service.articles():
            if article.id not in held:
                self.service.remove(str(article.id))

    def question(self) -> None:
        rng = self.rng
        choice = rng.randrange(7)
        question = [
            "", any_text(rng, rng.randrange(1, 200)), "?" * rng.randrange(1, 5000), any_text(rng, 10_000),
            "".join(chr(rng.randrange(0, 32)) for _ in range(rng.randrange(1, 50))),
            rng.choice(["source:", "since:2026-99-01", "until:tomorrow", "speaker:", "source:Harbour since:2026-03-01"])
            + " " + soup(rng, rng.randrange(0, 20)),
            rng.choice(["A.", "Ab-", "what did A. ", "according to A.", "The Of ", "a A"]) * rng.randrange(100, 20_000),
        ][choice]
        started = time.monotonic()
        try:
            answer = self.service.ask(question, rng.choice([None, 1, 4, 10]))
        except USER_ERRORS as e:
            self.outcomes[f"question: refused ({type(e).__name__})"] += 1
            return
        finally:
            if time.monotonic() - started > 1:
                self.failures.append(f"question: {time.monotonic() - started:.1f} s for {question[:40]!r}... "
                                     f"({len(question):,} characters)")
        if not answer.answered and answer.passages:
            self.failures.append(f"question: unanswered but passages shown for {question[:60]!r}")
        self.outcomes["question: " + ("answered" if answer.answered else "nothing held")] += 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--inputs", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    logging.basicConfig(level=logging.ERROR)  # refusals log warnings; the counts below tell them
    rng = random.Random(args.seed)
    started = time.perf_counter()
    store_module.BUSY_TIMEOUT = 0.1  # the `remove` kind holds the write lock now and then
    routes = Routes()
    with tempfile.TemporaryDirectory(prefix="eventbot-fuzz-") as tmp, RawServer(routes) as server:
        folder = Path(tmp)
        config = Config(embedding=EmbeddingConfig(model="hash"),
                        fetch=FetchConfig(allowed_private_hosts=["127.0.0.1"], allowed_ports=[server.port],
                                          timeout_seconds=FETCH_TIMEOUT))
        service = EventService(folder / "data", config, embedder=HashEmbedder())
        service.import_file(write_json(folder / "seed.json", ALL))
        fuzzer = Fuzzer(service, rng, folder, server, routes)
        per_kind: Counter[str] = Counter()
        for n in range(args.inputs):
            kind = KINDS[n % len(KINDS)]
            per_kind[kind] += 1
            try:
                fuzzer.run(kind)
            except Exception:  # noqa: BLE001 - the failure this run looks for
                fuzzer.failures.append(f"{kind} (input {n}): unhandled\n{traceback.format_exc()}")
            if (n + 1) % 1000 == 0:
                print(f"  {n + 1:,} inputs, {time.perf_counter() - started:.0f} s, {len(fuzzer.failures)} failures",
                      flush=True)
        held = fuzzer.counts()
        service.close()
    print(f"\nfuzz: {args.inputs:,} inputs (seed {args.seed}) in {time.perf_counter() - started:.0f} s")
    for kind in KINDS:
        print(f"  {kind:9} {per_kind[kind]:6,} inputs")
    for outcome, count in sorted(fuzzer.outcomes.items()):
        print(f"    {outcome:28} {count:6,}")
    print(f"store at the end: {held[0]} articles, {held[1]} passages (started with {len(ALL)} articles)")
    print(f"failures: {len(fuzzer.failures)}")
    for failure in fuzzer.failures[:20]:
        print("  " + failure)
    return 1 if fuzzer.failures else 0


if __name__ == "__main__":
    sys.exit(main())
