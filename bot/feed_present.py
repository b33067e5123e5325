"""Plain-text sentences about feeds, shared by the command line and Discord (no Discord imports)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.feeds import FeedPoll, PollOutcome
from corpus.feeds import EntryStatus, Feed


def when(stamp: float | None, now: float) -> str:
    """`never`, `just now`, `12 min ago`, `3 h ago`, `2 days ago`, or `in 5 min` for a time to come."""
    if stamp is None:
        return "never"
    seconds = now - stamp
    ahead = seconds < 0
    seconds = abs(seconds)
    if seconds < 60:
        return "now" if ahead else "just now"
    for size, unit in ((86400, "days"), (3600, "h"), (60, "min")):
        if seconds >= size:
            amount = f"{seconds / size:.0f} {unit}" if unit != "days" or seconds >= 2 * size else "1 day"
            return f"in {amount}" if ahead else f"{amount} ago"
    return ""  # unreachable


def iso(stamp: float | None) -> str | None:
    return None if stamp is None else datetime.fromtimestamp(stamp, UTC).isoformat(timespec="seconds")


def feed_status(feed: Feed, now: float) -> str:
    """`last poll 3 min ago · last new entry 2 h ago · 12 articles added · next poll in 12 min`, and the
    last error with the failures in a row when the last poll failed."""
    parts = [f"last poll {when(feed.last_poll_at, now)}", f"last new entry {when(feed.last_new_at, now)}",
             f"{feed.articles_added} article{'s' * (feed.articles_added != 1)} added",
             f"next poll {when(feed.next_poll_at, now)}"]
    if feed.last_error:
        failures = f" ({feed.errors} polls in a row)" if feed.errors > 1 else ""
        parts.append(f"last error{failures}: {feed.last_error}")
    return " · ".join(parts)


def feed_json(feed: Feed) -> dict:
    return {"id": feed.id, "url": feed.url, "title": feed.title, "guild_id": feed.guild_id,
            "channel_id": feed.channel_id, "added_at": iso(feed.added_at), "last_poll_at": iso(feed.last_poll_at),
            "next_poll_at": iso(feed.next_poll_at), "last_new_entry_at": iso(feed.last_new_at),
            "last_error": feed.last_error, "errors_in_a_row": feed.errors, "articles_added": feed.articles_added,
            "polls": feed.polls}


def poll_line(poll: FeedPoll) -> str:
    """What one poll did: `5 new articles, 1 to try again, 3 skipped (over the cap of 20)`, `not modified`,
    or `failed: <why>`."""
    if poll.outcome == PollOutcome.FAILED:
        return f"failed: {poll.error}"
    added = len(poll.added)
    parts = [f"{added} new article{'s' * (added != 1)}" if added else
             {PollOutcome.NOT_MODIFIED: "not modified", PollOutcome.RETRIES: "nothing added"}.get(
                 poll.outcome, "nothing new")]
    for status, label in ((EntryStatus.DUPLICATE, "already held"), (EntryStatus.PENDING, "to try again"),
                          (EntryStatus.GIVEN_UP, "given up"), (EntryStatus.FAILED, "without an article")):
        if n := poll.count(status):
            parts.append(f"{n} {label}")
    if poll.skipped:
        parts.append(f"{poll.skipped} older skipped (over the cap per poll)")
    return ", ".join(parts)
