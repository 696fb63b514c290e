"""Open return files ahead of the reader, in a background thread.

An :class:`Opening` reads a file, hashes it, refuses what must not be parsed (:mod:`~pingtai.returns.sniff`,
:mod:`~pingtai.returns.scan` — these still run before python-calamine sees the bytes) and parses its
first sheet. python-calamine releases the GIL while it parses (≈ 0.3 s for a 100 000-row sheet on
this project's benchmark machine), so that time overlaps what the main thread does meanwhile: the
``import`` command starts the first file's opening before it imports the reader and loads the
catalog, and the importer opens each next file while it records the current one
(:class:`FilesAhead`: at most two files in memory at once).

This module imports only :mod:`pingtai.returns.book` and what it needs, not the reader (and with
it pydantic and the catalog models), so the opening starts at once.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from pathlib import Path

from pingtai.returns.book import Book, open_bytes, read_bytes


class Opening:
    """One file being read, hashed, measured and opened (first sheet parsed) in a daemon thread.

    :meth:`book` waits for it and returns what :func:`~pingtai.returns.book.open_book` would have:
    the :class:`~pingtai.returns.book.Book`, or it raises the same :class:`~pingtai.returns.sniff.Refused`. ``background=False``
    does the same work in the calling thread (no thread at all).
    """

    def __init__(self, path: Path, *, background: bool = True) -> None:
        self.path = path
        self.sha256 = ""
        """The file's sha256, once read (``""`` if it could not be read)."""
        self._book: Book | None = None
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        self._measured = threading.Event()
        """Set once the file is read and measured (or refused): only parsing is left."""
        if background:
            self._thread = threading.Thread(target=self._run, name=f"pingtai-open-{path.name}", daemon=True)
            self._thread.start()
        else:
            self._run()

    def _run(self) -> None:
        try:
            data = read_bytes(self.path)
            self.sha256 = hashlib.sha256(data).hexdigest()
            book = open_bytes(data, self.sha256, self.path)
            self._measured.set()
            book.preload()
            self._book = book
        except BaseException as exc:  # handed to the thread that waits, which decides what it means
            self._error = exc
        finally:
            self._measured.set()

    def wait_measured(self) -> None:
        """Wait until only the parsing is left (which runs without the GIL).

        Reading, hashing and measuring the file are Python work: done before the caller imports
        its own modules (Python work too), the parse overlaps those imports instead of starting
        after them.
        """
        self._measured.wait()

    def book(self) -> Book:
        """Wait for the opening; the book, or the :class:`~pingtai.returns.sniff.Refused` (or any other error) it raised."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._error is not None:
            error, self._error = self._error, None
            raise error
        if self._book is None:
            raise RuntimeError("Opening.book() called twice: the first caller owns the book")
        book, self._book = self._book, None
        return book


class FilesAhead:
    """The files of one import run, each opened while the one before it is being recorded."""

    def __init__(self, paths: Sequence[Path]) -> None:
        self._paths = list(paths)
        self._open: dict[int, Opening] = {}
        self._start(0)

    def wait_measured(self) -> None:
        """:meth:`Opening.wait_measured` of the first file."""
        if 0 in self._open:
            self._open[0].wait_measured()

    def _start(self, index: int) -> None:
        if index < len(self._paths) and index not in self._open:
            self._open[index] = Opening(self._paths[index])

    def take(self, index: int) -> Opening:
        """The opening of file ``index`` (started now if it was not), and start the next one's."""
        opening = self._open.pop(index, None) or Opening(self._paths[index])
        self._start(index + 1)
        return opening
