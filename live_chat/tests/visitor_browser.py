"""A second headless Chromium for the visitor, beside the test's main browser."""

import contextlib
import json
import threading
from unittest.mock import patch

from odoo.tests.common import HOST, TEST_CURSOR_COOKIE_NAME, ChromeBrowser

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
        thread.join(120)
        if thread.is_alive():
            raise AssertionError("the visitor's scenario did not finish")
        if "error" in outcome:
            raise outcome["error"]

    def _run_scenario(self, scenario, outcome):
        try:
            outcome["result"] = scenario(self)
        except Exception as error:  # noqa: BLE001 - re-raised in the test's thread
            outcome["error"] = error
