"""A child process for the kill tests: adds articles one by one, or rebuilds, reporting progress.

    python -m tests.bot.crash_driver add DATA_DIR N     # prints "done URL" after each add returns
    python -m tests.bot.crash_driver reindex DATA_DIR   # prints "progress DONE TOTAL" as it goes, "reindexed" when done
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

from bot.config import Config, EmbeddingConfig
from bot.service import EventService
from corpus.models import ArticleDraft
from index.embedder import HashEmbedder


class PacedEmbedder(HashEmbedder):
    """The hash embedder at a real model's pace (about 1,000 passages/s), so kills land mid-work."""

    def encode(self, texts: list[str], batch_size: int | None = None) -> np.ndarray:
        time.sleep(0.001 * len(texts))
        return super().encode(texts, batch_size)

PLACES = ["Velmora", "Kastro", "Saltmarch", "Orvik", "Lindhaven", "Hollin", "Ardesk", "Tessel", "Orrin", "Gull"]
PASSAGES = 20
THINGS = ["flood", "ceasefire", "strike", "wildfire", "election", "harvest", "bridge", "ferry", "drought", "storm"]


def article(n: int) -> ArticleDraft:
    """Article n: its own unique words, so each is answerable by a question naming them."""
    place, thing = PLACES[n % 10], THINGS[(n // 10) % 10]
    tag = f"marker{n:04d}"
    paragraphs = tuple(
        f"{tag} report {p}: the {thing} near {place} continued on day {p + 1}, officials said, "
        f"and residents of {place} described the {thing} in detail."
        for p in range(PASSAGES)
    )
    return ArticleDraft(title=f"{thing.title()} near {place} ({tag})", paragraphs=paragraphs,
                        url=f"https://news.example/{tag}", source="Test Wire", published_at="2026-03-01")


def main() -> None:
    mode, data_dir = sys.argv[1], Path(sys.argv[2])
    service = EventService(data_dir, Config(embedding=EmbeddingConfig(model="hash")), embedder=PacedEmbedder())
    print("ready", flush=True)
    if mode == "add":
        for n in range(int(sys.argv[3])):
            draft = article(n)
            result = service.add_draft(draft)
            print(f"{result.status} {draft.url}", flush=True)
    elif mode == "reindex":
        service.reindex(progress=lambda done, total: print(f"progress {done} {total}", flush=True))
        print("reindexed", flush=True)


if __name__ == "__main__":
    main()
