"""Plain dicts for the templates: every decision about what to show is made here."""

from __future__ import annotations

import re
import textwrap
from datetime import date, datetime
from typing import Any

import nh3
from flask import url_for
from markupsafe import Markup, escape

from indexer.model import printed_attachment_number
from indexer.sanitize import sanitize_html
from indexer.search.service import SearchRequest, SearchResponse

from .params import search_args, toggled

try:
    from indexer.topics import TOPIC_NAMES
except ImportError:  # topics are optional; codes are shown as they are
    TOPIC_NAMES = {}

MONTHS_DA = [
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
]
FACET_LABELS = {
    "committee": "Udvalg",
    "year": "År",
    "topic": "Emne",
    "municipality": "Kommune",
    "type": "Dokumenttype",
}
KIND_LABELS = {"dagsorden": "Dagsorden", "referat": "Referat"}
SORT_LABELS = {"relevance": "Relevans", "newest": "Nyeste", "oldest": "Ældste"}
SNIPPET_LABELS = {
    "titel": "Titel",
    "beslutning": "Beslutning",
    "sagsfremstilling": "Sagsfremstilling",
    "bilag": "Bilag",
}
HIT_ATTACHMENTS = 5  # a hit lists this many; the item page lists them all
SECTION_KIND_LABELS = {
    "body": "Sagsfremstilling",
    "decision": "Beslutning",
    "recommendation": "Indstilling",
    "history": "Sagens forløb",
}


def danish_date(value: str | date | None) -> str:
    """'2022-12-05T00:00:00+01:00' → '5. december 2022'; '' when unknown."""
    if not value:
        return ""
    moment: date
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
    else:
        moment = value
    day = moment.date() if isinstance(moment, datetime) else moment
    return f"{day.day}. {MONTHS_DA[day.month - 1]} {day.year}"


def iso_day(value: str | None) -> str:
    return (value or "")[:10]


def safe_snippet(snippet: str) -> Markup:
    """Snippets are escaped text with <mark> tags; anything else is removed."""
    return Markup(nh3.clean(snippet or "", tags={"mark"}, attributes={}))


def safe_section_html(fragment: str | None) -> Markup | None:
    """Section HTML was sanitised at ingest; sanitise again before trusting it."""
    if not fragment:
        return None
    return Markup(sanitize_html(fragment))


def paragraphs(text: str | None) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n|\n", text or "") if p.strip()]


def topic_label(code: str) -> str:
    name = TOPIC_NAMES.get(code)
    return f"{code} {name}" if name else code


def facet_value_label(name: str, value: str) -> str:
    if name == "topic":
        return topic_label(value)
    if name == "type":
        return KIND_LABELS.get(value, value)
    return value


def item_url(item_id: str) -> str:
    return url_for("views.item", item_id=item_id)


