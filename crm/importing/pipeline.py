"""Read and clean an import's rows in a second process while this one matches and writes.

A customer import spends about half its time reading and cleaning rows (pure Python, one
row after another) and the other half matching them against the archive and writing them
(SQLite, in the one write transaction).  The two halves only meet in file order, batch by
batch, so a large import forks one worker that reads the file and cleans each row with the
very same cleaner (:mod:`crm.importing.rowclean`) and sends the cleaned batches down a
pipe; this process matches and writes them in order, exactly as it would have done alone.
On two cores that takes the import from (read + clean + write) to about max(read + clean,
write).

What the worker does not do: open the database (it never touches the connection it
inherited, and leaves with ``os._exit`` as every forked ``multiprocessing`` child does),
decide anything (rejects are reported and rows matched here, in order), or outlive this
process: when this process dies (even by kill -9) the worker's next send fails with a
broken pipe and it ends; when this process stops early (a rollback, Ctrl-C, an error) it
kills the worker.  A file problem the worker meets (a bad byte halfway through a CSV) is
sent back and raised here as the same one-line error.

Small files are cleaned in-process (forking and pickling cost more than they save), and
so is everything where ``fork`` is not available.
"""

from __future__ import annotations

import os
import pickle
from typing import Any, Callable, Iterable, Iterator

#: below this many rows (the reader's estimate) the rows are cleaned in-process
WORKER_MIN_ROWS = 20_000
#: rows per message on the pipe (about 0.8 MB pickled for a 34-column customer sheet)
BATCH = 2000

Cleaned = tuple  # (row number, *what the cleaner returned)


def _batches(rows: Iterable[tuple[int, dict]], clean: Callable[[dict], tuple],
             size: int) -> Iterator[list[Cleaned]]:
    batch: list = []
    for rownum, cells in rows:
        batch.append((rownum, *clean(cells)))
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def use_worker(estimated_rows: int) -> bool:
    """Whether an import of about ``estimated_rows`` rows is worth a worker process."""
    if os.environ.get("CRM_IMPORT_WORKER") == "0":
        return False
    forced = os.environ.get("CRM_IMPORT_WORKER") == "1"
    if not (forced or estimated_rows >= WORKER_MIN_ROWS):
        return False
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods() and (forced or (os.cpu_count() or 1) > 1)


def cleaned_batches(rows: Iterable[tuple[int, dict]], clean: Callable[[dict], tuple], *,
                    worker: bool, size: int = BATCH) -> Iterator[list[Cleaned]]:
    """The rows as batches of ``(row number, *clean(cells))``, in file order; cleaned by
    a forked worker process when ``worker`` is true, else here.

    The worker is forked at once, before the caller starts a progress bar (whose refresh
    thread should not be running when the process forks)."""
    if not worker:
        return _batches(rows, clean, size)
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    receiver, sender = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_work, args=(rows, clean, size, receiver, sender), daemon=True,
                          name="crm-import-cleaner")
    process.start()
    sender.close()  # only the worker writes: its end closing is our end-of-file
    return _receive(process, receiver, rows)


def _receive(process: Any, receiver: Any, rows: Any = None) -> Iterator[list[Cleaned]]:
    """The worker's batches until it says it is done; its error raised here; the worker
    killed if we stop early (a daemon process: it dies with us at exit in any case)."""
    finished = False
    try:
        while True:
            try:
                kind, payload = pickle.loads(receiver.recv_bytes())
            except EOFError:
                raise RuntimeError(f"the import's cleaning process ended unexpectedly"
                                   f" (exit code {process.exitcode if not process.is_alive() else '?'})") from None
            if kind == "rows":
                yield payload
            elif kind == "error":
                raise payload
            else:
                finished = True
                if payload and hasattr(rows, "footer_rows"):
                    rows.footer_rows.extend(payload)  # the footer rows the worker's reader skipped
                return
    finally:
        receiver.close()
        if not finished and process.is_alive():
            process.kill()
        process.join(timeout=10)


def _work(rows: Iterable[tuple[int, dict]], clean: Callable[[dict], tuple], size: int,
          receiver: Any, sender: Any) -> None:
    """The worker: clean every row, send each batch; an error is sent, not printed."""
    receiver.close()  # keep no read end here, so a dead parent means a broken pipe
    try:
        for batch in _batches(rows, clean, size):
            sender.send_bytes(pickle.dumps(("rows", batch), protocol=pickle.HIGHEST_PROTOCOL))
        sender.send_bytes(pickle.dumps(("done", getattr(rows, "footer_rows", None))))
    except (BrokenPipeError, KeyboardInterrupt):
        return  # the importing process is gone or stopping: nothing to tell
    except BaseException as exc:  # noqa: BLE001 - everything goes back to the importing process
        try:
            message = pickle.dumps(("error", exc))
            pickle.loads(message)
        except Exception:
            message = pickle.dumps(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
        try:
            sender.send_bytes(message)
        except BrokenPipeError:
            pass
