"""HTML from minutes: sanitised for display, flattened to clean text for the index."""

from __future__ import annotations

import html
import re
import unicodedata

import nh3

ALLOWED_TAGS = {
    "p", "br", "b", "strong", "i", "em", "u", "ul", "ol", "li", "table", "thead",
    "tbody", "tr", "td", "th", "h2", "h3", "h4", "h5", "h6", "blockquote", "a", "span", "div", "sub", "sup",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}


# Elements nested deeper than this are flattened (their tags dropped, their text kept): the
# HTML parser's time grows with the square of the depth (60,000 nested <div>s took 19 s), and
# no minutes are written 100 levels deep.
MAX_DEPTH = 100
# Tags that never hold others open (void) or that the next sibling closes: not counted as depth.
_UNCOUNTED = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr",
     "p", "li", "td", "th", "tr", "dt", "dd", "option"}
)  # fmt: skip
_ANY_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)(?:\s[^>]*)?>")
_flattened = 0  # fragments flattened in this process, for ``flattened_count``


def flattened_count() -> int:
    """How many fragments this process has flattened so far (a parse compares before and after)."""
    return _flattened


def limit_depth(fragment: str, max_depth: int = MAX_DEPTH) -> str:
    """``fragment`` with the tags of elements nested deeper than ``max_depth`` dropped, in one
    linear pass; unchanged (the same object) when it is not that deep."""
    global _flattened
    if fragment.count("<") < max_depth:
        return fragment
    depth = 0
    deep = False
    out: list[str] = []
    last = 0
    for match in _ANY_TAG.finditer(fragment):
        name = match.group(2).lower()
        if name in _UNCOUNTED or match.group(0).endswith("/>"):
            continue
        closing = match.group(1) == "/"
        if not closing:
            depth += 1
        if depth > max_depth:
            deep = True
            out.append(fragment[last : match.start()])
            out.append(" ")
            last = match.end()
        if closing:
            depth = max(0, depth - 1)
    if not deep:
        return fragment
    _flattened += 1
    out.append(fragment[last:])
    return "".join(out)


def sanitize_html(fragment: str) -> str:
    """Keep structure (paragraphs, lists, tables), drop scripts, styles, handlers."""
    return nh3.clean(
        limit_depth(fragment),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


_BLOCK = re.compile(r"</?(p|div|br|li|tr|h[1-6]|table|ul|ol|blockquote)\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")


def html_to_text(fragment: str) -> str:
    """Readable plain text: block elements become line breaks, entities decoded."""
    cleaned = nh3.clean(limit_depth(fragment), tags=ALLOWED_TAGS, attributes={})
    # Line breaks inside HTML source are plain whitespace (Word wraps "Punktet\nblev drøftet").
    cleaned = re.sub(r"\s+", " ", cleaned)
    text = _BLOCK.sub("\n", cleaned)
    text = _TAG.sub("", text)
    text = html.unescape(text).replace("\xa0", " ")
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _unprintable(char: str) -> bool:
    """A character that moves the cursor, starts a new line or reorders text on a terminal: the
    C0 and C1 controls, DEL, the line and paragraph separators, the bidirectional controls."""
    return unicodedata.category(char) in ("Cc", "Zl", "Zp") or char in _BIDI_CONTROLS


_BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def printable(text: str) -> str:
    """A name from outside (a file name, a command line) fit to print on one line of a report:
    each control character as Python writes it in a string (``\\n``, ``\\x1b``, ``\\u202e``).  A
    file named ``"evil\\nrejected: forged line.txt"`` would otherwise print as two lines, the
    second a forged one."""
    if text.isprintable():
        return text
    return "".join(char.encode("unicode_escape").decode("ascii") if _unprintable(char) else char for char in text)
