"""Our query language, parsed once into a small AST that every engine translates.

Syntax (Danish and English operators, upper case only, so "og"/"and" stay words):

- words: ``skole budget`` (all words must match);
- phrases: ``"sociale medier"``;
- ``OG``/``AND``, ``ELLER``/``OR``, ``ANDNOT`` (left to right, binding tighter than a plain
  space: ``a b ELLER c`` is a and (b or c)), ``IKKE``/``NOT`` before a word or group;
- groups in parentheses;
- field prefixes: ``titel:``, ``beslutning:``, ``tekst:``, ``bilag:``, ``udvalg:``
  (analysed text), ``sag:`` (case number), ``emne:`` (KLE topic), ``kommune:``.

An operator with nothing to join (``skole AND``, ``OR skole``) is dropped, never
searched for as a word. Parsing never fails: unbalanced quotes and parentheses
are closed at the end. Rewrites (abbreviations and names of bodies) work on the
AST (see :func:`expand_bodies`), never on the query text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations
from typing import TypeGuard

from indexer import municipalities
from indexer.analysis.bodies import (
    BODY_SYNONYMS,
    KNOWN_BODIES,
    MAX_FULL_NAMES,
    DefinitionTable,
    RouteTable,
    known_abbreviation,
    resolve_abbreviation,
)
from indexer.analysis.compounds import compound_cuts
from indexer.analysis.danish import DANISH_STOP_WORDS, analyse, exact_analyzer, fold, stem_term
from indexer.analysis.lexicon import VOWELS, is_known, is_verb, lemmatise
from indexer.analysis.writtenforms import WRITTEN_FORMS
from indexer.dates import MONTH_NAMES, MONTHS
from indexer.engines.base import case_key
from indexer.model import PART_NAMES

# -- the AST -----------------------------------------------------------------------


@dataclass(frozen=True)
class Word:
    """A word as typed; ``field`` None means every text field. A ``*`` or ``?`` in it is
    a wildcard (``budg*``: every word starting with "budg")."""

    text: str
    field: str | None = None


@dataclass(frozen=True)
class Phrase:
    """Words in this order (the engine analyses them); ``field`` None means every phrase field.
    ``slop`` is how far apart neighbouring words may be (1: next to each other; ``"…"~3``).
    ``quoted``: typed in quotes, so its words stand exactly as far apart as in its text: the
    stemmed fields leave a stop word out but keep its place, so "plan for vandløb" is "plan" and
    "vandløb" with one word between them (any: "plan om vandløb", "planen for vandløbet"; not
    "plan vandløb").  A phrase a rewrite makes (a body's full name, a compound's two words, two
    typed neighbours) is not quoted: one more word may stand between its words (the engines'
    ``LOOSE_GAP``), as its stop words could when they took no place."""

    text: str
    field: str | None = None
    slop: int = 1
    quoted: bool = False


@dataclass(frozen=True)
class Match:
    """An exact, normalised value of a value field (``base.VALUE_FIELDS``)."""

    field: str
    value: str


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    """Everything but ``child`` (inside an And: the others, minus ``child``)."""

    child: Node


@dataclass(frozen=True)
class Prefer:
    """Matches what ``required`` matches; an item that also matches ``optional`` as a whole
    scores the two added, ``optional``'s times ``weight`` (every engine scores it so)."""

    required: Node
    optional: Node
    weight: float = 1.0


@dataclass(frozen=True)
class Scaled:
    """Matches what ``child`` matches, scoring its score times ``factor`` (every engine scores it
    so): the items holding most of the typed words, weighed by the words they lack (``relaxations``)."""

    child: Node
    factor: float


Node = Word | Phrase | Match | And | Or | Not | Prefer | Scaled

# -- parsing -------------------------------------------------------------------------

TEXT_PREFIXES = {
    "titel": "title",
    "overskrift": "title",
    "title": "title",
    "beslutning": "decision",
    "besluttet": "decision",
    "decision": "decision",
    "tekst": "body",
    "sagsfremstilling": "body",
    "body": "body",
    "bilag": "attachments",
    "attachment": "attachments",
    "udvalg": "committee",
    "committee": "committee",
}
VALUE_PREFIXES = {
    "sag": "case",
    "sagsnr": "case",
    "case": "case",
    "emne": "topic",
    "topic": "topic",
    "kommune": "municipality",
    "municipality": "municipality",
}
AND_WORDS = frozenset({"AND", "OG"})
OR_WORDS = frozenset({"OR", "ELLER"})
NOT_WORDS = frozenset({"NOT", "IKKE"})
AND_NOT_WORDS = frozenset({"ANDNOT"})
OPERATORS = AND_WORDS | OR_WORDS | NOT_WORDS | AND_NOT_WORDS
MAX_QUERY = 500

