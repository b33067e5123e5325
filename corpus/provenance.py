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
from urllib.parse import urlsplit

from tld import get_fld


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
