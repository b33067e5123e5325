"""Replies as Discord messages: pure functions, within Discord's limits by construction.

Everything taken from an article (or typed by a member and echoed back) goes through `escape`:
no mention can ping or render (a zero-width space after every `@` and `<`), no markdown can change
the layout (markdown characters are backslash-escaped), and bare links are wrapped in `<...>` so
they never unfurl. The only links in a reply are the ones made here. Discord's parser (simple-markdown)
matches a whole `[label](url)` before it reads backslash escapes, and a label may run on over a `]` to any
later `](...)` in the same text, so escaping is not enough: a link's label (`label`) holds none of
`[ ] ( ) < >`, and names, titles and details, which may follow a link, hold no `[` or `]` and no URL
(`unlinked`); brackets become look-alikes, a scheme's `://` gets a zero-width space. Passage text comes
before any link in its embed and keeps its brackets, escaped. Lengths are measured in UTF-16 code units (`dlen`), which is never less than
the character count, so a text within a limit by `dlen` is within it however Discord counts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import discord

from bot.links import paragraph_url
from bot.present import attribution_parts, disagreement_parts, partial_note, section_part, why_unanswered
from bot.results import AddResult, Answer, AnswerPassage, Stats
from corpus.models import Article, Passage

CONTENT_LIMIT = 2000
EMBED_DESCRIPTION_LIMIT = 4096
EMBED_FIELD_LIMIT = 1024  # no field is used; kept to document the limits
EMBED_TOTAL_LIMIT = 6000
EMBEDS_PER_MESSAGE = 10
THREAD_NAME_LIMIT = 100
TITLE_CHARS = 256  # a title shown as link text
NAME_CHARS = 100  # an outlet, author or speaker
URL_CHARS = 2048  # longer links are shown unlinked rather than cut
MIN_BODY = 120  # the least passage text worth showing beside an attribution

ZWSP = "\u200b"
ELLIPSIS = "\u2026"
NO_MENTIONS = discord.AllowedMentions.none()
COLOUR = discord.Colour.blurple()
SOMETHING_WRONG = "Something went wrong; it has been logged."

_URL = re.compile(r"https?://[^\s<>\"`]+", re.IGNORECASE)
_URL_TRAILING = ".,;:!?)]}'\"*_~|"
_MARKDOWN = frozenset("\\*_~|`[]")
_LINE_START = frozenset("#>-+")
_ORDERED = re.compile(r"\d+[.)]")
# Control characters (whitespace ones aside) and bidi overrides, which could garble the layout.
_DROP = {c: None for c in [*range(0x20), *range(0x7F, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
         if not chr(c).isspace()}
_LINK_UNSAFE = frozenset(' <>"()`{}|\\^')
# Look-alikes for the characters that could end a link's label (or, after a link, extend it) or start a URL.
_BRACKETS_SAFE = {"[": "\u2772", "]": "\u2773"}
_NAME_SAFE = str.maketrans(_BRACKETS_SAFE)
_LABEL_SAFE = str.maketrans({**_BRACKETS_SAFE, "(": "\u2768", ")": "\u2769", "<": "\u2039", ">": "\u203a"})
_SCHEME_SLASHES = re.compile(r"(?<=:)(?=//)")
# A sentence ends at . ! ? (maybe closed by a quote or bracket) before a space and a non-lowercase letter.
_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)\]]*\s+(?=[^\s\w]*[^\W_a-z])")
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof col gen maj lt sgt capt cpl adm gov sen rep st jr sr no vs etc inc ltd co corp dept fig approx"
    " jan feb mar apr jun jul aug sep sept oct nov dec mt ft rev hon".split()
)
_WORD = re.compile(r"\w+")
_STOPWORDS = frozenset(
    "a an the of in on at to for from by with and or but nor is are was were be been being it its this that these"
    " those what which who whom whose when where why how did do does done has have had will would can could should"
    " may might must about into over after before than then there their they them he she his her we our you your i"
    " me my as not no so if any some all also just more most up out said says say tell told know".split()
)


# -- measuring and escaping -------------------------------------------------------------------


def dlen(text: str) -> int:
    """Length in UTF-16 code units: an upper bound on the length Discord counts."""
    return len(text.encode("utf-16-le")) // 2


def clean(text: str) -> str:
    """Control and bidi-override characters dropped, all whitespace runs made one space."""
    return " ".join(text.translate(_DROP).split())


def link_target(url: str | None) -> str | None:
    """`url` made safe inside `(<...>)`, or None when it is no http(s) link or too long to show whole."""
    if not url:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    safe = "".join(f"%{ord(c):02X}" if c in _LINK_UNSAFE or c.isspace() or ord(c) < 32 or ord(c) == 127 else c
                   for c in url)
    safe = re.sub(r"@(?=everyone|here)", "%40", safe, flags=re.IGNORECASE)
    return safe if dlen(safe) <= URL_CHARS else None


def _escape_plain(text: str) -> str:
    out = []
    for c in text:
        if c in _MARKDOWN:
            out.append("\\" + c)
        elif c in "@<":
            out.append(c + ZWSP)
        else:
            out.append(c)
    return "".join(out)


def escape_word(word: str, first: bool = False) -> str:
    """One word (no spaces) made inert. `first`: the word may start a line, where `#`, `>`, `-` mean markdown."""
    out, at = [], 0
    for m in _URL.finditer(word):
        url = m.group().rstrip(_URL_TRAILING)
        if len(url) < len("http://x"):
            continue
        out.append(_escape_plain(word[at:m.start()]))
        out.append(f"<{re.sub(r'@(?=everyone|here)', '%40', url, flags=re.IGNORECASE)}>")
        at = m.start() + len(url)
    out.append(_escape_plain(word[at:]))
    text = "".join(out)
    if first and text:
        if text[0] in _LINE_START:
            text = "\\" + text
        elif _ORDERED.fullmatch(text):
            text = text[:-1] + "\\" + text[-1]
    return text


def escape(text: str) -> str:
    """Text from an article or a member, on one line, unable to ping or to break the layout."""
    return " ".join(escape_word(w, first=i == 0) for i, w in enumerate(clean(text).split(" ")) if w)


def unlinked(text: str, limit: int) -> str:
    """`shorten` for a name, title or detail, which must not link anywhere nor reach into a link before it:
    brackets become look-alikes, and a zero-width space between a URL's scheme and its slashes leaves the URL
    readable but no URL to any parser."""
    return shorten(_SCHEME_SLASHES.sub(ZWSP, clean(text).translate(_NAME_SAFE)), limit)


def label(text: str, limit: int) -> str:
    """`unlinked` for a link's label: brackets, parentheses and angle brackets become look-alikes, so that the
    label can neither end before the link's own `](` nor hold another link."""
    return unlinked(clean(text).translate(_LABEL_SAFE), limit)


