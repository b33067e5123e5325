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

from corpus.bylines import BYLINE_ANY_LANGUAGE_RE
from corpus.invisible import strip_invisible
from corpus.lexicon import (
    DATE_FILLER_WORDS,
    FOREIGN_MONTH_NAMES,
    FOREIGN_WEEKDAY_NAMES,
    MONTH_PATTERN,
    NEWSROOM_ROLES,
    RELATED_LABELS,
    SHARE_AND_COMMENT_LABELS,
    WEEKDAY_PATTERN,
    alternation,
)

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
    # The same in Spanish, Portuguese, French, German and Russian (word lists in corpus.lexicon).
    _Rule("related (other languages)", rf"(?:{alternation(w.casefold() for w in RELATED_LABELS)})" + _TAIL, 20,
          intro=True),
    _Rule("share, comments, rights (other languages)",
          rf"(?:{alternation(w.casefold() for w in SHARE_AND_COMMENT_LABELS)})(?:\s*[:|>»(].*)?"
          rf"|.*\b(?:todos los derechos reservados|todos os direitos reservados|tous droits réservés"
          r"|alle rechte vorbehalten|все права защищены)\b.{0,40}", 25),
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
                           "on", "at", "senior", "chief"}) | DATE_FILLER_WORDS
_WEEKDAY = rf"(?:{WEEKDAY_PATTERN}|{alternation(FOREIGN_WEEKDAY_NAMES)}),?"
_FOREIGN_MONTH = rf"(?:{alternation(FOREIGN_MONTH_NAMES)})\.?"
_TIME = (r"(?:,?\s*(?:at\s+|à\s+|às\s+|a las\s+|um\s+|в\s+)?\d{1,2}(?:[:.h]\d{2})?\s*(?:[ap]\.?m\.?|h|uhr)?"
         r"(?:\s*(?:[A-Z]{2,4}|UTC[+-]?\d*))?)")
_DATE_RE = re.compile(
    rf"(?:{_WEEKDAY}\s+)?(?:\d{{1,2}}\.?(?:er|º)?\s+(?:de\s+)?{_FOREIGN_MONTH}\s+(?:de\s+)?\d{{4}}(?:\s*г(?:\.|ода)?(?!\w))?"
    rf"|{_FOREIGN_MONTH}\s+\d{{1,2}},?\s+\d{{4}}"
    rf"|{MONTH_PATTERN}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+{MONTH_PATTERN},?\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}}(?:[T ]\d{{2}}:\d{{2}}"
    rf"(?::\d{{2}})?(?:Z|[+-]\d{{2}}:?\d{{2}})?)?|\d{{1,2}}[/.]\d{{1,2}}[/.]\d{{2,4}}){_TIME}?"
    r"|\b\d+\s+(?:minutes?|mins?|hours?|hrs?|days?)\s+ago\b"
    # "hace 3 horas", "há 2 dias", "il y a 3 heures", "vor 3 Stunden", "3 часа назад"
    r"|(?<!\w)(?:hace|há|il y a|vor)\s+\d+\s+(?:minutos?|horas?|d[ií]as|minutes?|heures?|jours?|minuten|stunden"
    r"|tagen)(?!\w)|(?<!\w)\d+\s+(?:минут[уы]?|час(?:а|ов)?|дн(?:я|ей)|день)\s+назад(?!\w)",
    re.IGNORECASE,
)
_BYLINE_FILLER_RE = re.compile(
    rf"(?:\b[A-Z][\w'.\-]*\s+){{0,3}}\b(?:{alternation(NEWSROOM_ROLES)})\b"  # "Courier Staff", "Valley Wire staff"
    rf"|(?<!\w)(?:{alternation(_FILLER_WORDS)})(?!\w)|[|,·•:/\-–—()]",
    re.IGNORECASE,
)

# Edge characters trimmed before matching (not parentheses, so "(c) 2026" survives).
_EDGE_CHARS = " \t-|•·»«›‹>*#_~=:;,.!?/\\\"'…→←↑"
_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"', "–": "-", "—": "-"})
# Lines that read like a sentence rather than a linked headline.
_SENTENCE_END_RE = re.compile(r"[.!?:;\"'”’)\]…。！？」』]\s*$")
_HEADLINE_MAX_WORDS = 16
_LABEL_WITH_TEXT_RE = re.compile(r"[:|>»]\s*\S")


