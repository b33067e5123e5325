"""The community's replies as text: /gaps within Discord's limit whatever was asked, /settings in words."""

from __future__ import annotations

import re

from bot.asklog import Activity
from bot.chat.community_text import gaps_message, last_day, settings_message
from bot.chat.render import CONTENT_LIMIT, dlen
from bot.gaps import Gap
from bot.server_settings import ChannelRule, ServerSettings


def _gap(n: int, question: str) -> Gap:
    return Gap(question=question, asked=n, declined=n, not_helpful=0, reasons={"nothing_relevant": n},
               first_asked=0.0, last_asked=1.0, answered_since=False)


def test_gaps_fit_one_message_and_say_how_many_more() -> None:
    gaps = [_gap(40 - i, f"@everyone what did **minister {i}** say " + "about the harbour strike " * 30) for i in range(40)]
    text = gaps_message(gaps, 7)
    assert dlen(text) <= CONTENT_LIMIT
    assert text.splitlines()[1].startswith("1. asked 40 times this week: @\u200beveryone what did \\*\\*minister 0")
    shown = sum(bool(re.match(r"\d+\. asked ", line)) for line in text.splitlines())
    assert 1 <= shown < 40 and text.endswith(f"and {40 - shown} more: `eventbot gaps` on the server lists them all.")


def test_no_gaps_says_so() -> None:
    assert gaps_message([], 30) == ("No question went unanswered in the last 30 days, and no answer was marked not "
                                    "helpful.")


def test_settings_in_words() -> None:
    settings = ServerSettings(1, {10: ChannelRule(answer=True, thread=True), 11: ChannelRule(answer=True),
                                  12: ChannelRule(thread=False), 13: ChannelRule(auto_answer=True)})
    text = settings_message(settings, default_thread=False)
    assert "**Answers in:** <#10>, <#11>" in text
    assert "**Threads:** answers go inline unless set here; in a thread in <#10>; inline in <#12>" in text
    assert "**Forum posts answered as they are posted:** <#13>" in text
    assert "every channel (none listed)" in settings_message(ServerSettings(1), True)


def test_last_day_line() -> None:
    day = Activity(hours=24, questions=8, answered=6, declined=2, p50_ms=31.4, p95_ms=88.0)
    assert last_day(day) == "**Last day, this server:** 8 questions, 25% declined, p50 31 ms, p95 88 ms"
    assert last_day(Activity(24, 0, 0, 0, None, None)).endswith("no questions")
