"""Rendering owner-written message templates without letting one of them hurt the server.

An owner can save a template that never finishes, allocates gigabytes, builds huge numbers or names
variables that do not exist. Each template therefore runs in a worker process (template_worker.py) with a
memory limit, a bounded range(), bounded * and **, and an output limit; the server waits a fixed time for
it and kills it (SIGKILL) if it is late. A runaway loop cannot be stopped inside a thread, hence processes.

Workers are started on first use with subprocess (exec, never fork: the server has threads), kept for the
next render, and replaced after a timeout or a crash. TemplateRenderer is safe to share between threads:
each render takes an idle worker from a small pool, or waits for one.

`check` is the save-time gate: syntax, unknown variables, source length, and a render of sample values under
the same limits. Besides the message's own variables a template may use Jinja's range (at most 10,000
numbers), dict, namespace, cycler and joiner; lipsum is removed, and `loop` exists only inside a for loop.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import pickle
import queue
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, NoReturn

from midnight.domain.errors import InvalidInput, MidnightError

WORKER_SCRIPT = Path(__file__).with_name("template_worker.py")
HEADER = struct.Struct(">I")
FIELDS = ("subject", "body")
#: the longest template source an owner may save, per field
MAX_SOURCE = {"subject": 4000, "body": 20000}
#: a worker that has not said "ready" by then is broken (generous: a busy machine starts Python slowly)
STARTUP_SECONDS = 30.0
#: the environment a worker gets: enough to find Python and jinja2, none of the server's secrets
WORKER_ENVIRONMENT = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "PYTHONPATH", "PYTHONHOME", "SYSTEMROOT")
_SCALARS = (type(None), bool, int, float, str, Decimal, dt.date, dt.datetime, dt.time)


class TemplateFailed(InvalidInput):
    """An owner's template is not valid, or failed, or went over a limit; the message says which and why."""

    code = "template_failed"


class TemplateRendererUnavailable(MidnightError):
    """The renderer itself cannot work (closed, all workers busy, Python would not start): not the owner's doing."""

    code = "template_renderer_unavailable"
    http_status = 503


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


class _TimedOut(Exception):
    pass


class _WorkerGone(Exception):
    """The worker process ended or its pipe broke."""


class _Worker:
    """One worker process, started on first use and replaced after it is killed or dies.

    The renderer lends a _Worker to one thread at a time; `lock` keeps close() from stopping it mid-render."""

    def __init__(self, command: Sequence[str], environment: Mapping[str, str]) -> None:
        self.lock = threading.Lock()
        self._command = list(command)
        self._environment = dict(environment)
        self._process: subprocess.Popen[bytes] | None = None
        self._poll = select.poll()

    def ensure_started(self) -> None:
        if self._process is not None and self._process.poll() is None:
            return
        self.stop()
        self._process = subprocess.Popen(
            self._command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=self._environment,
            bufsize=0,
            close_fds=True,
        )
        assert self._process.stdout is not None
        self._poll = select.poll()  # poll, not select: a busy server has file descriptors above 1024
        self._poll.register(self._process.stdout.fileno(), select.POLLIN)
        try:
            frame = self.receive(time.monotonic() + STARTUP_SECONDS)
        except (_TimedOut, _WorkerGone) as exc:
            how = self.stop()
            if isinstance(exc, _TimedOut):
                how = f"not ready within {STARTUP_SECONDS:g} s"
            raise TemplateRendererUnavailable(f"the template renderer could not start ({how})") from None
        if frame.get("event") != "ready":
            self.stop()
            raise TemplateRendererUnavailable("the template renderer sent something unexpected at start")

    def send(self, payload: bytes) -> None:
        assert self._process is not None and self._process.stdin is not None
        data = memoryview(HEADER.pack(len(payload)) + payload)
        try:
            while data:
                data = data[os.write(self._process.stdin.fileno(), data) :]
        except OSError:  # BrokenPipeError and kin: the worker is gone
            raise _WorkerGone from None

    def receive(self, deadline: float) -> dict[str, Any]:
        (size,) = HEADER.unpack(self._read(HEADER.size, deadline))
        # Replies are bounded by the output limits; anything far larger means a broken worker.
        if size > 16 * 1024 * 1024:
            raise _WorkerGone
        frame = _decode(self._read(size, deadline))
        if frame is None:
            raise _WorkerGone
        return frame

    def _read(self, size: int, deadline: float) -> bytes:
        assert self._process is not None and self._process.stdout is not None
        data = bytearray()
        while len(data) < size:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self._poll.poll(remaining * 1000):
                raise _TimedOut
            chunk = os.read(self._process.stdout.fileno(), size - len(data))
            if not chunk:
                raise _WorkerGone
            data += chunk
        return bytes(data)

    def stop(self, *, graceful: bool = False) -> str:
        """End the process (if any) and reap it; says how it ended, for messages."""
        process, self._process = self._process, None
        if process is None:
            return "not running"
        assert process.stdin is not None and process.stdout is not None
        process.stdin.close()  # a worker waiting for work exits when its input closes
        if process.poll() is None:
            if graceful:
                try:
                    process.wait(timeout=2)
                except subprocess.TimeoutExpired:
                    process.kill()
            else:
                process.kill()
        code = process.wait()
        process.stdout.close()
        return _how_it_ended(code)