_TOKEN = re.compile(
    r"""
    (?P<lparen>\()
  | (?P<rparen>\))
  | (?:(?P<field>[^\W\d_]+):)?"(?P<phrase>[^"]*)(?:"(?:~(?P<slop>\d{1,2}))?|$)
  | (?P<fieldgroup>[^\W\d_]+):(?=\()
  | (?P<word>[^\s()"]+)
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class _Token:
    kind: str  # "(" ")" "op" "phrase" "word" "field("
    text: str
    field: str | None = None
    slop: int = 1


def _tokens(text: str) -> list[_Token]:
    out: list[_Token] = []
    for match in _TOKEN.finditer(text):
        if match.group("lparen"):
            out.append(_Token("(", "("))
        elif match.group("rparen"):
            out.append(_Token(")", ")"))
        elif match.group("phrase") is not None:
            slop = max(1, int(match.group("slop") or 1))
            out.append(_Token("phrase", match.group("phrase"), match.group("field"), slop))
        elif match.group("fieldgroup"):
            out.append(_Token("field(", "", match.group("fieldgroup")))
        else:
            typed = match.group("word")
            if typed.endswith(":") and _field_of(typed[:-1]):
                continue  # a field with no value ("udvalg:", "titel:"): nothing to search there
            word = _without_end_punctuation(typed)
            if not word:
                continue
            if word in OPERATORS:
                out.append(_Token("op", word))
            elif _SLASH_JOINED.fullmatch(word):
                # words joined by a slash ("drift/anlæg", "skole/dagtilbud"): the words, as the index
                # reads the text's own slash words (each piece a part of the word); a number's or a
                # date's slash ("12/27845", "1/3") stays
                out += [_Token("word", piece) for piece in word.split("/")]
            else:
                out.append(_Token("word", word))
    return out


# A typed word of letters joined by slashes (no field, no wildcard, no digits).
_SLASH_JOINED = re.compile(r"[^\W\d_]+(?:/[^\W\d_]+)+")


def plain_word(node: Node) -> TypeGuard[Word]:
    """A word typed without a field or a wildcard: what the rewrites read as a word of the text."""
    return isinstance(node, Word) and node.field is None and "*" not in node.text and "?" not in node.text


# Punctuation that ends a typed word without being part of it ("folkeskolen?", "budget,").
END_PUNCTUATION = ",.;:!?"


def _without_end_punctuation(word: str) -> str:
    """A word as typed, less the punctuation that ends it.  A question or exclamation mark:
    "folkeskolen?" ends a question ("hvem bestemmer valgfag i folkeskolen?"), where a "?" is no
    one-letter wildcard; one inside a word ("m?de") or after another wildcard ("vind*?") still is.
    A full stop, comma, colon or semicolon after a word of letters and hyphens ("bolig grunde.", from a
    sentence): the analysis drops it anyway, but a rewrite reading the word as typed did not know
    "grunde." (the compound "boliggrunde" was not looked for); an abbreviation's full stop stays
    ("stk.", "gl.": ``WRITTEN_FORMS``; a short word such as "nr." too)."""
    bare = word.rstrip("?!")  # query syntax: a wildcard inside a word, a question's end after it
    if bare != word and "?" not in bare and "*" not in bare:
        word = bare if any(c.isalnum() for c in bare) else ""
    letters = word.rstrip(",.;:")
    if (
        letters != word
        and len(letters) >= MIN_PUNCTUATED_WORD
        and letters.replace("-", "").isalpha()
        and word not in _DOTTED_FORMS
    ):
        return letters
    return word


# Shortest word whose full stop is read as the sentence's, not an abbreviation's ("vedr." is
# "vedr" to the analysis either way).
MIN_PUNCTUATED_WORD = 4
_DOTTED_FORMS = frozenset(form for group in WRITTEN_FORMS for form in group if form.endswith("."))


# Question words: a query typed as a question ("hvem bestemmer valgfag i folkeskolen", "hvornår
# holder byrådet møder") names its subject with the other words.  Snowball's Danish stop words hold
# "hvad", "hvor" and "hvis" but not these, so an item had to write "hvem" to be found, and the items
# holding most of the words were those holding the question word.  Left out of a query of other
# words, as stop words are (the index keeps them: a quoted phrase still finds them).
# So are the modal verbs a question opens with ("må man lægge to lejligheder sammen", "kan
# kommunerne træde ud"), which Snowball's list holds only some forms of (skal, vil, kunne).
QUESTION_WORDS = frozenset(
    {"hvem", "hvilken", "hvilket", "hvilke", "hvornår", "hvordan", "hvorfor", "hvorledes"}
    | {"kan", "må", "bør", "burde"}
)


# The words a question opens with: an interrogative, or a verb first (Danish asks yes or no so:
# "må man bygge …", "skal politikerne …", "er der …").  A keyword query seldom opens so.
QUESTION_OPENERS = QUESTION_WORDS | frozenset(
    {"hvad", "hvor", "hvormed", "skal", "vil", "får", "fik", "er", "var", "har", "havde", "blev", "bliver", "findes"}
)


def is_question(text: str | None) -> bool:
    """Whether a query is typed as a question in the user's own words ("hvor mange penge får
    Rigshospitalet til nyt udstyr"), which its item seldom writes all the words of."""
    text = (text or "").strip()
    words = text.split()
    return len(words) > 1 and (words[0].casefold() in QUESTION_OPENERS or text.endswith("?"))


# Longest word in capitals that may be an abbreviation typed alone ("TMU", "KKR", "ARKAS").
MAX_CAPITALS_ABBREVIATION = 5
_ENGLISH_OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT"})


def caps_lock_off(text: str) -> str:
    """A query typed all in capitals ("BOLIG GRUNDE", "DIREKTØRSTILLING") in lower case, so it is
    read as its words, not as abbreviations that are no word: a query of several words, or of one
    longer than an abbreviation.  "OG", "ELLER" and "IKKE" are its words then (caps lock typed
    them); AND, OR and NOT stay operators.  One word in capitals beside others ("ØU havnene") and
    a short one alone ("TMU") are kept as typed."""
    words = text.split()
    content = [word for word in words if word not in OPERATORS and any(c.isalpha() for c in word)]
    if not content or any(c.isalpha() and not c.isupper() for c in text):
        return text
    if len(content) < 2 and not any(len(word) > MAX_CAPITALS_ABBREVIATION for word in content):
        return text
    return " ".join(word if word in _ENGLISH_OPERATORS else word.lower() for word in words)


def parse(text: str) -> Node | None:
    """The AST of a query, or None for an empty one (list everything)."""
    parser = _Parser(_tokens((text or "")[:MAX_QUERY]))
    return _or_case_number(_without_question_words(parser.query()))


# A case number as municipalities write them ("EMN-2025-008308", "710-2015-6014", "12/27845",
# "00.01.00-A00-1-20"): letters and digits in groups joined by - / or ., two digits at least.
CASE_NUMBER_SHAPE = re.compile(r"(?=(?:\D*\d){2})[^\W_]+(?:[-./][^\W_]+)+")


def _or_case_number(node: Node | None) -> Node | None:
    """A query of one word shaped like a case number (pasted from a letter or a case file) finds the
    items filed under it as well as the text that writes it: the number is seldom in the text."""
    if node is not None and plain_word(node) and CASE_NUMBER_SHAPE.fullmatch(node.text):
        return Or((node, Match("case", case_key(node.text))))
    return node


def _without_question_words(node: Node | None) -> Node | None:
    """A query of words without its question words (``QUESTION_WORDS``), when other words remain."""
    if not isinstance(node, And):
        return node
    kept = tuple(
        c
        for c in node.children
        if not (isinstance(c, Word) and c.field is None and c.text.casefold() in QUESTION_WORDS)
    )
    if len(kept) == len(node.children) or not any(isinstance(c, Word | Phrase) for c in kept):
        return node
    return kept[0] if len(kept) == 1 else And(kept)


class _Parser:
    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.at = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def query(self, field: str | None = None, nested: bool = False) -> Node | None:
        """Clauses joined by plain spaces (AND), up to a closing parenthesis or the end."""
        clauses: list[Node] = []
        while (token := self.peek()) is not None:
            if token.kind == ")":
                if nested:
                    break
                self.take()  # a stray closing parenthesis: ignored
                continue
            clause = self.clause(field)
            if clause is not None:
                clauses.append(clause)
        return _join(And, clauses)

    def clause(self, field: str | None) -> Node | None:
        """Unary terms joined left to right by explicit AND/OR."""
        left = self.unary(field)
        while (token := self.peek()) is not None and token.kind == "op" and token.text not in NOT_WORDS:
            self.take()
            right = self.unary(field)
            if right is None:
                continue  # "skole AND": nothing to join
            if left is None:
                left = right  # "AND skole"
                continue
            if token.text in AND_NOT_WORDS:
                left = _join(And, [left, Not(right)])
            else:
                left = _join(And if token.text in AND_WORDS else Or, [left, right])
        return left

    def unary(self, field: str | None) -> Node | None:
        token = self.peek()
        if token is None or token.kind == ")":
            return None
        if token.kind == "op":
            self.take()
            if token.text in NOT_WORDS:
                child = self.unary(field)
                return Not(child) if child is not None else None
            return None  # a dangling AND/OR
        return self.atom(field)

    def atom(self, field: str | None) -> Node | None:
        token = self.take()
        if token.kind == "(":
            inner = self.query(field, nested=True)
            if self.peek() is not None:
                self.take()  # the closing parenthesis
            return inner
        if token.kind == "field(":
            self.take()  # "("
            inner = self.query(_field_of(token.field) or field, nested=True)
            if self.peek() is not None:
                self.take()
            return inner
        if token.kind == "phrase":
            return _leaf_phrase(token.text, token.field, field, token.slop)
        return _leaf_word(token.text, field)


def _field_of(prefix: str | None) -> str | None:
    if not prefix:
        return None
    key = prefix.casefold()
    return TEXT_PREFIXES.get(key) or VALUE_PREFIXES.get(key)


def _leaf_word(text: str, field: str | None) -> Node | None:
    prefix, sep, value = text.partition(":")
    named = _field_of(prefix) if sep and prefix else None
    if named and value:
        return _value_or_word(named, value)
    if field:
        return _value_or_word(field, text)
    return Word(text)


def _leaf_phrase(text: str, prefix: str | None, field: str | None, slop: int = 1) -> Node | None:
    named = _field_of(prefix) or field
    if prefix and not _field_of(prefix):  # an unknown prefix stays part of the text
        return _join(And, [Word(f"{prefix}:"), _leaf_phrase(text, None, field, slop)])
    if not text.strip():
        return None
    if named is not None and named in VALUE_PREFIXES.values():
        return _value_or_word(named, text)
    return Phrase(text, named, slop, quoted=True)


def _value_or_word(field: str, value: str) -> Node | None:
    if field == "case":
        key = case_key(value)
        return Match("case", key) if key else None
    if field == "topic":
        code = topic_code(value)
        codes = [code] if code else topic_codes(value)
        if len(codes) > 1:
            return Or(tuple(Match("topic", c) for c in codes))
        return Match("topic", codes[0] if codes else value.strip().casefold())
    if field == "municipality":
        return Match("municipality", value.strip())
    return Word(value, field)


def _join(kind: type[And] | type[Or], nodes: Sequence[Node | None]) -> Node | None:
    """``kind`` of the nodes, flattened (a AND (b AND c) is one And); one node alone is itself."""
    flat: list[Node] = []
    for node in nodes:
        if node is None:
            continue
        if isinstance(node, kind):
            flat.extend(node.children)
        else:
            flat.append(node)
    if not flat:
        return None
    return flat[0] if len(flat) == 1 else kind(tuple(flat))


# -- topics --------------------------------------------------------------------------

_TOPIC_NAMES: dict[str, str] | None = None


def topic_code(value: str) -> str | None:
    """The KLE main-group code an ``emne:`` value names: "05", "5", "05.01.08" or "Veje og trafik"."""
    from indexer.topics import TOPIC_NAMES

    value = value.strip()
    digits = re.match(r"^(\d{1,2})(?:\.\d{2})*$", value)
    if digits:
        code = digits.group(1).zfill(2)
        return code if code in TOPIC_NAMES else None
    wanted = fold(value.casefold())
    if len(wanted) < 3:
        return None
    for code, name in TOPIC_NAMES.items():
        if fold(name.casefold()) == wanted:
            return code
    starts = [code for code, name in TOPIC_NAMES.items() if fold(name.casefold()).startswith(wanted)]
    if len(starts) == 1:
        return starts[0]
    holding = topic_codes(value)
    return holding[0] if len(holding) == 1 else None


def topic_codes(value: str) -> list[str]:
    """The main groups an ``emne:`` value names: the one ``topic_code`` names, else every group
    whose name holds the value's words in any form ("trafik": Veje og trafik, Forsyning og
    kollektiv trafik; "skoler": Skole og undervisning)."""
    terms = set(analyse(value))
    return [code for code, name_terms in _topic_terms().items() if terms and terms <= name_terms]


@lru_cache(maxsize=1)
def _topic_terms() -> dict[str, frozenset[str]]:
    from indexer.topics import TOPIC_NAMES

    return {code: frozenset(analyse(name)) for code, name in TOPIC_NAMES.items()}


# -- walking and rewriting ---------------------------------------------------------------


def descend(node: Node, walk: Callable[[Node], Node]) -> Node:
    """``node`` with ``walk`` applied to the children of an Or, Not, Prefer or Scaled; any other node as it
    is.  The rewrites below handle words and And themselves and leave the rest of the tree to this."""
    if isinstance(node, Or):
        return Or(tuple(walk(c) for c in node.children))
    if isinstance(node, Not):
        return Not(walk(node.child))
    if isinstance(node, Prefer):
        return Prefer(walk(node.required), walk(node.optional), node.weight)
    if isinstance(node, Scaled):
        return Scaled(walk(node.child), node.factor)
    return node


def leaves(node: Node | None) -> Iterator[Word | Phrase | Match]:
    """Every leaf, left to right (including those under Not)."""
    if node is None:
        return
    if isinstance(node, Word | Phrase | Match):
        yield node
    elif isinstance(node, And | Or):
        for child in node.children:
            yield from leaves(child)
    elif isinstance(node, Not | Scaled):
        yield from leaves(node.child)
    else:
        yield from leaves(node.required)
        yield from leaves(node.optional)


def transform(node: Node, leaf: Callable[[Word | Phrase | Match], Node]) -> Node:
    """The tree with every leaf replaced by ``leaf(leaf)``."""
    if isinstance(node, Word | Phrase | Match):
        return leaf(node)
    if isinstance(node, And):
        return And(tuple(transform(c, leaf) for c in node.children))
    if isinstance(node, Or):
        return Or(tuple(transform(c, leaf) for c in node.children))
    if isinstance(node, Not):
        return Not(transform(node.child, leaf))
    if isinstance(node, Scaled):
        return Scaled(transform(node.child, leaf), node.factor)
    return Prefer(transform(node.required, leaf), transform(node.optional, leaf), node.weight)


_LOWER_ABBREVIATION = re.compile(r"[^\W\d_]{1,5}(?:-[^\W\d_]{1,4})?")


def abbreviation_like(text: str) -> bool:
    """Whether a word may be a body's abbreviation: in capitals ("TMU", "ØU"), or typed in
    lower case as people search ("tmu", "øu", "tm-u", "kb") when it is no Danish word. A
    lower-case word is one of 2-5 letters that holds a hyphen, has no vowel (every Danish
    word has one: "kb", "kkr"), or that the dictionary does not know ("øu", "tmu"); so
    "by" and "med" stay words."""
    if text.isupper():
        return text not in OPERATORS and text != "TO"
    if not text.islower() or not _LOWER_ABBREVIATION.fullmatch(text):
        return False
    letters = text.replace("-", "")
    if not 2 <= len(letters) <= 5:
        return False
    return "-" in text or not VOWELS.intersection(letters) or not is_known(text)


def body_alternatives(
    word: Word, committees: list[str], routes: RouteTable | None = None
) -> tuple[list[str], list[str], list[tuple[str, str]]]:
    """(other words for the same body, committee names it names, (municipality, committee) pairs
    it names there) for a word that may name a body: an abbreviation in capitals ("TMU", "ØU"),
    a council word ("byrådet" ≡ "kommunalbestyrelsen"), or a short ``udvalg:`` value.  The pairs
    come from what each municipality's own routes use the abbreviation for (``routes``)."""
    text = word.text
    if not re.fullmatch(r"[^\W\d_]+(?:-[^\W\d_]+)*", text):
        return [], [], []
    in_committee = word.field == "committee"
    if word.field not in (None, "committee"):
        return [], [], []
    # "byraadet" (a keyboard without å) is "byrådet"
    typed = fold(text.casefold())
    synonyms = [s for group in BODY_SYNONYMS if typed in {fold(g) for g in group} for s in sorted(group)]
    names: list[str] = []
    abbreviation = (word.field is None and abbreviation_like(text)) or (in_committee and len(text) <= 5)
    if abbreviation:
        names = resolve_abbreviation(text.upper(), committees)
    if synonyms:
        # the bodies the words of the group name ("byrådet" the councils, "magistraten" the
        # Magistrat and the Økonomiudvalg it stands for); none for a person ("borgmester")
        bodies = [b for b in KNOWN_BODIES if any(b.matches(s) for s in synonyms)]
        names += [c for c in committees if any(b.matches(c) for b in bodies)]
    names = [n for n in dict.fromkeys(names) if n in committees]
    others = [s for s in dict.fromkeys(synonyms) if fold(s) != typed]
    learned: list[tuple[str, str]] = []
    if abbreviation and routes:
        key = text.upper().replace("-", "")
        learned = [(m, n) for m in sorted(routes) for n in routes[m].get(key, []) if n not in names]
    return others, names, learned


def _body_node(word: Word, committees: list[str], routes: RouteTable | None = None) -> Node | None:
    """The word, its synonyms and the bodies it names, as one Or; None when it names no body.
    A body learnt from one municipality's routes is that municipality's body alone."""
    others, names, learned = body_alternatives(word, committees, routes)
    if not others and not names and not learned:
        return None
    options: list[Node] = [word, *(Word(s, word.field) for s in others), *(Match("committee", n) for n in names)]
    options += [And((Match("municipality", m), Match("committee", n))) for m, n in learned]
    return Or(tuple(options))


# How much a body abbreviation's clause weighs against the rest of the query ("ØU budget"):
# enough that the body's items come first (its committee match scores alike on all of them),
# each ranked among them by the rest of the query. Chosen on the development queries (1 put
# one answer second; 3, 10 and 100 measured the same) and the contract suite's real rows.
RAISE_WEIGHT = 10.0


def _is_abbreviation(word: Word, committees: list[str], routes: RouteTable | None) -> bool:
    """A free-text abbreviation that names a body ("ØU", "TMU", "øu"): raised, never required."""
    if word.field is not None or not abbreviation_like(word.text):
        return False
    _, names, learned = body_alternatives(word, committees, routes)
    return bool(names or learned)


def names_a_body(node: Node | None) -> bool:
    """Whether a query may name a body by abbreviation (a word in capitals or one typed in lower
    case, see ``abbreviation_like``, or an ``udvalg:`` value): only then are the municipalities'
    route abbreviations needed."""
    return any(
        isinstance(leaf, Word) and (leaf.field == "committee" or (leaf.field is None and abbreviation_like(leaf.text)))
        for leaf in leaves(node)
    )


def expand_bodies(node: Node | None, committees: list[str], routes: RouteTable | None = None) -> Node | None:
    """Let a body be named any way minutes name it: TMU, ØU, KB, byrådet ≡ kommunalbestyrelsen,
    and what each municipality's own routes ("Sagsgang: KUU, ØK") use an abbreviation for.

    A body abbreviation in free text only *raises* that body's items (issue #16): "ØU
    budget" finds every item about the budget and puts the Økonomiudvalget's first, since
    the item may have been decided in the byråd after the committee (``Prefer``, weighted
    ``RAISE_WEIGHT``: every engine scores it as the required part plus the weighted body
    clause where that matches). A query of abbreviations alone searches for the body; an
    ``udvalg:`` value and a council word ("byrådet" ≡ "kommunalbestyrelsen") stay required.
    """
    if node is None:
        return None
    if isinstance(node, Word):
        return _body_node(node, committees, routes) or node
    if isinstance(node, And):
        required: list[Node] = []
        optional: list[Node] = []
        for child in node.children:
            if isinstance(child, Word) and _is_abbreviation(child, committees, routes):
                body = _body_node(child, committees, routes)
                assert body is not None
                optional.append(body)
                continue
            expanded = expand_bodies(child, committees, routes)
            if expanded is not None:
                required.append(expanded)
        if not optional:
            return _join(And, required)
        if not required or all(isinstance(r, Not) for r in required):
            # "ØU" or "ØU IKKE budget": the body is what is asked for.
            return _join(And, [*optional, *required])
        base = _join(And, required)
        assert base is not None
        # The words as typed ("ØU" in a route line) raise as any word does; the bodies they
        # name raise by RAISE_WEIGHT (a common word such as "by" must not weigh ten times).
        clauses = [c for o in optional for c in (o.children if isinstance(o, Or) else (o,))]
        mentions = [c for c in clauses if isinstance(c, Word)]
        bodies = [c for c in clauses if not isinstance(c, Word)]
        raised: Node = Prefer(base, mentions[0] if len(mentions) == 1 else Or(tuple(mentions)))
        return Prefer(raised, bodies[0] if len(bodies) == 1 else Or(tuple(bodies)), RAISE_WEIGHT) if bodies else raised
    if isinstance(node, Or):
        return _join(Or, [expand_bodies(c, committees, routes) for c in node.children])
    if isinstance(node, Not):
        inner = expand_bodies(node.child, committees, routes)
        return Not(inner) if inner is not None else None
    if isinstance(node, Prefer):
        required_node = expand_bodies(node.required, committees, routes)
        optional_node = expand_bodies(node.optional, committees, routes)
        if required_node is None or optional_node is None:
            return required_node or optional_node
        return Prefer(required_node, optional_node, node.weight)
    if isinstance(node, Scaled):
        inner = expand_bodies(node.child, committees, routes)
        return Scaled(inner, node.factor) if inner is not None else None
    return node


# -- abbreviations the minutes define ("Danmarks Naturfredningsforening (DN)") ----------------

# Where a shared definition holds (``shared_definitions``): every municipality.  A key no
# municipality's name can be (a NUL; an item with no municipality is learnt under "").
ANYWHERE = "\x00"


def _committee_like(terms: tuple[str, ...], committees: frozenset[tuple[str, ...]]) -> bool:
    """Whether a full name is a body of the kind a municipality has its own of: one of the index's
    committees, or a name ending in "-udvalg" (Teknik- og Miljøudvalget; TU is a different
    committee in each municipality)."""
    return terms in committees or (bool(terms) and terms[-1].endswith("udvalg"))


def shared_definitions(
    definitions: DefinitionTable | None, routes: RouteTable | None = None, committees: Sequence[str] = ()
) -> DefinitionTable:
    """The definitions table with the definitions that hold in every municipality added under
    ``ANYWHERE``: many abbreviations name national or regional bodies (KKR, DN, OSD) one
    municipality defines and others write without defining.  A definition is shared when

    * every municipality that defines the abbreviation defines it as the same name (each one's
      most written name, read as the index reads it: inflection and case aside) — a conflict
      anywhere shares nothing, and a municipality's own meaning always stands;
    * the abbreviation is no municipality's route abbreviation, no body of the known table (KB,
      ØU …) and no word ("BO" is "bo");
    * the name is no committee (``_committee_like``): committees are each municipality's own.

    Its names are every definer's spellings of that name.  Only open text is ever learnt from,
    so nothing closed is shared."""
    if not definitions:
        return definitions or {}
    route_keys = {key for codes in (routes or {}).values() for key in codes}
    bodies = frozenset(_name_terms(name) for name in committees)
    per_key: dict[str, list[list[str]]] = {}
    for keys in definitions.values():
        for key, names in keys.items():
            if names:
                per_key.setdefault(key, []).append(names)
    shared: dict[str, list[str]] = {}
    for key, meanings in sorted(per_key.items()):
        agreed = {_name_terms(names[0]) for names in meanings}
        if len(agreed) != 1 or key in route_keys or known_abbreviation(key) is not None or not _no_word(key):
            continue
        terms = next(iter(agreed))
        if not terms or _committee_like(terms, bodies):
            continue
        spellings: dict[str, str] = {}
        for names in meanings:
            for name in names:
                if _name_terms(name) == terms:
                    spellings.setdefault(" ".join(name.casefold().split()), name)
        shared[key] = list(spellings.values())[:MAX_FULL_NAMES]
    return {**definitions, ANYWHERE: shared} if shared else definitions


def defined_names(word: Word, definitions: DefinitionTable | None) -> list[tuple[str, str]]:
    """(municipality, full name) for a free-text word that is an abbreviation (``abbreviation_like``:
    "DN", "dn", "tm-u") some municipality's open text defines (``Engine.definition_table``)."""
    if not definitions or word.field is not None or not abbreviation_like(word.text):
        return []
    key = word.text.upper().replace("-", "")
    return [(m, name) for m in sorted(definitions) for name in definitions[m].get(key, [])]


# How much the items writing a defined abbreviation or its full name gain on top of the rest of
# the query (``Prefer``), in a municipality that defines it. Chosen on the development queries'
# abbreviations (MRR / recall / nDCG): kept required as typed, an Or with the full name, 0.963 /
# 0.935 / 0.953; raised by 0.5 or 1, 0.963 / 0.948 / 0.958 ("uuc maglemosen" finds the related
# item naming neither); 2 and 3 put the answer to "kkr rammeaftale" second, 0.950 / 0.948 / 0.948.
DEFINED_RAISE = 1.0


def expand_definitions(node: Node | None, definitions: DefinitionTable | None) -> Node | None:
    """Let an abbreviation also find its full name where the minutes define it: "dn fredning"
    finds the Kalundborg items writing "Danmarks Naturfredningsforening" as well as those
    writing "DN", and one municipality's definition changes no other's search.

    Alone, the abbreviation becomes an Or of itself and, per municipality whose open text
    defines it, the full name as a phrase within that municipality.  Beside other words, in a
    municipality that defines it, it raises (``Prefer``, ``DEFINED_RAISE``) rather than requires,
    as a body's abbreviation does: there it names a thing (an institution, a plan) that items
    may name otherwise ("uuc maglemosen": the item about Maglemosen's roofs names no UUC).
    Elsewhere it stays required as typed (that municipality's items gain the same small
    constant for the municipality match, so the defining municipality is slightly preferred),
    or its name where the definition is shared (``ANYWHERE``, ``shared_definitions``): there the
    name counts as the abbreviation, in what is required and in what raises."""
    if node is None or not definitions:
        return node

    def options(found: Word) -> tuple[Node, Node] | None:
        """(what is required, what raises) for a defined abbreviation; None for any other word."""
        names = defined_names(found, definitions)
        if not names:
            return None
        shared: list[Node] = [Phrase(name) for m, name in names if m == ANYWHERE]
        local = [(m, name) for m, name in names if m != ANYWHERE]
        alternatives: list[Node] = [found, *shared]
        if not shared:  # a shared name is searched everywhere already, its definers included
            alternatives += [And((Match("municipality", m), Phrase(name))) for m, name in local]
        defining = [Match("municipality", m) for m in dict.fromkeys(m for m, _ in local)]
        return Or((found, *shared, *defining)), Or(tuple(alternatives))

    def walk(current: Node) -> Node:
        if isinstance(current, Word):
            alone = options(current)
            return alone[1] if alone else current
        if isinstance(current, And):
            each = [options(c) if isinstance(c, Word) else None for c in current.children]
            rest = [walk(c) for c, f in zip(current.children, each, strict=True) if f is None]
            defined = [f for f in each if f is not None]
            if not defined:
                return And(tuple(rest))
            if all(isinstance(r, Not) for r in rest):
                # "DN" or "DN IKKE fredning": what the abbreviation stands for is what is asked for
                return And(tuple([*(f[1] for f in defined), *rest]))
            required = _join(And, [*rest, *(f[0] for f in defined)])
            raised = _join(Or, [f[1] for f in defined])
            assert required is not None and raised is not None
            return Prefer(required, raised, DEFINED_RAISE)
        return descend(current, walk)

    return walk(node)


def defines_any(node: Node | None) -> bool:
    """Whether a query holds a word that may be an abbreviation (only then are definitions read)."""
    return any(isinstance(leaf, Word) and leaf.field is None and abbreviation_like(leaf.text) for leaf in leaves(node))


# -- a full name typed: also the abbreviation that stands for it ----------------------------------

# A full name's analysed terms → the (municipality, abbreviation key) pairs whose minutes use the
# abbreviation for it: defined in the open text ("Danmarks Naturfredningsforening (DN)") or on the
# routes of a body of that name ("Sagsgang: TM-U").
NameIndex = dict[tuple[str, ...], tuple[tuple[str, str], ...]]


@lru_cache(maxsize=20_000)
def _name_terms(name: str) -> tuple[str, ...]:
    """A name or a typed word as the index reads it (stemmed, folded, stop words out), so
    "ungdomsuddannelsescentret" is the name "Ungdomsuddannelsescenter" and "teknik og
    miljøudvalget" the body "Teknik- og Miljøudvalget"; a slash parts words ("Sagsoverblik/Partskontakt")."""
    return tuple(analyse(name.replace("/", " ")))


def _no_word(key: str) -> bool:
    """An abbreviation that is no word ("TMU", "ØK", "DN"; not "BY", which is the word "by" too)."""
    folded = key.casefold()
    return folded not in DANISH_STOP_WORDS and not is_known(folded)


def full_name_index(definitions: DefinitionTable | None, routes: RouteTable | None = None) -> NameIndex:
    """Every full name the index knows an abbreviation for, by its analysed terms: the names the
    open text defines, and the bodies their routes abbreviate; each per municipality.  An
    abbreviation that is also a word is left out, as its phrase would find the word ("BY" for
    Byrådet is "by"; "BO" is "bo").  A shared definition (``ANYWHERE``) is kept once, for every
    municipality."""
    found: dict[tuple[str, ...], dict[tuple[str, str], None]] = {}
    pairs = [(m, key, name) for m, keys in (definitions or {}).items() for key, names in keys.items() for name in names]
    pairs += [
        (m, code, name) for m, codes in (routes or {}).items() for code, bodies in codes.items() for name in bodies
    ]
    shared = set((definitions or {}).get(ANYWHERE, {}))
    for municipality, key, name in sorted(pairs):
        terms = _name_terms(name)
        if municipality != ANYWHERE and key in shared and key in (definitions or {}).get(municipality, {}):
            continue  # searched everywhere already (``shared_definitions``), its definers included
        if terms and _no_word(key):
            found.setdefault(terms, {})[(municipality, key)] = None
    return {terms: tuple(keys) for terms, keys in found.items()}


def written_forms(key: str) -> list[str]:
    """How a key (capitals, hyphens dropped: "TMU") may be written: as it is, or with one hyphen
    ("TM-U", "T-MU"), as the learnt tables keep keys without the hyphen the minutes write."""
    return [key] + [f"{key[:at]}-{key[at:]}" for at in range(1, len(key))]


def _also_written(found: tuple[tuple[str, str], ...]) -> list[Node]:
    """The abbreviation of a full name, in each municipality that uses it for the name: a phrase
    per written form (the abbreviation rewrites leave a phrase alone; they would read a word as
    a body or a definition again); a shared definition's in every municipality."""
    per_municipality: dict[str, dict[str, None]] = {}
    for municipality, key in found:
        per_municipality.setdefault(municipality, {}).update(dict.fromkeys(written_forms(key)))
    out: list[Node] = []
    for m, forms in per_municipality.items():
        written: Node = Or(tuple(Phrase(f) for f in forms)) if len(forms) > 1 else Phrase(next(iter(forms)))
        out.append(written if m == ANYWHERE else And((Match("municipality", m), written)))
    return out


def expand_full_names(node: Node | None, names: NameIndex | None) -> Node | None:
    """Let a full name typed also find the abbreviation that stands for it (gap 1 of issue #16's
    abbreviations): "danmarks naturfredningsforening kolonihave" finds the Kalundborg item writing
    "DN Kalundborg", as Kalundborg's minutes define DN so; "økonomiudvalget vejføring" the byråd item
    whose route writes "ØK".

    A run of typed words (or a phrase) whose analysed terms are a known full name's, inflection and
    case aside, becomes an Or of the words as typed and the other ways of writing it
    (``_also_written``): nothing found before is lost, and an item writing the name scores for
    its words as before, one writing only the abbreviation for the abbreviation alone.  Runs are
    taken longest first, left to right; a word with a field or a wildcard ends a run."""
    if node is None or not names:
        return node
    longest = max(len(terms) for terms in names)

    def terms_of(child: Node) -> tuple[str, ...] | None:
        # a name's compound typed with a hyphen is the name ("danmarks naturfrednings-forening")
        return _name_terms(_as_minutes_write(child)) if plain_word(child) else None

    def walk(current: Node) -> Node:
        if isinstance(current, Phrase) and current.field is None and current.slop == 1:
            found = names.get(_name_terms(current.text))
            return Or((current, *_also_written(found))) if found else current
        if isinstance(current, Word):
            terms = terms_of(current)
            found = names.get(terms) if terms else None
            return Or((current, *_also_written(found))) if found else current
        if isinstance(current, And):
            children = list(current.children)
            return _rewrite_runs(
                children,
                [terms_of(c) for c in children],
                longest,
                lambda run, _spans: run in names,
                lambda typed, run: Or((_as_typed(typed), *_also_written(names[run]))),
                walk,
            )
        return descend(current, walk)

    return walk(node)


def _as_typed(typed: Sequence[Node]) -> Node:
    return typed[0] if len(typed) == 1 else And(tuple(typed))


def _rewrite_runs(
    children: list[Node],
    keys: list[tuple[str, ...] | None],
    longest: int,
    matches: Callable[[tuple[str, ...], bool], bool],
    rewrite: Callable[[list[Node], tuple[str, ...]], Node],
    walk: Callable[[Node], Node],
) -> Node:
    """An And's ``children`` with each longest run of neighbours whose ``keys`` (their analysed
    terms; None: no word) joined ``matches`` (given the run and whether it spans several children)
    rewritten as ``rewrite(the children typed, the run)``, of at most ``longest`` terms; the other
    children walked.  A full name or a written form typed over several words is matched so."""
    out: list[Node] = []
    at = 0
    for start, end in _matched_runs(keys, longest, matches):
        out += [walk(child) for child in children[at:start]]
        joined = tuple(term for key in keys[start : end + 1] for term in (key or ()))
        out.append(rewrite(children[start : end + 1], joined))
        at = end + 1
    out += [walk(child) for child in children[at:]]
    return out[0] if len(out) == 1 else And(tuple(out))


def _matched_runs(
    keys: list[tuple[str, ...] | None], longest: int, matches: Callable[[tuple[str, ...], bool], bool]
) -> list[tuple[int, int]]:
    """(first, last) of each run ``_rewrite_runs`` rewrites: left to right, the longest from each
    start; a run neither starts nor ends on a key of no terms (a stop word)."""
    spans: list[tuple[int, int]] = []
    at = 0
    while at < len(keys):
        match_end = None
        if keys[at]:
            run: tuple[str, ...] = ()
            for end in range(at, len(keys)):
                key = keys[end]
                if key is None:
                    break
                run += key
                if len(run) > longest:
                    break
                if key and matches(run, end > at):
                    match_end = end
        if match_end is None:
            at += 1
            continue
        spans.append((at, match_end))
        at = match_end + 1
    return spans


# -- a committee named in words ("teknik- og miljøudvalget vindmøller") -------------------------

# Words that say "a body" without naming one: alone, "udvalget" is every committee and "byrådet"
# the council (``expand_bodies`` reads the council words); beside a name they mark it as one
# ("teknisk udvalg", "aarhus byråd").  A compound on one of ``BODY_HEADS`` names a body by its
# modifier: "miljøudvalget" is miljø and such a word, "ældrerådet" ældre and such a word.
BODY_WORDS = ("udvalg", "råd", "byråd", "regionsråd", "kommunalbestyrelse", "bestyrelse")
BODY_HEADS = ("udvalg", "råd")
# In a name's key (``_body_key``): a body word, or the head of a compound on one; "udvalg" has a
# mark of its own (a committee's partial name is one conjunct and "udvalg": ``named_committees``).
BODY_MARK = "\x00"
COMMITTEE_MARK = "\x01"
MARKS = frozenset({BODY_MARK, COMMITTEE_MARK})


@lru_cache(maxsize=1)
def _body_terms() -> frozenset[str]:
    return frozenset(term for word in BODY_WORDS for term in _name_terms(word))


def _mark(term: str) -> str:
    """A body word's or head's mark: ``COMMITTEE_MARK`` for "udvalg", ``BODY_MARK`` for the rest."""
    return COMMITTEE_MARK if term in _name_terms("udvalg") else BODY_MARK


@lru_cache(maxsize=20_000)
def _body_key(word: str) -> tuple[str, ...]:
    """A word of a committee's name, or a typed one, as the two are compared: its analysed terms
    (inflection, genitive, case and stop words aside), a body word as ``BODY_MARK``, a compound on
    a body head as its modifier's terms and the mark ("Teknik-" → teknik; "og" → nothing;
    "Miljøudvalget", "miljøudvalgets" → miljoe, mark; "udvalget" → mark; each mark ``_mark``)."""
    out: list[str] = []
    for term in _name_terms(word):
        if term in _body_terms():
            out.append(_mark(term))
            continue
        found = _head_modifier(word, term)
        out += [*_name_terms(found[0]), _mark(found[1])] if found else [term]
    return tuple(out)


def _head_modifier(word: str, term: str) -> tuple[str, str] | None:
    """(modifier, head's term) of a compound on a body head ("miljø" of "Miljøudvalget", "it" of
    "IT-udvalget"), when the modifier is a word (not "for" of "forråd"); else None."""
    written = word.casefold()
    for head in BODY_HEADS:
        if not term.endswith(fold(head)) or len(term) == len(fold(head)):
            continue
        at = max(written.rfind(head), written.rfind(fold(head)))
        modifier = written[:at].strip("-") if at > 0 else ""
        if modifier and _name_terms(modifier):
            return modifier, _name_terms(head)[0]
    return None


def _name_key(name: str) -> tuple[str, ...]:
    """A committee's name as typed words are compared with it (``_body_key`` word by word), what
    it adds in parentheses left out ("Udvalget for plan, udvikling og kultur (PUK)": its letters
    are an abbreviation, which ``expand_bodies`` reads)."""
    return tuple(term for word in _name_words(name) for term in _body_key(word))


def _name_words(name: str) -> list[str]:
    """A committee's name's words, what it adds in parentheses left out and commas and slashes
    read as spaces."""
    return re.sub(r"\([^)]*\)", " ", name).replace(",", " ").replace("/", " ").split()


def _conjuncts(name: str) -> list[tuple[str, ...]]:
    """The conjuncts of a name that coordinates compounds on "udvalg" ("Teknik- og
    Miljøudvalget", "Social-, Sundheds- og Ældreudvalget"): each suspended first part ("Teknik-")
    and the last compound's modifier, as keys (``_body_key``).  Danish writes "teknikudvalget og
    miljøudvalget" so, with the shared head once, so each part with the head is a written form of
    the name's own ("miljøudvalget", "teknikudvalget").  Nothing for any other name: "Udvalget
    for plan, udvikling og kultur" holds no "planudvalg", and "Teknisk Udvalg" is one conjunct."""
    *first, last = _name_words(name) or [""]
    head = _body_key(last)
    if not first or len(head) < 2 or head[-1] != COMMITTEE_MARK or MARKS.intersection(head[:-1]):
        return []
    if not all(word.endswith("-") or word.casefold() in _NAME_JOINS for word in first):
        return []
    parts = [_body_key(word) for word in first if word.endswith("-")] + [head[:-1]]
    if not all(part and not MARKS.intersection(part) for part in parts):
        return []
    return parts if len(parts) >= 2 else []


@dataclass(frozen=True)
class CommitteeNames:
    """The index's committees by what names them (``committee_names``): ``exact`` by their key's
    terms without the body marks (Teknik- og Miljøudvalget: teknik, miljoe); ``parts`` by a
    conjunct of one committee's name alone (``_conjuncts``: miljoe → Teknik- og Miljøudvalget),
    where that conjunct is no other committee's and no name of its own; ``bare`` the committees
    whose name holds no body word ("Børn og Unge"), by their terms; ``longest`` the most terms a
    typed name may hold."""

    exact: dict[tuple[str, ...], tuple[str, ...]]
    longest: int
    parts: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)
    bare: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)


