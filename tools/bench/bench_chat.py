#!/usr/bin/env python3
"""Benchmark of "Visitors and operators chat in real time": a script, not a test.

Run it through ``tools/bench.sh chat``, which prepares the database (the suite
installed, operators in the channel "Benchmark") and passes the options below.
This script starts Odoo in multi-process mode on 127.0.0.1 (HTTP workers, the
gevent worker for websockets, no cron), connects the operators as their web
client does (session cookie, websocket, presence once at connect, a new
subscription on each "discuss.channel/joined"), plays visitors as the widget does
(live_chat/static/src/widget/: widget.js, transport.js), and prints:

1. the latency of POST /live_chat/init and /live_chat/session/start;
2. visitor to operator: POST /live_chat/session/post to the host's
   "discuss.channel/new_message" on the operator's websocket (and the message back
   on the visitor's socket, which the widget waits for), and the first message (the
   one that starts the session) to its arrival, "joined" and the new subscription
   included: for the sessions of 1 (started under load) and for --alone-starts
   sessions started one at a time (each after the previous one's first message
   arrived, as the messages of 2 are sent);
3. operator to visitor: POST /mail/message/post to "live_chat/message" on the
   visitor's websocket;
4. sustained throughput at a few rates: the rate achieved, post and delivery latency;
5. what the widgets asked on their own meanwhile (heartbeats, catch-ups);
6. the median SQL query count per route, from the server's log;
7. the memory of the server's processes, before and after.

Each visitor does what the widget does, no more: /init (as the loader), then its
first message through /live_chat/session/start (with a start key); then a websocket
(the ``?version=`` that /init's ``server.bus_version`` names) subscribed to the
session's own bus channel (``session.bus_channel`` of the answer) only, from the
answer's ``bus_last_id`` (a catch-up, /live_chat/session/messages after its last
message, when the socket opens without one), a heartbeat (/live_chat/session/ping
every 60 s, and a catch-up when it shows a newer message), and, when its own
message is not back on its socket within 3 s, the widget's polling (a catch-up every
3 s, 20 times, then every 15 s) until the bus brings something new. Visitors send
one message at a time each (the widget waits for the answer before sending the next
one); the pace of section 4 is a throughput test, far above a person's typing (the
rate limits are raised for it).

The clients are lean (``HttpClient``: the standard library's http.client, one
connection per request as the server closes each; websocket-client without its own
UTF-8 check, which the JSON decoding does anyway): the requests library spent 1 to
2 ms of CPU preparing each request, on a machine shared with the server, and it
showed in every latency measured (a browser's fetch costs its page microseconds).

With ``--cluster-dir`` (``tools/bench.sh chat --cluster``), it starts no server: it
measures the running cluster of tools/cluster.sh (two servers, a replica) through its
proxy, each visitor's connections leaving from their own address; with
``--summary-out``, it also writes the main figures, which ``bench_chat.py compare
A.json B.json`` prints side by side.

A warm-up (sessions, posts and replies on every route, then posts until every server
process has made the slow collection of garbage that follows its registry's load: see
``Bench.settle``) runs before any measurement and is excluded from every figure, the
server log's included; the collections of garbage during the measurements are counted.
Every loop is bounded in count and in time; --max-seconds bounds the whole run.
"""

import argparse
import contextlib
import heapq
import http.client
import http.cookies
import itertools
import json
import os
import re
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from time import perf_counter
from urllib.parse import urlsplit

import psutil
import websocket

NEW_MESSAGE = "discuss.channel/new_message"
JOINED = "discuss.channel/joined"
# What the visitor's widget hears on its session's bus channel.
LIVE_CHAT_MESSAGE = "live_chat/message"
# The operators' web client takes its protocol version from its session info (the
# visitors' widget from /init); this one only when the server names none.
WS_VERSION = "19.0-2"
# Browsers send one; the host checks the protocol version of clients that do.
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) live_chat-bench"
# The widget's timers (widget.js), in seconds.
HEARTBEAT = 60
# The warm-up's end: visitors post until every server process made its first
# collection of the older generations of garbage (see Bench.settle), at this pace
# (messages/s in all), for at most this long.
SETTLE_RATE = 40
SETTLE_SECONDS = 120
ECHO_WAIT = 3
POLL_FAST = 3
POLL_FAST_COUNT = 20
POLL_SLOW = 15
LANG = "en-US"  # the widget sends the browser's language (navigator.language)
# The page of another website that embeds the widget: the Origin its requests carry.
PAGE_ORIGIN = "https://shop.example.com"
# The host's websocket closes a connection that sends more than 10 frames in 2 s
# (websocket_rate_limit_burst / _delay): one subscription per 0.3 s at most.
SUBSCRIBE_GAP = 0.3
HTTP_TIMEOUT = 30
PAGE_URL = "http://127.0.0.1/bench/page"
ROUTES = (
    "/live_chat/init/<id>",
    "/live_chat/session/start",
    "/live_chat/session/post",
    "/live_chat/session/messages",
    "/live_chat/session/ping",
    "/mail/message/post",
)
LOG_LINE_RE = re.compile(
    r"^\S+ \S+ (?P<pid>\d+) (?P<level>[A-Z]+) (?P<db>\S+) (?P<logger>[\w.]+): (?P<msg>.*)$"
)
# Odoo's ``gc`` logger (odoo/tools/gc.py), at DEBUG: a collection of generation 1 or 2.
GC_RE = re.compile(r"collected \{'generation': (?P<generation>\d).*\} in (?P<ms>[\d.]+)ms")
WERKZEUG_RE = re.compile(
    r'"(?:\x1b\[[\d;]*m)*(?P<method>[A-Z]+) (?P<path>\S+) HTTP/[\d.]+(?:\x1b\[[\d;]*m)*"'
    r" (?P<status>\d{3}) \S+ (?P<queries>\d+) (?P<sql>[\d.]+) (?P<other>[\d.]+)"
)


class BenchError(Exception):
    """A failed step; ``kind`` groups failures of the same cause in the report."""

    def __init__(self, message, kind=None):
        super().__init__(message)
        self.kind = kind or message[:80]


class HttpClient:
    """POST requests to the server, as lean as a browser's fetch is for its page:
    one connection per request (the server answers each with "Connection: close"),
    the cookies it sets kept for the next requests (an operator's session), no
    retry. A failure to connect or to read the answer raises a BenchError."""

    def __init__(self, base, timeout=HTTP_TIMEOUT, source_address=None):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.timeout = timeout
        # The client's own address (in 127.0.0.0/8) for the connection: a reverse
        # proxy in between tells the server that address.
        self.source_address = (source_address, 0) if source_address else None
        self.cookies = {}

    def post(self, path, body, headers):
        """(status, answer bytes)."""
        headers = dict(headers)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        connection = http.client.HTTPConnection(
            self.host, self.port, timeout=self.timeout, source_address=self.source_address
        )
        try:
            connection.request("POST", path, body=body.encode(), headers=headers)
            response = connection.getresponse()
            answer = response.read()
        except (OSError, http.client.HTTPException) as error:
            raise BenchError(f"{path}: {error!r}", kind=type(error).__name__) from error
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or ():
            cookie = http.cookies.SimpleCookie(header)
            self.cookies.update({name: morsel.value for name, morsel in cookie.items()})
        return response.status, answer

    def post_json(self, path, payload):
        """A JSON-RPC call of the web client: (status, the answer decoded)."""
        status, answer = self.post(path, json.dumps(payload), {"Content-Type": "application/json"})
        try:
            return status, json.loads(answer)
        except ValueError as error:
            raise BenchError(f"{path}: HTTP {status} {answer[:200]!r}") from error


def log(message):
    sys.stderr.write(f"[bench] {message}\n")
    sys.stderr.flush()


def healthy(host, port):
    """Whether the server at ``host``:``port`` answers /web/health."""
    connection = http.client.HTTPConnection(host, port, timeout=5)
    try:
        connection.request("GET", "/web/health")
        return connection.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


# ------------------------------------------------------------
# Figures
# ------------------------------------------------------------


