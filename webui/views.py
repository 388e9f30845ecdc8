"""HTML pages, the Atom feed, CSV export and the attachment route."""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import unicodedata
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from lxml import etree
from lxml.builder import ElementMaker
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from indexer.engines.base import EngineUnavailable
from indexer.model import COPENHAGEN
from indexer.search.meetings import public_meeting
from indexer.search.service import NOTHING_TO_SEARCH, AttachmentFile, nothing_to_search

from .params import parse_search_args, search_args
from .search_state import abort_missing, rejected_parameters, run_search, service
from .viewmodels import (
    KIND_LABELS,
    attachment_views,
    chip_views,
    danish_date,
    facet_views,
    filter_summary,
    hidden_filter_fields,
    history_views,
    hit_view,
    listing_view,
    meeting_view,
    pagination_view,
    section_views,
    sort_views,
    topic_views,
    treatments_switch,
)

views = Blueprint("views", __name__)

ATOM_NS = "http://www.w3.org/2005/Atom"
SITE_NAME = "Mødearkivet"
CSV_COLUMNS = [
    "id",
    "title",
    "committee",
    "municipality",
    "meeting_date",
    "item_number",
    "case_number",
    "decision",
    "url",
]
# The Excel export's header row, for people: the same columns in Danish.
EXCEL_HEADERS = {
    "id": "Id",
    "title": "Titel",
    "committee": "Udvalg",
    "municipality": "Kommune",
    "meeting_date": "Mødedato",
    "item_number": "Punkt",
    "case_number": "Sagsnummer",
    "decision": "Beslutning",
    "url": "Link",
}
ITEM_ID = re.compile(r"[0-9a-f]{8,64}")


@views.get("/")
def search() -> str | tuple[str, int]:
    run = run_search()
    response, req = run.response, run.params.request
    args = search_args(req)
    page = {
        "query": response.request.q,  # the correction's, when the typed words found nothing
        "searched": bool(args),
        "total": response.total,
        "error": response.error,
        "notices": run.notices,
        "suggestion": (
            {
                "text": response.suggestion,
                "url": url_for("views.search", **search_args(req, q=response.suggestion, page=None)),
            }
            if response.suggestion
            else None
        ),
        "correction": (
            {
                "shown": response.request.q,
                "typed": response.corrected_from,
                "typed_url": url_for(
                    "views.search", **search_args(req, q=response.corrected_from, page=None, literal="1")
                ),
            }
            if response.corrected_from
            else None
        ),
        "also_corrected": (
            {
                "shown": response.also_corrected,
                "url": url_for("views.search", **search_args(req, q=response.also_corrected, page=None)),
                "typed_url": url_for("views.search", **search_args(req, page=None, literal="1")),
                "typed_total": response.typed_total,
                "typed_label": "resultat" if response.typed_total == 1 else "resultater",
            }
            if response.also_corrected
            else None
        ),
        "partial": (
            response.partial.line(response.request.q or "", bool(response.also_corrected)) if response.partial else None
        ),
        "hits": [hit_view(r) for r in response.results],
        "first_number": (req.page - 1) * req.per_page + 1,
        "facets": facet_views(response),
        "chips": chip_views(req),
        "clear_url": url_for(
            "views.search",
            **search_args(
                req,
                committee=None,
                year=None,
                topic=None,
                municipality=None,
                type=None,
                to=None,
                page=None,
                **{"from": None},
            ),
        ),
        "sorts": sort_views(req),
        "treatments_switch": treatments_switch(req, response),
        "sort": req.sort,
        "pagination": pagination_view(response),
        "hidden_fields": hidden_filter_fields(req),
        "date_from": req.date_from.isoformat() if req.date_from else "",
        "date_to": req.date_to.isoformat() if req.date_to else "",
        "json_url": url_for("api.search", **args),
        "feed_url": url_for("views.feed", **search_args(req, page=None, sort=None)),
        "csv_url": url_for("views.export_csv", **search_args(req, page=None)),
        "excel_url": url_for("views.export_excel", **search_args(req, page=None)),
        # an item opened from here carries the search, so its "Søgning" link leads back to it
        "item_suffix": ("?" + urlencode(search_args(req), doseq=True)) if args else "",
    }
    html = render_template("search.html", page=page)
    return (html, 400) if g.get("undecodable_parameters") else html


