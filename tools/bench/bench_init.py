#!/usr/bin/env python3
"""Benchmark of /live_chat/init, the request of every page view of every website that
embeds the widget: a script, not a test. Run it through ``tools/bench.sh init``
(``--cluster``: also against tools/cluster.sh's cluster, figures side by side).

For each target (a served URL and its servers' logs): a warm-up, then ``--clients``
concurrent page views without pause for ``--seconds`` (each a new connection, as
from many browsers: ``POST /live_chat/init/<channel>`` with a page among ``--pages``
URLs, a visitor's address of its own, no session), and the figures: requests per
second, latency p50/p95/p99, errors, and the SQL queries per request (median and
max, from the servers' log lines of the measured requests: Odoo counts every query
of the request, its registry check included). The client runs on the same cores as
the server: on a 2-core machine it takes a good part of them.
"""

import argparse
import json
import os
import re
import statistics
import sys
import time

from gevent import monkey

monkey.patch_all()

import gevent  # noqa: E402
import requests  # noqa: E402
from gevent import socket  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_chat import busy_seconds, percentile  # noqa: E402

USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) live_chat-bench-init"
WERKZEUG_RE = re.compile(
    r'"POST /live_chat/init/\d+ HTTP/[\d.]+" (?P<status>\d{3}) \S+ (?P<queries>\d+) '
    r"(?P<sql>[\d.]+) (?P<other>[\d.]+)(?: (?P<mode>\S+))?"
)


def setup(url, db):
    """As the administrator: the channel "Benchmark" (made when missing) and the
    limit of page views per address raised (each client page view uses an address of
    its own anyway). Returns the channel's id."""
    http = requests.Session()

    def rpc(path, params):
        data = http.post(
            f"{url}{path}", json={"jsonrpc": "2.0", "method": "call", "params": params}, timeout=30
        ).json()
        if "error" in data:
            sys.exit(f"{url}{path}: {json.dumps(data['error'])[:300]}")
        return data["result"]

    def call(model, method, *args):
        return rpc(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": {}},
        )

    rpc("/web/session/authenticate", {"db": db, "login": "admin", "password": "admin"})
    channels = call("live_chat.channel", "search", [("name", "=", "Benchmark")])
    channel = (
        channels[0] if channels else call("live_chat.channel", "create", {"name": "Benchmark"})
    )
    call("ir.config_parameter", "set_param", "live_chat.rate_limit.init_ip", "1000000")
    return channel


def out(line):
    sys.stdout.write(f"{line}\n")
    sys.stdout.flush()


class Load:
    def __init__(self, host, port, channel, pages):
        self.host, self.port = host, port
        self.path = f"/live_chat/init/{channel}"
        self.bodies = [
            json.dumps({"url": f"https://shop.example.com/page/{n}", "lang": "en-US"}).encode()
            for n in range(pages)
        ]
        self.count = 0

    def one(self):
        """One page view; (seconds, status)."""
        self.count += 1
        body = self.bodies[self.count % len(self.bodies)]
        ip = f"10.{self.count % 250}.{self.count // 250 % 250}.{self.count % 249 + 1}"
        head = (
            f"POST {self.path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"User-Agent: {USER_AGENT}\r\nContent-Type: text/plain\r\n"
            # As a browser sends it from a page of another website.
            "Origin: https://shop.example.com\r\nSec-Fetch-Site: cross-site\r\n"
            f"Content-Length: {len(body)}\r\nX-Forwarded-For: {ip}\r\n"
            f"X-Forwarded-Host: {self.host}:{self.port}\r\n"
            "Connection: close\r\n\r\n"
        ).encode()
        t0 = time.perf_counter()
        try:
            with socket.create_connection((self.host, self.port), timeout=30) as sock:
                sock.sendall(head + body)
                data = b""
                while chunk := sock.recv(65536):
                    data += chunk
            status = int(data.split(b" ", 2)[1]) if data else 0
        except OSError:
            status = 0
        return time.perf_counter() - t0, status

    def run(self, clients, seconds):
        results = []
        deadline = time.perf_counter() + seconds

        def client():
            while time.perf_counter() < deadline:
                results.append(self.one())

        started = time.perf_counter()
        gevent.joinall([gevent.spawn(client) for _ in range(clients)])
        return results, time.perf_counter() - started


def log_sizes(paths):
    return {path: os.path.getsize(path) if os.path.exists(path) else 0 for path in paths}


