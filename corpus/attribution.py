"""Who reported a story and who is quoted in it: wire datelines, bylines and speakers, by rules.

Pure functions, no I/O and no model. Two entry points do the work:

- `parse_dateline` reads the wire agency (and the city and date) from a story's first paragraphs:
  ``VELMORA (Meridian Press) - ``, ``LONDON, March 9 (Reuters) - ``, ``(AP) — ``, ``MOSCOW, March 9. /TASS/.``,
  ``Tehran, IRNA -- ``, ``(ANSA) - ROME, MARCH 9 - `` and byline lines such as ``By Lena Marsh, Meridian Press``.
- `attribute_speakers` gives, for each paragraph, the `Speaker` whose words or claims it reports, or None.
  It finds reporting clauses (``"...," X said``, ``X said ...``, ``said X``, ``according to X``, ``X told Y``,
  ``X added/stressed/warned/...``, ``X called ... and said``), then resolves X: a surname to the full name
  and role given earlier in the article ("Konashenkov" -> "Igor Konashenkov (Russian Defense Ministry
  spokesman)"), a role ("the spokesman") to the one person holding it, "he"/"she" to the last named
  speaker when that is unambiguous, and "the ministry" to the fullest earlier mention of one ministry.
  Anonymous sources ("officials said", "a police spokeswoman said") give None. Precision comes before
  recall: when a rule is unsure it gives None.

`annotate(draft)` runs both on an `ArticleDraft`; the service calls it before storing.

Agency names are canonicalised through `AGENCY_ALIASES` so that every spelling of one agency is stored
the same way: an abbreviation the agency spells out in its own credits is spelled out ("AP" ->
"Associated Press", "AFP" -> "Agence France-Presse", "AA" -> "Anadolu Agency", "Kyodo" -> "Kyodo News",
"PTI" -> "Press Trust of India", "UPI" -> "United Press International"); an agency known by its short
name keeps it (Reuters, TASS, Xinhua, dpa, EFE, ANSA, Yonhap, Interfax, IRNA, SANA, Sputnik, RIA Novosti,
Bloomberg). Any other name in the dateline position is kept as the page writes it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from corpus.models import ArticleDraft

# ----------------------------------------------------------------------------------------------- agencies

AGENCY_ALIASES: dict[str, str] = {
    "ap": "Associated Press",
    "associated press": "Associated Press",
    "the associated press": "Associated Press",
    "reuters": "Reuters",
    "thomson reuters": "Reuters",
    "afp": "Agence France-Presse",
    "agence france-presse": "Agence France-Presse",
    "agence france presse": "Agence France-Presse",
    "tass": "TASS",
    "itar-tass": "TASS",
    "ria novosti": "RIA Novosti",
    "ria": "RIA Novosti",
    "sputnik": "Sputnik",
    "xinhua": "Xinhua",
    "xinhua news agency": "Xinhua",
    "aa": "Anadolu Agency",
    "anadolu": "Anadolu Agency",
    "anadolu agency": "Anadolu Agency",
    "dpa": "dpa",
    "deutsche presse-agentur": "dpa",
    "efe": "EFE",
    "ansa": "ANSA",
    "kyodo": "Kyodo News",
    "kyodo news": "Kyodo News",
    "yonhap": "Yonhap",
    "yonhap news agency": "Yonhap",
    "pti": "Press Trust of India",
    "press trust of india": "Press Trust of India",
    "bloomberg": "Bloomberg",
    "bloomberg news": "Bloomberg",
    "upi": "United Press International",
    "united press international": "United Press International",
    "interfax": "Interfax",
    "irna": "IRNA",
    "sana": "SANA",
    "cnn": "CNN",
}


def canonical_agency(name: str) -> str:
    """The stored form of an agency name: a known alias canonicalised, anything else as written.

    Args:
        name: An agency name as a page writes it ("AP", "The Associated Press", "Meridian Press").

    Returns:
        The canonical name ("Associated Press"), or `name` with its whitespace collapsed.
    """
    cleaned = " ".join(name.split())
    return AGENCY_ALIASES.get(cleaned.lower(), cleaned)


@dataclass(frozen=True)
class Dateline:
    """Where and when a wire story was filed, and by which agency (each None when not given)."""

    city: str | None
    date: str | None
    agency: str | None


_UP = "A-ZÀ-ÖØ-Þ"
_MONTH = (r"(?i:jan(?:uary|\.)?|feb(?:ruary|\.)?|mar(?:ch|\.)?|apr(?:il|\.)?|may|june?|july?|aug(?:ust|\.)?"
          r"|sept?(?:ember|\.)?|oct(?:ober|\.)?|nov(?:ember|\.)?|dec(?:ember|\.)?)")
_WEEKDAY = r"(?i:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?i:day|\.)?"
_DATE = (rf"(?:(?:{_WEEKDAY},?\s+)?(?:{_MONTH}\s+\d{{1,2}}(?:,?\s*\d{{4}})?|\d{{1,2}}\s+{_MONTH}\b\.?(?:\s+\d{{4}})?)"
         rf"|{_WEEKDAY}\b)")
_CITY = rf"[{_UP}][\w.'’\-]*(?:\s+(?:[{_UP}][\w.'’\-]*|de|del|da|do|di|du|la|le|am|upon|on-the))" + "{0,3}"
_CITY_CAPS = rf"[{_UP}][{_UP}.'’\-]+(?:\s+[{_UP}][{_UP}.'’\-]+){{0,3}}"
_REGION = rf"(?!{_MONTH}\b)(?!{_WEEKDAY}\b)[{_UP}][^\W\d_]*\.?(?:\s+[{_UP}][^\W\d_]*\.?){{0,2}}"
_DASH = r"(?:\s*(?:\.\s*)?(?:-{1,2}|–|—)\s*)"
_PLACE = rf"(?P<city>{_CITY})(?:,\s*(?P<region>{_REGION}))?(?:[,.]\s*(?P<date>{_DATE}))?"

_PAREN_RE = re.compile(
    rf"^\s*(?:{_PLACE}\s*\.?\s*)?(?:\((?P<agency>[^()]{{1,40}})\)|/(?P<slash>[^/]{{1,30}})/\.?)(?P<dash>{_DASH})?"
)
_COMMA_AGENCY_RE = re.compile(rf"^\s*(?P<city>{_CITY}),\s*(?P<agency>[A-Za-z][\w\- ]{{1,30}}?){_DASH}")
_CAPS_CITY_RE = re.compile(rf"^\s*(?P<city>{_CITY_CAPS})(?:,\s*(?P<date>{_DATE}))?{_DASH}(?=\S)")
_BYLINE_RE = re.compile(r"^\s*By\s+(?P<who>[^.!?]{2,80})$")

# Words that say a parenthesised name is not an agency.
_NOT_AGENCY = frozenset({"update", "updated", "updates", "corrected", "correction", "photo", "photos", "video",
                         "live", "opinion", "analysis", "exclusive", "watch", "file", "listen", "local time",
                         "gmt", "utc", "edt", "est", "cet"})
_AGENCY_WORDS = re.compile(r"\b(?:press|news|agency|wire|newswire|service|media|bureau|telegraph)\b", re.I)
_BYLINE_ROLES = re.compile(r"\b(?:staff|reporters?|correspondents?|writers?|editors?|desk|team|in|and)\b", re.I)


def _agency_name(text: str, known_only: bool = False) -> str | None:
    """The canonical agency for the text in a dateline's brackets, or None when it is not one."""
    names = []
    for part in re.split(r"\s*/\s*", text.strip()):
        if not part:
            return None
        if part.lower() in AGENCY_ALIASES:
            names.append(AGENCY_ALIASES[part.lower()])
            continue
        words = part.split()
        if (known_only or len(words) > 5 or part.lower() in _NOT_AGENCY
                or not all(w[0].isupper() or w.lower() in ("of", "and", "de", "for") for w in words)
                or not words[0][0].isupper() or any(c.isdigit() for c in part)):
            return None
        names.append(" ".join(words))
    return ", ".join(names) if names else None


