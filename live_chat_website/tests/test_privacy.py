from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from .common import WebsiteChatCommon


@tagged("post_install", "-at_install")
class TestWebsitePrivacy(WebsiteChatCommon, HttpCase):
    """Anonymised and erased sessions of a website's visitors: the link to the website
    visitor (the pages they visited) goes with the rest."""

    channel_values = {"name": "Website Support", "anonymize_after_days": 30}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env, "lc_web_priv_manager", groups="live_chat.live_chat_group_manager"
        )
        cls.portal_user = new_test_user(
            cls.env, "lc_web_priv_portal", groups="base.group_portal", name="Paula Portal"
        )
        cls.page = cls._create_page("privacy_pricing", "Pricing", "/lc-privacy-pricing")

    def _chat_from_the_website(self, name="Ann"):
        """A visitor browses a page of the website, chats, and leaves."""
        response = self.url_open(self.page.url)
        self.assertEqual(response.status_code, 200)
        started = self.lc_start(name=name)
        session = self.lc_session(started)
        self.lc_call(
            "/live_chat/session/close",
            {"session_id": started["session"]["id"], "token": started["token"]},
        )
        self.assertTrue(session.live_chat_website_visitor_id)
        self.assertTrue(session.live_chat_visited_pages)
        return session

    def test_retention_forgets_the_website_visitor(self):
        session = self._chat_from_the_website()
        visitor = session.live_chat_website_visitor_id
        session.live_chat_end_dt = fields.Datetime.now() - timedelta(days=31)
        self.assertEqual(self.env["discuss.channel"]._live_chat_cron_anonymize(), 1)
        self.env.invalidate_all()
        self.assertTrue(session.live_chat_anonymized_dt)
        self.assertFalse(session.live_chat_website_visitor_id)
        self.assertFalse(session.live_chat_visited_pages)
        self.assertEqual(session._live_chat_website_pages(), [])
        self.assertEqual(session.live_chat_website_id, self.website, "the website is no one's")
        # The website visitor itself is the host's (Website deletes inactive ones).
        self.assertTrue(visitor.exists())

    def test_erase_takes_the_sessions_of_the_same_browser(self):
        """Two sessions from one browser, with two guests (the widget forgot the first):
        the website visitor ties them, both go with the anonymous website visitor."""
        first = self._chat_from_the_website("Ann")
        second = self._chat_from_the_website("Ann again")
        visitor = first.live_chat_website_visitor_id
        self.assertEqual(second.live_chat_website_visitor_id, visitor)
        guests = first.live_chat_visitor_guest_id | second.live_chat_visitor_guest_id
        self.assertEqual(len(guests), 2)
        self.opener.cookies.clear()
        other = self._chat_from_the_website("Bob")
        self.assertNotEqual(other.live_chat_website_visitor_id, visitor)

        first.with_user(self.manager).action_live_chat_erase_visitor()
        self.env.invalidate_all()
        for session in (first, second):
            self.assertTrue(session.live_chat_anonymized_dt)
            self.assertFalse(session.live_chat_website_visitor_id)
            self.assertFalse(session.message_ids)
        self.assertFalse(guests.exists())
        self.assertFalse(visitor.exists(), "the pages they visited go too")
        self.assertFalse(other.live_chat_anonymized_dt)
        self.assertTrue(other.live_chat_website_visitor_id.exists())

    def test_erase_keeps_a_contacts_website_visitor(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        session = self._chat_from_the_website("Paula")
        visitor = session.live_chat_website_visitor_id
        self.assertEqual(visitor.partner_id, self.portal_user.partner_id)
        session.with_user(self.manager).action_live_chat_erase_visitor()
        self.env.invalidate_all()
        self.assertTrue(session.live_chat_anonymized_dt)
        self.assertFalse(session.live_chat_website_visitor_id)
        self.assertTrue(visitor.exists(), "the contact's own, not the chat's")