def attachment_views(attachments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """An item's attachments, each named as its source numbers it, in the order of their links
    (``/items/<id>/bilag/<n>`` is the n-th of this list, whatever number the source prints).

    Where the titles carry the numbering ("Indstilling", "Bilag 1: Beredskabsplan", "Bilag 2: …"),
    the titles alone name them: an index written before the formats read that numbering holds
    positions as numbers, and "Bilag 1: Indstilling" beside the source's own "Bilag 1" would send
    whoever cites "bilag 1" to the wrong file."""
    titled = any(printed_attachment_number(a.get("title")) for a in attachments)
    return [attachment_view(a, trust_number=not titled) for a in attachments]


def attachment_view(attachment: dict[str, Any], trust_number: bool = True) -> dict[str, Any]:
    """One attachment: "Bilag 3: Kort" when the source numbers it 3, its title alone when it has
    no number of its own (no number is made up from its place in the list)."""
    title = attachment.get("title") or ""
    number = printed_attachment_number(title) or (str(attachment.get("number") or "") if trust_number else "")
    if not title:
        title = f"Bilag {number}" if number else "Bilag"
    # "Bilag 1 - Scenarier" already names itself; "Bilag 1: Bilag 1 - Scenarier" would stutter
    label = title if title.casefold().startswith("bilag") or not number else f"Bilag {number}: {title}"
    return {
        "number": number,
        "title": title,
        "journal_number": attachment.get("journal_number"),
        "url": attachment.get("url"),
        "label": label,
        "media_type": attachment.get("media_type"),
    }


def hit_view(result: dict[str, Any]) -> dict[str, Any]:
    attachments = attachment_views(result.get("attachments", []))
    return {
        "id": result["id"],
        "title": result.get("title") or "(uden titel)",
        "url": item_url(result["id"]),
        "committee": result.get("committee", ""),
        "municipality": result.get("municipality", ""),
        "date": danish_date(result.get("meeting_date")),
        "date_iso": iso_day(result.get("meeting_date")),
        "type": KIND_LABELS.get(result.get("type") or "", ""),
        "item_number": result.get("item_number") or "",
        "case_number": result.get("case_number") or "",
        "snippet": safe_snippet(result.get("snippet", "")),
        "snippet_label": SNIPPET_LABELS.get(result.get("snippet_field") or "", result.get("snippet_field") or ""),
        "decision": result.get("decision") or "",
        "attachments": attachments[:HIT_ATTACHMENTS],
        "more_attachments": max(0, len(attachments) - HIT_ATTACHMENTS),
        "missing": result.get("missing") or [],
        "correction": result.get("correction") or "",
        "also_treated": [treatment_view(t) for t in result.get("also_treated") or []],
    }


# A treatment listed under a row shows the first words of its decision, a line at most.
TREATMENT_DECISION = 160


def treatment_view(treatment: dict[str, Any]) -> dict[str, Any]:
    """Another treatment of a listed case (``also_treated``): a link named by its committee and date."""
    return {
        "url": item_url(treatment["id"]),
        "committee": treatment.get("committee") or "",
        "date": danish_date(treatment.get("meeting_date")),
        "date_iso": iso_day(treatment.get("meeting_date")),
        "decision": textwrap.shorten(treatment.get("decision") or "", TREATMENT_DECISION, placeholder=" …"),
    }


def facet_views(response: SearchResponse) -> list[dict[str, Any]]:
    """Facets to show, in display order; topic and municipality only when they tell something."""
    request = response.request
    out = []
    for service_name, name in (
        ("committee", "committee"),
        ("year", "year"),
        ("topic", "topic"),
        ("municipality", "municipality"),
        ("kind", "type"),
    ):
        values = response.facets.get(service_name, [])
        if name == "topic" and not values:
            continue
        if name == "municipality" and len(values) < 2 and not any(v["selected"] for v in values):
            continue
        if not values:
            continue
        out.append(
            {
                "name": name,
                "label": FACET_LABELS[name],
                "values": [
                    {
                        "value": v["value"],
                        "label": facet_value_label(name, v["value"]),
                        "count": v["count"],
                        "selected": v["selected"],
                        "url": url_for("views.search", **toggled(request, name, v["value"])),
                    }
                    for v in values
                ],
            }
        )
    return out


def topic_views(item: dict[str, Any]) -> list[dict[str, str]]:
    """The item's topics as links to a search filtered on each."""
    out = []
    for topic in item.get("topics") or []:
        code = str(topic.get("code") or "") if isinstance(topic, dict) else str(topic)
        if code:
            out.append({"code": code, "label": topic_label(code), "url": url_for("views.search", topic=code)})
    return out


# The facet filters a search may hold: (URL name, request attribute), in the order chips say them.
FILTER_FACETS = (
    ("committee", "committee"),
    ("year", "year"),
    ("topic", "topic"),
    ("municipality", "municipality"),
    ("type", "kind"),
)


def chip_views(request: SearchRequest) -> list[dict[str, str]]:
    chips = []
    for name, attr in FILTER_FACETS:
        for value in getattr(request, attr):
            chips.append(
                {
                    "label": f"{FACET_LABELS[name]}: {facet_value_label(name, value)}",
                    "url": url_for("views.search", **toggled(request, name, value)),
                }
            )
    if request.date_from:
        chips.append(
            {
                "label": f"Fra: {danish_date(request.date_from)}",
                "url": url_for("views.search", **search_args(request, page=None, **{"from": None})),
            }
        )
    if request.date_to:
        chips.append(
            {
                "label": f"Til: {danish_date(request.date_to)}",
                "url": url_for("views.search", **search_args(request, page=None, to=None)),
            }
        )
    return chips


def filter_summary(request: SearchRequest) -> str:
    """The filters of a search in words, as its chips say them: "Udvalg: Økonomiudvalget; År: 2021"."""
    parts = []
    for name, attr in FILTER_FACETS:
        values = getattr(request, attr)
        if values:
            parts.append(f"{FACET_LABELS[name]}: {', '.join(facet_value_label(name, v) for v in values)}")
    if request.date_from:
        parts.append(f"Fra: {danish_date(request.date_from)}")
    if request.date_to:
        parts.append(f"Til: {danish_date(request.date_to)}")
    return "; ".join(parts)


def pagination_view(response: SearchResponse) -> dict[str, Any] | None:
    request = response.request
    pages = response.pages
    if pages <= 1:
        return None

    def link(page: int) -> str:
        return url_for("views.search", **search_args(request, page=page))

    window = sorted({1, pages, *range(max(1, request.page - 2), min(pages, request.page + 2) + 1)})
    numbers: list[dict[str, Any]] = []
    previous = 0
    for page in window:
        if page - previous > 1:
            numbers.append({"gap": True})
        numbers.append({"page": page, "url": link(page), "current": page == request.page})
        previous = page
    return {
        "prev": link(request.page - 1) if request.page > 1 else None,
        "next": link(request.page + 1) if request.page < pages else None,
        "numbers": numbers,
        "page": request.page,
        "pages": pages,
    }


def sort_views(request: SearchRequest) -> list[dict[str, Any]]:
    return [
        {
            "value": value,
            "label": label,
            "selected": value == request.sort,
            "url": url_for("views.search", **search_args(request, sort=value, page=None)),
        }
        for value, label in SORT_LABELS.items()
    ]


def treatments_switch(request: SearchRequest, response: SearchResponse) -> dict[str, str] | None:
    """The link between one row per case (treatments listed under it) and one row per treatment;
    shown where it changes the page: a row lists other treatments, or each is asked for."""
    if request.every_treatment:
        label, value = "Saml behandlinger af samme sag", None
    elif any(hit.get("also_treated") for hit in response.results):
        label, value = "Vis hver behandling for sig", "1"
    else:
        return None
    return {"label": label, "url": url_for("views.search", **search_args(request, every_treatment=value, page=None))}


def hidden_filter_fields(request: SearchRequest) -> list[tuple[str, str]]:
    """Filters a new query from the search box keeps (removable as chips), and a sort order
    the user chose; the default order is left out so a new query ranks by relevance."""
    args = search_args(request, q=None, page=None)
    fields: list[tuple[str, str]] = []
    for key, value in args.items():
        if key in ("from", "to"):
            continue  # shown as visible date inputs
        for v in value if isinstance(value, list) else [value]:
            fields.append((key, str(v)))
    return fields


def section_views(item: dict[str, Any]) -> list[dict[str, Any]]:
    """Sections in order; the decision is marked. Decisions not printed as sections come last."""
    out = []
    has_decision_section = False
    for section in item.get("sections", []):
        kind = section.get("kind", "body")
        has_decision_section = has_decision_section or kind == "decision"
        heading = section.get("heading") or SECTION_KIND_LABELS.get(kind, "Tekst")
        out.append(
            {
                "heading": heading,
                "kind": kind,
                "is_decision": kind == "decision",
                "badge_hidden": "beslutning" in heading.casefold(),  # the heading already says it aloud
                "html": safe_section_html(section.get("html")),
                "paragraphs": paragraphs(section.get("text")),
            }
        )
    if not has_decision_section:
        for decision in item.get("decisions", []):
            heading = decision.get("heading") or " ".join(
                p
                for p in (
                    "Beslutning",
                    f"i {decision['body']}" if decision.get("body") else "",
                    f"den {danish_date(decision.get('date'))}" if decision.get("date") else "",
                )
                if p
            )
            out.append(
                {
                    "heading": heading,
                    "kind": "decision",
                    "is_decision": True,
                    "badge_hidden": "beslutning" in heading.casefold(),
                    "html": safe_section_html(decision.get("html")),
                    "paragraphs": paragraphs(decision.get("text")),
                }
            )
    return out


def history_views(item: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "heading": d.get("heading") or " ".join(p for p in (d.get("body", ""), danish_date(d.get("date"))) if p),
            "paragraphs": paragraphs(d.get("text")),
        }
        for d in item.get("history", [])
    ]


