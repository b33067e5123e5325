"""Turn an HTML page or a local text/Markdown file into an `ArticleDraft`.

HTML goes through trafilatura, tuned for precision (no comments, tables, images
or links), and then through our own boilerplate filter (`corpus.clean`). Page
metadata that trafilatura misses or simplifies (the publication time, the
language, a JSON-LD ``mainEntityOfPage`` URL) is read from JSON-LD and
OpenGraph/meta tags here.
"""

from __future__ import annotations

import codecs
import json
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import trafilatura
from lxml.html import HtmlElement
from trafilatura.utils import load_html

from corpus.clean import clean_paragraphs, collapse_whitespace
from corpus.errors import NotAnArticle, UnsupportedFile
from corpus.models import ArticleDraft

log = logging.getLogger(__name__)

MIN_WORDS = 25
"""Fewer words than this in the whole body means there is no article."""

KEEP_SUBHEADINGS = False
"""Section headings inside the body ("What happens next") are not passages by default."""

HTML_SUFFIXES = frozenset({".html", ".htm"})
TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown"})
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})

NO_ARTICLE = "no article text found on that page"
LOGIN_OR_ERROR = "that page is a login, paywall or error page, not an article"

_TRAFILATURA_OPTIONS: dict[str, Any] = {
    "favor_precision": True,
    "include_comments": False,
    "include_tables": False,
    "include_images": False,
    "include_links": False,
    "include_formatting": False,
    "with_metadata": True,
}

# JSON-LD types that describe an article.
_ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "backgroundnewsarticle",
        "reviewnewsarticle",
        "askpublicquestionarticle",
        "blogposting",
        "liveblogposting",
        "socialmediaposting",
        "scholarlyarticle",
        "report",
    }
)

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

