from unittest.mock import patch

from odoo.tests import HttpCase, tagged
from odoo.tests.common import ChromeBrowser

from .common import LiveChatOperatorCommon
from .visitor_browser import WAIT_FOR_OPERATOR, VisitorBrowser

# The visitor waits for an operator (their web client open), then writes.
VISITOR_WRITES = (
    WAIT_FOR_OPERATOR
    + """
const root = await waitFor(widgetRoot, "the chat widget");
const input = await waitFor(() => root.querySelector(".win:not([hidden]) .input"), "the composer");
input.value = %(first)s;
root.querySelector(".foot").requestSubmit();
await waitFor(() => texts(root, ".msg:not(.me)").some((t) => t.includes(%(reply)s)),
    "the operator's reply", 90000);
const second = %(second)s;
if (second) {
    input.value = second;
    root.querySelector(".foot").requestSubmit();
    await waitFor(() => texts(root, ".msg.me:not(.pending)").some((t) => t.includes(second)),
        "the second message sent");
}
return texts(root, ".msg:not(.me)");
"""
)

# Before any script of the operator's page: a browser that records its notifications
# (permission granted) and sounds, and a page in the background.
ALERT_STUBS = """
window.__lcAlerts = {notifications: [], sounds: []};
class RecordedNotification {
    constructor(title, options) {
        window.__lcAlerts.notifications.push({title, body: options && options.body});
    }
    addEventListener() {}
    close() {}
}
RecordedNotification.permission = "granted";
RecordedNotification.requestPermission = async () => "granted";
window.Notification = RecordedNotification;
HTMLMediaElement.prototype.play = function () {
    window.__lcAlerts.sounds.push(this.src);
    return Promise.resolve();
};
Object.defineProperty(document, "hidden", {get: () => true, configurable: true});
Object.defineProperty(document, "visibilityState", {get: () => "hidden", configurable: true});
document.hasFocus = () => false;
"""


@tagged("post_install", "-at_install")
class TestOperatorToolsUi(LiveChatOperatorCommon, HttpCase):
    operator_name = "Oksana Operator"
    channel_values = {"name": "Order help"}
    operator_online = False  # once their web client is open

    def _visitor(self, first, reply, second=""):
        visitor = VisitorBrowser(self)
        self.addCleanup(visitor.stop)
        script = VISITOR_WRITES % {
            "channel": self.channel.id,
            "first": repr(first),
            "reply": repr(reply),
            "second": repr(second),
        }

        def scenario(v):
            v.open(f"/live_chat/support/{self.channel.id}")
            return v.run(script, timeout=150)

        return visitor, scenario

    def test_canned_response(self):
        """The operator's own canned response, from Live Chat > Configuration, typed
        as "::hel" in the session's window, reaches the visitor."""
        self.env["mail.canned.response"].with_user(self.operator).create(
            {"source": "hello", "substitution": "Hello! Our team answers within the hour."}
        )
        visitor, scenario = self._visitor("Hi, anyone there?", "within the hour")
        with visitor.alongside(scenario) as outcome:
            self.start_tour(
                "/odoo/action-live_chat.live_chat_channel_action",
                "live_chat_canned_response_tour",
                login=self.operator.login,
                timeout=180,
            )
        self.assertTrue(
            any(t.endswith("Hello! Our team answers within the hour.") for t in outcome["result"]),
            outcome["result"],
        )

    def test_new_session_and_message_notified(self):
        """A new session, then a new message of the visitor, ring and notify the
        operator whose tab is in the background."""
        visitor, scenario = self._visitor(
            "My order is late", "Let me check.", second="Order number 1234"
        )
        navigate_to = ChromeBrowser.navigate_to

        def navigate_with_stubs(browser, url, wait_stop=False):
            if browser is not visitor.browser:
                browser._websocket_request(
                    "Page.addScriptToEvaluateOnNewDocument", params={"source": ALERT_STUBS}
                )
            return navigate_to(browser, url, wait_stop=wait_stop)

        with (
            patch.object(ChromeBrowser, "navigate_to", navigate_with_stubs),
            visitor.alongside(scenario),
        ):
            self.start_tour(
                "/odoo/action-live_chat.live_chat_channel_action",
                "live_chat_alerts_tour",
                login=self.operator.login,
                timeout=180,
            )
