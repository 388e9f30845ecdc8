"""KLE main-group topics for agenda items.

Danish municipalities file cases by KLE (Kommunernes Landsforenings
Emnesystematik).  An item gets its topic from, in order of trust:

1. a KLE number in its case/journal number or in a "J.nr.:" line of its text
   (confidence 1.0, source "case-number");
2. the municipality's own KLE subject words, when a KLE file has been loaded
   (source "kle-file");
3. our own Danish keyword lists per main group (source "text").

KL's KLE data is licensed and is never shipped here: the codes follow KLE, the
short names and keyword lists below are our own.  Items the text does not
clearly place get no topic (an empty list, shown as "Uden emne") rather than a
guess.
"""

from __future__ import annotations

import gzip
import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from itertools import repeat
from pathlib import Path
from typing import Any, Literal

import numpy as np
import Stemmer

from indexer.analysis import tokens
from indexer.analysis.danish import DANISH_STOP_WORDS, PLAIN_WORD_PATTERN, SIGN_WORDS, fold
from indexer.model import Access, Item, SectionKind
from indexer.normalise import normalise_word

TopicSource = Literal["case-number", "text", "kle-file"]

NO_TOPIC_NAME = "Uden emne"
KLE_TERMS_FILE = "kle-terms.json"

# Main-group codes follow KLE; the short names are ours.  Discontinued groups
# are kept so that old case numbers still resolve.
TOPIC_NAMES: dict[str, str] = {
    "00": "Kommunens styrelse",
    "01": "Planlægning og natur",
    "02": "Byggeri",
    "03": "Boliger",
    "04": "Parker, fritid og landskab",
    "05": "Veje og trafik",
    "06": "Spildevand og vandløb",
    "07": "Affald og genbrug",
    "08": "Havne og lufthavne",
    "09": "Miljøbeskyttelse",
    "11": "Øer",
    "12": "Kirkelige forhold",
    "13": "Forsyning og kollektiv trafik",
    "14": "Beredskab",
    "15": "Beskæftigelse",
    "16": "Social- og sundhed (gammel)",
    "17": "Skole og undervisning",
    "18": "Folkeoplysning og ungdomsskole",
    "19": "Museer og arkiver",
    "20": "Kultur",
    "21": "Biblioteker",
    "22": "Erhvervsregulering",
    "23": "Borgerlige forhold",
    "24": "Erhverv og turisme",
    "25": "Skat",
    "26": "Retsvæsen og militær",
    "27": "Social service",
    "28": "Dagtilbud",
    "29": "Sundhed",
    "30": "Andre myndigheders opgaver",
    "32": "Kontante ydelser",
    "50": "Sygehuse (gammel)",
    "54": "Uddannelse",
    "81": "Personale",
    "82": "Kommunens ejendomme",
    "83": "Driftsmidler og inventar",
    "84": "Valg",
    "85": "IT og administration",
    "86": "Kommunal produktion",
    "87": "Arbejdsmiljø",
    "88": "Indkøb og udbud",
}


@dataclass(frozen=True)
class Topic:
    """One topic of an item: a KLE main group, how it was found, how sure we are."""

    code: str  # main group, "05"
    name: str
    source: TopicSource
    confidence: float
    detail: str | None = None  # finer KLE number when known, "05.01.08"
    detail_name: str | None = None  # its title, when a KLE file names it

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def public_topics(stored: list[dict[str, object]] | None) -> list[dict[str, object]]:
    """Stored topics as listings show them: ``{"code", "name", "source", "confidence"}``,
    plus the finer KLE number (``detail``) and its title only when known."""
    return [{k: v for k, v in t.items() if v is not None or k not in ("detail", "detail_name")} for t in stored or []]


# --------------------------------------------------------------------------
# KLE numbers in case numbers and text

# "85.02.02-G01-1-17", "00.01.00P35-0104", "81.03.00-G01": the number must not
# be part of a longer dotted number (a date such as 31.01.2014 is not).
_KLE_NUMBER = r"(?<![\d.,])(\d{2})\.(\d{2})(?:\.(\d{2}))?(?![\d]|\.\d|,\d)"
_FACET = r"\s*-?\s*[A-ZÆØ]\d{2}(?!\d)"
CASE_NUMBER_KLE = re.compile(r"^\s*" + _KLE_NUMBER)
FACETED_KLE = re.compile(_KLE_NUMBER + r"(?=" + _FACET + r")")
MARKED_KLE = re.compile(
    r"(?:\bJ\.?\s?nr|\bJournal(?:nr|nummer)|\bKLE(?:-nr)?|\bEmnenr)\.?\s*:?\s*" + _KLE_NUMBER,
    re.IGNORECASE,
)


def _valid(main: str, group: str) -> bool:
    return main in TOPIC_NAMES and int(group) <= 99


def kle_numbers_in_case_number(case_number: str | None) -> list[str]:
    """KLE numbers a case or journal number starts with or carries with a facet."""
    if not case_number:
        return []
    found: list[str] = []
    for match in [CASE_NUMBER_KLE.match(case_number), *FACETED_KLE.finditer(case_number)]:
        if match and _valid(match.group(1), match.group(2)):
            code = ".".join(g for g in match.groups() if g)
            if code not in found:
                found.append(code)
    return found


# A KLE number from its first dot on: the regex engine finds a literal "." by a fast scan, where
# a pattern starting with a look-behind is tried at every position of the text.  The two digits
# before the dot, and what precedes them, are checked in Python (as ``_KLE_NUMBER`` would).
_KLE_FROM_DOT = re.compile(r"\.(\d{2})(?:\.(\d{2}))?(?![\d]|\.\d|,\d)")
_MARK_BEFORE = re.compile(
    r"(?:\bJ\.?\s?nr|\bJournal(?:nr|nummer)|\bKLE(?:-nr)?|\bEmnenr)\.?\s*:?\s*$",
    re.IGNORECASE,
)
_FACET_AFTER = re.compile(_FACET)
# Every KLE number holds this (within one word of the analysis tokeniser): a cheap test first.
_KLE_SHAPE = re.compile(r"\d\d\.\d\d")
_KLE_IN_WORD = re.compile(_KLE_NUMBER)


def _holds_kle_number(word: str) -> bool:
    """A KLE number of a text lies within one of its words (digits and a dot between them are one
    word); the word holds one by ``_KLE_NUMBER`` read within it: a date (31.01.2014) does not.
    Only what precedes the word is not seen, so this may say yes where the text says no."""
    return any(_valid(m.group(1), m.group(2)) for m in _KLE_IN_WORD.finditer(word))


def kle_numbers_in_text(text: str) -> list[str]:
    """KLE numbers the text names explicitly ("J.nr.: 01.05.08") or with a facet.

    One scan for number-shaped candidates (a C loop over the text); the marker before
    and the facet after are checked only around them.
    """
    marked: list[str] = []
    faceted: list[str] = []
    text = text or ""
    for match in _KLE_FROM_DOT.finditer(text):
        # Any later candidate inside a rejected match would start after a digit or a dot: none lost.
        start = match.start() - 2
        main = text[start : start + 2]
        if start < 0 or not main.isdecimal() or (start and (text[start - 1].isdecimal() or text[start - 1] in ".,")):
            continue
        if not _valid(main, match.group(1)):
            continue
        code = ".".join(g for g in (main, *match.groups()) if g)
        if _MARK_BEFORE.search(text, max(0, start - 40), start):
            marked.append(code)
        if _FACET_AFTER.match(text, match.end()):
            faceted.append(code)
    return list(dict.fromkeys(marked + faceted))


def item_kle_numbers(item: Item) -> list[str]:
    """Every KLE number the item's own metadata or text carries, most trusted first."""
    found = kle_numbers_in_case_number(item.case_number)
    texts = [item.title] + [s.text for s in item.sections if s.kind != SectionKind.HISTORY and s.access == Access.OPEN]
    for text in texts:
        found += [c for c in kle_numbers_in_text(text) if c not in found]
    return found


# --------------------------------------------------------------------------
# Our own keyword lists
#
# Terms are written as Danish stems, lower case with æ/ø/å folded on match.
# "lokalplan" matches any word starting with it (lokalplanforslag); a leading
# "*" also matches inside compounds (husholdnings*affald*); a trailing "$"
# wants the whole word; spaces join words of a phrase.  Title-only terms (the
# procedural ones that every body mentions in passing) start with "^".
#
# The table feeds the learned model as evidence per group.  Keywords that had been
# written next to single labelled texts — those matching exactly one hand-labelled
# text and no other of the repository's 3,321 items — were removed (41 of 558).

