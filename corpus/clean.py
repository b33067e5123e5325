"""Boilerplate filter for paragraphs that trafilatura lets through.

Extractors keep whatever sits inside the article container, and templates put a
lot there: "Related:" links, share buttons, newsletter and donation boxes,
comment forms, copyright lines, lone bylines. This module drops such lines.

Precision matters more than recall: a real news sentence that happens to mention
"support", "reply" or "copyright" must survive. So every rule matches a *whole*
(normalised) line, and most rules only apply to short lines; there are no bare
substring matches on long sentences.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from corpus.bylines import BYLINE_RE
from corpus.invisible import strip_invisible
from corpus.lexicon import MONTH_PATTERN, NEWSROOM_ROLES, WEEKDAY_PATTERN, alternation

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Rule:
    """One boilerplate shape: `pattern` must match the whole normalised line."""

    name: str
    pattern: str
    max_words: int = 12
    # True when the lines that follow are usually a list of other headlines.
    intro: bool = False
    # True when the rule only applies to lines that do not end like a sentence.
    headline_only: bool = False


# Text after a label such as "Related:", "Read more ->" or "See also - " (not "Related-party").
_TAIL = r"(?:\s*[:|>»]+\s*.*|\s+-+>?\s*.*)?"

_SOCIAL = (
    "facebook|twitter|x|whatsapp|telegram|linkedin|reddit|pinterest|tumblr|pocket|"
    "threads|bluesky|mastodon|messenger|email|e-mail|mail|print|sms|flipboard|copy link|"
    "copy|more|tweet|share"
)

# Rules run against the normalised line: casefolded, curly quotes and dashes made
# plain, whitespace collapsed, separators and punctuation trimmed from both ends.
RULES: tuple[_Rule, ...] = (
    # Reading aids and links to other stories.
    _Rule("now reading", r"now reading" + _TAIL, 20),
    _Rule("now reading headline", r"now reading .*", 20, headline_only=True),
    _Rule("see also", r"see also" + _TAIL, 20, intro=True),
    _Rule("see also headline", r"see also .*", 20, headline_only=True),
    _Rule(
        "related",
        r"related(?: articles?| posts?| stories| story| coverage| reading| content| links| news"
        r"| topics| items)?" + _TAIL,
        20,
        intro=True,
    ),
    _Rule(
        "read more",
        r"(?:read|see|view) (?:more|next|also)"
        + _TAIL
        + r"|(?:read|see) more (?:about|on|from|here|stories|news|articles?)\b.*|also read"
        + _TAIL,
        20,
        intro=True,
    ),
    _Rule(
        "more stories",
        r"(?:recommended(?: for you| reading| stories| articles)?|you (?:may|might) also (?:like|enjoy"
        r"|be interested in)|more stories|more (?:news|articles|coverage)|most (?:read|popular|viewed"
        r"|shared)|trending(?: now| stories)?|top stories|latest (?:news|stories|posts|articles)"
        r"|editor'?s picks|don'?t miss|in other news|popular (?:posts|stories))" + _TAIL,
        12,
        intro=True,
    ),
    _Rule("more from", r"more (?:from|on) [^.!?]{1,40}", 5, intro=True, headline_only=True),
    _Rule(
        "continue reading",
        r"continue reading(?: below| the (?:article|story))?|(?:the )?(?:story|article) continues"
        r" (?:below|after (?:the )?(?:advertisement|ad))(?: advertisement)?|scroll to continue"
        r"(?: with content)?|continue reading below",
    ),
    _Rule(
        "previous/next",
        r"(?:previous|next|older|newer|prev) (?:article|post|story|entry|page)" + _TAIL,
        20,
    ),
    _Rule("skip links", r"skip to (?:main )?(?:content|navigation)|jump to (?:comments|content)"),
    _Rule("back to top", r"(?:scroll|back|return|go) to (?:the )?top(?: of (?:the )?page)?|top of page|top"),
    # Support, donation and membership appeals.
    _Rule(
        "patreon",
        r"liked it\? .*|(?:please )?(?:take a (?:second|moment|minute) to )?support [^.!?]{1,60} on patreon"
        r"|become a patron\b.*",
        25,
    ),
    _Rule(
        "support us",
        r"support (?:us|our (?:work|journalism|reporting|newsroom|mission|site|website|newsletter)"
        r"|independent (?:journalism|media|news|reporting|press)|local (?:journalism|news|reporting)"
        r"|quality journalism|(?:a )?free press)\b.*",
        30,
    ),
    _Rule(
        "donate",
        r"donate(?: now| today| here)?|donate to .{1,60}|make a (?:one-time |monthly )?donation\b.*"
        r"|give now|become a (?:member|supporter|subscriber|patron|donor)\b.*"
        r"|(?:please )?consider (?:supporting us|supporting our (?:work|journalism|reporting)"
        r"|(?:making )?a donation|donating)\b.*"
        r"|if you (?:value|like|enjoy|appreciate) (?:our (?:work|journalism|reporting|content)"
        r"|(?:this|the) (?:work|journalism|reporting|article|story|content)"
        r"|(?:reporting|journalism|stories|work) like this|what we do)\b.*",
        30,
    ),
    _Rule(
        "reader funding",
        r".*\b(?:funded|paid for|supported|made possible) by (?:our readers|readers like you)\b.*"
        r"|.*\b(?:is|are) funded by (?:its|our) readers, not\b.*|.*\breaders like you\b.*",
        40,
    ),
    # Comment forms and comment-widget chrome.
    _Rule("leave a reply", r"leave a (?:reply|comment|response)(?: cancel reply)?" + _TAIL, 12),
    _Rule(
        "comment chrome",
        r"cancel reply|post (?:a |your )?comment|add (?:a |your )?comment|submit comment"
        r"|(?:join|start) the (?:conversation|discussion)|be the first to comment"
        r"|(?:no|\d+) (?:comments?|responses?|replies)(?: yet| so far)?|comments?(?: \(\d+\))?"
        r"|(?:show|view|load|hide|read) (?:all |more )?comments?(?: \(\d+\))?"
        r"|comments (?:are|have been) (?:now )?(?:closed|disabled|turned off)(?: (?:on|for) this \w+)?"
        r"|reply|report|inline feedbacks?|oldest|newest|most voted|notify of|like this:?"
        r"|like loading(?:\.\.\.)?|loading(?:\.\.\.)?|new follow-up comments|new replies to my comments"
        r"|no comments yet|comments are (?:pre-?)?moderated(?:\b.*\bto appear)?|(?:\d+|one) thoughts? on .*"
        r"|\d+ (?:responses?|replies|comments) (?:to|on) .*",
        30,
    ),
    _Rule(
        "comment login",
        r"you must be (?:logged in|signed in|registered) to (?:post|leave|add) a (?:comment|reply)\b.*"
        r"|(?:log|sign) in to (?:post a |leave a )?(?:comment|reply)\b.*",
        20,
    ),
    _Rule(
        "comment form",
        r"your email address will not be published\b.*|required fields are marked\b.*"
        r"|save my name, email,? and website in this browser\b.*|notify me of (?:follow-up comments"
        r"|new posts|new comments|new replies)\b.*|this site uses akismet to reduce spam\b.*",
        40,
    ),
    # Copyright and legal footers.
    _Rule("copyright", r"(?:©|\(c\)|copyright\s*(?:©|\(c\))?\s*(?:\d{4}|©)).*", 40),
    _Rule("all rights reserved", r".*\ball rights reserved|all rights reserved\b.{0,40}", 25),
    # Sharing widgets.
    _Rule(
        "share",
        r"share(?: this| the)?(?: article| story| post| page| link)?(?: with .{1,20})?"
        + _TAIL
        + r"|share (?:on|via|to) .*|click to (?:share|email|print|tweet|copy|pin)\b.*|follow us\b.*"
        r"|(?:opens|open) in (?:a )?new (?:window|tab)|(?:email|print|tweet) this(?: article| story"
        r"| page)?",
        15,
    ),
    _Rule("social buttons", rf"(?:(?:{_SOCIAL})(?:\s*[|/,·•]\s*|\s+)?)+", 12),
    # Newsletters and sign-ups.
    _Rule(
        "newsletter",
        r"subscribe(?: now| today| here| for free)?|sign up(?: now| here| today| for free)?|newsletter"
        r"|(?:sign up|subscribe|register) (?:for|to) (?:(?:our|the|a) )?(?:free )?(?:daily |weekly"
        r" |morning |evening )?(?:newsletters?|briefing|digest|email|emails|alerts|updates|bulletin)\b.*"
        r"|(?:sign up|subscribe|register) (?:for|to) our\b.*|get (?:our|the) .{0,40}"
        r"(?:newsletter|briefing|digest)\b.*|.*\bdelivered (?:straight |directly )?to your inbox\b.*"
        r"|enter your email(?: address)?\b.*|thanks? (?:you )?for (?:subscribing|signing up)\b.*"
        r"|(?=.*\b(?:newsletter|briefing|digest|bulletin|round-?up|edition)\b).*\b(?:to|in|into) your inbox\b.*",
        30,
    ),
    # Cookie and consent banners.
    _Rule(
        "cookies",
        r"(?:we(?: and our (?:partners|vendors))?|this (?:web)?site|our (?:web)?site|this page) uses?\b"
        r"[^.]{0,30}\bcookies\b.*"
        r"|by (?:continuing to (?:browse|use)|using) (?:this|our) (?:site|website)\b.*"
        r"|(?:accept|reject|manage|allow)(?: all)? cookies\b.*|cookie (?:policy|settings|preferences"
        r"|consent|notice)|(?:i )?(?:accept|agree|got it|ok|okay)",
        60,
    ),
    # Taxonomy lines.
    _Rule(
        "tags",
        r"(?:tags?|tagged(?: with)?|topics?|categories|category|keywords|filed (?:under|in)|posted in"
        r"|published in)(?:\s*[:|>»]\s*.*)?|this entry was posted in\b.*",
        25,
    ),
    _Rule("filed under", r"(?:filed (?:under|in)|posted in|tagged(?: with)?) .*", 8),
    # Credits: photo captions' credit tails and wire credit lines.
    _Rule(
        "photo credit",
        r".*\b(?:photo|photograph|picture|image|illustration|video)s?(?: credit)?\s*:\s*[^.!?]{1,60}",
        40,
        headline_only=True,
    ),
    _Rule(
        "wire credits",
        r"additional reporting by .*"
        r"|(?:reporting|writing) by [^;.]{1,60}[;.] ?(?:additional reporting|editing|writing) by .*",
        25,
    ),
    # Advertising labels.
    _Rule(
        "advertisement",
        r"advertisements?|advertising|sponsored(?: content| post| links?)?|paid (?:content|post)"
        r"|ads?|promoted(?: content)?|\(?ad\)?",
    ),
    # Page tools.
    _Rule(
        "page tools",
        r"print(?: this (?:article|page|story))?|e-?mail(?: this (?:article|page|story))?"
        r"|(?:font|text) size|listen to (?:this )?(?:article|story)\b.*|\d+ min(?:ute)?s? read"
        r"|reading time\b.*",
        8,
    ),
)

_COMPILED: tuple[tuple[_Rule, re.Pattern[str]], ...] = tuple(
    (rule, re.compile(rule.pattern, re.IGNORECASE)) for rule in RULES
)

# Bylines and date lines ("By Tomas Reyes | March 4, 2026", "Posted on 4 March 2026").
_FILLER_WORDS = frozenset({"posted", "published", "updated", "last updated", "first published", "modified", "date",
                           "on", "at", "senior", "chief"})
_WEEKDAY = rf"{WEEKDAY_PATTERN},?"
_TIME = r"(?:,?\s*(?:at\s+)?\d{1,2}(?:[:.]\d{2})?\s*(?:[ap]\.?m\.?)?(?:\s*(?:[A-Z]{2,4}|UTC[+-]?\d*))?)"
_DATE_RE = re.compile(
    rf"(?:{_WEEKDAY}\s+)?(?:{MONTH_PATTERN}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+{MONTH_PATTERN},?\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}}(?:[T ]\d{{2}}:\d{{2}}"
    rf"(?::\d{{2}})?(?:Z|[+-]\d{{2}}:?\d{{2}})?)?|\d{{1,2}}[/.]\d{{1,2}}[/.]\d{{2,4}}){_TIME}?"
    r"|\b\d+\s+(?:minutes?|mins?|hours?|hrs?|days?)\s+ago\b",
    re.IGNORECASE,
)
_BYLINE_FILLER_RE = re.compile(
    rf"\b(?:{alternation(NEWSROOM_ROLES | _FILLER_WORDS)})\b|[|,·•:/\-–—()]",
    re.IGNORECASE,
)

# Edge characters trimmed before matching (not parentheses, so "(c) 2026" survives).
_EDGE_CHARS = " \t-|•·»«›‹>*#_~=:;,.!?/\\\"'…→←↑"
_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"', "–": "-", "—": "-"})
# Lines that read like a sentence rather than a linked headline.
_SENTENCE_END_RE = re.compile(r"[.!?:;\"'”’)\]…]\s*$")
_HEADLINE_MAX_WORDS = 16
_LABEL_WITH_TEXT_RE = re.compile(r"[:|>»]\s*\S")


def collapse_whitespace(text: str) -> str:
    """Return `text` on one line with runs of whitespace (incl. NBSP) made one space, invisible characters
    (`corpus.invisible`) dropped."""
    return " ".join(strip_invisible(text).split())


def _normalise(line: str) -> str:
    line = unicodedata.normalize("NFKC", line).translate(_QUOTES).casefold()
    line = re.sub(r"\s+([:;,.!?])", r"\1", collapse_whitespace(line))
    return line.strip(_EDGE_CHARS)


def _is_byline(line: str) -> bool:
    """True for a short line made only of bylines, dates and filler words."""
    text = unicodedata.normalize("NFKC", line).translate(_QUOTES).strip()
    if not text or len(text.split()) > 20:
        return False
    rest, dates = _DATE_RE.subn(" ", text)
    rest, names = BYLINE_RE.subn(" ", rest)
    if not (dates or names):
        return False
    rest = _BYLINE_FILLER_RE.sub(" ", rest)
    return not rest.strip(_EDGE_CHARS)


def _match(line: str) -> _Rule | None:
    """Return the rule a single line matches, or None when it is real text.

    A short line of several sentences ("No comments yet. Be the first to
    comment.") matches when each of its sentences does.
    """
    rule = _match_whole(line)
    if rule is not None or len(line.split()) > _MAX_SENTENCES_WORDS:
        return rule
    sentences = [s for s in _SENTENCE_SPLIT_RE.split(line.strip()) if s.strip()]
    if len(sentences) < 2:
        return None
    rules = [_match_whole(sentence) for sentence in sentences]
    return rules[0] if all(rules) else None


def _match_whole(line: str) -> _Rule | None:
    norm = _normalise(line)
    if not norm:
        return _EMPTY_RULE
    words = len(norm.split())
    sentence = None
    for rule, pattern in _COMPILED:
        if words <= rule.max_words and pattern.fullmatch(norm):
            if rule.headline_only:
                if sentence is None:
                    sentence = bool(_SENTENCE_END_RE.search(line))
                if sentence:
                    continue
            return rule
    if _is_byline(line):
        return _BYLINE_RULE
    return None


_MAX_SENTENCES_WORDS = 60
_SENTENCE_SPLIT_RE = re.compile(r"(?<=[.!?])[\"'”’)]?\s+(?=[A-Z“\"'(©])")


_EMPTY_RULE = _Rule("empty", r"")
_BYLINE_RULE = _Rule("byline", r"")


def is_boilerplate(paragraph: str) -> bool:
    """Tell whether a paragraph is template text rather than article text.

    A paragraph of several lines is boilerplate only when every line is.
    Rules match whole lines (after trimming punctuation and case), and most only
    apply to short lines, so sentences that merely mention "support", "reply" or
    "copyright" are kept.

    Args:
        paragraph: One paragraph of extracted text.

    Returns:
        True if the paragraph should be dropped.
    """
    lines = [ln for ln in paragraph.splitlines() if ln.strip()]
    return all(_match(ln) is not None for ln in lines)


def _looks_like_headline(text: str) -> bool:
    """A short line without closing punctuation: typical of a linked headline."""
    return len(text.split()) <= _HEADLINE_MAX_WORDS and not _SENTENCE_END_RE.search(text)


def clean_paragraphs(paragraphs: Iterable[str]) -> list[str]:
    """Drop boilerplate from an article's paragraphs and tidy what is left.

    Each paragraph is split into lines; boilerplate lines are dropped and the
    remaining lines joined with single spaces. Empty paragraphs and exact
    repeats (after whitespace collapsing) are dropped. After a "Related" /
    "See also" / "Most read" style label, the headline-like lines that follow it
    (short, no closing punctuation) are dropped too, up to the next sentence.

    Args:
        paragraphs: Paragraphs in reading order.

    Returns:
        The kept paragraphs, in order, each on a single line.
    """
    kept: list[str] = []
    seen: set[str] = set()
    in_headline_list = False
    for paragraph in paragraphs:
        parts: list[str] = []
        for line in paragraph.splitlines():
            if not line.strip():
                continue
            rule = _match(line)
            if rule is not None:
                if rule.name != "empty":
                    log.debug("dropped boilerplate (%s): %.80r", rule.name, line)
                # Only a bare label ("Related stories") announces a list of links;
                # "Related: <headline>" carries its one link inline.
                if rule.intro and not _LABEL_WITH_TEXT_RE.search(_normalise(line)):
                    in_headline_list = True
                continue
            if in_headline_list and _looks_like_headline(collapse_whitespace(line)):
                log.debug("dropped headline after related-links label: %.80r", line)
                continue
            in_headline_list = False
            parts.append(line)
        text = collapse_whitespace(" ".join(parts))
        if not text or text in seen:
            continue
        seen.add(text)
        kept.append(text)
    return kept
