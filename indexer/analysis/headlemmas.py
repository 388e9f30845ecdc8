"""How the dictionary lemmatises a word when it ends a compound: a table read off its own paradigms.

An unknown compound is lemmatised through its longest known head ("jobcentret" → "job" +
lemma("centret")), but a head on its own is often read as another word than the one compounds
end in: alone, "centret" is a form of *centrum*, "priser" of the verb *prise*, "analyser" and
"budgetter" of verbs in -ere, "cykler" of *cyklus*; yet the dictionary's own compounds say
plejecentret → plejecenter, elpriser → elpris, risikoanalyser → risikoanalyse.  Counting, over
every compound form the dictionary lists, which lemma its head takes there gives the reading a
new compound most likely has, and the head alone is read so too, unless its own reading is a
verb's (``lexicon.lemmatise``).  A head enters the table when at least ``MIN_VOTES`` compounds
agree on a lemma other than the head's own, by a share of ``MIN_SHARE``, and that lemma is a
word of its own of ``MIN_LEMMA`` letters or more.  Only compounds whose left side is a word count,
which leaves out the pieces a cut across a suffix gives ("-ringer" of forand·ringer).

    .venv/bin/python -m indexer.analysis.headlemmas   # rewrites indexer/resources/compound-head-lemmas.json

The table is generated, never edited by hand; ``tests/analysis`` checks it matches the dictionary.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

TABLE_FILE = Path(__file__).resolve().parents[1] / "resources" / "compound-head-lemmas.json"
MIN_COMPOUND_FORM = 8  # shortest compound form counted
MIN_MODIFIER = 3
MIN_HEAD = 6  # shortest head given a reading of its own
MIN_LEMMA = 4
MIN_VOTES = 5
MIN_SHARE = 0.75


def _text(value: str | bytes) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


def _is_modifier(piece: str, own: Mapping[str, str]) -> bool:
    """A word of its own, bare or before a linking -s- or -e- (pleje·centret, vand·s·priser):
    a cut elsewhere crosses a suffix (forand·ringer is forandring + -er, no compound of "ringer")."""
    return piece in own or (piece[-1] in "se" and piece[:-1] in own)


def build_table(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Head form → the lemma the dictionary's compounds give it, where that differs from its own."""
    own = {form: lemma for form, lemma in pairs}
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for form, lemma in own.items():
        for cut in range(MIN_MODIFIER, len(form) - MIN_LEMMA + 1) if len(form) >= MIN_COMPOUND_FORM else ():
            head = form[cut:]
            if head in own:  # the longest known head, as ``lexicon.lemmatise`` takes it
                if lemma[:cut] == form[:cut] and _is_modifier(form[:cut], own):
                    votes[head][lemma[cut:]] += 1
                break
    table = {}
    for head, counted in votes.items():
        lemma, count = counted.most_common(1)[0]
        if (
            len(head) >= MIN_HEAD
            and lemma != own[head]
            and len(lemma) >= MIN_LEMMA
            and len(lemma) <= len(head) + 2
            and own.get(lemma) == lemma
            and count >= MIN_VOTES
            and count >= MIN_SHARE * sum(counted.values())
        ):
            table[head] = lemma
    return dict(sorted(table.items()))


def dictionary_pairs(forms: Mapping[str, str] | Mapping[bytes, bytes]) -> list[tuple[str, str]]:
    """(form, lemma) of the dictionary; simplemma's mapping keeps bytes underneath."""
    raw: Mapping[Any, Any] = getattr(forms, "_dict", forms)
    return [(_text(form), _text(lemma)) for form, lemma in raw.items()]


def main() -> None:
    from indexer.analysis.lexicon import _forms

    table = build_table(dictionary_pairs(_forms()))
    TABLE_FILE.write_text(json.dumps(table, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"{len(table)} heads → {TABLE_FILE}")


if __name__ == "__main__":
    main()
