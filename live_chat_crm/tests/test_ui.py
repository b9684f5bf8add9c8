from odoo.tests import HttpCase, tagged

from odoo.addons.live_chat.tests.offline import OfflineVisitor

from .common import LiveChatCrmCommon


@tagged("post_install", "-at_install")
class TestCrmTours(LiveChatCrmCommon, HttpCase):
    """In a browser: an operator makes a lead of a chat, from the session's form, from
    their chat window's button and with /lead; a visitor's message left becomes a lead."""

    def test_lead_from_the_session_form(self):
        session = self._portal_session()
        self.start_tour(
            f"/odoo/live-chat-sessions/{session.id}",
            "live_chat_crm_lead",
            login=self.salesman.login,
        )
        lead = session.live_chat_lead_ids
        self.assertEqual(len(lead), 1)
        self.assertEqual(lead.partner_id, self.portal_user.partner_id)
        self.assertEqual(lead.team_id, self.sales_team)

    def test_lead_from_the_chat_window(self):
        session = self._portal_session()
        self.start_tour("/odoo/crm", "live_chat_crm_lead_chat_window", login=self.salesman.login)
        leads = session.live_chat_lead_ids
        self.assertEqual(len(leads), 2, "one of the button, one of /lead")
        self.assertEqual(leads.team_id, self.sales_team)

    def test_message_left_becomes_a_lead(self):
        self.channel.write(
            {"offline_mode": "form", "offline_destination": "lead", "offline_reply_time": False}
        )
        visitor = OfflineVisitor(self, self.channel)
        with visitor.on_site() as site:
            self.assertEqual(visitor.open_form(site)["reason"], "offline")
            result = visitor.leave_message("Lev Lead", "lev@example.com", "12 desks, please")
        self.assertEqual(
            result["confirmation"], "Thank you! We have your message and will reply soon."
        )
        lead = self.env["crm.lead"].search([("email_from", "=", "lev@example.com")])
        self.assertEqual(lead.name, "12 desks, please")
        self.assertEqual(lead.team_id, self.sales_team)
