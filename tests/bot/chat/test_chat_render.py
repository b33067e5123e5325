"""Rendering answers for Discord: within every limit by construction, inert, the best sentence in bold."""

from __future__ import annotations

import re

import discord
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.chat import render
from bot.chat.render import (
    CONTENT_LIMIT,
    EMBED_DESCRIPTION_LIMIT,
    EMBED_TOTAL_LIMIT,
    EMBEDS_PER_MESSAGE,
    ZWSP,
    dlen,
)
from bot.results import AddResult, Answer, AnswerPassage, Reason, Stats
from corpus.models import Article

NASTY = [
    "@everyone", "@here", "<@123456789012345678>", "<@!123456789012345678>", "<@&456456456456456456>",
    "<#789789789789789789>", "</ask:123456789012345678>", "**", "*", "__", "_", "||", "`", "```", "~~", ">",
    "> quote", "# Heading", "-#", "- item", "1.", "[click](https://evil.example/x)", "https://a.example/b_(c)*d*",
    "\\", "\\*", ":smile:", "<:e:123456789012345678>", "<t:1700000000:R>", "\u202e", "\x00", "\n\n", "\t",
    "Col.", "Dr.", "e.g.", "U.S.", "...", "!", "?", ".", "\u201cQuoted.\u201d", "(aside.)", "\U0001f600",
    "\U0001f468\u200d\U0001f469\u200d\U0001f467", "e\u0301", "\u4e2d\u6587", "\u0645\u0631\u062d\u0628\u0627",
]
MENTION_LIKE = re.compile(r"@(everyone|here)|<@[!&]?\d+>|<#\d+>|</\w+:\d+>")

word = st.one_of(st.sampled_from(NASTY), st.text(min_size=1, max_size=12),
                 st.from_regex(r"[A-Za-z]{1,10}", fullmatch=True),
                 st.sampled_from(["dam", "breach", "residents", "evacuated", "Velmora", "ceasefire", "strike"]))
text = st.lists(word, min_size=0, max_size=60).map(" ".join)
# Long texts cheaply: a few words repeated (hypothesis is slow to draw thousands of them).
long_text = st.tuples(st.lists(word, min_size=1, max_size=30), st.integers(1, 80)).map(lambda t: " ".join(t[0] * t[1]))
url = st.from_regex(r"https://[a-z]{1,20}\.example/[A-Za-z0-9/_\-.~%]{0,1500}", fullmatch=True)
maybe_url = st.one_of(st.none(), url, st.sampled_from(["ftp://x.example/a", "javascript:alert(1)", "not a url", ""]))


def passage(body: str, title: str = "Dam breach floods lower Velmora", url: str | None = "https://hw.example/dam",
            source: str | None = "Harbour Watch", author: str | None = "Tomas Reyes", origin: str | None = None,
            n: int = 0) -> AnswerPassage:
    return AnswerPassage(text=body, title=title, url=url, source=source, author=author,
                         published_at="2026-03-04T09:30:00+00:00", score=1.0 - n / 100, similarity=0.5,
                         article_id=n + 1, passage_id=n + 1, origin=origin)


def embed_total(embed: discord.Embed) -> int:
    d = embed.to_dict()
    total = sum(dlen(d.get(k) or "") for k in ("title", "description"))
    total += sum(dlen(f["name"]) + dlen(f["value"]) for f in d.get("fields", []))
    total += dlen((d.get("footer") or {}).get("text", "")) + dlen((d.get("author") or {}).get("name", ""))
    return total


def assert_within_limits(reply: render.Reply) -> None:
    assert reply.content is None or 0 < dlen(reply.content) <= CONTENT_LIMIT
    assert len(reply.embeds) <= EMBEDS_PER_MESSAGE
    for embed in reply.embeds:
        assert 0 < dlen(embed.description or "") <= EMBED_DESCRIPTION_LIMIT
        assert dlen(embed.title or "") <= 256
        assert all(dlen(f.value or "") <= 1024 and dlen(f.name or "") <= 256 for f in embed.fields)
    assert sum(embed_total(e) for e in reply.embeds) <= EMBED_TOTAL_LIMIT
    kwargs = reply.kwargs()
    mentions = kwargs["allowed_mentions"]
    assert (mentions.everyone, mentions.users, mentions.roles, mentions.replied_user) == (False, False, False, False)


