from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.mail.tools.discuss import Store

from .common import LiveChatHelpdeskCommon


@tagged("post_install", "-at_install")
class TestTicketFromSession(LiveChatHelpdeskCommon, HttpCase):
    """An operator makes a ticket of a chat: the team's, with the transcript, the
    visitor as customer when known, linked to the session."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.team.use_live_chat = True
        cls.channel = cls.team.live_chat_channel_id

    def setUp(self):
        super().setUp()
        self._set_presence(self.member)
        # One operator online: the sessions are theirs.
        self._set_presence(self.other_member, status="offline")

    def _start_as_portal_user(self, body="My printer prints only blank pages"):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        return self.lc_session(self.lc_start(body=body))

    def _create_ticket(self, session, user=None):
        action = session.with_user(user or self.member).action_live_chat_create_ticket()
        self.assertEqual(action["res_model"], "helpdesk.ticket")
        return self.env["helpdesk.ticket"].browse(action["res_id"])

    def test_ticket_of_a_logged_in_visitor(self):
        session = self._start_as_portal_user()
        self.assertEqual(session.live_chat_operator_id, self.member)
        session.with_user(self.member).message_post(
            body="Have you tried turning it off and on again?",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        ticket = self._create_ticket(session)
        self.assertEqual(ticket.name, "My printer prints only blank pages")
        self.assertEqual(ticket.team_id, self.team)
        self.assertEqual(ticket.user_id, self.member)
        self.assertEqual(ticket.partner_id, self.portal_user.partner_id)
        self.assertEqual(ticket.partner_email, "paula@example.com")
        self.assertEqual(ticket.live_chat_session_id, session)
        self.assertEqual(ticket.channel_id.name, "Live Chat")
        self.assertEqual(ticket.create_uid, self.member)
        self.assertIn("My printer prints only blank pages", ticket.description)
        self.assertIn("Have you tried turning it off and on again?", ticket.description)
        self.assertIn("Paula Portal", ticket.description)
        self.assertIn("o_live_chat_transcript_line", ticket.description)

        self.assertEqual(session.live_chat_ticket_ids, ticket)
        self.assertEqual(session.with_user(self.member).live_chat_ticket_count, 1)
        action = session.with_user(self.member).action_live_chat_view_tickets()
        self.assertEqual(self.env["helpdesk.ticket"].search(action["domain"]), ticket)

    def test_ticket_of_a_guest(self):
        session = self.lc_session(self.lc_start(name="Gina Guest", body="Hello"))
        ticket = self._create_ticket(session)
        self.assertFalse(ticket.partner_id)
        self.assertEqual(ticket.partner_name, "Gina Guest")
        self.assertIn("Gina Guest", ticket.description)

    def test_markup_in_the_chat_stays_text(self):
        body = '<img src=x onerror="alert(1)"><b>bold</b> & "quotes"'
        session = self.lc_session(self.lc_start(name="<b>Eve</b>", body=body))
        ticket = self._create_ticket(session)
        self.assertNotIn("<b>", ticket.description)
        self.assertNotIn("<img", ticket.description)
        self.assertIn("&lt;b&gt;bold&lt;/b&gt;", ticket.description)
        self.assertIn("&lt;b&gt;Eve&lt;/b&gt;", ticket.description)
        self.assertEqual(ticket.name, body)

    def test_long_first_message_makes_a_short_title(self):
        session = self.lc_session(self.lc_start(name="Ann", body="word " * 100))
        self.assertLessEqual(len(self._create_ticket(session).name), 80)

    def test_operator_outside_the_team(self):
        """The ticket is the channel's team's, not assigned to its creator: the host's
        auto-assignment would give it to someone outside the team."""
        outsider = new_test_user(
            self.env,
            "lc_hd_outsider",
            groups="base.group_user,live_chat.live_chat_group_user,"
            "helpdesk_mgmt.group_helpdesk_user",
        )
        session = self.lc_session(self.lc_start(name="Ann", body="Hello"))
        ticket = self._create_ticket(session, outsider)
        self.assertEqual(ticket.team_id, self.team)
        self.assertFalse(ticket.user_id)

    def test_channel_of_no_team(self):
        channel = self.env["live_chat.channel"].create(
            {"name": "Sales", "user_ids": [Command.set(self.member.ids)]}
        )
        session = self.lc_session(self.lc_start(channel=channel, name="Ann", body="Hello"))
        # No team from the channel (the host may still take the creator's own team).
        self.assertNotIn("team_id", session.with_user(self.member)._live_chat_ticket_values())
        ticket = self._create_ticket(session)
        self.assertEqual(ticket.live_chat_session_id, session)
        self.assertIn("Hello", ticket.description)

    def test_session_without_messages(self):
        session = self._create_sessions(self.channel, self.member)
        ticket = self._create_ticket(session)
        self.assertIn("No message in this chat.", ticket.description)
        self.assertEqual(ticket.team_id, self.team)

    def test_ticket_channel_deleted(self):
        """The Helpdesk channel "Live Chat" is configuration a Helpdesk manager may
        delete: tickets are still made, of no channel."""
        self.env.ref("live_chat_helpdesk.helpdesk_ticket_channel_live_chat").unlink()
        session = self.lc_session(self.lc_start(name="Ann", body="Hello"))
        ticket = self._create_ticket(session)
        self.assertEqual(ticket.live_chat_session_id, session)
        self.assertFalse(ticket.channel_id)
        self.channel.write({"offline_mode": "form", "offline_destination": "ticket"})
        self.channel._live_chat_leave_message(
            name="Ivan", email="ivan@example.com", message="Please call me", reason="offline"
        )
        left = self.env["helpdesk.ticket"].search([("partner_email", "=", "ivan@example.com")])
        self.assertEqual((len(left), left.team_id), (1, self.team))
        self.assertFalse(left.channel_id)

    def test_only_helpdesk_users(self):
        operator = self._create_operator("lc_hd_operator_only")
        session = self.lc_session(self.lc_start(name="Ann", body="Hello"))
        with self.assertRaises(AccessError):
            session.with_user(operator).action_live_chat_create_ticket()
        self.assertFalse(session.live_chat_ticket_ids)

    def test_only_live_chat_sessions(self):
        conversation = self.env["discuss.channel"].create(
            {"name": "Team chat", "channel_type": "group"}
        )
        with self.assertRaises(UserError):
            conversation.action_live_chat_create_ticket()

    def test_ticket_count_in_the_chat_window(self):
        session = self.lc_session(self.lc_start(name="Ann", body="Hello"))
        self._create_ticket(session)
        data = Store().add(session.with_user(self.member)).get_result()
        [channel_data] = [c for c in data["discuss.channel"] if c["id"] == session.id]
        self.assertEqual(channel_data["live_chat_ticket_count"], 1)
