"""The template worker: renders owner-written Jinja2 templates in a process of its own, under limits.

midnight.adapters.templates starts it as `python -P template_worker.py MEMORY_MB CPU_SECONDS`. It imports
only jinja2 and the standard library (nothing of midnight), so it starts quickly and holds none of the
server's state: no database connection, no secrets.

Messages on stdin and stdout are a 4-byte big-endian length followed by the payload:
- in: a pickled request, {"fields": [(field, source, max_length), ...], "context": {...}, "names": [...] or
  None}. The server is trusted, so pickle carries Decimal and date values as they are.
- out: JSON. The worker runs owner-written code, so the server reads nothing richer than JSON from it.
    {"event": "ready"}                                    once, when the worker can take requests
    {"event": "start", "field": f, "phase": p}            before reading ("read") or rendering ("render")
                                                          each template, so a timeout blames the right one
    {"event": "done", "field": f, "text": t}              one per rendered template
    {"event": "failed", "field": f, "kind": k, "retire": r, ...}
                                                          ends the request (see describe()); with retire the
                                                          worker exits after it (out of memory or stack)

With "names" (the save-time check) every template is parsed and its variables checked before any is
rendered; without it (an ordinary render) each is only compiled.
"""

from __future__ import annotations

import decimal
import functools
import json
import os
import pickle
import resource
import signal
import struct
import sys
from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO, cast

from jinja2 import StrictUndefined, Template, TemplateError, TemplateSyntaxError, meta, nodes
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment

HEADER = struct.Struct(">I")

#: range() in a template gives at most this many numbers (Jinja's own sandbox allows 100,000).
MAX_RANGE = 10_000
#: a ** b refuses |b| above this: no message needs more, and 2 ** 10 ** 6 takes the worker's whole budget.
MAX_EXPONENT = 64
#: integers built with * and ** stay below this many decimal digits (Python prints at most 4,300).
MAX_INT_DIGITS = 1000
_MAX_INT_BITS = int(MAX_INT_DIGITS * 3.3219)  # log2(10) bits per decimal digit

#: Jinja's helpers a template may call; lipsum (placeholder text) has no place in a message to a customer.
ALLOWED_GLOBALS = ("range", "dict", "namespace", "cycler", "joiner")

Frame = dict[str, object]
Send = Callable[[Frame], None]


class LimitExceeded(Exception):
    """The template asked for more than the limits allow; the message tells the shop owner what."""


class TooLong(Exception):
    """The rendered text passed the length limit; the server words the message, it knows the field."""


class Refused(Exception):
    """The save-time check refuses the template before it runs; `details` go back to the server as is."""

    def __init__(self, kind: str, details: Frame) -> None:
        super().__init__(kind)
        self.kind = kind
        self.details = details


def bounded_range(*args: int) -> range:
    numbers = range(*args)
    try:
        count = len(numbers)
    except OverflowError:  # more numbers than fit in a machine word
        count = MAX_RANGE + 1
    if count > MAX_RANGE:
        raise LimitExceeded(f"range() may count at most {MAX_RANGE} numbers")
    return numbers


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | decimal.Decimal)


def check_power(base: object, exponent: object) -> None:
    """Refuse a ** b that would take long or print huge before Python starts computing it."""
    if not (_is_number(base) and _is_number(exponent)):
        return  # not arithmetic: let Python raise its own TypeError
    if abs(cast(float, exponent)) > MAX_EXPONENT:
        raise LimitExceeded(f"an exponent (the number after **) may be at most {MAX_EXPONENT}")
    if isinstance(base, int) and isinstance(exponent, int) and base.bit_length() * exponent > _MAX_INT_BITS:
        raise LimitExceeded(f"a number may have at most {MAX_INT_DIGITS} digits")


def check_product(left: object, right: object, max_length: int) -> None:
    """Refuse a * b that would build a huge integer, or text or a list longer than the message may be."""
    if isinstance(left, int) and isinstance(right, int):
        if left.bit_length() + right.bit_length() > _MAX_INT_BITS:
            raise LimitExceeded(f"a number may have at most {MAX_INT_DIGITS} digits")
        return
    for sequence, times in ((left, right), (right, left)):
        if isinstance(sequence, str | list | tuple) and isinstance(times, int):
            if len(sequence) * times > max_length:
                raise LimitExceeded(f"text or a list repeated with * may be at most {max_length} long")
            return


class LimitedEnvironment(SandboxedEnvironment):
    """Jinja's sandbox, strict about unknown names, with * and ** and range() bounded."""

    intercepted_binops = frozenset({"*", "**"})

    def __init__(self) -> None:
        super().__init__(undefined=StrictUndefined, autoescape=False)
        for name in list(self.globals):
            if name not in ALLOWED_GLOBALS:
                del self.globals[name]
        self.globals["range"] = bounded_range
        # Set before each render: text built with * may not be longer than the output may be.
        self.max_length = 0

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            check_power(left, right)
        elif operator == "*":
            check_product(left, right, self.max_length)
        return super().call_binop(context, operator, left, right)


@dataclass(frozen=True)
class Prepared:
    template: Template
    undeclared: frozenset[str]
    references_others: bool


