"""Holds benchmark: slow work stays out of the write lock.

A hold renders the owner's message template (in a template worker process) and hashes its pickup
code with argon2, both outside the write transaction. While 6 clients create holds as fast as they
can, one till places paid one-line orders; its latency is compared with the same till alone, in the
same run. A real `midnight serve` (one worker) on loopback, SQLite WAL with synchronous=FULL; every
client is its own process with one connection.

    python bench/holds.py [--seconds 10] [--makers 6] [--rounds 2] [--rate HOLDS_PER_SECOND]

Each phase gets a fresh server and ends well within the notification worker's 30 s interval, so the
worker's only pass is at start-up: what the holds queue stays queued (the customer's address is on
a domain that never resolves, so nothing could be delivered anyway). Between rounds, messages queued
by the previous round are set aside (marked failed), so that start-up pass has nothing to send either.

The clients share the machine's cores with the server. --rate gives each maker a schedule (holds a
second) instead of "as fast as it can", to see how the till fares at a given rate of holds.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

ORDER = {"lines": [{"code": "COLA", "quantity": 1}], "payments": [{"method": "cash", "amount": "10"}]}
TEMPLATE = {
    "event": "item_waiting",
    "language": "en",
    "subject": "{{ store }}: {{ description }} is waiting for you",
    "body": (
        "Dear {{ customer }},\n{{ description | capitalize }} is on shelf {{ shelf_slot }} at {{ store }}."
        "{% if hold_until %} We keep it until {{ hold_until }}.{% endif %}\n"
        "Show this code at the counter: {{ code }}\n{% for n in range(3) %}-{% endfor %}\n"
        "Thank you for shopping with us."
    ),
}
WARM_UP = 2.0  # seconds each client runs before its samples count
LEAD = 4.0  # seconds from starting the client processes to the common start


def prepare(db: Path) -> str:
    from midnight.commands.catalog import AddProduct
    from midnight.commands.people import AddUser, CreateToken
    from midnight.commands.stock import ReceiveLot
    from midnight.commands.till import AddMenuItem
    from midnight.services import catalog, menu, people, stock
    from midnight.services.context import open_context

    ctx = open_context(url=f"sqlite:///{db}", actor="bench")
    people.add_user(ctx, AddUser(name="owner", role="owner", password="bench pass phrase"))
    owner = ctx.acting_as(people.local_actor(ctx, "owner"))
    catalog.add_product(
        owner, AddProduct(sku="COLA", name="Cola can", expiry_kind="best_before", shelf_life_days=270)
    )
    for _ in range(20):
        stock.receive(owner, ReceiveLot(sku="COLA", quantity=20_000, cost="4"))
    menu.add_menu_item(owner, AddMenuItem(code="COLA", name="Cola", price="8", product="COLA"))
    token = people.create_token(owner, "owner", CreateToken(label="bench")).token
    ctx.db.dispose()
    return token


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(db: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "midnight", "--db", str(db), "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "MIDNIGHT_SQLITE_SYNCHRONOUS": "FULL"},
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    else:
        server.kill()
        raise SystemExit("the server did not start")
    time.sleep(1)  # the notification worker's start-up pass
    return server, base


def stop(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(signal.SIGINT)
    try:
        server.wait(20)
    except subprocess.TimeoutExpired:
        server.kill()


def till(base: str, token: str, start: float, stop_at: float, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    latencies, errors = [], 0
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30) as http:
        time.sleep(max(0.0, start - time.time()))
        while time.time() < stop_at:
            began = time.time()
            r = http.post("/api/orders", json=ORDER, headers={"Idempotency-Key": uuid.uuid4().hex})
            took = time.time() - began
            if r.status_code != 201:
                errors += 1
            elif began >= start + WARM_UP:
                latencies.append(took)
    out.put(("till", latencies, errors))


def hold_maker(
    base: str,
    token: str,
    customer: int,
    rate: float,
    offset: float,
    start: float,
    stop_at: float,
    out: multiprocessing.Queue,  # type: ignore[type-arg]
) -> None:
    """Holds one after another; with a rate, one every 1/rate seconds from `offset` (a schedule, so a
    slow answer does not lower the rate), the makers' schedules spread evenly."""
    latencies, errors, n = [], 0, 0
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30) as http:
        time.sleep(max(0.0, start - time.time()))
        while time.time() < stop_at:
            if rate:
                time.sleep(max(0.0, start + offset + n / rate - time.time()))
                if time.time() >= stop_at:
                    break
            n += 1
            began = time.time()
            body = {"description": f"parcel {n}", "for_customer": f"#{customer}", "shelf_slot": "B2"}
            r = http.post("/api/holds", json=body)
            took = time.time() - began
            if r.status_code != 201:
                errors += 1
            elif began >= start + WARM_UP:
                latencies.append(took)
    out.put(("hold", latencies, errors))