def _match_dateline(paragraph: str) -> tuple[Dateline, int] | None:
    """The dateline at the start of a paragraph and where the story text starts after it."""
    m = _PAREN_RE.match(paragraph)
    if m:
        raw = m.group("agency") or m.group("slash")
        known = raw.strip().lower() in AGENCY_ALIASES
        # Without a dash only a known agency or the /TASS/ form counts: "(local time) - ..." is no dateline.
        agency = _agency_name(raw) if (m.group("dash") or m.group("slash") or known) else None
        if agency and (m.group("city") or m.start("agency" if m.group("agency") else "slash") <= 2):
            city, date, end = m.group("city"), m.group("date"), m.end()
            if not city:  # "(ANSA) - ROME, MARCH 9 - ..."
                after = _CAPS_CITY_RE.match(paragraph[end:])
                if after:
                    city, date, end = after.group("city"), after.group("date"), end + after.end()
            return Dateline(city, date, agency), end
    m = _COMMA_AGENCY_RE.match(paragraph)
    if m and m.group("agency").strip().lower() in AGENCY_ALIASES:
        return Dateline(m.group("city"), None, canonical_agency(m.group("agency"))), m.end()
    m = _CAPS_CITY_RE.match(paragraph)
    if m and len(m.group("city").replace(" ", "")) >= 3:
        return Dateline(m.group("city"), m.group("date"), None), m.end()
    return None


def _byline_agency(paragraph: str) -> str | None:
    """The agency of a byline line: "By Reuters Staff", "By Lena Marsh, Meridian Press", "By AFP"."""
    m = _BYLINE_RE.match(paragraph)
    if not m or len(paragraph.split()) > 12:
        return None
    parts = [p.strip() for p in re.split(r"\s*(?:,|\||;|\band\b|\bfor\b)\s*", m.group("who")) if p.strip()]
    for part in parts:
        if part.lower() in AGENCY_ALIASES:
            return AGENCY_ALIASES[part.lower()]
        stripped = " ".join(_BYLINE_ROLES.sub(" ", part).split())
        if stripped.lower() in AGENCY_ALIASES:
            return AGENCY_ALIASES[stripped.lower()]
        if _AGENCY_WORDS.search(part) and all(w[0].isupper() for w in part.split()):
            return " ".join(part.split())
    if len(parts) == 1 and re.fullmatch(rf"[{_UP}][\w\-]+", parts[0]):  # "By Northwire": one word is no person
        return parts[0]
    return None


def parse_dateline(first_paragraphs: str | Sequence[str]) -> Dateline | None:
    """The wire dateline or agency byline of a story.

    Looks at the first three paragraphs for a dateline at the start of a paragraph ("CITY (Agency) - ",
    "CITY, Date (Agency) - ", "(AP) - ", "CITY, Date. /TASS/.", "City, IRNA -- ", "CITY - ") and for a
    byline line ("By Agency", "By X, Agency"). A dateline's agency wins over a byline's.

    Args:
        first_paragraphs: The story's paragraphs in order (only the first three are read), or one paragraph.

    Returns:
        The city, date text and canonical agency found (each possibly None), or None when there is neither
        a dateline nor an agency byline.
    """
    paragraphs = [first_paragraphs] if isinstance(first_paragraphs, str) else list(first_paragraphs[:3])
    found: Dateline | None = None
    byline: str | None = None
    for paragraph in paragraphs:
        text = _normalise(paragraph)
        if found is None:
            matched = _match_dateline(text)
            if matched:
                found = matched[0]
        if byline is None:
            byline = _byline_agency(text)
    if found is None:
        return Dateline(None, None, byline) if byline else None
    if found.agency is None and byline:
        return Dateline(found.city, found.date, byline)
    return found


def strip_dateline(paragraph: str) -> str:
    """The paragraph without a leading dateline ("VELMORA (Meridian Press) - " and the like)."""
    matched = _match_dateline(paragraph)
    return paragraph[matched[1]:] if matched else paragraph


# ----------------------------------------------------------------------------------------------- speakers


@dataclass(frozen=True)
class Speaker:
    """Whose words a passage reports.

    `name` is a person's full name as first introduced, without rank or courtesy title, or an
    organisation's fullest mention. `title` is the person's role as first introduced ("Russian Defense
    Ministry spokesman"), or the rank/office ("Ambassador", "Col.") when the article gives no other role;
    None for organisations. `rank` keeps the rank or courtesy title ("Maj. Gen.") when there was one.
    `kind` is "direct" when the passage quotes the speaker's words, else "indirect".
    """

    name: str
    title: str | None = None
    kind: str = "indirect"
    organisation: bool = False
    rank: str | None = None

    def display(self) -> str:
        """ "Igor Konashenkov (Russian Defense Ministry spokesman)", or the bare name."""
        return f"{self.name} ({self.title})" if self.title else self.name

    def __str__(self) -> str:
        return self.display()


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


