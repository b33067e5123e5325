"""The community's replies as Discord text (pure functions): /gaps, /settings and /stats' last day."""

from __future__ import annotations

from collections.abc import Sequence

from bot.asklog import Activity
from bot.chat.render import CONTENT_LIMIT, dlen, escape, fit, shorten
from bot.gaps import Gap, asked, gap_detail, window
from bot.present import activity_line
from bot.server_settings import ServerSettings

QUESTION_CHARS = 300


def gaps_message(gaps: Sequence[Gap], days: int) -> str:
    """The groups of unanswered questions, numbered, as many as fit; a note of how many more."""
    if not gaps:
        return f"No question went unanswered {window(days)}, and no answer was marked not helpful."
    header = (f"**Questions I could not answer {window(days)}** (declined, or answers marked not helpful; most asked "
              "first). Adding articles that answer them (`/add`) fills the gaps.")
    lines = [header]
    for n, gap in enumerate(gaps, 1):
        question = shorten(gap.question, QUESTION_CHARS)
        line = f"{n}. {asked(gap, days)}: {question}\n   *{escape(gap_detail(gap))}*"
        more = f"\u2026and {len(gaps) - n + 1} more: `eventbot gaps` on the server lists them all."
        if dlen("\n".join([*lines, line])) + 1 + dlen(more) > CONTENT_LIMIT and n < len(gaps):
            lines.append(more)
            break
        lines.append(line)
    return fit("\n".join(lines))


def settings_message(settings: ServerSettings, default_thread: bool) -> str:
    """What /settings show says: where answered, thread mode per channel, forums auto-answered."""
    listed = settings.answer_channels
    where = ", ".join(f"<#{c}>" for c in listed) if listed else "every channel (none listed)"
    threads = [c for c, r in sorted(settings.channels.items()) if r.thread is True]
    inline = [c for c, r in sorted(settings.channels.items()) if r.thread is False]
    forums = [c for c, r in sorted(settings.channels.items()) if r.auto_answer]
    mode = "in a thread" if default_thread else "inline"
    lines = [
        "**Settings for this server**",
        f"**Answers in:** {where}",
        f"**Threads:** answers go {mode} unless set here"
        + (f"; in a thread in {', '.join(f'<#{c}>' for c in threads)}" if threads else "")
        + (f"; inline in {', '.join(f'<#{c}>' for c in inline)}" if inline else ""),
        "**Forum posts answered as they are posted:** " + (", ".join(f"<#{c}>" for c in forums) if forums else "none"),
    ]
    return fit("\n".join(lines))


def last_day(activity: Activity) -> str:
    return f"**Last day, this server:** {escape(activity_line(activity))}"
