"""The bundled demo corpus: original articles written for this project (see corpus/demo/README.md)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

DEMO_DIR = Path(__file__).resolve().parent / "demo"


@dataclass(frozen=True)
class DemoArticle:
    filename: str
    url: str | None
    content: bytes
    meta: dict


def manifest() -> dict:
    return json.loads((DEMO_DIR / "manifest.json").read_text(encoding="utf-8"))


def load() -> list[DemoArticle]:
    """Every demo page with the URL it claims to live at."""
    return [DemoArticle(a["file"], a.get("url"), (DEMO_DIR / a["file"]).read_bytes(), a) for a in manifest()["articles"]]


def sample_questions(limit: int = 3) -> list[str]:
    """A few answerable questions, then one the corpus cannot answer."""
    questions = manifest()["questions"]
    answerable = [q["question"] for q in questions if q.get("file")][:limit]
    unanswerable = [q["question"] for q in questions if not q.get("file")][:1]
    return answerable + unanswerable