# Reporting verbs, longest first so that "pointed out" wins over nothing and the passive forms match whole.
_VERBS = (
    r"(?:(?:was|were|is|are) (?:quoted|cited)(?: by [^,\"]{1,40})? as (?:saying|telling)|pointed out"
    r"|said|says|say|told|tells|added|adds|stressed|stresses|noted|notes|warned|warns|stated|states"
    r"|explained|explains|claimed|claims|announced|announces|insisted|insists|argued|argues|declared"
    r"|confirmed|confirms|wrote|writes|asserted|emphasi[sz]ed|underlined|underscored|acknowledged|admitted"
    r"|denied|denies|replied|responded|urged|cautioned|remarked|commented|predicted|conceded|maintained"
    r"|reiterated|recalled|complained|estimated|reported|suggested|accused|promised|pledged|vowed|tweeted"
    r"|posted|asked)"
)
_VERB_RE = re.compile(rf"\b{_VERBS}\b")
_VERB_WORDS = frozenset(re.sub(r"\(.*?\)|[()?:]", " ", _VERBS).replace("|", " ").split()) | {"saying"}
_SAYING_RE = re.compile(r",\s+saying\b")
# Verbs that attribute the quotation following them: 'X called the offer "an insult to every classroom"'.
_CHARACTERISING_RE = re.compile(r"\b(?:called|described|dubbed|branded|labell?ed|hailed|denounced|condemned)\b")
_ACCORDING_RE = re.compile(r"\b[Aa]ccording to\s+(?P<who>[^,;\"\ue000]+)")
_QUOTE_RE = re.compile("\ue000(\\d+)\ue001")

_PRONOUNS = {"he": "m", "she": "f"}
_OTHER_PRONOUNS = frozenset({"they", "it", "we", "i", "you", "who", "this", "that", "which", "one"})
_ARTICLES = frozenset({"the", "a", "an", "its", "their", "our", "his", "her"})
_INDEFINITE = frozenset({"a", "an", "one", "another", "some", "two", "three", "several", "many"})
_LEADING = frozenset({"and", "but", "while", "as", "although", "though", "whereas", "meanwhile", "also", "so",
                      "yet", "still", "however", "then", "now"})
_TRAILING = frozenset({"also", "later", "earlier", "then", "again", "previously", "further", "separately",
                       "repeatedly", "once", "has", "had", "have", "already", "recently", "often",
                       "himself", "herself", "itself", "publicly", "privately", "angrily", "bluntly"})
# Words that cannot be part of a speaker's noun phrase (outside an appositive "who ..." clause).
_FORBIDDEN = frozenset({"was", "were", "is", "are", "be", "been", "being", "do", "does", "did", "not", "no",
                        "will", "would", "can", "could", "should", "may", "might", "must", "that", "which",
                        "when", "where", "if", "because", "than", "there", "what", "whether", "how", "why",
                        "nor", "never", "to", "it", "they", "we", "i", "you", "this", "these", "those",
                        "whose", "before", "after", "until", "unless", "since"}) | _VERB_WORDS
_PREPOSITIONS = frozenset({"in", "at", "on", "from", "with", "for", "during", "after", "before", "near",
                           "outside", "inside", "via", "to", "familiar", "close", "briefed", "speaking",
                           "under", "over", "through", "across", "by", "about", "ahead", "later"})
# Anonymous sources: a passage reporting them has no speaker.
_ANONYMOUS = frozenset({
    "official", "officials", "source", "sources", "diplomat", "diplomats", "analyst", "analysts", "economist",
    "economists", "expert", "experts", "witness", "witnesses", "resident", "residents", "people", "person",
    "observer", "observers", "critic", "critics", "investigators", "rescuers", "authorities", "insiders",
    "aides", "aide", "lawmakers", "traders", "dealers", "bankers", "farmers", "workers", "others", "someone",
    "reporters", "relatives", "neighbours", "neighbors", "activists", "protesters", "doctors", "medics",
    "scientists", "researchers", "participants", "organisers", "organizers", "members", "employees",
    "operators", "importers", "exporters", "producers", "negotiators", "delegates", "ministers", "leaders",
    "both", "many", "some", "most", "several", "few", "all", "everyone", "nobody", "somebody", "anyone",
})
# Head nouns of organisations ("the ministry said", "Norrland Shipping said").
_ORG_HEADS = frozenset({
    "ministry", "union", "authority", "government", "council", "office", "police", "army", "military",
    "navy", "agency", "company", "firm", "bank", "court", "committee", "commission", "cooperative",
    "co-operative", "federation", "association", "embassy", "department", "service", "operator", "staff",
    "command", "institute", "party", "club", "board", "administration", "cabinet", "parliament", "assembly",
    "presidency", "secretariat", "branch", "inspectorate", "guard", "group", "corporation", "airline",
    "carrier", "broadcaster", "television", "radio", "newspaper", "channel", "outlet", "kremlin", "ministries",
    "regulator", "watchdog", "prosecutor's", "shipping", "kapital", "bureau", "directorate", "municipality",
    "network", "alliance", "foundation", "organisation", "organization", "society", "university", "hospital",
    "school", "centre", "center", "fund", "forces", "coalition", "league", "senate", "house", "white",
})
# Bare heads that name an organisation on their own ("Police said"); any other bare head ("the company
# said") is a speaker only when it resolves to an earlier, fuller mention.
_SELF_SUFFICIENT = frozenset({"police", "army", "military", "navy", "government", "kremlin", "palace", "pentagon",
                              "parliament", "cabinet", "presidency", "senate", "coastguard"})
_DOCUMENTS = frozenset({"statement", "report", "communique", "release", "letter", "filing", "post"})
# Singular roles that "the spokesman said" may refer back to.
_ROLES = frozenset({
    "spokesman", "spokeswoman", "spokesperson", "minister", "mayor", "governor", "commissioner", "president",
    "chairman", "chairwoman", "chair", "director", "doctor", "chief", "secretary", "ambassador", "envoy",
    "general", "colonel", "captain", "prosecutor", "judge", "coach", "manager", "executive", "leader",
    "inspector", "lawyer", "premier", "chancellor", "senator", "mediator", "negotiator", "organiser",
    "organizer", "commander", "head", "founder", "owner", "professor", "actor", "actress", "diplomat",
    "economist", "analyst", "priest", "bishop", "king", "queen", "prince", "princess", "officer",
})
_ROLE_ALIASES = {"doctor": ("dr.", "dr", "doctor"), "professor": ("prof.", "professor"),
                 "general": ("gen.", "general"), "colonel": ("col.", "colonel"), "captain": ("capt.", "captain"),
                 "spokesman": ("spokesman", "spokeswoman", "spokesperson"),
                 "spokeswoman": ("spokeswoman", "spokesperson"), "spokesperson": ("spokesman", "spokeswoman",
                                                                                  "spokesperson")}
