"""HTML from minutes: sanitised for display, flattened to clean text for the index."""

from __future__ import annotations

import html
import re

import nh3

ALLOWED_TAGS = {
    "p", "br", "b", "strong", "i", "em", "u", "ul", "ol", "li", "table", "thead",
    "tbody", "tr", "td", "th", "h2", "h3", "h4", "h5", "h6", "blockquote", "a", "span", "div", "sub", "sup",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}


def sanitize_html(fragment: str) -> str:
    """Keep structure (paragraphs, lists, tables), drop scripts, styles, handlers."""
    return nh3.clean(
        fragment,
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
    cleaned = nh3.clean(fragment, tags=ALLOWED_TAGS, attributes={})
    # Line breaks inside HTML source are plain whitespace (Word wraps "Punktet\nblev drøftet").
    cleaned = re.sub(r"\s+", " ", cleaned)
    text = _BLOCK.sub("\n", cleaned)
    text = _TAG.sub("", text)
    text = html.unescape(text).replace("\xa0", " ")
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
