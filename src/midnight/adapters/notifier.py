"""Sending a message through Apprise: one address, one subject and body; an error string or None."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

import apprise
from apprise.attachment.memory import AttachMemory


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message (a purchase order as CSV); services that can't carry files drop it."""

    name: str
    content: bytes
    mimetype: str = "text/csv"


class Notifier(Protocol):
    def send(self, url: str, subject: str, body: str, attachment: Attachment | None = None) -> str | None:
        """Deliver now; None on success, else what went wrong (never the address: it may hold secrets)."""
        ...


class AppriseNotifier:
    def send(self, url: str, subject: str, body: str, attachment: Attachment | None = None) -> str | None:
        # A server that answers with a redirect could point the request at the shop's own network:
        # redirects are not followed.
        sender = apprise.Apprise(asset=apprise.AppriseAsset(http_redirects=False))
        if not sender.add(url):
            return "Apprise does not accept this address"
        with apprise.LogCapture(level=logging.WARNING) as captured:  # type: ignore[no-untyped-call]
            attach = None
            if attachment is not None:
                attach = apprise.AppriseAttachment()
                attach.add(
                    AttachMemory(  # type: ignore[no-untyped-call]
                        content=attachment.content, name=attachment.name, mimetype=attachment.mimetype
                    )
                )
            ok = sender.notify(title=subject, body=body, attach=attach)
        if ok:
            return None
        lines = str(captured.getvalue()).strip().splitlines() or ["delivery failed"]
        return lines[-1][:500]