def assert_inert(markdown: str) -> None:
    """No mention can ping or render; nothing but one bold span and our own title link is live markdown."""
    assert not MENTION_LIKE.search(markdown), markdown
    assert "\u202e" not in markdown and "\x00" not in markdown
    live = re.sub(r"<https?://[^\s<>]+>", "", markdown)  # links, wrapped so they do not unfurl
    live = re.sub(r"\\.", "", live)  # escaped characters
    live = re.sub(r" \u00b7 \[([^\[\]]*)\]\(\)$", r" \1", live)  # the title link ending an attribution line
    live = re.sub(r"^\u2014 \[([^\[\]]*)\]\(\)$", r"\1", live)
    live = live.replace("**", "", 2 if live.count("**") >= 2 else 0)
    assert not set(live) & set("*_~|`[]\\"), markdown


def tokens(markdown: str) -> list[str]:
    words = []
    for w in markdown.split():
        if w in (render.ELLIPSIS, "\u2014"):
            continue
        w = w.removeprefix("**")
        w = w[:-2] if w.endswith("**") and not w.endswith("\\**") or w.endswith("\\\\**") else w
        words.append(w)
    return words


def assert_whole_words(body: str, source: str) -> None:
    """Every word shown is a whole word of the source, as escaped (no word cut in the middle)."""
    allowed = set()
    for w in render.clean(source).split(" "):
        if w:
            allowed |= {render.escape_word(w), render.escape_word(w, first=True)}
    for w in tokens(body):
        assert w in allowed, (w, body[:300])


# -- limits, by construction --------------------------------------------------------------------


def test_adversarial_answer_fits_every_limit() -> None:
    body = " ".join(["@everyone <@123456789012345678> <@&456456456456456456> <#789789789789789789> **bold** ||spoiler||"
                     " `code` [link](https://evil.example) The dam broke overnight."] * 60)
    assert len(body) > 5000
    long_url = "https://www.harbourwatch.example/" + "a" * 1470
    passages = [passage(body, title="T" * 20 + " " + "Title words " * 40, url=long_url, n=n) for n in range(10)]
    reply = render.answer_reply(Answer("what happened at the dam?", True, passages, 10))
    assert_within_limits(reply)
    assert reply.embeds, "at least the best passage is shown"
    for embed in reply.embeds:
        assert f"(<{long_url}#:~:text=" in embed.description  # the link whole, to the paragraph
        assert_inert(embed.description)
    assert "best" in reply.content  # says that fewer passages are shown than found


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(question=text, bodies=st.lists(long_text, min_size=1, max_size=12),
       titles=st.lists(text, min_size=12, max_size=12), urls=st.lists(maybe_url, min_size=12, max_size=12),
       names=st.lists(st.one_of(st.none(), text), min_size=3, max_size=3))
def test_any_answer_fits_and_is_inert(question: str, bodies: list[str], titles: list[str], urls: list[str | None],
                                      names: list[str | None]) -> None:
    source, author, origin = names
    passages = [passage(b, titles[i], urls[i], source, author, origin, n=i) for i, b in enumerate(bodies)]
    reply = render.answer_reply(Answer(question or "?", True, passages, 99))
    assert_within_limits(reply)
    assert_inert(reply.content)
    assert 1 <= len(reply.embeds) <= min(len(passages), EMBEDS_PER_MESSAGE)
    for embed, p in zip(reply.embeds, passages, strict=False):
        body, _, attribution = embed.description.rpartition("\n")
        assert attribution.startswith("\u2014 ")
        assert_inert(body)
        assert_whole_words(body, p.text)
        target = render.link_target(render.passage_link(p))
        if target:
            assert f"](<{target}>)" in attribution


@settings(max_examples=100, deadline=None)
@given(body=long_text, question=text, budget=st.integers(min_value=1, max_value=5000))
def test_passage_fits_any_budget_without_cutting_words(body: str, question: str, budget: int) -> None:
    out = render.passage_markdown(body, question, budget)
    assert dlen(out) <= budget
    assert_inert(out)
    assert_whole_words(out, body)


@settings(max_examples=150, deadline=None)
@given(value=text, limit=st.integers(min_value=1, max_value=400))
def test_shorten_and_fit_respect_their_limit(value: str, limit: int) -> None:
    assert dlen(render.shorten(value, limit)) <= limit
    assert dlen(render.fit(render.escape(value), limit)) <= limit
    assert_inert(render.escape(value))
    assert dlen(render.thread_name(value)) <= 100


