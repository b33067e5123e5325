"""Reading feeds (RSS 0.9x/1.0/2.0, Atom; broken and mis-encoded ones) and the feed tables of the store."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from corpus.feeds import EntryStatus, FeedExists, FeedNotFound, FeedStore, NotAFeed, parse_feed
from corpus.store import ArticleStore
from tests.feeds import Item, atom, items, rss091, rss10, rss20

BASE = "https://news.example/feeds/latest.xml"
LINKS = ["https://news.example/a/1", "https://news.example/a/2"]


@pytest.mark.parametrize("build, version", [(rss20, "rss20"), (rss091, "rss091u"), (rss10, "rss10"), (atom, "atom10")])
def test_every_format_gives_its_entries_with_links_and_titles(build, version) -> None:
    parsed = parse_feed(build(items(LINKS)), BASE, content_type="application/xml")
    assert parsed.version.startswith(version[:5])
    assert [e.url for e in parsed.entries] == LINKS
    assert parsed.entries[0].title.startswith(items(LINKS)[0].title[:20])
    assert len({e.key for e in parsed.entries}) == 2
    assert parsed.problem is None


@pytest.mark.parametrize("build", [rss20, rss10, atom])
def test_dates_and_authors_are_read_in_utc(build) -> None:
    entry = parse_feed(build(items(LINKS)), BASE).entries[1]
    assert entry.published_at == "2026-11-30T08:00:00+00:00"
    assert entry.author == "Nadia Sorensen"


def test_relative_links_are_resolved_against_the_feed_url_and_xml_base() -> None:
    rss = rss20([Item("One", "/a/1", guid="g1"), Item("Two", "a/2", guid="g2")])
    parsed = parse_feed(rss, BASE)
    assert [e.url for e in parsed.entries] == ["https://news.example/a/1", "https://news.example/feeds/a/2"]
    based = parse_feed(atom([Item("Three", "3", guid="urn:x:3")], base="https://other.example/stories/"), BASE)
    assert based.entries[0].url == "https://other.example/stories/3"


def test_broken_xml_is_read_as_far_as_it_goes_and_the_problem_kept() -> None:
    broken = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>Broken & Co</title>'
              b"<item><title>Fish & chips prices rise</title><link>https://news.example/a/1</link></item>"
              b"<item><title>Unclosed <b>bold</title><link>https://news.example/a/2</link></item>"
              b"<item><title>Cut off")
    parsed = parse_feed(broken, BASE)
    assert parsed.problem
    assert [e.url for e in parsed.entries][:2] == LINKS
    assert parsed.entries[0].title == "Fish & chips prices rise"


def test_a_wrongly_declared_encoding_still_reads_the_titles() -> None:
    """Declared UTF-8, written in Windows-1252: the loose reader decodes it as what it is."""
    rss = rss20([Item("Café owners protest in Orvik — again", LINKS[0], guid="g")]).decode()
    body = rss.encode("cp1252")
    entry = parse_feed(body, BASE, charset="utf-8", content_type="application/rss+xml").entries[0]
    assert entry.title == "Café owners protest in Orvik — again"


def test_the_http_charset_is_used_when_the_document_declares_none() -> None:
    body = ('<rss version="2.0"><channel><title>Ведомости</title><item><title>Новости Орвика</title>'
            f"<link>{LINKS[0]}</link></item></channel></rss>").encode("koi8-r")
    parsed = parse_feed(body, BASE, charset="koi8-r", content_type="text/xml")
    assert parsed.title == "Ведомости" and parsed.entries[0].title == "Новости Орвика"


@pytest.mark.parametrize("body", [b"<!doctype html><html><body><p>A news page</p></body></html>",
                                  b"just some words", b"", b"<?xml version='1.0'?><config><a>1</a></config>"])
def test_what_is_no_feed_is_refused_with_its_link(body: bytes) -> None:
    with pytest.raises(NotAFeed, match="is not an RSS or Atom feed") as refused:
        parse_feed(body, BASE)
    assert BASE in str(refused.value)


def test_an_entry_without_a_web_link_has_none_and_one_without_link_or_title_is_dropped() -> None:
    rss = (b'<rss version="2.0"><channel><title>T</title><item><title>No link here</title></item>'
           b"<item><title>Not the web</title><link>ftp://news.example/file</link></item>"
           b"<item><description>x</description></item></channel></rss>")
    parsed = parse_feed(rss, BASE)
    assert [(e.title, e.url) for e in parsed.entries] == [("No link here", None), ("Not the web", None)]


# -- the store ----------------------------------------------------------------------------------------

def test_feeds_are_kept_across_reopening_beside_the_articles(tmp_path: Path) -> None:
    path = tmp_path / "corpus.sqlite3"
    articles = ArticleStore(path)  # a store made before feeds existed
    feeds = FeedStore(path)
    feed = feeds.add("https://news.example/feed.xml", "News", guild_id=7, channel_id=8, added_by=9, now=100.0)
    feeds.claim(feed.id, parse_feed(rss20(items(LINKS)), BASE).entries, EntryStatus.PENDING, now=100.0)
    feeds.close()
    articles.close()
    again = FeedStore(path)
    assert again.find("https://NEWS.example/feed.xml/") == feed
    assert again.find(str(feed.id)) == feed
    assert again.entry_counts(feed.id) == {EntryStatus.PENDING: 2}
    assert again.unseen(feed.id, parse_feed(rss20(items(LINKS + ["https://news.example/a/3"])), BASE).entries)[0].url \
        == "https://news.example/a/3"
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT value FROM meta WHERE key = 'feeds_schema'").fetchone() == ("1",)
    ArticleStore(path).close()  # the article store opens a file holding feed tables
    again.close()


def test_a_feed_is_followed_once_and_removed_with_its_entries(tmp_path: Path) -> None:
    feeds = FeedStore(tmp_path / "corpus.sqlite3")
    feed = feeds.add("https://news.example/feed.xml", "News")
    with pytest.raises(FeedExists, match="already followed"):
        feeds.add("https://news.example/feed.xml?utm_source=x", "News again")
    feeds.claim(feed.id, parse_feed(rss20(items(LINKS)), BASE).entries, EntryStatus.ADDED, now=1.0)
    feeds.remove(feed.id)
    assert feeds.feeds() == [] and feeds.entries(feed.id) == []
    with pytest.raises(FeedNotFound, match="no followed feed"):
        feeds.find("https://news.example/feed.xml")
    feeds.close()


def test_an_entry_is_claimed_by_one_poll_only(tmp_path: Path) -> None:
    """Two processes polling one feed at once: each entry is fetched by whichever recorded it first."""
    path = tmp_path / "corpus.sqlite3"
    first, second = FeedStore(path), FeedStore(path)
    feed = first.add("https://news.example/feed.xml", "News")
    entries = parse_feed(rss20(items(LINKS)), BASE).entries
    assert first.claim(feed.id, entries[:1], EntryStatus.PENDING, 1.0) == entries[:1]
    assert second.claim(feed.id, entries, EntryStatus.PENDING, 1.0) == entries[1:]
    first.close()
    second.close()
