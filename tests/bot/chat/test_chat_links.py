"""Links in replies are exactly the ones we meant: no title, outlet or passage can make Discord's parser read
another. Checked against a small port of simple-markdown's inline rules (escape, autolink, url, link, text),
the parser Discord's markdown follows, with Discord's masked-link target (`[label](<url>)`)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.chat import render
from bot.results import AddResult, Answer, AnswerPassage
from corpus.models import Article

LINK_INSIDE = r"(?:\[[^\]]*\]|[^\[\]]|\](?=[^\[]*\]))*"
LINK_TARGET = r"\s*<?((?:[^()\s]|\([^()\s]*\))*?)>?(?:\s+['\"]([\s\S]*?)['\"])?\s*"
RULES = [
    ("escape", re.compile(r"^\\([^0-9A-Za-z\s])")),
    ("autolink", re.compile(r"^<([^: >]+:\/[^ >]+)>")),
    ("url", re.compile(r"^(https?:\/\/[^\s<]+[^<.,:;\"')\]\s])")),
    ("link", re.compile(r"^\[(" + LINK_INSIDE + r")\]\(" + LINK_TARGET + r"\)")),
]
TEXT = re.compile(r"^[\s\S]+?(?=[^0-9A-Za-z\s\u00c0-\uffff]|\n\n| {2,}\n|\w+:\S|$)")


def links(source: str) -> list[str]:
    """The targets of every link the parser reads in `source`, in order, links inside link labels included."""
    found, at = [], 0
    while at < len(source):
        rest = source[at:]
        for name, rule in RULES:
            m = rule.match(rest)
            if m:
                if name in ("autolink", "url"):
                    found.append(m.group(1))
                elif name == "link":
                    found.extend([m.group(2), *links(m.group(1))])
                at += m.end()
                break
        else:
            m = TEXT.match(rest)
            at += m.end() if m else 1
    return found


def test_the_port_reads_links_as_discord_does() -> None:
    assert links("see [the story](<https://kl.example/a>) now") == ["https://kl.example/a"]
    assert links("\\[not a link\\](https://x.example)") == ["https://x.example"]  # the bare URL still links
    assert links("[a [b] c](https://x.example/(1))") == ["https://x.example/(1)"]


FORGED = "Reuters exclusive](https://evil.example/login) ["


def test_a_title_cannot_forge_a_link() -> None:
    line = render.linked_title(FORGED, "https://hw.example/dam")
    assert links(line) == ["https://hw.example/dam"]
    assert "Reuters exclusive" in line and "evil.example" in line  # shown, as text


def test_an_outlet_cannot_forge_a_link_in_also_carried_by_or_differs_from() -> None:
    p = AnswerPassage(text="Talks resumed.", title=FORGED, url="https://hw.example/a", source=FORGED, author=None,
                      published_at=None, score=1.0, similarity=0.5, article_id=1, passage_id=1)
    p.also_carried_by.append({"source": FORGED, "url": "https://kl.example/a", "title": FORGED})
    p.disagrees_with.append({"source": FORGED, "url": "https://vc.example/a", "title": FORGED,
                             "relation": "other outlet", "detail": FORGED})
    [embed] = render.answer_reply(Answer("talks", True, [p], 3)).embeds
    assert links(embed.description) == ["https://hw.example/a#:~:text=Talks%20resumed.", "https://kl.example/a", "https://vc.example/a"]


title = st.one_of(
    st.text(max_size=80),
    st.lists(st.sampled_from(["[", "]", "(", ")", "<", ">", "\\", " ", "https://evil.example/x", "http://e.example",
                              "x", "](", ")[", "<https://e.example>", "*", "`", "@everyone", ":", "//"]),
             max_size=20).map("".join),
)
url = st.from_regex(r"https://[a-z]{1,12}\.example/[A-Za-z0-9/_\-.~%()]{0,40}", fullmatch=True)


@settings(max_examples=300, deadline=None)
@given(title, url)
def test_any_title_links_to_its_url_and_nothing_else(text: str, target: str) -> None:
    assert links(render.linked_title(text, target)) == [render.link_target(target)]


@settings(max_examples=200, deadline=None)
@given(title, title, title, url)
def test_any_attribution_has_exactly_the_links_meant(headline: str, outlet: str, author: str, target: str) -> None:
    p = AnswerPassage(text="Talks resumed.", title=headline, url=target, source=outlet, author=author,
                      published_at="2026-03-04", score=1.0, similarity=0.5, article_id=1, passage_id=1,
                      speaker=author, origin=outlet)
    assert links(render.attribution(p)) == [render.link_target(render.passage_link(p))]
    article = Article(1, headline, target, outlet, author, None, None, None, "h", "x", 2)
    assert links(render.removed(article)) == [render.link_target(target)]
    assert links(render.add_result(AddResult(target, "added", "added", article))) == [render.link_target(target)]
    assert links(render.sources_page([article], 0, 1, 1)) in ([render.link_target(target)], [])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(title, title, url), min_size=1, max_size=6), title)
def test_any_answer_or_list_has_exactly_the_links_meant(rows: list[tuple[str, str, str]], body: str) -> None:
    """Every text a reply shows after a link is hostile too: no `]` in it may extend the link before it. (The
    passage's own URLs are links by design, shown in `<...>`: the body here has none.)"""
    (headline, outlet, target), *others = rows
    p = AnswerPassage(text=body.replace("http", "h").replace("<", "("), title=headline, url=target, source=outlet, author=outlet,
                      published_at=None, score=1.0, similarity=0.5, article_id=1, passage_id=1, speaker=headline)
    p.also_carried_by.extend({"source": o, "url": u, "title": h} for h, o, u in others)
    p.disagrees_with.extend({"source": o, "url": u, "title": h, "relation": "other outlet", "detail": h + o}
                            for h, o, u in others)
    [embed] = render.answer_reply(Answer("talks", True, [p], 3)).embeds
    meant = [render.link_target(render.passage_link(p))]
    carriers: dict[str, str] = {}
    for h, o, u in others:  # named once each, the first of a name kept, five at most
        carriers.setdefault(o or h or "another article", u)
    meant += [render.link_target(u) for u in carriers.values()][:render.CARRIERS_SHOWN]
    meant += [render.link_target(u) for _, _, u in others[:render.DIFFERENCES_SHOWN]]
    assert links(embed.description) == meant
    articles = [Article(n, h, u, o, o, "2026-03-04", None, None, str(n), "x", 2) for n, (h, o, u) in enumerate(rows)]
    page = render.sources_page(articles, 0, 1, len(articles))
    assert set(links(page)) <= {render.link_target(u) for _, _, u in rows}
    assert len(links(page)) == page.count("](<")
