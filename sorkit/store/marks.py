"""Transaction marks for the crash tests: where exactly a killed writer was.

With ``SORKIT_CRASH_MARKER=<file>`` in a process's environment, every write transaction of
:mod:`sorkit.store` appends one line to that file when it has begun, one just before its COMMIT
and one after it: ``<what> <label> <pid> <monotonic seconds>``, ``what`` being ``begin``,
``commit`` or ``committed`` and ``label`` the kind of write (``write``: an apply, a batch, an
update import or a cancel; ``import``: a fresh import; ``bulk_load``, ``users``,
``initialise``, ``parquet``). A test that kills the process with SIGKILL reads the last line to
know whether the kill landed inside the transaction. Unset (always, outside tests), a mark
costs one environment lookup.
"""

from __future__ import annotations

import os
import time

ENV = "SORKIT_CRASH_MARKER"


def mark(what: str, label: str) -> None:
    """Append ``what label pid time`` to the marker file, if one is set."""
    target = os.environ.get(ENV)
    if not target:
        return
    line = f"{what} {label} {os.getpid()} {time.monotonic():.6f}\n".encode()
    fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)  # in the kernel's page cache at once: a SIGKILL cannot lose it
    finally:
        os.close(fd)