def shorten(text: str, limit: int) -> str:
    """`escape(text)` cut between words to at most `limit` (with an ellipsis when cut)."""
    words = [escape_word(w, first=i == 0) for i, w in enumerate(clean(text).split(" ")) if w]
    whole = " ".join(words)
    if dlen(whole) <= limit:
        return whole
    return _take_words(words, limit - 1) + ELLIPSIS if limit >= 1 else ""


def _take_words(words: Sequence[str], limit: int, sep: str = " ") -> str:
    """The longest run of leading whole words within `limit`; words joined by spaces."""
    taken, used = [], 0
    for w in words:
        extra = dlen(w) + (len(sep) if taken else 0)
        if used + extra > limit:
            break
        taken.append(w)
        used += extra
    return sep.join(taken)


def fit(text: str, limit: int = CONTENT_LIMIT) -> str:
    """Already escaped text kept within `limit`, cut at a space or line end (with an ellipsis) when it has to be."""
    if dlen(text) <= limit:
        return text
    end, used = 0, 0
    for end, c in enumerate(text):  # noqa: B007 - `end` is the first character that does not fit
        used += 2 if ord(c) > 0xFFFF else 1
        if used > limit - 1:
            break
    space = max(text.rfind(" ", 0, end + 1), text.rfind("\n", 0, end + 1))
    # An escape's backslash must not end the text, or it would escape the ellipsis.
    return text[:max(space, 0)].rstrip("\\ \n") + ELLIPSIS


