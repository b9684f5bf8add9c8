#!/usr/bin/env python3
"""Benchmark of the visitor's widget on a foreign page: a script, not a test.

Run it through ``tools/bench.sh widget``, which prepares the database (as for
``chat``: operators in the channel "Benchmark") and passes the options below.
It starts Odoo as bench_chat.py does (its Server), behind the demo's reverse proxy
(tools/demo_proxy.py) on the chat server's address, as a website serves Odoo: the
widget opens its websocket on that address, which the proxy sends to the gevent
port (Odoo's HTTP workers are on the next port). It logs the operators in (their
websocket and presence: the button shows only when one is online), serves a
static page on another loopback origin whose <head> holds the channel's widget
snippet, and drives headless Chromium over the DevTools protocol:

1. before the first click: what the widget made the browser download (raw and
   gzip -6 bytes) and the time from navigation start to the visible button;
2. the click: the time to the composer being ready, the bytes it added (the
   module of typing, seen and files, loaded on the first opening), the total;
3. the visitor's first message (it starts the session): from pressing "send" to
   the message on the operator's websocket;
4. the same to the message's text in Odoo's web client of the operator (a tab of
   the same browser, on the Live Chat dashboard: the session's chat window opens on
   "joined", then shows its messages), against the budget of a message on the other
   side's screen (300 ms); and where that time went, in the operator's page: when
   the bus's "joined" and new messages reached it, when its requests for the
   session (/mail/data, /discuss/channel/messages) ended, when the chat window
   was drawn.

Cold loads: a new browser context each (empty cache and storage); warm loads:
one context, its cache primed. Every wait is bounded; --max-seconds bounds the run.
"""

import argparse
import base64
import contextlib
import gzip
import http.server
import json
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
from time import perf_counter

import websocket

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_chat import (  # noqa: E402
    WS_VERSION,
    Arrivals,
    BenchError,
    Operator,
    Server,
    Tokens,
    log,
)

BUDGET_BEFORE_GZIP = 30 * 1024
BUDGET_BUTTON = 0.3
BUDGET_TOTAL_GZIP = 120 * 1024
BUDGET_COMPOSER = 0.5
BUDGET_MESSAGE = 0.3  # a message on the other side's screen
WAIT = 15  # seconds, any single wait in the browser

# Installed before any script of the page: the time the button becomes visible.
WATCH_BUTTON = """
(function () {
    function visible() {
        var host = document.querySelector("[data-live-chat]");
        var btn = host && host.shadowRoot && host.shadowRoot.querySelector(".btn");
        return Boolean(btn && btn.isConnected && !btn.hidden &&
            getComputedStyle(btn).display !== "none" && btn.getClientRects().length);
    }
    function poll() {
        if (window.__lcButtonAt === undefined && visible()) {
            window.__lcButtonAt = performance.now();
            return;
        }
        setTimeout(poll, 2);
    }
    poll();
})();
"""

CLICK = """
new Promise(function (resolve) {
    var root = document.querySelector("[data-live-chat]").shadowRoot;
    var t0 = performance.now();
    root.querySelector(".btn").click();
    (function poll() {
        var input = root.querySelector(".win:not([hidden]) .input");
        if (input && !input.disabled && input.getClientRects().length) {
            resolve(performance.now() - t0);
        } else if (performance.now() - t0 > %d) {
            resolve(-1);
        } else {
            setTimeout(poll, 2);
        }
    })();
})
""" % (WAIT * 1000)

SEND = """
(function () {
    var root = document.querySelector("[data-live-chat]").shadowRoot;
    root.querySelector(".win:not([hidden]) .input").value = %s;
    var at = performance.timeOrigin + performance.now();
    root.querySelector(".win:not([hidden]) .send").click();
    return at;
})()
"""

# In the operator's web client: the time (the machine's clock, as the visitor's page
# reads it) a text is first added to the page, a chat window's message or a notice.
# Only the added nodes are read: the page's layout is left alone.
WATCH_TEXT = """
(function (text) {
    window.__lcSeen = window.__lcSeen || {};
    var observer = new MutationObserver(function (records) {
        for (var record of records) {
            var nodes = record.type === "characterData" ? [record.target] : record.addedNodes;
            for (var node of nodes) {
                if ((node.textContent || "").includes(text)) {
                    window.__lcSeen[text] = performance.timeOrigin + performance.now();
                    observer.disconnect();
                    return;
                }
            }
        }
    });
    observer.observe(document.body, {childList: true, subtree: true, characterData: true});
    return true;
})(%s)
"""