@views.get("/items/<item_id>")
def item(item_id: str) -> str:
    search = service()
    found = search.item_page(item_id) if ITEM_ID.fullmatch(item_id) else None
    if found is None:
        abort_missing(item_id)
    data = found.item
    meeting_items = []
    for entry in found.meeting_items:
        meeting_items.append(
            {
                "number": entry["number"],
                "title": entry["title"] or "(uden titel)",
                "url": url_for("views.item", item_id=entry["id"])
                if entry["access"] == "open" and entry["id"]
                else None,
                "current": entry["id"] == item_id,
                "closed": entry["access"] != "open",
            }
        )
    back = search_args(parse_search_args(request.args).request)
    page = {
        "id": item_id,
        "search_url": url_for("views.search", **back),
        "search_query": request.args.get("q", "").strip()[:80],
        "title": data["title"] or "(uden titel)",
        "committee": data["committee"],
        # the committee's items, newest first: a search filtered on it
        "committee_url": url_for("views.search", committee=data["committee"]) if data.get("committee") else None,
        "municipality": data["municipality"],
        "meeting_url": url_for("views.meeting", meeting_id=data["meeting_id"]) if data.get("meeting_id") else None,
        "date": danish_date(data["meeting_date"]),
        "date_iso": (data["meeting_date"] or "")[:10],
        "type": KIND_LABELS.get(data.get("type") or "", ""),
        "item_number": data.get("item_number") or "",
        "case_number": data.get("case_number") or "",
        "location": data.get("location") or "",
        "route": data.get("route") or "",
        "topics": topic_views(data),
        "sections": section_views(data),
        "history": history_views(data),
        "absentees": data.get("absentees") or [],
        "attachments": attachment_views(data.get("attachments", [])),
        "source_document": source_document_view(item_id, data.get("source_document")),
        "meeting_items": meeting_items,
        "case_history": [listing_view(e) for e in found.case_history],
        "similar": [listing_view(e) for e in found.similar],
        "json_url": url_for("api.item", item_id=item_id),
        "case_search_url": (
            url_for("views.search", q=f'sag:"{data["case_number"]}"') if data.get("case_number") else None
        ),
    }
    return render_template("item.html", page=page)


@views.get("/meetings/<meeting_id>")
def meeting(meeting_id: str) -> str:
    data = public_meeting(service(), meeting_id) if ITEM_ID.fullmatch(meeting_id) else None
    if data is None:
        abort_missing(meeting_id)
    return render_template("meeting.html", page=meeting_view(data))


def download_name(title: str, suffix: str) -> str:
    """A filename every browser accepts: no separators or control characters; Danish letters kept."""
    name = unicodedata.normalize("NFC", title or "bilag")
    name = re.sub(r"[\x00-\x1f\x7f/\\:*?\"<>|]+", " ", name)
    name = re.sub(r"\s+", " ", name).strip(" .")[:120] or "bilag"
    if suffix and not name.lower().endswith(suffix.lower()):
        name += suffix
    return name


# The only types shown in the browser; everything else is a download.  The type comes from the
# archive name's suffix (which ingest wrote), never from a media type the input declared.
INLINE_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
}