# -- choosing and bolding the best sentence ---------------------------------------------------


def split_sentences(text: str) -> list[str]:
    """Sentences of one paragraph; common abbreviations ("Col.", "Dr.") and initials do not end one."""
    text = clean(text)
    sentences, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        before = text[start:m.start()].rsplit(" ", 1)[-1].lower().lstrip("(\"'\u201c\u2018")
        if text[m.start()] == "." and (before in _ABBREVIATIONS or (len(before) == 1 and before.isalpha())):
            continue
        sentences.append(text[start:m.end()].strip())
        start = m.end()
    if text[start:].strip():
        sentences.append(text[start:].strip())
    return sentences


def _terms(text: str) -> set[str]:
    out = set()
    for w in _WORD.findall(text.lower()):
        if w in _STOPWORDS or (len(w) < 2 and not w.isdigit()):
            continue
        out.add(w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w)
    return out


def overlap(question: str, sentence: str) -> int:
    """How many of the question's content words (stopwords left out, plurals folded) the sentence has."""
    return len(_terms(question) & _terms(sentence))


def best_sentence(question: str, sentences: Sequence[str]) -> int | None:
    """Index of the sentence sharing most words with the question (the earliest on a tie), or None if none does."""
    wanted = _terms(question)
    best, best_score = None, 0
    for i, sentence in enumerate(sentences):
        score = len(wanted & _terms(sentence))
        if score > best_score:
            best, best_score = i, score
    return best


def passage_markdown(text: str, question: str, budget: int) -> str:
    """The passage escaped, its best sentence in bold, within `budget`.

    Too long, it is cut at a sentence end with an ellipsis, keeping the bold sentence in view
    (starting from it, after a leading ellipsis, when the sentences before it do not fit);
    a single sentence too long for the budget is cut between words. Never mid-word.
    """
    sentences = split_sentences(text)
    if not sentences or budget < 1:
        return ""
    best = best_sentence(question, sentences)
    words = [[escape_word(w, first=j == 0) for j, w in enumerate(s.split(" ")) if w] for s in sentences]
    pieces = [("**" + " ".join(ws) + "**") if i == best else " ".join(ws) for i, ws in enumerate(words)]
    whole = " ".join(pieces)
    if dlen(whole) <= budget:
        return whole
    tail = " " + ELLIPSIS
    start = 0
    if best is not None and dlen(" ".join(pieces[:best + 1])) + dlen(tail) > budget:
        start = best
    lead = ELLIPSIS + " " if start else ""
    taken, used = [], dlen(lead)
    for i in range(start, len(pieces)):
        last = i == len(pieces) - 1
        extra = dlen(pieces[i]) + (1 if taken else 0)
        if used + extra + (0 if last else dlen(tail)) > budget:
            break
        taken.append(pieces[i])
        used += extra
    if taken:
        done = start + len(taken) == len(pieces)
        return lead + " ".join(taken) + ("" if done else tail)
    # The first sentence shown is longer than the budget on its own: cut it between words.
    bold = start == best
    room = budget - dlen(lead) - dlen(tail) - (4 if bold else 0)
    cut = _take_words(words[start], room)
    if not cut:
        return ELLIPSIS
    return f"{lead}{'**' + cut + '**' if bold else cut}{tail}"


# -- answers --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    """One message: content and embeds, sent with no mentions allowed. `passages`: those the embeds show, in order."""

    content: str | None = None
    embeds: tuple[discord.Embed, ...] = field(default=())
    passages: tuple[AnswerPassage, ...] = field(default=())

    def kwargs(self) -> dict:
        out: dict = {"allowed_mentions": NO_MENTIONS}
        if self.content:
            out["content"] = self.content
        if self.embeds:
            out["embeds"] = list(self.embeds)
        return out


