import re

from odoo.tests import Form, HttpCase, tagged


@tagged("post_install", "-at_install")
class TestWebsiteSettings(HttpCase):
    """Website > Configuration > Settings > Email & Marketing > Live Chat: the
    channel of each website, and its chat button on the website's pages."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.website = cls.env["website"].get_current_website()
        cls.other_website = cls.env["website"].create({"name": "Second Website"})
        cls.channel = cls.env["live_chat.channel"].create({"name": "Website Support"})
        cls.other_channel = cls.env["live_chat.channel"].create({"name": "Second Support"})

    def _save_settings(self, website, **values):
        settings = self.env["res.config.settings"].create({"website_id": website.id, **values})
        settings.execute()
        return settings

    def _settings(self, website):
        return self.env["res.config.settings"].create({"website_id": website.id})

    def _loader_scripts(self, url="/"):
        """The chat scripts of a page: (channel id, async) of each."""
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        return [
            (int(re.search(r'src="/live_chat/loader/(\d+)"', tag)[1]), " async" in tag)
            for tag in re.findall(r"<script[^>]*/live_chat/loader/[^>]*>", response.text)
        ]

    def test_enable_then_disable(self):
        self.assertFalse(self._settings(self.website).live_chat_enabled)
        self._save_settings(
            self.website, live_chat_enabled=True, live_chat_channel_id=self.channel.id
        )
        self.assertEqual(self.website.live_chat_channel_id, self.channel)
        settings = self._settings(self.website)
        self.assertTrue(settings.live_chat_enabled)
        self.assertEqual(settings.live_chat_channel_id, self.channel)

        # Unticked: the channel goes, even when the form still sends it.
        self._save_settings(
            self.website, live_chat_enabled=False, live_chat_channel_id=self.channel.id
        )
        self.assertFalse(self.website.live_chat_channel_id)
        self.assertFalse(self._settings(self.website).live_chat_enabled)
        # Nothing else changed: the channel is still there, active.
        self.assertTrue(self.channel.active)

    def test_ticking_proposes_a_channel(self):
        with Form(self.env["res.config.settings"]) as form:
            self.assertFalse(form.live_chat_enabled)
            form.live_chat_enabled = True
            self.assertTrue(form.live_chat_channel_id)
            form.live_chat_channel_id = self.other_channel
            form.live_chat_enabled = False
            self.assertFalse(form.live_chat_channel_id)
            form.live_chat_enabled = True
            form.live_chat_channel_id = self.other_channel
        form.record.execute()
        self.assertEqual(form.record.website_id.live_chat_channel_id, self.other_channel)

    def test_per_website(self):
        self._save_settings(
            self.website, live_chat_enabled=True, live_chat_channel_id=self.channel.id
        )
        self.assertFalse(self.other_website.live_chat_channel_id)
        self.assertFalse(self._settings(self.other_website).live_chat_enabled)
        self._save_settings(
            self.other_website, live_chat_enabled=True, live_chat_channel_id=self.other_channel.id
        )
        self.assertEqual(self.website.live_chat_channel_id, self.channel)
        self.assertEqual(self.other_website.live_chat_channel_id, self.other_channel)

    def test_button_on_the_pages(self):
        self.assertEqual(self._loader_scripts(), [])
        self._save_settings(
            self.website, live_chat_enabled=True, live_chat_channel_id=self.channel.id
        )
        self.assertEqual(self._loader_scripts(), [(self.channel.id, True)])
        self.assertEqual(self._loader_scripts("/contactus"), [(self.channel.id, True)])
        # The loader is served from the website's domain, and tells the widget so.
        loader = self.url_open(f"/live_chat/loader/{self.channel.id}")
        self.assertEqual(loader.status_code, 200)
        self.assertIn("javascript", loader.headers["Content-Type"])
        self.assertIn(f'"server": "{self.base_url()}"', loader.text)

        self._save_settings(self.website, live_chat_enabled=False)
        self.assertEqual(self._loader_scripts(), [])

    def test_button_for_logged_in_users(self):
        self._save_settings(
            self.website, live_chat_enabled=True, live_chat_channel_id=self.channel.id
        )
        self.authenticate("admin", "admin")
        self.assertEqual(self._loader_scripts(), [(self.channel.id, True)])

    def test_archived_channel(self):
        self._save_settings(
            self.website, live_chat_enabled=True, live_chat_channel_id=self.channel.id
        )
        self.channel.action_archive()
        self.assertEqual(self._loader_scripts(), [])

    def test_button_of_each_website(self):
        """Each website shows its own channel: the website is the one of the domain."""
        self._save_settings(
            self.other_website, live_chat_enabled=True, live_chat_channel_id=self.other_channel.id
        )
        self.assertEqual(self._loader_scripts(), [])
        self.other_website.domain = self.base_url()
        self.assertEqual(self._loader_scripts(), [(self.other_channel.id, True)])
        self.other_website.live_chat_channel_id = False
        self.assertEqual(self._loader_scripts(), [])