_RANKS = frozenset({
    "gen.", "gen", "general", "maj.", "maj", "major", "col.", "col", "colonel", "lt.", "lt", "lieutenant",
    "capt.", "capt", "captain", "sgt.", "sgt", "sergeant", "cpl.", "cpl", "corporal", "adm.", "adm", "admiral",
    "brig.", "brig", "brigadier", "cmdr.", "cmdr", "commander", "rear", "vice", "dr.", "dr", "prof.", "prof",
    "professor", "mr.", "mr", "mrs.", "mrs", "ms.", "ms", "miss", "sir", "dame", "lord", "lady", "rev.",
    "rev", "reverend", "father", "sister", "sheikh", "rabbi", "imam", "ambassador", "pvt.", "sen.", "rep.",
    "gov.", "judge", "justice", "cardinal", "archbishop", "bishop", "pope", "king", "queen", "prince",
    "princess", "president", "premier", "mayor", "chancellor", "senator",
})
_COURTESY = frozenset({"mr", "mrs", "ms", "miss", "dr", "prof", "professor", "sir", "dame", "lord", "lady", "rev",
                       "reverend", "mx"})
# Capitalised words that are offices, not names ("Transport Minister Jonas Albrecht").
_OFFICES = frozenset({
    "minister", "mayor", "governor", "commissioner", "president", "inspector", "chief", "director",
    "deputy", "prime", "secretary", "senator", "chancellor", "premier", "speaker", "envoy", "ambassador",
    "chairman", "chairwoman", "chair", "spokesman", "spokeswoman", "spokesperson", "judge", "prosecutor",
    "attorney", "general", "head", "leader", "officer", "coach", "manager", "executive", "vice", "acting",
    "foreign", "interior", "defence", "defense", "finance", "health", "opposition", "state", "sheriff",
    "superintendent", "constable", "detective", "sergeant", "lieutenant", "colonel", "major", "captain",
    "admiral", "commander", "marshal", "representative", "councillor", "councilor", "alderman",
})
_CAPITALISED_COMMON = frozenset({
    "the", "a", "an", "in", "on", "at", "but", "and", "also", "meanwhile", "this", "that", "these", "those",
    "it", "he", "she", "they", "we", "i", "his", "her", "their", "its", "our", "monday", "tuesday", "wednesday",
    "thursday", "friday", "saturday", "sunday", "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december", "after", "before", "when", "while",
    "if", "as", "by", "for", "from", "with", "under", "over", "since", "there", "here", "what", "who",
    "according", "earlier", "later", "asked", "speaking", "despite", "during", "until", "one", "two",
    "three", "both", "all", "some", "many", "most", "several", "every", "each", "no", "none", "other",
    "others", "another", "such", "first", "last", "next", "new", "mr", "mrs", "ms", "dr", "prof",
})
# Last words of capitalised runs that are places or organisations, not people.
_NOT_PERSON_TAIL = frozenset({
    "street", "road", "avenue", "square", "bay", "island", "islands", "river", "lake", "sea", "gulf", "ocean",
    "mountain", "mountains", "ridge", "valley", "bridge", "hall", "house", "station", "airport", "port",
    "harbour", "harbor", "park", "cross", "crescent", "dam", "republic", "kingdom", "states", "province",
    "region", "district", "county", "city", "town", "village", "union", "ministry", "council", "party",
    "bank", "agency", "press", "news", "shipping", "association", "cooperative", "federation", "institute",
    "university", "college", "school", "hospital", "church", "centre", "center", "group", "engineering",
    "kapital", "forces", "army", "navy", "court", "committee", "commission", "company", "corporation",
    "inc", "ltd", "post", "times", "herald", "ledger", "courier", "watch", "dispatch", "gazette", "journal",
    "tribune", "television", "radio", "network", "front", "line", "office", "authority", "cup", "prize",
    "festival", "market", "reservoir", "canal", "strait", "coast", "peninsula", "desert", "forest", "nord",
    "sud", "north", "south", "east", "west", "fund", "programme", "program", "plan", "act", "treaty",
    "properties", "holdings", "partners", "capital", "energy", "motors", "airlines", "airways", "pharma",
    "pharmaceuticals", "systems", "technologies", "industries", "enterprises", "logistics", "foods", "media",
    "telecom", "ventures", "labs", "solutions", "insurance", "investments", "railways", "mining", "steel",
})
_FEMALE = frozenset({"spokeswoman", "chairwoman", "businesswoman", "congresswoman", "councilwoman", "mother",
                     "daughter", "wife", "sister", "grandmother", "widow", "actress", "woman", "girl", "queen",
                     "princess", "duchess", "mrs.", "mrs", "ms.", "ms", "miss", "lady", "dame", "madam",
                     "aunt", "niece", "granddaughter"})
_MALE = frozenset({"spokesman", "chairman", "businessman", "congressman", "councilman", "father", "son",
                   "husband", "brother", "grandfather", "widower", "man", "boy", "king", "prince", "duke",
                   "mr.", "mr", "sir", "lord", "uncle", "nephew", "grandson"})
# In a "who ..." clause about the speaker, a possessive pronoun tells the speaker's gender.
_PRONOUN_GENDER = {"she": "f", "her": "f", "herself": "f", "he": "m", "his": "m", "him": "m", "himself": "m"}
_APPOSITIVE_HEADS = {"heads": "head of", "chairs": "chair of", "leads": "leader of", "runs": "head of",
                     "directs": "director of", "manages": "manager of", "represents": "representative of",
                     "owns": "owner of", "founded": "founder of", "commands": "commander of"}
_NAME_PARTICLES = frozenset({"van", "von", "de", "der", "den", "da", "di", "du", "la", "le", "al", "bin",
                             "ter", "dos", "del", "ibn", "ben", "el"})
