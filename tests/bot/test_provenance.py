"""What a page says about itself is a claim: a canonical link, og:url or publisher on another site never
becomes the stored link or outlet; an article is found and removed by the URL it was added by."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.service import EventService
from corpus.errors import ArticleNotFound
from corpus.extract import extract
from corpus.fetch import FetchedPage
from corpus.store import ArticleStore, normalize_url

BODY = [
    "The harbour council voted by nine to four on Tuesday to rebuild the sea wall along the old fish quay, "
    "ending two years of argument about who should pay for it.",
    "Engineers said the work would take eighteen months and close the quay road to lorries for most of that time.",
    "Shop owners on the quay said they would ask the council for help with the lost trade.",
]
REUTERS = "https://www.reuters.com/world/2024/01/15/harbour-wall-vote/"


def forged_page(title: str = "Harbour council votes to rebuild sea wall") -> bytes:
    """A page that claims, in every way a page can, to be another site's article."""
    paragraphs = "".join(f"<p>{p}</p>" for p in BODY)
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{title} | Reuters</title>
<link rel="canonical" href="{REUTERS}">
<meta property="og:url" content="{REUTERS}">
<meta property="og:site_name" content="Reuters">
<script type="application/ld+json">{{"@context": "https://schema.org", "@type": "NewsArticle",
 "headline": "{title}", "url": "{REUTERS}",
 "publisher": {{"@type": "Organization", "name": "Reuters", "url": "https://www.reuters.com"}}}}</script>
</head><body><article><h1>{title}</h1>{paragraphs}</article></body></html>""".encode()


def real_page(canonical: str, outlet: str = "Reuters", text: list[str] = BODY) -> bytes:
    paragraphs = "".join(f"<p>{p}</p>" for p in text)
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Harbour council votes to rebuild sea wall | {outlet}</title>
<link rel="canonical" href="{canonical}"><meta property="og:site_name" content="{outlet}">
<meta property="article:published_time" content="2024-01-15T10:00:00Z">
</head><body><article><h1>Harbour council votes to rebuild sea wall</h1>{paragraphs}</article></body></html>""".encode()


def test_a_canonical_link_to_another_site_is_kept_as_a_claim_only() -> None:
    served = "https://news.evil.example/a/harbour"
    draft = extract(forged_page(), "html", url=served)
    assert draft.url == served
    assert draft.source == "evil.example"  # the site that served it, not the publisher it names
    assert draft.published_at is None  # no date but the one in the claimed URL
    assert draft.extra["claimed_url"] == REUTERS and draft.extra["claimed_source"] == "Reuters"


def test_a_canonical_link_on_the_same_site_is_trusted() -> None:
    draft = extract(real_page(REUTERS), "html", url="https://reuters.com/p/12345")
    assert (draft.url, draft.source, draft.published_at) == (REUTERS, "Reuters", "2024-01-15T10:00:00+00:00")
    assert "claimed_url" not in draft.extra


def test_a_local_file_has_no_served_address_to_check_its_canonical_against() -> None:
    assert extract(forged_page(), "html", name="saved.html").url == REUTERS


def test_a_known_agencys_name_on_another_site_is_not_the_outlet() -> None:
    page = real_page("https://blog.example/harbour").replace(b'<link rel="canonical" href="https://blog.example/harbour">', b"")
    draft = extract(page, "html", url="https://blog.example/harbour")
    assert draft.source == "blog.example" and draft.extra["claimed_source"] == "Reuters"
    own = extract(real_page("https://blog.example/harbour", outlet="Blog Harbour News"), "html",
                  url="https://blog.example/harbour")
    assert own.source == "Blog Harbour News" and "claimed_source" not in own.extra


def test_a_fetched_text_file_cannot_claim_another_sites_url() -> None:
    text = ("Harbour council votes to rebuild sea wall\nSource: Reuters\nURL: " + REUTERS + "\n\n"
            + "\n\n".join(BODY)).encode()
    draft = extract(text, "text", url="https://files.evil.example/wall.txt")
    assert draft.url == "https://files.evil.example/wall.txt" and draft.source == "evil.example"
    assert draft.extra["claimed_url"] == REUTERS and draft.extra["claimed_source"] == "Reuters"


@pytest.fixture
def web(monkeypatch: pytest.MonkeyPatch) -> dict[str, tuple[str, bytes]]:
    """The pages `fetch` serves: requested URL -> (URL after redirects, body)."""
    pages: dict[str, tuple[str, bytes]] = {}

    def fetch(url: str, **_: object) -> FetchedPage:
        final, body = pages[url]
        return FetchedPage(url=url, final_url=final, content_type="text/html; charset=utf-8", body=body)

    monkeypatch.setattr("corpus.fetch.fetch", fetch)
    return pages


def test_a_forged_page_neither_takes_the_real_url_nor_blocks_the_real_article(service: EventService,
                                                                               web: dict) -> None:
    forged = "https://news.evil.example/a/harbour"
    web[forged] = (forged, forged_page())
    web[REUTERS] = (REUTERS, real_page(REUTERS, text=[*BODY, "The vote was the council's last of the year."]))
    first = service.add_url(forged)
    assert first.status == "added" and first.article.url == forged and first.article.source == "evil.example"
    real = service.add_url(REUTERS)
    assert real.status == "added" and real.article.url == normalize_url(REUTERS) and real.article.source == "Reuters"
    assert service.remove(forged).id == first.article.id  # removed by the link it was added by
    assert service.store.find(REUTERS).id == real.article.id


def test_an_article_is_found_by_the_url_it_was_added_by_its_canonical_url_and_its_id(service: EventService,
                                                                                      web: dict) -> None:
    added = "https://reuters.com/p/12345?utm_source=feed"
    web[added] = ("https://reuters.com/p/12345", real_page(REUTERS))
    article = service.add_url(added).article
    assert article.url == normalize_url(REUTERS)
    assert service.store.find(added).id == service.store.find(REUTERS).id == service.store.find(str(article.id)).id
    service.remove(added)
    with pytest.raises(ArticleNotFound):
        service.remove(REUTERS)


def test_a_store_without_added_urls_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "corpus.sqlite3"
    db = sqlite3.connect(path)
    db.executescript("""
        CREATE TABLE articles (id INTEGER PRIMARY KEY AUTOINCREMENT, url TEXT UNIQUE, title TEXT NOT NULL,
            source TEXT, author TEXT, published_at TEXT, language TEXT, origin TEXT,
            content_hash TEXT NOT NULL UNIQUE, added_at TEXT NOT NULL, extra TEXT NOT NULL DEFAULT '{}',
            story_id INTEGER);
        CREATE TABLE passages (id INTEGER PRIMARY KEY AUTOINCREMENT,
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE, position INTEGER NOT NULL,
            text TEXT NOT NULL, speaker TEXT);
        INSERT INTO articles (url, title, content_hash, added_at) VALUES ('https://kl.example/a', 'Old', 'h', 'x');
        INSERT INTO passages (article_id, position, text) VALUES (1, 0, 'The old text of an old article.');
    """)
    db.commit()
    db.close()
    store = ArticleStore(path)
    assert store.find("https://kl.example/a").title == "Old"
    assert "added_url" in {row[1] for row in store._db.execute("PRAGMA table_info(articles)")}
    store.close()
