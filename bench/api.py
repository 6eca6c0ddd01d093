"""API benchmark: paid orders over HTTP against the same orders through the service layer, same run.

Starts `midnight serve` (uvicorn) with one worker and with as many workers as cores, drives it
from separate client processes on loopback for a bounded time with authenticated paid orders
(each with its own Idempotency-Key), and prints orders/s and p50/p99 latency; then runs the same
orders in-process through the service layer. The ratio shows what HTTP costs.

    python bench/api.py [--seconds 10] [--clients 2] [--threads 8]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx

ORDER = {"lines": [{"code": "TIN", "quantity": 1}], "payments": [{"method": "cash", "amount": "20"}]}


def prepare(db: Path) -> str:
    from midnight.services import catalog, menu, people, stock
    from midnight.services.context import open_context

    ctx = open_context(url=f"sqlite:///{db}", actor="bench")
    people.add_user(ctx, "owner", "owner", "bench pass phrase")
    owner = ctx.acting_as(people.local_actor(ctx, "owner"))
    catalog.add_product(owner, "PINE", "Pineapple", expiry_kind="best_before", shelf_life_days=365)
    for _ in range(20):
        stock.receive(owner, "PINE", 20_000, cost="9")
    menu.add_menu_item(owner, "TIN", "Tin", "18", product="PINE")
    token = people.create_token(owner, "owner", "bench").token
    ctx.db.dispose()
    return token


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def client(base: str, token: str, seconds: float, threads: int, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def worker() -> None:
        nonlocal errors
        mine, bad = [], 0
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30) as http:
            while time.perf_counter() < stop:
                start = time.perf_counter()
                r = http.post("/api/orders", json=ORDER, headers={"Idempotency-Key": uuid.uuid4().hex})
                if r.status_code == 201:
                    mine.append(time.perf_counter() - start)
                else:
                    bad += 1
        with lock:
            latencies.extend(mine)
            errors += bad

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for th in pool:
        th.start()
    for th in pool:
        th.join()
    out.put((latencies, errors))


def over_http(
    db: Path, token: str, workers: int, seconds: float, clients: int, threads: int
) -> tuple[float, float, float, int]:
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "midnight",
            "--db",
            str(db),
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        ctx = multiprocessing.get_context("spawn")
        out = ctx.Queue()
        procs = [
            ctx.Process(target=client, args=(base, token, seconds, threads, out)) for _ in range(clients)
        ]
        for p in procs:
            p.start()
        results = [out.get(timeout=seconds + 120) for _ in procs]
        for p in procs:
            p.join(30)
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
    latencies = sorted(x for lat, _ in results for x in lat)
    errors = sum(e for _, e in results)
    if not latencies:
        return 0.0, 0.0, 0.0, errors
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    return len(latencies) / seconds, p50, p99, errors


def in_process(db: Path, seconds: float) -> float:
    from midnight.services import people
    from midnight.services.context import open_context
    from midnight.services.orders import LineRequest, place_order

    ctx = open_context(url=f"sqlite:///{db}")
    owner = ctx.acting_as(people.local_actor(ctx, "owner"))
    done, stop = 0, time.perf_counter() + seconds
    start = time.perf_counter()
    while time.perf_counter() < stop:
        place_order(owner, uuid.uuid4().hex, [LineRequest("TIN")], payments=[("cash", "20")])
        done += 1
    rate = done / (time.perf_counter() - start)
    ctx.db.dispose()
    return rate


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=2, help="client processes")
    parser.add_argument("--threads", type=int, default=8, help="connections per client process")
    args = parser.parse_args(argv)
    directory = Path(tempfile.mkdtemp())
    try:
        db = directory / "bench.db"
        token = prepare(db)
        cores = os.cpu_count() or 1
        print(
            f"python {sys.version.split()[0]}, {cores} cores, {args.clients}x{args.threads} connections, "
            f"{args.seconds:.0f} s each"
        )
        base = in_process(db, args.seconds)
        print(f"service layer in-process: {base:,.0f} orders/s")
        for workers in sorted({1, cores}):
            rate, p50, p99, errors = over_http(db, token, workers, args.seconds, args.clients, args.threads)
            print(
                f"HTTP, {workers} worker(s): {rate:,.0f} orders/s, p50 {p50:.1f} ms, p99 {p99:.1f} ms, "
                f"{errors} errors, ratio to in-process {rate / base:.2f} (target >= 1,500/s, p99 < 50 ms)"
            )
    finally:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1:])
