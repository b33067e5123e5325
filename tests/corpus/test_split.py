from corpus.split import passages_from, split_long, split_paragraphs


def test_short_lines_join_the_paragraph_after_them() -> None:
    paragraphs = ["Apple deals", "AirPods", "AirPods Pro 2 are down to $189 at Amazon today.", "Laptop deals"]
    assert passages_from(paragraphs) == ["Apple deals\nAirPods\nAirPods Pro 2 are down to $189 at Amazon today.\nLaptop deals"]


def test_many_tiny_paragraphs_become_bounded_passages() -> None:
    passages = passages_from([f"w{i}" for i in range(10_000)], max_chars=500)
    assert all(len(p) <= 500 for p in passages) and len(passages) < 200


def test_long_paragraph_is_cut_at_sentence_ends() -> None:
    text = "The dam held. " * 300
    pieces = split_long(text.strip(), 200)
    assert all(len(p) <= 200 and p.endswith("held.") for p in pieces)
    assert " ".join(pieces) == text.strip()


def test_body_split_on_blank_lines() -> None:
    assert split_paragraphs("One  two\nthree.\n\n\n  \nFour five.") == ["One two three.", "Four five."]
