"""Pausing Python's cyclic garbage collector around work that builds many acyclic objects."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Run the block with the cyclic GC paused, restoring its previous state afterwards.

    Reading a large ledger or catalog builds hundreds of thousands of rows, values and models, none
    of which can form a cycle; left on, the collector rescans them again and again (about half of
    the time such code takes). Reference counting still frees everything as usual.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()