def archived_file(source: Path | io.BytesIO, title: str, suffix: str) -> Response:
    """An archived file as a response that cannot act as a page of this site.

    PDF and images inline, anything else (HTML, SVG, office files …) as a download; a
    sandbox CSP and nosniff in any case.  ``no-cache`` with validators: a browser or
    proxy may keep the bytes but asks again each time, so a closed or forgotten
    attachment is gone at once rather than after a day.
    """
    suffix = suffix.lower()
    inline = suffix in INLINE_TYPES
    response = send_file(
        source,
        mimetype=INLINE_TYPES.get(suffix, "application/octet-stream"),
        as_attachment=not inline,
        download_name=download_name(title, suffix),
        max_age=None,
    )
    response.cache_control.no_cache = True
    response.cache_control.public = False
    response.headers["Content-Security-Policy"] = "sandbox"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def source_document_view(item_id: str, source: dict[str, Any] | None) -> dict[str, Any] | None:
    """ "Read from a whole-meeting document": its name, the page, a link to that page when it may be shown."""
    if not source:
        return None
    page = source.get("page")
    url = None
    if source.get("available"):
        url = url_for("views.source_document", item_id=item_id) + (f"#page={page}" if page else "")
    return {"title": source.get("title") or "mødedokument", "page": page, "url": url}


@views.get("/items/<item_id>/dokument")
def source_document(item_id: str) -> Response:
    """The whole-meeting document an item was read from (its open copy), for ``#page=N`` links."""
    if not ITEM_ID.fullmatch(item_id):
        abort(404)
    found = service().source_document(item_id)
    if found is None:
        abort_missing(item_id)
    return archived_or_source(found, found.meta.get("title") or "moededokument")


@views.get("/items/<item_id>/bilag/<int:number>")
def attachment(item_id: str, number: int) -> Response:
    if not ITEM_ID.fullmatch(item_id) or number < 1:
        abort(404)
    search = service()
    found = search.attachment(item_id, number - 1)
    if found is None:
        if search.get_item(item_id) is None:
            abort_missing(item_id)  # the item is gone, so are its files
        abort(404)
    return archived_or_source(found, found.meta.get("title") or f"bilag-{number}")


def archived_or_source(found: AttachmentFile, title: str) -> Response:
    """An open file from the engine's archive (a local file, or bytes from wherever the
    engine keeps them), else a redirect to where it came from, else 404."""
    suffix = Path(found.meta.get("archive_name") or "").suffix
    if found.path is not None and found.path.is_file():  # a content-hash name in a local archive
        return archived_file(found.path, title, found.path.suffix)
    if found.stream is not None:  # the archive is elsewhere (PostgreSQL: in the database)
        with found.stream:
            content = found.stream.read()
        return archived_file(io.BytesIO(content), title, suffix)
    source_url = found.source_url
    if source_url and re.match(r"https?://", source_url):
        return redirect(source_url, code=302)  # type: ignore[return-value]
    abort(404)


def _rejection() -> Response | None:
    """Feeds and exports are read by programs: a value outside the documented form is a 400."""
    rejected = rejected_parameters()
    if not rejected and nothing_to_search(parse_search_args(request.args).request.normalised()):
        rejected = [NOTHING_TO_SEARCH]  # as /api/search answers it, not an empty feed or file
    if rejected:
        return Response("\r\n".join(rejected) + "\r\n", status=400, mimetype="text/plain")
    return None


