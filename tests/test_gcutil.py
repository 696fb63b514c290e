"""gcutil: a command's last result is left to the process's end only when the process ends with it."""

from __future__ import annotations

import gc
import weakref

import pytest

from pingtai import gcutil


class Result:
    """A stand-in for a large result (weak-referenceable)."""


def test_freed_as_usual_unless_the_process_ends_with_the_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gcutil, "_process_ends_with_command", False)
    result = Result()
    alive = weakref.ref(result)
    gcutil.leave_to_exit(result)
    del result
    assert alive() is None


def test_left_to_the_exit_when_the_process_ends_with_the_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gcutil, "_process_ends_with_command", False)
    gcutil.process_ends_with_command()
    assert gcutil._process_ends_with_command
    result = Result()
    alive = weakref.ref(result)
    try:
        gcutil.leave_to_exit(result)
        del result
        gc.collect()  # frozen out of the collector: not even a full collection frees it
        assert alive() is not None
    finally:
        gc.unfreeze()  # this test process goes on: let the collector have everything back
        gc.collect()
    assert alive() is None
