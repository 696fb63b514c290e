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


_process_ends_with_command = False


def process_ends_with_command() -> None:
    """Declare that the process exits once the command returns (the console script; not a test run)."""
    global _process_ends_with_command
    _process_ends_with_command = True


def leave_to_exit(*objects: object) -> None:
    """Keep ``objects`` until the process ends instead of freeing them now, when it is about to end.

    A command's last large result (the dashboard of a 100k-value ledger: ~200,000 objects) takes
    ~20 ms to free, object by object, just before the process exits and the OS takes the memory
    back anyway. When :func:`process_ends_with_command` was called, the objects are tied into a
    reference cycle and frozen out of the collector (:func:`gc.freeze`, as ``main()`` does at the
    end anyway): neither reference counting, nor a collection, nor interpreter shutdown frees them.
    Otherwise (tests, a library caller) nothing happens and they are freed as usual.
    """
    if not _process_ends_with_command:
        return
    holder: list[object] = [*objects]
    holder.append(holder)
    gc.freeze()