def committee_names(committees: Sequence[str]) -> CommitteeNames:
    """The committee names (the committee facet's values) indexed for ``expand_committee_names``."""
    exact: dict[tuple[str, ...], dict[str, None]] = {}
    cores: dict[str, tuple[str, ...]] = {}
    bare: dict[tuple[str, ...], dict[str, None]] = {}
    for name in committees:
        key = _name_key(name)
        core = tuple(term for term in key if term not in MARKS)
        if core:  # not "Byråd", "Kommunalbestyrelsen": a body word alone (``expand_bodies``)
            exact.setdefault(core, {})[name] = None
            cores[name] = core
            # a name of one word names its committee alone when the word is a name of its own
            # ("Mødesystemgruppen"), not a word of the language ("Direktionen", "Styregruppen")
            words = _name_words(name)
            if core == key and (len(core) > 1 or (len(words) == 1 and not is_known(words[0].casefold()))):
                bare.setdefault(core, {})[name] = None
    # a conjunct → the committees (by their core: names spelt two ways are one) it is part of
    owners: dict[tuple[str, ...], set[tuple[str, ...]]] = {}
    for name, core in cores.items():
        for part in _conjuncts(name):
            owners.setdefault(part, set()).add(core)
    parts = {part: tuple(exact[min(found)]) for part, found in owners.items() if len(found) == 1 and part not in exact}
    # a name led by the body's abbreviation in capitals ("KMB IT-udvalget": Kommunalbestyrelsens)
    # is typed without it ("it-udvalget", "it udvalget"), when no other committee is named so
    unled: dict[tuple[str, ...], set[str]] = {}
    for name in cores:
        words = _name_words(name)
        if len(words) > 1 and words[0].isalpha() and words[0].isupper():
            rest = _name_key(" ".join(words[1:]))
            core = tuple(term for term in rest if term not in MARKS)
            if core and core != rest and core not in exact:  # still a body's name ("udvalg")
                unled.setdefault(core, set()).add(name)
    for core, names in unled.items():
        exact[core] = dict.fromkeys(sorted(names))
    longest = max((len(core) for core in exact), default=0) + 1
    return CommitteeNames(
        {core: tuple(names) for core, names in exact.items()},
        longest,
        parts,
        {core: tuple(names) for core, names in bare.items()},
    )


