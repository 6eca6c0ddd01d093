"""Printing receipts and kitchen tickets, and opening the cash drawer (ESC/POS printers)."""

from __future__ import annotations

import datetime as dt
import enum
import ipaddress
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from midnight.domain.addresses import local_network_refusal, normal_host
from midnight.domain.errors import InvalidInput


class JobKind(enum.StrEnum):
    RECEIPT = "receipt"
    KITCHEN = "kitchen"
    DRAWER = "drawer"  # open the drawer only (no sale: change for the float)
    TEST = "test"


class JobState(enum.StrEnum):
    PENDING = "pending"
    PRINTING = "printing"
    DONE = "done"
    FAILED = "failed"


class PrinterKind(enum.StrEnum):
    """How the till reaches a printer: TCP port 9100 on the network, a USB cable, a serial port."""

    NETWORK = "network"
    USB = "usb"
    SERIAL = "serial"

    @classmethod
    def parse(cls, text: object) -> PrinterKind:
        try:
            return cls(str(text).strip().lower())
        except ValueError:
            raise InvalidInput(
                f"a printer is reached by network, usb or serial, got {text!r}", field="kind"
            ) from None


class TextMode(enum.StrEnum):
    """How a printer is sent Chinese: LATIN prints only its code pages (Chinese comes out as "?"),
    GB18030 and BIG5 use the printer's own Chinese mode (a printer sold in mainland China, or in
    Hong Kong and Taiwan), IMAGE draws the text as a picture, which any printer prints."""

    LATIN = "latin"
    GB18030 = "gb18030"
    BIG5 = "big5"
    IMAGE = "image"

    @classmethod
    def parse(cls, text: object) -> TextMode:
        try:
            return cls(str(text).strip().lower().replace("-", ""))
        except ValueError:
            raise InvalidInput(
                f"Chinese text is printed as latin, gb18030, big5 or image, got {text!r}", field="text_mode"
            ) from None


PAPER_WIDTHS = (58, 80)
DRAWER_PINS = (2, 5)
NETWORK_PORT = 9100
SERIAL_BAUD = 9600
BAUD_RATES = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200)
# A job still printing after this long was cut off (the server stopped mid-way): it is marked failed.
INTERRUPTED_AFTER = dt.timedelta(minutes=1)
INTERRUPTED = "interrupted: the server stopped while printing; print it again"
# A job nobody printed for this long (the server was not running) is not printed late: a drawer
# springing open, or a receipt coming out, long after the sale would only confuse.
TOO_LATE_AFTER = dt.timedelta(minutes=10)
TOO_LATE = "not printed in time (printing was not running); print it again"

_HOST = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))*\.?$"
)
_HEX = re.compile(r"^(?:0x)?([0-9A-Fa-f]{1,4})$")
_DEVICE = re.compile(r"^/dev/[A-Za-z0-9_./-]{1,100}$")


def parse_paper(value: object, field: str = "paper_mm") -> int:
    text = str(value).strip().lower().removesuffix("mm").strip()
    if text not in ("58", "80"):
        raise InvalidInput(f"paper is 58 or 80 (mm) wide, got {value!r}", field=field)
    return int(text)


def parse_pin(value: object, field: str = "drawer_pin") -> int | None:
    """The drawer's kick pin, 2 or 5; "none" (or nothing) for a till without a drawer."""
    if value is None or str(value).strip().lower() in ("", "none", "no", "off"):
        return None
    text = str(value).strip()
    if text not in ("2", "5"):
        raise InvalidInput(f"the drawer is kicked on pin 2 or 5 (or none), got {value!r}", field=field)
    return int(text)


@dataclass(frozen=True)
class NetworkRules:
    """Where a network printer may be: on the shop's own network, never the server itself.

    `loopback` lets printers on this machine (127.0.0.1, ::1) through — for tests and a fake
    printer (MIDNIGHT_PRINTERS_ON_LOOPBACK), never a shop; `own_port` is the port the server listens
    on, when known, which no printer is given (so a print job can't be sent to the server itself).
    """

    loopback: bool = False
    own_port: int | None = None


ON_THE_SHOPS_NETWORK = (
    "a network printer must be on the shop's own network: a private address such as 192.168.1.50 "
    "or 10.0.0.20 (or link-local), or a name that finds one"
)


def printer_host_refusal(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address, rules: NetworkRules
) -> str | None:
    """Why a network printer can't be at this IP address (a sentence), or None if it can."""
    refused = local_network_refusal(address, loopback=rules.loopback)
    return None if refused is None else f"{refused}; {ON_THE_SHOPS_NETWORK}"


