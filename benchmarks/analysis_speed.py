"""Words per second through the analysis pipelines, over the real corpus.

    .venv/bin/python benchmarks/analysis_speed.py [--rounds N]

Reports a cold run (empty caches: dictionary load and first lookups) and warm runs
(the steady state of a long ingest), for the Snowball baseline, the new
lemma-then-stem analyzer and the compound-parts analyzer, token by token; then the ingest's own
path (``fastterms``: each distinct word analysed once) for the exact, stemmed and parts fields.
"""

from __future__ import annotations

import argparse
import time

from corpus_words import corpus_texts

from indexer.analysis import compounds, danish, fastterms, lexicon


def words_per_second(analyzer, texts: list[str]) -> tuple[int, float]:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    count = 0
    for text in texts:
        for _token in analyzer(text, mode="index"):
            count += 1
    return count, time.perf_counter() - started


def clear_caches() -> None:
    """Empty the analysis caches that still exist (``lemmatise`` keeps none since its table is a dict)."""
    for function in (danish.stem_term, lexicon.lemmatise, compounds.split_compound, compounds._split):
        getattr(function, "cache_clear", lambda: None)()
    for kind in fastterms.KINDS.values():
        kind.cache.clear()


def fast_words_per_second(kind: str, texts: list[str]) -> float:
    """Seconds for the ingest's path (``fastterms.term_positions``: each distinct word analysed once)."""
    started = time.perf_counter()
    for text in texts:
        fastterms.term_positions(text, kind)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    texts = corpus_texts()
    tokens = sum(1 for text in texts for _ in danish.exact_analyzer()(text))
    print(f"corpus: {len(texts)} documents, {tokens} tokens")

    started = time.perf_counter()
    lexicon.is_known("kommune")
    print(f"dictionary load: {time.perf_counter() - started:.2f} s")

    for name, analyzer in [
        ("snowball (old)", danish.snowball_analyzer()),
        ("lemma+snowball (new)", danish.danish_analyzer()),
        ("compound parts", danish.compound_analyzer()),
    ]:
        clear_caches()
        _, cold = words_per_second(analyzer, texts)
        warm = min(words_per_second(analyzer, texts)[1] for _ in range(args.rounds))
        print(f"{name:22s} cold {tokens / cold:10,.0f} words/s   warm {tokens / warm:10,.0f} words/s")
    for kind in ("exact", "danish", "parts"):
        clear_caches()
        cold = fast_words_per_second(kind, texts)
        warm = min(fast_words_per_second(kind, texts) for _ in range(args.rounds))
        print(f"{'fast ' + kind:22s} cold {tokens / cold:10,.0f} words/s   warm {tokens / warm:10,.0f} words/s")


if __name__ == "__main__":
    main()
