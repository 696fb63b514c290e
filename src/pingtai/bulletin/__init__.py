"""The quarterly 通报 (``pingtai bulletin``): the bulletin as data, built from the dashboard's objects.

- :mod:`pingtai.bulletin.model` — the data: sections of headings, sentences and tables; every
  figure with the rule and the fields it comes from.
- :mod:`pingtai.bulletin.wording` — every phrase and number format, in one place.
- :mod:`pingtai.bulletin.build` — what is said, from ``build_status``, each unit's returns (as its
  agency report has them) and the check, on one ``as_of``.

The ledger is read by :func:`pingtai.service.bulletin`. Renderers, chosen through
:mod:`pingtai.render.registry`: :mod:`pingtai.render.bulletin_docx` (GB/T 9704 Word document),
:mod:`pingtai.render.bulletin_md` (Markdown), JSON. Rules for readers: ``docs/bulletin.md``.
"""

from __future__ import annotations

from pingtai.bulletin.build import (
    Scope,
    Sources,
    build_bulletin,
    bulletin_plans,
    bulletin_scope,
    compose,
    default_as_of,
    gather,
)
from pingtai.bulletin.model import (
    AreaFigure,
    Bulletin,
    Figure,
    Paragraph,
    Quote,
    Ref,
    Section,
    Subheading,
    Table,
    Words,
)

__all__ = [
    "AreaFigure", "Bulletin", "Figure", "Paragraph", "Quote", "Ref", "Scope", "Section", "Sources", "Subheading",
    "Table", "Words", "build_bulletin", "bulletin_plans", "bulletin_scope", "compose", "default_as_of", "gather",
]