@pytest.mark.parametrize("hostile", ["@everyone", "@here", "<@123456789012345678>", "<@&456456456456456456>",
                                     "<#789789789789789789>", "<@!123456789012345678>"])
def test_mentions_get_a_zero_width_space(hostile: str) -> None:
    out = render.escape(f"hello {hostile} there")
    assert not MENTION_LIKE.search(out)
    assert ZWSP in out
    assert out.replace(ZWSP, "") == f"hello {hostile} there"


def test_markdown_is_escaped_and_bare_links_do_not_unfurl() -> None:
    out = render.escape("**bold** __under__ ||spoiler|| `code` ~~gone~~ [x](https://evil.example) "
                        "see https://a.example/p_q.")
    assert out.startswith(r"\*\*bold\*\* \_\_under\_\_ \|\|spoiler\|\| \`code\` \~\~gone\~\~ \[x\]")
    assert "<https://a.example/p_q>." in out
    assert render.escape("# Heading") == r"\# Heading" and render.escape("> quote") == r"\> quote"
    assert render.escape("1. first") == r"1\. first"


# -- cutting and bolding --------------------------------------------------------------------------

DAM = ("Floodwater poured through a breach in the Stavros dam overnight. Col. Anja Verlinde said 1,200 residents "
       "were evacuated from the riverside quarter. Pumping crews are expected by Thursday.")


def test_sentences_split_at_ends_not_at_abbreviations() -> None:
    assert render.split_sentences(DAM) == [
        "Floodwater poured through a breach in the Stavros dam overnight.",
        "Col. Anja Verlinde said 1,200 residents were evacuated from the riverside quarter.",
        "Pumping crews are expected by Thursday.",
    ]


def test_bold_sentence_is_the_one_with_most_question_words() -> None:
    question = "how many residents were evacuated from the riverside quarter?"
    sentences = render.split_sentences(DAM)
    scores = [render.overlap(question, s) for s in sentences]
    assert render.best_sentence(question, sentences) == scores.index(max(scores)) == 1
    out = render.passage_markdown(DAM, question, 4000)
    assert "**Col. Anja Verlinde said 1,200 residents were evacuated from the riverside quarter.**" in out
    assert out.count("**") == 2


def test_no_bold_when_no_sentence_shares_a_word() -> None:
    assert render.best_sentence("banana bread recipe", render.split_sentences(DAM)) is None
    assert "**" not in render.passage_markdown(DAM, "banana bread recipe", 4000)


def test_long_passage_is_cut_at_a_sentence_end_with_an_ellipsis() -> None:
    out = render.passage_markdown(DAM, "breach in the dam", 120)
    assert out == "**Floodwater poured through a breach in the Stavros dam overnight.** \u2026"


def test_cut_keeps_the_bold_sentence_in_view() -> None:
    body = " ".join(f"Filler sentence number {i} about nothing much." for i in range(40))
    body += " The dam breach drowned the valley."
    out = render.passage_markdown(body, "dam breach", 200)
    assert out.startswith("\u2026 **The dam breach drowned the valley.**")


def test_one_huge_sentence_is_cut_between_words() -> None:
    body = "word " * 2000 + "end."
    out = render.passage_markdown(body, "nothing", 100)
    assert dlen(out) <= 100 and out.endswith(" \u2026") and set(out[:-2].split()) == {"word"}


def test_links_longer_than_discord_takes_are_left_out_not_cut() -> None:
    assert render.link_target("https://x.example/" + "a" * 3000) is None
    assert render.linked_title("Title", "https://x.example/" + "a" * 3000) == "Title"
    assert render.link_target("https://x.example/a b(c)") == "https://x.example/a%20b%28c%29"
    assert render.link_target("javascript:alert(1)") is None and render.link_target("/etc/passwd") is None


def test_attribution_line_names_outlet_origin_author_date_and_links_the_title() -> None:
    p = passage("Text.", origin="Meridian Press")
    assert render.attribution(p) == (
        "\u2014 Meridian Press via Harbour Watch \u00b7 Tomas Reyes \u00b7 2026-03-04 \u00b7 "
        "[Dam breach floods lower Velmora](<https://hw.example/dam#:~:text=Text.>)")
    bare = AnswerPassage("Text.", "Untold", None, None, None, None, 0.1, 0.5, 1, 1)
    assert render.attribution(bare) == "\u2014 Untold"