def named_committees(run: tuple[str, ...], names: CommitteeNames) -> tuple[str, ...]:
    """The committees a run of typed words names, by its key (``_body_key`` of each word): all the
    name's terms, each in any form ("teknik- og miljøudvalget", "teknik og miljø udvalgets",
    "teknisk udvalgs"), and its body word or head ("udvalg", "råd"), typed anywhere in the run.
    Without one the words are a subject ("teknik og miljø", "børn og unge": an area, a department,
    a budget's heading) unless a committee is named just so (``CommitteeNames.bare``: "Børn og
    Unge"); a name of one term must be typed with its body word ("økonomiudvalget", not
    "økonomi"); a body word names nothing alone ("udvalget", "byrådet"); a run holds one body word at most
    ("teknisk udvalg byrådet" is the committee, then the council).  Where no committee is so
    named, one conjunct of a name typed with "udvalg" after it names that name's committee when
    it is the one committee it is part of (``CommitteeNames.parts``: "miljøudvalget" is Teknik-
    og Miljøudvalget, "børneudvalget" Børne- og Ungeudvalget); of two, it stays a subject word, and
    so does a part of a name no coordination ("planudvalg" is no Udvalget for plan, udvikling og
    kultur)."""
    core = tuple(term for term in run if term not in MARKS)
    marked = sum(term in MARKS for term in run)
    if not core or marked > 1 or (len(core) < 2 and not marked and core not in names.bare):
        return ()
    if not marked:
        return names.bare.get(core, ())
    exact = names.exact.get(core, ())
    if exact or run[-1] != COMMITTEE_MARK:
        return exact
    return names.parts.get(core, ())


def _typed_key(node: Node) -> tuple[str, ...] | None:
    return _body_key(node.text) if plain_word(node) else None


# Words that join the parts of a name ("Teknik- og Miljøudvalget", "Plan, Udvikling og Kultur"):
# a name found with one of them beside it is part of a longer one.
_NAME_JOINS = frozenset({"og", "eller", "samt", "&"})


def committee_runs(children: Sequence[Node], names: CommitteeNames) -> list[tuple[int, int, tuple[str, ...]]]:
    """(first, last, committees) of each run of ``children`` (an And's) that names committees,
    longest first, left to right (``named_committees``); not one that continues a longer name,
    joined to it by "og" or a suspended hyphen ("sundhedsudvalg" of "social- og sundhedsudvalg",
    "teknik og miljø" of "teknik, miljø og kultur": another committee's).  A name ending in its
    body word is whole ("økonomiudvalget og teknisk udvalg" names two)."""
    keys = [_typed_key(child) for child in children]
    spans = _matched_runs(keys, names.longest, lambda run, _spans: bool(named_committees(run, names)))

    def text(at: int) -> str:
        """The plain word at ``at`` as typed, in lower case; "" for anything else or none."""
        child = children[at] if 0 <= at < len(children) else None
        return child.text.casefold() if child is not None and plain_word(child) else ""

    def closes(at: int) -> bool:
        """Whether the word at ``at`` ends a name with its body word ("økonomiudvalget og …")."""
        key = keys[at] if 0 <= at < len(keys) else None
        return key is not None and bool(key) and key[-1] in MARKS

    def continued(first: int, last: int) -> bool:
        return (
            text(first - 1).endswith("-")
            or text(last).endswith("-")
            or (text(first - 1) in _NAME_JOINS and not closes(first - 2))
            or (text(last + 1) in _NAME_JOINS and not closes(last))
        )

    return [
        (first, last, named_committees(tuple(t for key in keys[first : last + 1] for t in key or ()), names))
        for first, last in spans
        if not continued(first, last)
    ]