def percentile(values, pct):
    """Linear interpolation between the closest ranks (numpy's default)."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = (len(ordered) - 1) * pct / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def ms(value):
    return "-" if value is None else f"{value * 1000:.1f}"


def dist_row(label, values, width=44):
    """``label  n  p50  p95  p99  max`` in milliseconds."""
    cells = [percentile(values, p) for p in (50, 95, 99)] + [max(values) if values else None]
    return f"   {label:<{width}}{len(values):>5}" + "".join(f"{ms(c):>9}" for c in cells)


def dist_header(title, width=44):
    return f"   {title:<{width}}{'n':>5}{'p50':>9}{'p95':>9}{'p99':>9}{'max':>9}   (ms)"


# ------------------------------------------------------------
# The server
# ------------------------------------------------------------


class Server:
    """Odoo in multi-process mode, as in production, on 127.0.0.1 only."""

    def __init__(self, args):
        self.args = args
        self.logfile = os.path.join(args.out_dir, "chat-server.log")
        self.outfile = os.path.join(args.out_dir, "chat-server.out")
        self.proc = None

    @property
    def logfiles(self):
        """The servers' logs (one here)."""
        return [self.logfile]

    def command(self):
        a = self.args
        env = os.environ
        return [
            sys.executable,
            a.odoo_bin,
            f"--addons-path={a.addons_path}",
            f"--db_host={env.get('PGHOST', '127.0.0.1')}",
            f"--db_port={env.get('PGPORT', '5432')}",
            f"--db_user={env.get('PGUSER', 'odoo')}",
            f"--db_password={env.get('PGPASSWORD', 'odoo')}",
            # -d alone (no --db-filter): the one database, without listing the
            # databases on each request that has no session.
            "-d",
            a.db,
            "--http-interface=127.0.0.1",
            f"--http-port={a.http_port}",
            f"--gevent-port={a.gevent_port}",
            f"--workers={a.workers}",
            # Behind a reverse proxy, as in production: each visitor has an address of
            # their own (X-Forwarded-For), which the per-address rate limits count.
            "--proxy-mode",
            "--max-cron-threads=0",
            f"--logfile={self.logfile}",
            "--log-level=info",
            "--log-handler=odoo.modules.loading:WARNING",
            # A line per collection of the older generations of garbage (settle()).
            "--log-handler=gc:DEBUG",
            *a.server_option,
        ]

    def start(self):
        for path in (self.logfile, self.outfile):
            if os.path.exists(path):
                os.unlink(path)
        with open(self.outfile, "wb") as out:
            # A session of its own: stop() can end the whole group, and only it.
            self.proc = subprocess.Popen(
                self.command(),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        log(f"server pid {self.proc.pid}, log {self.logfile}")

    def wait_ready(self, timeout):
        """Both the HTTP workers and the gevent worker answer /web/health."""
        deadline = perf_counter() + timeout
        pending = [self.args.http_port, self.args.gevent_port]
        while pending and perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"the server exited ({self.proc.returncode}), see {self.outfile}")
            if healthy("127.0.0.1", pending[0]):
                pending.pop(0)
                continue
            time.sleep(0.5)
        if pending:
            raise BenchError(f"the server did not answer within {timeout} s, see {self.logfile}")

    def processes(self):
        """(role, psutil.Process) of the master and its workers."""
        if not self.proc or self.proc.poll() is not None:
            return []
        master = psutil.Process(self.proc.pid)
        result = [("master", master)]
        for child in master.children(recursive=True):
            try:
                role = "gevent" if "gevent" in child.cmdline() else "http worker"
            except psutil.Error:
                continue
            result.append((role, child))
        return result

    def memory(self):
        """{role: [rss, pss]} in bytes, summed over the processes of a role; pss
        (shared pages divided among their users) is None when unavailable."""
        totals = defaultdict(lambda: [0, 0])
        counts = defaultdict(int)
        for role, process in self.processes():
            try:
                info = process.memory_full_info()
                rss, pss = info.rss, getattr(info, "pss", None)
            except psutil.AccessDenied:
                rss, pss = process.memory_info().rss, None
            except psutil.Error:
                continue
            totals[role][0] += rss
            totals[role][1] = (
                None if pss is None or totals[role][1] is None else totals[role][1] + pss
            )
            counts[role] += 1
        return {f"{role} x{counts[role]}": values for role, values in totals.items()}

    def cpu_seconds(self):
        total = 0.0
        for _role, process in self.processes():
            try:
                times = process.cpu_times()
            except psutil.Error:
                continue
            total += times.user + times.system
        return total

    def stop(self):
        if not self.proc or self.proc.poll() is not None:
            return
        log("stopping the server")
        # First SIGTERM: a graceful stop; a second one: immediate; then SIGKILL.
        for sig, wait in ((signal.SIGTERM, 20), (signal.SIGTERM, 5), (signal.SIGKILL, 5)):
            try:
                if sig == signal.SIGKILL:
                    os.killpg(self.proc.pid, sig)
                else:
                    self.proc.send_signal(sig)
            except ProcessLookupError:
                return
            try:
                self.proc.wait(wait)
                break
            except subprocess.TimeoutExpired:
                continue
        # Workers left behind by a master that died first.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)

    def log_offset(self):
        """Where each log ends now (parse_log reads from there)."""
        return [_size(path) for path in self.logfiles]


class ClusterServers(Server):
    """tools/cluster.sh's two Odoo servers (each with its HTTP workers and its gevent
    worker, on one PostgreSQL primary with a streaming replica) behind its proxy,
    already running: started and stopped by tools/bench.sh, not by this script. The
    benchmark's clients talk to the proxy only, which hands each connection (a
    request, a websocket) to the servers in turn."""

    @property
    def logfiles(self):
        return [os.path.join(self.args.cluster_dir, "logs", f"{name}.log") for name in "ab"]

    def start(self):
        log(f"the cluster of {self.args.cluster_dir}, through its proxy {self.args.proxy_url}")

    def wait_ready(self, timeout):
        deadline = perf_counter() + timeout
        parts = urlsplit(self.args.proxy_url)
        while perf_counter() < deadline:
            if not self.processes():
                raise BenchError(f"no server of the cluster runs ({self.args.cluster_dir})")
            # Twice: the proxy hands the connections to the servers in turn.
            if all([healthy(parts.hostname, parts.port), healthy(parts.hostname, parts.port)]):
                return
            time.sleep(0.5)
        raise BenchError(f"the cluster's proxy did not answer within {timeout} s")

    def processes(self):
        """(role, psutil.Process) of both servers: each one's master and workers (the
        children of the loop of tools/cluster.sh that restarts it)."""
        result = []
        for name in "ab":
            try:
                pidfile = os.path.join(self.args.cluster_dir, f"{name}.pid")
                with open(pidfile, encoding="ascii") as handle:
                    supervisor = psutil.Process(int(handle.read().strip()))
                children = supervisor.children(recursive=True)
            except (OSError, ValueError, psutil.Error):
                continue
            for child in children:
                try:
                    cmdline = child.cmdline()
                except psutil.Error:
                    continue
                if not any(part.endswith("odoo-bin") for part in cmdline):
                    continue  # the loop's sleep
                if child.ppid() == supervisor.pid:
                    role = "master"
                else:
                    role = "gevent" if "gevent" in cmdline else "http worker"
                result.append((f"{name.upper()} {role}", child))
        return result

    def stop(self):
        pass


def _size(path):
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


# ------------------------------------------------------------
# Clients: the bus, the visitor API, the operators
# ------------------------------------------------------------


class Arrivals:
    """When each token first arrived on a websocket (perf_counter)."""

    def __init__(self):
        self._cond = threading.Condition()
        self._times = {}

    def record(self, token, when):
        with self._cond:
            if token not in self._times:
                self._times[token] = when
                self._cond.notify_all()

    def get(self, token):
        with self._cond:
            return self._times.get(token)

    def wait(self, tokens, deadline):
        """Until every token arrived or perf_counter() reaches ``deadline``."""
        tokens = set(tokens)
        with self._cond:
            while True:
                tokens -= self._times.keys()
                remaining = deadline - perf_counter()
                if not tokens or remaining <= 0:
                    return not tokens
                self._cond.wait(min(remaining, 1))


class Tokens:
    """Unique words put in message bodies, to recognise them on the bus."""

    def __init__(self):
        self.run = secrets.token_hex(4)
        self._counter = itertools.count(1)
        self.regex = re.compile(rf"bk{self.run}n\d+")

    def new(self):
        return f"bk{self.run}n{next(self._counter)}"


class BusClient:
    """A websocket on the host's bus: records the arrival of tokens. As an operator
    (the web client): "discuss.channel/new_message", and a new subscription on each
    "joined"; the presence is sent once, when the operator connects (see Operator),
    as Odoo's web client does: the operator stays available while the socket is open.
    As a visitor (the widget): "live_chat/message" of their session, on its own bus
    channel, and nothing else."""

    def __init__(
        self,
        url,
        arrivals,
        tokens,
        *,
        cookie=None,
        channels=(),
        operator=False,
        visitor=None,
        last_id=0,
    ):
        # The page's origin, as browsers send it: a foreign page's for a visitor's widget,
        # the server's own for an operator's web client.
        origin = PAGE_ORIGIN if visitor else "http://" + url.split("//", 1)[1].split("/", 1)[0]
        self.ws = websocket.create_connection(
            url,
            timeout=10,
            cookie=cookie,
            origin=origin,
            header=[f"User-Agent: {USER_AGENT}"],
            enable_multithread=True,
            # Decoding the frame's JSON checks it (the library's own check, in Python,
            # was a tenth of the client's CPU).
            skip_utf8_validation=True,
        )
        self.ws.settimeout(1)
        self.arrivals = arrivals
        self.tokens = tokens
        self.channels = list(channels)
        self.operator = operator
        self.visitor = visitor
        self.last_id = last_id
        self.joined = {}  # session id: arrival of "discuss.channel/joined"
        self.subscribes = 0
        self.error = None
        self._closing = False
        self._send_lock = threading.Lock()
        self._last_send = 0.0
        self._want_subscribe = threading.Event()
        self._threads = [threading.Thread(target=self._read, daemon=True)]
        if operator:
            self._threads.append(threading.Thread(target=self._keep, daemon=True))
        for thread in self._threads:
            thread.start()

    def send(self, event_name, data):
        with self._send_lock:
            self.ws.send(json.dumps({"event_name": event_name, "data": data}))
            self._last_send = perf_counter()

    def subscribe(self):
        self.send("subscribe", {"channels": self.channels, "last": self.last_id})
        self.subscribes += 1

    def update_presence(self, inactivity_period=0):
        """The presence as the web client sends it: inactive for so many ms (more
        than half an hour: away)."""
        self.send("update_presence", {"inactivity_period": inactivity_period})

    def _read(self):
        while not self._closing:
            try:
                frame = self.ws.recv()
            except websocket.WebSocketTimeoutException:
                continue
            except Exception as error:  # closed: noted, reported
                if not self._closing:
                    self.error = f"{type(error).__name__}: {error}"
                return
            now = perf_counter()
            try:
                notifications = json.loads(frame) if frame else []
            except ValueError:
                continue
            for notification in notifications if isinstance(notifications, list) else []:
                if isinstance(notification, dict):
                    self._handle(notification, now)

    def _handle(self, notification, now):
        self.last_id = max(self.last_id, notification.get("id") or 0)
        message = notification.get("message") or {}
        kind, payload = message.get("type"), message.get("payload") or {}
        if self.visitor:
            # The widget: its session's messages in the suite's small format.
            if kind == LIVE_CHAT_MESSAGE and payload.get("session_id") == self.visitor.session_id:
                for token in self.tokens.regex.findall(str(payload.get("body") or "")):
                    self.arrivals.record(token, now)
                self.visitor.heard_message(payload.get("id") or 0)
        elif kind == NEW_MESSAGE:
            for record in (payload.get("data") or {}).get("mail.message", []):
                body = record.get("body")
                text = body[1] if isinstance(body, list) else str(body or "")
                for token in self.tokens.regex.findall(text):
                    self.arrivals.record(token, now)
        elif kind == JOINED and self.operator:
            self.joined.setdefault(payload.get("channel_id"), now)
            self._want_subscribe.set()

    def _keep(self):
        """Operators: a new subscription on "joined" (as soon as the rate limit
        allows)."""
        while not self._closing and not self.error:
            if self._want_subscribe.wait(0.2):
                gap = self._last_send + SUBSCRIBE_GAP - perf_counter()
                if gap > 0:
                    time.sleep(gap)
                self._want_subscribe.clear()
                self._safe(self.subscribe)

    def _safe(self, func):
        try:
            func()
        except Exception as error:  # closed: noted, reported
            if not self._closing:
                self.error = f"{type(error).__name__}: {error}"

    def close(self):
        self._closing = True
        # Closing anyway: a socket the server already closed raises.
        with contextlib.suppress(Exception):
            self.ws.close(timeout=1)
        for thread in self._threads:
            thread.join(2)