# -- nothing found, and the other replies --------------------------------------------------------


def test_nothing_found_says_so_with_a_hint_and_no_passages() -> None:
    answer = Answer("banana bread", False, [], 12, Reason.NOTHING_RELEVANT)
    reply = render.answer_reply(answer, outlets=[("Harbour Watch", 7), ("Northwire", 5)])
    assert reply.embeds == ()
    assert reply.content == ("I found nothing about that in the 12 articles I hold. "
                             "They come from Harbour Watch (7), Northwire (5).")
    titled = render.answer_reply(answer, titles=["Dam breach floods lower Velmora"])
    assert "Among them: *Dam breach floods lower Velmora*" in titled.content
    empty = render.answer_reply(Answer("dam", False, [], 0, Reason.NO_ARTICLES))
    assert "/add" in empty.content and "eventbot" not in empty.content


def article(**kw: object) -> Article:
    base = dict(id=7, title="Dam breach floods lower Velmora", url="https://hw.example/dam", source="Harbour Watch",
                author=None, published_at="2026-03-04", language="en", origin=None, content_hash="x",
                added_at="2026-03-05", passage_count=3)
    return Article(**{**base, **kw})


def test_add_results() -> None:
    assert render.add_result(AddResult("u", "added", "added", article())) == (
        "Added: [Dam breach floods lower Velmora](<https://hw.example/dam>) (3 passages, article 7).")
    assert render.add_result(AddResult("u", "duplicate", "already held as article 7: Dam @everyone")) == (
        f"Already held as article 7: Dam @{ZWSP}everyone")
    failed = render.add_result(AddResult("u", "failed", "could not fetch https://x.example/a_b: 404"))
    assert failed == "Could not add that: could not fetch <https://x.example/a_b>: 404"


def test_sources_page_fits_with_hostile_titles_and_long_links() -> None:
    articles = [article(id=i, title="@everyone **" + "long title " * 60, url="https://x.example/" + "a" * 1500,
                        source="<@&456456456456456456>") for i in range(10)]
    out = render.sources_page(articles, 0, 3, 25)
    assert dlen(out) <= CONTENT_LIMIT and out.count("\n") == 10
    assert_inert(re.sub(r"`\d+`", "", out))  # the ids are our own code spans
    assert out.startswith("**25 articles held** (page 1 of 3")


def test_stats_and_progress_messages() -> None:
    stats = Stats(12, 40, 40, "hash", "/d", 2_500_000, [("Harbour Watch", 7)])
    assert "**Articles:** 12" in render.stats_message(stats) and "Harbour Watch (7)" in render.stats_message(stats)
    progress = render.reindex_progress(1024, 4096, 65)
    assert progress == "Rebuilding the index: 1,024 of 4,096 articles, 1 min 5 s elapsed."
    assert render.reindex_done(stats, 3.2).startswith("Rebuilt the index: done. 40 passages of 12 articles")


def test_mentioned_question_and_thread_name() -> None:
    assert render.mentioned_question("<@42> what happened at the dam?", 42) == "what happened at the dam?"
    assert render.mentioned_question("hey <@!42>  dam?", 42) == "hey dam?"
    assert render.mentioned_question("<@43> dam?", 42) is None
    assert render.thread_name("x" * 300) == "x" * 99 + render.ELLIPSIS
    assert render.thread_name("   ") == "question"


def test_syndicated_passage_names_and_links_the_other_carriers() -> None:
    p = passage("The talks resumed on Monday.", n=0)
    p.also_carried_by.extend([{"source": "The Kestrel Ledger", "url": "https://kl.example/talks", "title": "Talks"},
                              {"source": "@everyone News", "url": None, "title": None}])
    reply = render.answer_reply(Answer("talks", True, [p], 2))
    assert_within_limits(reply)
    description = reply.embeds[0].description
    last = description.splitlines()[-1]
    assert last == f"also carried by [The Kestrel Ledger](<https://kl.example/talks>), @{render.ZWSP}everyone News"
    assert "[Dam breach floods lower Velmora](<https://hw.example/dam#:~:text=The%20talks%20resumed%20on%20Monday.>)" \
        in description


