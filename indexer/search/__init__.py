"""Queries, the search service, snippets and suggestions, shared by the CLI, the JSON API and the HTML views."""
