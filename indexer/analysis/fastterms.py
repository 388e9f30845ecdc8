"""Index terms and positions for a text, without a Token object per word.

The Whoosh analyzer chain (tokeniser → filters) costs several generator steps
per word, for every indexed field of every item.  Danish minutes repeat a small
vocabulary, so here each distinct surface word is analysed once and remembered;
a text becomes a regex ``findall`` and a dict lookup per word.  The result is
the same term → positions map the analyzers in ``danish.py`` give (a stop word
left out where a kind drops it, its place kept: a word's position is its number
in the text, as Whoosh's StopFilter(renumber=False) leaves it).  Each kind checks itself against
its analyzer on first use and steps aside if they disagree.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from indexer.analysis import danish

log = logging.getLogger(__name__)

_WORDS = re.compile(danish.WORD_PATTERN)
_CACHE_LIMIT = 1_000_000
_MISSING = object()

# A sentence with stop words, compounds, hyphens, numbers, case, a decomposed å, a ligature, a
# soft hyphen, a zero-width joiner, full-width digits and a fraction.
SELF_CHECK_TEXT = (
    "Teknik- og Miljøudvalget godkendte personalepolitikken og it-strategien den 12.3.2019; "
    "\ufb01nansieringen af kommune\u00adplanen for ２０１６ tog 1½ time og 30 m² jord. "
    "Sagsnr. 710-2016-1739. Arbejdspladserne i Aarhus og Grena\u030a skal have en ny skolestruktur, "
    "og det er ikke til debat. Byhuset nedrives; tilbygningen ansøges. 40 % efter § 17, 5%. "
    "Indsatsplan StautrupA\u030abo og eDagsorden i KKR pr. 30.09.14, 3.1.2 og et 12-årigt barn. "
    "Vind\u200dmøllerne ved Luk\u2060ket sti."
)


def _lower(raw: str) -> str:
    word = danish.normalise_word(raw).lower()
    return danish.SIGN_WORDS.get(word, word)


def _camel_apart(raw: str) -> str:
    """``danish.camel_apart`` after normalising, as the parts analyzer's filters run."""
    return danish.camel_apart(danish.normalise_word(raw))


def _danish_term(raw: str) -> str | None:
    word = _lower(raw)
    if not word or word in danish.DANISH_STOP_WORDS:
        return None
    return str(danish.stem_term(word))


def _exact_term(raw: str) -> str:
    return _lower(raw)


def _parts_terms_of(
    parts_of: Callable[..., tuple[str, ...]],
) -> tuple[Callable[[str], tuple[str, ...] | None], Callable[[str, tuple[str, ...]], tuple[str, ...] | None]]:
    """The terms a parts field indexes for a word (``parts_of``: ``danish.index_parts``, or
    ``danish.compound_parts`` for the title's parts, without the verb family), and those of a
    suspended conjunct with the word it stands for (not cached)."""

    def terms(raw: str) -> tuple[str, ...] | None:
        word = _lower(_camel_apart(raw))
        if not word or word in danish.DANISH_STOP_WORDS:
            return None
        return tuple(str(danish.stem_term(part)) for part in parts_of(word))

    def completed_terms(raw: str, completed: tuple[str, ...]) -> tuple[str, ...] | None:
        word = _lower(_camel_apart(raw))
        if not word or word in danish.DANISH_STOP_WORDS:
            return None
        return tuple(dict.fromkeys(str(danish.stem_term(p)) for p in parts_of(word, completed)))

    return terms, completed_terms


_parts_terms, _completed_parts_terms = _parts_terms_of(danish.index_parts)
_title_parts_terms, _completed_title_parts_terms = _parts_terms_of(danish.compound_parts)


