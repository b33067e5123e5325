"""Reading JSON-LD (schema.org) article metadata: the article objects of a document and their names and texts."""

from __future__ import annotations

import re
from typing import Any

from corpus.clean import collapse_whitespace

ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "backgroundnewsarticle",
        "reviewnewsarticle",
        "askpublicquestionarticle",
        "blogposting",
        "liveblogposting",
        "socialmediaposting",
        "scholarlyarticle",
        "report",
    }
)


def articles(data: Any) -> Any:
    """Yield article-typed objects anywhere in a JSON-LD document (incl. @graph)."""
    if isinstance(data, list):
        for item in data:
            yield from articles(item)
    elif isinstance(data, dict):
        types = data.get("@type")
        types = types if isinstance(types, list) else [types]
        if any(isinstance(t, str) and t.lower() in ARTICLE_TYPES for t in types):
            yield data
        graph = data.get("@graph")
        if graph is not None:
            yield from articles(graph)


def text(value: Any) -> str | None:
    """A JSON-LD value as a string (first of a list), or None."""
    if isinstance(value, list):
        value = value[0] if value else None
    return (value.strip() or None) if isinstance(value, str) else None


def names(value: Any) -> str | None:
    """Names of JSON-LD persons/organizations, joined with '; '."""
    values = value if isinstance(value, list) else [value]
    found: list[str] = []
    for item in values:
        name = item.get("name") if isinstance(item, dict) else item
        if is_name(name):
            found.append(collapse_whitespace(name))
    return "; ".join(n for n in found if n) or None


def is_name(value: Any) -> bool:
    """A plausible person or site name (not empty, not a URL)."""
    return isinstance(value, str) and bool(value.strip()) and not re.match(r"\s*(?:https?:)?//", value)
