"""The boilerplate filter: what it drops, and the news sentences it must keep."""

from __future__ import annotations

import pytest

from corpus.clean import clean_paragraphs, is_boilerplate

BOILERPLATE = [
    "Now Reading",
    "NOW READING: Ferry strike ends",
    "See Also",
    "See also: Island schools reopen after winter storm",
    "Related:",
    "Related: Port authority names new director as talks stall",
    "Related Articles",
    "RELATED STORIES",
    "Read more",
    "Read more »",
    "READ MORE: Our full coverage of the ferry dispute",
    "Read More →",
    "Read more -> Port authority names new director",
    "See also - Island schools reopen",
    "You may also like",
    "Liked it? Take a second to support Marta Quill on Patreon!",
    "Liked it?  Take a second to support Marta Quill on Patreon !",
    "Support us",
    "Support independent journalism",
    "Support independent journalism. Donate to the Harbor Ledger today.",
    "Donate",
    "Donate now!",
    "Become a member",
    "Leave a Reply",
    "Leave a Reply Cancel reply",
    "Leave a comment",
    "Cancel reply",
    "Notify of",
    "new follow-up comments",
    "You must be logged in to post a comment.",
    "Your email address will not be published. Required fields are marked *",
    "3 thoughts on “Castelmar ferry crews end strike”",
    "© 2026 Harbor Ledger. All rights reserved.",
    "©2026 Harbor Ledger",
    "Copyright © 2026 Northgate Courier Media Ltd.",
    "Copyright 2026 Valley Wire",
    "Valley Wire. All rights reserved.",
    "Scroll To Top",
    "Back to top ↑",
    "Share this:",
    "Share this article",
    "Share on Facebook",
    "Share on Twitter",
    "Share on WhatsApp",
    "Facebook Twitter WhatsApp Email",
    "Facebook | Twitter | Email",
    "Click to share on Facebook (Opens in new window)",
    "Subscribe to our newsletter",
    "Sign up",
    "Sign up for our daily briefing",
    "Get the morning briefing delivered to your inbox every day.",
    "We use cookies to give you the best experience on our website. By continuing to browse, you agree.",
    "This website uses cookies.",
    "Accept all cookies",
    "Tags: ferries, strikes, Castelmar",
    "TAGS : wildfire",
    "Filed under: Local News, Port & Shipping",
    "Filed under Local News",
    "Posted in Local",
    "Advertisement",
    "ADVERTISEMENT",
    "Story continues below advertisement",
    "By Tomas Reyes | March 4, 2026",
    "By Marta Quill",
    "BY MARTA QUILL",
    "By Marta Quill, Staff Writer",
    "By Marta Quill and Dario Fenn",
    "Posted on March 4, 2026 by Marta Quill",
    "February 11, 2026",
    "Published: 4 March 2026, 09:15 CET",
    "Updated: Wednesday, March 4, 2026 at 10:32 a.m.",
    "Updated 2 hours ago",
    "Skip to content",
    "Previous article: Harbour wall repairs to start",
    "Print",
    "4 min read",
    "No comments yet. Be the first to comment.",
    "Be the first to comment. Comments are moderated and may take a few hours to appear.",
    "Comments are closed on this story.",
    "Additional reporting by Northwire",
    "Reporting by Lena Marsh; Editing by Paul Dressler",
    "Floodwater on Kanal Street on Wednesday morning. Photo: Meridian Press",
    "Pickets at Gate 4 on Tuesday. Photo: Sofie Larkin / Harbour Watch",
    "We and our partners use cookies to personalise content and advertising.",
    "We use only essential cookies and privacy-friendly analytics.",
    "Our weekly newsletter from the border regions, in your inbox every Friday.",
    "The Ledger is funded by its readers, not by a billionaire. If you value reporting like this, subscribe.",
    "Every article is free to read. Our reporters are paid for by readers like you.",
]

