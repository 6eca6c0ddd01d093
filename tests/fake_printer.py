"""A fake ESC/POS network printer on loopback for printing tests: it records every byte it is sent
and answers the paper status query (DLE EOT 4) with "paper ok" or "paper out", as the test chooses.

A shop's printers must be on its own network, never on the server's machine; a test printing to
this one sets LOOPBACK (MIDNIGHT_PRINTERS_ON_LOOPBACK=1) for the process that prints — with
`allow_loopback(monkeypatch)` in process, or in the environment of a server or CLI it starts.
"""

from __future__ import annotations

import socket
import threading

import pytest

PAPER_QUERY = b"\x10\x04\x04"  # DLE EOT 4
PAPER_OK = b"\x12"
PAPER_OUT = b"\x72"
CUT = b"\x1dV"  # GS V
KICK_PIN_2 = b"\x1bp\x00"  # ESC p 0: pulse drawer pin 2
KICK_PIN_5 = b"\x1bp\x01"
CHINESE_MODE = b"\x1c&"  # FS &
RASTER_IMAGE = b"\x1dv0"  # GS v 0
LOOPBACK = {"MIDNIGHT_PRINTERS_ON_LOOPBACK": "1"}  # printers on 127.0.0.1 allowed (tests only)


def allow_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let this test's printers be on loopback, where FakePrinter listens."""
    for name, value in LOOPBACK.items():
        monkeypatch.setenv(name, value)


class FakePrinter:
    """Listens on 127.0.0.1; `jobs` holds what each connection sent, once it closed."""

    def __init__(self, *, paper: bool = True, answers: bool = True) -> None:
        self.paper = paper
        self.answers = answers  # some printers never answer a status query
        self.jobs: list[bytes] = []
        self.finished = threading.Condition()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.address = f"127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._take, args=(conn,), daemon=True).start()

    def _take(self, conn: socket.socket) -> None:
        data, answered = b"", 0
        with conn:
            while True:
                try:
                    chunk = conn.recv(65536)
                except OSError:
                    break
                if not chunk:
                    break
                data += chunk
                while self.answers and data.count(PAPER_QUERY) > answered:
                    answered += 1
                    conn.sendall(PAPER_OK if self.paper else PAPER_OUT)
        with self.finished:
            self.jobs.append(data)
            self.finished.notify_all()

    @property
    def received(self) -> bytes:
        with self.finished:
            return b"".join(self.jobs)

    def wait_for(self, count: int) -> list[bytes]:
        """The first `count` connections' bytes, once they have closed."""
        with self.finished:
            # Bounded only so a broken test fails instead of hanging the run.
            assert self.finished.wait_for(lambda: len(self.jobs) >= count, timeout=60), self.jobs
            return list(self.jobs[:count])

    def close(self) -> None:
        self.listener.close()


def refused_address() -> str:
    """A loopback port nothing listens on: connecting to it is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"127.0.0.1:{port}"