# In the operator's web client, once: when the bus's "joined" and "new_message" of a
# session reach the page (after the web client's shared worker), and when its requests
# for the session's data end (the resource timing's responseEnd), the machine's clock.
WATCH_TIMELINE = """
(function () {
    if (window.__lcTimeline) {
        window.__lcTimeline = [];
        return true;
    }
    window.__lcTimeline = [];
    var now = function () { return performance.timeOrigin + performance.now(); };
    var bus = odoo.__WOWL_DEBUG__.root.env.services.bus_service;
    for (var type of ["discuss.channel/joined", "discuss.channel/new_message"]) {
        (function (type) {
            bus.subscribe(type, function () { window.__lcTimeline.push([type, now()]); });
        })(type);
    }
    new MutationObserver(function (records) {
        for (var record of records) {
            for (var node of record.addedNodes) {
                if (node.nodeType === 1 && (node.matches(".o-mail-ChatWindow") ||
                        node.querySelector(".o-mail-ChatWindow"))) {
                    window.__lcTimeline.push(["chat window", now()]);
                    return;
                }
            }
        }
    }).observe(document.body, {childList: true, subtree: true});
    new PerformanceObserver(function (list) {
        for (var entry of list.getEntries()) {
            var path = new URL(entry.name).pathname;
            if (path === "/mail/data" || path === "/discuss/channel/messages") {
                window.__lcTimeline.push([path, performance.timeOrigin + entry.responseEnd]);
            }
        }
    }).observe({type: "resource", buffered: false});
    return true;
})()
"""
TIMELINE_STEPS = (
    "discuss.channel/joined",
    "discuss.channel/new_message",
    "/mail/data",
    "/discuss/channel/messages",
    "chat window",
)

# How many conversations the operator's web client holds: the host's unread counter
# of all conversations goes through each of them on every bus event that touches one.
HELD_CONVERSATIONS = """
Object.values(odoo.__WOWL_DEBUG__.root.env.services["mail.store"].Thread.records)
    .filter((thread) => thread.model === "discuss.channel").length
"""

# The operator's chat windows closed (the sessions stay open): each new session's
# window opens in a hub that holds a few.
CLOSE_CHAT_WINDOWS = """
odoo.__WOWL_DEBUG__.root.env.services["mail.store"].chatHub.closeAll().then(() => true)
"""
# Inactive for an hour (ms): the presence the web client sends then ("away").
AWAY_MS = 3600 * 1000


# ------------------------------------------------------------
# The foreign page
# ------------------------------------------------------------


def serve_page(host, port, snippet):
    html = (
        "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>A shop</title>\n"
        # No favicon request: every download below is the widget's.
        "<link rel='icon' href='data:,'>\n"
        f"{snippet}\n</head><body><h1>A shop on another site</h1>"
        "<p>Some content of the host page.</p></body></html>\n"
    ).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(html)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, *_args):
            pass

    server = http.server.ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# ------------------------------------------------------------
# Chromium over the DevTools protocol
# ------------------------------------------------------------