def linked_title(title: str | None, url: str | None, limit: int = TITLE_CHARS) -> str:
    """`[Title](<url>)`, the title shortened to `limit` and the link never cut (left out when unusable).
    The title is a `label` when linked, `unlinked` otherwise: either way it links nowhere itself."""
    target = link_target(url)
    if target is None:
        return unlinked(title or "untitled", limit) or ELLIPSIS
    return f"[{label(title or 'untitled', limit) or ELLIPSIS}](<{target}>)"


def passage_link(p: AnswerPassage) -> str | None:
    """The passage's page, pointing at the paragraph itself (a text fragment) when that link is usable whole."""
    return next((u for u in (paragraph_url(p.url, p.text), p.url) if link_target(u)), None)


def attribution(p: AnswerPassage, limit: int = EMBED_DESCRIPTION_LIMIT) -> str:
    """`— Speaker · Outlet · Author · 2026-03-04 · [Title](<url#:~:text=...>) · § Heading`, every part escaped and bounded,
    the whole within `limit`: the link falls back to the page without the fragment, then to no link."""
    parts = [x for x in (unlinked(x, NAME_CHARS) for x in attribution_parts(p)) if x]
    head = "\u2014 " + "".join(f"{x} \u00b7 " for x in parts)
    tail = "".join(f" \u00b7 {unlinked(s, NAME_CHARS)}" for s in filter(None, [section_part(p)]))
    for url in dict.fromkeys([passage_link(p), p.url, None]):
        line = head + linked_title(p.title, url) + tail
        if dlen(line) <= limit:
            return line
    return "\u2014 " + (unlinked(p.title or "untitled", max(1, limit - 2)) or ELLIPSIS)


CARRIERS_SHOWN = 5  # other outlets named in an "also carried by" line, at most


def also_carried(p: AnswerPassage, limit: int = EMBED_DESCRIPTION_LIMIT) -> str | None:
    """`also carried by [Outlet](<url>), [Outlet](<url>)` for the other held articles carrying the passage,
    within `limit` (a link that does not fit is named unlinked; those left out are counted); None if none fit."""
    names, seen = [], set()
    for copy in p.also_carried_by:
        name = copy.get("source") or copy.get("title") or "another article"
        if name not in seen:
            seen.add(name)
            names.append((name, copy.get("url")))
    if not names:
        return None
    shown: list[str] = []

    def line(extra: list[str], more: int) -> str:
        return "also carried by " + ", ".join(extra) + (f" and {more} more" if more > 0 else "")

    for name, url in names[:CARRIERS_SHOWN]:
        more = len(names) - len(shown) - 1
        for item in (linked_title(name, url, NAME_CHARS), unlinked(name, NAME_CHARS)):
            if dlen(line([*shown, item], more)) <= limit:
                shown.append(item)
                break
        else:
            break
    if not shown:
        return None
    return line(shown, len(names) - len(shown))


DIFFERENCES_SHOWN = 3  # copies stating other facts named under a passage, at most
DETAIL_CHARS = 300


def differences(p: AnswerPassage, limit: int = EMBED_DESCRIPTION_LIMIT) -> list[str]:
    """`differs from [Outlet](<url>): what each says`, one line for each held copy of the passage that states
    other numbers, dates or names (or `corrected in [a later version](<url>): ...` for the same outlet's), the
    lines with their newlines within `limit`: a link that does not fit is named unlinked, the rest counted."""
    lines: list[str] = []
    used = 0
    for other in p.disagrees_with[:DIFFERENCES_SHOWN]:
        what, whom = disagreement_parts(other)
        detail = unlinked(other.get("detail") or "it states other facts", DETAIL_CHARS)
        options = (f"{what} {linked_title(whom, other.get('url'), NAME_CHARS)}: {detail}",
                   f"{what} {unlinked(whom, NAME_CHARS)}: {detail}")
        fitting = next((o for o in options if used + dlen(o) + (1 if lines else 0) <= limit), None)
        if fitting is None:
            break
        used += dlen(fitting) + (1 if lines else 0)
        lines.append(fitting)
    more = len(p.disagrees_with) - len(lines)
    if more > 0:
        tail = f"and {more} more cop{'ies' if more > 1 else 'y'} that differ"
        if used + dlen(tail) + (1 if lines else 0) <= limit:
            lines.append(tail)
    return lines


