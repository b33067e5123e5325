"""Article pages the e2e tests serve or attach (original text written for the tests)."""

from __future__ import annotations


def article_html(*, title: str, outlet: str, author: str, date: str, paragraphs: list[str],
                 canonical: str | None = None) -> bytes:
    """A small news page: metadata in the head, the story in <article>, some boilerplate around it."""
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{title} | {outlet}</title>
<meta property="og:title" content="{title}">
<meta property="og:site_name" content="{outlet}">
<meta name="author" content="{author}">
<meta property="article:published_time" content="{date}">
{link}
</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/donate">Donate</a></nav>
<article><h1>{title}</h1><p class="byline">By {author}</p>
{body}
</article>
<footer>Share this: <a href="#">Facebook</a>. Copyright 2026 {outlet}.</footer>
</body></html>""".encode()


FERRY = {
    "title": "Harbour ferry Maren Star runs aground off Kettle Point",
    "outlet": "Saltmarch Evening Post",
    "author": "Idris Calloway",
    "date": "2026-04-02",
    "paragraphs": [
        "SALTMARCH - The harbour ferry Maren Star ran aground on a sandbar off Kettle Point on Tuesday evening "
        "with 143 passengers on board, the coastguard said.",
        "\"All 143 passengers were taken off by lifeboat within two hours and nobody was hurt,\" coastguard "
        "officer Petra Lund told reporters at the quay.",
        "The operator, Bayline Ferries, said the vessel would be refloated at high tide on Wednesday and "
        "inspected by divers before returning to service.",
    ],
}

ORCHARD = {
    "title": "Late frost destroys half of the Brenholt cherry harvest",
    "outlet": "Valley Courier",
    "author": "Nadia Sorensen",
    "date": "2026-04-18",
    "paragraphs": [
        "BRENHOLT - A late frost on Sunday night destroyed about half of the cherry blossom in the Brenholt "
        "orchards, growers said, weeks before the harvest was due to begin.",
        "\"We lost roughly 60 percent of the blossom on the upper terraces,\" said orchard cooperative chair "
        "Oskar Lindgren, who estimated the damage at four million crowns.",
        "The regional farm office said growers could apply for frost relief until the end of May.",
    ],
}

# A story quoting a mass mention and a user mention: neither may ping anyone when quoted.
PINGS = {
    "title": "Prankster floods the Saltmarch council chat with @everyone alerts",
    "outlet": "Harbour Watch",
    "author": "Tomas Reyes",
    "date": "2026-05-06",
    "paragraphs": [
        "SALTMARCH - A prankster posted @everyone alerts about a fake lighthouse fire into the council's public "
        "chat server on Monday night and pinged the harbourmaster as <@123456789012345678>, waking hundreds of "
        "residents, the council said.",
        "Moderators removed the posts within the hour, council spokesman Arne Holm said.",
    ],
}