def log_lines_since(sizes):
    lines = []
    for path, size in sizes.items():
        with open(path, "rb") as log:
            log.seek(size)
            lines += log.read().decode(errors="replace").splitlines()
    return lines


def measure(target, args):
    label, url, db, *logs = target.split(",")
    host, port = url.split("//", 1)[1].split(":")
    channel = setup(url, db)
    load = Load(host, int(port), channel, args.pages)
    load.run(args.clients, args.warmup)  # warm-up: every worker, every page cached
    sizes = log_sizes(logs)
    machine, client = busy_seconds(), sum(os.times()[:2])
    results, elapsed = load.run(args.clients, args.seconds)
    machine, client = busy_seconds() - machine, sum(os.times()[:2]) - client
    time.sleep(0.5)  # the last log lines
    queries, modes, server = [], {}, []
    for line in log_lines_since(sizes):
        if match := WERKZEUG_RE.search(line):
            queries.append(int(match["queries"]))
            server.append(float(match["sql"]) + float(match["other"]))
            mode = match["mode"] or "-"
            modes[mode] = modes.get(mode, 0) + 1
    times = [seconds for seconds, status in results if status == 200]
    return {
        "label": label,
        "requests": len(results),
        "rate": len(times) / elapsed,
        "p50": percentile(times, 50),
        "p95": percentile(times, 95),
        "p99": percentile(times, 99),
        "errors": len(results) - len(times),
        "queries": statistics.median(queries) if queries else None,
        # In the server, from its log: what a request costs there, queueing excluded.
        "server": statistics.median(server) if server else None,
        "queries_max": max(queries) if queries else None,
        # CPU per request: this client's, and the rest of the machine's (the servers,
        # PostgreSQL, whatever else runs): what the server side would sustain alone.
        "client_cpu": client / max(len(results), 1),
        "server_cpu": max(machine - client, 1e-9) / max(len(results), 1),
        "cursors": ", ".join(f"{mode} {count}" for mode, count in sorted(modes.items())),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--target",
        action="append",
        required=True,
        help="LABEL,URL,DATABASE[,SERVER_LOG...] (repeatable)",
    )
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (8)")
    parser.add_argument("--seconds", type=float, default=10, help="measured seconds (10)")
    parser.add_argument("--warmup", type=float, default=3, help="warm-up seconds (3)")
    parser.add_argument("--pages", type=int, default=20, help="distinct page URLs (20)")
    parser.add_argument("--out", help="also write the report to this file")
    args = parser.parse_args()
    figures = [measure(target, args) for target in args.target]
    load = os.getloadavg()
    rows = [
        ("", [f["label"] for f in figures]),
        ("requests", [str(f["requests"]) for f in figures]),
        ("requests/s", [f"{f['rate']:.0f}" for f in figures]),
        ("p50 ms", [f"{f['p50'] * 1000:.1f}" if f["p50"] else "-" for f in figures]),
        ("p95 ms", [f"{f['p95'] * 1000:.1f}" if f["p95"] else "-" for f in figures]),
        ("p99 ms", [f"{f['p99'] * 1000:.1f}" if f["p99"] else "-" for f in figures]),
        ("errors", [str(f["errors"]) for f in figures]),
        (
            "in the server, median ms",
            [f"{f['server'] * 1000:.1f}" if f["server"] else "-" for f in figures],
        ),
        (
            "CPU ms/request: client",
            [f"{f['client_cpu'] * 1000:.2f}" for f in figures],
        ),
        (
            "  server side (+ PostgreSQL)",
            [f"{f['server_cpu'] * 1000:.2f}" for f in figures],
        ),
        (
            "  its capacity, requests/s",
            [
                f"{os.cpu_count() / f['server_cpu']:.0f}" if f["server_cpu"] else "-"
                for f in figures
            ],
        ),
        ("queries/request (median)", [str(f["queries"]) for f in figures]),
        ("queries/request (max)", [str(f["queries_max"]) for f in figures]),
        ("cursors (replica: ro)", [f["cursors"] or "-" for f in figures]),
    ]
    lines = [
        f"/live_chat/init: {args.clients} clients, {args.seconds:.0f} s, {args.pages} pages, "
        f"no session; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
        "targets: 500 requests/s, p95 < 50 ms, <= 2 queries",
    ]
    for name, cells in rows:
        lines.append(f"   {name:<28}" + "".join(f"{cell:>24}" for cell in cells))
    report = "\n".join(lines)
    out(report)
    if args.out:
        with open(args.out, "w") as report_file:
            report_file.write(report + "\n")


if __name__ == "__main__":
    main()
