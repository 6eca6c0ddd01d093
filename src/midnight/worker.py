"""The background worker `midnight serve` runs: the daily schedule and outbox delivery."""

from __future__ import annotations

import logging
import threading

from midnight.domain.people import Actor, Role
from midnight.services import schedule
from midnight.services.context import Context

log = logging.getLogger("midnight.notify")


class NotifyWorker:
    """Every `interval` seconds: queue what the schedule calls for, then deliver what is due."""

    def __init__(self, ctx: Context, interval: float = 30.0) -> None:
        self.ctx = ctx.acting_as(Actor("notifier", Role.OWNER))
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="midnight-notify", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def run_once(self) -> None:
        schedule.run(self.ctx)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:  # the worker must outlive a bad message or a database hiccup
                log.exception("notification worker pass failed")
            self._stop.wait(self.interval)
