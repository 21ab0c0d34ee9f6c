"""Text extraction of untrusted files in a separate worker process, within limits.

A small file can cost a great deal to read: a PDF whose content stream inflates a thousandfold,
or thousands of pages sharing one stream. :func:`extract_in_worker` runs
:func:`vigil.workspace.intake.extract_text` in a child process with a cap on its memory and CPU
time, waits at most ``seconds`` for it and kills it after that, so one upload can neither stall
the server nor exhaust its memory. At most :data:`WORKERS` extractions run at once.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from vigil.errors import DataError

#: Extractions allowed to run at the same time (each is one process).
WORKERS = 2
#: Address space a worker may use (bytes): a decompression bomb fails instead of swapping.
MEMORY_BYTES = 2 * 1024**3
_slots = threading.BoundedSemaphore(WORKERS)


@dataclass(frozen=True)
class Limits:
    """What one extraction may cost: wall-clock seconds, pages and characters of text."""

    seconds: float = 30.0
    pages: int = 2000
    characters: int = 2_000_000


def extract_in_worker(
    data: bytes,
    media_type: str | None,
    filename: str | None,
    limits: Limits = Limits(),
) -> Any:
    """:func:`~vigil.workspace.intake.extract_text` of ``data`` in a worker process.

    Returns the :class:`~vigil.workspace.intake.ExtractedText`; a file the worker cannot read
    within the limits raises :class:`DataError` naming the file and the limit it reached.
    """
    from vigil.workspace.intake import ExtractedText

    where = filename or "<upload>"
    started = time.monotonic()
    if not _slots.acquire(timeout=limits.seconds):
        raise DataError("the server is busy reading other uploads: try again shortly", path=where)
    try:
        remaining = max(0.1, limits.seconds - (time.monotonic() - started))
        outcome = _run(data, media_type, filename, limits, remaining)
    finally:
        _slots.release()
    kind, value = outcome
    if kind == "ok":
        return ExtractedText(**value)
    raise DataError(value, path=where)


def extract_upload(
    data: bytes, media_type: str | None, filename: str | None, *, max_bytes: int, seconds: float
) -> Any:
    """An uploaded file's text, as every interface reads one: refused when over ``max_bytes``,
    then extracted in a worker within ``seconds`` and the report text limit."""
    from vigil.workspace.reports import MAX_TEXT

    if len(data) > max_bytes:
        raise DataError(
            f"the file is larger than {max_bytes} bytes: send a smaller one",
            path=filename or "<upload>",
        )
    limits = Limits(seconds=seconds, characters=MAX_TEXT)
    return extract_in_worker(data, media_type, filename, limits)


def _run(
    data: bytes, media_type: str | None, filename: str | None, limits: Limits, seconds: float
) -> tuple[str, Any]:
    """Start the worker, wait for its answer at most ``seconds``, and never leave it behind."""
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe(duplex=False)
    process = context.Process(
        target=_work, args=(child, data, media_type, filename, limits, seconds), daemon=True
    )
    process.start()
    child.close()
    try:
        if not parent.poll(seconds):
            return "error", f"reading the file took longer than {limits.seconds:g} s: refused"
        outcome: tuple[str, Any] = parent.recv()
        return outcome
    except EOFError:
        return "error", "reading the file exhausted the memory allowed for it: refused"
    finally:
        parent.close()
        if process.is_alive():
            process.kill()
        process.join(5)


def _work(
    out: Connection,
    data: bytes,
    media_type: str | None,
    filename: str | None,
    limits: Limits,
    seconds: float,
) -> None:
    """The worker: cap its own memory and CPU, extract, send back the result or the error."""
    import resource

    from vigil.workspace import intake

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    cpu = int(seconds) + 2
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    try:
        found = intake.extract_text(
            data, media_type, filename, max_pages=limits.pages, max_chars=limits.characters
        )
        out.send(("ok", {name: getattr(found, name) for name in found.__dataclass_fields__}))
    except DataError as err:
        message, prefix = str(err), f"{err.path}: " if err.path else ""
        out.send(("error", message.removeprefix(prefix)))
    except MemoryError:
        out.send(("error", "reading the file exhausted the memory allowed for it: refused"))
    finally:
        out.close()