@views.get("/feed.atom")
def feed() -> Response:
    if (refused := _rejection()) is not None:
        return refused
    run = run_search(
        per_page=current_app.config["FEED_SIZE"], page=1, sort="newest", literal=True, every_treatment=True
    )
    req, response = run.params.request, run.response
    args = search_args(req, page=None, sort=None)
    E = ElementMaker(namespace=ATOM_NS, nsmap={None: ATOM_NS})
    title = f"Søgning: {req.q}" if req.q else "Seneste dagsordenspunkter"
    filters = filter_summary(req)
    if filters:  # a feed of one committee is named by it, not as every item's
        title = f"{title} ({filters})"
    stamps = [_atom_time(r.get("meeting_date")) for r in response.results]
    known = [stamp for stamp in stamps if stamp]
    # An empty feed is as new as the index it was read from, never 1970.
    newest = max(known, key=datetime.fromisoformat) if known else _index_time()
    root = E.feed(
        E.title(f"{title} – {SITE_NAME}"),
        E.id(stable_id("search", json.dumps(args, sort_keys=True, ensure_ascii=False))),
        E.link(rel="self", type="application/atom+xml", href=url_for("views.feed", _external=True, **args)),
        E.link(rel="alternate", type="text/html", href=url_for("views.search", _external=True, **args)),
        E.updated(newest),
        E.author(E.name(SITE_NAME)),
    )
    root.set("{http://www.w3.org/XML/1998/namespace}lang", "da")
    for result, stamp in zip(response.results, stamps, strict=True):
        link = url_for("views.item", item_id=result["id"], _external=True)
        summary = result.get("decision") or _strip_tags(result.get("snippet", ""))
        entry = E.entry(
            E.title(_xml_text(result.get("title") or "(uden titel)")),
            E.id(stable_id("item", result["id"])),  # the same whatever host name the feed is read through
            E.link(rel="alternate", type="text/html", href=link),
        )
        if stamp:
            entry.append(E.published(stamp))  # the meeting: when the decision was made public
        entry.append(E.updated(stamp or newest))
        entry.append(
            E.author(E.name(_xml_text(result.get("committee") or result.get("municipality") or "Ukendt udvalg")))
        )
        entry.append(E.summary(_xml_text(cut_at_word(summary, FEED_SUMMARY_CHARS))))
        if result.get("committee"):  # Atom requires a non-empty term
            entry.append(E.category(term=_xml_text(result["committee"]), label=_xml_text(result["committee"])))
        root.append(entry)
    body = etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
    return Response(body, mimetype="application/atom+xml")


FEED_SUMMARY_CHARS = 300
ID_NAMESPACE = uuid.UUID("6f1c2b2e-4d0e-5a53-9a55-6d696e757465")  # minutes-search's own namespace


def stable_id(kind: str, key: str) -> str:
    """A URN that names the entry, not the address it was fetched from (RFC 4287 §4.2.6)."""
    return uuid.uuid5(ID_NAMESPACE, f"{kind}:{key}").urn