_DESCRIPTOR_SUFFIX = re.compile(r"(?:er|or|ist|ant|ent|man|woman|holder|keeper|maker|ian|ee)$")
_ABBREVIATIONS = frozenset({
    "mr", "mrs", "ms", "dr", "prof", "gen", "lt", "col", "maj", "capt", "sgt", "cpl", "adm", "brig", "cmdr",
    "gov", "sen", "rep", "rev", "st", "jr", "sr", "no", "vs", "inc", "co", "corp", "ltd", "jan", "feb", "mar",
    "apr", "aug", "sep", "sept", "oct", "nov", "dec", "a.m", "p.m", "u.s", "u.k", "u.n", "e.u", "mt", "pvt",
})
_PERSON_RUN_RE = re.compile(
    rf"(?:[{_UP}][\w.'’\-]*|(?<=\s)(?:{'|'.join(sorted(_NAME_PARTICLES))}))"
    rf"(?:\s+(?:[{_UP}][\w'’\-]*\.?|(?:{'|'.join(sorted(_NAME_PARTICLES))})(?=\s+[{_UP}])))+"
)
_ORG_RUN_RE = re.compile(
    rf"(?:[{_UP}][\w'’\-]*\s+(?:(?:and|of|for|the|de|&)\s+)*)*[{_UP}][\w'’\-]*"
)
_ORG_HEAD_ALTERNATION = "|".join(sorted(h for h in _ORG_HEADS if h.isalpha()))
_LOWER_ORG_RE = re.compile(
    rf"\b(?:[Tt]he|[Aa]n?|[Ii]ts)\s+((?:[{_UP}][\w'’\-]*\s+)?(?:[a-z][\w'’\-]*\s+){{0,3}}?"
    rf"(?:{_ORG_HEAD_ALTERNATION})(?:\s+of\s+[{_UP}][\w'’\-]*(?:\s+[{_UP}][\w'’\-]*)*)?)\b"
)


def _normalise(text: str) -> str:
    text = re.sub("[“”„‟″]", '"', text)
    text = re.sub("[‘’‚‛′]", "'", text)
    return " ".join(text.split())


@dataclass
class _Person:
    name: str
    title: str | None = None
    rank: str | None = None
    gender: str | None = None

    @property
    def surname(self) -> str:
        return self.name.split()[-1]

    def speaker(self, kind: str) -> Speaker:
        # A rank stands in for a missing role ("Col.", "Ambassador"); a courtesy title ("Ms", "Dr.") does not.
        rank_role = self.rank if self.rank and self.rank.lower().rstrip(".") not in _COURTESY else None
        return Speaker(self.name, self.title or rank_role, kind, False, self.rank)


@dataclass
class _Org:
    name: str
    head: str

    @property
    def words(self) -> set[str]:
        return {w.lower().removesuffix("'s") for w in self.name.split()}


@dataclass
class _Clause:
    """A reporting clause found in a sentence: who, where, and whether it carries a quotation."""

    who: str
    position: int
    direct: bool


@dataclass
class _Resolved:
    speaker: Speaker
    person: _Person | None


@dataclass
class _Context:
    """What an article has said so far about its people and organisations."""

    people: list[_Person] = field(default_factory=list)
    orgs: list[_Org] = field(default_factory=list)
    speakers: list[_Person] = field(default_factory=list)  # person speakers, most recent last
    previous: list[_Person] = field(default_factory=list)  # the previous paragraph's person speakers
    current: list[_Person] = field(default_factory=list)  # this paragraph's person speakers so far

    # -- people

    def person(self, name: str, title: str | None, rank: str | None, gender: str | None) -> _Person | None:
        """The registered person for a name, adding or completing the entry; None when ambiguous."""
        tokens = name.split()
        if len(tokens) == 1:
            matches = [p for p in self.people if p.surname == name or p.name == name]
            if len(matches) > 1:
                return None
            if matches:
                person = matches[0]
                self._complete(person, title, rank, gender)
                return person
        else:
            for person in self.people:
                if person.name == name:
                    self._complete(person, title, rank, gender)
                    return person
            for person in self.people:  # "Konashenkov" seen first, "Igor Konashenkov" now
                if " " not in person.name and person.name == tokens[-1]:
                    person.name = name
                    self._complete(person, title, rank, gender)
                    return person
        person = _Person(name, title, rank, gender)
        self.people.append(person)
        return person

    @staticmethod
    def _complete(person: _Person, title: str | None, rank: str | None, gender: str | None) -> None:
        person.title = person.title or title
        person.rank = person.rank or rank
        person.gender = person.gender or gender

    def by_role(self, role: str) -> _Person | None:
        """The one person whose title or rank holds this role ("the spokesman", "the doctor")."""
        wanted = _ROLE_ALIASES.get(role, (role,))
        found = [p for p in self.people
                 if any(w in {x.lower().strip(",") for x in f"{p.title or ''} {p.rank or ''}".split()}
                        for w in wanted)]
        return found[0] if len(found) == 1 else None

    def pronoun(self, gender: str | None) -> _Person | None:
        """The person "he"/"she" (or, gender None, "the 62-year-old") refers to, or None when that is not clear."""
        def fits(p: _Person) -> bool:
            return gender is None or p.gender in (None, gender)

        if self.current:
            if len({id(p) for p in self.current}) == 1:
                return self.current[-1] if fits(self.current[-1]) else None
            same = [p for p in self.current if p.gender == gender]
            return same[-1] if same else None
        same = [p for p in self.speakers if gender is not None and p.gender == gender]
        if same:
            return same[-1]
        if len({id(p) for p in self.previous}) == 1 and fits(self.previous[0]):
            return self.previous[0]
        if len(self.people) == 1 and fits(self.people[0]):
            return self.people[0]
        return None

    # -- organisations

    def org(self, name: str, head: str, bare_ok: bool = True) -> str | None:
        """The fullest earlier mention of an organisation, or None when two different ones fit, or when
        none does and `bare_ok` is False (a bare "the company" that names nobody)."""
        words = {w.lower().removesuffix("'s") for w in name.split()} - {"the"}
        fits = [o for o in self.orgs if o.head == head and words <= o.words]
        fullest = [o for o in fits if not any(o is not p and o.words < p.words for p in fits)]
        names = {o.name for o in fullest}
        if len(names) > 1:
            return None
        if names:
            return names.pop()
        if not bare_ok:
            return None
        self.orgs.append(_Org(name, head))
        return name

    def mention_org(self, name: str, head: str) -> None:
        if not any(o.name == name for o in self.orgs):
            self.orgs.append(_Org(name, head))