class Renderer:
    """Reads and renders templates for one worker; compiled templates are kept, owners rarely edit them."""

    def __init__(self, memory_mb: int) -> None:
        self.env = LimitedEnvironment()
        self.memory_mb = memory_mb
        self.prepare = functools.lru_cache(maxsize=64)(self._prepare)

    def _prepare(self, source: str) -> Prepared:
        ast = self.env.parse(source)
        # Jinja counts a name set inside {% if %} as undeclared (the branch might not run); a name the
        # template assigns anywhere is its own, not one the owner asks the message for.
        assigned = {node.name for node in ast.find_all(nodes.Name) if node.ctx in ("store", "param")}
        undeclared = frozenset(meta.find_undeclared_variables(ast)) - assigned
        references = any(True for _ in meta.find_referenced_templates(ast))
        return Prepared(self.env.from_string(ast), undeclared, references)

    def read(self, source: str, names: Sequence[str] | None) -> Template:
        prepared = self.prepare(source)
        if names is not None:
            if prepared.references_others:
                raise Refused("includes", {})
            unknown = sorted(prepared.undeclared - set(names))
            if unknown:
                raise Refused("unknown_names", {"unknown": unknown})
        return prepared.template

    def render(self, template: Template, context: Mapping[str, object], max_length: int) -> str:
        """Render piece by piece and stop as soon as the text is too long, before building the rest."""
        self.env.max_length = max_length
        parts: list[str] = []
        length = 0
        chunks = cast(Generator[str, None, None], template.generate(context))
        try:
            for chunk in chunks:
                if not chunk:
                    continue  # a loop printing nothing would otherwise fill memory with empty pieces
                length += len(chunk)
                if length > max_length:
                    raise TooLong
                parts.append(chunk)
        finally:
            chunks.close()
        return "".join(parts)

    def handle(self, request: Mapping[str, Any], send: Send) -> bool:
        """Answer one request; True when this worker should stop afterwards (it ran out of memory or stack)."""
        fields: list[tuple[str, str, int]] = request["fields"]
        names: list[str] | None = request["names"]
        templates: dict[str, Template] = {}
        for field, source, _ in fields:
            send({"event": "start", "field": field, "phase": "read"})
            try:
                templates[field] = self.read(source, names)
            except Exception as exc:  # every failure goes back to the server as a reason
                return self._fail(field, exc, send)
        for field, _, max_length in fields:
            send({"event": "start", "field": field, "phase": "render"})
            try:
                text = self.render(templates[field], request["context"], max_length)
            except Exception as exc:  # every failure goes back to the server as a reason
                return self._fail(field, exc, send)
            send({"event": "done", "field": field, "text": text})
        return False

    def _fail(self, field: str, exc: Exception, send: Send) -> bool:
        details, retire = self.describe(exc)
        send({"event": "failed", "field": field, "retire": retire, **details})
        return retire

    def describe(self, exc: Exception) -> tuple[Frame, bool]:
        """What went wrong, short enough for a shop owner, and whether the worker should be replaced."""
        if isinstance(exc, Refused):
            return {"kind": exc.kind, **exc.details}, False
        if isinstance(exc, TooLong):
            return {"kind": "too_long"}, False
        if isinstance(exc, TemplateSyntaxError):
            return {"kind": "syntax", "line": exc.lineno, "reason": exc.message or "not valid"}, False
        if isinstance(exc, MemoryError):
            return _error(f"it needs more memory than the {self.memory_mb} MB allowed"), True
        if isinstance(exc, RecursionError):
            return _error("it calls itself too deeply"), True
        return _error(_reason(exc)), False


def _error(reason: str) -> Frame:
    return {"kind": "error", "reason": reason}


def _reason(exc: Exception) -> str:
    if isinstance(exc, LimitExceeded):
        return str(exc)
    if isinstance(exc, SecurityError):
        return f"not allowed: {exc.message}"
    if isinstance(exc, TemplateError):  # UndefinedError's message names the missing variable
        return exc.message or type(exc).__name__
    if isinstance(exc, ZeroDivisionError):
        return "it divides by zero"
    if isinstance(exc, OverflowError):
        return f"a number is too large ({exc})"
    if isinstance(exc, decimal.DecimalException):
        return f"a calculation has no answer ({type(exc).__name__})"
    if isinstance(exc, ValueError) and "integer string conversion" in str(exc):
        return "a number is too long to print"
    return f"{type(exc).__name__}: {exc}"[:300]


def limit_memory(memory_mb: int) -> None:
    """Cap the address space: a template that allocates too much gets MemoryError instead of the machine."""
    wanted = memory_mb * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    resource.setrlimit(resource.RLIMIT_AS, (wanted, wanted))


def limit_cpu(seconds: int) -> None:
    """A backstop to the server's timeout: if the server dies mid-render, the kernel stops a runaway loop.

    The limit counts the process's whole life, so it is moved forward before each request."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    soft = int(usage.ru_utime + usage.ru_stime) + seconds
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def read_request(stream: BinaryIO) -> dict[str, Any] | None:
    """The next request, or None when the server has closed the pipe (it is done with this worker)."""
    header = stream.read(HEADER.size)
    if len(header) < HEADER.size:
        return None
    (size,) = HEADER.unpack(header)
    payload = stream.read(size)
    if len(payload) < size:
        return None
    request: dict[str, Any] = pickle.loads(payload)
    return request


def sender(stream: BinaryIO) -> Send:
    def send(frame: Frame) -> None:
        payload = json.dumps(frame).encode()
        stream.write(HEADER.pack(len(payload)) + payload)
        stream.flush()

    return send


def main(argv: Sequence[str]) -> int:
    memory_mb, cpu_seconds = int(argv[0]), int(argv[1])
    # Ctrl-C at the server's terminal reaches the whole process group; the server decides when we stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Replies get a private copy of stdout; anything printed by accident goes to stderr, not into the pipe.
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    send = sender(replies)
    renderer = Renderer(memory_mb)
    limit_memory(memory_mb)
    send({"event": "ready"})
    while (request := read_request(sys.stdin.buffer)) is not None:
        limit_cpu(cpu_seconds)
        if renderer.handle(request, send):
            return 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
