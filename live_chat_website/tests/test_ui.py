from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.live_chat.tests.common import LiveChatCommon, load_language
from odoo.addons.live_chat.tests.visitor_browser import VisitorBrowser


@tagged("post_install", "-at_install")
class TestWebsiteTours(LiveChatCommon, HttpCase):
    """In a browser: an administrator puts the chat on the website from its settings,
    a visitor sees the chat button; unticking the setting takes it off."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.website = cls.env["website"].get_current_website()
        cls.operator = cls._create_operator("lc_web_tour_operator", name="Olga Operator")
        cls.admin = new_test_user(
            cls.env,
            "lc_web_tour_admin",
            groups="base.group_system,website.group_website_designer,"
            "live_chat.live_chat_group_manager",
            name="Adam Admin",
        )
        cls.channel = cls.env["live_chat.channel"].create(
            {"name": "Tour Website Chat", "user_ids": [Command.set(cls.operator.ids)]}
        )

    def _loader_in_page(self):
        self.url_open("/web/session/logout")
        return f'src="/live_chat/loader/{self.channel.id}"' in self.url_open("/").text

    def test_enable_then_disable_from_the_settings(self):
        self._set_presence(self.operator)
        self.start_tour(
            "/odoo/action-website.action_website_configuration",
            "live_chat_website_enable",
            login=self.admin.login,
        )
        self.assertEqual(self.website.live_chat_channel_id, self.channel)
        self.assertTrue(self._loader_in_page())
        # A visitor (not logged in) sees the button and opens the chat window.
        self.start_tour("/", "live_chat_website_button")

        self.start_tour(
            "/odoo/action-website.action_website_configuration",
            "live_chat_website_disable",
            login=self.admin.login,
        )
        self.assertFalse(self.website.live_chat_channel_id)
        self.assertFalse(self._loader_in_page())

    def test_settings_in_ukrainian(self):
        load_language(self.env, "uk_UA")
        self.admin.lang = "uk_UA"
        before = self.website.live_chat_channel_id
        self.start_tour(
            "/odoo/action-website.action_website_configuration",
            "live_chat_website_ukrainian",
            login=self.admin.login,
        )
        # Nothing saved.
        self.assertEqual(self.website.live_chat_channel_id, before)

    def test_widget_in_the_pages_language(self):
        """A visitor whose browser is in English reads the website in Ukrainian (its
        /uk/ pages): the widget speaks the page's language; on an English page (/en/), English."""
        load_language(self.env, "uk_UA")
        self.website.language_ids |= self.env.ref("base.lang_uk_UA")
        self.website.live_chat_channel_id = self.channel
        self._set_presence(self.operator)
        # The visitor's requests read the database: what the test wrote, written.
        self.env.flush_all()
        visitor = VisitorBrowser(self)
        self.addCleanup(visitor.stop)
        visitor.prefer_language("en-US,en")
        shown = {}
        with self.allow_requests(browser=visitor.browser, all_requests=True):
            for path in ("/uk/", "/en/"):
                visitor.open(path)
                shown[path] = visitor.run(
                    """
                    const root = await waitFor(widgetRoot, "the chat widget", 20000);
                    root.querySelector(".btn").click();
                    const send = await waitFor(
                        () => root.querySelector(".win:not([hidden]) .send"), "the window");
                    // The website's own scripts started too (their translations
                    // fetched): a request still running when the page is left fails
                    // in the browser's log.
                    await waitFor(
                        () => document.body.getAttribute("is-ready") === "true",
                        "the website's scripts");
                    return {
                        page: document.documentElement.lang,
                        browser: navigator.language,
                        widget: document.querySelector("[data-live-chat]").getAttribute("lang"),
                        send: send.textContent,
                    };
                    """
                )
        self.assertEqual(
            shown,
            {
                "/uk/": {
                    "page": "uk-UA",
                    "browser": "en-US",
                    "widget": "uk-UA",
                    "send": "Надіслати",
                },
                "/en/": {"page": "en-US", "browser": "en-US", "widget": "en-US", "send": "Send"},
            },
        )