# The words after a municipality's name that say it is the municipality ("aarhus kommune").
MUNICIPALITY_WORDS = frozenset({"kommune", "kommunes"})
# The most words a municipality is named in ("høje taastrup kommune").
LONGEST_MUNICIPALITY = 3


@lru_cache(maxsize=256)
def _everyday_word(short: str) -> bool:
    """Whether a municipality's name is a Danish word too ("Vejen": the road; "Skive", "Greve",
    "Odder", "Tønder"), which names the municipality only with "kommune" after it."""
    word = short.casefold()
    return is_known(word) or lemmatise(word) != word


def municipality_runs(children: Sequence[Node]) -> list[tuple[int, int, str]]:
    """(first, last, municipality) of each run of plain words (an And's children) naming one of
    the 98 municipalities (``municipalities.short_name``: "aarhus", "Århus", "favrskovs", "høje
    taastrup"), perhaps with "kommune" after it, by the official name its items are filed under
    ("Aarhus Kommune").  A name that is a Danish word too names it only so ("vejen kommune")."""
    texts = [child.text if plain_word(child) else "" for child in children]
    runs: list[tuple[int, int, str]] = []
    at = 0
    while at < len(texts):
        found = None
        for length in range(min(LONGEST_MUNICIPALITY, len(texts) - at), 0, -1):
            words = texts[at : at + length]
            if not all(words):
                continue
            said = length > 1 and words[-1].casefold() in MUNICIPALITY_WORDS
            short = municipalities.short_name(" ".join(words[:-1] if said else words))
            if short is not None and (said or not _everyday_word(short)):
                found = (at, at + length - 1, municipalities.municipality_name(short))
                break
        if found is None:
            at += 1
            continue
        runs.append(found)
        at = found[1] + 1
    return runs


def body_runs(children: Sequence[Node], names: CommitteeNames | None) -> list[tuple[int, int, tuple[Match, ...]]]:
    """(first, last, what the items it names match) of each run of ``children`` naming committees
    (``committee_runs``) or a municipality (``municipality_runs``; not inside a committee's name),
    left to right."""
    runs = (
        [
            (first, last, tuple(Match("committee", c) for c in found))
            for first, last, found in committee_runs(children, names)
        ]
        if names and names.exact
        else []
    )
    taken = {at for first, last, _ in runs for at in range(first, last + 1)}
    runs += [
        (first, last, (Match("municipality", found),))
        for first, last, found in municipality_runs(children)
        if taken.isdisjoint(range(first, last + 1))
    ]
    return sorted(runs, key=lambda run: run[0])


def committee_mentions(node: Node | None, names: CommitteeNames | None) -> list[tuple[Node, ...]]:
    """The typed words of each run naming committees in a query of words, as typed (stop words
    inside a name kept): what the partial answers neither count nor drop, and "Mente du" leaves
    as typed (they are the index's own names)."""
    return [run for run, matches in _body_mentions(node, names) if matches[0].field == "committee"]


def _body_mentions(node: Node | None, names: CommitteeNames | None) -> list[tuple[tuple[Node, ...], tuple[Match, ...]]]:
    """The typed words of each run naming committees or a municipality (``body_runs``), with what
    the items it names match."""
    if node is None:
        return []
    children = node.children if isinstance(node, And) else (node,)
    return [(tuple(children[first : last + 1]), matches) for first, last, matches in body_runs(children, names)]


@dataclass(frozen=True)
class CommitteeMentions:
    """The runs of a query's typed words that name committees (``committee_mentions``), and those
    naming a municipality (``municipality_runs``: ``places``), found once a search and read three
    ways: the committees' words the partial answers neither count nor drop (``words``), the bodies
    they say they raise (``bodies``) and the words "Mente du" leaves as typed (``spelt``, the
    municipalities' too)."""

    runs: tuple[tuple[Node, ...], ...] = ()
    places: tuple[tuple[Node, ...], ...] = ()

    @classmethod
    def of(cls, node: Node | None, names: CommitteeNames | None) -> CommitteeMentions:
        found = _body_mentions(node, names)
        return cls(
            tuple(run for run, matches in found if matches[0].field == "committee"),
            tuple(run for run, matches in found if matches[0].field == "municipality"),
        )

    @property
    def words(self) -> list[Word]:
        """The plain words of the committees' runs, in the order typed (a municipality's are counted)."""
        return [word for run in self.runs for word in run if isinstance(word, Word)]

    @property
    def place_words(self) -> list[Word]:
        """The plain words of the municipalities' runs, in the order typed."""
        return [word for run in self.places for word in run if isinstance(word, Word)]

    @property
    def bodies(self) -> tuple[str, ...]:
        """Each committee's run as typed ("teknik og miljø"), its words joined by a space."""
        return tuple(" ".join(word.text for word in run if isinstance(word, Word)) for run in self.runs)

    @property
    def spelt(self) -> frozenset[str]:
        """The runs' words in lower case as "Mente du" cuts a query into words (``\\w+``)."""
        named = [word for run in (*self.runs, *self.places) for word in run if isinstance(word, Word)]
        return frozenset(found for word in named for found in re.findall(r"\w+", word.text.lower()))


def expand_committee_names(node: Node | None, names: CommitteeNames | None) -> Node | None:
    """Let a committee named in words do what its abbreviation does (``expand_bodies``):
    "teknik- og miljøudvalget vindmøller" finds every item about vindmøller and puts Teknik- og
    Miljøudvalget's first, as "TMU vindmøller" does; before, the name's words were required,
    and no item held them all.

    A run of plain words naming committees (``named_committees``: inflection, genitive,
    "udvalg"/"udvalget", a suspended hyphen and a distinctive part of the name aside) is not
    required: the rest of the query is, the words as typed raise where the text writes them (as
    any word does; ``expand_full_names`` adds the name's abbreviation there), and the committees
    raise by ``RAISE_WEIGHT``.  A query of names alone (or of them, stop words and excluded words)
    searches for the bodies: the words or the committees, the committees' items raised as above.

    A municipality named in words ("aarhus", "favrskov kommune"; ``municipality_runs``) is held by
    the items writing it and by those filed under it, its own first (``_places_held``): a known-item
    query names the municipality whose minutes seldom write its name ("rottegebyr aarhus",
    "navngive ny vej favrskov 2017"), and it is required and counted as any word, as one written is."""
    if node is None:
        return node

    def walk(current: Node) -> Node:
        if isinstance(current, Word) and current.field == "committee":
            return _committee_value(current, names)
        if isinstance(current, Word):
            runs = body_runs([current], names)
            return _the_body(current, list(runs[0][2])) if runs else current
        if not isinstance(current, And):
            return descend(current, walk)
        children = _places_held(list(current.children), names)
        runs = body_runs(children, names)

        def inner(child: Node) -> Node:
            """A word beside others was read with them ("sundhedsudvalg" of "social- og
            sundhedsudvalg" names nothing): only a group is read again, alone (not a
            municipality's, ``_places_held``)."""
            if isinstance(child, Word) and child.field == "committee":
                return _committee_value(child, names)
            return child if isinstance(child, Word | Prefer) else walk(child)

        if not runs:
            return And(tuple(inner(child) for child in children))
        named = {at for first, last, _ in runs for at in range(first, last + 1)}
        rest = [inner(child) for at, child in enumerate(children) if at not in named]
        mentions = [_as_typed(children[first : last + 1]) for first, last, _ in runs]
        bodies = [list(matches) for _, _, matches in runs]
        if all(isinstance(child, Not) or _stop_word(child) for child in rest):
            # "teknisk udvalg", "økonomiudvalget IKKE budget": the body is what is asked for, its
            # items first (the name's words are common ones, and many items write them)
            alone = [_the_body(mention, matches) for mention, matches in zip(mentions, bodies, strict=True)]
            return _join(And, [*alone, *rest]) or alone[0]
        base = _join(And, rest)
        assert base is not None
        raised = list(dict.fromkeys(match for matches in bodies for match in matches))
        mentioned: Node = mentions[0] if len(mentions) == 1 else Or(tuple(mentions))
        body: Node = raised[0] if len(raised) == 1 else Or(tuple(raised))
        return Prefer(Prefer(base, mentioned), body, RAISE_WEIGHT)

    return walk(node)


def _places_held(children: list[Node], names: CommitteeNames | None) -> list[Node]:
    """Each run of ``children`` naming a municipality (``body_runs``: not inside a committee's name,
    "Aarhus Byråd") as one node the items writing it or filed under the municipality hold, those
    of the municipality first (``_the_body``): a word required and counted as any, which the
    minutes seldom write."""
    out: list[Node] = []
    at = 0
    for first, last, matches in body_runs(children, names):
        if matches[0].field != "municipality":
            continue
        out += children[at:first]
        out.append(_the_body(_as_typed(children[first : last + 1]), list(matches)))
        at = last + 1
    return out + children[at:]


def _committee_value(word: Word, names: CommitteeNames | None) -> Node:
    """An ``udvalg:`` value that is one conjunct of a committee's name with the head
    ("udvalg:sundhedsudvalget", "udvalg:teknikudvalget"): the committee whose name coordinates it
    ("Sundheds- og Forebyggelsesudvalget", "Teknik- og Miljøudvalget"; ``named_committees``), as
    the value in free text names it — the name writes the part with a hyphen, not the compound,
    so the field's words alone hold nothing.  Still a requirement: the value or those committees."""
    if names is None or not names.exact:
        return word
    key = _body_key(word.text)
    if not key or key[-1] != COMMITTEE_MARK:
        return word
    found = named_committees(key, names)
    return Or((word, *(Match("committee", name) for name in found))) if found else word


def _the_body(typed: Node, matches: Sequence[Match]) -> Node:
    """A committee's name searched for alone: the items writing it or the committee's, the
    committee's first (``RAISE_WEIGHT``: the name's words are common, many items write them)."""
    return Prefer(Or((typed, *matches)), _join(Or, matches) or matches[0], RAISE_WEIGHT)


# -- a date typed: the meetings held that day or month, as well as the text writing it -----------

# A day of the month as typed before its month ("26.", "9"), and a year of four digits.
_DAY = re.compile(r"(\d{1,2})\.?")
_YEAR = re.compile(r"(?:19|20)\d\d")


def date_runs(children: Sequence[Node]) -> list[tuple[int, int, str]]:
    """(first, last, the date in words) of each run of plain words (an And's children) naming a
    date: a day and a month, with its year or without ("26. november 2014", "9. nov"), a month
    and its year ("oktober 2016"), the month written out or short, or a year of four digits
    alone ("2016"); the date as a meeting's is written in words (``dates.date_in_words``: "26
    november 2014", "oktober 2016", "2016").  A month alone ("maj") names no date."""
    texts = [child.text.casefold() if plain_word(child) else "" for child in children]
    runs: list[tuple[int, int, str]] = []
    at = 0
    while at < len(texts):
        day = _DAY.fullmatch(texts[at])
        first_day = day is not None and 1 <= int(day.group(1)) <= 31
        named = at + 1 if first_day else at
        month = MONTHS.get(texts[named].rstrip(".")) if named < len(texts) else None
        year = named + 1 < len(texts) and _YEAR.fullmatch(texts[named + 1]) is not None
        if month is None and _YEAR.fullmatch(texts[at]):  # a year alone: the meetings of that year
            runs.append((at, at, texts[at]))
            at += 1
            continue
        if month is None or not (first_day or year):
            at += 1
            continue
        last = named + 1 if year else named
        words = [str(int(day.group(1)))] if first_day and day else []
        words += [MONTH_NAMES[month - 1], *([texts[last]] if year else [])]
        runs.append((at, last, " ".join(words)))
        at = last + 1
    return runs


def expand_dates(node: Node | None) -> Node | None:
    """A date typed among the words ("kb meddelelser 26. november 2014", "eventuelt
    mødesystemgruppen oktober 2016") is held by the items whose text writes it and by those of the
    meetings held on it (``date_runs``; the meeting field holds each meeting's date in words):
    a known-item query names the meeting an item was on, which its text seldom writes.  It is
    required and counted as its words are, and scores where the text or the meeting holds it.
    A year typed alone ("2016") is read so too: the items of that year's meetings are what it asks for."""
    if node is None:
        return None
    if plain_word(node) and _YEAR.fullmatch(node.text):  # a year typed alone: its meetings' items too
        return Or((node, Phrase(node.text, field="meeting")))

    def walk(current: Node) -> Node:
        if not isinstance(current, And):
            return descend(current, walk)
        children = list(current.children)
        runs = date_runs(children)
        if not runs:
            return And(tuple(walk(child) for child in children))
        out: list[Node] = []
        at = 0
        for first, last, words in runs:
            out += [walk(child) for child in children[at:first]]
            out.append(Or((_as_typed(children[first : last + 1]), Phrase(words, field="meeting"))))
            at = last + 1
        out += [walk(child) for child in children[at:]]
        return out[0] if len(out) == 1 else And(tuple(out))

    return walk(node)


# -- a general abbreviation or law name typed: also its other written forms ----------------------