def listing_view(entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": entry.get("title") or "(uden titel)",
        "url": item_url(entry["id"]) if entry.get("id") and entry.get("access", "open") == "open" else None,
        "committee": entry.get("committee", ""),
        "date": danish_date(entry.get("meeting_date")),
        "item_number": entry.get("item_number") or entry.get("number") or "",
        "case_number": entry.get("case_number") or "",
        "decision": entry.get("decision") or "",
    }


def escape_text(text: str) -> Markup:
    return escape(text)


def meeting_view(meeting: dict[str, Any]) -> dict[str, Any]:
    """A meeting's page: its facts, its items in agenda order (closed ones a numbered stub with
    no link), and the whole-meeting documents, each opened through an item read from it."""
    date = danish_date(meeting.get("meeting_date"))
    kind = KIND_LABELS.get(meeting.get("type") or "", "")
    return {
        "id": meeting["id"],
        "title": " – ".join(p for p in (meeting.get("committee") or "Ukendt udvalg", date) if p),
        "committee": meeting.get("committee") or "",
        "committee_url": url_for("views.search", committee=meeting["committee"]) if meeting.get("committee") else None,
        "municipality": meeting.get("municipality") or "",
        "date": date,
        "date_iso": iso_day(meeting.get("meeting_date")),
        "type": kind,
        "location": meeting.get("location") or "",
        "agenda": [
            {
                "number": entry.get("number") or "",
                "title": entry.get("title") or "(uden titel)",
                "url": item_url(entry["id"]) if entry.get("id") and entry.get("access") == "open" else None,
            }
            for entry in meeting.get("items", [])
        ],
        "documents": [
            {
                "title": document.get("title") or "Mødedokument",
                "url": url_for("views.source_document", item_id=document["item_id"]) if document["available"] else None,
            }
            for document in meeting.get("documents", [])
        ],
        "json_url": url_for("api.meeting", meeting_id=meeting["id"]),
    }