# fmt: off
KEYWORDS: dict[str, tuple[str, ...]] = {
    "00": (
        "^eventuelt$", "^meddelelse", "^bemærkninger til dagsorden", "^godkendelse af dagsorden",
        "^gensidig orientering", "^orienteringspunkt", "^mødeplan", "^mødekalender", "^*budgetopfølgning",
        "^budget 20", "^budgetforslag", "^regnskab", "^årsberetning", "^overførsel af",
        "^rådighedsbeløb", "^*styrelsesvedtægt", "^låneoptagelse", "^lånoptag",
        "^temadrøftelser", "^udpegning af medlem", "^valg af medlem", "^takstblad",
        "^udvalgets arbejde", "^lokalråd", "^politisk",
        "^kvartalsrapport", "^mindreforbrug", "^merforbrug", "^mindreudgift", "^*anlægsprojekter fra",
        "budgetforlig", "^godkendelse af referat", "^*styrelseslov",
        "^stående udvalg",
    ),
    "01": (
        "lokalplan", "kommuneplan", "planstrategi", "*planlægning", "byplanvedtægt", "landzone", "råstof",
        "fredning", "fredningsforslag", "naturfredning", "natura 2000", "*naturbeskyttelse", "naturområde",
        "fortidsminde", "landsbyfornyelse", "byudvikling", "helhedsplan", "udviklingsplan", "kulturmiljø",
        "højhuspolitik", "detailhandel", "udvalgsvarebutik", "aflastningscent", "miljørapport",
        "miljøvurdering", "vvm", "planområde", "plansag", "*plantillæg", "rammeområde", "bevaringsværdi",
        "§ 3", "beskyttet natur", "naturpleje", "temaplan", "erhvervsareal",
    ),
    "02": (
        "byggesag", "*byggetilladelse", "byggeansøgning", "byggefelt", "etagebebyggelse", "etageejendom",
        "*etageboligbebyggelse", "*boligbebyggelse", "tilbygning", "ombygning", "opførelse af", "opføre",
        "nybyggeri", "etager$", "byggeri", "bebyggelsesprocent", "*byggesagsbehandling",
        "bygningsreglement", "dispensation fra bygningsreglement", "nedrivning af", "nedrive",
        "energirenovering", "facade", "tagudhæng", "bygningshøjde", "byggeret",
    ),
    "03": (
        "almen bolig", "almene bolig", "*boligafdeling", "boligforening", "*boligselskab", "landsbyggefond",
        "skema c", "skema b", "friplejebolig", "ungdomsbolig", "kollegi", "boligpolitik",
        "anvisning", "udlejning", "nedlæggelse af bolig",
        "*boligregulering", "flexbolig", "boligstøtte", "*boligområde", "ghetto", "lejebolig", "lejer",
    ),
    "04": (
        "park$", "parken$", "parker$", "parkanlæg", "*bypark", "grønne område",
        "*grønt område", "friluft", "skov", "strand", "badebro", "badevand", "legeplads", "bevægelsespark",
        "idrætsanlæg", "idrætsfacilitet", "rekreativ",
        "landdistriktspolitik", "kolonihave", "vandresti", "friluftsscene", "naturpark",
        "hundeskov", "kirkegård", "begravelse",
    ),
    "05": (
        "vej$", "veje$", "vejen$", "vejene$", "*vejføring", "*vejprojekt", "vejnavn", "vejnet", "*vejanlæg",
        "vejbelysning", "vejafvanding", "vejkapital", "vejdirektorat", "*vejbidrag", "fællesvej",
        "privat fællesvej", "offentlig vej", "*trafiksikkerhed", "trafikal", "*biltrafik",
        "trafiksanering", "trafikregulering", "trafikafvikling", "tung trafik", "trafikplan$",
        "infrastruktur", "ledningsejer", "hastighed", "*parkering", "*parkeringsplads",
        "cykel", "*cykelsti", "*cykeltrafik", "cyklist", "fortov", "gående", "fodgænger", "kryds",
        "rundkørsel", "signalregul", "asfalt", "belægning", "vintertjeneste", "vintervedligehold",
        "snerydning", "glatførebekæmpelse", "linjeføring", "linieføring", "motorvej", "*stitunnel",
        "tunnel", "*vejtunnel", "bro$", "broen", "mobilitet", "ekspropriation",

    ),
    "06": (
        "spildevand", "*spildevandsplan", "kloak", "regnvand", "regnvandsbassin", "vandløb",
        "vandplan", "vandråd", "vandhandleplan", "vandområdeplan", "indsatsprogram",
        "klimatilpasning", "*oversvømmelse", "skybrud", "*afvanding", "*renseanlæg", "nedsivning",
        "separatkloak", "vandafledning", "udledning",
    ),
    "07": (
        "*affald", "affaldsplan", "*affaldsregulativ", "renovation", "*renovationsgebyr", "genbrug",
        "genanvendelse", "genbrugsplads", "deponi", "*affaldsindsamling", "miljøcenter", "forbrænding",
        "dagrenovation", "storskrald", "*affaldssortering",
    ),
    "08": (
        "havn", "*havnene", "lystbådehavn", "kaj$", "lufthavn", "færge",
    ),
    "09": (
        "miljøtilsyn", "miljøgodkendelse",
        "jordforurening", "forurening", "*forurenet", "pcb", "støj", "luftforurening", "rotte",
        "*rottebekæmpelse", "skadedyr", "måge", "husdyrbrug", "miljøstyrelse", "miljøbeskyttelse",
        "landbrug", "virksomhedstilsyn", "lugtgene", "partikelforurening",
    ),
    "13": (
        "vandforsyning", "*vandforsyningsplan", "drikkevand", "grundvand", "*indsatsplan", "vandværk",
        "boring", "fjernvarme", "*varmeforsyning", "varmeplan", "varmepumpe", "*kedel", "flis", "halmkedel",
        "overskudsvarme", "naturgas", "*projektforslag", "*elforsyning", "vindmølle",
        "*ve-anlæg", "vedvarende energi", "solcelle", "biogas", "energiforsyning", "kollektiv trafik",
        "busdrift", "bus$", "busser", "buslinje", "midttrafik", "movia", "flextur",
        "jernbane", "letbane",
        "byggemodning", "forsyning", "*forsyningsselskab", "batteribank", "batterilager",
        "fjernvarmeforsyning", "metro", "letbane", "*busfremkommelighed",
    ),
    "14": (
        "beredskab", "brandvæsen", "brandstation", "brandsyn", "redningsberedskab",
        "risikobaseret dimensionering", "brandhane",
    ),
    "15": (
        "beskæftigelse", "jobcent", "ledig", "kontanthjælp", "aktivering", "fleksjob", "ressourceforløb",
        "arbejdsmarked", "virksomhedspraktik", "løntilskud", "integration af flygtning",
    ),
    "17": (
        "folkeskole", "skolen$", "skole$", "skoler$", "skolerne", "elev", "undervisning", "sfo",
        "skolefritidsordning", "skoledistrikt", "skolestruktur", "valgfag", "skolebus", "skolebefordring",
        "befordring af elev", "specialundervisning", "indskoling",
    ),
    "18": (
        "ungdomsskole", "folkeoplysning", "aftenskole", "folkeoplysningsudvalg", "foreningsliv",
        "lokaletilskud",
    ),
    "19": (
        "museum", "museer", "arkiv", "lokalhistori",
    ),
    "20": (
        "kultur", "teater", "*teatersal", "musikskole", "kunst", "forsamlingshus", "kulturhus", "koncert",
        "festival", "spillested", "kulturpolitik",
    ),
    "21": (
        "bibliotek",
    ),
    "22": (
        "udeservering", "torvehandel", "street food", "bevilling til udskænkning", "alkoholbevilling",
        "taxa",
    ),
    "23": (
        "borgerservice", "folkeregister", "navneændring", "pas$", "vielse",
    ),
    "24": (
        "erhvervsråd", "erhvervsudvikling", "erhvervsservice", "turisme", "*turisme", "vækst",
        "iværksætter", "erhvervspolitik", "lag$", "leader", "erhvervsfremme", "detailhandelsforening",
        "partnerskabsaftale", "erhvervsgrunde", "erhvervsliv", "erhvervsvenlig",
    ),
    "25": (
        "ejendomsskat", "grundskyld", "dækningsafgift", "skatteprocent", "udskrivningsprocent",
    ),
    "27": (
        "socialpsykiatri", "handicap", "*handicappolitik", "hjemløs", "hellested", "socialt udsat",
        "udsatte", "magtanvendelse", "misbrug", "rammeaftale", "botilbud", "forsorgshjem", "ældrepleje",
        "hjemmepleje", "plejehjem", "plejebolig", "anbringelse", "børn og unge med", "servicelov",
        "værested", "ældreråd", "aflastning", "negativ social kontrol",
        "æresrelateret",
    ),
    "28": (
        "dagtilbud", "daginstitution", "dagpleje", "vuggestue", "børnehave", "pasningsgaranti",
        "dagsinstitution", "hjemmepasning", "pasning af egne børn",
    ),
    "29": (
        "sundhed", "*sundhedspolitik", "forebyggelse", "tandpleje", "genoptræning", "sundhedspleje",
        "rygning", "røgfri", "psykiatri", "hospital", "sygehus", "sundhedshus", "alkoholbehandling",
        "*alkoholbehandling", "stofmisbrugsbehandling", "rygestop",
    ),
    "32": (
        "pension", "boligydelse", "sygedagpenge", "førtidspension", "enkeltydelse",
    ),
    "54": (
        "gymnasi", "hf", "erhvervsskole", "ungdomsuddannelse", "eud", "uddannelsesvejledning",
    ),
    "81": (
        "ansættelse", "direktør", "medarbejder", "personale", "*personalepolitik", "løn$", "lønforhold",
        "rekruttering", "jobprofil", "kommunalt ansat",
    ),
    "82": (
        "kommunale ejendomme", "kommunal ejendom", "kommunens ejendom", "kommunens grund", "grundsalg",
        "*grundsalg", "salg af grund", "salgspris", "tilbagekøbsklausul", "hjemfald", "frikøb",
        "administrationsbygning", "rådhus", "lejemål", "udvendig vedligehold",
        "bygningsvedligehold", "toiletbygning", "kommunalt ejede arealer",
        "ejendomsadministration", "arealudvikling", "pcb-renovering",
    ),
    "83": (
        "køretøjer", "maskinpark", "inventar",
    ),
    "84": (
        "valg til", "folketingsvalg", "kommunalvalg", "valgstyrer", "afstemningssted",
    ),
    "85": (
        "it-system", "digitalisering", "*digital", "selvbetjening", "hjemmeside", "høringsportal", "esdh",
        "it-udstyr", "it-arbejdsplads", "it-løsning", "it-platform", "it-sikkerhed", "edagsorden", "mødesystem",
        "sagsbehandlingssystem", "kombit", "first agenda",
    ),
    "87": (
        "arbejdsmiljø", "apv", "arbejdsulykke", "trivselsmåling",
    ),
    "88": (
        "udbud$", "*udbudsstrategi", "indkøb", "*indkøbsaftale", "licitation", "rengøring",
    ),
}
# fmt: on

# Weights: the title says what an item is about; the body mentions much else.
TITLE_WEIGHT = 3.0
DECISION_WEIGHT = 1.0
BODY_WEIGHT = 0.6
KLE_TERM_WEIGHT = 1.2  # a municipality's own subject words count a little more than ours

# A committee name only nudges: Teknik og Miljø makes 01/05/06/07/09/13 a little
# likelier, never enough to decide alone (it stays below MIN_SCORE).
COMMITTEE_PRIOR_WEIGHT = 0.4
COMMITTEE_PRIORS: dict[str, tuple[str, ...]] = {
    "teknik": ("01", "02", "05", "06", "07", "09", "13"),
    "miljø": ("01", "06", "07", "09"),
    "plan": ("01", "02"),
    "byg": ("02", "01"),
    "børn": ("17", "28"),
    "skole": ("17",),
    "undervisning": ("17",),
    "social": ("27",),
    "sundhed": ("29", "27"),
    "ældre": ("27",),
    "kultur": ("20", "18", "04"),
    "fritid": ("04", "18"),
    "beskæftigelse": ("15", "32"),
    "arbejdsmarked": ("15",),
    "erhverv": ("24",),
    "økonomi": ("00",),
    "beredskab": ("14",),
}

MIN_SCORE = 2.0  # below this the text has not said enough: "Uden emne"
MIN_SHARE = 0.34  # the best group must hold this share of all evidence
SECOND_TOPIC_RATIO = 0.6  # further groups within this ratio of the best are kept too
MAX_TOPICS = 3


# No PyStemmer cache: every word is stemmed once here and remembered by the callers, and its
# 10,000-word cache, full, made stemming new words about 10 times slower.
_STEMMER = Stemmer.Stemmer("danish", 0)

# Words of our keyword notation; the item's own words come from the analysis tokeniser.
_NOTATION_WORDS = re.compile(r"[\w§]+(?:[-/][\w]+)*")
# The analysis's words without the signs it reads as words ("%", "§"): the classifier and its
# keywords were made on words alone (``_without_signs`` for the shared token ids).
_TOKEN_WORDS = re.compile(PLAIN_WORD_PATTERN)
_CACHE_LIMIT = 500_000

TermMode = Literal["exact", "prefix", "suffix", "inside"]