# A form's words as ``expand_written_forms`` compares them (``_form_key``) → the other forms of its
# groups (``writtenforms.WRITTEN_FORMS``) a search also looks for.
FormTable = dict[tuple[str, ...], tuple[str, ...]]


@lru_cache(maxsize=20_000)
def _form_key(text: str) -> tuple[str, ...]:
    """A typed word or a run of them as the written forms are looked up: each word as the index
    stems it ("styrelseslovens" is "styrelsesloven", "gamle" "gammel"), and a stop word as written,
    so "på grund af" is those three words, not "grund" alone.  A period ends no word ("gl." is "gl")."""
    words = [token.text for token in exact_analyzer()(text)]
    return tuple(word if word in DANISH_STOP_WORDS else stem_term(word) for word in words)


def _searchable(form: str) -> bool:
    """Whether a form is worth looking for: not one of stop words and a single other word, which the
    stemmed fields (stop words out, no gap) would find as that word anywhere ("i forhold til" is
    "forhold", "det vil sige" "sige"); nor an abbreviation in capitals that is a word in lower case,
    which the index, in lower case, would find as that word ("EL" is "el", electricity)."""
    if _capitals(form) and not _no_word(form):
        return False
    return len(analyse(form)) > 1 or len(_form_key(form)) == 1


def _capitals(text: str) -> bool:
    """An abbreviation in capitals ("SF", "EL"), as the written forms and a query write one."""
    return len(text) > 1 and text.isupper()


@lru_cache(maxsize=1)
def _capitals_keys() -> frozenset[tuple[str, ...]]:
    """The keys of the written forms in capitals (``writtenforms.PARTIES``: "SF", "EL")."""
    return frozenset(_form_key(form) for group in WRITTEN_FORMS for form in group if _capitals(form))


@lru_cache(maxsize=1)
def written_form_table() -> FormTable:
    """Every written form of ``writtenforms.WRITTEN_FORMS`` by its key, with the forms of its groups
    a search also looks for: those worth looking for (``_searchable``), one per key."""
    found: dict[tuple[str, ...], dict[tuple[str, ...], str]] = {}
    for group in WRITTEN_FORMS:
        for form in group:
            key = _form_key(form)
            others = found.setdefault(key, {})
            for other in group:
                other_key = _form_key(other)
                if other_key != key and _searchable(other):
                    others.setdefault(other_key, other)
    return {key: tuple(others.values()) for key, others in found.items() if others}


def expand_written_forms(
    node: Node | None, table: FormTable | None = None, *, words: bool = True, runs: bool = True
) -> Node | None:
    """Let an everyday abbreviation or a national law be typed the way the minutes do not write
    it: "gamle gørlev kommune" also finds "gl. Gørlev Kommune", "pkt. U41" "punkt U41",
    "styrelseslovens § 17" "Lov om kommunernes styrelse § 17", and each the other way round
    (``writtenforms``: general Danish usage, the same in every municipality).

    As ``expand_full_names`` does with the names a municipality abbreviates: a run of typed words
    whose key (``_form_key``: stemmed, stop words as written) is a form's becomes an Or of the words
    as typed and the other forms as phrases; runs longest first, left to right.  A word in a field,
    with a wildcard or in capitals ("GL", "KL": a body's abbreviation) ends a run; a quoted phrase
    is left as typed (these words, in this order); a party's abbreviation, written in capitals in
    the table ("SF", "EL"), is rewritten typed in capitals, or in lower case where it is no word
    ("sf", not "el").  ``words``/``runs``: rewrite forms typed as one
    word / as several (the search rewrites runs before the compound joins part them at a stop word,
    one word after they have read it as part of a compound typed apart: "administrations bygning")."""
    if node is None:
        return None
    table = written_form_table() if table is None else table
    if not table:
        return node
    longest = max(len(key) for key in table)

    def key_of(child: Node) -> tuple[str, ...] | None:
        if not plain_word(child):
            return None
        text = child.text
        key = _form_key(text)
        if key in _capitals_keys():
            # an abbreviation the table writes in capitals: typed so, or in lower case where it is
            # no word ("sf"; "el" is electricity)
            return key if _capitals(text) or (text.islower() and _no_word(text)) else None
        return None if _capitals(text) else key

    def walk(current: Node) -> Node:
        if isinstance(current, Word):
            key = key_of(current)
            others = table.get(key) if key and words else None
            return Or((current, *(Phrase(o) for o in others))) if others else current
        if not isinstance(current, And):
            return descend(current, walk)
        children = list(current.children)
        return _rewrite_runs(
            children,
            [key_of(c) for c in children],
            longest,
            lambda run, spans: run in table and (runs if spans else words),
            lambda typed, run: Or((_as_typed(typed), *(Phrase(o) for o in table[run]))),
            walk,
        )

    return walk(node)


# The adverbs a Danish verb takes as its particle: written after the verb, often past its object,
# in a clause ("lægge to lejligheder sammen", "rive huset ned", "træde ud af"), and before it in
# the verb written as one word and in its nouns ("sammenlægge", "nedrivning", "udtrædelse"), as
# minutes name the act.  Each with the form it takes in front of the verb ("igennem": gennemføre).
VERB_PARTICLES: dict[str, str] = {
    particle: particle
    for particle in [
        "af",
        "bort",
        "efter",
        "fra",
        "frem",
        "hen",
        "ind",
        "med",
        "ned",
        "om",
        "op",
        "over",
        "på",
        "sammen",
        "til",
        "tilbage",
        "ud",
        "under",
        "væk",
        "forbi",
    ]
} | {"igennem": "gennem"}
# The particles that are prepositions too: before a word they govern it ("tage stilling til
# budgettet" is no "tiltage"), so they are read as a verb's particle only last or before a stop word.
PREPOSITIONS = frozenset(["af", "efter", "fra", "med", "om", "over", "på", "til", "under", "forbi", "igennem"])
# How many words may stand between a verb and its particle ("lægge to lejligheder sammen": two).
MAX_PARTICLE_REACH = 3


def _particle_verb(verb: Node, particle: str) -> str | None:
    """The verb ``verb`` and ``particle`` make written as one word ("lægge" + "sammen" →
    "sammenlægge", "lagde" → "sammenlagde", "revet" + "ned" → "nedrevet"), when the dictionary
    lists that form and reads it as a verb's; None for a word it makes no verb with."""
    if not (isinstance(verb, Word) and verb.field is None and verb.text.isalpha() and not verb.text.isupper()):
        return None
    text = verb.text.casefold()
    lemma = lemmatise(text)
    if text in VERB_PARTICLES or not is_verb(lemma) or _definite_noun(text, lemma):
        return None
    joined = VERB_PARTICLES[particle] + text
    return joined if is_known(joined) and is_verb(lemmatise(joined)) else None


def _definite_noun(form: str, lemma: str) -> bool:
    """Whether ``form`` is its lemma's definite noun form ("skolen", "husene"), which no verb
    form is: a word such as "skole" is a noun and a verb (to school), and "bygge skolen om" is
    no "omskole"."""
    return any(form == lemma + ending for ending in ("n", "en", "ne", "ene", "rne"))


def _as_particle(children: Sequence[Node], at: int) -> str | None:
    """The particle ``children[at]`` is, when it may be one: a plain word in ``VERB_PARTICLES``; one
    that is also a preposition only when no word it could govern follows (``PREPOSITIONS``)."""
    child = children[at]
    if not (isinstance(child, Word) and child.field is None and child.text.casefold() in VERB_PARTICLES):
        return None
    particle = child.text.casefold()
    if particle in PREPOSITIONS and at + 1 < len(children) and not _stop_word(children[at + 1]):
        return None
    return particle


def join_particle_verbs(node: Node | None) -> Node | None:
    """A verb typed with its particle apart is also looked for written as one word: "må man lægge
    to lejligheder sammen" finds the item about "sammenlægning af lejligheder", "rive byhuset ned"
    the one writing "nedrive" (the verb's nouns meet it as its family, ``lexicon.verb_family``).
    The particle and the nearest verb up to ``MAX_PARTICLE_REACH`` words before it become an Or of
    the two words as typed and the verb written as one (``_particle_verb``: a form the dictionary
    reads as a verb's), in the verb's place; a particle no verb before it takes stays as typed."""
    if node is None:
        return None
    if not isinstance(node, And):
        return descend(node, lambda child: join_particle_verbs(child) or child)
    children = list(node.children)
    joined: dict[int, tuple[int, str]] = {}  # the verb's place: the particle's place, the verb as one word
    for at in range(len(children)):
        particle = _as_particle(children, at)
        if particle is None:
            continue
        for before in range(at - 1, max(-1, at - 2 - MAX_PARTICLE_REACH), -1):
            if before in joined or any(p == before for p, _ in joined.values()):
                break
            one_word = _particle_verb(children[before], particle)
            if one_word is not None:
                joined[before] = (at, one_word)
                break
    if not joined:
        return And(tuple(join_particle_verbs(child) or child for child in children))
    particles = {at for at, _ in joined.values()}
    out: list[Node] = []
    for at, child in enumerate(children):
        if at in particles:
            continue
        if at in joined:
            particle_at, one_word = joined[at]
            out.append(Or((And((child, children[particle_at])), Word(one_word))))
        else:
            out.append(join_particle_verbs(child) or child)
    return out[0] if len(out) == 1 else And(tuple(out))


# A compound typed as two words ("bolig grunde", "drikkevands forsyning", "stautrup aabo"): at
# most this many words in a row are tried joined, a pair at a time.
MAX_JOINED_RUN = 4
# How much an item that writes the joined compound gains on top (``Prefer``): the compound is
# most likely what was meant. Chosen on the development queries (1: 0.932 MRR on the compound
# file; 2: 0.940; 4: 0.940), the smallest that helped; no other dev query moved.
JOIN_WEIGHT = 2.0


def _joinable(node: Node) -> bool:
    """A plain word of letters a compound may be split into: not a stop word, and not in
    capitals (an abbreviation such as "TMU" names a body, it is no part of a compound)."""
    return (
        isinstance(node, Word)
        and node.field is None
        and node.text.isalpha()
        and len(node.text) >= 3
        and not node.text.isupper()
        and node.text.casefold() not in DANISH_STOP_WORDS
    )


# A word of letters and digits followed by a word of letters ("co2neutralitet", "co2udledning"):
# minutes write such compounds with a hyphen ("CO2-neutralitet"), one token in the index.
_DIGITS_THEN_WORD = re.compile(r"([^\W\d_]+\d+)([^\W\d_]{3,})")


def _solid_too(word: Word) -> Node:
    """A compound the user wrote with a hyphen ("affalds-plan", "bygge-sag") is also looked
    for written solid, as minutes write it, and written apart at the hyphen ("naturfrednings
    forening"), as a compound typed solid is (``_apart_too``), the two written forms raised; an
    abbreviation ("tm-u") is left as typed.  One whose modifier holds digits, typed solid
    ("co2neutralitet"), is also looked for hyphenated."""
    joined = _DIGITS_THEN_WORD.fullmatch(word.text)
    if joined and word.field is None:
        return Or((word, Word(f"{joined.group(1)}-{joined.group(2)}")))
    solid = _hyphenated_compound(word)
    if solid is None:
        return word
    written = Or((word, Word(solid)))
    return Prefer(Or((word, Word(solid), Phrase(word.text.replace("-", " ")))), written, SOLID_RAISE)


def _as_minutes_write(word: Word) -> str:
    """A typed word as minutes write it: a compound typed with a hyphen solid (``_hyphenated_compound``)."""
    return _hyphenated_compound(word) or word.text


def _hyphenated_compound(word: Word) -> str | None:
    """A plain word of letters joined by hyphens ("naturfrednings-forening") written solid, or None:
    no hyphen, a part with digits, in a field, or an abbreviation ("tm-u", "TM-U")."""
    pieces = word.text.split("-")
    if (
        word.field is not None
        or len(pieces) < 2
        or not all(p.isalpha() for p in pieces)
        or word.text.isupper()
        or abbreviation_like(word.text)
    ):
        return None
    return "".join(pieces)


