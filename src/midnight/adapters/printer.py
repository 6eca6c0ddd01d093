"""ESC/POS receipt and kitchen printers, through python-escpos: network (TCP 9100), USB or serial.

`Printers.print(device, out)` sends one print-out — lines of text, a paper cut, a drawer kick — and
raises `PrinterError` with a sentence a cashier can act on. Every step has a short timeout, so a
printer that is off, unplugged or jammed fails in seconds and never holds anything up.

Chinese text (a printer's `TextMode`):
- latin: the printer's code pages, chosen by python-escpos per character; Chinese and anything else
  the code pages lack print as "?" (never an error);
- gb18030 / big5: the printer's own Chinese mode (FS &), the text sent in that encoding;
- image: the text drawn with a CJK font (Pillow) and sent as a raster image (GS v 0), which any
  printer prints: 384 dots across for 58 mm paper, 576 for 80 mm.
"""

from __future__ import annotations

import contextlib
import functools
import glob
import ipaddress
import os
import socket
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from PIL import Image, ImageDraw, ImageFont

from midnight.domain.errors import InvalidInput, MidnightError
from midnight.domain.printing import (
    NetworkRules,
    PrinterKind,
    TextMode,
    network_target,
    printer_host_refusal,
    serial_target,
    usb_ids,
)
from midnight.settings import printer_network_rules

CONNECT_TIMEOUT = 3.0  # seconds to reach a printer
STATUS_TIMEOUT = 1.0  # seconds to wait for its paper status; silence means carry on
WRITE_TIMEOUT = 5.0  # seconds without progress while sending
CHUNK = 4096  # bytes sent at a time, so a slow printer that keeps taking data is never cut off
BAND = 24  # lines drawn as one picture in image mode: a long print-out is never one huge image
DOTS = {58: 384, 80: 576}
COLUMNS = {58: 32, 80: 48}
FONT_ENV = "MIDNIGHT_RECEIPT_FONT"
FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)
FS, GS, ESC = b"\x1c", b"\x1d", b"\x1b"
CHINESE_ON, CHINESE_OFF = FS + b"&", FS + b"."
CHINESE_BIG, CHINESE_NORMAL = FS + b"!\x0c", FS + b"!\x00"  # double width and height, or not
CODECS = {TextMode.GB18030: "gb18030", TextMode.BIG5: "big5hkscs"}


class PrinterError(MidnightError):
    """A printer could not print: off, unreachable, unplugged, out of paper. The message says which."""

    code = "printer_error"
    http_status = 503


@dataclass(frozen=True)
class PrinterConfig:
    name: str
    kind: PrinterKind
    address: str  # as stored: host:port, vvvv:pppp, /dev/device:baud
    paper_mm: int
    text_mode: TextMode


@dataclass(frozen=True)
class Line:
    text: str
    big: bool = False  # double width and height: a kitchen ticket's call number


@dataclass(frozen=True)
class PrintOut:
    lines: tuple[Line, ...]
    cut: bool = True
    drawer_pin: int | None = None  # kick the cash drawer on this pin (2 or 5)

    @classmethod
    def text(cls, text: str, *, cut: bool = True, drawer_pin: int | None = None) -> PrintOut:
        return cls(tuple(Line(line) for line in text.rstrip("\n").split("\n")), cut, drawer_pin)


class Printers(Protocol):
    def print(self, device: PrinterConfig, out: PrintOut) -> None: ...


def checked_target(address: str, rules: NetworkRules, field: str = "address") -> tuple[str, int]:
    """The IP address and port to connect to for a network printer's stored address, or InvalidInput
    saying why not. An IP address is checked again (the rules may have changed since it was
    stored); a name is resolved now and every address it finds must be on the shop's own network.
    The caller connects to the IP returned, never to the name again: a name may answer differently
    a moment later (DNS rebinding)."""
    host, port = network_target(address)
    if port == rules.own_port:
        raise InvalidInput(f"port {port} is this server's own, not a printer's", field=field)
    try:
        found: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            raise InvalidInput(
                f"no computer called {host} was found on the network: give the printer's IP address "
                "(its test page or its settings show it, e.g. 192.168.1.50)",
                field=field,
            ) from None
        found = list(dict.fromkeys(ipaddress.ip_address(str(answer[4][0])) for answer in answers))
    for ip in found:
        refused = printer_host_refusal(ip, rules)
        if refused is not None:
            said = "is" if str(ip) == host else f"finds {ip}, which is"
            raise InvalidInput(f"{host} {said} not a printer's address: {refused}", field=field)
    return str(found[0]), port