def phase(
    db: Path, token: str, customers: list[int], makers: int, rate: float, seconds: float
) -> tuple[list[float], list[float], int]:
    """One till, with `makers` hold-making clients beside it; a fresh server for the phase."""
    server, base = serve(db)
    try:
        ctx = multiprocessing.get_context("spawn")
        out = ctx.Queue()
        start = time.time() + LEAD
        stop_at = start + WARM_UP + seconds
        procs = [ctx.Process(target=till, args=(base, token, start, stop_at, out))]
        spread = 1 / (rate * makers) if rate and makers else 0.0
        for n in range(makers):
            customer = customers[n % len(customers)]
            args = (base, token, customer, rate, n * spread, start, stop_at, out)
            procs.append(ctx.Process(target=hold_maker, args=args))
        for p in procs:
            p.start()
        results = [out.get(timeout=LEAD + WARM_UP + seconds + 120) for _ in procs]
        for p in procs:
            p.join(30)
    finally:
        stop(server)
    orders = sorted(x * 1000 for kind, lat, _ in results if kind == "till" for x in lat)
    held = sorted(x * 1000 for kind, lat, _ in results if kind == "hold" for x in lat)
    errors = sum(e for _, _, e in results)
    return orders, held, errors


def pct(samples: list[float], q: float) -> float:
    return samples[min(len(samples) - 1, int(len(samples) * q))] if samples else float("nan")


def set_aside_queued(db: Path) -> None:
    """Earlier rounds' messages are not sent at the next server's start-up: marked failed, not deleted."""
    conn = sqlite3.connect(db)
    conn.execute(
        "UPDATE outbox SET state = 'failed', last_error = 'set aside by the benchmark' WHERE state = 'pending'"
    )
    conn.commit()
    conn.close()


def outbox(db: Path) -> tuple[int, int]:
    """(messages queued, messages the worker tried to send)."""
    conn = sqlite3.connect(db)
    queued, tried = conn.execute(
        "SELECT COUNT(*), COALESCE(SUM(attempts > 0), 0) FROM outbox WHERE event = 'item_waiting'"
    ).fetchone()
    conn.close()
    return int(queued), int(tried)


def setup_over_http(db: Path, token: str, makers: int) -> list[int]:
    """The owner's template and the customers, through the API as a shop would."""
    server, base = serve(db)
    try:
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30) as http:
            r = http.put("/api/notify/templates", json=TEMPLATE)
            if r.status_code != 200:
                raise SystemExit(f"saving the template: {r.status_code} {r.text[:300]}")
            found = []
            for n in range(makers):
                body = {"name": f"Customer {n}", "contacts": [f"mailto://customer{n}@holds.bench.invalid"]}
                r = http.post("/api/customers", json=body)
                if r.status_code != 201:
                    raise SystemExit(f"adding a customer: {r.status_code} {r.text[:300]}")
                found.append(int(r.json()["id"]))
            return found
    finally:
        stop(server)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=10, help="measured seconds per phase")
    parser.add_argument("--makers", type=int, default=6, help="clients creating holds")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of (till alone, till with holds)")
    parser.add_argument(
        "--rate", type=float, default=0, help="holds a second per maker (default: as fast as they can)"
    )
    args = parser.parse_args(argv)
    if args.seconds + WARM_UP + LEAD > 25:
        parser.error(
            "a phase must end before the notification worker's next pass (30 s): use --seconds <= 19"
        )
    directory = Path(tempfile.mkdtemp())
    try:
        db = directory / "bench.db"
        token = prepare(db)
        customers = setup_over_http(db, token, args.makers)
        print(
            f"python {sys.version.split()[0]}, {os.cpu_count()} cores; one till, {args.makers} hold makers "
            f"({f'{args.rate:g} holds/s each' if args.rate else 'as fast as they can'}), "
            f"{args.seconds:.0f} s per phase, {args.rounds} rounds; SQLite WAL, synchronous=FULL"
        )
        alone: list[float] = []
        loaded: list[float] = []
        held: list[float] = []
        errors = 0
        for r in range(args.rounds):
            a, _, e = phase(db, token, customers, 0, args.rate, args.seconds)
            alone += a
            errors += e
            set_aside_queued(db)
            before, _ = outbox(db)
            o, h, e = phase(db, token, customers, args.makers, args.rate, args.seconds)
            loaded += o
            held += h
            errors += e
            queued, tried = outbox(db)
            print(
                f"  round {r + 1}: till alone p50 {pct(a, 0.5):.1f} ms, p99 {pct(a, 0.99):.1f} ms; with holds "
                f"p50 {pct(o, 0.5):.1f} ms, p99 {pct(o, 0.99):.1f} ms; {len(h) / args.seconds:.1f} holds/s; "
                f"{queued - before} messages queued, {tried} tried by the worker"
            )
            set_aside_queued(db)
        alone.sort()
        loaded.sort()
        held.sort()
        a50, a99 = pct(alone, 0.5), pct(alone, 0.99)
        l50, l99 = pct(loaded, 0.5), pct(loaded, 0.99)
        seconds = args.seconds * args.rounds
        print(f"till alone:      {len(alone) / seconds:,.0f} orders/s, p50 {a50:.1f} ms, p99 {a99:.1f} ms")
        print(
            f"with {args.makers} holders: {len(loaded) / seconds:,.0f} orders/s, p50 {l50:.1f} ms, p99 {l99:.1f} ms; "
            f"{len(held) / seconds:.1f} holds/s (hold p50 {pct(held, 0.5):.0f} ms, p99 {pct(held, 0.99):.0f} ms)"
        )
        print(
            f"ratio with/alone: p50 {l50 / a50:.2f}, p99 {l99 / a99:.2f}; {errors} errors "
            f"(target: order p99 < 50 ms while {args.makers} clients create holds)"
        )
    finally:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1:])
