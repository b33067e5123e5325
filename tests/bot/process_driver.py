"""A stand-in for `eventbot run` in the multi-process tests: the corpora the bot opens (following other
processes as `eventbot run` does), driven by lines on stdin instead of Discord.

    python -m tests.bot.process_driver CONFIG        # data folder: $EVENTBOT_DATA_DIR

    held N1 N2 ...   -> "held N..." the test articles (`article` below) a question finds
    add N            -> "added|duplicate|failed N": adds article N here
    flush            -> "flushed": publishes the index if it lags
    quit             -> closes as `eventbot run` does on exit, prints "closed"
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from bot.cli import WATCH_SECONDS
from bot.config import load_config
from bot.corpora import Corpora
from corpus.models import ArticleDraft

SYLLABLES = ["ka", "lo", "mi", "ren", "tas", "vo", "quil", "bre", "dun", "sha", "pex", "nor", "ith", "zal", "um"]


def article(n: int) -> ArticleDraft:
    """Article n: five paragraphs of its own made-up words (no two are copies of one story), and a title
    naming it, by which a question finds it."""
    rng = random.Random(n)

    def word() -> str:
        return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))

    tag = f"marker{n:04d}"
    paragraphs = tuple(f"{tag} " + " ".join(word() for _ in range(40)) + "." for _ in range(5))
    return ArticleDraft(title=f"Bulletin {tag} {word()} {word()}", paragraphs=paragraphs,
                        url=f"https://news.example/{tag}", source="Test Wire", published_at="2026-03-01")


def question(n: int) -> str:
    """A question that article n answers: its first words."""
    return " ".join(article(n).paragraphs[0].split()[:10])


def main() -> None:
    cfg = load_config(Path(sys.argv[1]))
    corpora = Corpora(cfg.data_dir, cfg, cfg.discord.corpora, watch=WATCH_SECONDS)
    service = corpora.for_guild(None)
    print("ready", flush=True)
    for line in sys.stdin:
        command, *args = line.split()
        if command == "held":
            found = []
            for n in map(int, args):
                answer = service.ask(question(n), k=1)
                if answer.answered and answer.passages[0].title == article(n).title:
                    found.append(n)
            print("held", *found, flush=True)
        elif command == "add":
            print(service.add_draft(article(int(args[0]))).status, args[0], flush=True)
        elif command == "flush":
            service.flush()
            print("flushed", flush=True)
        elif command == "quit":
            break
    corpora.close()
    print("closed", flush=True)


if __name__ == "__main__":
    main()
