"""Analysed queries as SQL: field terms, phrases, AND/OR/NOT, scored with BM25F in the server.

The tree here holds *terms*, i.e. words already run through our Danish analysis and
assigned to fields with their query boosts; the search layer builds it.  Each node
becomes a common table expression yielding ``(muni, docno, s)``; a term's score is
Whoosh's BM25F for that field, computed from the statistics the engine keeps:

    idf   = ln(N / (df + 1)) + 1                  N: items, df: items with the term in the field
                                                  (a compound part: or in the body, if more)
    score = boost · idf · tf·(K1+1) / (tf + K1·(1 − B + B·len/avglen))   (boost: the field weight)

so the PostgreSQL engine ranks as the embedded one does (``ts_rank`` has no IDF).
Phrases keep the items holding every word where the positions follow each other
within ``slop``, scored as the AND of their words in that field.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from indexer.engines.base import BM25_B, BM25_K1, IDF_CAPPED_BY

T = TypeVar("T")

# Text fields with postings, their codes in the ``postings.field`` column and the
# index-time field boosts (the weight of one occurrence).
TEXT_FIELDS: dict[str, int] = {
    "title": 1,
    "decision": 2,
    "body": 3,
    "attachments_text": 4,
    "attachment_titles": 5,
    "exact": 6,
    "committee_text": 7,
    "parts": 8,
    "title_parts": 9,
    "meeting_text": 10,
}
FIELD_NAMES = {code: name for name, code in TEXT_FIELDS.items()}
# None since field weights are applied once, at query time (``FIELD_BOOSTS``), as the
# embedded engine does: one occurrence weighs 1 in every field.
INDEX_BOOSTS: dict[str, float] = dict.fromkeys(TEXT_FIELDS, 1.0)
# Which analysis each text field uses (``indexer.fastterms`` kinds).
ANALYSIS: dict[str, str] = {name: "danish" for name in TEXT_FIELDS} | {
    "exact": "exact",
    "parts": "parts",
    "title_parts": "title_parts",
}
# Fields whose postings keep positions (phrases); compound parts never take part in one.
POSITION_FIELDS = frozenset(TEXT_FIELDS) - {"parts", "title_parts"}
# Exact-value fields answered from the items table; the value is what ``field:`` names.
ATTRIBUTE_COLUMNS: dict[str, str] = {
    "id": "i.id = %s",
    "meeting_id": "i.meeting_id = %s",
    "committee": "i.committee = %s",
    "kind": "i.kind = %s",
    "year": "i.year = %s",
    "case_key": "i.case_key = %s",
    "topic": "i.topics @> ARRAY[lower(%s)]",
    "municipality": "i.muni = (SELECT muni FROM municipalities WHERE name = %s)",
    "access": "i.access = %s",
}
B = BM25_B
K1 = BM25_K1


@dataclass
class Node:
    boost: float = field(default=1.0, kw_only=True)


@dataclass
class TermQ(Node):
    field: str
    text: str


@dataclass
class PhraseQ(Node):
    """Words in this order: each next one 1..``slop`` positions after the previous, or within its
    own (lowest, highest) distance of ``bounds`` (the index keeps a stop word's place, so a
    phrase's distances come from its text: the embedded engine's ``GappedPhrase``)."""

    field: str
    words: list[str]
    slop: int = 1
    bounds: list[tuple[int, int]] | None = None

    def distances(self) -> list[tuple[int, int]]:
        """Each next word's (lowest, highest) distance from the previous one."""
        if self.bounds is not None:
            return [(int(low), int(high)) for low, high in self.bounds]
        return [(1, int(self.slop))] * (len(self.words) - 1)


@dataclass
class AndQ(Node):
    children: list[Node]


@dataclass
class OrQ(Node):
    children: list[Node]


@dataclass
class AndNotQ(Node):
    positive: Node
    negative: Node


@dataclass
class WildcardQ(Node):
    """Every term of a field matching a glob (``*``, ``?``); scored as Whoosh scores it: the boost."""

    field: str
    pattern: str


@dataclass
class AllQ(Node):
    """Every item (browsing)."""


@dataclass
class AndMaybeQ(Node):
    """What ``required`` matches, scored higher where ``optional`` matches too (Whoosh's AndMaybe)."""

    required: Node
    optional: Node


@dataclass
class NothingQ(Node):
    """No item (a field the engine does not know)."""


