import json

from odoo.tests import HttpCase, tagged
from odoo.tools import html2plaintext

from .common import LiveChatCommon, LiveChatOperatorCommon
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
await waitFor(() => root.querySelector(".title").textContent === %(name)s,
    "the operator's name");
await waitFor(() => [...root.querySelectorAll(".msg:not(.me)")].some(
    (m) => m.textContent.includes("Hello, second visitor!")), "the operator's answer", 30000);
return texts(root, ".msg,.note");
"""

VISITOR_TOLD_OF_THE_SECOND = """
const root = widgetRoot();
await waitFor(() => [...root.querySelectorAll(".msg,.note")].some(
    (m) => m.textContent.includes(%(joined)s)), "the hand-over's notice");
return {
    shown: texts(root, ".msg,.note"),
    title: root.querySelector(".title").textContent,
    form: Boolean(root.querySelector(".offline:not([hidden])")),
};
"""

VISITOR_OFFERED_THE_FORM = """
const root = widgetRoot();
const form = await waitFor(() => root.querySelector("form.offline"), "the offline form");
return {
    reason: form.dataset.reason,
    intro: form.querySelector(".offline-intro").textContent,
    title: root.querySelector(".title").textContent,
    fields: [...form.querySelectorAll("input,textarea")].map((f) => f.className),
    chat_hidden: root.querySelector(".log").hidden,
};
"""


@tagged("post_install", "-at_install")
class TestUnansweredWidget(LiveChatCommon, HttpCase):
    """An operator who does not answer in time: the visitor's widget tells them that
    another operator takes over; when nobody is left, it offers the offline form."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.first = cls._create_operator("lc_ui_unanswered_1", name="First Operator")
        cls.second = cls._create_operator("lc_ui_unanswered_2", name="Second Operator")
        cls.channel = cls._create_channel(
            cls.first | cls.second,
            "Answer in time",
            unanswered_timeout=60,
            offline_mode="form",
            offline_email="support@example.com",
        )

    def _run_cron_later(self):
        """The cron, as it runs once the channel's time has passed since the current
        operator got the session (the session's clock set back two minutes)."""
        with shared_cursor(self.env):
            self.env.cr.execute(
                "UPDATE discuss_channel SET"
                " live_chat_start_dt = live_chat_start_dt - interval '2 minutes',"
                " live_chat_assigned_dt = live_chat_assigned_dt - interval '2 minutes'"
                " WHERE live_chat_channel_id = %s",
                [self.channel.id],
            )
        with shared_cursor(self.env):
            self.env["discuss.channel"]._cron_live_chat_queue()

    def test_handed_over_then_offline_form(self):
        # The operators' names as visitors read them in the widget.
        joined = f"{self.second._live_chat_public_name()} joined the chat."
        # Only the first operator is online when the visitor comes: they get the chat.
        self._set_presence(self.first)
        visitor = VisitorBrowser(self)
        self.addCleanup(visitor.stop)
        session = self.env["discuss.channel"]
        with self.allow_requests(browser=visitor.browser, all_requests=True):
            try:
                with LiveBus():
                    visitor.open(f"/live_chat/support/{self.channel.id}")
                    self.assertIsNone(visitor.run(VISITOR_STARTS % {"text": '"Anybody there?"'}))
                    with shared_cursor(self.env):
                        session = session.search([("live_chat_channel_id", "=", self.channel.id)])
                        self.assertEqual(session.live_chat_operator_id, self.first)
                        self._set_presence(self.second)
                    # The first operator does not answer in time.
                    self._run_cron_later()
                    with shared_cursor(self.env):
                        self.assertEqual(session.live_chat_operator_id, self.second)
                    handed_over = visitor.run(
                        VISITOR_TOLD_OF_THE_SECOND % {"joined": json.dumps(joined)}
                    )
                    # Nor does the second one; nobody is left.
                    self._run_cron_later()
                    offered = visitor.run(VISITOR_OFFERED_THE_FORM)
                    visitor.browser.navigate_to("about:blank", wait_stop=True)
            finally:
                self._wait_remaining_requests()
                self.env.invalidate_all()
        self.assertFalse(handed_over["form"])
        # The window's title: the operator's name as visitors see it.
        self.assertEqual(handed_over["title"], self.second._live_chat_public_name())
        # The visitor is told, in their window, that another operator takes over.
        self.assertEqual(
            handed_over["shown"][-3:],
            [
                "Anybody there?",
                "Not answered in time: this chat is offered to Second too.",
                joined,
            ],
        )
        self.assertEqual(
            offered,
            {
                "reason": "unanswered",
                "intro": "Sorry, nobody could answer in time. Leave us a message and we "
                "will reply by email.",
                "title": "Leave us a message",
                "fields": ["offline-name", "offline-email", "offline-message"],
                "chat_hidden": True,
            },
        )
        self.assertEqual(session.live_chat_state, "open")
        self.assertEqual(session.live_chat_operator_id, self.second)
        self.assertTrue(session.live_chat_unanswered_dt)
        self.assertEqual(session.live_chat_offered_user_ids, self.first | self.second)