@dataclass(frozen=True)
class Term:
    """One keyword or KLE subject phrase as a sequence of word tests over an item's words.

    Each word of the phrase is matched against one folded word of the item:
    ``exact`` (the whole word), ``prefix`` (the word starts with it), ``suffix``
    (ends with it) or ``inside`` (contains it); the words of a phrase follow each other.
    """

    group: str
    words: tuple[str, ...]
    modes: tuple[TermMode, ...]
    title_only: bool = False
    source: TopicSource = "text"
    kle_number: str | None = None
    notation: str = ""


def keyword_term(notation: str, group: str) -> Term | None:
    """One of our keyword notations ("lokalplan", "*affald", "vej$", "^eventuelt$") as a Term."""
    title_only = notation.startswith("^")
    core = notation.lstrip("^")
    inside = core.startswith("*")
    whole = core.endswith("$")
    words = tuple(_NOTATION_WORDS.findall(fold(normalise_word(core.strip("*$")).casefold())))
    if not words:
        return None
    modes: list[TermMode] = []
    for j in range(len(words)):
        first, last = j == 0, j == len(words) - 1
        if first and last:
            modes.append(("suffix" if whole else "inside") if inside else ("exact" if whole else "prefix"))
        elif first:
            modes.append("suffix" if inside else "exact")
        elif last:
            modes.append("exact" if whole else "prefix")
        else:
            modes.append("exact")
    return Term(group, words, tuple(modes), title_only, "text", None, notation)


def kle_term(phrase: str, group: str, number: str | None = None) -> Term | None:
    """A KLE title or subject word as a Term: each word stemmed, then prefix-matched."""
    cleaned = re.sub(r"\b(?:i almindelighed|i alm\.?|generelt|mv\.?|m\.v\.|m\.m\.|og lignende)", " ", phrase.casefold())
    words = [w for w in re.findall(r"\w+", cleaned) if w not in _GENERIC_KLE_WORDS]
    if not words or (len(words) == 1 and len(words[0]) < 5):
        return None
    stems = tuple(fold(_STEMMER.stemWord(w)) for w in words)
    modes: tuple[TermMode, ...] = tuple("prefix" for _ in stems)
    return Term(group, stems, modes, False, "kle-file", number, phrase)


def _word_matches(mode: TermMode, part: str, word: str) -> bool:
    if mode == "exact":
        return word == part
    if mode == "prefix":
        return word.startswith(part)
    if mode == "suffix":
        return word.endswith(part)
    return part in word


@dataclass
class _TermTable:
    """A term table as arrays: per term its group's column and whether it is title-only; per
    folded word of the vocabulary the terms it starts (``hit_terms[hit_starts[w]:][:hit_sizes[w]]``)
    and whether one of them is a phrase (in a title; elsewhere, where title-only terms do not count)."""

    generation: int
    groups: list[str]
    group_of: np.ndarray
    title_only: np.ndarray
    words: int = 0
    hit_sizes: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    hit_starts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    hit_terms: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    phrase_word: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), dtype=bool))  # in a title, elsewhere


@dataclass
class _PhraseSlots:
    """The tests of the phrases' second and later words: ``slot_of[term, j]`` numbers the test
    (mode, word) of the term's word ``j`` (-1: none), ``tests[slot]`` is it; per term its number
    of words, and whether a later word is exactly "vej" (its count leaves out "på vej")."""

    width: int
    length: np.ndarray
    slot_of: np.ndarray
    tests: list[tuple[TermMode, str]]
    idiom_terms: np.ndarray
    exact_words: list[tuple[str, ...]]  # per term: its later words of mode "exact"
    has_exact: np.ndarray  # per term: it has such words


class TermMatcher:
    """Counts the terms in a list of words in one pass.

    A word is tested against the whole table once, the first time it is seen
    (exact words and prefixes by dictionary lookup, the few suffix and inside
    terms by scanning); after that a word costs one dictionary lookup, so an
    item's cost grows with its length, not with the size of the table.
    """

    def __init__(self, terms: list[Term]) -> None:
        self.terms = terms
        self._exact: dict[str, list[int]] = {}
        self._prefix: dict[str, list[int]] = {}
        self._scan: list[tuple[TermMode, str, int]] = []
        for index, term in enumerate(terms):
            mode, word = term.modes[0], term.words[0]
            if mode == "exact":
                self._exact.setdefault(word, []).append(index)
            elif mode == "prefix":
                self._prefix.setdefault(word, []).append(index)
            else:
                self._scan.append((mode, word, index))
        # Prefix lengths by the first two letters: a word is looked up only at lengths some
        # prefix starting like it has.
        lengths: dict[str, set[int]] = {}
        for prefix in self._prefix:
            if len(prefix) > 1:
                lengths.setdefault(prefix[:2], set()).add(len(prefix))
        self._prefix_lengths = {start: sorted(n) for start, n in lengths.items()}
        # Suffix and inside terms are tested one by one only for a word holding one of them
        # somewhere: one regex search keeps a new word's cost from growing with their number.
        parts = sorted({re.escape(word) for _, word, _ in self._scan}, key=len, reverse=True)
        self._scan_any = re.compile("|".join(parts)) if parts else None
        self._cache: dict[str, tuple[int, ...]] = {}
        self._hits: tuple[int, list[tuple[int, ...]], _Column] | None = None
        self._table: _TermTable | None = None
        self._slots: _PhraseSlots | None = None
        self._slot_cache: tuple[int, dict[int, bool]] | None = None

    def starting_at(self, word: str) -> tuple[int, ...]:
        """Terms whose first word matches ``word``."""
        hit = self._cache.get(word)
        if hit is None:
            if len(self._cache) > _CACHE_LIMIT:
                self._cache.clear()
            hit = self._cache[word] = self._first_word_of(word)
        return hit

    def _first_word_of(self, word: str) -> tuple[int, ...]:
        found = list(self._exact.get(word, ()))
        found += self._prefix.get(word[:1], ())  # one-letter prefixes (a KLE word such as "A-kasse")
        for k in self._prefix_lengths.get(word[:2], ()):
            if k > len(word):
                break
            found += self._prefix.get(word[:k], ())
        if self._scan_any is not None and self._scan_any.search(word):
            found += [i for mode, part, i in self._scan if _word_matches(mode, part, word)]
        return tuple(sorted(found))

    def count(self, part: Part, title: bool = True) -> dict[int, int]:
        """Term index → occurrences in the part: one lookup per distinct word; only a word
        that starts a phrase has its positions looked at, and only when the phrase's other
        whole words occur in the part at all.  Title-only terms are skipped outside titles."""
        counts: dict[int, int] = {}
        terms = self.terms
        present = part.counts
        cache = self._cache
        for word, n in present.items():
            hits = cache.get(word)
            if hits is None:
                hits = self.starting_at(word)
            for index in hits:
                term = terms[index]
                if term.title_only and not title:
                    continue
                if len(term.words) > 1:
                    if any(
                        m == "exact" and w not in present for m, w in zip(term.modes[1:], term.words[1:], strict=True)
                    ):
                        continue
                    n = part.phrase_count(term, word)
                    if not n:
                        continue
                counts[index] = counts.get(index, 0) + n
        return counts

    def _term_table(self) -> _TermTable:
        """The terms and the hit lists of the vocabulary's folded words as arrays (for
        ``TokenBatch.keyword_totals``), rebuilt when the hit lists grew."""
        hits, _ = self._hit_table()
        table = self._table
        if table is None or table.generation != _VOCABULARY.generation or table.words != len(hits):
            if table is None or table.generation != _VOCABULARY.generation:
                groups = sorted({t.group for t in self.terms})
                column = {g: i for i, g in enumerate(groups)}
                table = _TermTable(
                    generation=_VOCABULARY.generation,
                    groups=groups,
                    group_of=np.asarray([column[t.group] for t in self.terms], dtype=np.int64),
                    title_only=np.asarray([t.title_only for t in self.terms], dtype=bool),
                )
            # Only the words added since: their hit lists appended.
            new = hits[table.words :]
            sizes = np.fromiter(map(len, new), dtype=np.int64, count=len(new))
            flat = np.fromiter((i for found in new for i in found), dtype=np.int64, count=int(sizes.sum()))
            starts = len(table.hit_terms) + np.cumsum(sizes) - sizes
            # A word starts a phrase (in a title; elsewhere: one not title-only) when any of its terms is one.
            phrase = np.asarray([len(t.words) > 1 for t in self.terms], dtype=bool)
            phrase_words = np.zeros((len(new), 2), dtype=bool)
            with_terms = sizes > 0
            if with_terms.any():
                at = (starts - len(table.hit_terms))[with_terms]
                phrase_words[with_terms, 0] = np.maximum.reduceat(phrase[flat], at)
                phrase_words[with_terms, 1] = np.maximum.reduceat(phrase[flat] & ~table.title_only[flat], at)
            table.words = len(hits)
            table.hit_sizes = np.concatenate([table.hit_sizes, sizes])
            table.hit_starts = np.concatenate([table.hit_starts, starts])
            table.hit_terms = np.concatenate([table.hit_terms, flat])
            table.phrase_word = np.concatenate([table.phrase_word, phrase_words])
            self._table = table
        return table

    def _phrase_slots(self) -> _PhraseSlots:
        """The word tests of the phrases' second and later words, numbered (see ``_PhraseSlots``)."""
        if self._slots is None:
            width = max((len(t.words) for t in self.terms), default=1)
            numbers: dict[tuple[TermMode, str], int] = {}
            slot_of = np.full((len(self.terms), width), -1, dtype=np.int64)
            for index, term in enumerate(self.terms):
                for j in range(1, len(term.words)):
                    slot_of[index, j] = numbers.setdefault((term.modes[j], term.words[j]), len(numbers))
            exact_words = [
                tuple(w for m, w in zip(t.modes[1:], t.words[1:], strict=True) if m == "exact") for t in self.terms
            ]
            self._slots = _PhraseSlots(
                width=width,
                length=np.asarray([len(t.words) for t in self.terms], dtype=np.int64),
                slot_of=slot_of,
                tests=list(numbers),
                idiom_terms=np.asarray(
                    [
                        any(m == "exact" and w == "vej" for m, w in zip(t.modes[1:], t.words[1:], strict=True))
                        for t in self.terms
                    ],
                    dtype=bool,
                ),
                exact_words=exact_words,
                has_exact=np.asarray([bool(words) for words in exact_words], dtype=bool),
            )
        return self._slots

    def _slot_matches(self, slots: np.ndarray, word_ids: np.ndarray) -> np.ndarray:
        """Per (slot, folded-word id): does the word pass the slot's test (``_word_matches``)?
        Each pair is tested once per vocabulary generation."""
        tests = self._phrase_slots().tests
        cache = self._slot_cache
        if cache is None or cache[0] != _VOCABULARY.generation:
            cache = self._slot_cache = (_VOCABULARY.generation, {})
        known = cache[1]
        keys = word_ids.astype(np.int64) * len(tests) + slots
        unique, inverse = np.unique(keys, return_inverse=True)
        names = _VOCABULARY.folded
        answers = []
        for key in unique.tolist():
            answer = known.get(key)
            if answer is None:
                word, slot = divmod(key, len(tests))
                mode, part = tests[slot]
                answer = known[key] = _word_matches(mode, part, names[word])
            answers.append(answer)
        return np.asarray(answers, dtype=bool)[inverse]

    def _hit_table(self) -> tuple[list[tuple[int, ...]], np.ndarray]:
        """Per folded-word id of the vocabulary: the terms starting at it (``starting_at``) and
        whether there are any, filled for the words added since the last call."""
        vocabulary = _VOCABULARY
        table = self._hits
        if table is None or table[0] != vocabulary.generation:
            table = self._hits = (vocabulary.generation, [], _Column(np.bool_))
        _, hits, flags = table
        for folded_id in range(len(hits), len(vocabulary.folded)):
            found = self._first_word_of(vocabulary.folded[folded_id])
            hits.append(found)
            flags.append(bool(found))
        return hits, flags.array