def join_split_compounds(node: Node | None) -> Node | None:
    """Neighbouring words may be one compound the user wrote apart: "bolig grunde" finds the
    items about "boliggrunde" as well as those holding both words ("drikkevands forsyning",
    "hoved biblioteket", a name: "stautrup aabo" for "StautrupÅbo").  A run of two to
    ``MAX_JOINED_RUN`` plain words becomes an Or of the words as typed and of the run with
    one pair of neighbours written as one word, an item that writes the compound raised by
    ``JOIN_WEIGHT``; a word written with a hyphen is also tried solid (``_solid_too``).  Other nodes
    (phrases, fields) are left as typed; the children of an Or, Not or Prefer are rewritten the same way."""
    if node is None:
        return None
    if isinstance(node, Word):
        return _solid_too(node)
    if not isinstance(node, And):
        # under Not too: what a page lists after its whole answers leaves out exactly those
        return descend(node, lambda child: join_split_compounds(child) or child)
    out: list[Node] = []
    children = list(node.children)
    at = 0
    while at < len(children):
        if at + 1 < len(children) and _house_number(children[at], children[at + 1]):
            number, letter = children[at], children[at + 1]
            assert isinstance(number, Word) and isinstance(letter, Word)
            out.append(Or((And((number, letter)), Word(number.text + letter.text))))
            at += 2
            continue
        end = at
        while end < len(children) and _joinable(children[end]):
            end += 1
        run = [c for c in children[at:end] if isinstance(c, Word)]
        if 2 <= len(run) <= MAX_JOINED_RUN:
            options: list[Node] = [And(tuple(run))]
            for i in range(len(run) - 1):
                joined = [*run[:i], Word(run[i].text + run[i + 1].text), *run[i + 2 :]]
                options.append(joined[0] if len(joined) == 1 else And(tuple(joined)))
            solid = options[1:]
            out.append(Prefer(Or(tuple(options)), solid[0] if len(solid) == 1 else Or(tuple(solid)), JOIN_WEIGHT))
        elif run:
            out.extend(run)
        else:
            child = children[end]
            out.append(join_split_compounds(child) or child)
            end += 1
        at = end
    return out[0] if len(out) == 1 else And(tuple(out))


def _house_number(number: Node, letter: Node) -> bool:
    """A number and a single letter typed after it ("grønnegade 77 b", "afsnit 3 a"): the minutes
    write the two as one ("Grønnegade 77B"), one token in the index."""
    return (
        plain_word(number)
        and number.text.isdigit()
        and len(number.text) <= 4
        and plain_word(letter)
        and len(letter.text) == 1
        and letter.text.isalpha()
    )


# How many ways a compound typed solid is also looked for written apart ("vindmølle parken",
# "vind mølleparken"): its cuts where both sides are words as written, longest modifier first.
MAX_APART = 2


# How much an item writing a compound as typed gains over one holding its two words side by side
# (``_apart_too``): a phrase a rewrite makes lets a word stand between its words, so
# "ekspropriation og erstatning" is a phrase "ekspropriation erstatning" too, and a reconstruction is weaker evidence than the word.
# Chosen on dev (509): 0.25 and 0.5 moved nothing; 1 put "ekspropriationserstatning" first (it was
# second, behind "ekspropriation og erstatning"); 2 lowered a typo's related items.
SOLID_RAISE = 1.0


def _apart_too(word: Word) -> Node:
    """A compound typed solid ("overfladebelægning") is also looked for written apart, as minutes
    often write it ("OB (overflade belægning)", "bygge sag"), or hyphenated ("et flis-kedel anlæg"
    for "fliskedel", one token in the index): a phrase of the two words, and the two joined by a
    hyphen, at each of its cuts where both sides are words as written (``compounds.compound_cuts``).
    The other way round, a compound typed with a hyphen is looked for solid (``_solid_too``)."""
    if not _cuttable(word):
        return word
    cuts = compound_cuts(word.text)[:MAX_APART]
    if not cuts:
        return word
    written: list[Node] = []
    for modifier, head in cuts:
        written += [Phrase(f"{modifier} {head}"), Word(f"{modifier}-{head}")]
    return Prefer(Or((word, *written)), word, SOLID_RAISE)


def _cuttable(word: Word) -> bool:
    """Whether a typed word may be a compound cut at its parts (``compounds.compound_cuts``): a
    word of letters alone, in no field ("title:…" names what it asks of), and not in capitals (an
    abbreviation, "KKFU", is no compound)."""
    return word.field is None and word.text.isalpha() and not word.text.isupper()


def compounds_apart(text: str, common: Callable[[str], bool] = lambda word: False) -> str | None:
    """A query of one compound written as its two words, at its first cut (``compounds.compound_cuts``:
    the longest modifier that is a word as written): "direktørstilling" → "direktør stilling", for
    an item writing "stillingen som direktør".  What a compound no item writes is searched as when
    nothing is found: its words anywhere in the item, in any order.  Only a query of that one word,
    beside words that are not required (stop words, a part's name, words ``common`` says most items
    hold: "beslutning om direktørstilling", "direktørstilling i kommunen"): beside other words, the
    items holding most of them say more (``relaxations``; chosen on dev, where "introduktion til
    planområdet" split found an item holding "plan" and "området" apart).  None for anything else."""
    words = text.strip().rstrip(END_PUNCTUATION).split()
    subject = [i for i, word in enumerate(words) if not _stop_word(Word(word))]
    if len(subject) > 1:  # a common word is asked about only beside others (a server engine asks it)
        subject = [i for i in subject if not common(words[i])]
    if len(subject) != 1 or not _cuttable(Word(words[subject[0]])):
        return None
    cuts = compound_cuts(words[subject[0]])
    if not cuts:
        return None
    words[subject[0]] = f"{cuts[0][0]} {cuts[0][1]}"
    return " ".join(words)


def _stop_word(node: Node) -> bool:
    """A stop word, or a word naming the part of an item wanted (``part_name``), typed as a word."""
    if not isinstance(node, Word) or node.field is not None:
        return False
    return node.text.casefold() in DANISH_STOP_WORDS or part_name(node.text)


@lru_cache(maxsize=4096)
def part_name(word: str) -> bool:
    """Whether a typed word names a part of an item (``PART_NAMES``: "beslutningen", "besluttede",
    "indstillingen"): every decided item has a Beslutning, and its page shows one, while few write
    the word in their text; typed among other words it says which part is wanted, not what it is
    about: not required, not counted when the words are relaxed, and raising little (``PART_WEIGHT``)."""
    return stem_term(word.casefold()) in _PART_STEMS


_PART_STEMS = frozenset(stem_term(name) for name in PART_NAMES)


# -- æ/ø/å typed otherwise: the word as the minutes write it ------------------------------------------


def typed_words(node: Node | None) -> list[str]:
    """The words of letters typed as words (in lower case), alone or in a phrase, each once: those
    ``respelt_as_written`` may respell."""
    found: dict[str, None] = {}
    for leaf in leaves(node):
        if isinstance(leaf, Word) and plain_word(leaf):
            typed = [leaf.text]
        elif isinstance(leaf, Phrase) and leaf.field is None:
            typed = leaf.text.split()
        else:
            continue
        found.update((word.casefold(), None) for word in typed if word.isalpha())
    return list(found)


def hyphenated_compounds(node: Node | None) -> dict[str, str]:
    """Each compound typed with a hyphen as a word of its own ("anlægs-projekter"; not in a phrase,
    which asks for what was typed), in lower case, with the word written solid (``_hyphenated_compound``)."""
    return {
        leaf.text.casefold(): solid.casefold()
        for leaf in leaves(node)
        if isinstance(leaf, Word) and plain_word(leaf) and (solid := _hyphenated_compound(leaf))
    }


def respelt_as_written(text: str, written: dict[str, str]) -> str:
    """A query's words typed without the æ, ø or å the minutes write them with ("styrelsesvedtaegten",
    "moeder", "vedtagt") spelt as the minutes write them: ``written`` maps each such word (lower case,
    ``typed_words``) to its spelling with the letters, and each compound typed with a hyphen the minutes
    write solid (``hyphenated_compounds``) to the solid word.  The stemmed fields fold aa/ae/oe and the
    letters alike already, but the rest of the search reads the word as typed: the dictionary cuts
    "styrelsesvedtægten" into its parts, not "styrelsesvedtaegten"; the exact form raises the items
    writing the very word; "vedtagt" stems to another word than "vedtægt".  Capitals stay ("OEU" → "ØU")."""
    if not written:
        return text

    def spelt(match: re.Match[str]) -> str:
        word = match.group()
        letters = written.get(word.casefold())
        if letters is None:
            # a word joined by hyphens not written solid: each of its words as written
            return _LETTERS.sub(spelt, word) if "-" in word else word
        return letters.upper() if word.isupper() else letters.capitalize() if word[:1].isupper() else letters

    return _JOINED_LETTERS.sub(spelt, text)


# A word of letters, and one joined to others by hyphens ("anlægs-projekter"), as ``respelt_as_written`` reads them.
_LETTERS = re.compile(r"[^\W\d_]+")
_JOINED_LETTERS = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def without_stop_words(node: Node | None) -> Node | None:
    """Stop words typed among other words are not required: "rive thors hammer ned" finds the
    item about Thors Hammer that never writes "ned".  The analysis leaves them out of every
    field but the exact forms, where a typed "ned" or "mod" had to be written as well.  Phrases
    keep them, and so does a query of stop words alone (or of them and excluded words)."""
    if node is None:
        return None
    if not isinstance(node, And):
        return descend(node, lambda child: without_stop_words(child) or child)
    children = [without_stop_words(child) or child for child in node.children]
    kept = [child for child in children if not _stop_word(child)]
    if len(kept) == len(children) or all(isinstance(child, Not) for child in kept):
        return children[0] if len(children) == 1 else And(tuple(children))
    # a part's name only raises, and little ("beslutning om pulje": the items about the pools,
    # not "Beslutning om …" titles holding "pulje" once)
    parts = [child for child in children if isinstance(child, Word) and child.field is None and part_name(child.text)]
    base = kept[0] if len(kept) == 1 else And(tuple(kept))
    return Prefer(base, parts[0] if len(parts) == 1 else Or(tuple(parts)), PART_WEIGHT) if parts else base


# Weight of a part's name typed among other words (``part_name``): a tie-breaker, far below a
# common word's (``COMMON_WEIGHT``).
PART_WEIGHT = 0.25


# Weight of the common words a query of rarer ones holds, once they are no longer required.
COMMON_WEIGHT = 1.0


def optional_candidates(node: Node | None) -> set[str]:
    """The words ``common_words_optional`` asks about (plain words beside other required parts):
    asked of it with an answer that changes nothing, so the two cannot disagree."""
    asked: set[str] = set()

    def ask(word: str) -> bool:
        asked.add(word)
        return False

    common_words_optional(node, ask)
    return asked


def common_words_optional(node: Node | None, common: Callable[[str], bool]) -> Node | None:
    """Words most items hold ("beslutning om mågerne", "letbane i kommunen") typed among rarer
    ones are not required, only raise the items holding them (``COMMON_WEIGHT``): the item about
    the rare word need not write the common one, and many that do mention the rare word once.
    ``common``: whether a typed word is held by so many items.  A query of common words alone
    keeps them all required."""
    return _common_words_optional(node, common, [])


def optional_words(node: Node | None, common: Callable[[str], bool]) -> list[Word]:
    """The words ``common_words_optional`` leaves unrequired in ``node`` (the query as rewritten up
    to that rule), in each of its forms (a compound joined from typed words is one): what the
    partial answers neither count nor drop (``relaxations``)."""
    made: list[Word] = []
    _common_words_optional(node, common, made)
    return list(dict.fromkeys(made))


def _common_words_optional(node: Node | None, common: Callable[[str], bool], made: list[Word]) -> Node | None:
    """``common_words_optional``, adding to ``made`` each word it leaves unrequired."""
    if node is None:
        return None
    if not isinstance(node, And):
        return descend(node, lambda child: _common_words_optional(child, common, made) or child)
    children = [_common_words_optional(child, common, made) or child for child in node.children]
    if sum(not isinstance(c, Not) for c in children) < 2:
        return And(tuple(children))  # one part beside excluded ones: required whatever it is
    optional = [c for c in children if plain_word(c) and common(c.text)]
    required = [c for c in children if c not in optional]
    if not optional or not any(not isinstance(c, Not) for c in required):
        return And(tuple(children))
    made.extend(optional)
    kept = required[0] if len(required) == 1 else And(tuple(required))
    raised = optional[0] if len(optional) == 1 else Or(tuple(optional))
    return Prefer(kept, raised, COMMON_WEIGHT)


def split_compounds_too(typed: Node | None, rewritten: Node | None) -> Node | None:
    """Every word the user typed (not one a rewrite made, such as a joined pair) that is a
    compound is also looked for written apart (``_apart_too``)."""
    if rewritten is None:
        return None
    words = {leaf for leaf in leaves(typed) if isinstance(leaf, Word)}
    return transform(rewritten, lambda leaf: _apart_too(leaf) if leaf in words else leaf)


# Typed words that stand next to each other in an item raise it (``raise_neighbours``): how far
# apart they may stand and how much the item gains.
NEIGHBOUR_SLOP = 1
NEIGHBOUR_WEIGHT = 0.75


def neighbour_pairs(typed: Node | None) -> list[Phrase]:
    """Each two neighbouring plain words of a query of words (stop words skipped), as a phrase
    whose second word may stand up to ``NEIGHBOUR_SLOP`` after the first (and, a phrase no one
    quoted, one word more: the place a stop word keeps in the index): "hinnerup fjernvarme" →
    the phrase "hinnerup fjernvarme", which "Hinnerup og fjernvarmen" holds too.  None for a query of one
    word, of operators, or in a field."""
    if not isinstance(typed, And):
        return []
    pairs: list[Phrase] = []
    previous: Word | None = None
    for child in typed.children:
        if not isinstance(child, Word) or child.field is not None:
            previous = None  # a phrase, a field or an operator parts its neighbours
            continue
        if not analyse(child.text):
            continue  # a stop word keeps its neighbours neighbours
        if "*" in child.text or "?" in child.text:
            previous = None  # so does a wildcard
            continue
        if previous is not None:
            pairs.append(Phrase(f"{_as_minutes_write(previous)} {_as_minutes_write(child)}", slop=NEIGHBOUR_SLOP))
        previous = child
    return list(dict.fromkeys(pairs))


