"""The workbench under load: 8 concurrent clients against `planledger serve` on 127.0.0.1.

Run by `scripts/bench.py --serve`. On the demo ledger (built with scripts/demo.sh into a
temporary folder unless --ledger names one; a copy is served, read-only), it starts the server
as its own process, builds the list of pages an examiner would open (home, each fund class,
each quarter's report, figures, the log paged and filtered, events, compare, breaks, each at a
few business dates and known-at times), and has --clients threads (default 8) each open pages
from it in turn over kept-alive connections until --requests (default 3,000) have been
answered. It reports the median and p95 latency, requests per second, and the same for the
first visit of each distinct page (before the server's page cache holds it). Goal: p95 under
100 ms on the demo ledger.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

PROJECT_ROOT = Path(__file__).resolve().parent.parent
GOAL_P95_MS = 100.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _get(connection: http.client.HTTPConnection, path: str) -> tuple[int, bytes]:
    connection.request("GET", path, headers={"Accept": "text/html"})
    answer = connection.getresponse()
    return answer.status, answer.read()


def _json(port: int, path: str) -> Any:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        status, body = _get(connection, path)
    finally:
        connection.close()
    assert status == 200, (path, status, body[:300])
    return json.loads(body)


def _pages(port: int) -> list[str]:
    """The pages to visit: what an examiner opens, at a few moments."""
    home = _json(port, "/index.json")
    head = home["moment"]["log_position"]
    classes = [row["standing"]["fund_class"] for row in home["fund_classes"]]
    first = _json(port, "/log.json")["entries"]
    middle = _json(port, f"/log.json?after={head // 2}")["entries"]
    known_ats = [first[-1]["committed_at"], middle[0]["committed_at"]]
    moments = ["", *(f"known_at={quote(moment)}" for moment in known_ats)]
    pages = ["/", "/breaks", "/log", f"/compare?known_at_a={quote(known_ats[1])}"]
    for key in classes:
        quarters = _json(port, f"/fund-class/{key}.json")["quarters"]
        pages.append(f"/fund-class/{key}")
        for quarter in quarters[:4]:
            report = _json(port, f"/report/{key}/{quarter}.json")["report"]
            pages.append(f"/report/{key}/{quarter}")
            for pointer in list(report.get("sources", {}))[:6]:
                pages.append(f"/report/{key}/{quarter}/figure?pointer={quote(pointer)}")
        pages.append(f"/log?fund_class={quote(key)}&type=DistributorPaid")
    pages += [f"/log?after={after}" for after in range(0, head, max(head // 10, 1))]
    with_moments = [
        page + (("&" if "?" in page else "?") + moment if moment else "")
        for page in pages
        for moment in moments
    ]
    with_moments += [page + ("&" if "?" in page else "?") + "as_of=2004-03-31" for page in pages]
    # Events as known now (at an earlier known-at a later event is rightly not there: 404).
    events = random.Random(7).sample(range(1, head + 1), min(head, 60))
    return with_moments + [f"/event/{position}" for position in events]


class _Load:
    """The requests the clients share: a count of those taken, under a lock."""

    def __init__(self, port: int, pages: list[str], requests: int) -> None:
        self.port = port
        self.pages = pages
        self.requests = requests
        self.taken = 0
        self.lock = threading.Lock()

    def take(self) -> bool:
        with self.lock:
            if self.taken >= self.requests:
                return False
            self.taken += 1
            return True

    def client(self, start: int) -> list[tuple[str, float, int]]:
        """Open pages from `start` on, round the list, until every request was taken."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        timings = []
        index = start
        try:
            while self.take():
                path = self.pages[index % len(self.pages)]
                began = time.perf_counter()
                status, _ = _get(connection, path)
                timings.append((path, (time.perf_counter() - began) * 1000, status))
                index += 1
        finally:
            connection.close()
        return timings


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _run_load(port: int, pages: list[str], clients: int, requests: int) -> dict[str, Any]:
    load = _Load(port, pages, requests)
    results: list[list[tuple[str, float, int]]] = [[] for _ in range(clients)]
    stride = max(len(pages) // clients, 1)

    def work(number: int) -> None:
        results[number] = load.client(number * stride)

    threads = [threading.Thread(target=work, args=(number,)) for number in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    timings = [timing for result in results for timing in result]
    first_visits: dict[str, float] = {}
    for path, milliseconds, _ in timings:
        first_visits.setdefault(path, milliseconds)
    latencies = [milliseconds for _, milliseconds, _ in timings]
    cold = list(first_visits.values())
    return {
        "clients": clients,
        "requests": len(timings),
        "errors": sum(1 for *_, status in timings if status != 200),
        "error_pages": sorted({f"{status} {path}" for path, _, status in timings if status != 200})[
            :10
        ],
        "slowest_pages": [
            f"{milliseconds:.0f} ms {path}"
            for path, milliseconds, _ in sorted(timings, key=lambda t: -t[1])[:5]
        ],
        "distinct_pages": len(pages),
        "seconds": seconds,
        "requests_per_second": len(timings) / seconds,
        "median_ms": statistics.median(latencies),
        "p95_ms": _percentile(latencies, 0.95),
        "max_ms": max(latencies),
        "first_visit_median_ms": statistics.median(cold),
        "first_visit_p95_ms": _percentile(cold, 0.95),
        "goal_p95_ms": GOAL_P95_MS,
    }


def measure_serve(ledger: Path | None, clients: int, requests: int) -> dict[str, Any]:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_cli import _demo_ledger

    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        source = ledger or _demo_ledger(folder)
        served = folder / "served.db"
        shutil.copyfile(source, served)  # the ledger given is only read
        port = _free_port()
        program = "import sys; from adapters.cli.main import main; sys.exit(main())"
        server = subprocess.Popen(
            [sys.executable, "-c", program, "serve", "--port", str(port), "--db", str(served)],
            cwd=PROJECT_ROOT,
            env=dict(os.environ, PYTHONPATH=str(PROJECT_ROOT)),
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert server.stdout is not None
            print(server.stdout.readline().strip())  # "serving ... at ...", before it listens
            _wait_for(port)
            pages = _pages(port)
            result = _run_load(port, pages, clients, requests)
        finally:
            server.terminate()
            server.wait(timeout=20)
    result["ledger"] = str(ledger) if ledger else "the demo ledger (scripts/demo.sh)"
    return result


def print_serve(result: dict[str, Any]) -> None:
    print(
        f"{result['requests']:,} requests by {result['clients']} clients over "
        f"{result['distinct_pages']} distinct pages in {result['seconds']:.1f} s "
        f"({result['errors']} errors)"
    )
    print(f"requests per second: {result['requests_per_second']:,.0f}")
    print(
        f"latency: median {result['median_ms']:.1f} ms, p95 {result['p95_ms']:.1f} ms, "
        f"max {result['max_ms']:.0f} ms (goal: p95 under {result['goal_p95_ms']:.0f} ms)"
    )
    print(
        f"first visit of each page (not yet cached): median "
        f"{result['first_visit_median_ms']:.1f} ms, p95 {result['first_visit_p95_ms']:.1f} ms"
    )