class Visitor:
    """A visitor's session, as the widget keeps it: its credentials, the newest
    message it knows (``last_id``, the widget's ``log.lastId``) and the newest one its
    socket brought (``heard``), its polling state."""

    def __init__(self, init, started, address):
        self.address = address
        self.session_id = started["session"]["id"]
        self.token = started["token"]
        self.guest_token = started["guest"]["token"]
        self.operator_partner_id = started["session"]["operator"]["partner_id"]
        self.bus_channel = started["session"].get("bus_channel")
        self.bus_version = (init.get("server") or {}).get("bus_version")
        if not self.bus_channel or not self.bus_version:
            raise BenchError(
                "no session.bus_channel in the start's answer or server.bus_version in /init's"
            )
        # The widget's first subscription: from the bus's newest notification, which
        # the start's answer gives.
        self.bus_last_id = started.get("bus_last_id") or 0
        self.bus = None
        self.ended = False
        self.lock = threading.Lock()
        self.last_id = 0
        self.heard = 0
        self.echo_generation = 0
        self.polling = False
        self.polling_from = 0
        self.syncing = False
        self.sync_again = False
        self.know(started.get("messages") or [])

    def know(self, messages):
        with self.lock:
            for message in messages:
                self.last_id = max(self.last_id, message.get("id") or 0)

    def heard_message(self, message_id):
        """A "live_chat/message" on the socket (the widget adds it to its log)."""
        with self.lock:
            self.heard = max(self.heard, message_id)
            self.last_id = max(self.last_id, message_id)
            if self.polling and message_id > self.polling_from:
                self.polling = False  # the bus works again


class WidgetTimers:
    """The widgets' own timers (widget.js): each visitor's heartbeat, the wait for
    their own message to come back on the socket, the polling when it does not. One
    scheduling thread; the requests run on a few threads, as the widgets' requests
    run side by side in their browsers."""

    def __init__(self, bench, threads=4):
        self.bench = bench
        self._heap = []
        self._cond = threading.Condition()
        self._sequence = itertools.count()
        self._closed = False
        self._pool = ThreadPoolExecutor(threads)
        self.counts = defaultdict(int)  # what was done, by kind
        self.times = defaultdict(list)  # request seconds, by kind
        self.errors = []
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def at(self, due, func, *args):
        with self._cond:
            if self._closed:
                return
            heapq.heappush(self._heap, (due, next(self._sequence), func, args))
            self._cond.notify()

    def _run(self):
        while True:
            with self._cond:
                while not self._closed and (not self._heap or self._heap[0][0] > perf_counter()):
                    wait = self._heap[0][0] - perf_counter() if self._heap else 1
                    self._cond.wait(min(max(wait, 0), 1))
                if self._closed:
                    return
                _due, _seq, func, args = heapq.heappop(self._heap)
            with contextlib.suppress(RuntimeError):  # the pool shut down meanwhile
                self._pool.submit(self._call, func, args)

    def _call(self, func, args):
        try:
            func(*args)
        except (BenchError, ValueError) as error:
            with self._cond:
                self.errors.append(error)

    def count(self, kind, seconds=None):
        with self._cond:
            self.counts[kind] += 1
            if seconds is not None:
                self.times[kind].append(seconds)

    def snapshot(self):
        with self._cond:
            return dict(self.counts), {k: len(v) for k, v in self.times.items()}, len(self.errors)

    def close(self):
        with self._cond:
            self._closed = True
            self._heap.clear()
            self._cond.notify_all()
        self._thread.join(2)
        self._pool.shutdown(wait=True, cancel_futures=True)


