from odoo.tests import HttpCase, tagged

from odoo.addons.live_chat.tests.common import load_language

from .common import LiveChatHelpdeskCommon


@tagged("post_install", "-at_install")
class TestHelpdeskTours(LiveChatHelpdeskCommon, HttpCase):
    """In a browser: a team gets its live chat from its form; an operator makes a
    ticket of a chat, from the session's form and from their chat window."""

    def test_team_live_chat(self):
        self.start_tour(
            f"/odoo/action-helpdesk_mgmt.helpdesk_ticket_team_action/{self.team.id}",
            "live_chat_helpdesk_team",
            login=self.manager.login,
        )
        channel = self.team.live_chat_channel_id
        self.assertEqual(channel.name, self.team.name)
        self.assertEqual(channel.user_ids, self.member | self.other_member)
        # Unticked at the end of the tour: archived, kept.
        self.assertFalse(self.team.use_live_chat)
        self.assertFalse(channel.active)

    def _portal_session(self):
        self.team.use_live_chat = True
        self._set_presence(self.member)
        self.authenticate(self.portal_user.login, self.portal_user.login)
        started = self.lc_start(
            channel=self.team.live_chat_channel_id, body="My printer prints only blank pages"
        )
        return self.lc_session(started)

    def test_ticket_from_the_session_form(self):
        session = self._portal_session()
        self.start_tour(
            f"/odoo/live-chat-sessions/{session.id}",
            "live_chat_helpdesk_ticket",
            login=self.member.login,
        )
        ticket = session.live_chat_ticket_ids
        self.assertEqual(len(ticket), 1)
        self.assertEqual(ticket.team_id, self.team)
        self.assertEqual(ticket.partner_id, self.portal_user.partner_id)
        self.assertIn("My printer prints only blank pages", ticket.description)

    def test_ticket_from_the_chat_window(self):
        session = self._portal_session()
        # On another screen than Discuss: there, conversations open in Discuss itself.
        self.start_tour(
            "/odoo/helpdesk-tickets",
            "live_chat_helpdesk_ticket_chat_window",
            login=self.member.login,
        )
        ticket = session.live_chat_ticket_ids
        self.assertEqual(len(ticket), 1)
        self.assertIn("My printer prints only blank pages", ticket.description)

    def test_team_form_in_ukrainian(self):
        load_language(self.env, "uk_UA")
        self.manager.lang = "uk_UA"
        self.start_tour(
            f"/odoo/action-helpdesk_mgmt.helpdesk_ticket_team_action/{self.team.id}",
            "live_chat_helpdesk_ukrainian",
            login=self.manager.login,
        )
