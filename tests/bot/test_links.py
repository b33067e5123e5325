"""Links to a passage's paragraph: text fragments per the Text Fragments spec."""

from __future__ import annotations

from urllib.parse import unquote

from hypothesis import given
from hypothesis import strategies as st

from bot.links import encode_text, first_words, paragraph_url


def test_a_link_points_at_the_paragraph_s_first_words() -> None:
    text = "Officials said on Monday - after the vote - that the dam, built in 1961, would hold."
    assert paragraph_url("https://hw.example/dam", text) == (
        "https://hw.example/dam#:~:text=Officials%20said%20on%20Monday%20%2D%20after")


def test_dash_ampersand_and_comma_are_escaped() -> None:
    assert encode_text("A-B & C, D") == "A%2DB%20%26%20C%2C%20D"


def test_an_existing_fragment_is_kept_and_a_directive_not_doubled() -> None:
    assert paragraph_url("https://x.example/a#section-2", "Hello there") == \
        "https://x.example/a#section-2:~:text=Hello%20there"
    assert paragraph_url("https://x.example/a#:~:text=Old", "Hello") == "https://x.example/a#:~:text=Old"
    assert paragraph_url(None, "Hello") is None and paragraph_url("https://x.example/a", "   ") == "https://x.example/a"


def test_first_words_are_whole_and_bounded() -> None:
    assert first_words("one two three four five six seven") == "one two three four five six"
    assert first_words("x" * 500) == "x" * 120


@given(st.text(min_size=1, max_size=300))
def test_any_text_round_trips_and_leaves_no_directive_syntax(text: str) -> None:
    encoded = encode_text(first_words(text))
    assert not set(encoded) & set("-&,# ") and unquote(encoded) == first_words(text)
