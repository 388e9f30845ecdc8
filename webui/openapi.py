"""OpenAPI 3 description of the JSON API, built in Python so it stays next to the routes."""

from __future__ import annotations

from typing import Any

from indexer.search.treatments import TREATMENT_FIELDS


def _param(name: str, description: str, schema: dict[str, Any], repeatable: bool = False) -> dict[str, Any]:
    if repeatable:
        schema = {"type": "array", "items": schema}
    param: dict[str, Any] = {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }
    if repeatable:
        param.update(style="form", explode=True)
    return param


# Free text, less the control characters every route refuses (programs) or strips (pages).
TEXT = {"type": "string", "pattern": "^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffe\uffff]*$"}

# A search form sends its date fields empty when they are not filled in.
DATE_OR_EMPTY = {"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "maxLength": 0}]}

SEARCH_PARAMETERS = [
    _param(
        "q",
        'Query: words, "phrases", AND/OR/NOT (OG/ELLER/IKKE), prefixes titel:, beslutning:, udvalg:, sag:, emne:. '
        "A query holding nothing to search (only operators, ?, brackets, empty quotes or a prefix without a "
        "value) answers 400.",
        {**TEXT, "maxLength": 500},
    ),
    _param("committee", "Committee (udvalg); repeat for several", TEXT, repeatable=True),
    _param("topic", "Topic (KLE main group code, e.g. 05)", TEXT, repeatable=True),
    _param("municipality", "Municipality (kommune)", TEXT, repeatable=True),
    _param("type", "Document type", {"type": "string", "enum": ["dagsorden", "referat"]}, repeatable=True),
    _param("year", "Meeting year", {"type": "string", "pattern": "^[0-9]{4}$"}, repeatable=True),
    _param(
        "from",
        "Meetings on or after this date (one known only to its year: that year ends on or after it); empty for no limit",
        DATE_OR_EMPTY,
    ),
    _param(
        "to",
        "Meetings on or before this date (one known only to its year: that year starts on or before it); empty for no limit",
        DATE_OR_EMPTY,
    ),
    _param(
        "sort",
        "Order; default relevance with a query, else newest",
        {"type": "string", "enum": ["relevance", "newest", "oldest"]},
    ),
    _param("page", "Page number, from 1", {"type": "integer", "minimum": 1, "maximum": 1000}),
    _param(
        "literal",
        "1: search only the words as typed; without it a query that finds nothing shows its correction's results",
        {"type": "string", "enum": ["1"]},
    ),
    _param(
        "every_treatment",
        "1: each treatment of a case its own result; without it a case's later treatments are listed under its first as also_treated",
        {"type": "string", "enum": ["1"]},
    ),
]

ATTACHMENT = {
    "type": "object",
    "properties": {
        "number": {"type": "string", "nullable": True},
        "title": {"type": "string", "nullable": True},
        "journal_number": {"type": "string", "nullable": True},
        "document_id": {"type": "string", "nullable": True},
        "url": {
            "type": "string",
            "format": "uri",
            "nullable": True,
            "description": "The archived file (or a redirect to its source)",
        },
        "media_type": {"type": "string", "nullable": True},
        "text_status": {"type": "string", "nullable": True},
    },
}
SUMMARY: dict[str, Any] = {
    "type": "object",
    "required": ["id", "title", "url"],
    "properties": {
        "id": {"type": "string"},
        "title": {"type": "string"},
        "url": {"type": "string", "format": "uri", "description": "The item's HTML page"},
        "api_url": {"type": "string", "format": "uri"},
        "committee": {"type": "string"},
        "municipality": {"type": "string"},
        "meeting_id": {"type": "string"},
        "meeting_url": {"type": "string", "format": "uri", "description": "The meeting's HTML page"},
        "meeting_api_url": {"type": "string", "format": "uri", "description": "The meeting as JSON"},
        "meeting_date": {
            "type": "string",
            "nullable": True,
            "description": "ISO 8601: the meeting's date and time, or the year alone (YYYY) when only the year is known",
        },
        "date_precision": {"type": "string", "enum": ["day", "year"]},
        "type": {"type": "string", "enum": ["dagsorden", "referat"]},
        "item_number": {"type": "string"},
        "case_number": {"type": "string", "nullable": True},
        "decision": {"type": "string", "description": "First lines of the decision"},
        "attachments": {"type": "array", "items": {"$ref": "#/components/schemas/Attachment"}},
        "topics": {"type": "array", "items": {"type": "object"}},
    },
}
# A treatment under a row (``also_treated``): the summary's fields that say where, when and what.
TREATMENT = {
    "type": "object",
    "properties": {
        **{key: SUMMARY["properties"][key] for key in TREATMENT_FIELDS},
        **{key: SUMMARY["properties"][key] for key in ("url", "api_url", "meeting_url", "meeting_api_url")},
    },
}
HIT = {
    "allOf": [
        {"$ref": "#/components/schemas/ItemSummary"},
        {
            "type": "object",
            "properties": {
                "snippet": {"type": "string", "description": "Escaped text; only <mark> tags"},
                "snippet_field": {
                    "type": "string",
                    "nullable": True,
                    "enum": ["titel", "beslutning", "sagsfremstilling", "bilag", None],
                    "description": "where the snippet is from; null when there is none (an item with no text)",
                },
                "score": {"type": "number", "nullable": True},
                "missing": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "on the partial results of a response: the typed words this item does not hold",
                },
                "correction": {
                    "type": "string",
                    "description": "on the results after a few for the typed words (also_corrected): the "
                    "correction (or the compound written apart) this item was found by",
                },
                "also_treated": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/Treatment"},
                    "description": "the same case's other treatments on this page (same municipality, title "
                    "and case text: in another committee, or again after a postponement), listed under "
                    "this row instead of as rows of their own",
                },
            },
        },
    ]
}
FACET_VALUE = {
    "type": "object",
    "properties": {
        "value": {"type": "string"},
        "count": {"type": "integer"},
        "selected": {"type": "boolean"},
        "label": {"type": "string", "description": "what the HTML page shows, e.g. '05 Veje og trafik'"},
        "url": {"type": "string", "format": "uri", "description": "this search with the value toggled"},
    },
}
LINK = {"type": "string", "format": "uri", "nullable": True}
SEARCH_RESPONSE = {
    "type": "object",
    "properties": {
        "total": {"type": "integer", "description": "items found: each treatment of a case counts"},
        "page": {"type": "integer"},
        "per_page": {"type": "integer"},
        "pages": {"type": "integer"},
        "sort": {"type": "string"},
        "query": {"type": "string", "description": "the query that ran (the correction, when corrected_from is set)"},
        "suggestion": {"type": "string", "nullable": True, "description": "Mente du: a corrected query"},
        "corrected_from": {
            "type": "string",
            "nullable": True,
            "description": "the query as typed, when it found nothing and the results are for its correction, "
            "or for a lone compound written as its two words ('direktørstilling' → 'direktør stilling'; "
            "a query that found something keeps its results, first: see also_corrected); or when its words "
            "typed without the æ, ø or å the minutes write them with were searched as written "
            "('styrelsesvedtaegten' → 'styrelsesvedtægten', 'vedtagt' → 'vedtægt'; typed_total null)",
        },
        "typed_total": {
            "type": "integer",
            "nullable": True,
            "description": "with corrected_from: how many items the query as typed found (0; null when it "
            "was only spelt as the minutes write it, and not searched as typed); with "
            "also_corrected: how many (fewer than ten) it found, listed first",
        },
        "also_corrected": {
            "type": "string",
            "nullable": True,
            "description": "set when the query as typed found fewer than ten items and its misspelling's "
            "correction more, or its one compound that the dictionary lacks written as its two words "
            "('landsbypulje' → 'landsby pulje'): after the typed query's `typed_total` items come the "
            "correction's `corrected_total` others (each with `correction`), then any partial ones",
        },
        "corrected_total": {
            "type": "integer",
            "nullable": True,
            "description": "with also_corrected: how many items the correction adds",
        },
        "partial": {
            "type": "object",
            "nullable": True,
            "description": "set when fewer than ten items hold every typed word (and, for none, no correction "
            "found any): `whole` results hold every word of `words` and come first (with also_corrected, the correction's follow them), the rest at least `least` of those `typed` words "
            "(all but one first, never fewer than half); those list the words they lack in `missing`. "
            "`among`: in the first ten, results lacking one word stand before a whole one they outscore 1.5 times over the share of the words they hold "
            "(a query typed as a question: results lacking more, 1.5 times again for each word more they lack). "
            "`optional`: the common words typed beside them, which the search did not require and neither count includes; "
            '`bodies`: the committees named in words beside them ("teknisk udvalg"), which raise their items and are '
            'neither required nor counted either; `places`: a municipality named beside them ("favrskov"), which every '
            "one of these results holds (filed under it or writing it) and neither count includes",
            "properties": {
                "least": {"type": "integer"},
                "typed": {"type": "integer"},
                "whole": {"type": "integer"},
                "words": {"type": "array", "items": {"type": "string"}},
                "optional": {"type": "array", "items": {"type": "string"}},
                "bodies": {"type": "array", "items": {"type": "string"}},
                "places": {"type": "array", "items": {"type": "string"}},
                "among": {"type": "boolean"},
            },
        },
        "error": {
            "type": "string",
            "nullable": True,
            "description": "A message for the user when the query could not be run (a 400; also in notices)",
        },
        "status": {"type": "integer", "description": "400 when error is set (absent otherwise)"},
        "notices": {"type": "array", "items": {"type": "string"}},
        "filters": {"type": "object"},
        "results": {
            "type": "array",
            "items": {"$ref": "#/components/schemas/SearchHit"},
            "description": "the page's rows: per_page items, a case's other treatments listed under its row "
            "(also_treated), so a page may hold fewer rows",
        },
        "facets": {
            "type": "object",
            "description": "committee, year, topic, municipality, kind: counts over the result set",
            "additionalProperties": {"type": "array", "items": {"$ref": "#/components/schemas/FacetValue"}},
        },
        "links": {
            "type": "object",
            "properties": {k: LINK for k in ("self", "next", "prev", "first", "last", "html")},
        },
    },
}
LISTED = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "nullable": True},
        "number": {"type": "string"},
        "title": {"type": "string"},
        "access": {"type": "string", "enum": ["open", "closed"]},
        "url": LINK,
    },
}
MEETING = {
    "type": "object",
    "required": ["id", "committee", "items", "documents", "url"],
    "properties": {
        "id": {"type": "string"},
        "url": {"type": "string", "format": "uri", "description": "The meeting's HTML page"},
        "committee": {"type": "string"},
        "municipality": {"type": "string"},
        "meeting_date": SUMMARY["properties"]["meeting_date"],
        "date_precision": {"type": "string", "enum": ["day", "year"]},
        "type": {"type": "string", "enum": ["dagsorden", "referat"], "nullable": True},
        "location": {"type": "string", "nullable": True},
        "items": {
            "type": "array",
            "items": {"$ref": "#/components/schemas/MeetingItem"},
            "description": "In agenda order; a closed item as a numbered stub: title «Lukket punkt», id and url null",
        },
        "documents": {
            "type": "array",
            "description": "The whole-meeting documents the items were read from (blank where closed)",
            "items": {
                "type": "object",
                "properties": {
                    "title": {"type": "string", "nullable": True},
                    "media_type": {"type": "string", "nullable": True},
                    "url": {**LINK, "description": "null when the document cannot be shown"},
                },
            },
        },
    },
}
ITEM = {
    "allOf": [
        {"$ref": "#/components/schemas/ItemSummary"},
        {
            "type": "object",
            "properties": {
                "sections": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "heading": {"type": "string"},
                            "text": {"type": "string"},
                            "html": {"type": "string", "nullable": True},
                            "kind": {"type": "string", "enum": ["body", "recommendation", "decision", "history"]},
                        },
                    },
                },
                "decisions": {"type": "array", "items": {"type": "object"}},
                "history": {"type": "array", "items": {"type": "object"}},
                "absentees": {"type": "array", "items": {"type": "string"}},
                "route": {"type": "string", "nullable": True},
                "location": {"type": "string", "nullable": True},
                "source_document": {
                    "type": "object",
                    "nullable": True,
                    "description": "Set when the item was read from a whole-meeting document (PDF, DOCX)",
                    "properties": {
                        "title": {"type": "string"},
                        "page": {"type": "integer", "nullable": True, "description": "page where the item starts"},
                        "media_type": {"type": "string", "nullable": True},
                        "url": {
                            "type": "string",
                            "nullable": True,
                            "description": "the document at that page (…#page=N); null when it cannot be shown",
                        },
                    },
                },
                "meeting_items": {"type": "array", "items": {"$ref": "#/components/schemas/MeetingItem"}},
                "case_history": {"type": "array", "items": {"$ref": "#/components/schemas/ItemSummary"}},
                "similar": {"type": "array", "items": {"$ref": "#/components/schemas/ItemSummary"}},
            },
        },
    ]
}
ERROR = {
    "type": "object",
    "required": ["error", "status"],
    "properties": {
        "error": {"type": "string"},
        "status": {"type": "integer"},
        "notices": {"type": "array", "items": {"type": "string"}, "description": "each rejected parameter"},
    },
}


