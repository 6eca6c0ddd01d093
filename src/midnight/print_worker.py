"""The print worker `midnight serve` runs beside the notification worker: it prints receipts,
kitchen tickets and drawer kicks from the queue, as soon as one is queued in this process (or
within a second, for jobs queued by another)."""

from __future__ import annotations

import logging
import threading

from midnight.adapters.printer import EscposPrinters, Printers
from midnight.domain.people import Actor, Role
from midnight.services import print_queue, printing
from midnight.services.context import Context

log = logging.getLogger("midnight.print")


class PrintWorker:
    def __init__(self, ctx: Context, printers: Printers | None = None, interval: float = 1.0) -> None:
        self.ctx = ctx.acting_as(Actor("printer", Role.OWNER))
        self.printers = printers or EscposPrinters()
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="midnight-print", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        printing.wake()
        self._thread.join(timeout=30)

    def run_once(self) -> int:
        """Print everything waiting; how many jobs were tried."""
        return print_queue.work(self.ctx, self.printers)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:  # the worker must outlive a database hiccup
                log.exception("print worker pass failed")
            printing.wait_for_work(self.interval)
