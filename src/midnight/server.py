"""The HTTP server's own protection: a request must arrive promptly, and its headers be of sane size.

uvicorn closes a keep-alive connection left idle after a response, but not one that never sends a
request, sends its headers a byte at a time, announces a body it never sends, or sends megabytes of
headers: enough of those hold every connection slot (or memory). Here a connection gets
HEADER_SECONDS from opening (or from the first byte of each further request) to finish its headers,
at most MAX_HEADER_BYTES of them, and BODY_SECONDS after that to finish its body.
"""

from __future__ import annotations

import asyncio
import os

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

HEADER_SECONDS = float(os.environ.get("MIDNIGHT_HEADER_SECONDS", "10"))
BODY_SECONDS = float(os.environ.get("MIDNIGHT_BODY_SECONDS", "30"))
MAX_HEADER_BYTES = 64 * 1024


class HeaderDeadlineProtocol(HttpToolsProtocol):
    _deadline: asyncio.TimerHandle | None = None
    _reading_headers = False
    _header_bytes = 0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._await_headers()

    def on_url(self, url: bytes) -> None:
        self._count(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count(len(name) + len(value))
        super().on_header(name, value)

    def _count(self, size: int) -> None:
        self._header_bytes += size
        if self._header_bytes > MAX_HEADER_BYTES:
            # Raised inside the parser's callback: uvicorn answers 400 and closes the connection.
            raise HeadersTooLarge(f"request headers over {MAX_HEADER_BYTES} bytes")

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if not self._reading_headers:
            self._await_headers()

    def on_headers_complete(self) -> None:
        self._reading_headers = False
        self._arm(BODY_SECONDS)  # cancelled when the whole request has arrived
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._disarm()
        super().on_message_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _await_headers(self) -> None:
        self._reading_headers = True
        self._header_bytes = 0
        self._arm(HEADER_SECONDS)

    def _arm(self, seconds: float) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, self._close)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _close(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            self.transport.close()


class HeadersTooLarge(Exception):
    """A request's URL and headers together are larger than MAX_HEADER_BYTES."""