def raise_neighbours(node: Node | None, pairs: Sequence[Phrase]) -> Node | None:
    """``node``, with the items holding typed neighbours near each other raised
    (``NEIGHBOUR_WEIGHT``): a known-item query is often a piece of what its item writes
    ("regulativ for vejbrønde"), and an item holding the words together is likelier about them
    than one holding them pages apart."""
    if node is None or not pairs:
        return node
    return _raised_within(node, pairs[0] if len(pairs) == 1 else Or(tuple(pairs)), NEIGHBOUR_WEIGHT)


def _raised_within(node: Node, raised: Node, weight: float) -> Node:
    """``Prefer(node, raised, weight)``; but the items holding most of the typed words are raised
    choice by choice, inside each one's ``Scaled`` (``relaxations``): what an item gains is scaled
    with what it scores, so the few words a rare choice holds together do not outweigh it."""
    if isinstance(node, Or) and any(isinstance(child, Scaled) for child in node.children):
        return Or(
            tuple(
                Scaled(Prefer(child.child, raised, weight), child.factor)
                if isinstance(child, Scaled)
                else Prefer(child, raised, weight)
                for child in node.children
            )
        )
    if isinstance(node, And) and any(_scales(child) for child in node.children):
        return And(tuple(_raised_within(c, raised, weight) if _scales(c) else c for c in node.children))
    if isinstance(node, Prefer) and _scales(node.required):
        return Prefer(_raised_within(node.required, raised, weight), node.optional, node.weight)
    return Prefer(node, raised, weight)


def _scales(node: Node) -> bool:
    """Whether ``node`` holds a ``Scaled`` choice outside what it excludes."""
    if isinstance(node, Scaled):
        return True
    if isinstance(node, And | Or):
        return any(_scales(child) for child in node.children)
    if isinstance(node, Prefer):
        return _scales(node.required)
    return False


# A query that found nothing together is tried with fewer of its words only when it counts at most
# this many (the tries grow as the combinations do; ``relaxations``), and never with fewer than half of them.
MAX_RELAXED_WORDS = 6
# The share of the items a typed word is taken to be held by when the text never writes it whole
# (a compound found by its parts, a word hyphenated: the engines' shares say 0), and a phrase: one
# item in ten thousand, rarer than any word an index of that size writes.
RAREST_SHARE = 1e-4


def droppable_words(node: Node | None) -> list[Word | Phrase]:
    """The words and phrases of a query of plain words that a relaxed search may leave out: not
    those in a field, not stop words (``relaxations``)."""
    if not isinstance(node, And):
        return []
    return [c for c in node.children if isinstance(c, Word | Phrase) and c.field is None and not _stop_word(c)]


def relaxations(
    node: Node | None,
    optional: Sequence[Node] = (),
    common: Callable[[str], bool] | None = None,
    share: Callable[[Word | Phrase], float | None] | None = None,
    beside: Sequence[Node] = (),
    below_half: bool = False,
    held: Sequence[Node] = (),
) -> Iterator[tuple[int, int, Node]]:
    """(least, typed, query) for a query of plain words no item holds all of: the items holding
    all but one of its ``typed`` words, then all but two, down to half of them (at least one;
    the words ``beside`` them count toward that half, as the items they name are raised by them),
    each an Or of every choice of ``least`` words.  Words in a field ("bilag:…"), value filters and
    excluded words stay required; stop words are not counted; a query of operators other than
    AND is not relaxed (it said what it wanted).  ``optional``: the words the whole query did not
    require (``optional_words``), neither counted nor dropped: they raise each try as they raised
    the whole.  ``common``: whether a word most items hold; a choice of such words and stop words
    alone is not tried ("kommunen" of "mågerne i kommunen" would list nearly every item).
    ``beside``: words neither counted nor dropped that stand beside every try, outside its
    scaling: a committee named in words (``committee_mentions``), whose items each try raises
    whatever words they lack, as the whole query did.

    ``share``: the share of the items holding a word (None: not known).  With it each choice
    scores as the engine scores the words it holds times the shares of those it lacks
    (``Scaled``, the tier's likeliest choice kept as scored): an item lacking a word a
    quarter of the items hold loses a factor four, one lacking a word one item in four hundred
    holds four hundred, so the item holding "kalundborg forsynings administrationsbygning" of
    "kalundborg forsynings nye administrationsbygning" comes before the title naming Kalundborg
    Forsyning's new heat pump.  A word the text does not write whole (held as a compound's part,
    or written otherwise: share 0) and a phrase count as held by ``RAREST_SHARE``; a word of
    unknown share (a wildcard) as held by every item: lacking it costs nothing.

    ``below_half``: the tries below the half instead, down to one word: for a query no item holds
    even half the words of ("byrådet sagde nej til SF sommerbypark"), which listed nothing.
    ``held``: words neither counted nor dropped that every choice holds, inside its scaling, and
    that count toward the half as ``beside`` does: a municipality named in words, which the
    first tries keep ("kraftig regn klimatilpasning kalundborg": Kalundborg's items holding one
    of the three other words before another municipality's holding all three)."""
    if not isinstance(node, And):
        return
    droppable = droppable_words(node)
    raised = [c for c in droppable if c in optional and c not in beside and c not in held]
    counted = [c for c in droppable if c not in raised and c not in beside and c not in held]
    kept = [c for c in node.children if c not in droppable or c in held]
    if any(isinstance(c, Or | Prefer) for c in kept):
        return
    typed = len(counted)
    if not 2 <= typed <= MAX_RELAXED_WORDS:
        return
    shares = {word: _held_by(word, share) for word in counted}
    # the words of a committee named beside count toward the half an item must hold, as its items
    # are raised by them: three words counted beside "økonomiudvalget" go down to one of the three
    held_beside = sum(1 for c in droppable if c in beside or c in held)
    half = max(1, math.ceil((typed + held_beside) / 2) - held_beside)
    for least in range(half - 1, 0, -1) if below_half else range(typed - 1, half - 1, -1):
        chosen = [words for words in combinations(counted, least) if not _common_only([*kept, *words], common)]
        # how likely an item is to lack the words each choice leaves out (the unknown taken as certain)
        lacking = [math.prod(shares[word] for word in counted if word not in words) for words in chosen]
        likeliest = max(lacking, default=1.0)
        options: list[Node] = []
        for words, odds in zip(chosen, lacking, strict=True):
            # the common words raise each choice inside its scaling, as the whole query's
            # in the order typed: a rewrite reads neighbours ("rive byhus ned": the particle after its verb)
            option = _join(And, _as_ordered(node, [*kept, *words, *(raised if share is not None else ())]))
            if option is not None:
                option = _parts_raise(option, [word for word in counted if word not in words])
                options.append(option if odds == likeliest else Scaled(option, odds / likeliest))
        if options:
            alone = raised if share is None else []
            named = [c for c in droppable if c in beside]
            yield least, typed, _join(And, [Or(tuple(options)), *alone, *named]) or Or(tuple(options))


def without_commonest(
    node: Node | None, counted: Sequence[Word | Phrase], share: Callable[[Word | Phrase], float | None]
) -> tuple[Node | None, list[Word | Phrase]]:
    """(``node`` without the commonest of its ``counted`` words beyond ``MAX_RELAXED_WORDS``, those
    left out): a long question ("nedrivning af de gamle SFO-bygninger ved Høng skole og Thors
    Hammer") that no item holds whole is tried with fewer of its rarest words, not left with no
    answer because its words are too many to try in every combination."""
    if not isinstance(node, And) or len(counted) <= MAX_RELAXED_WORDS:
        return node, []
    rarest_first = sorted(range(len(counted)), key=lambda i: (_held_by(counted[i], share), i))
    left_out = [counted[i] for i in sorted(rarest_first[MAX_RELAXED_WORDS:])]
    ids = {id(word) for word in left_out}
    return And(tuple(child for child in node.children if id(child) not in ids)), left_out


def _as_ordered(node: And, chosen: Sequence[Node]) -> list[Node]:
    """``chosen``, children of ``node``, in the order ``node`` holds them."""
    at = {id(child): i for i, child in enumerate(node.children)}
    return sorted(chosen, key=lambda child: at.get(id(child), len(at)))


# How much a relaxed choice gains in an item holding the words of a compound it leaves out
# (``_parts_raise``), as an item writing a compound apart gains over its words alone; only at a
# cut whose both sides have this many letters ("tog" of "togstation" is as often the verb's past).
PARTS_RAISE = 1.0
MIN_RAISED_PART = 4


def _parts_raise(option: Node, left_out: Sequence[Word | Phrase]) -> Node:
    """A choice of fewer typed words, raised in the items that hold a compound it leaves out as its
    words, at one of its cuts (``compounds.compound_cuts``): of "vejvedligeholdelseskontrakt pankas",
    which no item holds whole, the items naming Pankas come first where they also write
    "vejvedligeholdelse" and "kontrakt" ("kontrakterne med Pankas A/S om vejvedligeholdelse")."""
    apart: list[Node] = []
    for word in left_out:
        if isinstance(word, Word) and _cuttable(word):
            apart += [
                And((Word(modifier), Word(head)))
                for modifier, head in compound_cuts(word.text)[:MAX_APART]
                if min(len(modifier), len(head)) >= MIN_RAISED_PART
            ]
    if not apart:
        return option
    return Prefer(option, apart[0] if len(apart) == 1 else Or(tuple(apart)), PARTS_RAISE)


def _held_by(word: Word | Phrase, share: Callable[[Word | Phrase], float | None] | None) -> float:
    """The share of the items ``relaxations`` takes to hold ``word``."""
    if share is None:
        return 1.0
    if isinstance(word, Phrase):
        return RAREST_SHARE
    held = share(word)
    return 1.0 if held is None else held or RAREST_SHARE


def _common_only(parts: Sequence[Node], common: Callable[[str], bool] | None) -> bool:
    """Whether every part that is not excluded is a stop word or a word ``common`` says most items hold."""
    if common is None:
        return False
    wanted = [part for part in parts if not isinstance(part, Not)]
    return all(_stop_word(part) or (plain_word(part) and common(part.text)) for part in wanted)


def rewritten_words(typed: Node | None, rewritten: Node | None) -> list[str]:
    """The words of every alternative the abbreviation rewrites made, with what was typed in
    its place: for "danmarks naturfredningsforening kolonihave" in a municipality defining DN,
    "danmarks", "naturfredningsforening", "DN", "D-N" — what a snippet shows first, so an item
    found through the abbreviation shows where it writes it.  An alternative is the innermost Or
    holding both a word typed and a phrase the typed query did not (the rewrites add phrases;
    compound joins add words)."""
    before = set(leaves(typed))
    out: list[str] = []

    def walk(node: Node) -> bool:
        """Collect the innermost alternatives under ``node``; whether there were any."""
        if isinstance(node, Not):
            return False  # what is excluded explains no match
        children = (
            node.children
            if isinstance(node, And | Or)
            else (node.required, node.optional)
            if isinstance(node, Prefer)
            else (node.child,)
            if isinstance(node, Scaled)
            else ()
        )
        below = [walk(child) for child in children]
        if any(below) or not isinstance(node, Or):
            return any(below)
        found = [leaf for leaf in leaves(node) if isinstance(leaf, Word | Phrase) and leaf.field is None]
        if any(leaf in before for leaf in found) and any(
            isinstance(leaf, Phrase) and leaf not in before for leaf in found
        ):
            out.extend(leaf.text for leaf in found)
            return True
        return False

    if rewritten is not None:
        walk(rewritten)
    return list(dict.fromkeys(out))


def words_of(node: Node | None) -> list[str]:
    """The plain words a user typed (for did-you-mean), in order; phrases split into words."""
    out: list[str] = []
    for leaf in leaves(node):
        if isinstance(leaf, (Word, Phrase)):
            out.extend(re.findall(r"\w+", leaf.text.lower()))
    return out


__all__ = [
    "And",
    "Match",
    "Node",
    "Not",
    "Or",
    "Phrase",
    "Prefer",
    "Scaled",
    "Word",
    "droppable_words",
    "expand_bodies",
    "expand_committee_names",
    "expand_definitions",
    "expand_full_names",
    "expand_written_forms",
    "full_name_index",
    "join_split_compounds",
    "leaves",
    "names_a_body",
    "parse",
    "plain_word",
    "relaxations",
    "rewritten_words",
    "shared_definitions",
    "split_compounds_too",
    "topic_code",
    "topic_codes",
    "transform",
    "written_form_table",
]