def test_a_copy_that_differs_is_named_with_what_it_says() -> None:
    p = passage("Air defences shot down 41 drones over the ridge.", n=0)
    p.disagrees_with.extend([
        {"source": "Harbour Watch", "url": "https://hw.example/drones", "title": "Drones", "relation": "other outlet",
         "detail": "Valley Courier reports 41 drones; Harbour Watch reports 14 drones"},
        {"source": "Valley Courier", "url": "https://vc.example/drones-2", "title": "Drones",
         "relation": "later version", "detail": "Valley Courier's later version (2026-09-18) reports 12 drones; "
                                                 "this one reports 41 drones"}])
    reply = render.answer_reply(Answer("drones", True, [p], 2))
    assert_within_limits(reply)
    lines = reply.embeds[0].description.splitlines()
    assert lines[-2] == ("differs from [Harbour Watch](<https://hw.example/drones>): Valley Courier reports 41 drones; "
                         "Harbour Watch reports 14 drones")
    assert lines[-1] == ("corrected in [a later version](<https://vc.example/drones-2>): Valley Courier's later "
                         "version (2026-09-18) reports 12 drones; this one reports 41 drones")


# -- maximal attributions (issue 16): every part budgeted ---------------------------------------------

# Maximal parts cheaply: a short draw repeated to the limit (100-character names, 2,000-character links).
long_name = st.tuples(st.text(min_size=1, max_size=8), st.integers(80, 130)).map(lambda t: (t[0] * 130)[:t[1]])
long_link = st.tuples(st.from_regex(r"[a-z0-9_~-]{1,6}", fullmatch=True), st.integers(1500, 2048)).map(
    lambda t: ("https://outlet.example/" + t[0] * 2048)[:t[1]])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                              HealthCheck.large_base_example])
@given(n=st.integers(1, 12), copies=st.integers(0, 12), differing=st.integers(0, 6), title=long_name,
       names=st.lists(long_name, min_size=3, max_size=3), link=long_link, body=long_text)
def test_maximal_attributions_always_fit_and_show_the_best_passage(n: int, copies: int, differing: int, title: str,
                                                                   names: list[str], link: str, body: str) -> None:
    source, author, origin = names
    passages = []
    for i in range(n):
        p = AnswerPassage(text=body or "The dam broke.", title=title * 3, url=link, source=source, author=author,
                          published_at="2026-03-04", score=1.0, similarity=0.5, article_id=i + 1, passage_id=i + 1,
                          origin=origin, speaker=names[0])
        p.also_carried_by.extend({"source": f"{source} {c}", "url": f"{link}/{c}", "title": title}
                                 for c in range(copies))
        p.disagrees_with.extend({"source": f"{author} {c}", "url": f"{link}?v={c}", "title": title,
                                 "relation": "other outlet", "detail": title * 4} for c in range(differing))
        passages.append(p)
    reply = render.answer_reply(Answer("what happened at the dam?", True, passages, 99))
    assert_within_limits(reply)
    assert 1 <= len(reply.embeds) == len(reply.passages) <= min(n, EMBEDS_PER_MESSAGE)
    for embed in reply.embeds:
        assert "\u2014 " in embed.description  # each shown passage keeps its attribution
    if len(reply.embeds) < n:
        assert f"the best {len(reply.embeds)} of {n} passages" in reply.content


def test_five_copies_with_long_links_stay_within_the_description_limit() -> None:
    link = "https://www.harbourwatch.example/" + "a" * 800
    p = passage("The talks resumed on Monday. " * 40, url=link)
    p.also_carried_by.extend({"source": f"Outlet {c}", "url": f"{link}/{c}", "title": "Talks"} for c in range(5))
    reply = render.answer_reply(Answer("talks", True, [p], 6))
    assert_within_limits(reply)
    description = reply.embeds[0].description
    assert "also carried by [Outlet 0]" in description  # the first copies linked, the rest named or counted
    assert dlen(description) <= EMBED_DESCRIPTION_LIMIT


def test_a_mention_reply_does_not_repeat_the_question() -> None:
    p = passage("The dam broke overnight.")
    echoed = render.answer_reply(Answer("what happened at the dam?", True, [p], 1))
    quiet = render.answer_reply(Answer("what happened at the dam?", True, [p], 1), echo_question=False)
    assert "what happened" in echoed.content and quiet.content is None
    assert [e.description for e in quiet.embeds] == [e.description for e in echoed.embeds]