def terms_of(node: Node) -> list[tuple[str, str]]:
    """The (text field, term) pairs of the terms a node can match (a phrase of one word is its
    term; longer phrases are ``phrases_of``'s): a hit holding one is credited with it, for snippets."""

    def pick(leaf: Node) -> list[tuple[str, str]]:
        if isinstance(leaf, TermQ):
            return [(leaf.field, leaf.text)] if leaf.field in TEXT_FIELDS else []
        if isinstance(leaf, PhraseQ) and leaf.field in POSITION_FIELDS and len(leaf.words) == 1:
            return [(leaf.field, leaf.words[0])]
        return []

    return _matchable(node, pick)


def phrases_of(node: Node) -> list[PhraseQ]:
    """The phrases of two or more words a node can match: a hit is credited with a phrase's words
    only where the phrase itself matched (as the embedded engine credits them), not for holding
    one of its words elsewhere ("lokal" in "lokal produktion" for the phrase "lokal plan")."""
    return _matchable(
        node,
        lambda leaf: (
            [leaf] if isinstance(leaf, PhraseQ) and leaf.field in POSITION_FIELDS and len(leaf.words) > 1 else []
        ),
    )


def wildcards_of(node: Node) -> list[tuple[str, str]]:
    """The (text field, LIKE pattern) of each wildcard or prefix a node can match: a hit is credited
    with the terms of its own that match one (as the embedded engine credits a prefix's expansion),
    so its snippet marks "vindmøllerne" for "vind*"."""
    return _matchable(
        node,
        lambda leaf: (
            [(leaf.field, _glob_to_like(leaf.pattern))]
            if isinstance(leaf, WildcardQ) and leaf.field in TEXT_FIELDS
            else []
        ),
    )


def _matchable(node: Node, pick: Callable[[Node], list[T]]) -> list[T]:
    """``pick`` of every leaf a hit of ``node`` can have matched: not those under AndNot's negative."""
    if isinstance(node, AndQ | OrQ):
        return [found for child in node.children for found in _matchable(child, pick)]
    if isinstance(node, AndNotQ):
        return _matchable(node.positive, pick)
    if isinstance(node, AndMaybeQ):
        return _matchable(node.required, pick) + _matchable(node.optional, pick)
    return pick(node)


def follows(node: PhraseQ, alias: str) -> str:
    """The condition that the positions of postings rows ``{alias}0``, ``{alias}1``, … (the
    phrase's words in order) hold the words one after another, each within its distance of the
    last (``PhraseQ.distances``).

    Where each word stands at one distance (a quoted phrase), word n is at the first word's
    position + the distances up to it: each of the first word's positions is looked up in the
    others' arrays, rather than every pair of positions joined and compared (a subplan of two
    scans and a join per candidate item took half a phrase's time)."""
    distances = node.distances()
    if all(low == high for low, high in distances):
        offsets = list(itertools.accumulate(high for _, high in distances))
        after = " AND ".join(f"x0 + {offsets[n - 1]} = ANY({alias}{n}.positions)" for n in range(1, len(node.words)))
        return f"EXISTS (SELECT 1 FROM unnest({alias}0.positions) x0 WHERE {after})"
    return within_slop(node, alias)


def within_slop(node: PhraseQ, alias: str) -> str:
    """``follows`` for any distances: every choice of one position per word, compared in a chain."""
    chain = [f"unnest({alias}0.positions) x0"]
    conditions = []
    for n, (low, high) in enumerate(node.distances(), start=1):
        chain.append(f"unnest({alias}{n}.positions) x{n}")
        conditions.append(f"x{n} - x{n - 1} BETWEEN {low} AND {high}")
    return f"EXISTS (SELECT 1 FROM {', '.join(chain)} WHERE {' AND '.join(conditions)})"


# From this many words a quoted phrase is matched from one word's postings, the others looked up
# beside it (``around``), not as one join of every word's postings: the planner weighed every
# order of that join, and an eleven-word title (the case history of an item page searches its
# title) took 1.7 s to plan and 1 ms to run.
LONG_PHRASE = 5


def long_phrase_offsets(node: PhraseQ) -> list[int] | None:
    """Each word's place from the first, when the phrase is long (``LONG_PHRASE``) and each word
    stands at one distance from the one before (a quoted phrase; a removed stop word's gap counts),
    else None: such a phrase is matched from one word's postings (``around``)."""
    distances = node.distances()
    if len(node.words) < LONG_PHRASE or any(low != high for low, high in distances):
        return None
    return [0, *itertools.accumulate(high for _, high in distances)]


