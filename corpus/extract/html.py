"""The article of an HTML page, and the page's metadata.

HTML goes through trafilatura, tuned for precision (no comments, tables, images
or links), and then through our own boilerplate filter (`corpus.clean`). Page
metadata that trafilatura misses or simplifies (the publication time, the
language, a JSON-LD ``mainEntityOfPage`` URL) is read from JSON-LD and
OpenGraph/meta tags here.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import trafilatura
from lxml.html import HtmlElement
from trafilatura.utils import load_html

from corpus import provenance
from corpus.clean import Block, clean_blocks, collapse_whitespace, word_count
from corpus.errors import NotAnArticle
from corpus.extract import jsonld
from corpus.extract._common import MIN_WORDS, iso_date, language_code
from corpus.extract.decode import decode_html
from corpus.invisible import strip_invisible
from corpus.lexicon import NEWSROOM_ROLES, alternation
from corpus.models import ArticleDraft

log = logging.getLogger(__name__)

NO_ARTICLE = "no article text found on that page"
LOGIN_OR_ERROR = "that page is a login, paywall or error page, not an article"


_TRAFILATURA_OPTIONS: dict[str, Any] = {
    "favor_precision": True,
    "include_comments": False,
    "include_tables": True,
    "include_images": False,
    "include_links": False,
    "include_formatting": False,
    "with_metadata": True,
}

# JSON-LD types that describe an article.

# Meta tags holding the publication date, best first.
_DATE_META = (
    "article:published_time",
    "og:published_time",
    "og:article:published_time",
    "datepublished",
    "date",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "published_time",
    "dc.date",
    "dc.date.issued",
    "dcterms.date",
    "dcterms.created",
    "sailthru.date",
    "parsely-pub-date",
    "article.published",
    "cxenseparse:recs:publishtime",
)

# Login walls and error pages; only trusted on short pages (see `_check_enough_text`).
# A wall title is the wall phrase alone, or followed by " | Site".
_WALL_TITLE_RE = re.compile(
    r"^\W*(?:(?:sign|log)[ -]?(?:in|on)(?: to\b.*| required)?|subscribe(?: to (?:read|continue)\b.*)?"
    r"|(?:error(?: \d{3})?|40\d|50\d)(?:\s*[:\-–—]?\s*(?:error|page not found|not found|forbidden|access denied"
    r"|internal server error|service unavailable))?|page not found|not found|page unavailable|access denied"
    r"|forbidden|just a moment|attention required|are you a (?:robot|human)|oops\b.*|something went wrong)"
    r"\W*(?:\s[|\-–—:·]\s.*)?$",
    re.IGNORECASE,
)
_WALL_TEXT_RE = re.compile(
    r"the page you (?:were|are) looking for|page (?:could not|cannot|can't) be found"
    r"|(?:log|sign) in to (?:continue|read|your|access|view)|subscribers? only|subscribe to (?:continue|read)"
    r"|to continue reading|enable javascript|verify (?:that )?you are (?:a )?human|access (?:to this page )?"
    r"(?:has been )?denied|create (?:a free|an) account to",
    re.IGNORECASE,
)
_WALL_MAX_WORDS = 150

_TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " · ", " • ", " :: ", " : ", " / ")


@dataclass
class _PageMeta:
    """Metadata read from JSON-LD and meta tags (each field the first one found)."""

    title: str | None = None
    site_name: str | None = None  # the JSON-LD publisher, else og:site_name or application-name
    og_site_name: str | None = None
    author: str | None = None
    published: str | None = None
    modified: str | None = None
    url: str | None = None
    language: str | None = None
    extra: dict[str, str] = field(default_factory=dict)
    claimed_urls: list[str] = field(default_factory=list)  # canonical, og:url, JSON-LD url and publisher url


def extract_html(html: str | bytes, url: str | None = None) -> ArticleDraft:
    """Extract the article of an HTML page.

    Uses trafilatura (precision mode, no comments/tables/images/links) for the
    body and most metadata, fills gaps from JSON-LD and OpenGraph, and drops
    boilerplate lines with `corpus.clean.clean_blocks`. A first dateline
    paragraph ("VELMORA (Meridian Press) - ...") is kept as body text.

    Args:
        html: The page, as text or as raw bytes (decoded by
            `corpus.extract.decode.decode_html`: a BOM, UTF-8 validity, the
            page's declared charset, or detection). `corpus.extract.extract`
            is the entry point for bytes: it also refuses binary files.
        url: Where the page came from (after redirects); used to resolve a
            relative canonical URL and as the article URL when the page declares
            none. The page's own claims are checked against it
            (`corpus.provenance`): a canonical link, og:url or publisher on
            another site is kept in `extra` (``claimed_url``,
            ``claimed_source``), never as the link, the outlet or a date.
            Without it (a local file, an upload) the page's claims stand.

    Returns:
        The article: title, body paragraphs, canonical URL, source (site name),
        author, published_at (ISO 8601, with time when the page gives one) and
        language (primary subtag, e.g. "en") where known.

    Raises:
        NotAnArticle: the page is empty, holds fewer than `MIN_WORDS` words of
            article text, or is a login wall or error page.
    """
    if isinstance(html, bytes):
        if not html.strip():
            raise NotAnArticle(f"{NO_ARTICLE} (it is empty)")
        html = decode_html(html)
    html = strip_invisible(html)  # read as a reader sees it (see corpus.invisible)
    if not html.strip():
        raise NotAnArticle(f"{NO_ARTICLE} (it is empty)")

    tree = load_html(html)
    if tree is None:
        raise NotAnArticle(f"{NO_ARTICLE} (it could not be read as HTML)")
    meta = _page_meta(tree)
    claims_elsewhere = any(provenance.elsewhere(_absolute(claim, url), url) for claim in meta.claimed_urls)
    if claims_elsewhere:
        _drop_address_claims(tree)  # so that no date is read from another site's URL

    # htmldate's text-wide search is slow and only needed without date metadata.
    date_params = {"extensive_search": meta.published is None, "original_date": True}
    try:
        doc = trafilatura.bare_extraction(tree, url=url, date_extraction_params=date_params, **_TRAFILATURA_OPTIONS)
    except Exception as e:  # noqa: BLE001 - lxml/htmldate assert on some broken trees
        log.warning("trafilatura failed on a page (%s: %s)", type(e).__name__, e)
        raise NotAnArticle(f"{NO_ARTICLE} (its HTML is too broken to read)") from e
    if doc is None:
        raise NotAnArticle(NO_ARTICLE)

    source, claimed_source = _pick_source(meta, tree, doc.sitename, url, claims_elsewhere)
    if claimed_source:
        meta.extra["claimed_source"] = claimed_source
    title = _clean_field(doc.title) or meta.title or _first_heading(tree)
    title = _tidy_title(title, source, tree) if title else None
    author = _pick_author(doc.author, meta.author, source)
    blocks = _drop_author_bio(_body_paragraphs(doc.body, title), author)
    if _words(blocks) < RETRY_BELOW_WORDS and not _is_wall(title, [text for text, _ in blocks]):
        blocks = _retry_without_precision(tree, url, date_params, blocks, title, author)
    paragraphs = [text for text, _ in blocks]
    _check_enough_text(paragraphs, title)
    if not title:
        raise NotAnArticle(f"{NO_ARTICLE} (it has no title)")

    draft = ArticleDraft(
        title=title,
        paragraphs=tuple(paragraphs),
        headings=tuple(heading for _, heading in blocks) if any(h for _, h in blocks) else (),
        url=_pick_url(meta.url, doc.url, url),
        source=source,
        author=author,
        published_at=meta.published or iso_date(doc.date),
        language=language_code(doc.language) or meta.language,
        extra=meta.extra,
    )
    log.debug("extracted %r: %d paragraphs", draft.title, len(draft.paragraphs))
    return provenance.settle(draft, url, claims_elsewhere)


RETRY_BELOW_WORDS = 150
"""A body this short from precision mode may be the wrong block (a reprint notice, a teaser): trafilatura is
asked again without favouring precision, and its body is taken when it is at least `RETRY_GAIN` times longer."""
RETRY_GAIN = 2.0


def _words(blocks: list[tuple[str, str | None]]) -> int:
    return sum(word_count(text) for text, _ in blocks)


def _retry_without_precision(tree: HtmlElement, url: str | None, date_params: dict[str, Any],
                             blocks: list[tuple[str, str | None]], title: str | None,
                             author: str | None) -> list[tuple[str, str | None]]:
    """The body of trafilatura's default mode when it is much longer than precision mode's `blocks`."""
    options = {**_TRAFILATURA_OPTIONS, "favor_precision": False, "with_metadata": False}
    try:
        doc = trafilatura.bare_extraction(tree, url=url, date_extraction_params=date_params, **options)
    except Exception as e:  # noqa: BLE001 - as in extract_html
        log.debug("trafilatura's retry failed (%s: %s)", type(e).__name__, e)
        return blocks
    if doc is None:
        return blocks
    retried = _drop_author_bio(_body_paragraphs(doc.body, title), author)
    if _words(retried) >= RETRY_GAIN * max(_words(blocks), 1):
        log.debug("precision mode found %d words, the default mode %d: taking the default", _words(blocks),
                  _words(retried))
        return retried
    return blocks


def _body_paragraphs(body: Any, title: str | None) -> list[tuple[str, str | None]]:
    """Paragraphs of trafilatura's body tree, cleaned, each with the heading it sits under.

    Paragraphs, block quotes, list items and table cells each make one paragraph; headings (section
    headers, interview questions) become the context of the paragraphs below them (`corpus.clean.clean_blocks`),
    never paragraphs; the title repeated is neither. The tree uses trafilatura's XML tags, or HTML tags when a
    fallback extractor won, so both are handled. Line breaks inside a paragraph become newlines so the filter
    can judge each line.
    """
    raw: list[Block] = []
    if body is not None:
        _collect_blocks(body, raw)
    title_key = _match_key(title) if title else None
    raw = [b for b in raw if _match_key(b.text) != title_key]
    return clean_blocks(raw)


# trafilatura XML and HTML (from its readability/justext fallbacks) block tags.
_HEADING_TAGS = frozenset({"head", "h1", "h2", "h3", "h4", "h5", "h6", "title"})
_SKIP_TAGS = frozenset({"graphic", "img", "figcaption", "caption", "script", "style", "noscript", "form", "button"})
_BLOCK_TAGS = frozenset(
    {"p", "div", "list", "item", "ul", "ol", "li", "dl", "dt", "dd", "quote", "blockquote", "section", "article",
     "main", "header", "footer", "aside", "nav", "figure", "table", "row", "cell", "tr", "td", "th", "tbody",
     "thead", "pre", "hr", "center", "details", "summary", "address", "body", "doc"}
    | _HEADING_TAGS
    | _SKIP_TAGS
)
_BREAK_TAGS = frozenset({"lb", "br"})


def _collect_blocks(element: Any, out: list[Block]) -> None:
    """Append each innermost block under `element` to `out`, headings marked as such.

    Text that sits directly in a container between its child blocks becomes a
    paragraph of its own.
    """
    pending: list[str] = [element.text or ""]

    def flush() -> None:
        text = "".join(pending)
        if text.strip():
            out.append(Block(text))
        pending.clear()

    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag in _BLOCK_TAGS:
            flush()
            if tag in _HEADING_TAGS:
                text = _inline_text(child)
                # The page's h1 is its headline, whatever title its metadata gives: not a section's heading.
                if text.strip() and "h1" not in (tag, child.get("rend")):
                    out.append(Block(text, heading=True))
            elif tag in _TABLE_TAGS:
                _collect_table(child, out)
            elif tag not in _SKIP_TAGS:
                _collect_blocks(child, out)
        elif tag in _BREAK_TAGS:
            pending.append("\n")
        elif tag:
            pending.append(_inline_text(child))
        pending.append(child.tail or "")
    flush()


_TABLE_TAGS = frozenset({"table"})
_ROW_TAGS = frozenset({"row", "tr"})
_CELL_TAGS = frozenset({"cell", "td", "th"})
_CELL_BLOCK_TAGS = frozenset({"p", "div", "head", "h1", "h2", "h3", "h4", "h5", "h6", "list", "ul", "ol", "quote",
                              "blockquote", "table"})


def _collect_table(table: Any, out: list[Block]) -> None:
    """A table's text: a page laid out in a table gives its main column, a table of data one paragraph a row.

    A table whose cells hold headings or several paragraphs is page layout (columns for the menu, the
    article and a sidebar): only the cell with the most text is read, as a page of its own. In a data table
    each row becomes one paragraph, its cells separated by " | ".
    """
    cells = [c for c in table.iter() if isinstance(c.tag, str) and c.tag in _CELL_TAGS]
    if any(_is_layout_cell(cell) for cell in cells):
        main = max(cells, key=lambda c: word_count(" ".join(c.itertext())))
        _collect_blocks(main, out)
        return
    for row in (r for r in table.iter() if isinstance(r.tag, str) and r.tag in _ROW_TAGS):
        texts = [collapse_whitespace(_inline_text(c)) for c in row if isinstance(c.tag, str) and c.tag in _CELL_TAGS]
        line = " | ".join(t for t in texts if t)
        if line:
            out.append(Block(line))


def _is_layout_cell(cell: Any) -> bool:
    blocks = [c for c in cell if isinstance(c.tag, str) and c.tag in _CELL_BLOCK_TAGS]
    return len(blocks) >= 2 or any(c.tag in _HEADING_TAGS or c.tag in _TABLE_TAGS for c in blocks)


def _inline_text(element: Any) -> str:
    """Text of an inline element, with line breaks kept as newlines."""
    parts: list[str] = [element.text or ""]
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag in _BREAK_TAGS:
            parts.append("\n")
        elif tag and tag not in _SKIP_TAGS:
            parts.append(_inline_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _drop_author_bio(blocks: list[tuple[str, str | None]], author: str | None) -> list[tuple[str, str | None]]:
    """Drop a closing author blurb ("Tomas Reyes is a correspondent covering ...")."""
    if not author or not blocks:
        return blocks
    names = "|".join(re.escape(name) for name in author.split("; "))
    bio = re.compile(rf"(?:{names}) (?:is|was|covers|writes|reports|has (?:covered|reported|written))\b")
    while blocks and word_count(blocks[-1][0]) <= _MAX_BIO_WORDS and bio.match(blocks[-1][0]):
        log.debug("dropped author bio: %.80r", blocks[-1][0])
        blocks = blocks[:-1]
    return blocks


_MAX_BIO_WORDS = 40


def _check_enough_text(paragraphs: list[str], title: str | None) -> None:
    """Raise `NotAnArticle` for pages with too little text, login walls and error pages."""
    words = sum(word_count(p) for p in paragraphs)
    if words < MIN_WORDS:
        raise NotAnArticle(NO_ARTICLE)
    if words < _WALL_MAX_WORDS and _is_wall(title, paragraphs):
        raise NotAnArticle(LOGIN_OR_ERROR)


def _is_wall(title: str | None, paragraphs: list[str]) -> bool:
    """A login wall's or an error page's title or text (only trusted on short pages)."""
    return bool(title and _WALL_TITLE_RE.search(title)) or any(_WALL_TEXT_RE.search(p) for p in paragraphs)


def _page_meta(tree: HtmlElement) -> _PageMeta:
    """Read JSON-LD article data, OpenGraph and other meta tags."""
    meta = _PageMeta()
    _read_json_ld(tree, meta)

    tags: dict[str, str] = {}
    for element in tree.iterfind(".//meta"):
        key = (element.get("property") or element.get("name") or element.get("itemprop") or "").strip().lower()
        content = (element.get("content") or "").strip()
        if key and content and key not in tags:
            tags[key] = content
        equiv = (element.get("http-equiv") or "").strip().lower()
        if equiv == "content-language" and content:
            tags.setdefault("content-language", content)

    meta.title = meta.title or _clean_field(tags.get("og:title") or tags.get("twitter:title"))
    if not meta.title:
        title_el = tree.find(".//title")
        if title_el is not None:
            meta.title = _clean_field(title_el.text_content())
    meta.og_site_name = _clean_field(tags.get("og:site_name") or tags.get("application-name"))
    meta.site_name = meta.site_name or meta.og_site_name
    if not meta.author:
        for key in ("author", "article:author", "byl", "dc.creator", "parsely-author", "sailthru.author"):
            if jsonld.is_name(tags.get(key)):
                meta.author = _clean_field(tags[key])
                break
    if not meta.published:
        for key in _DATE_META:
            meta.published = iso_date(tags.get(key))
            if meta.published:
                break
    if not meta.published:
        meta.published = _time_element_date(tree)
    modified = meta.modified or iso_date(tags.get("article:modified_time") or tags.get("og:updated_time"))
    if modified:
        meta.extra["modified_at"] = modified

    canonical = None
    for link in tree.iterfind(".//link"):
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
            canonical = link.get("href").strip()
            break
    meta.claimed_urls = [u for u in (canonical, tags.get("og:url"), *meta.claimed_urls) if u]
    meta.url = canonical or tags.get("og:url") or meta.url

    html_el = tree if tree.tag == "html" else tree.find(".//html")
    lang_attr = html_el.get("lang") if html_el is not None else None
    meta.language = (
        meta.language
        or language_code(lang_attr)
        or language_code(tags.get("content-language"))
        or language_code(tags.get("og:locale"))
    )
    return meta


def _read_json_ld(tree: HtmlElement, meta: _PageMeta) -> None:
    """Fill `meta` from the first JSON-LD object typed as an article."""
    for script in tree.iterfind(".//script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text)
        except ValueError:
            log.debug("skipping invalid JSON-LD block")
            continue
        article = next(jsonld.articles(data), None)
        if article is None:
            continue
        meta.title = _clean_field(jsonld.text(article.get("headline")) or jsonld.text(article.get("name")))
        meta.author = jsonld.names(article.get("author"))
        meta.site_name = jsonld.names(article.get("publisher"))
        publishers = article.get("publisher")
        for publisher in publishers if isinstance(publishers, list) else [publishers]:
            if isinstance(publisher, dict) and jsonld.text(publisher.get("url")):
                meta.claimed_urls.append(jsonld.text(publisher.get("url")))
        meta.published = iso_date(jsonld.text(article.get("datePublished")) or jsonld.text(article.get("dateCreated")))
        meta.modified = iso_date(jsonld.text(article.get("dateModified")))
        main = article.get("mainEntityOfPage")
        if isinstance(main, dict):
            main = main.get("@id") or main.get("url")
        meta.url = jsonld.text(article.get("url")) or jsonld.text(main)
        if meta.url:
            meta.claimed_urls.append(meta.url)
        lang = article.get("inLanguage")
        meta.language = language_code(lang.get("name") if isinstance(lang, dict) else jsonld.text(lang))
        return


def _time_element_date(tree: HtmlElement) -> str | None:
    """Publication date from a <time datetime> element marked as the publication time."""
    for element in tree.iterfind(".//time[@datetime]"):
        marks = f'{element.get("class") or ""} {element.get("itemprop") or ""}'
        if element.get("pubdate") is not None or re.search(r"publish|pubdate", marks, re.IGNORECASE):
            return iso_date(element.get("datetime"))
    return None


def _first_heading(tree: HtmlElement) -> str | None:
    heading = tree.find(".//h1")
    return _clean_field(heading.text_content()) if heading is not None else None


def _clean_field(value: str | None) -> str | None:
    """Collapse whitespace; None for empty values."""
    if not value:
        return None
    return collapse_whitespace(value) or None


def _match_key(text: str) -> str:
    """Case- and punctuation-insensitive key for comparing a title with a paragraph."""
    return re.sub(r"\W+", " ", unicodedata.normalize("NFKC", text).casefold()).strip()


def _tidy_title(title: str, source: str | None, tree: HtmlElement) -> str:
    """Drop the site name from a page title.

    A trailing " | Outlet" (or " - Outlet", ...) goes when Outlet is the
    source; so does a leading "Outlet | ". If what is left still has
    separators ("News :: Headline") and one end of it is a heading on the
    page, that heading is the title.
    """
    if source:
        key = _match_key(source)
        for separator in _TITLE_SEPARATORS:
            head, sep, tail = title.rpartition(separator)
            if sep and head.strip() and _match_key(tail) == key:
                title = head.strip()
                break
            head, sep, tail = title.partition(separator)
            if sep and tail.strip() and _match_key(head) == key:
                title = tail.strip()
                break
    if not _TITLE_SPLIT_RE.search(title):
        return title
    headings = {_match_key(h.text_content()): _clean_field(h.text_content()) for h in tree.xpath(_HEADINGS_XPATH)}
    separators = list(_TITLE_SPLIT_RE.finditer(title))
    for match in separators:
        for part in (title[match.end() :], title[: match.start()]):
            heading = headings.get(_match_key(part))
            if heading:
                return heading
    return title


_HEADINGS_XPATH = "(.//h1 | .//h2 | .//h3)[position() <= 12]"


def _pick_url(meta_url: str | None, found: str | None, given: str | None) -> str | None:
    """The page's canonical URL (resolved against `given`), else `given`."""
    for candidate in (meta_url, found):
        if not candidate:
            continue
        try:
            absolute = urljoin(given, candidate.strip()) if given else candidate.strip()
            parts = urlsplit(absolute)
        except ValueError:  # e.g. a bracketed host that is no IP address
            continue
        if parts.scheme not in ("http", "https") or not parts.netloc:
            continue
        # A canonical pointing at the home page is a template bug, not the article's address.
        if parts.path in ("", "/") and given and urlsplit(given).path not in ("", "/"):
            continue
        return absolute
    return given


def _absolute(candidate: str, given: str | None) -> str | None:
    """`candidate` resolved against `given`; None when it cannot be."""
    try:
        return urljoin(given, candidate.strip()) if given else candidate.strip()
    except ValueError:
        return None


def _drop_address_claims(tree: HtmlElement) -> None:
    """Remove the canonical link, og:url and JSON-LD (already read into `_PageMeta`), so that trafilatura and
    htmldate do not read an address or a date from a URL the page claims on another site."""
    for link in list(tree.iterfind(".//link")):
        if "canonical" in (link.get("rel") or "").lower().split():
            link.drop_tree()
    for element in list(tree.iterfind(".//meta")):
        if (element.get("property") or element.get("name") or "").strip().lower() == "og:url":
            element.drop_tree()
    for script in list(tree.iterfind(".//script")):
        if (script.get("type") or "").strip().lower() == "application/ld+json":
            script.drop_tree()


def _pick_source(meta: _PageMeta, tree: HtmlElement, sitename: str | None, url: str | None,
                 claims_elsewhere: bool) -> tuple[str | None, str | None]:
    """(outlet, name claimed and refused): the first outlet name the page gives (JSON-LD publisher,
    og:site_name, the site part of <title>, trafilatura's) that is the serving site's
    (`corpus.provenance.names_other_site`); when the page names only other sites, the serving site's domain."""
    names = [_clean_field(meta.site_name), meta.og_site_name, _site_from_title(tree, url or meta.url),
             _clean_field(sitename)]
    refused = None
    for name in names:
        if not name:
            continue
        if provenance.names_other_site(name, url, claims_elsewhere):
            refused = refused or name
            continue
        return name, refused
    return (provenance.site(url) if refused else None), refused


def _pick_author(found: str | None, meta_author: str | None, source: str | None) -> str | None:
    """The people in the byline: roles ("Courier Staff"), agencies and the outlet are dropped."""
    source_key = _match_key(source) if source else None
    for candidate in (found, meta_author):
        if not jsonld.is_name(candidate):
            continue
        people = [
            name
            for part in re.split(r"\s*[;|]\s*", candidate)  # type: ignore[arg-type]
            if (name := _clean_field(part)) and not _NOT_A_PERSON_RE.search(name) and _match_key(name) != source_key
        ]
        if people:
            return "; ".join(people)
    return None


# Words that mark a byline part as a role or an organisation, not a person.
_NOT_A_PERSON_RE = re.compile(
    rf"\b(?:{alternation(NEWSROOM_ROLES)}|editorial|newsroom|press|news|agency|wires?|service|media|bureau|reuters"
    r"|associated|contributors?|admin|administrator|webmaster)\b",
    re.IGNORECASE,
)


def _site_from_title(tree: HtmlElement, url: str | None) -> str | None:
    """The site name as the first or last part of <title>, when it matches the host or the logo.

    "Valley Courier :: News :: Boat crews..." on valleycourier.example (or with
    a logo image whose alt text is "Valley Courier") gives "Valley Courier".
    """
    title_el = tree.find(".//title")
    title = _clean_field(title_el.text_content()) if title_el is not None else None
    if not title:
        return None
    parts = [p.strip() for p in _TITLE_SPLIT_RE.split(title) if p.strip()]
    if len(parts) < 2:
        return None
    known: set[str] = set()
    host = urlsplit(url).hostname if url else None
    if host:
        known.update(label for label in host.lower().split(".") if label != "www")
    for image in tree.xpath(_LOGO_XPATH):
        alt = image.get("alt")
        if alt:
            known.add(_squash(alt))
    for part in (parts[0], parts[-1]):
        if _squash(part) in known:
            return part
    return None


_TITLE_SPLIT_RE = re.compile(r"\s+(?:\||::|-|–|—|·|•)\s+")
_LOGO_XPATH = (
    './/*[contains(translate(@class, "LOGO", "logo"), "logo") or contains(translate(@id, "LOGO", "logo"), "logo")]'
    '//img[@alt] | .//img[contains(translate(@class, "LOGO", "logo"), "logo")][@alt] | .//a[@href="/"]//img[@alt]'
)


def _squash(text: str) -> str:
    return re.sub(r"\W+", "", text.casefold())
