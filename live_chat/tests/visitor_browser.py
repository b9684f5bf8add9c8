"""A second headless Chromium for the visitor, beside the test's main browser."""

import contextlib
import http.server
import json
import threading
from unittest.mock import patch
from urllib.parse import urlsplit

from odoo.tests.common import HOST, TEST_CURSOR_COOKIE_NAME, ChromeBrowser, _registry_test_lock

from odoo.addons.bus.models.bus import BusBus
from odoo.addons.bus.websocket import CloseCode, WebsocketConnectionHandler, _kick_all

# Waits in the page until a condition holds; shared by the visitor scripts.
WAIT_FOR_JS = """
const waitFor = async (fn, what, timeout = 30000) => {
    const start = Date.now();
    while (Date.now() - start < timeout) {
        const result = await fn();
        if (result) {
            return result;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error("Timed out waiting for " + what);
};
const widgetRoot = () => document.querySelector("[data-live-chat]")?.shadowRoot;
const texts = (root, selector) => [...root.querySelectorAll(selector)].map((m) => m.textContent);
// How many requests the page made to ``path`` so far (those that ended).
const requests = (path) => performance.getEntriesByType("resource").filter(
    (entry) => new URL(entry.name).pathname === path).length;
"""


# The first lines of a visitor's script: the page waits until an operator is available
# (their web client open), as a visitor arriving a bit later would. ``%(channel)s``:
# the channel's id.
WAIT_FOR_OPERATOR = """
await waitFor(async () => {
    await new Promise((r) => setTimeout(r, 100));  // well within the rate limit of /init
    const res = await fetch("/live_chat/init/%(channel)s", {method: "POST", body: "{}"});
    return (await res.json()).available;
}, "an available operator");
"""


class VisitorBrowser:
    """A headless Chromium of its own (own cookies and storage): a website visitor
    who is not the logged-in user of the test's main browser."""

    def __init__(self, test_case):
        self.test_case = test_case
        self.browser = ChromeBrowser(test_case)

    def open(self, url):
        if url.startswith("/"):
            url = self.test_case.base_url() + url
        self.browser.navigate_to(url, wait_stop=True)

    def run(self, script, timeout=60):
        """Run an async script in the page; return its value or raise its error."""
        code = f"(async () => {{ {WAIT_FOR_JS}\n{script} }})()"
        response = self.browser._websocket_request(
            "Runtime.evaluate",
            params={"expression": code, "awaitPromise": True, "returnByValue": True},
            timeout=timeout,
        )
        if "exceptionDetails" in response:
            details = response["exceptionDetails"]
            raise AssertionError(
                "visitor script failed: "
                + json.dumps(details.get("exception", {}).get("description") or details)
            )
        return response["result"].get("value")

    def stop(self):
        self.browser.stop()

    def storage_key(self, channel):
        """The key of the widget's state in the visitor's localStorage."""
        return f"live_chat:{channel.get_base_url()}:{channel.id}"

    def set_state(self, channel, state):
        """Put ``state`` as the widget's in the visitor's localStorage, from a page of
        the server without the widget (a widget running meanwhile would write its own
        over it): the loader's script, shown as text."""
        self.open(f"/live_chat/loader/{channel.id}")
        self.run(
            f"localStorage.setItem({json.dumps(self.storage_key(channel))},"
            f" {json.dumps(json.dumps(state))}); return true;"
        )

    def network(self, latency=0, offline=False):
        """The visitor's network: every request ``latency`` seconds slower, or none."""
        self.browser._websocket_request("Network.enable")
        self.browser._websocket_request(
            "Network.emulateNetworkConditions",
            params={
                "offline": offline,
                "latency": latency * 1000,
                "downloadThroughput": -1,
                "uploadThroughput": -1,
            },
        )

    def prefer_language(self, accept_language):
        """Make the browser prefer ``accept_language`` (e.g. "uk-UA,uk"), as its user's
        settings do: navigator.language(s) and the Accept-Language header."""
        version = self.browser._websocket_request("Browser.getVersion")
        self.browser._websocket_request(
            "Emulation.setUserAgentOverride",
            params={"userAgent": version["userAgent"], "acceptLanguage": accept_language},
        )

    def timezone(self, tz):
        """Make the browser's time zone ``tz`` (e.g. "Europe/Paris"), as its system's."""
        self.browser._websocket_request("Emulation.setTimezoneOverride", params={"timezoneId": tz})

    def forward_for(self, ip):
        """Make the visitor's requests come through a reverse proxy that forwards
        for ``ip`` (the host honours it in proxy mode). Headers are added where the
        browser sends the request, so the page's CORS is unchanged."""
        browser = self.browser
        host = self.test_case.base_url().split("://", 1)[1]

        def handle_request_paused(**params):
            request = params["request"]
            if not request["url"].startswith(f"http://{HOST}"):
                return browser._handle_request_paused(**params)
            headers = {
                **request.get("headers", {}),
                "X-Forwarded-For": ip,
                "X-Forwarded-Host": host,
            }
            browser._websocket_send(
                "Fetch.continueRequest",
                params={
                    "requestId": params["requestId"],
                    "headers": [{"name": k, "value": v} for k, v in headers.items()],
                },
            )

        browser._handlers["Fetch.requestPaused"] = handle_request_paused

    def delay(self, path, seconds):
        """Make the server's answers to requests of ``path`` reach the page ``seconds``
        later (the request waits in the browser): the order in which a page's
        requests are answered, made sure."""
        browser = self.browser
        handle = browser._handlers.get("Fetch.requestPaused", browser._handle_request_paused)

        def handle_request_paused(**params):
            if urlsplit(params["request"]["url"]).path == path:
                timer = threading.Timer(seconds, handle, kwargs=params)
                timer.daemon = True
                timer.start()
            else:
                handle(**params)

        browser._handlers["Fetch.requestPaused"] = handle_request_paused

    @contextlib.contextmanager
    def alongside(self, scenario):
        """Run ``scenario(self)`` in a thread while the test's main browser runs (a tour),
        from the moment that browser opens its page: the visitor's requests then go
        through the test's cursor like the main browser's."""
        test_case = self.test_case
        outcome = {}
        thread = threading.Thread(target=self._run_scenario, args=(scenario, outcome))
        navigate_to = ChromeBrowser.navigate_to
        visitor_browser = self.browser

        def navigate_and_start(browser, url, wait_stop=False):
            navigate_to(browser, url, wait_stop=wait_stop)
            if browser is not visitor_browser and not thread.is_alive() and not outcome:
                visitor_browser.set_cookie(
                    TEST_CURSOR_COOKIE_NAME, test_case.http_request_key, "/", HOST
                )
                thread.start()

        with patch.object(ChromeBrowser, "navigate_to", navigate_and_start):
            yield outcome
        # The tour is over (its requests are no longer served): the visitor's own go on
        # being served until their scenario ends (its last steps may follow the tour's,
        # such as a notice that reaches the widget once the operator saw the chat end).
        with test_case.allow_requests(browser=visitor_browser):
            thread.join(120)
        if thread.is_alive():
            raise AssertionError("the visitor's scenario did not finish")
        if "error" in outcome:
            raise outcome["error"]

    def _run_scenario(self, scenario, outcome):
        try:
            outcome["result"] = scenario(self)
        except Exception as error:  # noqa: BLE001 - re-raised in the test's thread
            # Said now too: a failure of the main browser would hide it.
            self.test_case._logger.info("the visitor's scenario failed: %s", error)
            outcome["error"] = error


