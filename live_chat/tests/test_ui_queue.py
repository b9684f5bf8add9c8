from odoo.tests import HttpCase, tagged
from odoo.tools import html2plaintext

from .common import LiveChatOperatorCommon
from .visitor_browser import LiveBus, VisitorBrowser, shared_cursor

VISITOR_STARTS = """
const root = await waitFor(widgetRoot, "the chat widget");
const input = await waitFor(() => root.querySelector(".win:not([hidden]) .input"), "the composer");
input.value = %(text)s;
root.querySelector(".foot").requestSubmit();
await waitFor(() => root.querySelector(".msg.me:not(.pending)"), "the message sent");
await new Promise((r) => setTimeout(r, 300));
const place = root.querySelector(".queue:not([hidden]) .queue-place");
return place ? place.textContent : null;
"""

WAITING_VISITOR_WRITES_ON = """
const root = widgetRoot();
const wait = root.querySelector(".queue:not([hidden]) .queue-wait")?.textContent;
const input = root.querySelector(".input");
input.value = "Still waiting, my order is 42";
root.querySelector(".foot").requestSubmit();
await waitFor(() => [...root.querySelectorAll(".msg.me:not(.pending)")].some(
    (m) => m.textContent.includes("my order is 42")), "the second message sent");
return {wait, leave: root.querySelector(".queue-leave")?.textContent};
"""

WAITING_VISITOR_IS_CONNECTED = """
const root = widgetRoot();
await waitFor(() => root.querySelector(".queue[hidden]"), "the queue's place hidden", 30000);
await waitFor(() => root.querySelector(".title").textContent === "Queue",
    "the operator's name");
await waitFor(() => [...root.querySelectorAll(".msg:not(.me)")].some(
    (m) => m.textContent.includes("Hello, second visitor!")), "the operator's answer", 30000);
return texts(root, ".msg,.note");
"""


@tagged("post_install", "-at_install")
class TestQueueWidget(LiveChatOperatorCommon, HttpCase):
    """Two visitors, one operator who takes one chat at a time: the second visitor
    waits (place 1), writes on, and is connected when the first chat ends."""

    operator_name = "Queue Operator"
    channel_values = {"name": "One at a time", "max_sessions_per_operator": 1}

    def test_second_visitor_waits_then_is_connected(self):
        first = VisitorBrowser(self)
        second = VisitorBrowser(self)
        self.addCleanup(first.stop)
        self.addCleanup(second.stop)
        page = f"/live_chat/support/{self.channel.id}"
        sessions = self.env["discuss.channel"]
        with self.allow_requests(browser=first.browser, all_requests=True):
            try:
                with LiveBus():
                    first.open(page)
                    self.assertIsNone(first.run(VISITOR_STARTS % {"text": '"I am first"'}))
                    second.open(page)
                    self.assertEqual(
                        second.run(VISITOR_STARTS % {"text": '"I am second"'}),
                        "Every operator is busy: you are number 1 in the queue.",
                    )
                    self.assertEqual(
                        second.run(WAITING_VISITOR_WRITES_ON),
                        {
                            "wait": "Estimated wait: about 5 min.",
                            "leave": "Leave a message instead",
                        },
                    )
                    with shared_cursor(self.env):
                        sessions = sessions.search(
                            [("live_chat_channel_id", "=", self.channel.id)], order="id"
                        )
                        self.assertEqual(sessions.mapped("live_chat_state"), ["open", "waiting"])
                        # The operator ends the first chat: their place is free.
                        sessions[0].with_user(self.operator).action_live_chat_close()
                    with shared_cursor(self.env):
                        sessions[1].with_user(self.operator).message_post(
                            body="Hello, second visitor!",
                            message_type="comment",
                            subtype_xmlid="mail.mt_comment",
                        )
                    shown = second.run(WAITING_VISITOR_IS_CONNECTED, timeout=60)
                    for browser in (first, second):
                        browser.browser.navigate_to("about:blank", wait_stop=True)
            finally:
                self._wait_remaining_requests()
                self.env.invalidate_all()
        self.assertIn("Queue joined the chat.", shown)
        waiting = sessions[1]
        self.assertEqual(waiting.live_chat_state, "open")
        self.assertEqual(waiting.live_chat_operator_id, self.operator)
        # The operator has the second visitor's messages, in their window.
        self.assertIn(self.operator.partner_id, waiting.channel_member_ids.partner_id)
        bodies = [html2plaintext(b) for b in waiting.message_ids.sorted("id").mapped("body")]
        self.assertEqual(bodies[:2], ["I am second", "Still waiting, my order is 42"])