class _Kind:
    def __init__(
        self,
        analyse: Callable[[str], Any],
        analyzer: Callable[[], Any],
        stops: bool,
        multi: bool,
        completes: Callable[[str, tuple[str, ...]], Any] | None = None,
    ) -> None:
        self.analyse = analyse
        self.completes = completes  # suspended compounds completed (the parts field)
        self.analyzer = analyzer
        self.stops = stops  # stop words are left out (their place kept: a gap)
        self.multi = multi  # one word may give several terms at one position
        self.cache: dict[str, Any] = {}
        self.checked: bool | None = None


KINDS: dict[str, _Kind] = {
    "danish": _Kind(_danish_term, danish.danish_analyzer, stops=True, multi=False),
    "exact": _Kind(_exact_term, danish.exact_analyzer, stops=False, multi=False),
    "parts": _Kind(
        _parts_terms, lambda: danish.compound_analyzer(), stops=True, multi=True, completes=_completed_parts_terms
    ),
    "title_parts": _Kind(
        _title_parts_terms,
        lambda: danish.title_parts_analyzer(),
        stops=True,
        multi=True,
        completes=_completed_title_parts_terms,
    ),
}


def analyzer_positions(text: str, analyzer: Any) -> dict[str, list[int]]:
    """The reference: what Whoosh's own indexing path records for ``text``."""
    out: dict[str, list[int]] = {}
    for token in analyzer(text, positions=True, boosts=True, mode="index"):
        if not token.stopped:
            out.setdefault(token.text, []).append(token.pos)
    return out


def supported(kind: str) -> bool:
    """True when ``kind`` exists and agrees with its analyzer (checked once)."""
    entry = KINDS.get(kind)
    if entry is None:
        return False
    if entry.checked is None:
        try:
            fast = _positions(SELF_CHECK_TEXT, entry)
            slow = analyzer_positions(SELF_CHECK_TEXT, entry.analyzer())
            entry.checked = fast == slow
        except Exception:  # any surprise in the fast path means: use the analyzer
            log.exception("fast indexing path for %s failed its self-check", kind)
            entry.checked = False
        if not entry.checked:
            log.warning("fast indexing path for %s disagrees with its analyzer; using the analyzer", kind)
    return bool(entry.checked)


def term_positions(text: str, kind: str) -> dict[str, list[int]]:
    """Term → positions for ``text`` as the ``kind`` analyzer would index it."""
    return _positions(text, KINDS[kind])


def _positions(text: str, entry: _Kind) -> dict[str, list[int]]:
    cache = entry.cache
    if len(cache) > _CACHE_LIMIT:
        cache.clear()
    analyse = entry.analyse
    completed = danish.suspended_compounds(text) if entry.completes is not None else {}
    out: dict[str, list[int]] = {}
    words = _WORDS.findall(text) if not completed else [m.group() for m in _WORDS.finditer(text)]
    starts = [m.start() for m in _WORDS.finditer(text)] if completed else []
    for index, raw in enumerate(words):
        if completed and starts[index] in completed:
            assert entry.completes is not None
            result = entry.completes(raw, completed[starts[index]])
        else:
            result = cache.get(raw, _MISSING)
            if result is _MISSING:
                result = cache[raw] = analyse(raw)
        if result is None:
            continue
        if entry.multi:
            for term in result:
                if term in out:
                    out[term].append(index)
                else:
                    out[term] = [index]
        elif result in out:
            out[result].append(index)
        else:
            out[result] = [index]
    return out


def term_of(raw: str, kind: str) -> Any:
    """The cached term(s) one surface word becomes under ``kind`` (None for a stop word)."""
    entry = KINDS[kind]
    result = entry.cache.get(raw, _MISSING)
    if result is _MISSING:
        if len(entry.cache) > _CACHE_LIMIT:
            entry.cache.clear()
        result = entry.cache[raw] = entry.analyse(raw)
    return result


def iter_words(text: str) -> Any:
    """Word matches (with offsets) exactly as the analyzers tokenise."""
    return _WORDS.finditer(text)


def words(text: str) -> list[str]:
    """The words of ``text`` as ``iter_words`` finds them, without their offsets."""
    return _WORDS.findall(text)
