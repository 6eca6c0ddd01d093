"""A small HTTP receiver on loopback that Apprise's json:// URLs deliver to, for notification tests."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    """Records every JSON message posted to it; can fail the next N requests or answer slowly."""

    def __init__(self) -> None:
        self.messages: list[dict[str, object]] = []
        self.authorizations: list[str | None] = []  # the Authorization header of each message received
        self.fail_next = 0
        self.delay = 0.0
        self.arrived = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if receiver.fail_next > 0:
                    receiver.fail_next -= 1
                    self.send_response(500)
                    self.end_headers()
                    return
                receiver.messages.append(json.loads(body))
                receiver.authorizations.append(self.headers.get("Authorization"))
                receiver.arrived.set()
                if receiver.delay:
                    time.sleep(receiver.delay)
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str = "inbox", credentials: str = "") -> str:
        """The json:// address of this receiver; `credentials` ("user:password") go in basic auth."""
        at = f"{credentials}@" if credentials else ""
        return f"json://{at}127.0.0.1:{self.port}/{path}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
