from odoo.tests import HttpCase, new_test_user, tagged

from .common import LiveChatOperatorCommon


@tagged("post_install", "-at_install")
class TestPartnerChats(LiveChatOperatorCommon, HttpCase):
    """A contact's chats one click away, for those who may see chats."""

    def test_contact_chats(self):
        customer = self.env["res.partner"].create({"name": "Clara Customer"})
        sessions = self._create_sessions(
            self.channel, self.operator, count=2, live_chat_visitor_partner_id=customer.id
        )
        self._create_sessions(self.channel, self.operator)  # someone else's
        partner = customer.with_user(self.operator)
        self.assertEqual(partner.live_chat_session_count, 2)
        action = partner.action_view_live_chat_sessions()
        self.assertEqual(self.env["discuss.channel"].search(action["domain"]), sessions)
        # Who is no Live Chat user sees the contact's form without the button.
        employee = new_test_user(self.env, "lc_employee", groups="base.group_user")
        arch = (
            self.env["res.partner"]
            .with_user(employee)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertNotIn("action_view_live_chat_sessions", arch)
        self.assertIn(
            "action_view_live_chat_sessions",
            partner.get_views([(False, "form")])["views"]["form"]["arch"],
        )