def parse_address(
    kind: PrinterKind, value: object, field: str = "address", rules: NetworkRules | None = None
) -> str:
    """A printer's address as stored: host:port, vvvv:pppp (hex) or /dev/device:baud.

    A network printer's host is an IP address on the shop's own network (checked here, in whatever
    spelling it was typed: 0x7f000001, [::ffff:127.0.0.1] ...) or a name, stored in its normal form;
    a name is resolved and its answers checked by the service before it is stored, and again each
    time the printer is connected to.
    """
    text = str(value).strip() if isinstance(value, str) else ""
    if kind is PrinterKind.NETWORK:
        rules = rules or NetworkRules()
        usage = "a network printer's address is HOST or HOST:PORT"
        host, port = _split_port(text, NETWORK_PORT, field, usage)
        if not 1 <= port <= 65535:
            raise InvalidInput(f"port must be between 1 and 65535, got {port}", field=field)
        if port == rules.own_port:
            raise InvalidInput(
                f"port {port} is this server's own: a network printer listens on its own port (usually 9100)",
                field=field,
            )
        try:
            name = normal_host(host)
        except ValueError:
            raise InvalidInput(f"{usage}; {host!r} is not a host name or IP address", field=field) from None
        try:
            ip = ipaddress.ip_address(name)
        except ValueError:
            return f"{name}:{port}"  # a name: the service resolves it and checks what it finds
        refused = printer_host_refusal(ip, rules)
        if refused is not None:
            raise InvalidInput(f"{host} is not a printer's address: {refused}", field=field)
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            return f"{ip.ipv4_mapped}:{port}"  # what it reaches, stored plainly
        return f"[{ip}]:{port}" if ip.version == 6 else f"{ip}:{port}"
    if kind is PrinterKind.USB:
        vendor, sep, product = text.partition(":")
        v, p = _HEX.match(vendor.strip()), _HEX.match(product.strip())
        if not sep or v is None or p is None:
            raise InvalidInput(
                f"a USB printer is named by its vendor and product ids in hex, VID:PID like 04b8:0202; got {text!r}",
                field=field,
            )
        return f"{int(v.group(1), 16):04x}:{int(p.group(1), 16):04x}"
    device, sep, baud = text.partition(":")
    if not _DEVICE.match(device) or ".." in device:
        raise InvalidInput(
            f"a serial printer is a device like /dev/ttyUSB0 or /dev/ttyS0:19200; got {text!r}", field=field
        )
    rate = SERIAL_BAUD
    if sep:
        if not baud.isdigit() or int(baud) not in BAUD_RATES:
            raise InvalidInput(
                f"baud rate must be one of {', '.join(map(str, BAUD_RATES))}; got {baud!r}", field=field
            )
        rate = int(baud)
    return f"{device}:{rate}"


def _split_port(text: str, default: int, field: str, usage: str) -> tuple[str, int]:
    if text.startswith("["):  # [IPv6]:port
        inside, closed, rest = text[1:].partition("]")
        if not closed:
            raise InvalidInput(f"{usage}; {text!r} has no closing ]", field=field)
        try:
            ipaddress.IPv6Address(inside)
        except ValueError:
            raise InvalidInput(f"{usage}; {text!r} is not an IPv6 address", field=field) from None
        host = f"[{inside}]"
        if rest and not rest.startswith(":"):
            raise InvalidInput(f"{usage}; got {text!r}", field=field)
        port_text = rest[1:] if rest else ""
    else:
        host, _, port_text = text.partition(":")
        if not _HOST.match(host):
            raise InvalidInput(f"{usage}; got {text!r}", field=field)
    if not port_text:
        return host, default
    if not port_text.isdigit() or len(port_text) > 5:
        raise InvalidInput(f"{usage}; the port {port_text!r} is not a number", field=field)
    return host, int(port_text)


def network_target(address: str) -> tuple[str, int]:
    """(host, port) of a stored network address."""
    host, _, port = address.rpartition(":")
    return host.strip("[]"), int(port)


def usb_ids(address: str) -> tuple[int, int]:
    vendor, _, product = address.partition(":")
    return int(vendor, 16), int(product, 16)


def serial_target(address: str) -> tuple[str, int]:
    device, _, baud = address.rpartition(":")
    return device, int(baud)


# --- what one print job may put on paper ----------------------------------------------------------

# A ticket or receipt is bounded however big its order: one request must not make a picture of
# thousands of lines (memory, seconds of the print worker, metres of paper). The screen shows it all.
NOTE_ON_PAPER = 120  # characters of a line's note printed; the rest is on the screen
MAX_PRINTED_LINES = 120  # lines one job prints, the last saying how many more there are
T = TypeVar("T")


def paper_note(note: str) -> str:
    """A note as it is printed: on one line of words, cut at NOTE_ON_PAPER characters with "…"."""
    text = " ".join(note.split())
    if len(text) <= NOTE_ON_PAPER:
        return text
    return text[: NOTE_ON_PAPER - 1].rstrip() + "…"


def on_paper(lines: Sequence[T], line: Callable[[str], T], width: int) -> list[T]:
    """At most MAX_PRINTED_LINES of `lines`: when there are more, the last printed says how many
    were left out ("… 37 more lines — see the screen"), on two lines if the paper is too narrow.
    `line` makes a printed line of a text; `width` is the paper's columns."""
    if len(lines) <= MAX_PRINTED_LINES:
        return list(lines)
    kept = MAX_PRINTED_LINES - 1
    said = [f"… {len(lines) - kept} more lines — see the screen"]
    if len(said[0]) > width:
        kept = MAX_PRINTED_LINES - 2
        said = [f"… {len(lines) - kept} more lines —", "see the screen"]
    return [*lines[:kept], *(line(text) for text in said)]


JOB_NAMES = {
    JobKind.RECEIPT: "Receipt",
    JobKind.KITCHEN: "Kitchen ticket",
    JobKind.DRAWER: "Cash drawer",
    JobKind.TEST: "Test page",
}