def attribute_speakers(paragraphs: Sequence[str], title: str | None = None) -> list[Speaker | None]:
    """The speaker each paragraph reports, resolved against what the article said before.

    Args:
        paragraphs: The article's paragraphs in reading order (a leading dateline is ignored).
        title: The headline, read only for full names of people.

    Returns:
        One entry per paragraph: the `Speaker` whose words or claims the paragraph reports, or None when
        it reports nobody's, only anonymous sources', or when the speaker cannot be resolved. When a
        paragraph reports several speakers, the one of the first direct quotation wins, else the first
        named person, else the first organisation.
    """
    ctx = _Context()
    if title:
        _register_mentions(ctx, _normalise(title))
    out: list[Speaker | None] = []
    last: Speaker | None = None
    for index, raw in enumerate(paragraphs):
        text = _normalise(raw)
        if index < 3:
            text = strip_dateline(text)
        masked, quotes = _mask_quotes(text)
        ctx.current = []
        found: list[tuple[Speaker, bool, int]] = []  # speaker, is a person, order
        for sentence in _sentences(masked):
            for clause in _clauses(sentence, quotes):
                resolved = _resolve(ctx, clause.who)
                if resolved is None:
                    continue
                speaker = resolved.speaker
                if clause.direct:
                    speaker = Speaker(speaker.name, speaker.title, "direct", speaker.organisation, speaker.rank)
                if resolved.person is not None:
                    ctx.current.append(resolved.person)
                found.append((speaker, resolved.person is not None, len(found)))
            _register_mentions(ctx, sentence)
        chosen = _choose(found)
        if chosen is None and last is not None and last.kind == "direct" and _only_quote(masked, quotes):
            chosen = last  # a paragraph that only continues the previous paragraph's quotation
        out.append(chosen)
        for person in ctx.current:
            if person in ctx.speakers:
                ctx.speakers.remove(person)
            ctx.speakers.append(person)
        ctx.previous = ctx.current
        last = chosen
    return out


def _choose(found: list[tuple[Speaker, bool, int]]) -> Speaker | None:
    if not found:
        return None
    for speaker, _, _ in found:
        if speaker.kind == "direct":
            return speaker
    people = [s for s, is_person, _ in found if is_person]
    return people[0] if people else found[0][0]


def _only_quote(masked: str, quotes: list[str]) -> bool:
    rest = _QUOTE_RE.sub("", masked).replace('"', "").strip(" .,;")
    return not rest and bool(quotes) and len(quotes[-1].split()) >= 3


def _mask_quotes(text: str) -> tuple[str, list[str]]:
    """The text with each quotation's words replaced by a marker, and the quotations."""
    quotes: list[str] = []

    def mark(m: re.Match[str]) -> str:
        quotes.append(m.group(1))
        return f'"\ue000{len(quotes) - 1}\ue001"'

    masked = re.sub(r'"([^"]*)(?:"|$)', mark, text)
    return masked, quotes


def _sentences(text: str) -> list[str]:
    out, start = [], 0
    for m in re.finditer(r'[.!?]\s+(?=["\ue000A-ZÀ-Þ])', text):
        before = text[start:m.start()].rsplit(None, 1)
        word = before[-1].lower().lstrip('("') if before else ""
        if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
            continue
        out.append(text[start:m.start() + 1].strip())
        start = m.end()
    out.append(text[start:].strip())
    return [s for s in out if s]


def _has_quote(sentence: str, quotes: list[str]) -> bool:
    return any(len(quotes[int(i)].split()) >= 3 for i in _QUOTE_RE.findall(sentence))


_LEADING_ADVERBIAL = re.compile(
    r"^(?:(?:In|At|On|From|After|Before|During|Speaking|Later|Earlier|Meanwhile|Separately|However|Asked|Writing"
    r"|Under|Despite|Since|By|Following|Responding|Addressing|Separately|Elsewhere|Overnight|Today|Yesterday)"
    r"\b[^,\"]{0,80},\s+)"
)


def _clauses(sentence: str, quotes: list[str]) -> list[_Clause]:
    """The reporting clauses of one sentence, in order."""
    direct = _has_quote(sentence, quotes)
    body = _LEADING_ADVERBIAL.sub("", sentence)
    offset = len(sentence) - len(body)
    clauses: list[_Clause] = []
    for m in _VERB_RE.finditer(body):
        left, right = body[:m.start()], body[m.end():]
        if re.search(r"\b(?:and|but)\s+(?:also\s+|later\s+|then\s+)?$", left):
            who = _subject(body)  # 'X called the walkout "..." and said ...', 'X thanked him and said ...'
        else:
            who = _who_before(left)
            if who is None and (re.search(r'"\s*,?\s*$', left) or (left.rstrip().endswith(",")
                                                                    and left.count(",") == 1)):
                who = _who_after(right)  # '"...," said Ines Marchetti, ...'
        if who:
            clauses.append(_Clause(who, offset + m.start(), direct))
    if not clauses:
        for m in _CHARACTERISING_RE.finditer(body):
            if _has_quote(body[m.end():], quotes):
                who = _who_before(body[:m.start()])
                if who:
                    clauses.append(_Clause(who, offset + m.start(), direct))
                break
    if _SAYING_RE.search(body) and not clauses:
        who = _subject(body)
        if who:
            clauses.append(_Clause(who, offset, direct))
    for m in _ACCORDING_RE.finditer(body):
        who = m.group("who").strip().rstrip(".")
        clauses.append(_Clause(who, offset + m.start(), direct))
    clauses.sort(key=lambda c: c.position)
    return clauses


def _who_before(left: str) -> str | None:
    """The noun phrase just before a reporting verb, with an appositive between commas."""
    text = left.rstrip()
    if not text:
        return None
    # After the last quotation: '"...," Kestria ... spokeswoman Col. Anja Verlinde said'
    if "\ue001" in text:
        text = text[text.rindex("\ue001") + 2:]
    segments = text.split(",")
    last = segments[-1].strip()
    if not last and len(segments) >= 3:  # "X, APPOSITIVE, said"
        who = f"{segments[-3].strip()}, {segments[-2].strip()}"
    elif last:
        who = last
    else:
        return None
    words = who.split()
    while words and words[-1].lower() in _TRAILING:
        words.pop()
    while words and words[0].lower() in _LEADING:
        words.pop(0)
    return " ".join(words) or None


def _who_after(right: str) -> str | None:
    text = right.strip()
    if "\ue000" in text:
        text = text[:text.index("\ue000")].rstrip('" ')
    text = text.rstrip(".!? ")
    words = text.split()
    if not words or not (words[0].lower() in ("the", "he", "she") or any(
            w[0].isupper() and w.lower() not in _CAPITALISED_COMMON for w in words[:6])):
        return None
    return text


def _subject(body: str) -> str | None:
    """The sentence's subject: the words before its first lower-case verb-like word."""
    words = body.split()
    for i, word in enumerate(words[:12]):
        plain = word.strip(",")
        if i and plain.islower() and (plain.endswith("ed") or plain in _VERB_WORDS
                                      or plain in ("took", "gave", "made", "threw", "led", "won", "hit",
                                                   "sent", "met", "spoke", "rejected", "dismissed")):
            return " ".join(words[:i])
    return None