def cells(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


class EscposPrinters:
    """The real printers. `render` gives the bytes a print-out is (python-escpos' Dummy printer)."""

    def __init__(
        self, font: str | None = None, rules: Callable[[], NetworkRules] = printer_network_rules
    ) -> None:
        self.font = font if font is not None else os.environ.get(FONT_ENV) or None
        self.rules = rules  # where a network printer may be, asked at each connection

    # --- what is sent ------------------------------------------------------------------------

    def render(self, device: PrinterConfig, out: PrintOut) -> bytes:
        from escpos.printer import Dummy

        p = Dummy()
        # The paper's width in dots, so python-escpos checks a picture fits (its default profile
        # does not know the paper, and says so on stdout).
        p.profile.profile_data = {
            **p.profile.profile_data,
            "media": {"dpi": 203, "width": {"mm": device.paper_mm, "pixels": DOTS[device.paper_mm]}},
        }
        p.hw("INIT")
        if out.drawer_pin is not None:
            p.cashdraw(out.drawer_pin)  # first, so the drawer opens while the receipt prints
        if device.text_mode is TextMode.IMAGE:
            # Band by band, one after the other on the paper: what is held in memory at once is a
            # band's picture, not the whole print-out's.
            for start in range(0, len(out.lines), BAND):
                band = out.lines[start : start + BAND]
                top, bottom = start == 0, start + BAND >= len(out.lines)
                p.image(self.picture(band, device.paper_mm, top=top, bottom=bottom), impl="bitImageRaster")
        elif device.text_mode in CODECS:
            codec = CODECS[device.text_mode]
            p._raw(CHINESE_ON)
            for line in out.lines:
                with _size(p, line.big):
                    if line.big:
                        p._raw(CHINESE_BIG)  # FS !: Chinese characters large too (ESC ! is for Latin)
                    p._raw(line.text.encode(codec, errors="replace") + b"\n")
                    if line.big:
                        p._raw(CHINESE_NORMAL)
            p._raw(CHINESE_OFF)
        else:
            for line in out.lines:
                with _size(p, line.big):
                    p.text(_latin(line.text) + "\n")
        if out.cut:
            p.cut()
        return bytes(p.output)

    def picture(
        self, lines: tuple[Line, ...], paper_mm: int, *, top: bool = True, bottom: bool = True
    ) -> Image.Image:
        """The lines drawn on a grid of the receipt's columns (a Chinese character takes two), so
        amounts line up on the right as they do in text; with a margin above (`top`, the first
        band) and below (`bottom`, the last)."""
        width = DOTS[paper_mm]
        cell = width // COLUMNS[paper_mm]
        rows = [(line, 2 if line.big else 1) for line in lines]
        above = cell // 2 if top else 0
        below = cell - cell // 2 if bottom else 0
        height = sum(int(cell * 2.4) * scale for _, scale in rows) + above + below
        image = Image.new("L", (width, height), 255)
        draw = ImageDraw.Draw(image)
        y = above
        for line, scale in rows:
            font = self._font(cell * 2 * scale - 2 * scale)
            x = 0
            for ch in line.text:
                w = cells(ch) * cell * scale
                if x + w > width:
                    break
                if not ch.isspace():
                    draw.text((x, y), ch, font=font, fill=0)
                x += w
            y += int(cell * 2.4) * scale
        return image

    def _font(self, size: int) -> ImageFont.FreeTypeFont:
        path, index = _font_file(self.font)
        return _load_font(path, index, size)

    # --- sending -----------------------------------------------------------------------------

    def print(self, device: PrinterConfig, out: PrintOut) -> None:
        data = self.render(device, out)  # before connecting: drawing an image takes a moment
        with self._open(device) as printer:
            if device.kind is PrinterKind.NETWORK and self._out_of_paper(printer):
                message = f"{device.name} is out of paper"
                if out.drawer_pin is not None:  # the cashier still needs the drawer for the change
                    try:
                        printer._raw(self.render(device, PrintOut((), cut=False, drawer_pin=out.drawer_pin)))
                        message += " (the cash drawer was opened)"
                    except OSError:
                        pass
                raise PrinterError(message, field="printer")
            try:
                for start in range(0, len(data), CHUNK):
                    printer._raw(data[start : start + CHUNK])
            except OSError as exc:
                raise PrinterError(
                    f"{device.name} ({device.address}) stopped taking data while printing: {_reason(exc)}",
                    field="printer",
                ) from None

    def _out_of_paper(self, printer: Any) -> bool:
        """DLE EOT 4: a printer that says it has no paper is not sent the job; one that does not
        answer in time (many don't) is printed to anyway."""
        sock: socket.socket = printer.device
        sock.settimeout(STATUS_TIMEOUT)
        try:
            status = int(printer.paper_status())
        except OSError:
            status = 2
        finally:
            sock.settimeout(WRITE_TIMEOUT)
        return status == 0

    @contextlib.contextmanager
    def _open(self, device: PrinterConfig) -> Iterator[Any]:
        from escpos import printer as escpos_printer
        from escpos.exceptions import Error as EscposError

        where = f"{device.name} ({device.kind.value} {device.address})"
        if device.kind is PrinterKind.NETWORK:
            try:
                ip, port = checked_target(device.address, self.rules())
            except InvalidInput as refused:
                raise PrinterError(f"{where} is not printed to: {refused.message}", field="printer") from None
            p: Any = _network_class()(ip, port, timeout=CONNECT_TIMEOUT)
        elif device.kind is PrinterKind.USB:
            vendor, product = usb_ids(device.address)
            p = escpos_printer.Usb(vendor, product, timeout=int(WRITE_TIMEOUT * 1000))
        else:
            path, baud = serial_target(device.address)
            p = escpos_printer.Serial(path, baudrate=baud, timeout=WRITE_TIMEOUT)
        try:
            try:
                p.open()
            except (EscposError, OSError, ValueError) as exc:
                raise PrinterError(_open_failure(where, device, exc), field="printer") from None
            if p.device is None:
                raise PrinterError(f"{where} could not be opened", field="printer")
            if device.kind is PrinterKind.NETWORK:
                p.device.settimeout(WRITE_TIMEOUT)
            elif device.kind is PrinterKind.SERIAL:
                p.device.write_timeout = WRITE_TIMEOUT  # a printer holding flow control off never hangs us
            yield p
        finally:
            with contextlib.suppress(EscposError, OSError, ValueError):
                p.close()  # closing a printer that failed: nothing more to tell


@functools.cache
def _network_class() -> Any:
    from escpos.exceptions import DeviceNotFoundError
    from escpos.printer import Network

    class ClosingNetwork(Network):  # type: ignore[misc]
        """python-escpos' network printer, connecting with socket.create_connection: IPv6 and host
        names too, and a socket that fails to connect is closed (3.1 leaves it to the collector)."""

        def open(self, raise_not_found: bool = True) -> None:
            if self._device:
                self.close()
            connected: Any = None
            try:
                connected = socket.create_connection((self.host, self.port), timeout=self.timeout)
            except OSError as exc:
                raise DeviceNotFoundError(f"Could not open socket for {self.host}: {exc}") from exc
            finally:
                self.device = connected

    return ClosingNetwork


@contextlib.contextmanager
def _size(p: Any, big: bool) -> Iterator[None]:
    if not big:
        yield
        return
    p.set(double_width=True, double_height=True, bold=True)
    yield
    p.set(normal_textsize=True, bold=False)


def _latin(text: str) -> str:
    """What a code-page printer can be sent: Chinese and other wide characters become "?" (python-escpos
    puts "?" for whatever else no code page has)."""
    return "".join("?" if unicodedata.east_asian_width(ch) in "WF" else ch for ch in text)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError | socket.timeout):
        return "no answer in time"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, ConnectionResetError | BrokenPipeError):
        return "the connection was closed"
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