def collapse_whitespace(text: str) -> str:
    """Return `text` on one line with runs of whitespace (incl. NBSP) made one space, invisible characters
    (`corpus.invisible`) dropped."""
    return " ".join(strip_invisible(text).split())


# Scripts written without spaces between words: Han, kana, Thai, Lao, Khmer, Myanmar.
_UNSPACED_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0eff\u1780-\u17ff"
                          r"\u1000-\u109f\uff66-\uff9f]")
CHARS_PER_UNSPACED_WORD = 2
"""A word of Chinese or Japanese averages about two characters: unspaced text is measured in characters."""


def word_count(text: str) -> int:
    """The number of words in `text`: spaced words, plus one per `CHARS_PER_UNSPACED_WORD` characters of scripts
    written without spaces ("東京都は月曜日に..." is not one word)."""
    unspaced = len(_UNSPACED_RE.findall(text))
    if not unspaced:
        return len(text.split())
    spaced = len(_UNSPACED_RE.sub(" ", text).split())
    return spaced + -(-unspaced // CHARS_PER_UNSPACED_WORD)


def _normalise(line: str) -> str:
    line = unicodedata.normalize("NFKC", line).translate(_QUOTES).casefold()
    line = re.sub(r"\s+([:;,.!?])", r"\1", collapse_whitespace(line))
    return line.strip(_EDGE_CHARS)


def _is_byline(line: str) -> bool:
    """True for a short line made only of bylines, dates and filler words."""
    text = unicodedata.normalize("NFKC", line).translate(_QUOTES).strip()
    if not text or word_count(text) > 20:
        return False
    rest, dates = _DATE_RE.subn(" ", text)
    rest, names = BYLINE_ANY_LANGUAGE_RE.subn(" ", rest)
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
    if rule is not None or word_count(line) > _MAX_SENTENCES_WORDS:
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
    words = word_count(norm)
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
    return word_count(text) <= _HEADLINE_MAX_WORDS and not _SENTENCE_END_RE.search(text)


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
    return [text for text, _ in clean_blocks((Block(p) for p in paragraphs), keep_short_repeats=False)]


@dataclass(frozen=True)
class Block:
    """One block of a page's body, in reading order: a paragraph (or list item, cell...) or a heading."""

    text: str
    heading: bool = False


REPEAT_KEEP_WORDS = 40
"""A repeated block of at most this many words is kept (the same question put to each person of an interview
series, the same list item under each product); a longer one repeated is the article printed twice."""
HEADING_MAX_WORDS = 40
"""A "heading" longer than this is a paragraph styled as one, and kept as a paragraph."""


def clean_blocks(blocks: Iterable[Block], *, keep_short_repeats: bool = True) -> list[tuple[str, str | None]]:
    """Drop boilerplate from a body's blocks; each kept paragraph comes with the heading it sits under.

    Paragraphs are cleaned as in `clean_paragraphs`. A heading is never a paragraph of its own: it becomes
    the context of the paragraphs after it, up to the next heading. A heading that is boilerplate ("Related
    stories", "Share this") is dropped, and a "Related"-style one also drops the headline-like lines after
    it. Exact repeats of long paragraphs are dropped; short ones are kept when `keep_short_repeats`.

    Args:
        blocks: The body's blocks in reading order.
        keep_short_repeats: Keep a repeated paragraph of at most `REPEAT_KEEP_WORDS` words.

    Returns:
        (paragraph, heading or None) pairs, in order, each text on a single line.
    """
    kept: list[tuple[str, str | None]] = []
    seen: set[str] = set()
    in_headline_list = False
    heading: str | None = None
    for block in blocks:
        if block.heading:
            text = collapse_whitespace(block.text)
            if text and word_count(text) <= HEADING_MAX_WORDS:
                rule = _match(text)
                if rule is not None:
                    log.debug("dropped boilerplate heading (%s): %.80r", rule.name, text)
                    in_headline_list = rule.intro
                    heading = None
                else:
                    in_headline_list = False
                    heading = text
                continue
        parts: list[str] = []
        for line in block.text.splitlines():
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
        if not text:
            continue
        if text in seen and not (keep_short_repeats and word_count(text) <= REPEAT_KEEP_WORDS):
            continue
        seen.add(text)
        kept.append((text, heading))
    return kept