def around(words: list[str], offsets: list[int], code: int, alias: str, params: list[Any]) -> str:
    """The condition that the item of postings row ``alias`` holds each of ``words`` (field
    ``code``) at ``alias``'s word's position + its offset, one position of ``alias`` for all: a
    phrase's start is the same for each word, so the item holds the phrase when, at one start,
    every offset is found.  One statement of three relations, however long the phrase."""
    params += [words, offsets, code]
    return (
        "EXISTS (SELECT 1 FROM unnest(%s::text[], %s::int[]) w(term, d) JOIN postings r ON r.field = %s "
        f"AND r.term = w.term AND r.muni = {alias}.muni AND r.docno = {alias}.docno, unnest(r.positions) x "
        f"WHERE x - w.d = ANY({alias}.positions) GROUP BY x - w.d HAVING count(DISTINCT w.d) = {len(words)})"
    )


def phrase_held(node: PhraseQ, params: list[Any], muni: str, docno: str) -> str:
    """The condition that item (``muni``, ``docno``) holds the phrase (its values go to ``params``)."""
    code = TEXT_FIELDS[node.field]
    if (offsets := long_phrase_offsets(node)) is not None:
        params += [code, node.words[0]]
        rest = around(node.words[1:], offsets[1:], code, "q0", params)
        return (
            f"EXISTS (SELECT 1 FROM postings q0 WHERE q0.field = %s AND q0.term = %s AND q0.muni = {muni} "
            f"AND q0.docno = {docno} AND {rest})"
        )
    wheres = []
    for n, word in enumerate(node.words):
        params += [code, word]
        wheres.append(f"q{n}.field = %s AND q{n}.term = %s AND q{n}.muni = {muni} AND q{n}.docno = {docno}")
    froms = ", ".join(f"postings q{n}" for n in range(len(node.words)))
    return f"EXISTS (SELECT 1 FROM {froms} WHERE {' AND '.join(wheres)} AND {follows(node, 'q')})"


# The BM25F statistics of one scored (field, term): its IDF and the field's average length.
TermWeights = dict[tuple[str, str], tuple[float, float]]
# What one request has read of (field, term)s: IDF, average length and whether open items hold it.
TermFacts = dict[tuple[str, str], tuple[float, float, bool]]

# Both statistics for a list of (field code, term, code of the field whose df caps it or NULL),
# computed exactly as the scores use them (the same expressions, so the same doubles).
WEIGHTS_SQL = """
SELECT w.field, w.term,
    ln((SELECT greatest(sum(docs), 1) FROM field_stats WHERE field = 0)::float8
       / (greatest(coalesce((SELECT sum(df) FROM term_stats t WHERE t.field = w.field AND t.term = w.term), 0),
                   coalesce((SELECT sum(df) FROM term_stats t WHERE t.field = w.cap AND t.term = w.term), 0)) + 1)) + 1,
    coalesce(nullif((SELECT sum(total_length) FROM field_stats f WHERE f.field = w.field)
                    / nullif((SELECT sum(docs) FROM field_stats WHERE field = 0), 0), 0), 1),
    EXISTS (SELECT 1 FROM term_stats t WHERE t.field = w.field AND t.term = w.term AND t.df > 0)
FROM unnest(%s::smallint[], %s::text[], %s::smallint[]) w(field, term, cap)
"""


def weights_query(scored: list[tuple[str, str]]) -> tuple[str, tuple[list[int], list[str], list[int | None]]]:
    """The statement (and its parameters) answering the IDF and average field length of each
    (text field, term), one row each: (field code, term, idf, average length, whether an open
    item holds the term: ``Database.has_terms``, which "Mente du" asks of the words searched)."""
    pairs = sorted(set(scored))
    capping = [IDF_CAPPED_BY.get(f) for f, _ in pairs]
    return WEIGHTS_SQL, (
        [TEXT_FIELDS[f] for f, _ in pairs],
        [t for _, t in pairs],
        [TEXT_FIELDS[c] if c is not None else None for c in capping],
    )


