"""Small articles written for the tests (original text)."""

from __future__ import annotations

import json
from pathlib import Path

DAM = {
    "title": "Dam breach floods lower Velmora",
    "url": "https://www.harbourwatch.example/2026/03/04/velmora-dam/",
    "source": "Harbour Watch",
    "author": "Tomas Reyes",
    "published_at": "2026-03-04T09:30:00+00:00",
    "body": (
        "VELMORA (Meridian Press) - Floodwater poured through a breach in the Stavros dam overnight, "
        "submerging the lower districts of the river town.\n\n"
        "\"We have evacuated 1,200 residents from the riverside quarter,\" emergency ministry spokeswoman "
        "Col. Anja Verlinde said on Tuesday.\n\n"
        "According to Verlinde, pumping crews from three provinces are expected to arrive by Thursday."
    ),
}
CEASEFIRE = {
    "title": "Ceasefire talks resume in Kastro",
    "url": "https://www.northwire.example/world/kastro-talks",
    "source": "Northwire",
    "author": None,
    "published_at": "2026-03-10",
    "body": (
        "KASTRO (Northwire) - Negotiators returned to the border city on Monday for a third round of ceasefire talks.\n\n"
        "Defence ministry spokesman Maj. Gen. Oren Halvik said artillery fire near the Kastro bridge had stopped overnight.\n\n"
        "Halvik added that prisoner exchanges would be discussed on Wednesday."
    ),
}
STRIKE = {
    "title": "Port workers walk out at Lindqvist harbour",
    "url": "https://www.coastalledger.example/economy/port-strike",
    "source": "Coastal Ledger",
    "author": "Mira Okafor",
    "published_at": "2026-03-12",
    "body": (
        "Dock workers at Lindqvist harbour began an indefinite strike over night-shift pay, halting container traffic.\n\n"
        "The union said about 900 crane operators and lashers had joined the walkout by noon."
    ),
}
ALL = [DAM, CEASEFIRE, STRIKE]


def write_json(path: Path, records: list) -> Path:
    path.write_text(json.dumps(records), encoding="utf-8")
    return path
