"""The 98 Danish municipalities by their official three-digit code.

Case numbers in many ESDH systems begin with the code ("751-2014-…" is Aarhus,
"710-…" Favrskov, "326-…" Kalundborg), which lets a parser name the
municipality of an item whose text never says it.
"""

from __future__ import annotations

import re
import unicodedata

MUNICIPALITY_CODES: dict[str, str] = {
    "101": "København", "147": "Frederiksberg", "151": "Ballerup", "153": "Brøndby", "155": "Dragør",
    "157": "Gentofte", "159": "Gladsaxe", "161": "Glostrup", "163": "Herlev", "165": "Albertslund",
    "167": "Hvidovre", "169": "Høje-Taastrup", "173": "Lyngby-Taarbæk", "175": "Rødovre", "183": "Ishøj",
    "185": "Tårnby", "187": "Vallensbæk", "190": "Furesø", "201": "Allerød", "210": "Fredensborg",
    "217": "Helsingør", "219": "Hillerød", "223": "Hørsholm", "230": "Rudersdal", "240": "Egedal",
    "250": "Frederikssund", "253": "Greve", "259": "Køge", "260": "Halsnæs", "265": "Roskilde",
    "269": "Solrød", "270": "Gribskov", "306": "Odsherred", "316": "Holbæk", "320": "Faxe",
    "326": "Kalundborg", "329": "Ringsted", "330": "Slagelse", "336": "Stevns", "340": "Sorø",
    "350": "Lejre", "360": "Lolland", "370": "Næstved", "376": "Guldborgsund", "390": "Vordingborg",
    "400": "Bornholm", "410": "Middelfart", "420": "Assens", "430": "Faaborg-Midtfyn", "440": "Kerteminde",
    "450": "Nyborg", "461": "Odense", "479": "Svendborg", "480": "Nordfyns", "482": "Langeland",
    "492": "Ærø", "510": "Haderslev", "530": "Billund", "540": "Sønderborg", "550": "Tønder",
    "561": "Esbjerg", "563": "Fanø", "573": "Varde", "575": "Vejen", "580": "Aabenraa",
    "607": "Fredericia", "615": "Horsens", "621": "Kolding", "630": "Vejle", "657": "Herning",
    "661": "Holstebro", "665": "Lemvig", "671": "Struer", "706": "Syddjurs", "707": "Norddjurs",
    "710": "Favrskov", "727": "Odder", "730": "Randers", "740": "Silkeborg", "741": "Samsø",
    "746": "Skanderborg", "751": "Aarhus", "756": "Ikast-Brande", "760": "Ringkøbing-Skjern",
    "766": "Hedensted", "773": "Morsø", "779": "Skive", "787": "Thisted", "791": "Viborg",
    "810": "Brønderslev", "813": "Frederikshavn", "820": "Vesthimmerlands", "825": "Læsø",
    "840": "Rebild", "846": "Mariagerfjord", "849": "Jammerbugt", "851": "Aalborg", "860": "Hjørring",
}  # fmt: skip

NAMES = frozenset(MUNICIPALITY_CODES.values())


def municipality_name(short: str) -> str:
    """Official name: "Aarhus" → "Aarhus Kommune", "København" → "Københavns Kommune"
    (Bornholm is a regional municipality)."""
    if short == "Bornholm":
        return "Bornholms Regionskommune"
    if short == "København":
        return "Københavns Kommune"
    return f"{short} Kommune"


def _fold(name: str) -> str:
    """Spelling-insensitive key: "Århus", "aarhus", "Høje Taastrup", "hoeje-taastrup" meet."""
    name = unicodedata.normalize("NFC", name).casefold()
    for danish, plain in (("æ", "ae"), ("ø", "oe"), ("å", "aa"), ("é", "e")):
        name = name.replace(danish, plain)
    return re.sub(r"[\s\-–]+", "-", name).strip("-")


_BY_FOLDED = {_fold(short): short for short in NAMES}


def short_name(text: str) -> str | None:
    """The municipality a name typed in any spelling stands for, by its short name: "århus",
    "Aarhus", "høje taastrup", "lyngby-taarbaek", the genitive "favrskovs" → "Favrskov"; None for
    a name of none of the 98."""
    key = _fold(text)
    return next((_BY_FOLDED[c] for c in (key, key.removesuffix("s"), key + "s") if c in _BY_FOLDED), None)


_SUFFIX = re.compile(r"\s+(?:regions)?kommune$", re.IGNORECASE)


def canonical_municipality(name: str | None) -> str:
    """The one spelling a municipality is stored under, since it is part of the meeting id.

    "Ballerup", "ballerup kommune", "Aarhus"/"Århus Kommune", "Lyngby-Taarbaek" (a portal
    slug), "Københavns Kommune" all become the official "<name> Kommune".  A body that
    is not one of the 98 municipalities ("Region Hovedstaden") keeps its own name, tidied.
    """
    cleaned = re.sub(r"\s+", " ", unicodedata.normalize("NFC", name or "")).strip()
    if not cleaned:
        return ""
    short = short_name(_SUFFIX.sub("", cleaned))
    return municipality_name(short) if short else cleaned


_MENTION = re.compile(
    r"\b(" + "|".join(sorted((re.escape(n) for n in NAMES), key=len, reverse=True)) + r")s?\s+"
    r"(?:Kommunes?|Byråd|Kommunalbestyrelse)\b"
)


def mentioned_municipalities(text: str) -> list[str]:
    """Short names of municipalities the text names as such ("Aarhus Byråd", "Favrskov Kommune")."""
    return [m.group(1) for m in _MENTION.finditer(text)]


# A town hall named by its town ("Mødecenter A, Lokale 3 på Ballerup Rådhus", "Aarhus Rådhus, lokale 390").
_TOWN_HALL = re.compile(r"\b(?P<town>[A-ZÆØÅ][\wæøåÆØÅ-]+)\s+Rådhus\b")


def municipality_from_location(location: str | None) -> str:
    """The municipality whose town hall a meeting's place names, as its official name
    ("… på Ballerup Rådhus" → "Ballerup Kommune"), or "": no town hall named, or one whose town
    names none of the 98 (Favrskov's "Hammel Rådhus" says nothing of Favrskov by name)."""
    for match in _TOWN_HALL.finditer(location or ""):
        short = short_name(match.group("town"))
        if short:
            return municipality_name(short)
    return ""