# -------------------------------------------------------------------- resolving a clause's noun phrase


def _resolve(ctx: _Context, who: str) -> _Resolved | None:
    who = who.strip(" ,.;:\"'")
    if not who or "\ue000" in who or '"' in who:
        return None
    parts = [p.strip() for p in who.split(",") if p.strip()]
    main, appositives = parts[0], parts[1:]
    words = main.split()
    while words and words[0].lower() in _LEADING:
        words.pop(0)
    if not words or len(words) > 10:
        return None
    lowered = [w.lower() for w in words]
    if re.fullmatch(r"the \d{1,3}-year-old", " ".join(lowered)):  # refers back like a pronoun of either gender
        person = ctx.pronoun(None)
        return _Resolved(person.speaker("indirect"), person) if person else None
    if any(w in _FORBIDDEN for w in lowered) or any(any(c.isdigit() for c in w) for w in words):
        return None
    if len(words) == 1 and lowered[0] in _PRONOUNS:
        person = ctx.pronoun(_PRONOUNS[lowered[0]])
        if person is None:
            return None
        person.gender = _PRONOUNS[lowered[0]]
        return _Resolved(person.speaker("indirect"), person)
    if lowered[0] in _OTHER_PRONOUNS:
        return None
    # Cut trailing prepositional phrases: "Police in the northern city of Granholt" -> "Police".
    for i, w in enumerate(lowered[1:], start=1):
        if w in _PREPOSITIONS:
            words, lowered = words[:i], lowered[:i]
            break
    of_at = lowered.index("of") if "of" in lowered[1:] else len(lowered)
    if lowered[of_at - 1].strip("'") in _ANONYMOUS:  # the head noun: "officials", not "Dock Workers' Union"
        return None
    article = lowered[0] if lowered[0] in _ARTICLES | _INDEFINITE else None
    if article:
        words, lowered = words[1:], lowered[1:]
    if not words:
        return None
    # "A Sarvenian foreign ministry statement said" -> the ministry
    if lowered[-1] in _DOCUMENTS:
        words, lowered = words[:-1], lowered[:-1]
        if not words or lowered[-1].removesuffix("'s") not in _ORG_HEADS:
            return None
        article = None
    if article in _INDEFINITE and article not in ("a", "an"):
        return None
    head_index = lowered.index("of") - 1 if "of" in lowered[1:] else len(words) - 1
    head = lowered[head_index].removesuffix("'s").strip("'")
    capitalised = [w for w in words if w[0].isupper() and w.lower() not in _CAPITALISED_COMMON]
    if head in _ORG_HEADS and (head_index == len(words) - 1 or "of" in lowered):
        if article in ("a", "an"):
            return None
        name = ctx.org(" ".join(words), head, bare_ok=len(words) > 1 or head in _SELF_SUFFICIENT)
        return _Resolved(Speaker(name, kind="indirect", organisation=True), None) if name else None
    if article in ("a", "an"):
        return None  # an unnamed person: "a police spokeswoman"
    if (not capitalised or words[-1][0].islower()) and appositives:
        if _looks_like_name(appositives[0]):
            return _resolve_name(ctx, words, appositives)  # "The company's chief executive, Sofia Lund"
        named = appositives[0].split()
        if all(w[0].isupper() for w in named) and named[-1].lower() in _NOT_PERSON_TAIL | _ORG_HEADS:
            org = ctx.org(appositives[0], named[-1].lower())  # "The developer, Tornvik Properties"
            return _Resolved(Speaker(org, kind="indirect", organisation=True), None) if org else None
    if not capitalised or words[head_index][0].islower():
        if head in _ROLES and article in ("the", "his", "her", "its", "their"):
            person = ctx.by_role(head)
            return _Resolved(person.speaker("indirect"), person) if person else None
        return None
    return _resolve_name(ctx, words, appositives)


def _split_person(words: list[str], sentence_start: bool = True) -> tuple[list[str], list[str], list[str]]:
    """(descriptor, rank, name) words of a noun phrase ending in a person's name."""
    if "of" in words:  # "Col. Anja Verlinde of the regional emergency ministry"
        words = words[:words.index("of")]
    name: list[str] = []
    i = len(words) - 1
    while i >= 0:
        w = words[i]
        lw = w.lower()
        if lw in _RANKS or lw in _OFFICES or lw in _CAPITALISED_COMMON:
            break
        if w[0].isupper() or (lw in _NAME_PARTICLES and name):
            name.insert(0, w)
            i -= 1
            continue
        break
    while name and name[0].lower() in _NAME_PARTICLES:
        name.pop(0)
    # "Stallholder Piet Vandermeer": a sentence-initial common noun is no first name.
    if len(name) >= 3 and _DESCRIPTOR_SUFFIX.search(name[0].lower()) and i < 0 and sentence_start:
        i += 1
        name = name[1:]
    prefix = words[:i + 1]
    rank: list[str] = []
    while prefix and prefix[-1].lower() in _RANKS and (prefix[-1].lower() not in _OFFICES or not rank and
                                                       (prefix[-1].endswith(".") or prefix[-1].lower() in
                                                        ("ambassador", "captain", "colonel", "general",
                                                         "major", "lieutenant", "admiral", "commander",
                                                         "sergeant"))):
        rank.insert(0, prefix.pop())
    # Two-word military ranks: "Maj. Gen.", "Lt. Col.", "Rear Adm."
    while prefix and rank and prefix[-1].lower() in _RANKS and prefix[-1].endswith("."):
        rank.insert(0, prefix.pop())
    return prefix, rank, name