class SqlBuilder:
    """Turns a tree into CTEs; ``params`` collects the values in placeholder order.

    Without ``weights`` it only records which (field, term) pairs the tree scores (``scored``):
    a dry run.  With them, each term's IDF and average field length go into the statement as
    values: computing them there took a subquery per statistic and term (four per field of every
    word), which cost more planning than the search's execution on a two-word query.
    """

    def __init__(self, munis: list[int] | None, weights: TermWeights | None = None) -> None:
        self.ctes: list[str] = []
        self.params: list[Any] = []
        self.munis = munis
        self.weights = weights
        self.scored: list[tuple[str, str]] = []
        self._built: dict[str, str] = {}

    def _muni_filter(self, alias: str) -> str:
        if not self.munis:
            return ""
        self.params.append(self.munis)
        return f" AND {alias}.muni = ANY(%s)"

    def _add(self, sql: str) -> str:
        name = f"n{len(self.ctes)}"
        self.ctes.append(f"{name} AS ({sql})")
        return name

    def _weights_of(self, fieldname: str, term: str) -> tuple[float, float]:
        """IDF and average field length of a scored term (placeholders in a dry run, which records it)."""
        self.scored.append((fieldname, term))
        return (self.weights or {}).get((fieldname, term), (0.0, 1.0))

    def _bm25(self, alias: str, fieldname: str, term: str, boost: float, at: str = "") -> str:
        """The BM25F expression for one field term over postings rows ``alias`` (``at``: an
        element of its arrays, "[2]")."""
        idf, avg = self._weights_of(fieldname, term)
        weight = f"({alias}.tf{at} * {INDEX_BOOSTS[fieldname]!r})"
        self.params += [idf, avg]
        return (
            f"{boost!r} * %s::float8 * ({weight} * {K1 + 1!r}) / "
            f"({weight} + {K1!r} * ({1 - B!r} + {B!r} * {alias}.len{at} / %s::float8))"
        )

    def build(self, node: Node) -> str:
        """Name of the CTE holding (muni, docno, s) for ``node``.  A node equal to one built
        already is that CTE: a query holding most of the typed words repeats each word in many
        combinations, and the planner's time grew with every copy (a six-word query took seconds)."""
        key = repr(node)
        name = self._built.get(key)
        if name is None:
            name = self._built[key] = self._build(node)
        return name

    def _build(self, node: Node) -> str:
        if isinstance(node, TermQ):
            return self._term(node)
        if isinstance(node, PhraseQ):
            return self._phrase(node)
        if isinstance(node, AndQ):
            names = [self.build(child) for child in node.children]
            if not names:
                return self._add("SELECT NULL::smallint AS muni, NULL::bigint AS docno, 0::float8 AS s WHERE false")
            joins = " ".join(f"JOIN {n} USING (muni, docno)" for n in names[1:])
            total = " + ".join(f"{n}.s" for n in names)
            return self._add(f"SELECT muni, docno, {node.boost!r} * ({total}) AS s FROM {names[0]} {joins}")
        if isinstance(node, OrQ):
            if self._one_scan(node):
                return self._or_terms(node)
            names = [self.build(child) for child in node.children]
            if not names:
                return self._add("SELECT NULL::smallint AS muni, NULL::bigint AS docno, 0::float8 AS s WHERE false")
            union = " UNION ALL ".join(f"SELECT muni, docno, s FROM {n}" for n in names)
            return self._add(f"SELECT muni, docno, {node.boost!r} * sum(s) AS s FROM ({union}) u GROUP BY muni, docno")
        if isinstance(node, AndNotQ):
            positive, negative = self.build(node.positive), self.build(node.negative)
            return self._add(
                f"SELECT muni, docno, {node.boost!r} * s AS s FROM {positive} p "
                f"WHERE NOT EXISTS (SELECT 1 FROM {negative} x WHERE x.muni = p.muni AND x.docno = p.docno)"
            )
        if isinstance(node, AndMaybeQ):
            required, optional = self.build(node.required), self.build(node.optional)
            return self._add(
                f"SELECT r.muni, r.docno, {node.boost!r} * (r.s + coalesce(o.s, 0)) AS s FROM {required} r "
                f"LEFT JOIN {optional} o ON o.muni = r.muni AND o.docno = r.docno"
            )
        if isinstance(node, WildcardQ):
            if node.field not in TEXT_FIELDS:
                return self.build(NothingQ())
            self.params += [TEXT_FIELDS[node.field], _glob_to_like(node.pattern)]
            where = self._muni_filter("p")
            return self._add(
                f"SELECT DISTINCT p.muni, p.docno, {node.boost!r}::float8 AS s FROM postings p "
                f"WHERE p.field = %s AND p.term LIKE %s{where}"
            )
        if isinstance(node, AllQ):
            where = self._muni_filter("i")
            return self._add(f"SELECT i.muni, i.docno, {node.boost!r}::float8 AS s FROM items i WHERE true{where}")
        return self._add("SELECT NULL::smallint AS muni, NULL::bigint AS docno, 0::float8 AS s WHERE false")

    @staticmethod
    def _one_scan(node: OrQ) -> bool:
        """An OR of two or more field terms of the same index weight (a word in every field):
        answered by one scan of the postings."""
        terms = [c for c in node.children if isinstance(c, TermQ) and c.field in TEXT_FIELDS]
        return len(terms) == len(node.children) > 1 and len({INDEX_BOOSTS[t.field] for t in terms}) == 1

    def _or_terms(self, node: OrQ) -> str:
        """One scan of the postings of every (field, term) of the OR, each row scored with its
        field's weights, summed per item: what the OR of one CTE per term sums, with one index
        lookup per term in one plan node instead of a scan, a subplan and an Append branch each
        (planning a two-word query took as long as running it).  The expression is the single
        term's, term for term, and the rows of an item arrive in the children's order, so the
        sums are the same doubles."""
        terms = [c for c in node.children if isinstance(c, TermQ)]
        weights = [self._weights_of(t.field, t.text) for t in terms]
        weight = f"(p.tf * {INDEX_BOOSTS[terms[0].field]!r})"
        self.params += [
            [TEXT_FIELDS[t.field] for t in terms],
            [t.text for t in terms],
            [t.boost for t in terms],
            [idf for idf, _ in weights],
            [avg for _, avg in weights],
        ]
        where = self._muni_filter("p")
        score = f"w.boost * w.idf * ({weight} * {K1 + 1!r}) / ({weight} + {K1!r} * ({1 - B!r} + {B!r} * p.len / w.avg))"
        return self._add(
            f"SELECT p.muni, p.docno, {node.boost!r} * sum({score}) AS s "
            "FROM unnest(%s::smallint[], %s::text[], %s::float8[], %s::float8[], %s::float8[]) "
            "w(field, term, boost, idf, avg) "
            f"JOIN postings p ON p.field = w.field AND p.term = w.term{where} GROUP BY p.muni, p.docno"
        )

    def _term(self, node: TermQ) -> str:
        if node.field in TEXT_FIELDS:
            score = self._bm25("p", node.field, node.text, node.boost)
            self.params += [TEXT_FIELDS[node.field], node.text]
            where = self._muni_filter("p")
            return self._add(
                f"SELECT p.muni, p.docno, {score} AS s FROM postings p WHERE p.field = %s AND p.term = %s{where}"
            )
        condition = ATTRIBUTE_COLUMNS.get(node.field)
        if condition is None:
            return self.build(NothingQ())
        # Whoosh scores an unscorable (ID) field's match as its weight, 1, times the boost.
        self.params.append(node.text)
        where = self._muni_filter("i")
        return self._add(f"SELECT i.muni, i.docno, {node.boost!r}::float8 AS s FROM items i WHERE {condition}{where}")

    def _phrase(self, node: PhraseQ) -> str:
        if node.field not in POSITION_FIELDS or not node.words:
            return self.build(NothingQ())
        if len(node.words) == 1:
            return self._term(TermQ(node.field, node.words[0], boost=node.boost))
        if (offsets := long_phrase_offsets(node)) is not None:
            return self._long_phrase(node, offsets)
        code = TEXT_FIELDS[node.field]
        scores = [self._bm25(f"p{n}", node.field, word, 1.0) for n, word in enumerate(node.words)]
        froms = [f"postings p{n}" for n in range(len(node.words))]
        wheres = []
        for n, word in enumerate(node.words):
            self.params += [code, word]
            wheres.append(f"p{n}.field = %s AND p{n}.term = %s")
            if n:
                wheres.append(f"p{n}.muni = p0.muni AND p{n}.docno = p0.docno")
        positions = follows(node, "p")  # each next word at its distance from the previous one
        where = self._muni_filter("p0")
        # Placeholders in text order: the scores' (SELECT list), the words' (WHERE), the municipalities'.
        sql = (
            f"SELECT p0.muni, p0.docno, {node.boost!r} * ({' + '.join(scores)}) AS s "
            f"FROM {', '.join(froms)} WHERE {' AND '.join(wheres)} AND {positions}{where}"
        )
        return self._add(sql)

    def _long_phrase(self, node: PhraseQ, offsets: list[int]) -> str:
        """``_phrase`` of ``LONG_PHRASE`` words or more: the items holding its rarest word (by the
        weights read), each with the others' postings beside it (``around``; their tf and len,
        in order, for the score).  The score is the same sum, term by term, as a short phrase's."""
        code = TEXT_FIELDS[node.field]
        words = node.words
        known = self.weights or {}
        pivot = max(range(len(words)), key=lambda n: (known.get((node.field, words[n]), (0.0, 1.0))[0], -n))
        others = [n for n in range(len(words)) if n != pivot]
        scores = [
            self._bm25("p0", node.field, word, 1.0)
            if n == pivot
            else self._bm25("o", node.field, word, 1.0, f"[{others.index(n) + 1}]")
            for n, word in enumerate(words)
        ]
        # Placeholders in text order: the scores', the others' beside the pivot, the pivot's, the
        # others' positions, the municipalities'.
        self.params += [[words[n] for n in others], code]
        beside = (
            "LATERAL (SELECT count(*) AS found, array_agg(r.tf ORDER BY w.j) AS tf, array_agg(r.len ORDER BY w.j) AS len "
            "FROM unnest(%s::text[]) WITH ORDINALITY w(term, j) JOIN postings r ON r.field = %s AND r.term = w.term "
            "AND r.muni = p0.muni AND r.docno = p0.docno) o"
        )
        self.params += [code, words[pivot]]
        positions = around(
            [words[n] for n in others], [offsets[n] - offsets[pivot] for n in others], code, "p0", self.params
        )
        where = self._muni_filter("p0")
        sql = (
            f"SELECT p0.muni, p0.docno, {node.boost!r} * ({' + '.join(scores)}) AS s FROM postings p0, {beside} "
            f"WHERE p0.field = %s AND p0.term = %s AND o.found = {len(others)} AND {positions}{where}"
        )
        return self._add(sql)