def _decode(payload: bytes) -> dict[str, Any] | None:
    try:
        frame = json.loads(payload)
    except ValueError:
        return None
    return frame if isinstance(frame, dict) else None


def _how_it_ended(code: int) -> str:
    if code >= 0:
        return f"exit status {code}"
    try:
        return f"stopped by {signal.Signals(-code).name}"
    except ValueError:
        return f"stopped by signal {-code}"


def _plain(value: object, path: str) -> object:
    """The context as plain values the worker can take: it imports nothing of ours to unpickle them.

    A value of another type is a bug in the caller, not the owner's doing, hence TypeError."""
    if type(value) in _SCALARS:
        return value
    if isinstance(value, str):  # StrEnum and the like render as their text
        return str(value)
    if isinstance(value, Mapping):
        return {str(key): _plain(item, f"{path}.{key}") for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item, f"{path}[{index}]") for index, item in enumerate(value)]
    raise TypeError(f"{path} is a {type(value).__name__}, which a template cannot be given")


class TemplateRenderer:
    """Renders (subject, body) template pairs in worker processes, with time, memory and length limits."""

    def __init__(
        self,
        *,
        timeout: float = 1.0,
        check_timeout: float = 0.5,
        max_subject: int = 200,
        max_body: int = 8000,
        memory_mb: int = 256,
        workers: int = 2,
    ) -> None:
        if timeout <= 0 or workers < 1 or memory_mb < 32 or max_subject < 1 or max_body < 1:
            raise ValueError("timeout, workers, memory_mb and the lengths must be positive (memory_mb >= 32)")
        self.timeout = timeout
        # A template being saved is tried on sample data under a tighter limit, so the one that runs
        # on every held item has room to spare.
        self.check_timeout = min(check_timeout, timeout)
        self.max_length = {"subject": max_subject, "body": max_body}
        self.memory_mb = memory_mb
        # A request has up to four steps (read and render, for each template), each given `timeout`.
        cpu_seconds = int(4 * timeout) + 2
        command = [sys.executable, "-P", str(WORKER_SCRIPT), str(memory_mb), str(cpu_seconds)]
        environment = {key: os.environ[key] for key in WORKER_ENVIRONMENT if key in os.environ}
        self._workers = [_Worker(command, environment) for _ in range(workers)]
        # Last in, first out: a quiet shop keeps reusing one warm worker and never starts the others.
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        for worker in reversed(self._workers):
            self._idle.put(worker)
        # The longest any request may hold a worker, so a waiting thread can tell "busy" from "stuck".
        self._wait_for_worker = STARTUP_SECONDS + 2 * 4 * timeout
        self._closed = False

    def render(self, subject: str, body: str, context: Mapping[str, object]) -> Rendered:
        """Render both templates with `context`; TemplateFailed names the field that failed and why."""
        self._check_sources(subject, body)
        return self._run(subject, body, context, names=None, limit=self.timeout)

    def check(
        self, subject: str, body: str, sample: Mapping[str, object], names: Collection[str]
    ) -> Rendered:
        """Refuse a template an owner wants to save unless it is valid, uses only `names`, and renders
        `sample` within the limits; returns that render, for a preview."""
        for field, source in zip(FIELDS, (subject, body), strict=True):
            if not source.strip():
                raise TemplateFailed(f"the {field} is empty", field=field)
        self._check_sources(subject, body)
        return self._run(subject, body, sample, names=sorted(set(names)), limit=self.check_timeout)

    def close(self) -> None:
        """Stop the workers (waiting for renders in progress); the renderer cannot be used afterwards."""
        self._closed = True
        for worker in self._workers:
            with worker.lock:
                worker.stop(graceful=True)

    def __enter__(self) -> TemplateRenderer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _check_sources(self, subject: str, body: str) -> None:
        for field, source in zip(FIELDS, (subject, body), strict=True):
            if len(source) > MAX_SOURCE[field]:
                raise TemplateFailed(
                    f"the {field} template is {len(source)} characters long; it may be at most "
                    f"{MAX_SOURCE[field]}",
                    field=field,
                )

    def _run(
        self, subject: str, body: str, context: Mapping[str, object], names: list[str] | None, limit: float
    ) -> Rendered:
        request = {
            "fields": [
                (field, source, self.max_length[field])
                for field, source in zip(FIELDS, (subject, body), strict=True)
            ],
            "context": _plain(context, "context"),
            "names": names,
        }
        payload = pickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL)
        if self._closed:
            raise TemplateRendererUnavailable("the template renderer is closed")
        try:
            worker = self._idle.get(timeout=self._wait_for_worker)
        except queue.Empty:
            raise TemplateRendererUnavailable("every template renderer is busy; try again shortly") from None
        try:
            with worker.lock:
                if self._closed:
                    raise TemplateRendererUnavailable("the template renderer is closed")
                texts = self._exchange(worker, payload, names, limit)
        finally:
            self._idle.put(worker)
        return Rendered(subject=texts["subject"], body=texts["body"])

    def _exchange(
        self, worker: _Worker, payload: bytes, names: list[str] | None, limit: float
    ) -> dict[str, str]:
        """Send one request and follow the worker's progress, giving each step `limit` seconds."""
        field, phase = FIELDS[0], "read"
        frame = self._begin(worker, payload, limit)
        texts: dict[str, str] = {}
        while True:
            event = frame.get("event")
            if event == "start":
                field, phase = str(frame.get("field")), str(frame.get("phase"))
            elif event == "done":
                texts[str(frame.get("field"))] = str(frame.get("text"))
                if len(texts) == len(FIELDS):
                    return texts
            elif event == "failed":
                self._failed(worker, frame, names)
            else:
                worker.stop()
                raise TemplateRendererUnavailable("the template renderer sent something unexpected")
            try:
                frame = worker.receive(time.monotonic() + limit)
            except _TimedOut:
                worker.stop()
                doing = "render" if phase == "render" else "read"
                raise TemplateFailed(
                    f"the {field} template took longer than {limit:g} s to {doing}", field=field
                ) from None
            except _WorkerGone:
                how = worker.stop()
                raise TemplateFailed(
                    f"the renderer stopped while working on the {field} template ({how}); the template may "
                    f"need more than {self.memory_mb} MB of memory or too much time",
                    field=field,
                ) from None

    def _begin(self, worker: _Worker, payload: bytes, limit: float) -> dict[str, Any]:
        """Hand the request over and take the first reply. A worker found dead before it began (killed
        while idle) is not the template's fault: it is replaced once and the request sent again."""
        for attempt in (1, 2):
            worker.ensure_started()
            try:
                worker.send(payload)
                return worker.receive(time.monotonic() + limit)
            except _WorkerGone:
                how = worker.stop()
                if attempt == 2:
                    raise TemplateRendererUnavailable(
                        f"the template renderer keeps stopping ({how})"
                    ) from None
            except _TimedOut:
                worker.stop()
                raise TemplateFailed(
                    f"the subject template took longer than {limit:g} s to read", field="subject"
                ) from None
        raise AssertionError("unreachable")

    def _failed(self, worker: _Worker, frame: Mapping[str, Any], names: list[str] | None) -> NoReturn:
        """Turn the worker's report into the owner's message; replace the worker if it asked to be."""
        if frame.get("retire"):
            worker.stop()
        field = str(frame.get("field"))
        if field not in FIELDS:
            field = FIELDS[0]
        kind = frame.get("kind")
        if kind == "too_long":
            message = f"the {field} is longer than {self.max_length[field]} characters"
        elif kind == "syntax":
            message = f"the {field} template has a mistake on line {frame.get('line')}: {frame.get('reason')}"
        elif kind == "unknown_names":
            unknown = " and ".join(f"{{{{ {name} }}}}" for name in frame.get("unknown") or ())
            allowed = ", ".join(names or ()) or "no variables"
            message = f"the {field} uses {unknown}, which this message does not have; it may use: {allowed}"
        elif kind == "includes":
            message = f"the {field} template may not include, import or extend other templates"
        else:
            message = f"the {field} template failed: {frame.get('reason')}"
        raise TemplateFailed(message, field=field)
