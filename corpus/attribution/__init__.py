"""Who reported a story and who is quoted in it: wire datelines, bylines and speakers, by rules.

Pure functions, no I/O and no model. `annotate(draft)` is the entry point; the service calls it before
storing. It runs the two rules of this package:

- `parse_dateline` (`datelines`) reads the wire agency (and the city and date) from a story's first
  paragraphs: ``VELMORA (Meridian Press) - ``, ``LONDON, March 9 (Reuters) - ``, ``(AP) — ``,
  ``MOSCOW, March 9. /TASS/.``, ``Tehran, IRNA -- ``, ``(ANSA) - ROME, MARCH 9 - `` and byline lines such as
  ``By Lena Marsh, Meridian Press``. Agency names are canonicalised by `canonical_agency` (`agencies`).
- `attribute_speakers` (`speakers`) gives, for each paragraph, the `Speaker` whose words or claims it
  reports, or None: it finds reporting clauses (``"...," X said``, ``according to X``, ...) and resolves X
  to a person or organisation named earlier in the article. Precision comes before recall: when a rule is
  unsure it gives None.

Word lists that other rules share (months, weekdays, ranks and titles) are in `corpus.lexicon`.
"""

from __future__ import annotations

from dataclasses import dataclass

from corpus.attribution.agencies import AGENCY_ALIASES, canonical_agency
from corpus.attribution.datelines import Dateline, parse_dateline, strip_dateline
from corpus.attribution.speakers import Speaker, attribute_speakers
from corpus.models import ArticleDraft

__all__ = [
    "AGENCY_ALIASES",
    "Annotation",
    "Dateline",
    "Speaker",
    "annotate",
    "attribute_speakers",
    "canonical_agency",
    "parse_dateline",
    "strip_dateline",
]


@dataclass(frozen=True)
class Annotation:
    """What `annotate` reads from a draft: its wire origin and one speaker per paragraph."""

    origin: str | None
    dateline: Dateline | None
    speakers: tuple[Speaker | None, ...]


def annotate(draft: ArticleDraft) -> Annotation:
    """The wire origin and per-paragraph speakers of an extracted article.

    Args:
        draft: The article, paragraphs in reading order (already split as they will be stored).

    Returns:
        The dateline's agency (None when there is none), the dateline, and a speaker (or None) for
        every paragraph of the draft.
    """
    dateline = parse_dateline(draft.paragraphs)
    speakers = attribute_speakers(draft.paragraphs, draft.title)
    return Annotation(dateline.agency if dateline else None, dateline, tuple(speakers))
