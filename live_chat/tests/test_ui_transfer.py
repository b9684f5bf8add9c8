import json
import time

from odoo.tests import HttpCase, tagged

from .common import LiveChatCommon
from .visitor_browser import WAIT_FOR_OPERATOR, VisitorBrowser, shared_cursor

VISITOR_STARTS = (
    WAIT_FOR_OPERATOR
    + """
const root = await waitFor(widgetRoot, "the chat widget");
const input = await waitFor(() => root.querySelector(".win:not([hidden]) .input"), "the composer");
input.value = "I need a hand";
root.querySelector(".foot").requestSubmit();
await waitFor(() => texts(root, ".msg.me:not(.pending)").some((t) => t.includes("I need a hand")),
    "the message sent");
return true;
"""
)

# What the visitor sees once ``%(until)s`` shows: the notices, the authors of the
# operators' messages, the window's title, and the whole text of the widget.
VISITOR_SEES = """
const root = await waitFor(widgetRoot, "the chat widget");
await waitFor(() => root.querySelector(".win").textContent.includes(%(until)s), %(until)s, 90000);
return {
    notes: texts(root, ".note"),
    authors: texts(root, ".msg:not(.me) .who"),
    title: root.querySelector(".title").textContent,
    all: root.textContent,
};
"""


@tagged("post_install", "-at_install")
class TestTransferUi(LiveChatCommon, HttpCase):
    """Two browsers: the visitor's widget and an operator's backend chat window."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.olga = cls._create_operator("lc_uitr_olga", name="Olga Kovalenko")
        cls.olga.email = "olga.kovalenko@example.com"
        cls.bert = cls._create_operator("lc_uitr_bert", name="Bert Backup")
        cls.carl = cls._create_operator("lc_uitr_carl", name="Carl Sales")
        cls.sales = cls._create_channel(cls.carl, name="Sales")

    def setUp(self):
        super().setUp()
        self.visitor = VisitorBrowser(self)
        self.addCleanup(self.visitor.stop)

    def _session(self, channel):
        self.env.invalidate_all()  # what the browsers' requests changed
        # This test's channels only: other tests may have committed sessions.
        return self.env["discuss.channel"].search(
            [
                ("channel_type", "=", "live_chat"),
                ("live_chat_channel_id", "in", (channel | self.sales).ids),
            ]
        )

    def _wait_available(self, user, timeout=60):
        """Until ``user``'s web client (a tour) made them available."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with shared_cursor(self.env):
                if user in self.env["discuss.channel"]._live_chat_available_users():
                    return
            time.sleep(0.2)
        raise AssertionError(f"{user.name} never became available")

    def _sees(self, v, until):
        return v.run(VISITOR_SEES % {"until": json.dumps(until)}, timeout=120)

    def test_invite_history_and_transfer_to_channel(self):
        # Olga answers the visitor (her web client makes her available); Bert, an
        # operator of another channel, and Carl are online, without a browser.
        channel = self._create_channel(self.olga, name="Support")
        self._create_channel(self.bert, name="Billing")
        self._set_presence(self.bert | self.carl)

        def scenario(v):
            v.open(f"/live_chat/support/{channel.id}")
            v.run(VISITOR_STARTS % {"channel": channel.id}, timeout=120)
            invited = self._sees(v, "Bert joined the chat.")
            transferred = self._sees(v, "Carl joined the chat.")
            return invited, transferred

        with self.visitor.alongside(scenario) as outcome:
            self.start_tour(
                "/odoo/action-live_chat.live_chat_channel_action",
                "live_chat_transfer_tour",
                login=self.olga.login,
                timeout=180,
            )
        invited, transferred = outcome["result"]
        self.assertEqual(invited["title"], "Olga")
        self.assertEqual(transferred["title"], "Carl")
        self.assertEqual(
            transferred["notes"][-2:], ["Bert joined the chat.", "Carl joined the chat."]
        )
        # The visitor never saw Olga's last name nor her email, nor the /history answer.
        for forbidden in ("Kovalenko", "example.com", "pages this visitor saw"):
            self.assertNotIn(forbidden, transferred["all"])
        session = self._session(channel)
        self.assertEqual(session.live_chat_channel_id, self.sales)
        self.assertEqual(session.live_chat_operator_id, self.carl)
        members = session.channel_member_ids.partner_id
        self.assertIn(self.bert.partner_id, members, "the invited colleague stays")
        self.assertNotIn(self.olga.partner_id, members, "the previous operator left")

    def test_transfer_to_operator_and_close(self):
        # Olga (without a browser) answers the visitor; Bert's web client (the tour)
        # makes him available.
        channel = self._create_channel(self.olga, name="Support")
        self._create_channel(self.bert, name="Billing")
        self._set_presence(self.olga)
        self.olga.live_chat_name = "Olia from Support"

        def scenario(v):
            v.open(f"/live_chat/support/{channel.id}")
            v.run(VISITOR_STARTS % {"channel": channel.id}, timeout=120)
            before = self._sees(v, "I need a hand")
            self._wait_available(self.bert)
            # Olga hands the session to Bert, whose chat window opens with it.
            with shared_cursor(self.env):
                self._session(channel).with_user(self.olga).action_live_chat_transfer(
                    user_id=self.bert.id
                )
            after = self._sees(v, "Bert closed the conversation.")
            return before, after

        with self.visitor.alongside(scenario) as outcome:
            self.start_tour(
                "/odoo/action-live_chat.live_chat_channel_action",
                "live_chat_taken_over_tour",
                login=self.bert.login,
                timeout=180,
            )
        before, after = outcome["result"]
        self.assertEqual(before["title"], "Olia from Support")
        self.assertEqual(after["title"], "Bert")
        self.assertIn("Bert joined the chat.", after["notes"])
        self.assertIn("Bert", after["authors"])
        self.assertNotIn("Kovalenko", after["all"])
        session = self._session(channel)
        self.assertEqual(session.live_chat_operator_id, self.bert)
        self.assertEqual(session.live_chat_state, "closed")
