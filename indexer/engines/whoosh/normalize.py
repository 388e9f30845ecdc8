"""Whoosh's query normalisation, each shared subtree once.

A query holding most of the typed words (``ast.relaxations``) repeats each word in many
combinations; the translator builds each word's Whoosh query once and shares it.  Whoosh's own
``normalize`` walks every occurrence again, hashes every subtree again at every level to drop
duplicates, and folds a one-clause Or's boost into its clause through ``copy.deepcopy`` of the
whole clause: on a six-word query with no item holding all six, about two thirds of the search.

``normalized`` gives the same query (equal by Whoosh's own ``==``, so the same matches and
scores) with each shared subtree normalised and hashed once and a boost set on a shallow copy.
Subtrees are never changed after they are built, so sharing them is safe; Whoosh itself shares
them between the query it was given and the one it returns.
"""

from __future__ import annotations

import copy
from typing import Any

import whoosh.query as wq
from whoosh.query import qcore


def normalized(query: wq.Query) -> wq.Query:
    """``query.normalize()``, each shared subtree once."""
    result: wq.Query = _Normaliser().normalized(query)
    return result


class _Normaliser:
    def __init__(self) -> None:
        # id → (the query, kept alive so its id is not reused; its normal form)
        self._done: dict[int, tuple[Any, Any]] = {}
        self._keys = SubtreeKeys()

    def normalized(self, query: Any) -> Any:
        found = self._done.get(id(query))
        if found is not None:
            return found[1]
        result = self._normalise(query)
        self._done[id(query)] = (query, result)
        return result

    def _normalise(self, query: Any) -> Any:
        if type(query) in (wq.AndNot, wq.AndMaybe):
            a, b = self.normalized(query.a), self.normalized(query.b)
            if a is qcore.NullQuery:
                return qcore.NullQuery
            if b is qcore.NullQuery:
                return a
            return type(query)(a, b)
        if type(query) in (wq.And, wq.Or):
            return self._compound(query)
        if type(query) is wq.Not:
            inner = self.normalized(query.query)
            return inner if inner is qcore.NullQuery else wq.Not(inner, boost=query.boost)
        # a leaf (cheap, nothing below it), or a kind the translator does not build: Whoosh's own
        return query.normalize()

    def _compound(self, query: Any) -> Any:
        """``CompoundQuery.normalize`` for And and Or (and ``Or.normalize``'s minmatch and scale)."""
        kind = type(query)
        subqueries: list[Any] = []
        for sub in query.subqueries:
            sub = self.normalized(sub)
            if isinstance(sub, kind):
                subqueries += [_boosted(s, s.boost * sub.boost) for s in sub.subqueries]
            else:
                subqueries.append(sub)
        if all(q is qcore.NullQuery for q in subqueries):
            return qcore.NullQuery
        if any(isinstance(q, wq.Every) and q.fieldname is None for q in subqueries):
            return wq.Every()
        if any(isinstance(q, wq.TermRange | wq.NumericRange) for q in subqueries):
            return kind(subqueries, boost=query.boost).normalize()  # ranges merge: Whoosh's own
        every_fields = {q.fieldname for q in subqueries if isinstance(q, wq.Every)}
        kept: list[Any] = []
        seen: set[SubtreeKey] = set()
        for sub in subqueries:
            if every_fields and not isinstance(sub, wq.Every) and sub.field() in every_fields:
                continue
            key = self._keys.key(sub)
            if key in seen:
                continue
            seen.add(key)
            kept.append(sub)
        kept = [q for q in kept if q is not qcore.NullQuery]
        if not kept:
            return qcore.NullQuery
        if len(kept) == 1:
            only = kept[0]
            only_boost = getattr(only, "boost", 1.0)
            if not (query.boost == 1.0 and only_boost == 1.0):
                only = _boosted(only, only_boost * query.boost)
            return only
        result = kind(kept, boost=query.boost)
        if kind is wq.Or:
            result.minmatch, result.scale = query.minmatch, query.scale
        return result


class SubtreeKeys:
    """Each query of one evaluation as a dict or set key whose hash is computed once a subtree:
    Whoosh's own ``__hash__`` walks a compound's whole subtree again at every level."""

    def __init__(self) -> None:
        self._keys: dict[int, tuple[Any, int]] = {}  # id → (the query, kept alive; its hash)

    def key(self, query: Any) -> SubtreeKey:
        return SubtreeKey(query, self._hash(query))

    def _hash(self, query: Any) -> int:
        """A hash equal for queries Whoosh finds equal: Whoosh's own for a leaf, the class, boost
        and clauses' hashes for an And or Or, the class and both sides' for an AndNot or AndMaybe."""
        found = self._keys.get(id(query))
        if found is not None:
            return found[1]
        if type(query) in (wq.And, wq.Or):
            value = hash((type(query), query.boost, tuple(self._hash(s) for s in query.subqueries)))
        elif type(query) in (wq.AndNot, wq.AndMaybe):
            value = hash((type(query), self._hash(query.a), self._hash(query.b)))
        else:
            value = hash(query)
        self._keys[id(query)] = (query, value)
        return value


class SubtreeKey:
    """A query in a set by a hash computed once; equal by Whoosh's ``==`` (identity first)."""

    __slots__ = ("query", "value")

    def __init__(self, query: Any, value: int) -> None:
        self.query, self.value = query, value

    def __hash__(self) -> int:
        return self.value

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, SubtreeKey) and (self.query is other.query or bool(self.query == other.query))


def _boosted(query: Any, boost: float) -> Any:
    """``query.with_boost(boost)`` without its deep copy: a copy of the query alone with the
    boost set, its clauses shared; a two-clause query passes the boost on as Whoosh's does."""
    own = type(query).with_boost
    if own is wq.AndNot.with_boost:
        return wq.AndNot(_boosted(query.a, boost), query.b)
    if own is wq.BinaryQuery.with_boost:
        return type(query)(_boosted(query.a, boost), _boosted(query.b, boost))
    if own is not qcore.Query.with_boost or query is qcore.NullQuery:
        return query.with_boost(boost)  # a kind the translator does not build: Whoosh's own
    if query.boost == boost:
        return query
    copied = copy.copy(query)
    copied.boost = boost
    return copied