class Bench:
    def __init__(self, args, server):
        self.args = args
        self.server = server
        if args.cluster_dir:
            # Everything through the cluster's proxy, as a load balancer in front.
            self.base = args.proxy_url.rstrip("/")
            self.ws_base = "ws" + self.base.removeprefix("http") + "/websocket"
        else:
            self.base = f"http://127.0.0.1:{args.http_port}"
            self.ws_base = f"ws://127.0.0.1:{args.gevent_port}/websocket"
        # The operators' (bench_widget.py's Operators has the same attribute).
        self.ws_url = f"{self.ws_base}?version={WS_VERSION}"
        self.tokens = Tokens()
        self.at_operators = Arrivals()
        self.at_visitors = Arrivals()
        self.operators = {}  # partner id: Operator
        self._visitor_numbers = itertools.count(1)
        self.sockets = []
        self.visitors_used = []
        self.visitors = []  # every visitor with a session, its widget open
        self.warmup_visitors = []  # the warm-up's, which settle() goes on with
        self.timers = WidgetTimers(self)

    # -- HTTP ------------------------------------------------------------

    def new_address(self):
        """A visitor's own address, in 127.0.0.0/8: a header of its requests to the
        single server (every connection of the benchmark is to 127.0.0.1), the source
        of its connections to the cluster's proxy (which tells the servers)."""
        number = next(self._visitor_numbers)
        return f"127.{10 + number // 62500 % 200}.{number // 250 % 250}.{number % 250 + 1}"

    def visitor_call(self, route, payload, address):
        """POST as the widget does (a JSON object as text/plain, with the browser's
        language), through the reverse proxy; (answer, seconds)."""
        body = json.dumps({"lang": LANG, **payload})
        t0 = perf_counter()
        headers = {
            "Content-Type": "text/plain",
            # As a browser sends it from the page of another website.
            "Origin": PAGE_ORIGIN,
            "Sec-Fetch-Site": "cross-site",
        }
        if not self.args.cluster_dir:
            # What a reverse proxy in front would say (the cluster's proxy says it).
            headers["X-Forwarded-For"] = address
            headers["X-Forwarded-Host"] = f"127.0.0.1:{self.args.http_port}"
            headers["X-Forwarded-Proto"] = "http"
        # No cookie: the widget's requests carry none.
        client = HttpClient(self.base, source_address=address if self.args.cluster_dir else None)
        status, raw = client.post(route, body, headers)
        elapsed = perf_counter() - t0
        try:
            answer = json.loads(raw)
        except ValueError:
            answer = None
        if status != 200 or not isinstance(answer, dict):
            try:
                code = answer["error"]["code"]
            except (KeyError, TypeError):
                code = ""
            raise BenchError(
                f"{route}: HTTP {status} {raw[:200]!r}",
                kind=f"{route}: HTTP {status} {code}".rstrip(),
            )
        return answer, elapsed

    def start_session(self, index, token):
        """init (the loader, on the page) then session/start (the widget, the first
        message); (visitor, init seconds, start seconds, sent at, socket seconds).
        Then the widget's first steps with a session: its heartbeat starts, its socket
        opens on the session's bus channel, and it catches up once the socket is open."""
        address = self.new_address()
        init, init_time = self.visitor_call(
            f"/live_chat/init/{self.args.channel_id}", {"url": PAGE_URL}, address
        )
        if not init.get("available"):
            raise BenchError("/live_chat/init: no operator available")
        sent_at = perf_counter()
        started, start_time = self.visitor_call(
            "/live_chat/session/start",
            {
                "channel_id": self.args.channel_id,
                "body": f"Hello, I am visitor {index}: {token}",
                "url": PAGE_URL,
                # One per new conversation (widget.js, postStart).
                "start_key": secrets.token_urlsafe(18),
            },
            address,
        )
        visitor = Visitor(init, started, address)
        socket_time = self.widget_listen(visitor)
        return visitor, init_time, start_time, sent_at, socket_time

    def visitor_credentials(self, visitor):
        return {"session_id": visitor.session_id, "token": visitor.token}

    def visitor_post(self, visitor, token):
        answer, elapsed = self.visitor_call(
            "/live_chat/session/post",
            {
                **self.visitor_credentials(visitor),
                "body": f"A question about my order {token}",
            },
            visitor.address,
        )
        message = answer.get("message")
        if not isinstance(message, dict) or not message.get("id"):
            raise BenchError(f"/live_chat/session/post: {answer}")
        visitor.know([message])
        self.widget_expect_echo(visitor, message["id"])
        return elapsed

    # -- The widget's own requests (widget.js) ------------------------------

    def widget_listen(self, visitor):
        """started(): listen() and startHeartbeat(). The heartbeat's first ping comes
        after a period (the start was the sign of life); the socket subscribes to the
        session's bus channel only, from the bus's newest notification before the
        session's (its answer's ``bus_last_id``); its first opening needs no catch-up
        then (the answer has the messages), only one without that id. The seconds to
        the open socket."""
        self.timers.at(perf_counter() + HEARTBEAT, self.widget_ping, visitor)
        t0 = perf_counter()
        try:
            visitor.bus = BusClient(
                f"{self.ws_base}?version={visitor.bus_version}",
                self.at_visitors,
                self.tokens,
                channels=[visitor.bus_channel],
                visitor=visitor,
                last_id=visitor.bus_last_id,
            )
        except Exception as error:  # refused or unreachable: this visitor stops here
            visitor.ended = True
            raise BenchError(f"websocket: {error}", kind="websocket refused") from error
        self.sockets.append(visitor.bus)
        self.visitors.append(visitor)
        visitor.bus.subscribe()
        elapsed = perf_counter() - t0
        if not visitor.bus_last_id:
            self.widget_sync(visitor, "open")
        return elapsed

    def widget_ping(self, visitor):
        """The heartbeat (setInterval: every HEARTBEAT seconds whatever the answers);
        a catch-up when the session has a message the widget does not know."""
        if visitor.ended:
            return
        self.timers.at(perf_counter() + HEARTBEAT, self.widget_ping, visitor)
        answer, elapsed = self.visitor_call(
            "/live_chat/session/ping", self.visitor_credentials(visitor), visitor.address
        )
        self.timers.count("ping", elapsed)
        if answer.get("state") and answer["state"] != "open":
            visitor.ended = True
        elif (answer.get("last_message_id") or 0) > visitor.last_id:
            self.widget_sync(visitor, "ping")

    def widget_expect_echo(self, visitor, message_id):
        """expectEcho(): the visitor's own message is back on the socket within
        ECHO_WAIT seconds, or the widget polls (only the last post's wait counts)."""
        with visitor.lock:
            visitor.echo_generation += 1
            generation = visitor.echo_generation
        self.timers.at(
            perf_counter() + ECHO_WAIT, self._widget_echo_due, visitor, message_id, generation
        )

    def _widget_echo_due(self, visitor, message_id, generation):
        with visitor.lock:
            if (
                generation != visitor.echo_generation
                or visitor.heard >= message_id
                or visitor.ended
                or visitor.polling
            ):
                return
            visitor.polling = True
            visitor.polling_from = visitor.heard
        self.timers.count("echo late")
        self._widget_poll(visitor, 0)

    def _widget_poll(self, visitor, count):
        """startPolling(): a catch-up every POLL_FAST s (POLL_FAST_COUNT times), then
        every POLL_SLOW s, until the socket brings a newer message."""
        if not visitor.polling or visitor.ended:
            return
        self.widget_sync(visitor, "polling")
        count += 1
        delay = POLL_FAST if count < POLL_FAST_COUNT else POLL_SLOW
        self.timers.at(perf_counter() + delay, self._widget_poll, visitor, count)

    def widget_sync(self, visitor, cause):
        """sync(): the messages after the last one the widget knows, page after page;
        a call during a sync makes one more round, as the widget's do."""
        with visitor.lock:
            if visitor.syncing:
                visitor.sync_again = True
                return
            visitor.syncing = True
        done = False
        try:
            while not done:
                with visitor.lock:
                    visitor.sync_again = False
                while True:
                    answer, elapsed = self.visitor_call(
                        "/live_chat/session/messages",
                        {**self.visitor_credentials(visitor), "after_id": visitor.last_id},
                        visitor.address,
                    )
                    self.timers.count(f"catch-up: {cause}", elapsed)
                    messages = answer.get("messages") or []
                    visitor.know(messages)
                    if not (answer.get("has_newer") and messages):
                        break
                if (answer.get("session") or {}).get("state", "open") != "open":
                    visitor.ended = True
                with visitor.lock:
                    done = not visitor.sync_again
                    if done:
                        visitor.syncing = False
        finally:
            if not done:  # failed: the next call tries again
                with visitor.lock:
                    visitor.syncing = False

    # -- Operators -------------------------------------------------------

    def connect_operators(self):
        for login in self.args.operators.split(","):
            operator = Operator(self, login)
            self.operators[operator.partner_id] = operator
            self.sockets.append(operator.bus)
        # Their presence is online when the channel says an operator is available.
        deadline = perf_counter() + 15
        while perf_counter() < deadline:
            init, _elapsed = self.visitor_call(
                f"/live_chat/init/{self.args.channel_id}", {"url": PAGE_URL}, self.new_address()
            )
            if init.get("available"):
                return
            time.sleep(0.5)
        raise BenchError("the operators are connected but none is available")

    def close(self):
        # The widgets' timers first: a closed socket would make them poll.
        self.timers.close()
        for bus in self.sockets:
            bus.close()

    # -- Phases ----------------------------------------------------------

    def start_one(self, index):
        """Visitor ``index`` starts a session (``start_session``), their widget then
        open until the end: (visitor, init s, start s, start sent at, socket s,
        token), or the error."""
        token = self.tokens.new()
        try:
            return (*self.start_session(index, token), token)
        except (BenchError, ValueError) as error:
            return error

    def run_starts(self, count, concurrency):
        """Sessions started by ``count`` visitors, ``concurrency`` at a time
        (``start_one``): the items, the errors."""
        with ThreadPoolExecutor(concurrency) as pool:
            results = list(pool.map(self.start_one, range(count)))
        done = [r for r in results if not isinstance(r, Exception)]
        errors = [r for r in results if isinstance(r, Exception)]
        return done, errors

    def warm_up(self):
        """Every route on every worker, and the visitors' sockets."""
        count = self.args.warmup
        done, errors = self.run_starts(count, min(4, count))
        if not done:
            raise BenchError(f"warm-up: every session start failed: {errors[:3]}")
        visitors = [item[0] for item in done]
        self.warmup_visitors = visitors
        tokens = [item[5] for item in done]
        posted = []

        def exchange(visitor):
            try:
                for _ in range(2):
                    token = self.tokens.new()
                    self.visitor_post(visitor, token)
                    posted.append(token)
                token = self.tokens.new()
                self.operators[visitor.operator_partner_id].reply(visitor.session_id, token)
                return token
            except BenchError as error:
                errors.append(error)
                return None

        with ThreadPoolExecutor(min(4, count)) as pool:
            replies = [r for r in pool.map(exchange, visitors) if r]
        deadline = perf_counter() + self.args.delivery_timeout
        self.at_operators.wait(tokens + posted, deadline)
        self.at_visitors.wait(replies, deadline)
        time.sleep(1)
        return len(visitors), len(posted), len(replies), errors

    def settle(self):
        """The warm-up's end: the warm-up's visitors post, SETTLE_RATE messages/s in
        all, until every worker of the server has made its first collection of the
        older generations of garbage, as the server's log says (Odoo's ``gc`` logger,
        at DEBUG: a line per collection of generation 1 or 2). That first collection
        follows the registry's load: the host loads it with the collector disabled
        (odoo/orm/registry.py), which leaves the whole registry to the younger
        generations, and the first collection of generation 1 goes through it,
        about 100 ms in which the worker answers nothing. It comes once per process
        start, a few hundred requests after it: a server that has been running has
        had it long ago, and a server started by this script would have it in the
        first measurements (in both HTTP workers at once, the backlog of those 100 ms
        then takes seconds to drain at 100 msg/s). Bounded by SETTLE_SECONDS.
        A server whose log has no such line after a quarter of that (it does not
        log them) ends it. Returns the messages sent, the seconds, and per process
        the milliseconds of its first such collection (None: none seen)."""
        server = self.server
        visitors = self.warmup_visitors
        pids = [process.pid for role, process in server.processes() if "master" not in role]
        t0 = perf_counter()
        firsts = {}
        sent = 0
        rounds = 0
        while visitors and perf_counter() - t0 < SETTLE_SECONDS:
            firsts = first_collections(server.logfiles)
            if all(pid in firsts for pid in pids):
                break
            if not firsts and perf_counter() - t0 > SETTLE_SECONDS / 4:
                break  # a server that does not log its collections (no gc:DEBUG)
            # Half a second's posts, over the visitors in turn.
            batch = [
                visitors[(rounds * SETTLE_RATE // 2 + i) % len(visitors)]
                for i in range(SETTLE_RATE // 2)
            ]
            rounds += 1
            due = perf_counter() + 0.5
            with ThreadPoolExecutor(4) as pool:
                sent += sum(pool.map(self.settle_post, batch))
            time.sleep(max(0.0, due - perf_counter()))
        time.sleep(1)  # the deliveries of the last ones
        return sent, perf_counter() - t0, {pid: firsts.get(pid) for pid in pids}

    def settle_post(self, visitor):
        """A warm-up post (settle()): 1 if it went through."""
        try:
            self.visitor_post(visitor, self.tokens.new())
            return 1
        except BenchError:
            return 0

    def bench_starts(self):
        """1. init and session/start; the first message and "joined" on the operator."""
        a = self.args
        log(f"1. {a.visitors} visitors start a session, {a.concurrency} at a time")
        done, errors = self.run_starts(a.visitors, a.concurrency)
        self.at_operators.wait(
            [item[5] for item in done], perf_counter() + self.args.delivery_timeout
        )
        return self._start_figures(done, errors)

    def bench_starts_alone(self):
        """2. Sessions started one at a time, as the messages of 2 are sent: each
        start waits for the previous one's first message on the operator's socket
        (the latency of a start, where 1 measures starts under load)."""
        a = self.args
        log(f"2. first messages: {a.alone_starts} visitors start a session, one at a time")
        done, errors = [], []
        for index in range(a.visitors, a.visitors + a.alone_starts):
            item = self.start_one(index)
            if isinstance(item, Exception):
                errors.append(item)
                continue
            done.append(item)
            self.at_operators.wait([item[5]], item[3] + a.delivery_timeout)
            time.sleep(a.pause)
        return self._start_figures(done, errors)

    def _start_figures(self, done, errors):
        """The figures of started sessions (items of ``start_one``)."""
        first, joined, missing = [], [], 0
        for visitor, _init, _start, sent_at, _socket, token in done:
            arrived = self.at_operators.get(token)
            if arrived is None:
                missing += 1
            else:
                first.append(arrived - sent_at)
            operator = self.operators.get(visitor.operator_partner_id)
            joined_at = operator and operator.bus.joined.get(visitor.session_id)
            if joined_at:
                joined.append(joined_at - sent_at)
        per_operator = defaultdict(int)
        for item in done:
            per_operator[item[0].operator_partner_id] += 1
        return {
            "visitors": [item[0] for item in done],
            "init": [item[1] for item in done],
            "start": [item[2] for item in done],
            "socket": [item[4] for item in done],
            "first": first,
            "joined": joined,
            "missing": missing,
            "errors": errors,
            "per_operator": sorted(per_operator.values()),
        }

    def bench_visitor_to_operator(self, visitors):
        """2. One message at a time: session/post to the operator's socket (and back
        on the visitor's own, as the widget expects it)."""
        log(f"2. visitor to operator: {self.args.samples} messages, one at a time")
        return self._one_at_a_time(
            visitors, self.visitor_post, self.at_operators, echo=self.at_visitors
        )

    def bench_operator_to_visitor(self, visitors):
        """3. One reply at a time: /mail/message/post to the visitor's socket."""
        log(f"3. operator to visitor: {self.args.samples} replies, one at a time")

        def reply(visitor, token):
            operator = self.operators[visitor.operator_partner_id]
            return operator.reply(visitor.session_id, token)

        return self._one_at_a_time(visitors, reply, self.at_visitors)

    def _one_at_a_time(self, visitors, send, arrivals, echo=None):
        """``send(visitor, token)`` --samples times, each followed by the wait for
        its token in ``arrivals`` (the other side's socket), and in ``echo`` (the
        sender's own socket) if given."""
        a = self.args
        posts, deliveries, echoes, missing, errors = [], [], [], 0, []
        cpu = self.server.cpu_seconds()
        for index in range(a.samples):
            visitor = visitors[index % len(visitors)]
            token = self.tokens.new()
            sent_at = perf_counter()
            try:
                posts.append(send(visitor, token))
            except BenchError as error:
                errors.append(error)
                continue
            if arrivals.wait([token], sent_at + a.delivery_timeout):
                deliveries.append(arrivals.get(token) - sent_at)
            else:
                missing += 1
            if echo and echo.wait([token], sent_at + a.delivery_timeout):
                echoes.append(echo.get(token) - sent_at)
            time.sleep(a.pause)
        return {
            "post": posts,
            "delivery": deliveries,
            "echo": echoes,
            "missing": missing,
            "errors": errors,
            "cpu": (self.server.cpu_seconds() - cpu) / max(len(posts), 1),
        }

    def bench_rate(self, visitors, rate):
        """4. Visitors post at ``rate`` messages/s in total for --duration seconds,
        from --threads threads (each its own sessions), on a fixed schedule: a
        thread behind schedule posts at once (no pause) until it catches up."""
        a = self.args
        total = int(rate * a.duration)
        threads = min(a.threads, len(visitors))
        log(f"4. {rate} msg/s for {a.duration} s: {total} messages, {threads} threads")
        t_start = perf_counter() + 0.2
        # Bounded even when the server cannot keep up: what is not sent by then is not.
        stop_at = t_start + 2 * a.duration + 5
        records, errors = [], []
        lock = threading.Lock()
        cpu = self.server.cpu_seconds()
        machine = machine_cpu()
        overflows = listen_overflows()

        def worker(k):
            mine = visitors[k::threads]
            for j, index in enumerate(range(k, total, threads)):
                due = t_start + index / rate
                now = perf_counter()
                if now > stop_at:
                    return
                if due > now:
                    time.sleep(due - now)
                token = self.tokens.new()
                sent_at = perf_counter()
                try:
                    elapsed = self.visitor_post(mine[j % len(mine)], token)
                except BenchError as error:
                    with lock:
                        errors.append(error)
                    continue
                with lock:
                    records.append((token, sent_at, elapsed, sent_at - due))

        pool = [threading.Thread(target=worker, args=(k,), daemon=True) for k in range(threads)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join(stop_at - perf_counter() + HTTP_TIMEOUT)
        ended = max((r[1] + r[2] for r in records), default=perf_counter())
        self.at_operators.wait([r[0] for r in records], ended + a.delivery_timeout)
        deliveries = [
            self.at_operators.get(r[0]) - r[1]
            for r in records
            if self.at_operators.get(r[0]) is not None
        ]
        # Each second's deliveries (by when they were sent): a burst of slow ones
        # (a pause of the server) and a steady excess look alike in the percentiles.
        seconds = defaultdict(list)
        for r in records:
            if (arrived := self.at_operators.get(r[0])) is not None:
                seconds[int(r[1] - t_start)].append(arrived - r[1])
        return {
            "rate": rate,
            "total": total,
            "sent": len(records),
            "errors": errors,
            "achieved": len(records) / (ended - t_start) if records else 0.0,
            "post": [r[2] for r in records],
            "lag": [r[3] for r in records],
            "delivery": deliveries,
            "seconds": [seconds[k] for k in sorted(seconds)],
            "missing": len(records) - len(deliveries),
            "cpu": (self.server.cpu_seconds() - cpu) / max(len(records), 1),
            "machine": {key: value - machine[key] for key, value in machine_cpu().items()},
            "dropped": None if overflows is None else listen_overflows() - overflows,
        }


class Operator:
    """An operator's web client: a session, a websocket, the presence."""

    def __init__(self, bench, login):
        self.http = HttpClient(bench.base)
        _status, answer = self.http.post_json(
            "/web/session/authenticate",
            {
                "jsonrpc": "2.0",
                "method": "call",
                "params": {"db": bench.args.db, "login": login, "password": bench.args.password},
            },
        )
        result = answer.get("result") or {}
        if not result.get("uid"):
            raise BenchError(f"{login} cannot log in: {str(answer)[:300]}")
        self.login = login
        self.partner_id = result["partner_id"]
        # The web client's websocket: the protocol version of its session info.
        version = result.get("websocket_worker_version") or WS_VERSION
        self.bus = BusClient(
            f"{bench.ws_url.split('?')[0]}?version={version}",
            bench.at_operators,
            bench.tokens,
            cookie=f"session_id={self.http.cookies['session_id']}",
            operator=True,
        )
        self.bus.subscribe()
        self.bus.update_presence()

    def reply(self, session_id, token):
        """Post as the operator's chat window does; the request's seconds."""
        t0 = perf_counter()
        status, answer = self.http.post_json(
            "/mail/message/post",
            {
                "jsonrpc": "2.0",
                "method": "call",
                "params": {
                    "thread_model": "discuss.channel",
                    "thread_id": session_id,
                    # What the web client's composer sends.
                    "post_data": {
                        "body": f"Let me check that for you {token}",
                        "email_add_signature": True,
                        "message_type": "comment",
                        "subtype_xmlid": "mail.mt_comment",
                    },
                },
            },
        )
        elapsed = perf_counter() - t0
        if status != 200 or "error" in answer:
            raise BenchError(
                f"/mail/message/post: HTTP {status} {str(answer)[:300]}",
                kind=f"/mail/message/post: HTTP {status}",
            )
        return elapsed


# ------------------------------------------------------------
# The server's log
# ------------------------------------------------------------


def log_records(paths, offsets=None):
    """The records (``LOG_LINE_RE`` matches) of the logs ``paths`` (a server's each),
    from ``offsets`` (the start by default); a record's other lines are skipped."""
    for path, offset in zip(paths, offsets or [0] * len(paths), strict=True):
        try:
            with open(path, encoding="utf-8", errors="replace") as handle:
                handle.seek(offset)
                text = handle.read()
        except OSError:
            continue
        for line in text.splitlines():
            if match := LOG_LINE_RE.match(line):
                yield match


def gc_lines(paths, offsets=None):
    """(pid, generation, milliseconds) of each collection of the older generations in
    the logs ``paths``, from ``offsets`` (the start by default)."""
    return [
        (int(match["pid"]), int(gc["generation"]), float(gc["ms"]))
        for match in log_records(paths, offsets)
        if match["logger"] == "gc" and (gc := GC_RE.search(match["msg"]))
    ]


def first_collections(paths):
    """{pid: milliseconds of its first collection of generation 1 or 2}."""
    firsts = {}
    for pid, _generation, ms in gc_lines(paths):
        firsts.setdefault(pid, ms)
    return firsts


def parse_log(paths, offsets):
    """Per route: [(queries, sql seconds, other seconds)]; and the warnings and
    errors (first line of each, counted): of each log in ``paths`` (a server's each),
    from its offset."""
    per_route = defaultdict(list)
    problems = defaultdict(int)
    for match in log_records(paths, offsets):
        if match["level"] in ("WARNING", "ERROR", "CRITICAL"):
            problems[f"{match['level']} {match['logger']}: {match['msg'][:110]}"] += 1
        if match["logger"] != "werkzeug":
            continue
        request = WERKZEUG_RE.search(match["msg"])
        if not request:
            continue
        path_ = re.sub(r"^/live_chat/init/\d+", "/live_chat/init/<id>", request["path"])
        path_ = path_.split("?")[0]
        per_route[path_].append(
            (int(request["queries"]), float(request["sql"]), float(request["other"]))
        )
    return per_route, problems


# ------------------------------------------------------------
# The report
# ------------------------------------------------------------


def error_kinds(errors):
    counts = defaultdict(int)
    for error in errors:
        counts[getattr(error, "kind", None) or type(error).__name__] += 1
    return ", ".join(f"{count} x {kind}" for kind, count in counts.items())


def report_errors(lines, label, result):
    if result.get("errors"):
        lines.append(
            f"   !! {label}: {len(result['errors'])} failed requests: "
            f"{error_kinds(result['errors'])}; first: {result['errors'][0]}"
        )
    if result.get("missing"):
        lines.append(
            f"   !! {label}: {result['missing']} messages never arrived on the socket "
            f"(waited {ARGS.delivery_timeout:g} s)"
        )


def report(bench, context, starts, to_operator, to_visitor, rates, log_figures, memory):
    a = bench.args
    lines = [
        "",
        "=" * 96,
        "Live Chat benchmark: visitors and operators chat in real time",
        "=" * 96,
        (
            f"servers   tools/cluster.sh: two Odoo 19.0 servers ({a.workers} HTTP workers + the "
            "gevent worker each; crons in a process of their own) on one PostgreSQL primary "
            "with a streaming replica (read-only routes), behind the proxy "
            f"{a.proxy_url}, which hands each connection (request, websocket) to the "
            "servers in turn: a message is posted on either server and delivered by either "
            "(each direction across the two is checked by tools/cluster.sh check)"
            if a.cluster_dir
            else f"server    Odoo 19.0, {a.workers} HTTP workers + the gevent worker, no cron, "
            f"127.0.0.1:{a.http_port} (HTTP) / :{a.gevent_port} (websocket)"
        ),
        f"database  {a.db}: channel {a.channel_id}, {len(bench.operators)} operators (online, "
        f"unlimited sessions), {a.history} sessions in the history before this run",
        f"machine   {os.cpu_count()} cores, shared with other work: load average "
        f"{context['load_start']} at start, {context['load_end']} at the end; "
        f"the client runs on it too",
        f"warm-up   {context['warmup'][0]} sessions, {context['warmup'][1]} visitor messages, "
        f"{context['warmup'][2]} operator replies before any measurement: in no figure below"
        + (
            f" ({len(context['warmup'][3])} failed: {error_kinds(context['warmup'][3])})"
            if context["warmup"][3]
            else ""
        ),
        report_settle(context["settle"]),
        (
            "visitors  each with an address of their own (127.x.y.z, the source of their "
            "connections; the proxy tells it in X-Forwarded-For, Odoo in --proxy-mode); "
            if a.cluster_dir
            else "visitors  each with an address of their own (127.x.y.z in X-Forwarded-For, "
            "Odoo in --proxy-mode, as behind a reverse proxy); "
        )
        + a.rate_limits,
        f"widgets   {len(bench.visitors)} open till the end, as the widget: a websocket on the "
        f"session's bus channel, a ping every {HEARTBEAT} s, catch-ups (see 5)",
        f"duration  {context['duration']:.0f} s, run {bench.tokens.run}",
        "",
    ]
    lines.append(f"1. Session start: {a.visitors} visitors, {a.concurrency} at a time")
    lines.append(dist_header("request"))
    lines.append(dist_row("POST /live_chat/init/<id>", starts["init"]))
    lines.append(dist_row("POST /live_chat/session/start", starts["start"]))
    lines.append(dist_row("then its socket open (subscribe sent)", starts["socket"]))
    lines.append(
        f"   sessions per operator: {starts['per_operator']} "
        f"(operators re-subscribe on 'joined', at most every {SUBSCRIBE_GAP} s)"
    )
    report_errors(lines, "session start", starts)
    lines.append("")
    lines.append(
        f"2. Visitor to operator: {a.samples} messages, one at a time "
        f"over {len(bench.visitors_used)} sessions"
    )
    lines.append(dist_header("from the POST being sent to"))
    lines.append(dist_row("POST /live_chat/session/post answered", to_operator["post"]))
    lines.append(dist_row("the message on the operator's socket", to_operator["delivery"]))
    lines.append(dist_row("back on the visitor's socket (the echo)", to_operator["echo"]))
    lines.append(
        f"   the server's CPU time per message: {ms(to_operator['cpu'])} ms "
        "(the widgets' heartbeats meanwhile included)"
    )
    report_errors(lines, "visitor to operator", to_operator)
    alone = starts["alone"]
    for label, figures in (
        (f"{len(alone['start'])} sessions started one at a time", alone),
        (f"the {a.visitors} sessions of 1, {a.concurrency} at a time", starts),
    ):
        lines.append(f"   first message (POST /live_chat/session/start), {label}:")
        if figures is alone:
            lines.append(dist_row("POST /live_chat/session/start answered", alone["start"]))
        lines.append(dist_row("'joined' on the operator's socket", figures["joined"]))
        lines.append(dist_row("message on it (joined + re-subscribe)", figures["first"]))
        if figures["missing"]:
            lines.append(f"   !! {figures['missing']} first messages never arrived")
    report_errors(lines, "session start one at a time", alone)
    lines.append("")
    lines.append(f"3. Operator to visitor: {a.samples} replies, one at a time")
    lines.append(dist_header("from the POST being sent to"))
    lines.append(dist_row("POST /mail/message/post answered", to_visitor["post"]))
    lines.append(dist_row("'live_chat/message' on the visitor's socket", to_visitor["delivery"]))
    lines.append(f"   the server's CPU time per reply: {ms(to_visitor['cpu'])} ms")
    report_errors(lines, "operator to visitor", to_visitor)
    lines.append("")
    lines += report_rates(bench, rates)
    lines += report_widgets(bench, context["widgets"])
    lines += report_log(log_figures)
    lines += report_memory(memory)
    server_cpu, client_cpu, wall = context["cpu"]
    lines.append(
        f"CPU time of the measurements ({wall:.0f} s after the warm-up): the server "
        f"{server_cpu:.0f} s, this client {client_cpu:.0f} s, of {os.cpu_count() * wall:.0f} s "
        f"on {os.cpu_count()} cores (the rest: PostgreSQL, other work, idle)"
    )
    lines.append(report_gc(context["gc"]))
    for bus in bench.sockets:
        if bus.error:
            lines.append(f"!! a websocket closed during the run: {bus.error}")
            break
    return lines


def report_settle(settle):
    """The header's line on the warm-up's end (Bench.settle)."""
    sent, seconds, firsts = settle
    done = sorted(ms for ms in firsts.values() if ms is not None)
    line = (
        f"          then {sent} visitor messages in {seconds:.0f} s, until each of the "
        f"{len(firsts)} server processes had made its first collection of the older "
        "garbage generations, which follows the registry's load"
    )
    if done:
        line += f" ({done[0]:.0f} to {done[-1]:.0f} ms each, in no figure below)"
    if len(done) < len(firsts):
        line += f"; !! {len(firsts) - len(done)} had none in the log"
    return line


def report_gc(collections):
    """The collections of the older generations of garbage during the measurements
    (a process answers nothing meanwhile)."""
    if not collections:
        return "garbage collections of generation 1 or 2 during the measurements: none"
    longest = max(ms for _pid, _generation, ms in collections)
    counts = defaultdict(int)
    for _pid, generation, _ms in collections:
        counts[generation] += 1
    return (
        "garbage collections during the measurements (the server's processes): "
        + ", ".join(f"{count} of generation {gen}" for gen, count in sorted(counts.items()))
        + f", the longest {longest:.1f} ms"
    )


def report_rates(bench, rates):
    a = bench.args
    lines = [
        f"4. Sustained throughput: visitors post on {len(bench.visitors_used)} sessions from "
        f"{min(a.threads, len(bench.visitors_used))} threads, {a.duration:g} s per rate",
        f"   {'target':>8}{'sent':>7}{'achieved':>10}{'failed':>8}{'lost':>6}"
        f"  | {'POST /session/post':^26} | {'to operator socket':^26} |{'late':>7}{'CPU':>6}",
        f"   {'msg/s':>8}{'':>7}{'msg/s':>10}{'':>8}{'':>6}"
        f"  | {'p50':>8}{'p95':>9}{'p99':>9} | {'p50':>8}{'p95':>9}{'p99':>9} |{'p95':>7}"
        f"{'/msg':>6}",
    ]
    for r in rates:
        post = [percentile(r["post"], p) for p in (50, 95, 99)]
        delivery = [percentile(r["delivery"], p) for p in (50, 95, 99)]
        lines.append(
            f"   {r['rate']:>8g}{r['sent']:>7}{r['achieved']:>10.1f}{len(r['errors']):>8}"
            f"{r['missing']:>6}  | "
            + "".join(f"{ms(v):>9}" for v in post)[1:]
            + " | "
            + "".join(f"{ms(v):>9}" for v in delivery)[1:]
            + f" |{ms(percentile(r['lag'], 95)):>7}{r['cpu'] * 1000:>6.0f}"
        )
        not_sent = r["total"] - r["sent"] - len(r["errors"])
        if not_sent > 0:
            lines.append(
                f"   {'':>8} {not_sent} of {r['total']} messages not sent before the stop "
                f"({2 * a.duration + 5:g} s): the threads were waiting for answers"
            )
        if r["errors"]:
            lines.append(f"   {'':>8} failed: {error_kinds(r['errors'])}")
        if r["seconds"]:
            lines.append(
                f"   {'':>8} to the operator's socket, each second's p95 (by when sent): "
                + " ".join(f"{percentile(second, 95) * 1000:.0f}" for second in r["seconds"])
            )
    lines.append(
        "   ms; 'late': how long after its planned time a post was sent (the client could "
        "not keep the pace);"
    )
    lines.append(
        "   'CPU/msg': the server's CPU time (HTTP workers, websocket worker) per message sent"
    )
    lines.append("   where the machine's CPU went, per message sent (ms), over each rate's run:")
    lines.append(
        f"   {'msg/s':>8}{'server':>9}{'PostgreSQL':>12}{'client':>9}{'machine busy':>15}"
        f"{'connections dropped':>22}"
    )
    for r in rates:
        sent = max(r["sent"], 1)
        machine = r["machine"]
        busy = machine["busy"] / (machine["wall"] * (os.cpu_count() or 1))
        lines.append(
            f"   {r['rate']:>8g}{r['cpu'] * 1000:>9.1f}"
            f"{machine['postgres'] * 1000 / sent:>12.1f}{machine['client'] * 1000 / sent:>9.1f}"
            f"{busy:>14.0%}{'-' if r['dropped'] is None else r['dropped']:>22}"
        )
    lines.append(
        "   PostgreSQL: its processes of the machine; the client: this script (the visitors'"
        " and operators' clients); 'machine busy': all cores;"
    )
    lines.append(
        "   'connections dropped': by the server's full listen queue (8 per HTTP worker), each"
        " tried again by its client a second later"
    )
    lines.append("")
    return lines


def report_widgets(bench, activity):
    counts, times, errors = activity
    catch_ups = {kind: n for kind, n in counts.items() if kind.startswith("catch-up")}
    lines = [
        f"5. The widgets' own requests during the measurements ({len(bench.visitors)} widgets "
        "open, the warm-up's included)",
        dist_header("request"),
        dist_row("POST /live_chat/session/ping (heartbeat)", times.get("ping", [])),
        dist_row(
            "POST /live_chat/session/messages (catch-up)",
            [t for kind, v in times.items() if kind.startswith("catch-up") for t in v],
        ),
        "   catch-ups: "
        + (
            ", ".join(f"{n} {kind.split(': ')[1]}" for kind, n in sorted(catch_ups.items()))
            or "none"
        )
        + " ('open': the socket opened; 'ping': the heartbeat showed a newer message;"
        " 'polling': an echo was late)",
        f"   echoes later than {ECHO_WAIT} s (the widget then polls): {counts.get('echo late', 0)}",
    ]
    if errors:
        lines.append(f"   !! {len(errors)} failed: {error_kinds(errors)}; first: {errors[0]}")
    lines.append("")
    return lines


def report_log(log_figures):
    per_route, problems = log_figures
    lines = [
        "6. Queries per request (the server's log, after the warm-up; medians)",
        f"   {'route':<32}{'requests':>9}{'queries':>9}{'SQL ms':>9}{'other ms':>10}"
        f"{'queries max':>13}",
    ]
    for route in ROUTES:
        rows = per_route.get(route, [])
        if not rows:
            lines.append(f"   {route:<32}{0:>9}")
            continue
        lines.append(
            f"   {route:<32}{len(rows):>9}"
            f"{statistics.median(r[0] for r in rows):>9g}"
            f"{statistics.median(r[1] for r in rows) * 1000:>9.1f}"
            f"{statistics.median(r[2] for r in rows) * 1000:>10.1f}"
            f"{max(r[0] for r in rows):>13}"
        )
    if problems:
        lines.append(f"   server log after the warm-up: {sum(problems.values())} warnings/errors")
        for text, count in sorted(problems.items(), key=lambda item: -item[1])[:5]:
            lines.append(f"     {count:>5} x {text}")
    else:
        lines.append("   server log after the warm-up: no warning, no error")
    lines.append("")
    return lines


def report_memory(memory):
    stages = list(memory)
    roles = []
    for stage in stages:
        roles += [role for role in memory[stage] if role not in roles]
    lines = [
        "7. Server memory, MiB: RSS (PSS: shared pages divided among the processes)",
        f"   {'processes':<18}" + "".join(f"{stage:>24}" for stage in stages),
    ]
    totals = {stage: [0, 0] for stage in stages}
    for role in roles:
        cells = []
        for stage in stages:
            rss, pss = memory[stage].get(role, (None, None))
            if rss is None:
                cells.append(f"{'-':>24}")
                continue
            totals[stage][0] += rss
            totals[stage][1] = (
                None if pss is None or totals[stage][1] is None else (totals[stage][1] + pss)
            )
            cells.append(f"{mib(rss):>13} ({mib(pss)})".rjust(24))
        lines.append(f"   {role:<18}" + "".join(cells))
    lines.append(
        f"   {'total':<18}"
        + "".join(f"{mib(totals[s][0]):>13} ({mib(totals[s][1])})".rjust(24) for s in stages)
    )
    lines.append("")
    return lines


def mib(value):
    return "-" if value is None else f"{value / 2**20:.0f}"


# ------------------------------------------------------------
# Main
# ------------------------------------------------------------


def parse_args():
    parser = argparse.ArgumentParser(
        description="Benchmark of the live chat. Run it through `tools/bench.sh chat [options]`, "
        "which sets --odoo-bin, --addons-path, --db, --channel-id, --history, --rate-limits, "
        "--operators, --password, the ports, --workers and --out-dir; give the others.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    add = parser.add_argument
    add("--odoo-bin", required=True, help="the host's odoo-bin")
    add("--addons-path", required=True)
    add("--db", required=True, help="the benchmark database, ready")
    add("--channel-id", type=int, required=True, help="the live_chat.channel of the operators")
    add("--history", type=int, default=0, help="sessions in the database before (for the report)")
    add("--rate-limits", default="rate limits: the product's", help="how they are set (report)")
    add("--operators", required=True, help="logins of the operators, comma-separated")
    add("--password", required=True, help="the operators' password")
    add(
        "--cluster-dir",
        help="measure tools/cluster.sh's running cluster of that directory instead of "
        "starting a server (its servers' pids and logs), through --proxy-url",
    )
    add("--proxy-url", default="http://127.0.0.1:8890", help="the cluster's proxy")
    add(
        "--summary-out",
        help="also write the main figures there (JSON), for `bench_chat.py compare`",
    )
    add("--http-port", type=int, default=8769)
    add("--gevent-port", type=int, default=8772)
    add("--workers", type=int, default=2)
    add("--out-dir", default=".bench", help="server log and report")
    add("--warmup", type=int, default=8, help="sessions of the warm-up")
    add("--visitors", type=int, default=50, help="1: visitors starting a session")
    add("--concurrency", type=int, default=5, help="1: visitors starting at once")
    add("--alone-starts", type=int, default=20, help="2: visitors starting one at a time")
    add("--samples", type=int, default=100, help="2, 3: messages one at a time")
    add("--pause", type=float, default=0.05, help="2, 3: seconds between two messages")
    add("--sessions", type=int, default=20, help="2, 3, 4: sessions used")
    add("--rates", default="25,50,100", help="4: target rates, messages/s in total")
    add("--duration", type=float, default=10, help="4: seconds per rate")
    add("--threads", type=int, default=10, help="4: posting threads")
    add(
        "--target-load",
        action="store_true",
        help="4: issue 13's target instead of --rates: 50 visitors sending 2 messages/s "
        "each (100 msg/s, 50 sessions, one thread each) for --duration seconds",
    )
    add("--delivery-timeout", type=float, default=10, help="seconds to wait for a message")
    add("--max-seconds", type=float, default=900, help="the whole run, server start included")
    add(
        "--server-option",
        action="append",
        default=[],
        metavar="OPTION",
        help="one more option of the server, e.g. --server-option=--log-sql (repeatable)",
    )
    args = parser.parse_args()
    args.rates = [float(rate) for rate in args.rates.split(",") if rate.strip()]
    if args.target_load:
        args.visitors = max(args.visitors, 50)
        args.sessions = args.threads = 50
        args.rates = [100.0]
    limits = (
        (args.visitors, 1, 1000),
        (args.concurrency, 1, 50),
        (args.alone_starts, 1, 200),
        (args.samples, 1, 2000),
        (args.sessions, 1, 200),
        (args.threads, 1, 50),
        (args.warmup, 1, 50),
    )
    if not all(low <= value <= high for value, low, high in limits):
        parser.error("a count is out of its bounds (see the source)")
    if not all(0 < rate <= 1000 for rate in args.rates) or not 0 < args.duration <= 120:
        parser.error("rates: 0 to 1000 msg/s; duration: at most 120 s")
    args.sessions = min(args.sessions, args.visitors)
    return args


def watchdog(server, seconds):
    """The whole run is bounded: past --max-seconds, stop the server and leave."""

    def expire():
        log(f"!! the run exceeded {seconds:g} s: stopping")
        server.stop()
        os._exit(3)

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()
    return timer


def widget_activity(timers, before):
    """What the widgets' timers did since ``before`` (a snapshot): {kind: count},
    {kind: [request seconds]}, [errors]."""
    counts_before, times_before, errors_before = before
    counts, _times, _errors = timers.snapshot()
    return (
        {kind: n - counts_before.get(kind, 0) for kind, n in counts.items()},
        {kind: list(v[times_before.get(kind, 0) :]) for kind, v in timers.times.items()},
        timers.errors[errors_before:],
    )


def loadavg():
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def listen_overflows():
    """Connections the machine's listening sockets dropped since boot (Linux's
    TcpExtListenOverflows; None elsewhere): the server's listen queue was full (Odoo's
    prefork server listens with 8 per HTTP worker), and the client tries again a
    second later."""
    try:
        with open("/proc/net/netstat", encoding="ascii") as netstat:
            lines = [line.split() for line in netstat]
    except OSError:
        return None
    for names, values in zip(lines[::2], lines[1::2], strict=False):
        if names[0] == "TcpExt:" and "ListenOverflows" in names:
            return int(values[names.index("ListenOverflows")])
    return None


def busy_seconds():
    """CPU seconds the machine spent busy (every core, every process) since boot."""
    times = psutil.cpu_times()
    # Linux counts guest times inside user and nice already.
    counted_twice = getattr(times, "guest", 0) + getattr(times, "guest_nice", 0)
    return sum(times) - times.idle - getattr(times, "iowait", 0) - counted_twice


def machine_cpu():
    """CPU seconds so far (the server's processes are counted by the caller):
    PostgreSQL's (every ``postgres`` process of the machine, alive at that moment),
    this client's, the machine's busy time (``busy_seconds``), and the wall clock."""
    postgres = 0.0
    for process in psutil.process_iter(["name"]):
        if process.info["name"] == "postgres":
            with contextlib.suppress(psutil.Error):
                times = process.cpu_times()
                postgres += times.user + times.system
    client = sum(psutil.Process().cpu_times()[:2])
    return {"postgres": postgres, "client": client, "busy": busy_seconds(), "wall": perf_counter()}


def measure(bench, server):
    a = bench.args
    context = {"load_start": loadavg()}
    t0 = perf_counter()
    memory = {"idle, at start": server.memory()}
    log(f"operators: {a.operators}")
    bench.connect_operators()
    log(f"warm-up: {a.warmup} sessions (excluded from the figures)")
    context["warmup"] = bench.warm_up()
    log("warm-up: visitors post until every server process has had its first collection")
    context["settle"] = bench.settle()
    memory["after the warm-up"] = server.memory()
    offset = server.log_offset()
    client = psutil.Process()
    cpu = (server.cpu_seconds(), sum(client.cpu_times()[:2]), perf_counter())
    widgets_before = bench.timers.snapshot()

    starts = bench.bench_starts()
    if len(starts["visitors"]) < a.sessions:
        raise BenchError(f"only {len(starts['visitors'])} sessions started: {starts['errors'][:3]}")
    bench.visitors_used = starts["visitors"][: a.sessions]
    time.sleep(1)
    starts["alone"] = bench.bench_starts_alone()
    to_operator = bench.bench_visitor_to_operator(bench.visitors_used)
    to_visitor = bench.bench_operator_to_visitor(bench.visitors_used)
    rates = []
    for rate in a.rates:
        time.sleep(3)  # what the previous phase left behind is done
        rates.append(bench.bench_rate(bench.visitors_used, rate))
    time.sleep(1)
    memory["at the end"] = server.memory()
    context["widgets"] = widget_activity(bench.timers, widgets_before)
    context["cpu"] = (
        server.cpu_seconds() - cpu[0],
        sum(client.cpu_times()[:2]) - cpu[1],
        perf_counter() - cpu[2],
    )
    log_figures = parse_log(server.logfiles, offset)
    context["gc"] = gc_lines(server.logfiles, offset)
    context["load_end"] = loadavg()
    context["duration"] = perf_counter() - t0
    if a.summary_out:
        with open(a.summary_out, "w", encoding="utf-8") as out:
            json.dump(summary(bench, starts, to_operator, to_visitor, rates, log_figures), out)
    return report(bench, context, starts, to_operator, to_visitor, rates, log_figures, memory)


# ------------------------------------------------------------
# Side by side: the main figures of two runs (single server, cluster)
# ------------------------------------------------------------

PERCENTILES = (50, 95, 99)


def summary(bench, starts, to_operator, to_visitor, rates, log_figures):
    """The main figures of a run (milliseconds), for ``compare``."""

    def dist(values):
        return [None if not values else percentile(values, p) * 1000 for p in PERCENTILES]

    a = bench.args
    per_route, problems = log_figures
    return {
        "label": "cluster" if a.cluster_dir else "single server",
        "rows": [
            (f"session start, {a.concurrency} at a time: answered", dist(starts["start"])),
            ("  'joined' on the operator's socket", dist(starts["joined"])),
            ("session start, one at a time: answered", dist(starts["alone"]["start"])),
            ("  'joined' on the operator's socket", dist(starts["alone"]["joined"])),
            ("visitor to operator: POST answered", dist(to_operator["post"])),
            ("  on the operator's socket", dist(to_operator["delivery"])),
            ("operator to visitor: POST answered", dist(to_visitor["post"])),
            ("  on the visitor's socket", dist(to_visitor["delivery"])),
            *(
                (f"{r['rate']:g} msg/s: to the operator's socket", dist(r["delivery"]))
                for r in rates
            ),
        ],
        "rates": [
            {
                "rate": r["rate"],
                "achieved": r["achieved"],
                "failed": len(r["errors"]),
                "lost": r["missing"],
            }
            for r in rates
        ],
        "queries": {
            route: statistics.median(row[0] for row in per_route[route])
            for route in ROUTES
            if per_route.get(route)
        },
        "server cpu per message": to_operator["cpu"] * 1000,
        "log problems": sum(problems.values()),
    }


def compare(paths):
    """``bench_chat.py compare A.json B.json``: the main figures of runs side by side."""
    runs = []
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            runs.append(json.load(handle))
    width = 26

    def cells(values):
        return " / ".join("-" if v is None else f"{v:.1f}" for v in values).rjust(width)

    lines = [
        "",
        "=" * 96,
        "Live Chat benchmark, side by side (ms: p50 / p95 / p99)",
        "=" * 96,
        f"   {'':<44}" + "".join(run["label"].rjust(width) for run in runs),
    ]
    for index, (label, _values) in enumerate(runs[0]["rows"]):
        row = [
            run["rows"][index][1]
            if index < len(run["rows"]) and run["rows"][index][0] == label
            else [None] * 3
            for run in runs
        ]
        lines.append(f"   {label:<44}" + "".join(cells(values) for values in row))
    for index, rate in enumerate(runs[0]["rates"]):
        label = f"{rate['rate']:g} msg/s: achieved, failed, lost"
        row = []
        for run in runs:
            r = run["rates"][index] if index < len(run["rates"]) else None
            row.append(
                "-".rjust(width)
                if r is None
                else f"{r['achieved']:.1f}, {r['failed']}, {r['lost']}".rjust(width)
            )
        lines.append(f"   {label:<44}" + "".join(row))
    lines.append(
        f"   {'server CPU per message (ms, all servers)':<44}"
        + "".join(f"{run['server cpu per message']:.1f}".rjust(width) for run in runs)
    )
    for route in ROUTES:
        if not any(route in run["queries"] for run in runs):
            continue
        lines.append(
            f"   {'queries, ' + route:<44}"
            + "".join(
                (f"{run['queries'][route]:g}" if route in run["queries"] else "-").rjust(width)
                for run in runs
            )
        )
    lines.append(
        f"   {'warnings and errors in the server logs':<44}"
        + "".join(f"{run['log problems']}".rjust(width) for run in runs)
    )
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


ARGS = None


def main():
    global ARGS
    if sys.argv[1:2] == ["compare"]:
        return compare(sys.argv[2:])
    ARGS = args = parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    server = ClusterServers(args) if args.cluster_dir else Server(args)
    # SIGTERM (and Ctrl-C) end the run through the finally below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    timer = watchdog(server, args.max_seconds)
    bench = None
    try:
        server.start()
        server.wait_ready(timeout=180)
        log("server ready")
        bench = Bench(args, server)
        lines = measure(bench, server)
    except BenchError as error:
        log(f"!! {error}")
        return 1
    finally:
        if bench:
            bench.close()
        server.stop()
        timer.cancel()
    text = "\n".join(lines)
    sys.stdout.write(text + "\n")
    name = "chat-cluster-report.txt" if args.cluster_dir else "chat-report.txt"
    with open(os.path.join(args.out_dir, name), "w", encoding="utf-8") as out:
        out.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