class _WordInfo(dict[str, tuple[str, str | None]]):
    """Surface word → (folded word, Snowball stem or None for a stop word or number), filled on
    first sight.  Snowball alone (C, a microsecond a word): the indexer's lemmatising analysis
    runs in the writer processes and would be paid twice here."""

    def __missing__(self, raw: str) -> tuple[str, str | None]:
        if len(self) > _CACHE_LIMIT:
            self.clear()
        lower = normalise_word(raw).casefold()
        stem = None if lower in DANISH_STOP_WORDS or lower.isdigit() else fold(_STEMMER.stemWord(lower))
        info = self[raw] = (fold(lower), stem)
        return info


_WORDS = _WordInfo()


@dataclass
class Part:
    """One part of an item (title, body or decision): its words counted once, by C code."""

    raw: list[str]
    counts: dict[str, int]  # folded word → occurrences
    stems: dict[str, int]  # Danish stem → occurrences
    _words: list[str] | None = None

    @classmethod
    def of(cls, text: str) -> Part:
        raw = _TOKEN_WORDS.findall(text or "")
        counts: dict[str, int] = {}
        stems: dict[str, int] = {}
        info = _WORDS
        for word, n in Counter(raw).items():
            folded, stem = info[word]
            counts[folded] = counts.get(folded, 0) + n
            if stem:
                stems[stem] = stems.get(stem, 0) + n
        part = cls(raw, counts, stems)
        # "på vej" (under way, "sager på vej") is an idiom, not a road.
        if "vej" in counts and "paa" in counts:
            idiom = part.phrase_count(_IDIOM, "paa")
            if idiom:
                counts["vej"] -= idiom
                if not counts["vej"]:
                    del counts["vej"]
        return part

    def words(self) -> list[str]:
        if self._words is None:
            self._words = [_WORDS[raw][0] for raw in self.raw]
        return self._words

    def positions(self, word: str) -> list[int]:
        """Where a folded word occurs."""
        words = self.words()
        return [i for i, w in enumerate(words) if w == word]

    def phrase_count(self, term: Term, first: str) -> int:
        """Occurrences of a phrase term whose first word matched the folded word ``first``."""
        words = self.words()
        found = 0
        for position in self.positions(first):
            if all(
                position + j < len(words) and _word_matches(term.modes[j], term.words[j], words[position + j])
                for j in range(1, len(term.words))
            ):
                found += 1
        return found


_IDIOM = Term("", ("paa", "vej"), ("exact", "exact"))