def _open_failure(where: str, device: PrinterConfig, exc: BaseException) -> str:
    cause = exc.__cause__ or exc.__context__ or exc
    if device.kind is PrinterKind.NETWORK:
        if isinstance(cause, ConnectionRefusedError):
            return f"{where} refused the connection: is the printer on, and is its address right?"
        if isinstance(cause, TimeoutError | socket.timeout):
            return f"{where} did not answer within {CONNECT_TIMEOUT:g} s: is it on and on the network?"
        if isinstance(cause, socket.gaierror):
            return f"{where}: no computer of that name was found on the network"
        return f"{where} could not be reached: {_reason(cause)}"
    if device.kind is PrinterKind.USB:
        if type(cause).__name__ == "NoBackendError":
            return f"{where}: this computer has no USB printing support (install libusb)"
        return f"{where}: no such USB printer is plugged in, or this user may not use it"
    return f"{where} could not be opened: {_reason(cause)}"


@functools.lru_cache(maxsize=4)
def _font_file(chosen: str | None) -> tuple[str, int]:
    """The CJK font to draw with: MIDNIGHT_RECEIPT_FONT, else the first one installed (Debian's
    fonts-noto-cjk), its Hong Kong or Traditional face where the file holds several."""
    if chosen:
        if not os.path.isfile(chosen):
            raise PrinterError(f"the receipt font {chosen} ({FONT_ENV}) is not a file", field="printer")
        candidates = [chosen]
    else:
        candidates = [path for path in FONT_FILES if os.path.isfile(path)]
        candidates += sorted(glob.glob("/usr/share/fonts/**/*CJK*.tt[cf]", recursive=True))
        candidates += sorted(glob.glob("/usr/share/fonts/**/*CJK*.otf", recursive=True))
    for path in candidates:
        faces = _faces(path)
        if faces:
            for wanted in ("Mono CJK HK", "Mono CJK TC", "CJK HK", "CJK TC"):
                for index, name in faces:
                    if wanted in name:
                        return path, index
            return path, faces[0][0]
    raise PrinterError(
        f"no Chinese font to print pictures with: install fonts-noto-cjk, or name a font file in {FONT_ENV}",
        field="printer",
    )


def _faces(path: str) -> list[tuple[int, str]]:
    found = []
    for index in range(16):
        try:
            family, style = ImageFont.truetype(path, 12, index=index).getname()
        except OSError:
            break
        if style in (None, "Regular", "Medium"):
            found.append((index, family or ""))
    return found


@functools.lru_cache(maxsize=16)
def _load_font(path: str, index: int, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size, index=index)
