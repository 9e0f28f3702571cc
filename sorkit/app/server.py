"""Server processes of app mode: ports, a server in its own process group, stopping it.

A :class:`Server` is started (:func:`spawn_server`) in a process group of its own, so stopping
it (:func:`stop_process_group`) stops its kernels too. ``MESSAGES`` are the Danish texts of app
mode (also used by :func:`sorkit.app.mode.serve`).
"""

from __future__ import annotations

import contextlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sorkit.app.setup import HOST

__all__ = [
    "MESSAGES",
    "Server",
    "free_port",
    "http_answers",
    "port_in_use",
    "spawn_server",
    "stop_process_group",
]

MESSAGES = {
    "serving": "Steward-appen kører på {url} (register {register}); stop med Ctrl+C.",
    "stopped": "Steward-appen er stoppet.",
    "port_busy": "Porten {port} på {host} er optaget; vælg en anden med --port.",
    "no_register": "Registerfilen {register} findes ikke.",
    "no_notebook": "App-notesbogen {notebook} findes ikke.",
    "not_ready": "{name} svarede ikke på {url} inden for {seconds:.0f} sekunder.",
    "exited": "{name} stoppede med kode {code} før den svarede; se {log}.",
}


# -- ports -------------------------------------------------------------------------------------


def free_port(host: str = HOST) -> int:
    """A TCP port that nothing listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def port_in_use(port: int, host: str = HOST) -> bool:
    """True if something accepts connections on ``host:port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def http_answers(url: str, timeout: float = 5.0) -> bool:
    """True if an HTTP server answers ``url`` at all (any status)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or HOST, parts.port or 80, timeout=timeout)
    try:
        conn.request("GET", parts.path or "/")
        conn.getresponse().read()
        return True
    except OSError:
        return False
    finally:
        conn.close()


# -- servers -----------------------------------------------------------------------------------


@dataclass
class Server:
    """A server process in its own process group, on ``HOST:port``."""

    name: str
    process: subprocess.Popen[bytes]
    port: int
    url: str
    log: Path | None = None
    cleanup: list[Path] = field(default_factory=list)

    def wait_ready(self, timeout: float = 120.0, path: str = "/__sorkit_ready__") -> None:
        """Wait until the server answers HTTP (any status) on its port.

        Raises:
            RuntimeError: the process ended, or it did not answer within ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        probe = f"http://{HOST}:{self.port}{path}"
        while True:
            code = self.process.poll()
            if code is not None:
                raise RuntimeError(
                    MESSAGES["exited"].format(name=self.name, code=code, log=self.log)
                )
            if port_in_use(self.port) and http_answers(probe):
                return
            if time.monotonic() > deadline:
                raise RuntimeError(
                    MESSAGES["not_ready"].format(name=self.name, url=probe, seconds=timeout)
                )
            time.sleep(0.25)

    @property
    def running(self) -> bool:
        """True while the server process runs."""
        return self.process.poll() is None

    def stop(self, timeout: float = 15.0) -> None:
        """Stop the whole process group (server and kernels): SIGTERM, then SIGKILL."""
        stop_process_group(self.process, timeout)
        for path in self.cleanup:
            shutil.rmtree(path, ignore_errors=True)

    def kernels(self) -> list[dict[str, Any]]:
        """The server's kernels (``/api/kernels``: id, name, execution_state, ...)."""
        import json

        conn = http.client.HTTPConnection(HOST, self.port, timeout=10)
        try:
            conn.request("GET", "/api/kernels")
            response = conn.getresponse()
            body = response.read()
        finally:
            conn.close()
        return list(json.loads(body)) if response.status == 200 else []

    def log_text(self) -> str:
        """What the server wrote so far (empty without a log file)."""
        if self.log is None or not self.log.exists():
            return ""
        return self.log.read_text(encoding="utf-8", errors="replace")

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def stop_process_group(process: subprocess.Popen[Any], timeout: float = 15.0) -> None:
    """Terminate a process started with ``start_new_session=True`` and everything it started."""
    try:
        pgid = os.getpgid(process.pid)
    except ProcessLookupError:
        pgid = None
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if process.poll() is not None and pgid is None:
            break
        if pgid is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pgid, sig)
        else:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(sig)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            continue
        if pgid is None or not _group_alive(pgid):
            break
        time.sleep(0.5)
        if not _group_alive(pgid):
            break


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def spawn_server(
    name: str,
    cmd: list[str],
    port: int,
    env: Mapping[str, str],
    cwd: Path,
    log: Path | None,
    url: str,
    cleanup: list[Path],
) -> Server:
    """Start ``cmd`` in a process group of its own (output to ``log``, if given).

    Args:
        name: the server's name, for messages.
        cmd: the command line.
        port: the port it will listen on.
        env: its environment.
        cwd: its working folder.
        log: where its output goes (None: nowhere).
        url: the address of its page.
        cleanup: folders removed when it is stopped.

    Returns:
        The :class:`Server`; it may not answer yet (see :meth:`Server.wait_ready`).
    """
    out: IO[bytes] | int = subprocess.DEVNULL
    if log is not None:
        log.parent.mkdir(parents=True, exist_ok=True)
        out = log.open("wb")
    try:
        process = subprocess.Popen(
            cmd,
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    finally:
        if not isinstance(out, int):
            out.close()
    return Server(name, process, port, url, log, cleanup)
