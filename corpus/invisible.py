"""Characters that show as nothing: zero-width spaces and joiners, bidi marks and controls, tag characters.

They make text look like other text ("Reu\u200dters" shows as Reuters but is not the word Reuters, so a
filter for Reuters misses it) or reorder what is shown (a right-to-left override). No article keeps them:
`corpus.models.ArticleDraft` strips them from every field however the draft was made (import, text file,
HTML), and the HTML cleaner strips them from what it compares.
"""

from __future__ import annotations

INVISIBLE = frozenset(
    [
        "\u00ad",  # soft hyphen
        "\u061c",  # Arabic letter mark
        "\u180e",  # Mongolian vowel separator
        *map(chr, range(0x200B, 0x2010)),  # zero-width space, non-joiner, joiner; left-to-right and right-to-left marks
        *map(chr, range(0x202A, 0x202F)),  # bidi embeddings and overrides, pop directional formatting
        *map(chr, range(0x2060, 0x2065)),  # word joiner, invisible operators
        *map(chr, range(0x2066, 0x206A)),  # bidi isolates
        "\ufeff",  # zero-width no-break space (byte order mark)
        *map(chr, range(0xE0000, 0xE0080)),  # tag characters
    ]
)
_TABLE = dict.fromkeys(map(ord, INVISIBLE))


def strip_invisible(text: str) -> str:
    """`text` without the characters in `INVISIBLE`.

    Args:
        text: Any text.

    Returns:
        The text as it shows, with nothing hidden in it.
    """
    return text.translate(_TABLE)