def _resolve_name(ctx: _Context, words: list[str], appositives: list[str]) -> _Resolved | None:
    descriptor, rank, name = _split_person(words)
    if not name:
        # "The port authority's chief executive, Henrik Vogt": the name is the appositive.
        if appositives and _looks_like_name(appositives[0]):
            _, rank, name = _split_person(appositives[0].split(), sentence_start=False)
            descriptor, appositives = words, appositives[1:]
        else:
            if descriptor and descriptor[-1].lower() in _ROLES:
                person = ctx.by_role(descriptor[-1].lower())
                return _Resolved(person.speaker("indirect"), person) if person else None
            return None
    lowered_name = [w.lower() for w in name]
    if any(w in _NOT_PERSON_TAIL for w in lowered_name[-1:]) or any(
            w.removesuffix("'s") in _ORG_HEADS for w in lowered_name):
        # "Norrland Shipping", "The Havenstad Dockers' Association"
        org_words = words if words[0].lower() not in _ARTICLES else words[1:]
        head = next((w.lower().removesuffix("'s") for w in reversed(org_words)
                     if w.lower().removesuffix("'s") in _ORG_HEADS | _NOT_PERSON_TAIL), "")
        org = ctx.org(" ".join(org_words), head)
        return _Resolved(Speaker(org, kind="indirect", organisation=True), None) if org else None
    descriptor_text = _clean_descriptor(descriptor)
    if len(name) == 1 and descriptor and descriptor[-1].lower().removesuffix("'s") in _ORG_HEADS:
        # "The rail operator AldoFreight"
        org = ctx.org(name[0], name[0].lower())
        return _Resolved(Speaker(org, kind="indirect", organisation=True), None) if org else None
    title = descriptor_text
    gender = _gender(descriptor + rank)
    lowered_descriptor = [w.lower().removesuffix("'s") for w in descriptor]
    heads = [i for i, w in enumerate(lowered_descriptor) if w in _ORG_HEADS]
    if heads and heads[0] > 0:  # "Kestria emergency ministry spokeswoman": the ministry, for "the ministry said"
        ctx.mention_org(" ".join(descriptor[:heads[0] + 1]).removesuffix("'s"), lowered_descriptor[heads[0]])
    for appositive in appositives:
        role, role_gender = _appositive_role(appositive)
        gender = gender or role_gender
        if title is None and role:
            title = role
    if len(name) == 1 and name[0].lower() in _CAPITALISED_COMMON:
        return None
    if len(name) == 1 and not any(p.surname == name[0] or p.name == name[0] for p in ctx.people):
        # An unknown single word: accept it as a name unless it looks like a plural common noun.
        if name[0].endswith("s") and not any(c.isupper() for c in name[0][1:]):
            return None
    person = ctx.person(" ".join(name), title, " ".join(rank) or None, gender)
    if person is None:
        return None
    return _Resolved(person.speaker("indirect"), person)


def _clean_descriptor(words: list[str]) -> str | None:
    words = list(words)
    while words and words[0].lower() in _ARTICLES:
        words.pop(0)
    while words and words[-1].lower() in ("of", "and", "the"):
        words.pop()
    return " ".join(words) or None


def _looks_like_name(text: str) -> bool:
    words = text.split()
    while words and words[0].lower() in _RANKS:
        words = words[1:]
    return 2 <= len(words) <= 4 and all(w[0].isupper() or w.lower() in _NAME_PARTICLES for w in words) and not any(
        w.lower() in _CAPITALISED_COMMON | _OFFICES | _NOT_PERSON_TAIL for w in words)


def _appositive_role(text: str) -> tuple[str | None, str | None]:
    """The role an appositive gives ("the ministry's spokeswoman", "who heads X"), and a gender cue."""
    words = text.split()
    lowered = [w.lower() for w in words]
    if not words or all(w.isdigit() for w in words) or lowered[0].endswith("ing"):
        return None, None
    if lowered[0] == "who":
        cues = {_PRONOUN_GENDER[w] for w in lowered if w in _PRONOUN_GENDER}
        gender = cues.pop() if len(cues) == 1 else None
        if len(words) > 2 and lowered[1] in _APPOSITIVE_HEADS:
            return " ".join([_APPOSITIVE_HEADS[lowered[1]]] + _cut_clause(words[2:])), gender
        if len(words) > 3 and lowered[1] in ("is", "was") and lowered[2] in ("the", "a", "an"):
            return " ".join(_cut_clause(words[3:])) or None, gender
        return None, gender
    if lowered[0] in ("the", "a", "an", "its", "their"):
        words = words[1:]
    words = _cut_clause(words)
    if not words or any(w.lower() in _FORBIDDEN for w in words):
        return None, None
    return " ".join(words), _gender(words[-1:])


def _cut_clause(words: list[str]) -> list[str]:
    for i, w in enumerate(words):
        if w.lower() in ("who", "which", "that", "whose", "where", "when"):
            return words[:i]
    return words


def _gender(words: list[str]) -> str | None:
    for w in words:
        lw = w.lower().strip(",.")
        if lw in _FEMALE:
            return "f"
        if lw in _MALE:
            return "m"
    return None


def _register_mentions(ctx: _Context, sentence: str) -> None:
    """Record the people and organisations a sentence names, so later references resolve to them."""
    text = _QUOTE_RE.sub(" ", sentence)
    for m in _ORG_RUN_RE.finditer(text):
        words = m.group(0).split()
        if words and words[0].lower() == "the":
            words = words[1:]
        heads = [w.lower().removesuffix("'s").strip("'") for w in words]
        head = next((h for h in heads if h in _ORG_HEADS), None)
        if head and len(words) >= 2:
            ctx.mention_org(" ".join(words), head)
    for m in _LOWER_ORG_RE.finditer(text):
        name = m.group(1).strip()
        words = name.split()
        head = next((w.lower() for w in words if w.lower() in _ORG_HEADS), None)
        if any(w in _FORBIDDEN | _ARTICLES | _PREPOSITIONS | {"and", "or"} for w in words[:-1] if w.islower()):
            continue
        if head and len(words) >= 2:
            ctx.mention_org(name, head)
    for m in _PERSON_RUN_RE.finditer(text):
        words = m.group(0).split()
        if len(words[-1]) > 2 and words[-1].endswith("."):  # the sentence's full stop, not an initial
            words[-1] = words[-1][:-1]
        start = m.start()
        lowered = [w.lower().strip(".") for w in words]
        if lowered[-1] in _NOT_PERSON_TAIL or any(w.removesuffix("'s") in _ORG_HEADS for w in lowered):
            continue
        while words and words[0].lower() in _CAPITALISED_COMMON:
            start += len(words[0]) + 1
            words = words[1:]
        if len(words) < 2:
            continue
        descriptor, rank, name = _split_person(words, sentence_start=start == 0)
        if len(name) < 2 or any(w.lower() in _CAPITALISED_COMMON for w in name) or any(
                w.endswith("'s") for w in name):
            continue
        before = text[:start].split()
        lead: list[str] = []
        for w in reversed(before[-5:]):
            lw = w.lower()
            if not w.isalpha() and "'" not in w or lw in _FORBIDDEN or lw in _ARTICLES or lw in _PREPOSITIONS or (
                    lw in ("and", "or", "but", "of", "as")):
                break
            lead.insert(0, w)
        descriptor = lead + descriptor
        if name and " ".join(name) not in {p.name for p in ctx.people}:
            ctx.person(" ".join(name), _clean_descriptor(descriptor), " ".join(rank) or None,
                       _gender(descriptor + rank))
