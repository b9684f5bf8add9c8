import json

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged

from odoo.addons.live_chat.tests.visitor_browser import WAIT_FOR_OPERATOR, VisitorBrowser

from .common import LiveChatHelpdeskCommon

TRANSIENT = "discuss.channel/transient_message"

VISITOR_ASKS = (
    WAIT_FOR_OPERATOR
    + """
const root = await waitFor(widgetRoot, "the chat widget");
const input = await waitFor(() => root.querySelector(".win:not([hidden]) .input"), "the composer");
input.value = "My printer prints only blank pages";
root.querySelector(".foot").requestSubmit();
await waitFor(() => texts(root, ".msg.me:not(.pending)").length, "the message sent");
return true;
"""
)


@tagged("post_install", "-at_install")
class TestTicketCommand(LiveChatHelpdeskCommon, HttpCase):
    """/ticket in a session's window: the ticket of the "Create ticket" button."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.team.use_live_chat = True
        cls.channel = cls.team.live_chat_channel_id
        cls.operator = cls._create_operator("lc_hd_cmd_operator", name="Otto Operator")
        cls.channel.user_ids += cls.operator

    def _start(self, online):
        self._set_presence(online)
        return self.lc_session(self.lc_start(name="Gina", body="My printer is broken"))

    def test_ticket_command(self):
        session = self._start(self.member)
        session.with_user(self.member).execute_command_ticket(body="/ticket")
        ticket = session.live_chat_ticket_ids
        self.assertEqual(len(ticket), 1)
        self.assertEqual(ticket.name, "My printer is broken")
        self.assertEqual(ticket.team_id, self.team)
        self.env.cr.precommit.run()
        (answer,) = [
            json.loads(r.message)["payload"]["body"]
            for r in self.env["bus.bus"].sudo().search([])
            if json.loads(r.message)["type"] == TRANSIENT
            and json.loads(r.channel)[1:] == ["res.partner", self.member.partner_id.id]
        ]
        self.assertIn("created from this chat", answer)
        self.assertIn(f"/odoo/helpdesk.ticket/{ticket.id}", answer)

    def test_only_helpdesk_users(self):
        session = self._start(self.operator)
        with self.assertRaisesRegex(AccessError, "Only Helpdesk users"):
            session.with_user(self.operator).execute_command_ticket(body="/ticket")
        # Not a member of the session, even a Helpdesk user.
        with self.assertRaises(AccessError):
            session.with_user(self.member).execute_command_ticket(body="/ticket")
        self.assertFalse(session.live_chat_ticket_ids)

    def test_ticket_command_in_the_browser(self):
        self._set_presence(self.other_member, status="offline")
        visitor = VisitorBrowser(self)
        self.addCleanup(visitor.stop)
        channel = self.channel

        def scenario(v):
            v.open(f"/live_chat/support/{channel.id}")
            return v.run(VISITOR_ASKS % {"channel": channel.id}, timeout=120)

        with visitor.alongside(scenario):
            self.start_tour(
                "/odoo/action-live_chat.live_chat_channel_action",
                "live_chat_helpdesk_ticket_command_tour",
                login=self.member.login,
                timeout=180,
            )
        self.env.invalidate_all()
        session = self.env["discuss.channel"].search([("live_chat_channel_id", "=", channel.id)])
        self.assertEqual(session.live_chat_ticket_ids.name, "My printer prints only blank pages")
