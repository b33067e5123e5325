"""The speaker rules' own word lists: reporting verbs, pronouns, organisation heads, roles, offices...

Lists that other rules share (months, weekdays, ranks and titles, name particles) are in `corpus.lexicon`.
"""

from __future__ import annotations

import re

from corpus.lexicon import (
    COURTESY_TITLES,
    MONTH_ABBREVIATIONS,
    MONTH_NAMES,
    NAME_PARTICLES,
    RANKS_AND_TITLES,
    STOP_ONLY_ABBREVIATIONS,
    TITLE_ABBREVIATIONS,
    UPPER,
    WEEKDAY_NAMES,
)

# Reporting verbs, longest first so that "pointed out" wins over nothing and the passive forms match whole.
VERBS = (
    r"(?:(?:was|were|is|are) (?:quoted|cited)(?: by [^,\"]{1,40})? as (?:saying|telling)|pointed out"
    r"|said|says|say|told|tells|added|adds|stressed|stresses|noted|notes|warned|warns|stated|states"
    r"|explained|explains|claimed|claims|announced|announces|insisted|insists|argued|argues|declared"
    r"|confirmed|confirms|wrote|writes|asserted|emphasi[sz]ed|underlined|underscored|acknowledged|admitted"
    r"|denied|denies|replied|responded|urged|cautioned|remarked|commented|predicted|conceded|maintained"
    r"|reiterated|recalled|complained|estimated|reported|suggested|accused|promised|pledged|vowed|tweeted"
    r"|posted|asked)"
)
VERB_WORDS = frozenset(re.sub(r"\(.*?\)|[()?:]", " ", VERBS).replace("|", " ").split()) | {"saying"}

PRONOUNS = {"he": "m", "she": "f"}
OTHER_PRONOUNS = frozenset({"they", "it", "we", "i", "you", "who", "this", "that", "which", "one"})
ARTICLES = frozenset({"the", "a", "an", "its", "their", "our", "his", "her"})
INDEFINITE = frozenset({"a", "an", "one", "another", "some", "two", "three", "several", "many"})
LEADING = frozenset({"and", "but", "while", "as", "although", "though", "whereas", "meanwhile", "also", "so",
                     "yet", "still", "however", "then", "now"})
TRAILING = frozenset({"also", "later", "earlier", "then", "again", "previously", "further", "separately",
                      "repeatedly", "once", "has", "had", "have", "already", "recently", "often",
                      "himself", "herself", "itself", "publicly", "privately", "angrily", "bluntly"})
# Words that cannot be part of a speaker's noun phrase (outside an appositive "who ..." clause).
FORBIDDEN = frozenset({"was", "were", "is", "are", "be", "been", "being", "do", "does", "did", "not", "no",
                       "will", "would", "can", "could", "should", "may", "might", "must", "that", "which",
                       "when", "where", "if", "because", "than", "there", "what", "whether", "how", "why",
                       "nor", "never", "to", "it", "they", "we", "i", "you", "this", "these", "those",
                       "whose", "before", "after", "until", "unless", "since"}) | VERB_WORDS
PREPOSITIONS = frozenset({"in", "at", "on", "from", "with", "for", "during", "after", "before", "near",
                          "outside", "inside", "via", "to", "familiar", "close", "briefed", "speaking",
                          "under", "over", "through", "across", "by", "about", "ahead", "later"})