ATTRIBUTION_CAP = 2400  # the most an attribution with its "also carried by" and "differs" lines may take


def attribution_block(p: AnswerPassage, limit: int) -> str:
    """The attribution line, then "also carried by" and "differs from" lines as far as they fit in `limit`."""
    lines = [attribution(p, limit)]
    used = dlen(lines[0])
    carried = also_carried(p, limit - used - 1)
    if carried:
        lines.append(carried)
        used += dlen(carried) + 1
    lines += differences(p, limit - used - 1)
    return "\n".join(lines)


def _share(caps: Sequence[int], total: int) -> list[int]:
    """Split `total` over items wanting at most `caps`, evenly, giving what the small ones leave to the rest."""
    alloc = [0] * len(caps)
    left = total
    order = sorted(range(len(caps)), key=lambda i: caps[i])
    for n, i in enumerate(order):
        alloc[i] = max(0, min(caps[i], left // (len(caps) - n)))
        left -= alloc[i]
    return alloc


def answer_reply(answer: Answer, outlets: Sequence[tuple[str, int]] = (), titles: Sequence[str] = (), *,
                 echo_question: bool = True) -> Reply:
    """The answer as one message: a line naming the question, then one embed per passage.

    Each embed's description is the passage (best sentence in bold) and its attribution. At most ten
    passages, within Discord's 4,096 characters per description and 6,000 per message: the best passage
    is always shown (its attribution shortened if it must be); a later one is left out rather than shown
    without its attribution line whole. `echo_question=False` (a reply to the member's own message) leaves
    the question out of the content.
    """
    if not answer.answered or not answer.passages:
        return Reply(content=nothing_found(answer, outlets, titles))
    passages = answer.passages[:EMBEDS_PER_MESSAGE]
    bodies = [passage_markdown(p.text, answer.question, EMBED_DESCRIPTION_LIMIT) for p in passages]
    attrs: list[str] = []
    used = 0
    for i, (p, body) in enumerate(zip(passages, bodies, strict=True)):
        least_body = min(dlen(body), MIN_BODY) + 1
        room = min(EMBED_DESCRIPTION_LIMIT, EMBED_TOTAL_LIMIT - used) - least_body
        whole = dlen(attribution(p))
        if i and room < whole:
            break
        attr = attribution_block(p, min(room, max(ATTRIBUTION_CAP, whole)))
        attrs.append(attr)
        used += dlen(attr) + least_body
    chosen = len(attrs)
    caps = [max(0, min(dlen(b), EMBED_DESCRIPTION_LIMIT - dlen(a) - 1)) for a, b in zip(attrs, bodies, strict=False)]
    fixed = sum(dlen(a) + 1 for a in attrs)
    budgets = _share(caps, EMBED_TOTAL_LIMIT - fixed)
    embeds = []
    for p, attr, body, budget in zip(passages, attrs, bodies, budgets, strict=False):
        text = body if dlen(body) <= budget else passage_markdown(p.text, answer.question, budget)
        embeds.append(discord.Embed(description=f"{text}\n{attr}" if text else attr, colour=COLOUR))
    shown = "" if chosen == len(answer.passages) else f"the best {chosen} of {len(answer.passages)} passages"
    note = partial_note(answer)
    lines = [f"**Q:** {shorten(answer.question, 300)}" + (f" ({shown})" if shown else "")] if echo_question else (
        [shown[:1].upper() + shown[1:] + "."] if shown else [])
    if note:
        lines.append(escape(note))
    content = fit("\n".join(lines)) if lines else None
    return Reply(content=content, embeds=tuple(embeds), passages=tuple(passages[:chosen]))


def nothing_found(answer: Answer, outlets: Sequence[tuple[str, int]] = (), titles: Sequence[str] = ()) -> str:
    """Nothing relevant: said plainly, with a hint of what is held."""
    held = answer.articles_held
    if held == 0:
        return "I hold no articles yet: a moderator can add some with `/add`."
    note = why_unanswered(answer)
    if outlets:
        note += " They come from " + ", ".join(f"{unlinked(outlet, 60)} ({n})" for outlet, n in outlets[:5])
        note += " and others." if len(outlets) > 5 else "."
    elif titles:
        note += " Among them: " + "; ".join(f"*{unlinked(t, 120)}*" for t in titles[:3]) + "."
    return fit(note)


# -- other replies ---------------------------------------------------------------------------


def add_result(result: AddResult) -> str:
    """`Added: Title (N passages)`, `Updated: ...`, `Already held: ...` or the reason it failed."""
    if result.status in ("added", "updated") and result.article is not None:
        a = result.article
        n = a.passage_count
        counts = f"{n} passage{'s' if n != 1 else ''}, article {a.id}"
        if result.status == "updated":
            return fit(f"Updated: {linked_title(a.title, a.url)} ({counts}; the previous version's passages are gone).")
        return fit(f"Added: {linked_title(a.title, a.url)} ({counts}).")
    message = escape(result.message)
    if result.status in ("added", "updated"):
        return fit(message[0].upper() + message[1:] if message else result.status.capitalize())
    if result.status == "duplicate":
        return fit("A" + message[1:] if message.startswith("already held") else f"Already held: {message}")
    return fit(f"Could not add that: {message}")


def removed(article: Article) -> str:
    return fit(f"Removed article {article.id}: {linked_title(article.title, article.url)}.")


def sources_page(articles: Sequence[Article], page: int, pages: int, total: int) -> str:
    """One page of held articles, newest first: `id · date · outlet · [Title](<url>) (N passages)`."""
    if not articles:
        return "No articles held yet: add some with `/add`." if total == 0 else f"No articles on page {page + 1}."
    header = f"**{total} article{'s' if total != 1 else ''} held** (page {page + 1} of {pages}, newest added first)"
    room = (CONTENT_LIMIT - dlen(header) - len(articles)) // len(articles)
    lines = [header]
    for a in articles:
        head = " \u00b7 ".join(x for x in [f"`{a.id}`", (a.published_at or "")[:10], unlinked(a.source or "", 40)] if x)
        tail = f" ({a.passage_count} passage{'s' if a.passage_count != 1 else ''})"
        space = room - dlen(head) - dlen(tail) - 3
        title = linked_title(a.title, a.url, min(TITLE_CHARS, max(20, space // 3)))
        if dlen(title) > space:  # the link does not fit on this line: show the title alone
            title = unlinked(a.title or "untitled", max(1, space))
        lines.append(f"{head} \u00b7 {title}{tail}")
    return fit("\n".join(lines))


def stats_message(stats: Stats, rebuilding: bool = False) -> str:
    lines = [
        f"**Articles:** {stats.articles}",
        f"**Passages:** {stats.passages} ({stats.indexed} indexed)",
        f"**Index size:** {stats.index_bytes / 1e6:.1f} MB",
        f"**Model:** {escape(stats.model)}",
    ]
    if rebuilding:
        lines.append("A rebuild is running.")
    if stats.sources:
        lines.append("**Outlets:** " + ", ".join(f"{unlinked(outlet, 60)} ({n})" for outlet, n in stats.sources[:20]))
    return fit("\n".join(lines))


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 60} min {seconds % 60} s" if seconds >= 60 else f"{seconds} s"


def reindex_progress(done: int | None, total: int | None, elapsed: float) -> str:
    if done is None or total is None:
        return f"Rebuilding the index: starting ({_duration(elapsed)} elapsed)."
    return f"Rebuilding the index: {done:,} of {total:,} articles, {_duration(elapsed)} elapsed."


def reindex_done(stats: Stats, elapsed: float) -> str:
    return (f"Rebuilt the index: done. {stats.indexed:,} passages of {stats.articles:,} articles "
            f"in {_duration(elapsed)}.")


def cooldown(retry_after: float) -> str:
    seconds = max(1, int(retry_after + 0.999))
    return f"Slow down a little: you can do that again in {seconds} s."


def thread_name(question: str) -> str:
    """A thread name (no markdown or mentions are rendered there) of at most 100 characters."""
    words = clean(question).split(" ")
    name = _take_words([w for w in words if w], THREAD_NAME_LIMIT)
    if not name and words and words[0]:
        name = words[0][:THREAD_NAME_LIMIT - 1] + ELLIPSIS
        while dlen(name) > THREAD_NAME_LIMIT:
            name = name[:-2] + ELLIPSIS
    return name or "question"


def mentioned_question(content: str, bot_id: int) -> str | None:
    """The question in a message that mentions the bot (`<@id>` or `<@!id>`), or None if it does not."""
    pattern = re.compile(rf"<@!?{bot_id}>")
    if not pattern.search(content):
        return None
    return clean(pattern.sub(" ", content))


# -- conversation (issue 16) ------------------------------------------------------------------------


def follow_up_note(previous: str, filters: dict[str, str], carried: Sequence[str]) -> str:
    """`Following up on “what happened at the dam?” (since 2026-03-06, source Harbour Watch)`: what a
    follow-up took over from the question it follows."""
    kept = [f"{key} {unlinked(filters[key], NAME_CHARS)}" for key in carried if key in filters]
    return fit(f"Following up on \u201c{shorten(previous, 200)}\u201d" + (f" ({', '.join(kept)})" if kept else "") + ".")


def with_note(reply: Reply, note: str) -> Reply:
    """`reply` with `note` as the first line of its content."""
    content = f"{note}\n{reply.content}" if reply.content else note
    return Reply(content=fit(content), embeds=reply.embeds, passages=reply.passages)


MORE_PARAGRAPH_CHARS = 1200  # each neighbouring paragraph shown by "More from this article", at most


def article_context(article: Article, passages: Sequence[Passage], focus: int) -> Reply:
    """"More from this article": the paragraphs around passage `focus` (it in bold), then the article's
    attribution linked to the first paragraph shown. One embed, within every limit."""
    if not passages:
        return Reply(content="That article has no paragraphs left to show.")
    parts = []
    for p in passages:
        text = shorten(p.text, MORE_PARAGRAPH_CHARS)
        parts.append(f"**{text}**" if p.id == focus and text else text)
    lines = [" \u00b7 ".join(x for x in [unlinked(article.source or "", NAME_CHARS),
                                          (article.published_at or "")[:10]] if x)]
    names = f"{lines[0]} \u00b7 " if lines[0] else ""
    link = paragraph_url(article.url, passages[0].text)
    attr = f"\u2014 {names}{linked_title(article.title, link if link_target(link) else article.url)}"
    room = EMBED_DESCRIPTION_LIMIT - dlen(attr) - 2
    body = fit("\n\n".join(x for x in parts if x), max(1, room))
    where = f"Paragraphs {passages[0].position + 1}-{passages[-1].position + 1} of the article:"
    return Reply(content=where, embeds=(discord.Embed(description=f"{body}\n{attr}", colour=COLOUR),))


def missing_permissions(names: Sequence[str], doing: str = "answer here") -> str:
    """`I cannot answer here: I lack the Embed Links permission in this channel...`."""
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    plural = "permissions" if len(names) > 1 else "permission"
    return fit(f"I cannot {doing}: I lack the {listed} {plural} in this channel. "
               "A server admin can grant them in the channel's settings (Permissions).")