class Browser:
    def __init__(self, binary):
        self.profile = tempfile.mkdtemp(prefix="live_chat-bench-chromium-")
        self.proc = subprocess.Popen(
            [
                binary,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--remote-debugging-port=0",
                f"--user-data-dir={self.profile}",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        deadline = perf_counter() + 30
        lines = []
        while perf_counter() < deadline:
            with contextlib.suppress(OSError):
                with open(port_file, encoding="utf-8") as fp:
                    lines = fp.read().split()
            if len(lines) >= 2:
                break
            if self.proc.poll() is not None:
                raise BenchError(f"chromium exited ({self.proc.returncode})")
            time.sleep(0.1)
        else:
            raise BenchError("chromium did not write DevToolsActivePort within 30 s")
        self.ws = websocket.create_connection(
            f"ws://127.0.0.1:{lines[0]}{lines[1]}", timeout=WAIT, suppress_origin=True
        )
        self.next_id = 0
        self.handlers = {}  # session id: callable(method, params)

    def call(self, method, params=None, session=None, timeout=WAIT):
        self.next_id += 1
        msg_id = self.next_id
        message = {"id": msg_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self.ws.send(json.dumps(message))
        deadline = perf_counter() + timeout
        while perf_counter() < deadline:
            answer = self._recv(deadline)
            if answer is not None and answer.get("id") == msg_id:
                if "error" in answer:
                    raise BenchError(f"{method}: {answer['error']}")
                return answer.get("result", {})
        raise BenchError(f"{method}: no answer within {timeout} s")

    def _recv(self, deadline):
        self.ws.settimeout(max(0.05, deadline - perf_counter()))
        try:
            message = json.loads(self.ws.recv())
        except websocket.WebSocketTimeoutException:
            return None
        if "method" in message:
            handler = self.handlers.get(message.get("sessionId"))
            if handler:
                handler(message["method"], message.get("params", {}))
            return None
        return message

    def pump(self, seconds):
        """Handle events for ``seconds``."""
        deadline = perf_counter() + seconds
        while perf_counter() < deadline:
            self._recv(deadline)

    def close(self):
        with contextlib.suppress(Exception):
            self.call("Browser.close", timeout=5)
        with contextlib.suppress(Exception):
            self.ws.close()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)
        shutil.rmtree(self.profile, ignore_errors=True)


class Tab:
    """A page in a browser context of its own (``context``: reuse one)."""

    def __init__(self, browser, context=None):
        self.browser = browser
        self.own_context = context is None
        self.context = context or browser.call("Target.createBrowserContext")["browserContextId"]
        self.target = browser.call(
            "Target.createTarget", {"url": "about:blank", "browserContextId": self.context}
        )["targetId"]
        self.session = browser.call(
            "Target.attachToTarget", {"targetId": self.target, "flatten": True}
        )["sessionId"]
        browser.handlers[self.session] = self._event
        self.phase = None
        self.requests = {}  # request id: {url, phase, finished, encoded, body}
        for method in ("Network.enable", "Page.enable", "Runtime.enable"):
            self.call(method)
        self.call("Page.addScriptToEvaluateOnNewDocument", {"source": WATCH_BUTTON})

    def call(self, method, params=None, timeout=WAIT):
        return self.browser.call(method, params, session=self.session, timeout=timeout)

    def _event(self, method, params):
        if method == "Network.requestWillBeSent":
            self.requests.setdefault(
                params["requestId"],
                {"url": params["request"]["url"], "phase": self.phase, "finished": False},
            )
        elif method == "Network.responseReceived":
            entry = self.requests.get(params["requestId"])
            if entry:
                response = params["response"]
                entry["status"] = response.get("status")
                entry["cached"] = entry.get("cached") or bool(response.get("fromDiskCache"))
        elif method == "Network.requestServedFromCache":
            entry = self.requests.get(params["requestId"])
            if entry:
                entry["cached"] = True
        elif method == "Network.loadingFinished":
            entry = self.requests.get(params["requestId"])
            if entry:
                entry["finished"] = True
                entry["encoded"] = params.get("encodedDataLength", 0)
        elif method == "Network.loadingFailed":
            entry = self.requests.get(params["requestId"])
            if entry:
                entry["finished"] = True
                entry["failed"] = params.get("errorText")

    def evaluate(self, expression, await_promise=False):
        result = self.call(
            "Runtime.evaluate",
            {"expression": expression, "awaitPromise": await_promise, "returnByValue": True},
            timeout=WAIT + 5,
        )
        if "exceptionDetails" in result:
            raise BenchError(f"in the page: {result['exceptionDetails'].get('text')}")
        return result["result"].get("value")

    def wait_for(self, expression, what):
        deadline = perf_counter() + WAIT
        while perf_counter() < deadline:
            value = self.evaluate(expression)
            if value is not None:
                return value
            self.browser.pump(0.02)
        raise BenchError(f"{what}: not within {WAIT} s")

    def settle(self, quiet=0.3):
        """Until every request of the page finished and none started for ``quiet`` s."""
        deadline = perf_counter() + WAIT
        count, since = -1, perf_counter()
        while perf_counter() < deadline:
            self.browser.pump(0.05)
            busy = any(not r["finished"] for r in self.requests.values())
            if len(self.requests) != count or busy:
                count, since = len(self.requests), perf_counter()
            elif perf_counter() - since >= quiet:
                return
        raise BenchError(f"the page's requests did not finish within {WAIT} s")

    def bodies(self, phase, exclude):
        """(url, encoded, raw, gzip) of the downloads of a phase (cached ones: 0)."""
        rows = []
        for request_id, entry in self.requests.items():
            # The foreign page's own requests are not the widget's.
            if entry["phase"] != phase or entry["url"].startswith(exclude) or entry.get("failed"):
                continue
            if entry["url"].startswith("data:"):
                continue
            try:
                answer = self.call("Network.getResponseBody", {"requestId": request_id})
                body = answer.get("body", "")
                data = (
                    base64.b64decode(body) if answer.get("base64Encoded") else body.encode("utf-8")
                )
            except BenchError:
                data = b""
            rows.append(
                {
                    "url": entry["url"],
                    "encoded": entry.get("encoded", 0),
                    "raw": len(data),
                    "gzip": len(gzip.compress(data, 6)) if data else 0,
                    "cached": entry.get("cached", False),
                }
            )
        return rows

    def close(self):
        self.browser.handlers.pop(self.session, None)
        with contextlib.suppress(BenchError):
            self.browser.call("Target.closeTarget", {"targetId": self.target})
        if self.own_context:
            with contextlib.suppress(BenchError):
                self.browser.call(
                    "Target.disposeBrowserContext", {"browserContextId": self.context}
                )


def page_load(tab, url, click=True):
    """One visit: navigation, the button, the click, the composer; figures."""
    tab.requests.clear()
    tab.phase = "before"
    tab.call("Page.navigate", {"url": url})
    button = tab.wait_for("window.__lcButtonAt", "the chat button") / 1000
    tab.settle()
    result = {"button": button, "before": tab.bodies("before", url)}
    if click:
        tab.phase = "after"
        composer = tab.evaluate(CLICK, await_promise=True)
        if composer is None or composer < 0:
            raise BenchError(f"the composer was not ready within {WAIT} s")
        tab.settle()
        result["composer"] = composer / 1000
        result["after"] = tab.bodies("after", url)
    return result


# ------------------------------------------------------------
# Report
# ------------------------------------------------------------


def kb(value):
    return f"{value / 1024:.1f}"


def short(url, base):
    return url[len(base) :] if url.startswith(base) else url


def table(lines, rows, base):
    lines.append(f"   {'resource':<58}{'wire':>9}{'raw':>9}{'gzip -6':>9}   (KB)")
    for row in sorted(rows, key=lambda r: r["url"]):
        lines.append(
            f"   {short(row['url'], base)[:58]:<58}{kb(row['encoded']):>9}"
            f"{kb(row['raw']):>9}{kb(row['gzip']):>9}"
        )
    lines.append(
        f"   {'total':<58}{kb(sum(r['encoded'] for r in rows)):>9}"
        f"{kb(sum(r['raw'] for r in rows)):>9}{kb(sum(r['gzip'] for r in rows)):>9}"
    )


def verdict(value, budget):
    return "ok" if value <= budget else "OVER BUDGET"


def median(values):
    return statistics.median(values) if values else None


def fmt_s(value):
    return "-" if value is None else f"{value * 1000:.0f} ms"


def report(args, base, page_url, cold, warm, first, screen, timelines, held):
    first_cold = cold[0]
    before = first_cold["before"]
    after = first_cold["after"]
    before_gzip = sum(r["gzip"] for r in before)
    total_gzip = before_gzip + sum(r["gzip"] for r in after)
    button_cold = median([r["button"] for r in cold])
    button_warm = median([r["button"] for r in warm])
    composer_cold = median([r["composer"] for r in cold])
    composer_warm = median([r["composer"] for r in warm])
    lines = [
        "",
        "=" * 96,
        "Live Chat benchmark: the visitor's widget on a foreign page (headless Chromium)",
        "=" * 96,
        f"server    Odoo 19.0, {args.workers} HTTP workers, 127.0.0.1:{args.http_port} "
        f"(the widget's server: the demo proxy, to Odoo on {args.http_port + 1} and its "
        f"websocket on {args.gevent_port}); database {args.db}, channel {args.channel_id}",
        f"page      {page_url} (another origin), the snippet in its <head>",
        f"loads     {len(cold)} cold (a new browser context each: empty cache and storage), "
        f"{len(warm)} warm (one context, cache primed); medians; 1 warm-up load excluded",
        f"machine   {os.cpu_count()} cores, load average "
        + " ".join(f"{v:.1f}" for v in os.getloadavg()),
        "",
        "1. Before the first click: what the widget downloads (a cold load; gzip -6 by this",
        "   script, 'wire': what the browser received, headers included)",
    ]
    table(lines, before, base)
    lines.append(
        f"   gzip total {kb(before_gzip)} KB, budget {kb(BUDGET_BEFORE_GZIP)} KB: "
        f"{verdict(before_gzip, BUDGET_BEFORE_GZIP)}"
    )
    lines.append(
        f"   button visible after navigation start: cold {fmt_s(button_cold)} "
        f"(min {fmt_s(min(r['button'] for r in cold))}, "
        f"max {fmt_s(max(r['button'] for r in cold))})"
        f", warm {fmt_s(button_warm)}; budget {fmt_s(BUDGET_BUTTON)}: "
        f"{verdict(max(button_cold, button_warm), BUDGET_BUTTON)}"
    )
    warm_new = [r for r in warm[0]["before"] if not r["cached"]] if warm else []
    lines.append(
        "   warm load, downloaded again (not from the cache): "
        + (", ".join(short(r["url"], base) for r in warm_new) or "nothing")
    )
    lines.append("")
    lines.append("2. The click: the chat window (a cold load; its code came with the bundle)")
    table(lines, after, base)
    lines.append(
        f"   composer ready after the click: cold {fmt_s(composer_cold)}, warm "
        f"{fmt_s(composer_warm)}; budget {fmt_s(BUDGET_COMPOSER)}: "
        f"{verdict(max(composer_cold, composer_warm), BUDGET_COMPOSER)}"
    )
    warm_new = [r for r in warm[0]["after"] if not r["cached"]] if warm else []
    lines.append(
        "   warm load, downloaded again (not from the cache): "
        + (", ".join(short(r["url"], base) for r in warm_new) or "nothing")
    )
    lines.append(
        f"   whole visitor chat (before + after the click): {kb(total_gzip)} KB gzip, "
        f"budget {kb(BUDGET_TOTAL_GZIP)} KB: {verdict(total_gzip, BUDGET_TOTAL_GZIP)}"
    )
    lines.append("")
    lines.append(
        f"3. The first message (starts the session): 'send' pressed to the message on the "
        f"operator's websocket, {len(first)} visitors"
    )
    if first:
        lines.append(
            f"   median {fmt_s(median(first))}, min {fmt_s(min(first))}, max {fmt_s(max(first))}"
            " (includes 'joined' and the operator's new subscription)"
        )
    else:
        lines.append("   none arrived")
    lines.append("")
    lines.append(
        f"4. The first message on the operator's screen: 'send' pressed to its text in "
        f"Odoo's web client of the operator, {len(screen)} of {args.screen_messages} visitors"
    )
    if not args.screen_messages:
        lines.append("   skipped (--screen-messages 0)")
    elif screen:
        lines.append(
            f"   median {fmt_s(median(screen))}, min {fmt_s(min(screen))}, max "
            f"{fmt_s(max(screen))}; budget {fmt_s(BUDGET_MESSAGE)}: "
            f"{verdict(median(screen), BUDGET_MESSAGE)} (includes 'joined', the chat window "
            "opened, the thread's messages fetched and drawn)"
        )
        lines.append(
            "   where the time went, in the operator's page (medians after 'send'; the "
            "requests' ends):"
        )
        for step in TIMELINE_STEPS:
            seen = [timeline[step] for timeline in timelines if step in timeline]
            if not seen:
                lines.append(f"     {step:32s} none")
                continue
            counts = sorted({len(times) for times in seen})
            lines.append(
                f"     {step:32s} first {fmt_s(median([times[0] for times in seen]))}, last "
                f"{fmt_s(median([times[-1] for times in seen]))}"
                f" ({'/'.join(map(str, counts))} per session, {len(seen)} sessions)"
            )
        lines.append(f"     {'text on the screen':32s} {fmt_s(median(screen))}")
        lines.append(
            f"   the operator's web client held {held} conversations when it opened (its "
            "open sessions, chats and channels; ended sessions are not loaded)"
        )
    else:
        lines.append("   none arrived")
    lines.append("")
    return lines


# ------------------------------------------------------------
# Main
# ------------------------------------------------------------


class Operators:
    """What bench_chat's Operator needs of its bench."""

    def __init__(self, args):
        self.args = args
        self.base = f"http://127.0.0.1:{args.http_port}"
        self.ws_url = f"ws://127.0.0.1:{args.gevent_port}/websocket?version={WS_VERSION}"
        self.at_operators = Arrivals()
        self.tokens = Tokens()
        self.list = [Operator(self, login) for login in args.operators.split(",")]

    def close(self):
        for operator in self.list:
            operator.bus.close()


def first_messages(browser, page_url, operators, count):
    times = []
    for index in range(count):
        tab = Tab(browser)
        try:
            page_load(tab, page_url)
            token = operators.tokens.new()
            sent = perf_counter()
            tab.evaluate(SEND % json.dumps(f"Hello from visitor {index} {token}"))
            if operators.at_operators.wait([token], perf_counter() + WAIT):
                times.append(operators.at_operators.get(token) - sent)
            else:
                log(f"!! first message {index} never reached the operator")
            tab.settle()
        finally:
            tab.close()
    return times


def operator_web_client(browser, base, operator):
    """A tab of Odoo's web client, logged in as ``operator`` (their session), ready."""
    tab = Tab(browser)
    tab.call(
        "Emulation.setDeviceMetricsOverride",
        {"width": 1366, "height": 900, "deviceScaleFactor": 1, "mobile": False},
    )
    tab.call(
        "Network.setCookie",
        {"name": "session_id", "value": operator.http.cookies["session_id"], "url": base},
    )
    # The Live Chat dashboard (in Discuss, the sessions open in the app, not in chat
    # windows).
    tab.call("Page.navigate", {"url": f"{base}/odoo/live-chat"})
    tab.wait_for(
        "(window.odoo && odoo.__WOWL_DEBUG__ && document.querySelector('.o_main_navbar')) "
        "? true : null",
        "the operator's web client",
    )
    # Its websocket opened and its presence sent (the web client keeps requests
    # pending: no settling).
    browser.pump(3)
    return tab


def screen_messages(browser, base, page_url, operators, count):
    """The first message of ``count`` visitors, from 'send' to the operator's screen:
    the text in the page of Odoo's web client of the operator given the session (a
    chat window opens on "joined", then shows the thread's messages). The other
    operators are made away (as their web client says after an hour idle), so that
    the one in the browser gets every session; their websockets stay open."""
    if count <= 0:
        return [], [], None
    chosen, others = operators.list[0], operators.list[1:]
    for operator in others:
        operator.bus.update_presence(AWAY_MS)
    tab = operator_web_client(browser, base, chosen)
    held = tab.evaluate(HELD_CONVERSATIONS)
    times, timelines = [], []
    try:
        for index in range(count):
            visitor = Tab(browser)
            try:
                page_load(visitor, page_url)
                text = f"Hello operator {index} {operators.tokens.new()}"
                tab.evaluate(WATCH_TEXT % json.dumps(text))
                tab.evaluate(WATCH_TIMELINE)
                sent = visitor.evaluate(SEND % json.dumps(text))
                try:
                    seen = tab.wait_for(
                        f"(window.__lcSeen || {{}})[{json.dumps(text)}] || null",
                        "the first message on the operator's screen",
                    )
                    times.append((seen - sent) / 1000)
                except BenchError as error:
                    log(f"!! {error}")
                    seen = None
                visitor.settle()
                if seen:
                    timeline = {}
                    for step, at in tab.evaluate("window.__lcTimeline"):
                        timeline.setdefault(step, []).append((at - sent) / 1000)
                    timelines.append(timeline)
            finally:
                visitor.close()
            tab.evaluate(CLOSE_CHAT_WINDOWS, await_promise=True)
    finally:
        tab.close()
        for operator in others:
            operator.bus.update_presence()
    return times, timelines, held


def measure(args, browser, page_url, base):
    log("warm-up load (excluded)")
    tab = Tab(browser)
    try:
        page_load(tab, page_url)
    finally:
        tab.close()
    cold = []
    log(f"{args.loads} cold loads")
    for _ in range(args.loads):
        tab = Tab(browser)
        try:
            cold.append(page_load(tab, page_url))
        finally:
            tab.close()
    log(f"{args.loads} warm loads")
    warm = []
    tab = Tab(browser)
    try:
        page_load(tab, page_url)  # primes the context's cache
        for _ in range(args.loads):
            warm.append(page_load(tab, page_url))
    finally:
        tab.close()
    return cold, warm


def parse_args():
    parser = argparse.ArgumentParser(
        description="Benchmark of the visitor's widget. Run it through `tools/bench.sh widget "
        "[options]`, which sets the database, channel, operators, ports and --out-dir.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    add = parser.add_argument
    add("--odoo-bin", required=True)
    add("--addons-path", required=True)
    add("--db", required=True)
    add("--channel-id", type=int, required=True)
    add("--operators", required=True, help="logins, comma-separated")
    add("--password", required=True)
    add("--http-port", type=int, default=8869)
    add("--gevent-port", type=int, default=8872)
    add("--workers", type=int, default=2)
    add("--page-host", default="127.0.0.2", help="the foreign page's loopback address")
    add("--page-port", type=int, default=8899)
    add("--chromium", default="/usr/bin/chromium")
    add("--out-dir", default=".bench")
    add("--loads", type=int, default=10, help="cold loads, and warm loads")
    add("--messages", type=int, default=5, help="3: first messages (0: skip)")
    add(
        "--screen-messages",
        type=int,
        default=5,
        help="4: first messages to an operator's web client (0: skip)",
    )
    add("--max-seconds", type=float, default=600)
    add("--history", help=argparse.SUPPRESS)
    add("--rate-limits", help=argparse.SUPPRESS)
    add("--server-option", action="append", default=[], metavar="OPTION")
    args = parser.parse_args()
    if not (1 <= args.loads <= 100 and 0 <= args.messages <= 50):
        parser.error("--loads: 1 to 100, --messages: 0 to 50")
    return args


def start_proxy(args):
    """The demo's reverse proxy on the chat server's address (``--http-port``), in
    front of Odoo's HTTP workers (the next port) and its gevent worker; ready."""
    proxy = subprocess.Popen(
        [
            sys.executable,
            os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "demo_proxy.py"),
            str(args.http_port),
            str(args.http_port + 1),
            str(args.gevent_port),
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = perf_counter() + 30
    while perf_counter() < deadline:
        with (
            contextlib.suppress(OSError),
            socket.create_connection(("127.0.0.1", args.http_port), timeout=1),
        ):
            return proxy
        if proxy.poll() is not None:
            break
        time.sleep(0.2)
    proxy.kill()
    raise BenchError(f"the proxy on port {args.http_port} did not start")


def main():
    args = parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    # Odoo's HTTP workers on the next port, behind the proxy on the chat server's.
    server = Server(argparse.Namespace(**{**vars(args), "http_port": args.http_port + 1}))
    server.logfile = os.path.join(args.out_dir, "widget-server.log")
    server.outfile = os.path.join(args.out_dir, "widget-server.out")
    proxy = None
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    browser = None

    def expire():
        log(f"!! the run exceeded {args.max_seconds:g} s: stopping")
        if browser:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(browser.proc.pid, signal.SIGKILL)
        if proxy:
            proxy.kill()
        server.stop()
        os._exit(3)

    timer = threading.Timer(args.max_seconds, expire)
    timer.daemon = True
    timer.start()
    base = f"http://127.0.0.1:{args.http_port}"
    page_url = f"http://{args.page_host}:{args.page_port}/"
    snippet = f'<script src="{base}/live_chat/loader/{args.channel_id}" async></script>'
    page = operators = None
    try:
        page = serve_page(args.page_host, args.page_port, snippet)
        server.start()
        server.wait_ready(timeout=180)
        proxy = start_proxy(args)
        log("server ready; operators online")
        operators = Operators(args)
        browser = Browser(args.chromium)
        cold, warm = measure(args, browser, page_url, base)
        log(f"{args.messages} first messages")
        first = first_messages(browser, page_url, operators, args.messages)
        log(f"{args.screen_messages} first messages to an operator's web client")
        screen, timelines, held = screen_messages(
            browser, base, page_url, operators, args.screen_messages
        )
        lines = report(args, base, page_url, cold, warm, first, screen, timelines, held)
    except (BenchError, OSError) as error:
        log(f"!! {type(error).__name__}: {error}")
        return 1
    finally:
        if browser:
            browser.close()
        if operators:
            operators.close()
        if page:
            page.shutdown()
        if proxy:
            proxy.kill()
            proxy.wait()
        server.stop()
        timer.cancel()
    text = "\n".join(lines)
    sys.stdout.write(text + "\n")
    with open(os.path.join(args.out_dir, "widget-report.txt"), "w", encoding="utf-8") as out:
        out.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