_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE)
_XML_ENCODING_RE = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:\-]+)""", re.IGNORECASE)


# --------------------------------------------------------------------------- HTML


@dataclass
class _PageMeta:
    """Metadata read from JSON-LD and meta tags (each field the first one found)."""

    title: str | None = None
    site_name: str | None = None
    author: str | None = None
    published: str | None = None
    modified: str | None = None
    url: str | None = None
    language: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


def extract_html(html: str | bytes, url: str | None = None) -> ArticleDraft:
    """Extract the article of an HTML page.

    Uses trafilatura (precision mode, no comments/tables/images/links) for the
    body and most metadata, fills gaps from JSON-LD and OpenGraph, and drops
    boilerplate lines with `corpus.clean.clean_paragraphs`. A first dateline
    paragraph ("VELMORA (Meridian Press) - ...") is kept as body text.

    Args:
        html: The page, as text or as raw bytes (the encoding is taken from a
            BOM, UTF-8 validity, the page's declared charset, or detection).
        url: Where the page came from; used to resolve a relative canonical URL
            and as the article URL when the page declares none.

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
        html = _decode_html(html)
    if not html.strip():
        raise NotAnArticle(f"{NO_ARTICLE} (it is empty)")

    tree = load_html(html)
    if tree is None:
        raise NotAnArticle(f"{NO_ARTICLE} (it could not be read as HTML)")
    meta = _page_meta(tree)

    # htmldate's text-wide search is slow and only needed without date metadata.
    date_params = {"extensive_search": meta.published is None, "original_date": True}
    try:
        doc = trafilatura.bare_extraction(tree, url=url, date_extraction_params=date_params, **_TRAFILATURA_OPTIONS)
    except Exception as e:  # noqa: BLE001 - lxml/htmldate assert on some broken trees
        log.warning("trafilatura failed on a page (%s: %s)", type(e).__name__, e)
        raise NotAnArticle(f"{NO_ARTICLE} (its HTML is too broken to read)") from e
    if doc is None:
        raise NotAnArticle(NO_ARTICLE)

    source = _clean_field(meta.site_name) or _site_from_title(tree, url or meta.url) or _clean_field(doc.sitename)
    title = _clean_field(doc.title) or meta.title or _first_heading(tree)
    title = _tidy_title(title, source, tree) if title else None
    author = _pick_author(doc.author, meta.author, source)
    paragraphs = _drop_author_bio(_body_paragraphs(doc.body, title), author)
    _check_enough_text(paragraphs, title)
    if not title:
        raise NotAnArticle(f"{NO_ARTICLE} (it has no title)")

    draft = ArticleDraft(
        title=title,
        paragraphs=tuple(paragraphs),
        url=_pick_url(meta.url, doc.url, url),
        source=source,
        author=author,
        published_at=meta.published or _iso_date(doc.date),
        language=_language_code(doc.language) or meta.language,
        extra=meta.extra,
    )
    log.debug("extracted %r: %d paragraphs", draft.title, len(draft.paragraphs))
    return draft


def _decode_html(data: bytes) -> str:
    """Decode page bytes: BOM, then strict UTF-8, then the declared charset, then detection."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(encoding, errors="replace").lstrip("\ufeff")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    head = data[:4096]
    match = _XML_ENCODING_RE.search(head) or _META_CHARSET_RE.search(head)
    if match:
        declared = match.group(1).decode("ascii", errors="ignore")
        try:
            encoding = codecs.lookup(declared).name
        except LookupError:
            log.debug("unknown declared charset %r", declared)
        else:
            # Browsers read these labels as windows-1252, and so do pages.
            if encoding in ("latin-1", "iso8859-1", "ascii"):
                encoding = "cp1252"
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                log.debug("page does not decode as its declared %s", encoding)
    # Let trafilatura's detection decide.
    return trafilatura.utils.decode_file(data)


def _body_paragraphs(body: Any, title: str | None) -> list[str]:
    """Paragraphs of trafilatura's body tree, cleaned.

    Paragraphs, block quotes and list items each make one paragraph; headings
    (the title repeated, section headers, widget labels) are left out unless
    `KEEP_SUBHEADINGS` is set. The tree uses trafilatura's XML tags, or HTML
    tags when a fallback extractor won, so both are handled. Line breaks inside
    a paragraph become newlines so the filter can judge each line.
    """
    raw: list[str] = []
    if body is not None:
        _collect_blocks(body, raw)
    title_key = _match_key(title) if title else None
    return [p for p in clean_paragraphs(raw) if _match_key(p) != title_key]


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


def _collect_blocks(element: Any, out: list[str]) -> None:
    """Append the text of each innermost block under `element` to `out`.

    Text that sits directly in a container between its child blocks becomes a
    paragraph of its own.
    """
    pending: list[str] = [element.text or ""]

    def flush() -> None:
        text = "".join(pending)
        if text.strip():
            out.append(text)
        pending.clear()

    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag in _BLOCK_TAGS:
            flush()
            if tag in _HEADING_TAGS:
                if KEEP_SUBHEADINGS:
                    out.append(_inline_text(child))
            elif tag not in _SKIP_TAGS:
                _collect_blocks(child, out)
        elif tag in _BREAK_TAGS:
            pending.append("\n")
        elif tag:
            pending.append(_inline_text(child))
        pending.append(child.tail or "")
    flush()


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


def _drop_author_bio(paragraphs: list[str], author: str | None) -> list[str]:
    """Drop a closing author blurb ("Tomas Reyes is a correspondent covering ...")."""
    if not author or not paragraphs:
        return paragraphs
    names = "|".join(re.escape(name) for name in author.split("; "))
    bio = re.compile(rf"(?:{names}) (?:is|was|covers|writes|reports|has (?:covered|reported|written))\b")
    while paragraphs and len(paragraphs[-1].split()) <= _MAX_BIO_WORDS and bio.match(paragraphs[-1]):
        log.debug("dropped author bio: %.80r", paragraphs[-1])
        paragraphs = paragraphs[:-1]
    return paragraphs


_MAX_BIO_WORDS = 40


def _check_enough_text(paragraphs: list[str], title: str | None) -> None:
    """Raise `NotAnArticle` for pages with too little text, login walls and error pages."""
    words = sum(len(p.split()) for p in paragraphs)
    if words < MIN_WORDS:
        raise NotAnArticle(NO_ARTICLE)
    if words < _WALL_MAX_WORDS:
        if (title and _WALL_TITLE_RE.search(title)) or any(_WALL_TEXT_RE.search(p) for p in paragraphs):
            raise NotAnArticle(LOGIN_OR_ERROR)


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
    meta.site_name = meta.site_name or _clean_field(tags.get("og:site_name") or tags.get("application-name"))
    if not meta.author:
        for key in ("author", "article:author", "byl", "dc.creator", "parsely-author", "sailthru.author"):
            if _is_name(tags.get(key)):
                meta.author = _clean_field(tags[key])
                break
    if not meta.published:
        for key in _DATE_META:
            meta.published = _iso_date(tags.get(key))
            if meta.published:
                break
    if not meta.published:
        meta.published = _time_element_date(tree)
    modified = meta.modified or _iso_date(tags.get("article:modified_time") or tags.get("og:updated_time"))
    if modified:
        meta.extra["modified_at"] = modified

    canonical = None
    for link in tree.iterfind(".//link"):
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
            canonical = link.get("href").strip()
            break
    meta.url = canonical or tags.get("og:url") or meta.url

    html_el = tree if tree.tag == "html" else tree.find(".//html")
    lang_attr = html_el.get("lang") if html_el is not None else None
    meta.language = (
        meta.language
        or _language_code(lang_attr)
        or _language_code(tags.get("content-language"))
        or _language_code(tags.get("og:locale"))
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
        article = next(_json_ld_articles(data), None)
        if article is None:
            continue
        meta.title = _clean_field(_json_text(article.get("headline")) or _json_text(article.get("name")))
        meta.author = _json_ld_names(article.get("author"))
        meta.site_name = _json_ld_names(article.get("publisher"))
        meta.published = _iso_date(_json_text(article.get("datePublished")) or _json_text(article.get("dateCreated")))
        meta.modified = _iso_date(_json_text(article.get("dateModified")))
        main = article.get("mainEntityOfPage")
        if isinstance(main, dict):
            main = main.get("@id") or main.get("url")
        meta.url = _json_text(article.get("url")) or _json_text(main)
        lang = article.get("inLanguage")
        meta.language = _language_code(lang.get("name") if isinstance(lang, dict) else _json_text(lang))
        return


def _json_ld_articles(data: Any) -> Any:
    """Yield article-typed objects anywhere in a JSON-LD document (incl. @graph)."""
    if isinstance(data, list):
        for item in data:
            yield from _json_ld_articles(item)
    elif isinstance(data, dict):
        types = data.get("@type")
        types = types if isinstance(types, list) else [types]
        if any(isinstance(t, str) and t.lower() in _ARTICLE_TYPES for t in types):
            yield data
        graph = data.get("@graph")
        if graph is not None:
            yield from _json_ld_articles(graph)


def _json_text(value: Any) -> str | None:
    """A JSON-LD value as a string (first of a list), or None."""
    if isinstance(value, list):
        value = value[0] if value else None
    return (value.strip() or None) if isinstance(value, str) else None


def _json_ld_names(value: Any) -> str | None:
    """Names of JSON-LD persons/organizations, joined with '; '."""
    values = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in values:
        name = item.get("name") if isinstance(item, dict) else item
        if _is_name(name):
            names.append(_clean_field(name))  # type: ignore[arg-type]
    return "; ".join(names) or None


def _is_name(value: Any) -> bool:
    """A plausible person or site name (not empty, not a URL)."""
    return isinstance(value, str) and bool(value.strip()) and not re.match(r"\s*(?:https?:)?//", value)


def _time_element_date(tree: HtmlElement) -> str | None:
    """Publication date from a <time datetime> element marked as the publication time."""
    for element in tree.iterfind(".//time[@datetime]"):
        marks = f'{element.get("class") or ""} {element.get("itemprop") or ""}'
        if element.get("pubdate") is not None or re.search(r"publish|pubdate", marks, re.IGNORECASE):
            return _iso_date(element.get("datetime"))
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


def _pick_author(found: str | None, meta_author: str | None, source: str | None) -> str | None:
    """The people in the byline: roles ("Courier Staff"), agencies and the outlet are dropped."""
    source_key = _match_key(source) if source else None
    for candidate in (found, meta_author):
        if not _is_name(candidate):
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
    r"\b(?:staff|writers?|reporters?|correspondents?|editors?|editorial|desk|newsroom|team|press|news|agency"
    r"|wire|wires|service|media|bureau|reuters|associated|contributors?|admin|administrator|webmaster)\b",
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


def _language_code(value: str | None) -> str | None:
    """Primary language subtag, lower case: "en-GB" -> "en"."""
    if not value:
        return None
    code = re.split(r"[-_]", value.strip(), maxsplit=1)[0].lower()
    return code if re.fullmatch(r"[a-z]{2,3}", code) else None


_TEXT_DATE_FORMATS = ("%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%B %d %Y", "%Y/%m/%d", "%d.%m.%Y")


def _iso_date(value: str | None) -> str | None:
    """Normalise a date or datetime string to ISO 8601 (keeping the time if given)."""
    if not value or not value.strip():
        return None
    text = value.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text).isoformat()
        return datetime.fromisoformat(text.replace(" ", "T", 1)).isoformat()
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text).isoformat()  # RFC 2822, as in some feeds
    except (TypeError, ValueError, IndexError):
        pass
    for fmt in _TEXT_DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    log.debug("unparsed date %r", text)
    return None


# --------------------------------------------------------------------------- text files

_FRONT_MATTER_KEYS = {
    "source": "source",
    "outlet": "source",
    "publisher": "source",
    "site": "source",
    "author": "author",
    "authors": "author",
    "by": "author",
    "byline": "author",
    "date": "published_at",
    "published": "published_at",
    "published_at": "published_at",
    "url": "url",
    "link": "url",
    "canonical": "url",
    "language": "language",
    "lang": "language",
    "title": "title",
}
_FRONT_MATTER_LINE_RE = re.compile(r"^\s*([A-Za-z_ ]{2,15}?)\s*:\s*(.+?)\s*$")
# "By Ana Brisk" / "BY ANA BRISK and Dario Fenn": capitalised names only, nothing else on the line.
_BY_NAME = r"[A-Z][\w'.\-]*(?:\s+[A-Z][\w'.\-]*){0,3}"
_BY_LINE_RE = re.compile(rf"^\s*(?:[Bb]y|BY)\s+({_BY_NAME}(?:\s*(?:,|and|&)\s*{_BY_NAME})*)\s*$")

_MD_HEADING_RE = re.compile(r"^\s{0,3}#{1,6}\s*(.*?)\s*#*\s*$")
_MD_SETEXT_RE = re.compile(r"^\s{0,3}(?:=+|-+)\s*$")
_MD_RULE_RE = re.compile(r"^\s{0,3}(?:(?:-\s*){3,}|(?:\*\s*){3,}|(?:_\s*){3,})$")
_MD_BULLET_RE = re.compile(r"^\s{0,8}(?:[-*+•]|\d{1,3}[.)])\s+")
_MD_QUOTE_RE = re.compile(r"^\s{0,3}>\s?")
_MD_FENCE_RE = re.compile(r"^\s{0,3}(?:```|~~~)")
_MD_REF_DEF_RE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*\S+")
_MD_INLINE = (
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), ""),  # images
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # links
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),  # reference links
    (re.compile(r"<(https?://[^>\s]+)>"), r"\1"),  # autolinks
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),  # strong
    (re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])"), r"\1"),  # emphasis *x*
    (re.compile(r"(?<![\w_])_(?=\S)(.+?)(?<=\S)_(?![\w_])"), r"\1"),  # emphasis _x_
    (re.compile(r"~~(?=\S)(.+?)(?<=\S)~~"), r"\1"),  # strikethrough
    (re.compile(r"`([^`]+)`"), r"\1"),  # code
)
# A first line this long is a sentence, not a title.
_MAX_TITLE_WORDS = 25


def extract_text(text: str, name: str | None = None) -> ArticleDraft:
    """Read an article from plain text or Markdown.

    The title is the first non-empty line (Markdown heading markers removed;
    a YAML ``title:`` wins). If that line is longer than 25 words it is kept as
    body text and the title is made from `name` instead.
    Lines right after the title of the form ``Key: value`` fill metadata:
    ``Source:``/``Outlet:``/``Publisher:``, ``Author:``/``By:``, ``Date:``/
    ``Published:`` (ISO 8601 or e.g. "March 4, 2026"), ``URL:``/``Link:`` and
    ``Language:``; a bare ``By Name`` line sets the author. A leading YAML
    front-matter block (between ``---`` lines) with the same keys is read too.
    The body is the blank-line separated paragraphs after that; lines within
    a paragraph are joined. For Markdown (`name` ending in .md/.markdown, or no
    `name`), emphasis, link syntax, list bullets, block-quote markers, code
    fences and horizontal rules are stripped; each list item becomes its own
    paragraph; section headings in the body are dropped, as in HTML (see
    `KEEP_SUBHEADINGS`). The same boilerplate filter as for HTML applies.

    Args:
        text: The file's text.
        name: The file name, if any: selects Markdown handling by suffix and
            provides a fallback title.

    Returns:
        The article, with `url` from the front matter if given (http/https
        only), else None. A date that cannot be parsed is kept as written in
        ``extra["date_text"]``.

    Raises:
        NotAnArticle: no title or fewer than `MIN_WORDS` words of body text.
    """
    markdown = name is None or Path(name).suffix.lower() in MARKDOWN_SUFFIXES
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    fields: dict[str, str] = {}
    lines = _read_yaml_front_matter(lines, fields)

    # Title: the first non-empty line.
    index = next((i for i, line in enumerate(lines) if line.strip()), None)
    if index is None:
        raise NotAnArticle(f"{_file_label(name)} is empty")
    first = lines[index]
    title_line = _MD_HEADING_RE.sub(r"\1", first) if markdown else first
    title_line = _strip_inline_markdown(title_line) if markdown else title_line
    title = collapse_whitespace(title_line)
    rest = lines[index + 1 :]
    if markdown and rest and _MD_SETEXT_RE.match(rest[0]):
        rest = rest[1:]
    if len(title.split()) > _MAX_TITLE_WORDS and name:
        # No title line: the file starts with body text.
        title = collapse_whitespace(re.sub(r"[-_]+", " ", Path(name).stem)).capitalize()
        rest = lines[index:]
    rest = _read_header_lines(rest, fields)

    blocks = _markdown_blocks(rest) if markdown else _plain_blocks(rest)
    title = fields.pop("title", None) or title
    paragraphs = clean_paragraphs(blocks)
    if not title:
        raise NotAnArticle(f"{_file_label(name)} has no title line")
    if sum(len(p.split()) for p in paragraphs) < MIN_WORDS:
        raise NotAnArticle(f"{_file_label(name)} holds too little text to be an article")

    published = fields.get("published_at")
    extra: dict[str, str] = {}
    published_iso = _iso_date(published) if published else None
    if published and not published_iso:
        extra["date_text"] = published
    url = fields.get("url")
    if url and urlsplit(url).scheme not in ("http", "https"):
        log.debug("ignoring non-web URL %r in %s", url, _file_label(name))
        url = None
    return ArticleDraft(
        title=title,
        paragraphs=tuple(paragraphs),
        url=url,
        source=fields.get("source"),
        author=fields.get("author"),
        published_at=published_iso,
        language=_language_code(fields.get("language")),
        extra=extra,
    )


def _file_label(name: str | None) -> str:
    return Path(name).name if name else "that text"


def _read_yaml_front_matter(lines: list[str], fields: dict[str, str]) -> list[str]:
    """Consume a leading ``---`` ... ``---`` block of ``key: value`` lines."""
    if not lines or lines[0].strip() != "---":
        return lines
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            for line in lines[1:end]:
                _take_field(line, fields)
            return lines[end + 1 :]
    return lines


def _read_header_lines(lines: list[str], fields: dict[str, str]) -> list[str]:
    """Consume ``Key: value`` and ``By Name`` lines right after the title."""
    index = 0
    while index < len(lines):
        line = lines[index]
        if not line.strip():
            index += 1
            continue
        if _take_field(line, fields):
            index += 1
            continue
        by = _BY_LINE_RE.match(_strip_inline_markdown(line))
        standalone = index + 1 == len(lines) or not lines[index + 1].strip() or _take_field(lines[index + 1], {})
        if by and standalone and "author" not in fields:
            fields["author"] = by.group(1).strip()
            index += 1
            continue
        break
    return lines[index:]


def _take_field(line: str, fields: dict[str, str]) -> bool:
    """Store a known ``Key: value`` line in `fields`; False if it is not one."""
    match = _FRONT_MATTER_LINE_RE.match(_strip_inline_markdown(line))
    if not match:
        return False
    key = _FRONT_MATTER_KEYS.get(match.group(1).strip().lower().replace(" ", "_"))
    if key is None:
        return False
    fields.setdefault(key, match.group(2).strip().strip("\"'"))
    return True


def _plain_blocks(lines: list[str]) -> list[str]:
    """Blank-line separated paragraphs, lines joined with spaces."""
    blocks: list[str] = []
    current: list[str] = []
    for line in [*lines, ""]:
        if line.strip():
            current.append(line.strip())
        elif current:
            blocks.append(" ".join(current))
            current = []
    return blocks


def _markdown_blocks(lines: list[str]) -> list[str]:
    """Paragraphs of a Markdown body with the markup stripped."""
    blocks: list[str] = []
    current: list[str] = []

    def flush() -> None:
        if current:
            blocks.append(_strip_inline_markdown(" ".join(current)))
            current.clear()

    for line in lines:
        if _MD_FENCE_RE.match(line) or _MD_REF_DEF_RE.match(line):
            continue
        if _MD_SETEXT_RE.match(line) and len(current) == 1:
            # "Heading\n-------": the line collected so far is a heading.
            if KEEP_SUBHEADINGS:
                flush()
            current.clear()
            continue
        if not line.strip() or _MD_RULE_RE.match(line):
            flush()
            continue
        line = _MD_QUOTE_RE.sub("", line)
        heading = _MD_HEADING_RE.match(line) if line.lstrip().startswith("#") else None
        if heading:
            flush()
            if KEEP_SUBHEADINGS:
                blocks.append(_strip_inline_markdown(heading.group(1)))
            continue
        bullet = _MD_BULLET_RE.match(line)
        if bullet:
            flush()
            line = line[bullet.end() :]
        current.append(line.strip())
    flush()
    return blocks


def _strip_inline_markdown(text: str) -> str:
    for pattern, replacement in _MD_INLINE:
        text = pattern.sub(replacement, text)
    return text


# --------------------------------------------------------------------------- files


def extract_file(path: Path) -> ArticleDraft:
    """Extract the article held in a local file.

    ``.html``/``.htm`` files go through `extract_html` (the URL is the page's
    canonical URL if it declares one, else None); ``.txt``, ``.md`` and
    ``.markdown`` files through `extract_text`.

    Args:
        path: The file to read.

    Returns:
        The article.

    Raises:
        UnsupportedFile: any other file type.
        NotAnArticle: the file is empty, binary, not decodable as text, or
            holds no article text.
        OSError: the file cannot be read.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in HTML_SUFFIXES and suffix not in TEXT_SUFFIXES:
        kind = f"{suffix} files are" if suffix else "files without an extension are"
        raise UnsupportedFile(f"cannot read {path.name}: {kind} not supported; use .html, .htm, .txt or .md")
    data = path.read_bytes()
    if not data.strip():
        raise NotAnArticle(f"{path.name} is empty")
    if suffix in HTML_SUFFIXES:
        if b"\x00" in data[:8192] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise NotAnArticle(f"{path.name} is a binary file, not a web page")
        return extract_html(data)
    return extract_text(_decode_text_file(data, path.name), name=path.name)


def _decode_text_file(data: bytes, name: str) -> str:
    """Decode a text file, refusing binary data."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", errors="replace")
    elif b"\x00" in data:
        raise NotAnArticle(f"{name} is a binary file, not text")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = _guess_decode(data, name)
    control = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f")
    if control > max(2, len(text) // 100):
        raise NotAnArticle(f"{name} is a binary file, not text")
    return text


def _guess_decode(data: bytes, name: str) -> str:
    """Decode non-UTF-8 text with charset detection, or refuse it."""
    from charset_normalizer import from_bytes  # a trafilatura dependency

    best = from_bytes(data).best()
    if best is None or best.chaos > 0.3:
        raise NotAnArticle(f"{name} could not be read as text (unknown encoding or binary data)")
    log.debug("%s decoded as %s", name, best.encoding)
    return str(best)
