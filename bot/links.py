"""Links to the paragraph itself: a URL text fragment (`#:~:text=`) built from a passage's first words.

Browsers that support text fragments scroll to and highlight the paragraph; the others open the page
at its top, as before. Pure functions, no Discord.
"""

from __future__ import annotations

from urllib.parse import quote

FRAGMENT_WORDS = 6  # the passage's first words used to find it on the page
FRAGMENT_CHARS = 120  # at most this many characters of them
DIRECTIVE = ":~:"


def encode_text(text: str) -> str:
    """`text` percent-encoded for a text directive: besides what URLs escape, `-`, `&` and `,` (which the
    directive's syntax uses) are escaped too (Text Fragments spec, "text directive" syntax)."""
    return quote(text, safe="").replace("-", "%2D")


def first_words(text: str, words: int = FRAGMENT_WORDS, chars: int = FRAGMENT_CHARS) -> str:
    """The first `words` whole words of `text` (whitespace collapsed), within `chars` characters."""
    taken: list[str] = []
    for word in text.split():
        if taken and (len(taken) >= words or len(" ".join([*taken, word])) > chars):
            break
        taken.append(word)
    return " ".join(taken)[:chars]


def paragraph_url(url: str | None, text: str) -> str | None:
    """`url` pointing at the paragraph starting with `text`: `#:~:text=...` appended, or `:~:text=...` after a
    fragment the URL has already. A URL that already carries a directive is kept as it is; None stays None."""
    if not url:
        return url
    start = first_words(text)
    if not start or DIRECTIVE in url:
        return url
    directive = f"{DIRECTIVE}text={encode_text(start)}"
    return f"{url}{directive}" if "#" in url else f"{url}#{directive}"
