"""Text as the attribution rules read it."""

from __future__ import annotations

import re


def normalise(text: str) -> str:
    """`text` with curly quotes made straight and runs of whitespace made one space."""
    text = re.sub("[“”„‟″]", '"', text)
    text = re.sub("[‘’‚‛′]", "'", text)
    return " ".join(text.split())