def _counted(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(keys, return_counts=True)``, by one sort."""
    if not len(keys):
        return keys, np.zeros(0, dtype=np.int64)
    keys = np.sort(keys)
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    return keys[starts], np.diff(np.append(starts, len(keys)))


def _add_by_item(totals: np.ndarray, items: np.ndarray, rows: np.ndarray) -> None:
    """``totals[item] += row`` for rows sorted by item (one ``reduceat`` for the whole batch)."""
    if not len(items):
        return
    starts = np.flatnonzero(np.concatenate(([True], items[1:] != items[:-1])))
    totals[items[starts]] += np.add.reduceat(rows, starts, axis=0)


def _present(folded: np.ndarray, word: str, idioms: int) -> bool:
    """The folded word occurs among the ids (the "vej" of ``idioms`` "på vej" not counted)."""
    vocabulary = _VOCABULARY
    folded_id = vocabulary.folded_ids.get(word)
    if folded_id is None:
        return False
    found = int(np.count_nonzero(folded == folded_id))
    return found - (idioms if word == "vej" else 0) > 0


def _phrase_count(term: Term, first: int, folded: np.ndarray) -> int:
    """``Part.phrase_count`` over folded-word ids."""
    names = _VOCABULARY.folded
    length = len(folded)
    found = 0
    for position in np.flatnonzero(folded == first).tolist():
        if all(
            position + j < length and _word_matches(term.modes[j], term.words[j], names[folded[position + j]])
            for j in range(1, len(term.words))
        ):
            found += 1
    return found


def folded_words(text: str) -> list[str]:
    """The text's words as the analysis tokenises them, lower-cased, normalised as the search compares
    words (``normalise_word``: NFKC, the signs a reader does not see taken out) and æ/ø/å folded."""
    return [_WORDS[raw][0] for raw in _TOKEN_WORDS.findall(text or "")]


# --------------------------------------------------------------------------
# The token path: an item's words as ids in one process-wide vocabulary
#
# ``Part``/``ItemWords`` (above) are the reference: the model is trained on them.  At ingest the
# same evidence and scores come from token ids: the item's texts as word ids from the ingest
# tokens (``indexer.analysis.tokens``, which the bulk writer reads too, so ingest tokenises a
# line once for both); each distinct surface word is folded, stemmed and looked up in the term
# tables and the model once per process; an item is then numpy over the id arrays.


class _Column:
    """A numpy array indexed by word id, appended to one id at a time (into a list) and
    brought up to date in bulk when read."""

    def __init__(self, dtype: Any) -> None:
        self._array = np.zeros(0, dtype=dtype)
        self._pending: list[Any] = []

    def __len__(self) -> int:
        return len(self._array) + len(self._pending)

    def append(self, value: Any) -> None:
        self._pending.append(value)

    def extend(self, values: list[Any]) -> None:
        self._pending += values

    @property
    def array(self) -> np.ndarray:
        if self._pending:
            self._array = np.concatenate((self._array, np.asarray(self._pending, dtype=self._array.dtype)))
            self._pending = []
        return self._array


class _Vocabulary:
    """Per surface-word id of the ingest tokens (``indexer.analysis.tokens``): its folded word
    and Danish stem, as ids of their own (the same folding and stemming as ``_WordInfo``),
    filled for the words added since the last ``sync``.  Tables keyed by these ids (term hits,
    model rows) remember the ``generation`` they were filled in: this starts over when the
    token vocabulary does."""

    def __init__(self) -> None:
        self.generation = 0
        self._tokens_generation = -1
        self.reset()

    def reset(self) -> None:
        self.folded_ids: dict[str, int] = {}
        self.folded: list[str] = []
        self.stem_ids: dict[str, int] = {}
        self.stems: list[str] = []
        self.fold_of = _Column(np.int32)
        self.stem_of = _Column(np.int32)
        self.kle_shaped = _Column(np.bool_)  # the word may hold a KLE number (``_holds_kle_number``)
        self.generation += 1

    def sync(self) -> None:
        """Fold and stem the surface words the token vocabulary gained since the last call."""
        words = tokens.VOCABULARY
        if words.generation != self._tokens_generation:
            self.reset()
            self._tokens_generation = words.generation
        if len(self.fold_of) < len(words.words):
            self.add(words.words[len(self.fold_of) :])

    def add(self, new: list[str]) -> None:
        """The next surface words' folded words and stems: one list pass per step and Snowball
        over the whole list."""
        # ASCII needs no normalising and no folding (the folds are of non-ASCII letters).
        lowers = [w.lower() if w.isascii() else normalise_word(w).casefold() for w in new]
        stemmed = [w for w in lowers if w not in DANISH_STOP_WORDS and not w.isdigit()]
        stem_of = dict(zip(stemmed, _STEMMER.stemWords(stemmed), strict=True))
        folded = [w if w.isascii() else fold(w) for w in lowers]
        stems = [stem_of.get(w) or None for w in lowers]
        stems = [w if w is None or w.isascii() else fold(w) for w in stems]
        self.kle_shaped.extend(["." in w and _holds_kle_number(w) for w in new])
        self.fold_of.extend(self._ids(self.folded_ids, self.folded, folded))
        self.stem_of.extend(self._ids(self.stem_ids, self.stems, stems))

    @staticmethod
    def _ids(ids: dict[str, int], names: list[str], new: Sequence[str | None]) -> list[int]:
        """The ids of names (None: -1), the new ones numbered on from ``names`` in order."""
        unseen = [name for name in dict.fromkeys(new) if name is not None and name not in ids]
        ids.update(zip(unseen, range(len(names), len(names) + len(unseen)), strict=True))
        names += unseen
        return [-1 if name is None else ids[name] for name in new]


_VOCABULARY = _Vocabulary()


def _without_signs(ids: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The ingest tokens (``tokens.many_word_ids``: all ids, words per text) less the signs the
    analysis reads as words, as ``_TOKEN_WORDS`` tokenises."""
    signs = [found for sign in SIGN_WORDS if (found := dict.get(tokens.VOCABULARY, sign)) is not None]
    if not signs:
        return ids, lengths
    keep = ~np.isin(ids, signs)
    if keep.all():
        return ids, lengths
    texts = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
    return ids[keep], np.bincount(texts[keep], minlength=len(lengths)).astype(lengths.dtype)


@dataclass
class TokenBatch:
    """Items' title, body and decision as token ids in one array: part ``p`` (0 title, 1 body,
    2 decision) of item ``i`` is segment ``3 * i + p``.  Valid until the next batch is made
    (the vocabulary may start over there)."""

    surface: np.ndarray  # surface-word id per token (``indexer.analysis.tokens``)
    folded: np.ndarray  # folded-word id per token
    stems: np.ndarray  # stem id per token, -1 for a stop word or number
    segments: np.ndarray  # segment per token
    starts: np.ndarray  # first token of each segment, and the end
    items: int
    owner: np.ndarray  # item per token (int32)
    title: np.ndarray  # per token: it is in a title

    @classmethod
    def of_texts(cls, texts: list[tuple[str, str, str]]) -> TokenBatch:
        ids, lengths = _without_signs(*tokens.many_word_ids([text for parts in texts for text in parts]))
        vocabulary = _VOCABULARY
        vocabulary.sync()
        starts = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=starts[1:])
        segments = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
        # Items and titles by repeating per segment, not by dividing the segment of each token.
        owner = np.repeat(np.arange(len(texts), dtype=np.int32), lengths.reshape(-1, 3).sum(axis=1))
        title = np.repeat(np.tile(np.asarray([True, False, False]), len(texts)), lengths)
        return cls(
            ids,
            vocabulary.fold_of.array[ids],
            vocabulary.stem_of.array[ids],
            segments,
            starts,
            len(texts),
            owner,
            title,
        )

    def _hit_pairs(self, matcher: TermMatcher) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[int, int]]:
        """The (segment, folded word) pairs whose word starts a term, with their occurrences:
        one ``unique`` over the whole batch; and the "på vej" idioms per segment."""
        return self._hit_tokens(matcher)[:4]

    def _hit_tokens(
        self, matcher: TermMatcher
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[int, int], np.ndarray, np.ndarray]:
        """``_hit_pairs``, and the tokens whose word starts a term: positions and pair keys
        (``segment * width + folded word``, ``width`` the folded vocabulary's size)."""
        _, flags = matcher._hit_table()
        vocabulary = _VOCABULARY
        folded, segments = self.folded, self.segments
        width = max(len(vocabulary.folded), 1)
        # Only tokens whose word starts a term are counted (a few in a hundred).
        at_hits = np.flatnonzero(flags[folded])
        hit_keys = segments[at_hits] * width + folded[at_hits]
        keys, occurrences = np.unique(hit_keys, return_counts=True)
        # "på vej" (under way) is an idiom, not a road: as in ``Part.of``.
        idioms: dict[int, int] = {}
        paa, vej = vocabulary.folded_ids.get("paa"), vocabulary.folded_ids.get("vej")
        if paa is not None and vej is not None and len(folded) > 1:
            at = np.flatnonzero((folded[:-1] == paa) & (folded[1:] == vej) & (segments[:-1] == segments[1:]))
            if len(at):
                where, times = np.unique(segments[at], return_counts=True)
                idioms = dict(zip(where.tolist(), times.tolist(), strict=True))
                if flags[vej]:
                    occurrences[np.searchsorted(keys, where * width + vej)] -= times
        chosen = np.flatnonzero(occurrences > 0)
        pair_segments, pair_words = np.divmod(keys[chosen], width)
        return pair_segments, pair_words, occurrences[chosen], idioms, at_hits, hit_keys

    def _pair_terms(
        self, terms: list[Term], hits: list[tuple[int, ...]], segment: int, word: int, n: int, idioms: dict[int, int]
    ) -> list[tuple[int, int]]:
        """(term, count) for one (segment, word) pair: the loop of ``TermMatcher.count``, term by
        term in the same order (a phrase's count carries over to the terms after it, as there)."""
        title = segment % 3 == 0
        out: list[tuple[int, int]] = []
        words: np.ndarray | None = None
        for index in hits[word]:
            term = terms[index]
            if term.title_only and not title:
                continue
            if len(term.words) > 1:
                if words is None:
                    words = self.folded[self.starts[segment] : self.starts[segment + 1]]
                if any(
                    m == "exact" and not _present(words, w, idioms.get(segment, 0))
                    for m, w in zip(term.modes[1:], term.words[1:], strict=True)
                ):
                    continue
                n = _phrase_count(term, word, words)
                if not n:
                    continue
            out.append((index, n))
        return out

    def _phrase_pairs(
        self,
        matcher: TermMatcher,
        segments: np.ndarray,
        words: np.ndarray,
        occurrences: np.ndarray,
        idioms: dict[int, int],
        at_hits: np.ndarray,
        hit_keys: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(segment, term, count) of ``_pair_terms`` for pairs whose word starts a phrase, as
        arrays: each pair's terms in order; each phrase's words checked at every occurrence of
        its first word, one word of the phrase at a time over all of them; a phrase's count
        carried over to the terms after it in its pair, as ``_pair_terms`` does."""
        table = matcher._term_table()
        slots = matcher._phrase_slots()
        folded = self.folded
        width = max(len(_VOCABULARY.folded), 1)
        # Each pair's terms in order, without title-only terms outside titles.
        sizes = table.hit_sizes[words]
        pair_of = np.repeat(np.arange(len(words)), sizes)
        first = np.cumsum(sizes) - sizes
        term = table.hit_terms[np.repeat(table.hit_starts[words], sizes) + np.arange(len(pair_of)) - first[pair_of]]
        keep = ~(table.title_only[term] & (segments[pair_of] % 3 != 0))
        pair_of, term = pair_of[keep], term[keep]
        length = slots.length[term]
        phrase = np.flatnonzero(length > 1)
        # The tokens of each pair (the pairs' keys are sorted), grouped by pair.
        keys = segments * width + words
        found_at = np.minimum(np.searchsorted(keys, hit_keys), max(len(keys) - 1, 0))
        mine = np.flatnonzero(keys[found_at] == hit_keys) if len(keys) else np.zeros(0, dtype=np.int64)
        token_pair = found_at[mine]
        order = np.argsort(token_pair, kind="stable")
        token_at = at_hits[mine][order]
        per_pair = np.bincount(token_pair, minlength=len(words))
        pair_start = np.cumsum(per_pair) - per_pair
        # Every (phrase row, occurrence of its first word): the phrase's other words in turn.
        row_pair = pair_of[phrase]
        times = per_pair[row_pair]
        candidate_row = np.repeat(np.arange(len(phrase)), times)
        offsets = np.arange(len(candidate_row)) - np.repeat(np.cumsum(times) - times, times)
        position = token_at[np.repeat(pair_start[row_pair], times) + offsets]
        candidate_term = term[phrase][candidate_row]
        end = self.starts[segments[row_pair][candidate_row] + 1]
        matched = np.ones(len(candidate_row), dtype=bool)
        for j in range(1, slots.width):
            active = np.flatnonzero(matched & (slots.length[candidate_term] > j))
            if not len(active):
                break
            follows = position[active] + j
            inside = follows < end[active]
            word_ids = folded[np.minimum(follows, len(folded) - 1)]
            matched[active] = inside & matcher._slot_matches(slots.slot_of[candidate_term[active], j], word_ids)
        counts = np.zeros(len(term), dtype=np.int64)
        counts[phrase] = np.bincount(candidate_row[matched], minlength=len(phrase))
        # A phrase is tried only when its later whole words occur in the part at all (``_present``):
        # so when it is found.  Tried and not found, it still sets the count the one-word terms
        # after it take (0); only for these is the part looked at, and for phrases with "vej",
        # whose count leaves out "på vej".
        rows = np.arange(len(term))
        tried = counts > 0
        later_single = np.zeros(len(words), dtype=np.int64) - 1
        single = np.flatnonzero(length == 1)
        np.maximum.at(later_single, pair_of[single], single)
        check = (length > 1) & ((~tried & (rows < later_single[pair_of])) | slots.idiom_terms[term])
        tried |= check & ~slots.has_exact[term]  # no whole word to look for: always tried
        for row in np.flatnonzero(check & slots.has_exact[term]).tolist():
            at = int(segments[pair_of[row]])
            part = folded[self.starts[at] : self.starts[at + 1]]
            found = slots.exact_words[int(term[row])]
            tried[row] = all(_present(part, w, idioms.get(at, 0)) for w in found)
        # A one-word term takes the count of the last phrase before it in its pair that was
        # tried (0 included), else the pair's occurrences; a phrase not found is left out.
        counted = tried & (counts > 0)
        last = np.maximum.accumulate(np.where(tried, rows, -1)) if len(rows) else rows
        pair_first = np.searchsorted(pair_of, pair_of)
        value = np.where(last >= pair_first, counts[np.maximum(last, 0)], occurrences[pair_of])
        emitted = np.flatnonzero(counted | (length == 1))
        return segments[pair_of[emitted]], term[emitted], value[emitted]

    def term_counts(self, matcher: TermMatcher) -> list[tuple[dict[int, int], dict[int, int], dict[int, int]]]:
        """Per item, ``matcher.count`` of its title, body and decision: one ``unique`` over the
        whole batch, then Python only for the few (part, word) pairs whose word starts a term."""
        pair_segments, pair_words, occurrences, idioms = self._hit_pairs(matcher)
        hits, _ = matcher._hit_table()
        counted: list[tuple[dict[int, int], dict[int, int], dict[int, int]]] = [({}, {}, {}) for _ in range(self.items)]
        for segment, word, n in zip(pair_segments.tolist(), pair_words.tolist(), occurrences.tolist(), strict=True):
            counts = counted[segment // 3][segment % 3]
            for index, found in self._pair_terms(matcher.terms, hits, segment, word, n, idioms):
                counts[index] = counts.get(index, 0) + found
        return counted

    def keyword_totals(self, matcher: TermMatcher) -> np.ndarray:
        """Per item and group of ``matcher.groups``, the evidence ``_weigh`` totals from the term
        counts (no committee prior): the same sums, as arrays over the whole batch.  Only pairs
        whose word starts a phrase go through ``_pair_terms`` one by one."""
        table = matcher._term_table()
        pair_segments, pair_words, occurrences, idioms, at_hits, hit_keys = self._hit_tokens(matcher)
        # Pairs of words that start only one-word terms: every term they start, at once.
        simple = ~table.phrase_word[pair_words, (pair_segments % 3 != 0).astype(np.int64)]
        segments, words, counts = pair_segments[simple], pair_words[simple], occurrences[simple]
        sizes = table.hit_sizes[words]
        pair_of = np.repeat(np.arange(len(words)), sizes)
        first = np.cumsum(sizes) - sizes
        term = table.hit_terms[np.repeat(table.hit_starts[words], sizes) + np.arange(len(pair_of)) - first[pair_of]]
        segment, n = segments[pair_of], counts[pair_of]
        keep = ~(table.title_only[term] & (segment % 3 != 0))
        segment, term, n = segment[keep], term[keep], n[keep]
        if not simple.all():
            extra = self._phrase_pairs(
                matcher, pair_segments[~simple], pair_words[~simple], occurrences[~simple], idioms, at_hits, hit_keys
            )
            segment = np.concatenate([segment, extra[0]])
            term = np.concatenate([term, extra[1]])
            n = np.concatenate([n, extra[2]])
        # Counts per (segment, term), then per (item, term) the title, body and decision counts.
        n_terms = len(matcher.terms)
        keys, where = np.unique(segment * n_terms + term, return_inverse=True)
        summed = np.bincount(where, weights=n, minlength=len(keys)).astype(np.int64)
        segment, term = np.divmod(keys, n_terms)
        items, inverse = np.unique((segment // 3) * n_terms + term, return_inverse=True)
        parts = np.zeros((len(items), 3), dtype=np.int64)
        parts[inverse, segment % 3] = summed
        item, term = np.divmod(items, n_terms)
        # ``_weigh``'s value of each term, in its order: title, then decision, then body.
        value = TITLE_WEIGHT * np.minimum(parts[:, 0], 2)
        scored = ~table.title_only[term]
        value = value + np.where(scored, DECISION_WEIGHT * np.log1p(parts[:, 2]), 0.0)
        value = value + np.where(scored, BODY_WEIGHT * np.log1p(parts[:, 1]), 0.0)
        width = len(table.groups)
        totals = np.bincount(item * width + table.group_of[term], weights=value, minlength=self.items * width)
        return totals.reshape(self.items, width)


_GENERIC_KLE_TEXT = (
    "og i af til for med fra om på den det de en et at eller samt andre anden andet øvrige kommunens "
    "kommunale kommunal kommune kommuner almindelighed alm sager sag opgaver forhold"
)
_GENERIC_KLE_WORDS = frozenset(_GENERIC_KLE_TEXT.split())


# --------------------------------------------------------------------------
# KLE files: the municipality's own subject words


@dataclass
class KleTerms:
    """Titles and subject words per KLE number, read from a KLE-Emneplan XML file."""

    published: str | None = None
    titles: dict[str, str] = field(default_factory=dict)  # "05", "05.01", "05.01.08" → title
    keywords: dict[str, list[str]] = field(default_factory=dict)  # same keys → stikord
    discontinued: list[str] = field(default_factory=list)

    def main_group_terms(self) -> dict[str, list[tuple[str, str]]]:
        """Per main group: (KLE number, phrase) for every title and subject word below it."""
        terms: dict[str, list[tuple[str, str]]] = {}
        for code in sorted(set(self.titles) | set(self.keywords)):
            if code in self.discontinued:
                continue
            phrases = self.keywords.get(code, [])
            # Main-group titles are too broad to match on; finer titles are subject words.
            if "." in code and code in self.titles:
                phrases = [self.titles[code], *phrases]
            for phrase in phrases:
                terms.setdefault(code[:2], []).append((code, phrase))
        return terms

    def title_of(self, code: str) -> str | None:
        return self.titles.get(code)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(json.dumps(asdict(self), ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> KleTerms:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            published=data.get("published"),
            titles=dict(data.get("titles", {})),
            keywords={k: list(v) for k, v in data.get("keywords", {}).items()},
            discontinued=list(data.get("discontinued", [])),
        )


def kle_terms_path(index_dir: Path | str) -> Path:
    """Where the loaded KLE terms live: beside the index, never in the repository."""
    return Path(index_dir) / KLE_TERMS_FILE


def load_kle_terms(index_dir: Path | str) -> KleTerms | None:
    """The KLE terms saved beside an index, or None when none were loaded."""
    path = kle_terms_path(index_dir)
    return KleTerms.load(path) if path.is_file() else None


def save_kle_terms(terms: KleTerms, index_dir: Path | str) -> Path:
    path = kle_terms_path(index_dir)
    terms.save(path)
    return path


def load_kle_file(path: Path | str) -> KleTerms:
    """Read a KLE-Emneplan XML file (Hovedgruppe → Gruppe → Emne) into KleTerms.

    Tolerant of namespaces and of how subject words are wrapped: every text
    inside a *Stikord element counts, split on semicolons and line breaks.
    """
    from lxml import etree

    from indexer.formats import FormatError

    path = Path(path)
    try:
        tree = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))
    except (OSError, etree.XMLSyntaxError) as exc:
        raise FormatError(path, f"not a readable KLE XML file ({exc})") from exc
    root = tree.getroot()
    if _local(root.tag) != "KLE-Emneplan":
        raise FormatError(path, f"root element is {_local(root.tag)}, not KLE-Emneplan")

    terms = KleTerms(published=root.get("UdgivelsesDato"))
    levels = {"Hovedgruppe": "Hovedgruppe", "Gruppe": "Gruppe", "Emne": "Emne"}
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        level = levels.get(_local(element.tag))
        if level is None:
            continue
        number = _child_text(element, f"{level}Nr")
        if not number or not re.fullmatch(r"\d{2}(?:\.\d{2}){0,2}", number):
            continue
        title = _child_text(element, f"{level}Titel")
        if title:
            terms.titles[number] = title
        words: list[str] = []
        for child in element:
            if isinstance(child.tag, str) and _local(child.tag).endswith("Stikord"):
                for text in child.itertext():
                    words += [w.strip() for w in re.split(r"[;\n]", text) if w.strip()]
        if words:
            terms.keywords[number] = list(dict.fromkeys(words))
        if _is_discontinued(element, level):
            terms.discontinued.append(number)
    if not terms.titles:
        raise FormatError(path, "no KLE groups found")
    return terms


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child_text(element: object, name: str) -> str:
    for child in element:  # type: ignore[attr-defined]
        if isinstance(child.tag, str) and _local(child.tag) == name:
            return " ".join("".join(child.itertext()).split())
    return ""


def _is_discontinued(element: object, level: str) -> bool:
    for child in element:  # type: ignore[attr-defined]
        if isinstance(child.tag, str) and _local(child.tag) == f"{level}AdministrativInfo":
            for info in child.iter():
                if isinstance(info.tag, str) and _local(info.tag) in ("UdgaaetDato", "Udgaaet"):
                    return True
    return False


# --------------------------------------------------------------------------
# The classifier

# gzip-compressed (2.1 MB of JSON, 0.4 MB in the file); ``model_text`` reads it for a diff.
MODEL_FILE = Path(__file__).parent / "resources" / "topics-model.json.gz"
# Items scored together: numpy's per-call cost shared out, the per-token arrays (and the model
# rows gathered for every distinct stem of every item) kept to some tens of megabytes.
BATCH_ITEMS = 512
CACHE_ITEMS = 8  # items whose model rows are gathered and summed together (a few hundred kilobytes)
MODEL_MIN_WEIGHT = 0.02  # smaller weights move a probability by less than the rounding


def item_texts(item: Item) -> tuple[str, str, str]:
    """The texts the classifier reads: title, body and decision."""
    # Only open sections count: a topic must not be derived from closed text.
    sections = [s for s in item.sections if s.access == Access.OPEN]
    body = [s.text for s in sections if s.kind in (SectionKind.BODY, SectionKind.RECOMMENDATION)]
    decision = [s.text for s in sections if s.kind == SectionKind.DECISION]
    decision += [d.text for d in item.decisions]
    title = item.title
    if not title.strip() and decision:
        # An untitled item is best summed up by the first lines of its decision.
        title = " ".join(decision[0].split())[:240]
    return title, "\n".join(body), "\n".join(decision)


@dataclass
class ItemWords:
    """An item's words as the classifier reads them, from one pass of the analysis tokeniser:
    folded words per part (for the keyword table) and Danish stems (for the learned model)."""

    title: Part
    body: Part
    decision: Part

    @classmethod
    def of(cls, item: Item) -> ItemWords:
        return cls.of_texts(*item_texts(item))

    @classmethod
    def of_texts(cls, title: str, body: str, decision: str) -> ItemWords:
        return cls(Part.of(title), Part.of(body), Part.of(decision))


def model_features(words: ItemWords, committee: str, keyword_scores: dict[str, float] | None) -> dict[str, float]:
    """The learned model's input: word stems (sublinear counts), title stems, committee stems,
    unit length together; and, when the model was trained with them, the keyword table's
    evidence per group."""
    counts: dict[str, int] = {}
    for part in (words.title, words.body, words.decision):
        for stem, n in part.stems.items():
            counts[stem] = counts.get(stem, 0) + n
    features = {"w:" + stem: 1.0 + math.log(n) for stem, n in counts.items()}
    for stem in words.title.stems:
        features["t:" + stem] = 1.0
    for stem in Part.of(committee).stems:
        features["c:" + stem] = 1.0
    norm = math.sqrt(sum(v * v for v in features.values())) or 1.0
    features = {k: v / norm for k, v in features.items()}
    for group, score in (keyword_scores or {}).items():
        features["k:" + group] = math.log1p(score) / 2
    return features


@dataclass
class TopicModel:
    """A linear model over ``model_features``: one weight per (feature, main group)."""

    classes: list[str]  # main-group codes; "" is the no-subject class
    features: dict[str, int]
    weights: np.ndarray  # (features, classes)
    intercept: np.ndarray  # (classes,)
    threshold: float  # below this probability the item gets no topic
    uses_keywords: bool  # the keyword evidence per group as features ("k:"), a weight per class each
    trained_on: dict[str, object] = field(default_factory=dict)
    # The keyword evidence once more, with one weight for every group: a group's logit gains
    # ``keyword_weight * log1p(evidence)``.  Learned weights per group only know the groups the
    # training labels show often; a shared one gives a seldom-labelled group (Beskæftigelse in
    # minutes of technical committees) its evidence all the same.
    keyword_weight: float = 0.0

    @property
    def reads_keywords(self) -> bool:
        """Whether scoring needs the keyword table's evidence."""
        return self.uses_keywords or self.keyword_weight > 0

    def _shared_keyword_logits(self, keyword_scores: dict[str, float] | None) -> np.ndarray | None:
        if not self.keyword_weight or not keyword_scores:
            return None
        column = self._indexes()["classes"]
        shared = np.zeros(len(self.classes), dtype=np.float64)
        for group, value in keyword_scores.items():
            at = column.get(group)
            if at is not None:
                shared[at] = self.keyword_weight * math.log1p(value)
        return shared

    def probabilities(self, features: dict[str, float], keyword_scores: dict[str, float] | None = None) -> np.ndarray:
        """The model's probability per class; ``keyword_scores`` (the keyword table's totals)
        feed the shared keyword weight."""
        index = self.features
        rows = [(index[k], v) for k, v in features.items() if k in index]
        if not any(k.startswith(("w:", "t:", "k:")) for k in features if k in index) and not any(
            (keyword_scores or {}).values()
        ):
            return self._without_evidence()
        logits = self.intercept.copy()
        if rows:
            ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
            values = np.fromiter((r[1] for r in rows), dtype=np.float32, count=len(rows))
            logits += values @ self.weights[ids]
        shared = self._shared_keyword_logits(keyword_scores)
        if shared is not None:
            logits = logits + shared
        logits -= logits.max()
        exp = np.exp(logits)
        return np.asarray(exp / exp.sum())

    def _without_evidence(self) -> np.ndarray:
        """The probabilities of an item whose text holds no word the model knows and no keyword:
        all on "no subject" — the class priors (and a committee's) name no topic on their own."""
        found = np.zeros(len(self.classes), dtype=np.float64)
        found[self._indexes()["classes"].get("", 0)] = 1.0
        return found

    def score(self, words: ItemWords, committee: str, keyword_scores: dict[str, float] | None) -> np.ndarray:
        """``probabilities(model_features(...))`` without building the feature dictionary: the
        item's stems are looked up in per-kind indexes and summed with numpy (the tests hold
        the two equal)."""
        indexes = self._indexes()
        counts: dict[str, int] = dict(words.title.stems)
        for part in (words.body, words.decision):
            for stem, n in part.stems.items():
                counts[stem] = counts.get(stem, 0) + n
        committee_stems = indexes["committees"].get(committee)
        if committee_stems is None:
            committee_stems = indexes["committees"][committee] = list(Part.of(committee).stems)
        values = 1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))
        norm = math.sqrt(float(values @ values) + len(words.title.stems) + len(committee_stems)) or 1.0
        logits = self.intercept.astype(np.float64)
        rows = np.fromiter(map(indexes["w:"].get, counts, repeat(-1)), dtype=np.int64, count=len(counts))
        known = rows >= 0
        evidence = bool(known.any()) or any((keyword_scores or {}).values())
        if known.any():
            logits += (values[known] / norm) @ self.weights[rows[known]]
        for kind, stems in (("t:", words.title.stems), ("c:", committee_stems)):
            found = [r for r in map(indexes[kind].get, stems, repeat(-1)) if r >= 0]
            if found:
                logits += self.weights[found].sum(axis=0) / norm
                evidence = evidence or kind == "t:"
        if not evidence:
            return self._without_evidence()
        for group, value in (keyword_scores or {}).items():
            row = indexes["k:"].get(group, -1)
            if row >= 0:
                logits += (math.log1p(value) / 2) * self.weights[row]
        shared = self._shared_keyword_logits(keyword_scores)
        if shared is not None:
            logits += shared
        logits -= logits.max()
        exp = np.exp(logits)
        return np.asarray(exp / exp.sum())

    def score_batch(
        self, batch: TokenBatch, committees: list[str], keyword_scores: tuple[list[str], np.ndarray] | None
    ) -> np.ndarray:
        """``score`` of every item of a batch at once, (items, classes): the same features,
        gathered from the token arrays and summed per item with numpy (the tests hold the two
        equal)."""
        items = batch.items
        indexes = self._indexes()
        word_rows, title_rows = self._stem_rows()
        width = max(len(_VOCABULARY.stems), 1)
        # (item, stem) keys; 32 bits when they fit: the sort behind ``unique`` takes half the time.
        owner = batch.owner if items * width < 2**31 else batch.owner.astype(np.int64)
        kept = batch.stems >= 0
        keys, occurrences = _counted(owner[kept] * width + batch.stems[kept])
        word_items, word_stems = np.divmod(keys, width)
        values = 1.0 + np.log(occurrences)
        in_title = kept & batch.title
        title_items, title_stems = np.divmod(np.unique(owner[in_title] * width + batch.stems[in_title]), width)
        # Each of the batch's committees once: its number of stems and summed rows.
        committee_rows = {c: self._committee_rows(c) for c in dict.fromkeys(committees)}
        squares = np.bincount(word_items, weights=values * values, minlength=items)
        squares += np.bincount(title_items, minlength=items)
        squares += np.fromiter((committee_rows[c][0] for c in committees), dtype=np.float64, count=items)
        norm = np.sqrt(squares)
        norm[norm == 0] = 1.0
        logits = np.tile(self.intercept.astype(np.float64), (items, 1))
        # The float32 weights as float64: what numpy makes of them when multiplied by a float64.
        weights = self.__dict__.get("_weights64")
        if weights is None:
            weights = self.__dict__["_weights64"] = self.weights.astype(np.float64)
        rows = word_rows[word_stems]
        known = rows >= 0
        evidence = np.bincount(word_items[known], minlength=items) > 0
        rows, word_items, values = rows[known], word_items[known], values[known] / norm[word_items[known]]
        # A few items at a time: the gathered rows stay in the processor's cache until summed.
        bounds = np.searchsorted(word_items, np.arange(0, items + CACHE_ITEMS, CACHE_ITEMS))
        for start, end in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
            if end > start:
                gathered = weights[rows[start:end]]
                gathered *= values[start:end, None]
                _add_by_item(logits, word_items[start:end], gathered)
        rows = title_rows[title_stems]
        known = rows >= 0
        evidence[title_items[known]] = True
        gathered = weights[rows[known]]
        gathered /= norm[title_items[known]][:, None]
        _add_by_item(logits, title_items[known], gathered)
        known_committees = {c: summed for c, (_, summed) in committee_rows.items() if summed is not None}
        if known_committees:
            number = {c: k for k, c in enumerate(known_committees)}
            summed_rows = np.stack(list(known_committees.values()))
            of_item = np.fromiter(map(number.get, committees, repeat(-1)), dtype=np.int64, count=items)
            at = np.flatnonzero(of_item >= 0)
            logits[at] += summed_rows[of_item[at]] / norm[at][:, None]
        if keyword_scores is not None:
            # As ``score`` adds them: the scalar times the float32 row, in float32.
            groups, totals = keyword_scores
            evidence |= (totals > 0).any(axis=1)
            coefficients = (np.log1p(totals) / 2).astype(np.float32)
            for column, group in enumerate(groups):
                row = indexes["k:"].get(group, -1)
                if row >= 0 and coefficients[:, column].any():
                    logits += coefficients[:, column, None] * self.weights[row]
            if self.keyword_weight:
                # As ``_shared_keyword_logits`` adds them, column by column.
                class_of: dict[str, int] = self._indexes()["classes"]
                for column, group in enumerate(groups):
                    if group in class_of:
                        logits[:, class_of[group]] += self.keyword_weight * np.log1p(totals[:, column])
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        found = np.asarray(exp / exp.sum(axis=1, keepdims=True))
        if not evidence.all():
            found[~evidence] = self._without_evidence()
        return found

    def _committee_rows(self, committee: str) -> tuple[int, np.ndarray | None]:
        """A committee's number of stems and the sum of its stems' weights (None: none known)."""
        cache = self._indexes()["committee rows"]
        found = cache.get(committee)
        if found is None:
            stems = list(Part.of(committee).stems)
            rows = [r for r in map(self._indexes()["c:"].get, stems, repeat(-1)) if r >= 0]
            found = cache[committee] = (len(stems), self.weights[rows].sum(axis=0) if rows else None)
        return found  # type: ignore[no-any-return]

    def _stem_rows(self) -> tuple[np.ndarray, np.ndarray]:
        """Per stem id of the vocabulary: the model's row for it as a word and as a title word
        (-1: not in the model), filled for the stems added since the last call."""
        vocabulary = _VOCABULARY
        table = self.__dict__.get("_stem_row_cache")
        if table is None or table[0] != vocabulary.generation:
            table = self.__dict__["_stem_row_cache"] = (vocabulary.generation, _Column(np.int64), _Column(np.int64))
        _, words, titles = table
        if len(words) < len(vocabulary.stems):
            indexes = self._indexes()
            for stem in vocabulary.stems[len(words) :]:
                words.append(indexes["w:"].get(stem, -1))
                titles.append(indexes["t:"].get(stem, -1))
        return words.array, titles.array

    def _indexes(self) -> dict[str, dict[str, Any]]:
        cached = self.__dict__.get("_index_cache")
        if cached is None:
            cached = {"w:": {}, "t:": {}, "c:": {}, "k:": {}, "committees": {}, "committee rows": {}}
            for name, row in self.features.items():
                cached[name[:2]][name[2:]] = row
            cached["classes"] = {code: at for at, code in enumerate(self.classes)}
            self.__dict__["_index_cache"] = cached
        return cached  # type: ignore[no-any-return]

    def save(self, path: Path) -> None:
        """JSON, sparse: per feature only its weights of at least ``MODEL_MIN_WEIGHT``, rounded to
        two decimals (about a fifth of the weights; small, diffable, reproducible)."""
        names = sorted(self.features, key=self.features.__getitem__)
        weights = {}
        for name in names:
            row = self.weights[self.features[name]]
            kept = {self.classes[c]: round(float(w), 2) for c, w in enumerate(row) if abs(w) >= MODEL_MIN_WEIGHT}
            if kept:
                weights[name] = kept
        data = {
            "classes": self.classes,
            "intercept": [round(float(v), 4) for v in self.intercept],
            "threshold": self.threshold,
            "uses_keywords": self.uses_keywords,
            "keyword_weight": self.keyword_weight,
            "trained_on": self.trained_on,
            "weights": weights,
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
        if path.suffix == ".gz":  # no name or time inside: the same model, the same bytes
            path.write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))
        else:
            path.write_text(text, encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> TopicModel:
        data = json.loads(model_text(path))
        classes = list(data["classes"])
        column = {c: i for i, c in enumerate(classes)}
        names = sorted(data["weights"])
        weights = np.zeros((len(names), len(classes)), dtype=np.float32)
        for row, name in enumerate(names):
            for code, value in data["weights"][name].items():
                weights[row, column[code]] = value
        return cls(
            classes=classes,
            features={name: i for i, name in enumerate(names)},
            weights=weights,
            intercept=np.asarray(data["intercept"], dtype=np.float32),
            threshold=float(data["threshold"]),
            uses_keywords=bool(data["uses_keywords"]),
            trained_on=dict(data.get("trained_on", {})),
            keyword_weight=float(data.get("keyword_weight", 0.0)),
        )


def model_text(path: Path) -> str:
    """A saved model's JSON, whether the file is gzip-compressed (``.gz``) or not."""
    raw = path.read_bytes()
    return (gzip.decompress(raw) if path.suffix == ".gz" else raw).decode("utf-8")


_models: dict[Path, TopicModel | None] = {}


def default_model() -> TopicModel | None:
    """The shipped model (trained by ``benchmarks/train_topics.py``), None when absent."""
    if MODEL_FILE not in _models:
        _models[MODEL_FILE] = TopicModel.load(MODEL_FILE) if MODEL_FILE.is_file() else None
    return _models[MODEL_FILE]


def keyword_terms() -> list[Term]:
    """Our hand keyword table as Terms."""
    terms = []
    for group, notations in KEYWORDS.items():
        for notation in notations:
            term = keyword_term(notation, group)
            if term is not None:
                terms.append(term)
    return terms


@dataclass
class Evidence:
    """What a term table found in an item: score per group and source, the finer KLE number
    behind a group's best subject word, and the groups the title names."""

    scores: dict[str, dict[str, float]] = field(default_factory=dict)
    best_number: dict[str, str] = field(default_factory=dict)
    title_groups: set[str] = field(default_factory=set)

    def totals(self, source: str | None = None) -> dict[str, float]:
        return {
            g: sum(v for s, v in parts.items() if source is None or s == source) for g, parts in self.scores.items()
        }


class TopicClassifier:
    """Classify items: KLE number first, then the municipality's KLE subject words, then the
    learned model (or, without one, our keyword table alone)."""

    def __init__(self, kle_terms: KleTerms | None = None, model: TopicModel | None = None, use_model: bool = True):
        self.kle_terms = kle_terms
        self.model = (model or default_model()) if use_model else None
        self._keywords = TermMatcher(keyword_terms())
        kle: list[Term] = []
        if kle_terms is not None:
            for group, phrases in kle_terms.main_group_terms().items():
                if group in TOPIC_NAMES:
                    kle += [t for number, phrase in phrases if (t := kle_term(phrase, group, number))]
        self._kle = TermMatcher(kle) if kle else None

    def evidence(self, words: ItemWords, committee: str = "", matcher: TermMatcher | None = None) -> Evidence:
        """Term evidence per main group and source (the keyword table by default)."""
        matcher = matcher or self._keywords
        title = matcher.count(words.title)
        body = matcher.count(words.body, title=False)
        decision = matcher.count(words.decision, title=False)
        return self._weigh(matcher, title, body, decision, committee)

    def _weigh(
        self,
        matcher: TermMatcher,
        title: dict[int, int],
        body: dict[int, int],
        decision: dict[int, int],
        committee: str = "",
    ) -> Evidence:
        """Evidence from term counts per part (term index → occurrences)."""
        found = Evidence()
        best: dict[str, tuple[float, str]] = {}
        for index in set(title) | set(body) | set(decision):
            term = matcher.terms[index]
            value = TITLE_WEIGHT * min(title.get(index, 0), 2)
            if value:
                found.title_groups.add(term.group)
            if not term.title_only:
                value += DECISION_WEIGHT * math.log1p(decision.get(index, 0))
                value += BODY_WEIGHT * math.log1p(body.get(index, 0))
            if not value:
                continue
            weight = KLE_TERM_WEIGHT if term.source == "kle-file" else 1.0
            parts = found.scores.setdefault(term.group, {})
            parts[term.source] = parts.get(term.source, 0.0) + weight * value
            if term.kle_number and (value, term.kle_number) > best.get(term.group, (0.0, "")):
                best[term.group] = (value, term.kle_number)
        found.best_number = {g: n for g, (_, n) in best.items()}
        if committee and matcher is self._keywords:
            folded_committee = committee.casefold()
            for stem, groups in COMMITTEE_PRIORS.items():
                if stem in folded_committee:
                    for group in groups:
                        parts = found.scores.setdefault(group, {})
                        parts["prior"] = max(parts.get("prior", 0.0), COMMITTEE_PRIOR_WEIGHT)
        return found

    def classify_words(self, words: ItemWords, committee: str = "") -> list[Topic]:
        """The reference path over ``ItemWords`` (training reads items this way); ``classify``
        takes the token path, which the tests hold to the same topics."""
        if self._kle is not None:
            from_file = self._rank(self.evidence(words, committee, self._kle), "kle-file")
            if from_file:
                return from_file
        if self.model is None:
            return self._rank(self.evidence(words, committee), "text")
        keyword_scores = self.evidence(words).totals() if self.model.reads_keywords else None
        return self._pick(self.model.score(words, committee, keyword_scores))

    def classify_many(self, items: list[tuple[Item, str]], use_case_number: bool = True) -> list[list[Topic]]:
        """``classify`` of many (item, committee) pairs at once: the same topics; the texts are
        read as token ids of one batch and the model scores them all in one go."""
        return [[Topic(**t) for t in topics] for topics in self.classify_many_dicts(items, use_case_number)]

    def classify_many_dicts(
        self, items: list[tuple[Item, str]], use_case_number: bool = True
    ) -> list[list[dict[str, Any]]]:
        """``classify_many`` with each Topic as its plain dict (``vars(topic)``, what the index
        stores): ingest needs no Topic objects."""
        found: list[list[dict[str, Any]] | None] = [None] * len(items)
        for first in range(0, len(items), BATCH_ITEMS):
            self._classify_batch(
                items, list(range(first, min(first + BATCH_ITEMS, len(items)))), found, use_case_number
            )
        return [topics or [] for topics in found]

    def _classify_batch(
        self,
        items: list[tuple[Item, str]],
        todo: list[int],
        found: list[list[dict[str, Any]] | None],
        use_case_number: bool,
    ) -> None:
        """Classify ``items[at]`` for ``at`` in ``todo`` into ``found[at]`` (as dicts): by a KLE
        number, else by their text."""
        batch = TokenBatch.of_texts([item_texts(items[at][0]) for at in todo])
        if use_case_number:
            # Only an item with a word holding a KLE number ("01.05", "85.02.02-G01") in its texts
            # can name one there (the texts ``item_kle_numbers`` reads are among these).
            shaped = _VOCABULARY.kle_shaped.array[batch.surface]
            maybe = np.bincount(batch.owner[shaped], minlength=len(todo)) > 0
            for row, at in enumerate(todo):
                item = items[at][0]
                if maybe[row] or (item.case_number and _KLE_SHAPE.search(item.case_number)):
                    numbers = item_kle_numbers(item)
                    if numbers:
                        found[at] = [dict(vars(self._from_number(numbers[0])))]
        if all(found[at] is not None for at in todo):
            return
        committees = [items[at][1] for at in todo]
        if self._kle is not None:
            for at, committee, counts in zip(todo, committees, batch.term_counts(self._kle), strict=True):
                if found[at] is None:
                    ranked = self._rank(self._weigh(self._kle, *counts, committee), "kle-file")
                    found[at] = [dict(vars(t)) for t in ranked] or None
        if self.model is None:
            keyword_counts = batch.term_counts(self._keywords)
            for at, committee, counts in zip(todo, committees, keyword_counts, strict=True):
                if found[at] is None:
                    found[at] = [
                        dict(vars(t)) for t in self._rank(self._weigh(self._keywords, *counts, committee), "text")
                    ]
            return
        scores = None
        if self.model.reads_keywords:
            scores = (self._keywords._term_table().groups, batch.keyword_totals(self._keywords))
        picked = self._pick_batch(self.model.score_batch(batch, committees, scores))
        for row, at in enumerate(todo):
            if found[at] is None:
                found[at] = picked[row]

    def _pick_batch(self, probabilities: np.ndarray) -> list[list[dict[str, Any]]]:
        """``_pick`` of every row: the conditions as arrays, Python only for the topics kept."""
        assert self.model is not None
        order = np.argsort(-probabilities, axis=1, kind="stable")[:, :MAX_TOPICS]
        top = np.take_along_axis(probabilities, order, axis=1)
        best = top[:, :1]
        subject = np.asarray([bool(code) for code in self.model.classes])[order]
        kept = subject & (top >= SECOND_TOPIC_RATIO * best) & (top >= self.model.threshold)
        kept = np.logical_and.accumulate(kept, axis=1)  # the loop stops at the first one left out
        classes = self.model.classes
        picked: list[list[dict[str, Any]]] = [[] for _ in range(len(probabilities))]
        rows, columns = np.nonzero(kept)
        for row, column, probability in zip(
            rows.tolist(), order[rows, columns].tolist(), top[rows, columns].tolist(), strict=True
        ):
            code = classes[column]
            # ``vars(Topic(...))``, its fields in order.
            picked[row].append(
                {
                    "code": code,
                    "name": TOPIC_NAMES[code],
                    "source": "text",
                    "confidence": round(probability, 3),
                    "detail": None,
                    "detail_name": None,
                }
            )
        return picked

    def _pick(self, probabilities: np.ndarray) -> list[Topic]:
        """The model's topics: the best class when it is a subject and sure enough, then
        further classes close to it."""
        assert self.model is not None
        order = np.argsort(-probabilities, kind="stable")
        best = float(probabilities[order[0]])
        if self.model.classes[order[0]] == "" or best < self.model.threshold:
            return []
        topics: list[Topic] = []
        for column in order[:MAX_TOPICS]:
            code, probability = self.model.classes[column], float(probabilities[column])
            if not code or probability < SECOND_TOPIC_RATIO * best or probability < self.model.threshold:
                break
            topics.append(Topic(code=code, name=TOPIC_NAMES[code], source="text", confidence=round(probability, 3)))
        return topics

    def _rank(self, evidence: Evidence, source: TopicSource) -> list[Topic]:
        """The keyword rule: enough evidence, a clear share of it, further groups close to the best."""
        scores = evidence.scores
        totals = {group: sum(parts.values()) for group, parts in scores.items()}
        found = {group: total for group, total in totals.items() if total - scores[group].get("prior", 0.0) > 0}
        if not found:
            return []
        all_evidence = sum(found.values())
        # On a tie a subject group beats 00: "styrelsesvedtægt for ungdomsskolen" is about the school.
        ranked = sorted(found.items(), key=lambda kv: (-kv[1], kv[0] == "00", kv[0]))
        best_group, best_score = ranked[0]
        # The title alone naming one group is enough, even when the body wanders.
        title_decides = evidence.title_groups == {best_group}
        if best_score < MIN_SCORE or (best_score / all_evidence < MIN_SHARE and not title_decides):
            return []
        topics: list[Topic] = []
        for group, score in ranked[:MAX_TOPICS]:
            if score < SECOND_TOPIC_RATIO * best_score or score < MIN_SCORE:
                break
            # Confidence grows with the amount of evidence and its share of the whole.
            confidence = round((score / all_evidence) * (1 - math.exp(-score / 4)), 3)
            number = evidence.best_number.get(group) if source == "kle-file" else None
            topics.append(
                Topic(
                    code=group,
                    name=TOPIC_NAMES[group],
                    source=source,
                    confidence=confidence,
                    detail=number,
                    detail_name=self.kle_terms.title_of(number) if self.kle_terms and number else None,
                )
            )
        return topics

    def classify(self, item: Item, committee: str = "", use_case_number: bool = True) -> list[Topic]:
        """Topics for one item, best first; [] means "Uden emne"."""
        return self.classify_many([(item, committee)], use_case_number)[0]

    def _from_number(self, number: str) -> Topic:
        main = number[:2]
        detail_name = None
        if self.kle_terms is not None:
            detail_name = self.kle_terms.title_of(number) or self.kle_terms.title_of(number[:5])
        return Topic(
            code=main,
            name=TOPIC_NAMES[main],
            source="case-number",
            confidence=1.0,
            detail=number if len(number) > 2 else None,
            detail_name=detail_name,
        )


_default: dict[str, TopicClassifier] = {}


def set_default_kle_terms(kle_terms: KleTerms | None) -> None:
    """Make ``classify_item`` use these KLE terms (call when opening an index)."""
    _default["classifier"] = TopicClassifier(kle_terms)


def _default_classifier() -> TopicClassifier:
    if "classifier" not in _default:
        _default["classifier"] = TopicClassifier()
    return _default["classifier"]


def classify_item(item: Item, committee: str = "", kle_terms: KleTerms | None = None) -> list[Topic]:
    """Topics for an item, best first; an empty list means "Uden emne".

    A KLE number in the case number or text decides; otherwise the text is
    classified with our keyword lists (and the municipality's KLE subject words
    when ``kle_terms`` is given or set with ``set_default_kle_terms``).
    """
    classifier = _default_classifier() if kle_terms is None else TopicClassifier(kle_terms)
    return classifier.classify(item, committee)


def classify_items(items: list[tuple[Item, str]]) -> list[list[Topic]]:
    """``classify_item`` of many (item, committee) pairs at once (an ingest batch): the same
    topics, the model scored over the whole batch."""
    return _default_classifier().classify_many(items)


def classify_items_as_dicts(items: list[tuple[Item, str]]) -> list[list[dict[str, Any]]]:
    """``classify_items`` with each Topic as its plain dict, the form the index stores."""
    return _default_classifier().classify_many_dicts(items)


def topic_codes(topics: Iterable[Topic]) -> str:
    """Comma-separated main-group codes, the form the index's topic field stores."""
    return ",".join(dict.fromkeys(t.code for t in topics))