def openapi_document(server_url: str) -> dict[str, Any]:
    json_ok = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/SearchResponse"}}}}
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "minutes-search API",
            "version": "1",
            "description": "Search public Danish municipal committee minutes. Closed items are never returned.",
        },
        "servers": [{"url": server_url or "/"}],
        "paths": {
            "/api/search": {
                "get": {
                    "summary": "Search items, with facet counts over the result set",
                    "parameters": SEARCH_PARAMETERS,
                    "responses": {
                        "200": {"description": "Results", **json_ok},
                        "400": {
                            "description": "A parameter outside its documented form (named in error and notices), "
                            "or a query that could not be run (error set)",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "anyOf": [
                                            {"$ref": "#/components/schemas/SearchResponse"},
                                            {"$ref": "#/components/schemas/Error"},
                                        ]
                                    }
                                }
                            },
                        },
                    },
                }
            },
            "/api/items/{id}": {
                "get": {
                    "summary": "One item with its meeting's items, its case history and similar items",
                    "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "responses": {
                        "200": {
                            "description": "The item",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}},
                        },
                        "404": {
                            "description": "Unknown or not public",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                        },
                        "410": {
                            "description": "Published once, then withdrawn by a newer version or taken down",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                        },
                    },
                }
            },
            "/api/meetings/{id}": {
                "get": {
                    "summary": "One meeting: committee, date, kind, place, its items in agenda order and its documents",
                    "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "responses": {
                        "200": {
                            "description": "The meeting",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Meeting"}}},
                        },
                        "404": {
                            "description": "Unknown, or nothing of it is public",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                        },
                        "410": {
                            "description": "Published once, then taken down",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                        },
                    },
                }
            },
            "/api/suggest": {
                "get": {
                    "summary": "Autocomplete: committee names and words from public items",
                    "parameters": [_param("q", "What has been typed so far (2 characters or more)", TEXT)],
                    "responses": {
                        "200": {
                            "description": "Suggestions",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "query": {"type": "string"},
                                            "suggestions": {
                                                "type": "array",
                                                "items": {
                                                    "type": "object",
                                                    "properties": {
                                                        "value": {"type": "string"},
                                                        "kind": {"type": "string", "enum": ["udvalg", "ord"]},
                                                    },
                                                },
                                            },
                                        },
                                    }
                                }
                            },
                        },
                        "400": {
                            "description": "Control characters in q",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                        },
                    },
                }
            },
            "/feed.atom": {
                "get": {
                    "summary": "Atom feed of a search, newest first",
                    "parameters": [p for p in SEARCH_PARAMETERS if p["name"] not in ("sort", "page")],
                    "responses": {
                        "200": {"description": "Atom 1.0", "content": {"application/atom+xml": {}}},
                        "400": {
                            "description": "A parameter outside its documented form",
                            "content": {"text/plain": {}},
                        },
                    },
                }
            },
            "/export.csv": {
                "get": {
                    "summary": "CSV of a result set (at most 5,000 rows)",
                    "parameters": [p for p in SEARCH_PARAMETERS if p["name"] != "page"],
                    "responses": {
                        "200": {
                            "description": "id,title,committee,municipality,meeting_date,item_number,case_number,decision,url",
                            "content": {"text/csv": {}},
                        },
                        "400": {
                            "description": "A parameter outside its documented form",
                            "content": {"text/plain": {}},
                        },
                    },
                }
            },
            "/export-excel.csv": {
                "get": {
                    "summary": "The same export for Danish Excel: semicolon-separated, UTF-8 with BOM",
                    "parameters": [p for p in SEARCH_PARAMETERS if p["name"] != "page"],
                    "responses": {
                        "200": {"description": "as /export.csv, separated by ';'", "content": {"text/csv": {}}},
                        "400": {
                            "description": "A parameter outside its documented form",
                            "content": {"text/plain": {}},
                        },
                    },
                }
            },
            "/items/{id}/bilag/{n}": {
                "get": {
                    "summary": "An attachment (n counts from 1): the archived file, or a redirect to its source",
                    "parameters": [
                        {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}},
                        {"name": "n", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}},
                    ],
                    "responses": {
                        "200": {"description": "The file"},
                        "302": {"description": "At its source"},
                        "404": {"description": "Unknown, not public, or not archived"},
                    },
                }
            },
            "/items/{id}/dokument": {
                "get": {
                    "summary": "The whole-meeting document an item was read from (pages holding closed text blank)",
                    "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "responses": {
                        "200": {"description": "The file"},
                        "302": {"description": "At its source"},
                        "404": {"description": "Unknown, not public, not read from a document, or not shown"},
                    },
                }
            },
        },
        "components": {
            "schemas": {
                "Attachment": ATTACHMENT,
                "ItemSummary": SUMMARY,
                "SearchHit": HIT,
                "Treatment": TREATMENT,
                "FacetValue": FACET_VALUE,
                "SearchResponse": SEARCH_RESPONSE,
                "MeetingItem": LISTED,
                "Item": ITEM,
                "Meeting": MEETING,
                "Error": ERROR,
            }
        },
    }