NEWS = [
    "The ministry said it would support the evacuation.",
    '"We will reply in kind," the spokesman said.',
    "“We will reply in kind if the port breaks its word,” union spokesman Dario Fenn said.",
    "The developer says the app breaches his copyright. That case resumes next month.",
    "Copyright lawyers said the ruling would be appealed.",
    "Support for the plan fell to 41 percent, a poll showed.",
    "By Tuesday evening, 300 homes had been evacuated.",
    "By March, the reservoir had dropped by two metres.",
    "Related charges against two port officials were dropped on Monday.",
    "Read the full report on the ministry website, officials urged residents.",
    "Donations poured in from across the region after the fire.",
    "Tags on the containers showed they came from Orsa.",
    "Sign up for the vaccine opened on Monday.",
    "Posted in a Facebook group on Monday, the video was shared 20,000 times.",
    "Thoughts on the plan varied widely among residents.",
    "He said the board was right to reply quickly and publish the findings.",
    "All rights reserved, the minister joked, as he refused to answer questions about the contract.",
    "Share prices fell 2 percent in early trading.",
    "Comments from residents were mostly positive.",
    "More from the ministry is expected on Friday, a spokesman said.",
    "The regulator said the site uses cookies to track users without consent.",
    "Advertisement revenue at the paper fell by a third last year.",
    "Top officials met on Friday to discuss the deal.",
    "Subscribers to the ferry pass will get a refund.",
    "The union asked members to donate a day's pay to the strike fund.",
    "Leave was cancelled for all firefighters in the county.",
    "The scam emails land in your inbox looking like bank notices, police warned.",
    "The moment was captured in a photo by a neighbour.",
    "Reporting by the Courier showed the dam had not been inspected since 2019.",
    "Comments are moderated by two volunteers, the site's owner said.",
    "The photo was taken at 4:20 a.m., the ministry said.",
    "Readers of the paper raised 40,000 crowns for the flood victims.",
    "Related-party loans at the bank rose by a third, the regulator said.",
    "Share-based pay for port executives will be capped.",
    "Now reading glasses are free for pensioners on the island.",
    "He posted a photo: the kitchen was under a metre of water.",
    "Kastro Today is an independent news site that first reported the shelling.",
    "The site, which is funded by its readers, published the memo on Monday.",
]


@pytest.mark.parametrize("line", BOILERPLATE)
def test_boilerplate_is_dropped(line: str) -> None:
    assert is_boilerplate(line)
    assert clean_paragraphs([line]) == []


@pytest.mark.parametrize("sentence", NEWS)
def test_news_sentences_are_kept(sentence: str) -> None:
    assert not is_boilerplate(sentence)
    assert clean_paragraphs([sentence]) == [sentence]


def test_whitespace_is_collapsed_and_empty_paragraphs_dropped() -> None:
    assert clean_paragraphs(["  The  port\u00a0reopened\t on Friday. ", "", "   ", "\u200b"]) == [
        "The port reopened on Friday."
    ]


def test_exact_duplicates_are_dropped_keeping_the_first() -> None:
    paragraphs = ["First point.", "Second point.", "First  point.", "Third point."]
    assert clean_paragraphs(paragraphs) == ["First point.", "Second point.", "Third point."]


def test_boilerplate_lines_inside_a_paragraph_are_dropped() -> None:
    assert clean_paragraphs(["The crews went back to work.\nShare this:\nFacebook"]) == ["The crews went back to work."]
    assert is_boilerplate("Share this:\nFacebook\nTwitter")
    assert not is_boilerplate("Share this:\nThe crews went back to work.")


def test_headlines_listed_after_a_related_label_are_dropped() -> None:
    paragraphs = [
        "Engineers found cracks in the spillway.",
        "RELATED ARTICLES",
        "Water board approves budget for pipe repairs",
        "Council votes on bus fares",
        "The inspection report blames a cold January.",
        "Short line without a full stop",
    ]
    assert clean_paragraphs(paragraphs) == [
        "Engineers found cracks in the spillway.",
        "The inspection report blames a cold January.",
        "Short line without a full stop",
    ]


def test_related_label_with_inline_link_does_not_swallow_next_paragraph() -> None:
    paragraphs = ["Related: Port authority names new director", "What happens next", "The talks resume on Monday."]
    assert clean_paragraphs(paragraphs) == ["What happens next", "The talks resume on Monday."]


def test_dateline_paragraph_is_kept() -> None:
    dateline = "VELMORA (Meridian Press) - Rescue teams reached the village on Sunday."
    assert clean_paragraphs([dateline]) == [dateline]