WAITING_VISITOR_LEAVES_A_MESSAGE = """
const root = widgetRoot();
root.querySelector(".queue:not([hidden]) .queue-leave").click();
const form = await waitFor(() => root.querySelector("form.offline"), "the offline form");
const reason = form.dataset.reason;
form.querySelector(".offline-name").value = "Vira";
form.querySelector(".offline-email").value = "vira@example.com";
form.querySelector(".offline-message").value = "Call me back, please";
form.requestSubmit();
const done = await waitFor(() => root.querySelector(".offline-done"), "the confirmation");
return {reason, done: done.textContent};
"""

# The confirmation stays, without a rating for a chat that never was, nor the chat.
WIDGET_SHOWS = """
const root = widgetRoot();
return {
    done: root.querySelector(".offline-done")?.textContent,
    shown: [".rate", ".again", ".queue", ".log", ".foot"].filter(
        (selector) => root.querySelector(selector + ":not([hidden])")),
};
"""


@tagged("post_install", "-at_install")
class TestQueueWidget(LiveChatOperatorCommon, HttpCase):
    """Two visitors, one operator who takes one chat at a time: the second visitor
    waits (place 1), writes on, and is connected when the first chat ends."""

    operator_name = "Queue Operator"
    channel_values = {"name": "One at a time", "max_sessions_per_operator": 1}

    def test_second_visitor_waits_then_is_connected(self):
        # The operator's name as visitors read it.
        public_name = self.operator._live_chat_public_name()
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
                    shown = second.run(
                        WAITING_VISITOR_IS_CONNECTED % {"name": json.dumps(public_name)},
                        timeout=60,
                    )
                    for browser in (first, second):
                        browser.browser.navigate_to("about:blank", wait_stop=True)
            finally:
                self._wait_remaining_requests()
                self.env.invalidate_all()
        # The operator's name as visitors see it, never their last name.
        self.assertIn(f"{public_name} joined the chat.", shown)
        self.assertNotIn("Queue Operator", " ".join(shown))
        waiting = sessions[1]
        self.assertEqual(waiting.live_chat_state, "open")
        self.assertEqual(waiting.live_chat_operator_id, self.operator)
        # The operator has the second visitor's messages, in their window.
        self.assertIn(self.operator.partner_id, waiting.channel_member_ids.partner_id)
        bodies = [html2plaintext(b) for b in waiting.message_ids.sorted("id").mapped("body")]
        self.assertEqual(bodies[:2], ["I am second", "Still waiting, my order is 42"])

    def test_waiting_visitor_leaves_a_message_instead(self):
        self.channel.write({"offline_mode": "form", "offline_email": "support@example.com"})
        first = VisitorBrowser(self)
        second = VisitorBrowser(self)
        self.addCleanup(first.stop)
        self.addCleanup(second.stop)
        page = f"/live_chat/support/{self.channel.id}"
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
                    left = second.run(WAITING_VISITOR_LEAVES_A_MESSAGE)
                    with shared_cursor(self.env):
                        sessions = self.env["discuss.channel"].search(
                            [("live_chat_channel_id", "=", self.channel.id)], order="id"
                        )
                        # The waiting session ended: it left the queue.
                        self.assertEqual(sessions.mapped("live_chat_state"), ["open", "closed"])
                    # Its end told on the bus (the session's notification) changes nothing.
                    shown = second.run(WIDGET_SHOWS)
                    for browser in (first, second):
                        browser.browser.navigate_to("about:blank", wait_stop=True)
            finally:
                self._wait_remaining_requests()
                self.env.invalidate_all()
        self.assertEqual(left["reason"], "queue")
        self.assertTrue(left["done"].startswith("Thank you!"), left["done"])
        self.assertEqual(shown, {"done": left["done"], "shown": []})