def cut_at_word(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a word boundary with an ellipsis when cut at all."""
    flat = re.sub(r"\s+", " ", text or "").strip()
    flat = flat.removesuffix("…").rstrip() + ("…" if flat.endswith("…") else "")
    if len(flat) <= limit:
        return flat
    head = flat[: limit - 1]
    if " " in head:
        head = head.rsplit(" ", 1)[0]
    return head.rstrip(" ,;:.-–") + "…"


def _index_time() -> str:
    """When the live index last changed (RFC 3339)."""
    moment = service().last_changed() or datetime.now(tz=UTC)
    return moment.astimezone(COPENHAGEN).isoformat(timespec="seconds")


def _atom_time(value: str | None) -> str | None:
    """An RFC 3339 timestamp, as Atom requires: a date alone or a local time gets Danish time.
    None when the day is not known: a year alone is never passed off as 1 January."""
    if value and len(value) >= 10:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=COPENHAGEN)
        return moment.isoformat(timespec="seconds")
    return None


_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text: str) -> str:
    """lxml escapes markup; characters XML 1.0 cannot hold at all are dropped."""
    return _XML_INVALID.sub("", text)


def _strip_tags(snippet: str) -> str:
    import html

    return html.unescape(re.sub(r"</?mark>", "", snippet))


# A spreadsheet runs a cell that starts like a formula; a leading apostrophe keeps it text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """One CSV cell that a spreadsheet shows as text, never evaluates."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


@views.get("/export.csv")
def export_csv() -> Response:
    return _export(",", "soegning.csv")  # for programs: the documented English column names


@views.get("/export-excel.csv")
def export_excel() -> Response:
    """For Danish Excel, which splits a CSV on semicolons (comma is the decimal mark) and reads
    UTF-8 only after a BOM: a double click opens it in columns with æøå intact."""
    return _export(";", "soegning-excel.csv", header_row=EXCEL_HEADERS)


def _export(delimiter: str, filename: str, header_row: dict[str, str] | None = None) -> Response:
    if (refused := _rejection()) is not None:
        return refused
    limit = int(current_app.config["EXPORT_LIMIT"])
    params = parse_search_args(request.args, per_page=100)
    total, rows = service().iter_summaries(params.request, limit)  # our parser never fails
    out = io.StringIO()
    out.write("\ufeff")  # so spreadsheet programs read æøå as UTF-8
    writer = csv.DictWriter(
        out, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\r\n", delimiter=delimiter
    )
    writer.writerow(header_row or {k: k for k in CSV_COLUMNS})
    for result in rows[:limit]:
        row = {
            **{k: result.get(k) for k in CSV_COLUMNS},
            "meeting_date": (result.get("meeting_date") or "")[:10],
            "url": url_for("views.item", item_id=result["id"], _external=True),
        }
        writer.writerow({k: csv_cell(v) for k, v in row.items()})
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if total > limit:
        headers["X-Result-Truncated"] = f"{limit} of {total}"
    return Response(out.getvalue(), mimetype="text/csv", headers=headers)


def register_error_pages(app: Flask) -> None:
    """Danish error pages for the HTML side, JSON errors under /api/."""

    @app.errorhandler(404)
    @app.errorhandler(405)
    @app.errorhandler(410)
    @app.errorhandler(500)
    def error_page(error: Exception) -> tuple[Any, int, dict[str, str]]:
        code = error.code if isinstance(error, HTTPException) and error.code else 500
        messages = {
            404: ("Siden findes ikke", "Punktet eller siden findes ikke, eller den er ikke offentlig."),
            410: ("Punktet er fjernet", "Punktet er trukket tilbage eller fjernet og findes ikke længere."),
            405: ("Metoden er ikke tilladt", "Siden kan kun hentes med GET."),
            500: ("Der skete en fejl", "Der skete en uventet fejl. Prøv igen om lidt."),
        }
        if code == 410 and request.path.startswith(("/meetings/", "/api/meetings/")):
            messages[410] = ("Mødet er fjernet", "Mødet er fjernet og findes ikke længere.")
        title, text = messages.get(code, messages[500])
        # a 405 must say which methods the resource allows (RFC 9110)
        headers = (
            {"Allow": ", ".join(sorted(error.valid_methods))}
            if isinstance(error, MethodNotAllowed) and error.valid_methods
            else {}
        )
        if request.path.startswith("/api/"):
            return {"error": text, "status": code}, code, headers
        return render_template("error.html", page={"title": title, "text": text, "code": code}), code, headers

    @app.errorhandler(EngineUnavailable)
    def engine_unavailable(error: Exception) -> tuple[Any, int, dict[str, str]]:
        """The database is down or out of connections: a 503 that says so, asked again shortly
        (``cache_headers`` stores no error), never a 500 or an answer that blames the query."""
        log.warning("engine unavailable: %s", error)
        title, text = "Søgningen er midlertidigt utilgængelig", "Databasen svarer ikke lige nu. Prøv igen om lidt."
        headers = {"Retry-After": str(RETRY_AFTER_S)}
        if request.path.startswith("/api/"):
            return {"error": text, "status": 503}, 503, headers
        if request.path.endswith((".atom", ".csv")):
            return text + "\r\n", 503, {**headers, "Content-Type": "text/plain; charset=utf-8"}
        return render_template("error.html", page={"title": title, "text": text, "code": 503}), 503, headers


RETRY_AFTER_S = 30
log = logging.getLogger(__name__)