# Anonymous sources: a passage reporting them has no speaker.
ANONYMOUS = frozenset({
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
ORG_HEADS = frozenset({
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
SELF_SUFFICIENT = frozenset({"police", "army", "military", "navy", "government", "kremlin", "palace", "pentagon",
                             "parliament", "cabinet", "presidency", "senate", "coastguard"})
DOCUMENTS = frozenset({"statement", "report", "communique", "release", "letter", "filing", "post"})
# Singular roles that "the spokesman said" may refer back to.
ROLES = frozenset({
    "spokesman", "spokeswoman", "spokesperson", "minister", "mayor", "governor", "commissioner", "president",
    "chairman", "chairwoman", "chair", "director", "doctor", "chief", "secretary", "ambassador", "envoy",
    "general", "colonel", "captain", "prosecutor", "judge", "coach", "manager", "executive", "leader",
    "inspector", "lawyer", "premier", "chancellor", "senator", "mediator", "negotiator", "organiser",
    "organizer", "commander", "head", "founder", "owner", "professor", "actor", "actress", "diplomat",
    "economist", "analyst", "priest", "bishop", "king", "queen", "prince", "princess", "officer",
})
ROLE_ALIASES = {"doctor": ("dr.", "dr", "doctor"), "professor": ("prof.", "professor"),
                "general": ("gen.", "general"), "colonel": ("col.", "colonel"), "captain": ("capt.", "captain"),
                "spokesman": ("spokesman", "spokeswoman", "spokesperson"),
                "spokeswoman": ("spokeswoman", "spokesperson"), "spokesperson": ("spokesman", "spokeswoman",
                                                                                 "spokesperson")}
# Ranks and titles before a name, as the words are written: "Dr" and "Dr.", but "Sen." only with its stop.
RANKS = ((RANKS_AND_TITLES - STOP_ONLY_ABBREVIATIONS)
         | {f"{w}." for w in TITLE_ABBREVIATIONS | STOP_ONLY_ABBREVIATIONS})
COURTESY = COURTESY_TITLES
# Capitalised words that are offices, not names ("Transport Minister Jonas Albrecht").
OFFICES = frozenset({
    "minister", "mayor", "governor", "commissioner", "president", "inspector", "chief", "director",
    "deputy", "prime", "secretary", "senator", "chancellor", "premier", "speaker", "envoy", "ambassador",
    "chairman", "chairwoman", "chair", "spokesman", "spokeswoman", "spokesperson", "judge", "prosecutor",
    "attorney", "general", "head", "leader", "officer", "coach", "manager", "executive", "vice", "acting",
    "foreign", "interior", "defence", "defense", "finance", "health", "opposition", "state", "sheriff",
    "superintendent", "constable", "detective", "sergeant", "lieutenant", "colonel", "major", "captain",
    "admiral", "commander", "marshal", "representative", "councillor", "councilor", "alderman",
})
CAPITALISED_COMMON = frozenset({
    "the", "a", "an", "in", "on", "at", "but", "and", "also", "meanwhile", "this", "that", "these", "those",
    "it", "he", "she", "they", "we", "i", "his", "her", "their", "its", "our", "after", "before", "when", "while",
    "if", "as", "by", "for", "from", "with", "under", "over", "since", "there", "here", "what", "who",
    "according", "earlier", "later", "asked", "speaking", "despite", "during", "until", "one", "two",
    "three", "both", "all", "some", "many", "most", "several", "every", "each", "no", "none", "other",
    "others", "another", "such", "first", "last", "next", "new", "mr", "mrs", "ms", "dr", "prof",
}) | frozenset(MONTH_NAMES) | frozenset(WEEKDAY_NAMES)
# Last words of capitalised runs that are places or organisations, not people.
NOT_PERSON_TAIL = frozenset({
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
FEMALE = frozenset({"spokeswoman", "chairwoman", "businesswoman", "congresswoman", "councilwoman", "mother",
                    "daughter", "wife", "sister", "grandmother", "widow", "actress", "woman", "girl", "queen",
                    "princess", "duchess", "mrs.", "mrs", "ms.", "ms", "miss", "lady", "dame", "madam",
                    "aunt", "niece", "granddaughter"})
MALE = frozenset({"spokesman", "chairman", "businessman", "congressman", "councilman", "father", "son",
                  "husband", "brother", "grandfather", "widower", "man", "boy", "king", "prince", "duke",
                  "mr.", "mr", "sir", "lord", "uncle", "nephew", "grandson"})
# In a "who ..." clause about the speaker, a possessive pronoun tells the speaker's gender.
PRONOUN_GENDER = {"she": "f", "her": "f", "herself": "f", "he": "m", "his": "m", "him": "m", "himself": "m"}
APPOSITIVE_HEADS = {"heads": "head of", "chairs": "chair of", "leads": "leader of", "runs": "head of",
                    "directs": "director of", "manages": "manager of", "represents": "representative of",
                    "owns": "owner of", "founded": "founder of", "commands": "commander of"}
DESCRIPTOR_SUFFIX = re.compile(r"(?:er|or|ist|ant|ent|man|woman|holder|keeper|maker|ian|ee)$")
# Words a full stop after does not end a sentence ("Dr. Lena Marsh", "Sept. 4", "U.S. officials").
ABBREVIATIONS = frozenset({
    "st", "jr", "sr", "no", "vs", "inc", "co", "corp", "ltd", "a.m", "p.m", "u.s", "u.k", "u.n", "e.u", "mt",
}) | TITLE_ABBREVIATIONS | STOP_ONLY_ABBREVIATIONS | MONTH_ABBREVIATIONS
PERSON_RUN_RE = re.compile(
    rf"(?:[{UPPER}][\w.'’\-]*|(?<=\s)(?:{'|'.join(sorted(NAME_PARTICLES))}))"
    rf"(?:\s+(?:[{UPPER}][\w'’\-]*\.?|(?:{'|'.join(sorted(NAME_PARTICLES))})(?=\s+[{UPPER}])))+"
)
ORG_RUN_RE = re.compile(
    rf"(?:[{UPPER}][\w'’\-]*\s+(?:(?:and|of|for|the|de|&)\s+)*)*[{UPPER}][\w'’\-]*"
)
ORG_HEAD_ALTERNATION = "|".join(sorted(h for h in ORG_HEADS if h.isalpha()))
LOWER_ORG_RE = re.compile(
    rf"\b(?:[Tt]he|[Aa]n?|[Ii]ts)\s+((?:[{UPPER}][\w'’\-]*\s+)?(?:[a-z][\w'’\-]*\s+){{0,3}}?"
    rf"(?:{ORG_HEAD_ALTERNATION})(?:\s+of\s+[{UPPER}][\w'’\-]*(?:\s+[{UPPER}][\w'’\-]*)*)?)\b"
)
