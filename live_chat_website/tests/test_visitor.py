from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.mail.tools.discuss import Store

from .common import WebsiteChatCommon


@tagged("post_install", "-at_install")
class TestWebsiteVisitor(WebsiteChatCommon, HttpCase):
    """A session started from the website's pages: the operator sees the website
    visitor's pages and, once they are logged in, their name."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.designer = new_test_user(
            cls.env,
            "lc_web_designer",
            groups="base.group_user,live_chat.live_chat_group_user,website.group_website_designer",
        )
        cls.portal_user = new_test_user(
            cls.env, "lc_web_portal", groups="base.group_portal", name="Paula Portal"
        )
        cls.pages = {
            "pricing": cls._create_page("pricing", "Pricing", "/lc-pricing"),
            "faq": cls._create_page("faq", "Questions & <Answers>", "/lc-faq"),
        }

    def _browse(self, *keys):
        for key in keys:
            response = self.url_open(self.pages[key].url)
            self.assertEqual(response.status_code, 200)

    def test_session_of_a_website_visitor(self):
        self._browse("pricing", "faq", "pricing")
        visitor = self.env["website.visitor"].search([], order="id desc", limit=1)
        self.assertEqual(len(visitor.website_track_ids), 3)
        session = self.lc_session(self.lc_start(name="Ann"))
        self.assertEqual(session.live_chat_website_visitor_id, visitor)
        self.assertEqual(session.live_chat_website_id, self.website)
        self.assertFalse(session.live_chat_website_visitor_name)

        # An operator who may read the website's visitor tracking (a website designer)
        # sees the pages in the session...
        self.operator.group_ids += self.env.ref("website.group_website_designer")
        as_designer = session.with_user(self.operator)
        pages = as_designer._live_chat_website_pages()
        self.assertEqual(
            [(page["name"], page["url"]) for page in pages],
            [
                ("Pricing", self.base_url() + "/lc-pricing"),
                ("Questions & <Answers>", self.base_url() + "/lc-faq"),
                ("Pricing", self.base_url() + "/lc-pricing"),
            ],
        )
        html = str(as_designer.live_chat_visited_pages)
        self.assertIn("Questions &amp; &lt;Answers&gt;", html)
        self.assertNotIn("<Answers>", html)
        self.assertIn(f'href="{self.base_url()}/lc-faq"', html)

        # ... and in their chat window.
        data = Store().add(as_designer).get_result()
        [channel_data] = [c for c in data["discuss.channel"] if c["id"] == session.id]
        self.assertEqual(channel_data["live_chat_website_name"], self.website.name)
        self.assertEqual(len(channel_data["live_chat_website_pages"]), 3)
        self.assertFalse(channel_data["live_chat_website_visitor_name"])

    def test_browsing_history_needs_the_right_to_read_it(self):
        """An operator who may not read the website's visitor tracking chats with the
        visitor without seeing their browsing history: not in the session form, not
        in the chat window's data, not on the bus."""
        self._browse("pricing", "faq")
        session = self.lc_session(self.lc_start(name="Ann"))
        self.assertEqual(session.live_chat_operator_id, self.operator)
        self.assertFalse(self.operator.has_group("website.group_website_designer"))
        as_operator = session.with_user(self.operator)
        self.assertEqual(as_operator._live_chat_website_pages(), [])
        self.assertFalse(as_operator.live_chat_visited_pages)
        data = Store().add(as_operator).get_result()
        [channel_data] = [c for c in data["discuss.channel"] if c["id"] == session.id]
        self.assertEqual(channel_data["live_chat_website_name"], self.website.name)
        self.assertEqual(channel_data["live_chat_website_pages"], [])
        # What the operator's web client gets on the bus (in sudo, targeted at them).
        data = Store(bus_channel=self.operator).add(session.sudo()).get_result()
        [channel_data] = [c for c in data["discuss.channel"] if c["id"] == session.id]
        self.assertEqual(channel_data["live_chat_website_pages"], [])
        data = Store(bus_channel=self.designer).add(session.sudo()).get_result()
        [channel_data] = [c for c in data["discuss.channel"] if c["id"] == session.id]
        self.assertEqual(len(channel_data["live_chat_website_pages"]), 2)

    def test_visited_pages_are_safe_links(self):
        """The pages' addresses are links only when http(s), without fragment, and
        without query string unless the channel keeps them."""
        self._browse("pricing")
        session = self.lc_session(self.lc_start(name="Ann"))
        visitor = session.live_chat_website_visitor_id
        base = self.base_url()
        for url in (
            f"{base}/lc-pricing?token=secret#top",
            "javascript:alert(document.cookie)",
            "data:text/html,<script>alert(1)</script>",
            f" JavaScript:alert(1)//{base}/",
        ):
            self.env["website.track"].create({"visitor_id": visitor.id, "url": url})
        as_designer = session.with_user(self.designer)
        urls = [page["url"] for page in as_designer._live_chat_website_pages()]
        self.assertEqual(urls, [f"{base}/lc-pricing", f"{base}/lc-pricing"])
        html = str(as_designer.live_chat_visited_pages)
        self.assertNotIn("javascript", html.lower())
        self.assertNotIn("data:", html)
        self.assertNotIn("secret", html)
        self.channel.keep_url_query = True
        urls = [page["url"] for page in as_designer._live_chat_website_pages()]
        self.assertEqual(urls, [f"{base}/lc-pricing", f"{base}/lc-pricing?token=secret"])

    def test_page_of_another_site_is_not_the_visitor(self):
        """A page of another site that makes the browser post to the API (with the
        browser's cookies) does not start a chat as the website's visitor, nor as
        the user logged in."""
        self.authenticate(self.portal_user.login, self.portal_user.login)
        self._browse("faq")
        for headers in (
            {"Origin": "https://evil.example.com"},
            {"Origin": "https://evil.example.com", "Sec-Fetch-Site": "cross-site"},
            {"Origin": "null"},
        ):
            with self.subTest(headers=headers):
                response = self.lc_post(
                    "/live_chat/session/start",
                    {"channel_id": self.channel.id, "body": "Hi", "name": "Mallory"},
                    headers=headers,
                )
                self.assertEqual(response.status_code, 200, response.text)
                session = self.lc_session(response.json())
                self.assertFalse(session.live_chat_website_visitor_id)
                self.assertFalse(session.live_chat_visitor_partner_id)
                self.assertEqual(session.live_chat_visitor_guest_id.name, "Mallory")
        # From the website's own page, the same browser is the visitor.
        session = self.lc_session(self.lc_start(headers={"Sec-Fetch-Site": "same-origin"}))
        self.assertEqual(session.live_chat_visitor_partner_id, self.portal_user.partner_id)
        self.assertEqual(
            session.live_chat_website_visitor_id.partner_id, self.portal_user.partner_id
        )

    def test_session_of_a_logged_in_visitor(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        self._browse("faq")
        session = self.lc_session(self.lc_start())
        visitor = session.live_chat_website_visitor_id
        self.assertEqual(visitor.partner_id, self.portal_user.partner_id)
        self.assertEqual(
            session.with_user(self.operator).live_chat_website_visitor_name, "Paula Portal"
        )
        self.assertEqual(len(session._live_chat_website_pages()), 1)

    def test_visitor_logs_in_during_the_chat(self):
        """The host merges the visitor into their contact's visitor: the session follows."""
        self._browse("pricing")
        session = self.lc_session(self.lc_start(name="Ann"))
        guest_visitor = session.live_chat_website_visitor_id
        partner_visitor = self.env["website.visitor"].create(
            {"access_token": str(self.portal_user.partner_id.id), "website_id": self.website.id}
        )
        guest_visitor._merge_visitor(partner_visitor)
        self.assertFalse(guest_visitor.exists())
        self.assertEqual(session.live_chat_website_visitor_id, partner_visitor)
        self.assertEqual(session.live_chat_website_visitor_name, "Paula Portal")
        self.assertEqual(len(session._live_chat_website_pages()), 1)

    def test_session_without_website_visitor(self):
        """No page of the website seen with this browser session (another site's page,
        the direct chat link): no visitor, nothing more shown."""
        session = self.lc_session(self.lc_start(name="Ann"))
        self.assertFalse(session.live_chat_website_visitor_id)
        self.assertFalse(session.live_chat_visited_pages)
        data = Store().add(session.with_user(self.operator)).get_result()
        [channel_data] = [c for c in data["discuss.channel"] if c["id"] == session.id]
        self.assertNotIn("live_chat_website_pages", channel_data)

    def test_other_browser_is_not_the_visitor(self):
        """A visitor's pages are theirs: a session started from another browser session
        is not linked to them."""
        self._browse("pricing")
        self.opener.cookies.clear()
        session = self.lc_session(self.lc_start(name="Bob"))
        self.assertFalse(session.live_chat_website_visitor_id)

    def test_designer_opens_the_visitor(self):
        self._browse("pricing")
        session = self.lc_session(self.lc_start(name="Ann"))
        visitor = session.with_user(self.designer).live_chat_website_visitor_id
        self.assertEqual(visitor.website_track_ids.page_id, self.pages["pricing"])

    def test_operator_sees_the_pages_in_the_chat_window(self):
        # An operator who may read the website's visitor tracking.
        self.operator.group_ids += self.env.ref("website.group_website_designer")
        self._browse("pricing", "faq")
        session = self.lc_session(self.lc_start(name="Ann"))
        self.assertEqual(session.live_chat_operator_id, self.operator)
        # On another screen than Discuss: there, conversations open in Discuss itself.
        self.start_tour(
            "/odoo/live-chat-sessions",
            "live_chat_website_operator_pages",
            login=self.operator.login,
        )
