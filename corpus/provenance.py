"""Which site a URL belongs to, so that what a page says about itself can be checked against where it was
fetched from.

A page's canonical link, `og:url` and JSON-LD publisher are claims: a page served by one site can claim
to be another's article. Two URLs are on the same site when they share a registrable domain (the public
suffix list, private suffixes included, so that two `github.io` sites are two sites), read offline from the
list bundled with `tld`. Hosts the list does not know (`.example`, `localhost`, addresses) fall back to
their last two labels, or the whole host.
"""

from __future__ import annotations

import ipaddress
from dataclasses import replace
from urllib.parse import urlsplit

from tld import get_fld

from corpus.attribution.agencies import canonical_agency
from corpus.models import ArticleDraft


def site(url: str | None) -> str | None:
    """The registrable domain of an http(s) URL ("www.reuters.com/x" -> "reuters.com"), or None.

    Args:
        url: Any string; anything that is no http(s) URL with a host gives None.

    Returns:
        The domain in lower case; for a host on no known suffix, its last two labels ("www.kl.example" ->
        "kl.example"); an IP address or a one-label host as it is.
    """
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").rstrip(".").lower()
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        pass
    found = get_fld(host, fix_protocol=True, fail_silently=True)
    if found:
        return str(found).lower()
    labels = host.split(".")
    return ".".join(labels[-2:])


def same_site(a: str | None, b: str | None) -> bool:
    """Whether two URLs are on one site (see `site`); False when either is no http(s) URL."""
    sa = site(a)
    return sa is not None and sa == site(b)


AGENCY_SITES: dict[str, frozenset[str]] = {
    "Reuters": frozenset({"reuters.com"}),
    "Associated Press": frozenset({"apnews.com", "ap.org"}),
    "Agence France-Presse": frozenset({"afp.com"}),
    "TASS": frozenset({"tass.com", "tass.ru"}),
    "RIA Novosti": frozenset({"ria.ru"}),
    "Sputnik": frozenset({"sputniknews.com", "sputnikglobe.com"}),
    "Xinhua": frozenset({"xinhuanet.com", "news.cn"}),
    "Anadolu Agency": frozenset({"aa.com.tr"}),
    "dpa": frozenset({"dpa.com", "dpa-international.com"}),
    "EFE": frozenset({"efe.com"}),
    "ANSA": frozenset({"ansa.it"}),
    "Kyodo News": frozenset({"kyodonews.net"}),
    "Yonhap": frozenset({"yna.co.kr"}),
    "Press Trust of India": frozenset({"ptinews.com"}),
    "Bloomberg": frozenset({"bloomberg.com"}),
    "United Press International": frozenset({"upi.com"}),
    "Interfax": frozenset({"interfax.com", "interfax.ru"}),
    "IRNA": frozenset({"irna.ir"}),
    "SANA": frozenset({"sana.sy"}),
    "CNN": frozenset({"cnn.com"}),
}
"""The sites of the agencies `corpus.attribution.agencies` knows: a page naming one of them as its outlet is
that agency's only when served from one of these."""

_GENERIC_LABELS = frozenset({"www", "news", "com", "org", "net", "co", "uk", "example", "amp", "m", "edition"})


def elsewhere(claimed: str | None, served: str | None) -> bool:
    """Whether a URL a page claims as its own is on another site than the one that served it.

    Args:
        claimed: The canonical link, og:url or other address the page gives (absolute).
        served: The URL the page was fetched from, after redirects; None when it was not fetched (a local
            file or an upload: nothing to check the claim against).
    """
    return served is not None and site(claimed) is not None and site(served) is not None \
        and not same_site(claimed, served)


def names_other_site(name: str | None, served: str | None, claims_elsewhere: bool = False) -> bool:
    """Whether an outlet name a page gives is another site's rather than the serving site's.

    It is when the name is a known agency not served from its own site ("Reuters" on blog.example), or
    when the page also claims an address on another site and the name does not match the serving host
    (a page claiming a reuters.com canonical and "The Daily Wire Desk" as publisher, served by evil.example).

    Args:
        name: The outlet name the page gives.
        served: The URL it was fetched from; None (not fetched) trusts the name.
        claims_elsewhere: The page claims a URL on another site (`elsewhere`).
    """
    home = site(served)
    if not name or home is None or name.casefold() == home:
        return False
    sites = AGENCY_SITES.get(canonical_agency(name))
    if sites is not None:
        return home not in sites
    return claims_elsewhere and not _matches_host(name, served)


def _matches_host(name: str, url: str | None) -> bool:
    """Whether an outlet name is the serving host's ("Harbour Watch" on harbourwatch.example, "Yahoo News" on
    news.yahoo.com)."""
    squashed = "".join(c for c in name.casefold() if c.isalnum())
    squashed = squashed.removeprefix("the") or squashed
    host = urlsplit(url or "").hostname or ""
    labels = [label for label in host.lower().split(".") if len(label) >= 3 and label not in _GENERIC_LABELS]
    return any(label in squashed or squashed in label for label in labels)


def settle(draft: ArticleDraft, served: str | None, claims_elsewhere: bool = False) -> ArticleDraft:
    """The draft with the link and outlet its fetch backs; what the page claimed beyond that is kept as a note.

    A URL on another site than `served` is no link: the served URL is, and the claim goes to
    `extra["claimed_url"]`. An outlet name of another site (`names_other_site`) is replaced by the serving
    site's domain, the name kept in `extra["claimed_source"]`. Without `served` (not fetched) the draft is
    returned as it is.

    Args:
        draft: The article as extracted, with the URL and outlet the page gave.
        served: Where it was fetched from, after redirects.
        claims_elsewhere: The page claimed an address on another site besides `draft.url` (an og:url, a
            publisher's URL).
    """
    if site(served) is None:
        return draft
    extra = dict(draft.extra)
    url, source = draft.url, draft.source
    if url and elsewhere(url, served):
        extra["claimed_url"] = url
        url, claims_elsewhere = None, True
    if source and names_other_site(source, served, claims_elsewhere):
        extra.setdefault("claimed_source", source)
        source = site(served)
    changed = url != draft.url or source != draft.source or extra != draft.extra
    return replace(draft, url=url or served, source=source, extra=extra) if changed or not draft.url else draft