def from_whoosh(query: Any) -> Node:
    """The tree of a query the Whoosh parser made (words analysed, fields and boosts set).

    A bridge while the search layer still parses with Whoosh's parser: the terms
    are ours either way, so both engines are asked exactly the same thing.
    """
    from whoosh import query as wq

    boost = float(getattr(query, "boost", 1.0))
    if isinstance(query, wq.Every):
        return AllQ(boost=boost)
    if isinstance(query, wq.Term):
        text = query.text.decode("utf-8") if isinstance(query.text, bytes) else str(query.text)
        return TermQ(query.fieldname, text, boost=boost)
    if isinstance(query, wq.Wildcard | wq.Prefix):
        text = query.text.decode("utf-8") if isinstance(query.text, bytes) else str(query.text)
        pattern = text + "*" if isinstance(query, wq.Prefix) else text
        return WildcardQ(query.fieldname, pattern, boost=boost)
    if isinstance(query, wq.Phrase):
        bounds = getattr(query, "bounds", None)  # a GappedPhrase's distances
        return PhraseQ(
            query.fieldname,
            [str(w) for w in query.words],
            int(query.slop),
            boost=boost,
            bounds=[(int(low), int(high)) for low, high in bounds] if bounds is not None else None,
        )
    if isinstance(query, wq.AndNot):
        return AndNotQ(from_whoosh(query.a), from_whoosh(query.b), boost=boost)
    if isinstance(query, wq.Not):
        return AndNotQ(AllQ(boost=0.0), from_whoosh(query.query), boost=boost)
    if isinstance(query, wq.Require):
        # Whoosh's Require scores by ``a`` alone: ``b`` only keeps items (a phrase's stop words in
        # the exact forms), so it weighs nothing here either.
        required = from_whoosh(query.b)
        required.boost = 0.0
        return AndQ([from_whoosh(query.a), required], boost=boost)
    if isinstance(query, wq.AndMaybe):
        return AndMaybeQ(from_whoosh(query.a), from_whoosh(query.b), boost=boost)
    if isinstance(query, wq.Or | wq.DisjunctionMax):
        return OrQ([from_whoosh(q) for q in query.subqueries], boost=boost)
    if isinstance(query, wq.And):
        return AndQ([from_whoosh(q) for q in query.subqueries], boost=boost)
    return NothingQ()


def _glob_to_like(pattern: str) -> str:
    escaped = pattern.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped.replace("*", "%").replace("?", "_")
