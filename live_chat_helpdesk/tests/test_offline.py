from odoo.tests import HttpCase, tagged

from odoo.addons.live_chat.tests.offline import OfflineVisitor

from .common import LiveChatHelpdeskCommon


@tagged("post_install", "-at_install")
class TestHelpdeskOfflineForm(LiveChatHelpdeskCommon, HttpCase):
    """A team's channel whose messages left become the team's tickets: in a browser
    on another website, nobody online, the visitor leaves a message."""

    def test_message_becomes_a_ticket(self):
        self.team.use_live_chat = True
        channel = self.team.live_chat_channel_id
        channel.write(
            {
                "offline_mode": "form",
                "offline_destination": "ticket",
                "offline_reply_time": "within one day",
            }
        )
        visitor = OfflineVisitor(self, channel)
        with visitor.on_site() as site:
            self.assertEqual(visitor.open_form(site)["reason"], "offline")
            result = visitor.leave_message(
                "Ivan Visitor", "ivan@example.com", "My printer <b>jams</b>\nPlease call"
            )
        self.assertEqual(
            result["confirmation"], "Thank you! We have your message and will reply within one day."
        )
        ticket = self.env["helpdesk.ticket"].search([("partner_email", "=", "ivan@example.com")])
        self.assertEqual(len(ticket), 1)
        self.assertEqual(ticket.team_id, self.team)
        self.assertEqual(ticket.partner_name, "Ivan Visitor")
        self.assertEqual(ticket.name, "My printer <b>jams</b> Please call")
        self.assertIn("My printer &lt;b&gt;jams&lt;/b&gt;<br>Please call", ticket.description)
        self.assertFalse(ticket.user_id)
        # The visitor's confirmation, through the mail queue.
        confirmation = self.env["mail.mail"].search([("email_to", "like", "ivan@example.com")])
        self.assertIn("will reply within one day", confirmation.body_html)