class ForeignSite:
    """A web page served by another server, on another origin: where a customer
    pastes the widget snippet."""

    PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Another shop</title>
%(snippet)s
<style>
  button, div, h1 { background: rgb(255, 0, 0) !important; font-size: 40px !important; }
</style>
</head><body><h1>Another shop</h1><p>%(path)s</p></body></html>"""

    def __init__(self, snippet):
        self.snippet = snippet
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the http.server API
                body = (site.PAGE % {"snippet": site.snippet, "path": self.path}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self):
        # Another port is another origin: the widget's requests are cross-origin.
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


class LiveBus:
    """The host's bus in a test without a tour (as ``HttpCase.browser_js`` sets it up):
    websockets allowed, and each notification dispatched as soon as it is sent (the
    test's transaction never commits). ``muted``: the notifications are stored but the
    sockets are not told, as while the server's bus listener reconnects after a
    database restart."""

    def __init__(self):
        self.muted = False
        self._stack = contextlib.ExitStack()

    def __enter__(self):
        send_one = BusBus._sendone
        bus = self

        def sendone(model, target, notification_type, message):
            send_one(model, target, notification_type, message)
            if not bus.muted:
                model.env.cr.precommit.run()  # the bus.bus records
                model.env.cr.postcommit.run()  # the dispatching

        self._stack.enter_context(patch.object(BusBus, "_sendone", sendone))
        self._stack.enter_context(
            patch.object(WebsocketConnectionHandler, "websocket_allowed", return_value=True)
        )
        self._stack.callback(_kick_all, CloseCode.KILL_NOW)
        return self

    def __exit__(self, *exc):
        self._stack.close()


@contextlib.contextmanager
def shared_cursor(env):
    """The test's own database work while a browser's requests may run (they share
    the test's cursor): under the test lock, with fresh caches."""
    with _registry_test_lock:
        env.invalidate_all()
        yield
        env.cr.flush()  # and the bus notifications


class LiveVisitorMixin:
    """A test case with a visitor's browser on the channel's support page
    (``self.visitor``, ``self.page``) and, in ``_live()``, the host's bus at work."""

    def setUp(self):
        super().setUp()
        self.visitor = VisitorBrowser(self)
        self.addCleanup(self.visitor.stop)
        self.page = f"/live_chat/support/{self.channel.id}"

    @contextlib.contextmanager
    def _live(self):
        """The visitor's browser and the bus at work; the page left at the end."""
        with self.allow_requests(browser=self.visitor.browser, all_requests=True):
            try:
                with LiveBus() as bus:
                    yield bus
                    self.visitor.browser.navigate_to("about:blank", wait_stop=True)
            finally:
                # Its sockets closed (by LiveBus) and done with the test's cursor.
                self._wait_remaining_requests()
                self.env.invalidate_all()  # what its requests wrote

    def _session(self):
        """The channel's session (the test's visitor's)."""
        return self.env["discuss.channel"].search([("live_chat_channel_id", "=", self.channel.id)])
