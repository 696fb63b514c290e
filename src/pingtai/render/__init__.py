"""Renderers: turn result objects into terminal tables, plain text, JSON, Markdown, xlsx or HTML."""
