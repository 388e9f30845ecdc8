"""How the search holds when the dev queries are typed another way: each asked again with one change.

    .venv/bin/python benchmarks/perturbed.py --change slip|form|compound|fold|extra|hyphen [--seed 1 --seed 3] [--workdir W] [--show]

* ``slip``: one slip of the kinds people make — two neighbouring letters swapped, one left out,
  one doubled, a neighbouring key on a Danish keyboard typed for a letter or beside it — in one
  word of six letters or more, never its first or last letter;
* ``form``: one word of five letters or more replaced by another form of its lemma (simplemma's
  Danish dictionary, the forms sharing the word's first four letters), as a user writes
  "vindmøllen" where the text writes "vindmøller";
* ``compound``: a compound the dictionary lacks, its head in another form ("vindmølleparkerne" →
  "vindmølleparken"): the words the analysis lemmatises through their head, most of a new text's
  compounds;
* ``fold``: a word with æ, ø or å typed as a keyboard without them types it — ae, oe, aa, or the
  letter without its mark (a, o, a) — as a user abroad or on a phone writes "hoering" or "kobenhavn";
* ``hyphen``: a compound the dictionary cuts written with a hyphen at its cut ("vindmølleparken" →
  "vindmølle-parken"), as users write "it-indkøbsregler" or "CO2-neutral";
* ``extra``: one word more, of five letters or more, from another dev query ("vindmøller høring"),
  as a user adds a word the item may not hold: the items holding all but one of the words then
  decide the ranking.

Dev part only: the test part's queries are never changed or asked here (``--wide`` asks the dev queries
over every input's index, as ``relevance.py --wide`` does: the test part's items compete, no test query
is asked).  Queries of the typo kind
(misspelt already), phrases in quotes and field queries are left as they are (not asked); each
changed query is judged as the query it came from, against the same indexes as
``benchmarks/relevance.py`` (``--workdir`` shares them: ``W/dev/minutes-search``, ``W/dev/snowball``).
Prints MRR@10 / recall@10 / nDCG@10 per system and seed, and how many answers the change lost: first
answers at rank 1 for the query as written, not in the top ten once changed.  ``--show``: the
changed queries that lost minutes-search its first answer so, or where it ranks the first answer
lower than Snowball only does.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from relevance import (
    PART_INPUTS,
    SYSTEMS,
    Evaluation,
    Query,
    build_index,
    evaluate,
    item_names,
    load_queries,
    resolve,
)
from simplemma.strategies.dictionaries import DefaultDictionaryFactory

from indexer.analysis.compounds import compound_cuts
from indexer.engines.whoosh.index import MinutesIndex
from indexer.search.service import SearchService

KEYBOARD_ROWS = ("qwertyuiopå", "asdfghjklæø", "zxcvbnm")
MIN_SLIPPED = 6
MIN_REFORMED = 5
MIN_MODIFIER = 3
MIN_FOLDED = 2
SAME_START = 4  # letters another form must share with the word (an inflection, not another word)
SYSTEMS_ASKED = ("minutes-search", "snowball")


def neighbours(letter: str) -> list[str]:
    """The keys beside ``letter`` in its row of a Danish keyboard."""
    for row in KEYBOARD_ROWS:
        at = row.find(letter)
        if at >= 0:
            return [row[i] for i in (at - 1, at + 1) if 0 <= i < len(row)]
    return []


def slipped(word: str, rng: random.Random) -> str | None:
    """``word`` with one slip inside it (not its first or last letter), or None."""
    for _ in range(20):
        kind, at = rng.choice(("swap", "drop", "double", "key", "beside")), rng.randrange(1, len(word) - 1)
        near = neighbours(word[at])
        if kind == "swap" and word[at] != word[at + 1]:
            return word[:at] + word[at + 1] + word[at] + word[at + 2 :]
        if kind == "drop":
            return word[:at] + word[at + 1 :]
        if kind == "double":
            return word[:at] + word[at] + word[at:]
        if kind == "key" and near:
            return word[:at] + rng.choice(near) + word[at + 1 :]
        if kind == "beside" and near:
            return word[:at] + rng.choice(near) + word[at:]
    return None


class Forms:
    """Another form of a word's lemma, from simplemma's Danish full-form dictionary."""

    def __init__(self) -> None:
        self.lemma_of = DefaultDictionaryFactory().get_dictionary("da")
        self.forms: dict[str, set[str]] = defaultdict(set)
        for form, lemma in self.lemma_of.items():
            for word in (form, lemma):
                if word.isalpha() and word.islower():
                    self.forms[lemma].add(word)

    def other(self, word: str, rng: random.Random) -> str | None:
        lemma = self.lemma_of.get(word, word)
        found = sorted(f for f in self.forms.get(lemma, ()) if f != word and f[:SAME_START] == word[:SAME_START])
        return rng.choice(found) if found else None

    def other_of_compound(self, word: str, rng: random.Random) -> str | None:
        """A compound the dictionary lacks, its head (the longest known word it ends on, after a
        modifier of three letters or more) in another form: "vindmølleparkerne" → "vindmølleparken"."""
        if word in self.lemma_of or word in self.forms:
            return None
        for cut in range(MIN_MODIFIER, len(word) - SAME_START + 1):
            head = word[cut:]
            if head in self.lemma_of or head in self.forms:
                other = self.other(head, rng)
                return word[:cut] + other if other else None
        return None


def hyphenated(word: str, rng: random.Random) -> str | None:
    """``word`` with a hyphen where the dictionary cuts it first, or None: no compound."""
    cuts = compound_cuts(word)
    if not cuts or cuts[0][0] + cuts[0][1] != word:
        return None
    return f"{cuts[0][0]}-{cuts[0][1]}"


FOLDINGS = {"æ": ("ae", "a"), "ø": ("oe", "o"), "å": ("aa", "a")}


def folded(word: str, rng: random.Random) -> str | None:
    """``word`` with every æ, ø and å typed as two letters, or (one time in four) as the bare
    letter; None when it has none."""
    if not any(ch in FOLDINGS for ch in word):
        return None
    way = 1 if rng.random() < 0.25 else 0
    return "".join(FOLDINGS[ch][way] if ch in FOLDINGS else ch for ch in word)


class Extra:
    """One more word after the query's: a word of five letters or more from another dev query, as
    a user adds a word the item may not hold ("vindmøller høring" for an item on vindmøller)."""

    def __init__(self, queries: list[Query]) -> None:
        self.words = sorted(
            {
                w.lower()
                for q in queries
                if q.category != "typo"
                for w in q.text.split()
                if len(w) >= MIN_REFORMED and w.isalpha()
            }
        )

    def added(self, word: str, rng: random.Random) -> str | None:
        return f"{word} {rng.choice(self.words)}"


def changed(
    query: Query, change: Callable[[str, random.Random], str | None], shortest: int, rng: random.Random
) -> Query | None:
    """The query with one of its words (of ``shortest`` letters or more) changed, or None."""
    if query.category == "typo" or '"' in query.text or ":" in query.text:
        return None
    words = query.text.split()
    spots = [i for i, word in enumerate(words) if len(word) >= shortest and word.isalpha()]
    rng.shuffle(spots)
    for at in spots:
        new = change(words[at].lower(), rng)
        if new and new != words[at].lower():
            text = " ".join([*words[:at], new, *words[at + 1 :]])
            return Query(text, query.category, query.grades, query.note, query.part, query.source)
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--change", choices=("slip", "form", "compound", "fold", "extra", "hyphen"), required=True)
    parser.add_argument("--seed", type=int, action="append", help="one run per seed (default 1)")
    parser.add_argument("--workdir", type=Path, help="keep (or reuse) the indexes there")
    parser.add_argument(
        "--wide",
        action="store_true",
        help="ask over every input's index (W/test/…, as relevance.py --wide): the test part's items compete",
    )
    parser.add_argument(
        "--show",
        action="store_true",
        help="changed queries that lost their first answer, or rank it below Snowball only",
    )
    args = parser.parse_args()
    queries = load_queries(("dev",))
    grades = resolve(queries, item_names())
    forms = Forms() if args.change in ("form", "compound") else None
    change = slipped if forms is None else forms.other if args.change == "form" else forms.other_of_compound
    if args.change == "extra":
        change = Extra(queries).added
    if args.change == "fold":
        change = folded
    if args.change == "hyphen":
        change = hyphenated
    shortest = MIN_FOLDED if args.change == "fold" else MIN_REFORMED if forms else MIN_SLIPPED
    with tempfile.TemporaryDirectory(prefix="perturbed-") as tmp:
        inputs = "test" if args.wide else "dev"
        base = Path(args.workdir or tmp) / inputs
        services = {}
        for system in SYSTEMS_ASKED:
            if not MinutesIndex.exists(base / system):
                build_index(base / system, SYSTEMS[system], PART_INPUTS[inputs])
            services[system] = SearchService(base / system)
        for seed in args.seed or [1]:
            rng = random.Random(seed)
            # (the query as written, its judgements, the query changed)
            kept = [(q, g, c) for q, g in zip(queries, grades, strict=True) if (c := changed(q, change, shortest, rng))]
            runs: dict[str, tuple[Evaluation, Evaluation]] = {}
            for system, service in services.items():
                asked, judged, typed = ([row[n] for row in kept] for n in range(3))
                runs[system] = (evaluate(service, system, asked, judged), evaluate(service, system, typed, judged))
            print(f"\n{args.change}, seed {seed}: {len(kept)} dev queries changed in one word")
            for system, (written, typed) in runs.items():
                lost = sum(
                    1
                    for w, t in zip(written.results, typed.results, strict=True)
                    if w.reciprocal_rank == 1 and t.reciprocal_rank == 0
                )
                w, t = written.overall(), typed.overall()
                print(
                    f"  {system:15} as written {w.mrr:.3f} / {w.recall:.3f} / {w.ndcg:.3f}"
                    f"  changed {t.mrr:.3f} / {t.recall:.3f} / {t.ndcg:.3f}  first answers lost {lost}"
                )
            if args.show:
                (written, ours), theirs = runs["minutes-search"], runs["snowball"][1].results
                for w, a, b in zip(written.results, ours.results, theirs, strict=True):
                    if a.reciprocal_rank < b.reciprocal_rank or (w.reciprocal_rank == 1 and a.reciprocal_rank == 0):
                        shown = f" (searched {a.used_suggestion!r})" if a.used_suggestion else ""
                        print(f"    {a.reciprocal_rank:.2f}, Snowball {b.reciprocal_rank:.2f}: {a.query.text!r}{shown}")
        for service in services.values():
            service.close()


if __name__ == "__main__":
    main()
