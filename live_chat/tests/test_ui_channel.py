from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.live_chat.models.live_chat_channel import DEFAULT_COLORS


@tagged("post_install", "-at_install")
class TestChannelTours(HttpCase):
    """The configuration backend in a browser, one tour per flow of the spec.

    Each tour (live_chat/static/tests/tours/) drives the web client as a user would;
    the test then checks in the database what the flow should have changed, so that
    a tour that silently does nothing fails.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env,
            "lc_tour_manager",
            groups="live_chat.live_chat_group_manager",
            name="Mia Manager",
        )
        cls.operator = new_test_user(
            cls.env,
            "lc_tour_operator",
            groups="live_chat.live_chat_group_user",
            name="Oscar Operator",
        )
        cls.candidate = new_test_user(
            cls.env,
            "lc_tour_candidate",
            groups="live_chat.live_chat_group_user",
            name="Carla Candidate",
        )
        cls.channel = cls.env["live_chat.channel"].create(
            {"name": "Tour Support", "user_ids": [Command.set((cls.manager | cls.operator).ids)]}
        )
        cls.other_channel = cls.env["live_chat.channel"].create(
            {"name": "Tour Other", "user_ids": [Command.set((cls.operator | cls.candidate).ids)]}
        )

    def _form_url(self, channel):
        return f"/odoo/live-chat/{channel.id}"

    def _snapshot(self, channel):
        """What a look-only tour must leave as it is."""
        channel.invalidate_recordset()
        return channel.read(["name", "user_ids", "rule_ids", "write_date"])

    def test_default_channel_on_dashboard(self):
        default = self.env.ref("live_chat.live_chat_channel_default")
        before = self._snapshot(default)
        self.start_tour("/odoo", "live_chat_channel_dashboard", login=self.manager.login)
        self.assertEqual(self._snapshot(default), before)

    def test_create_channel(self):
        self.start_tour("/odoo/live-chat", "live_chat_channel_create", login=self.manager.login)
        channel = self.env["live_chat.channel"].search([("name", "=", "Tour Sales")])
        self.assertEqual(len(channel), 1)
        # The creator is the channel's first operator.
        self.assertEqual(channel.user_ids, self.manager)
        self.assertEqual(channel.create_uid, self.manager)

    def test_operators(self):
        self.start_tour(
            self._form_url(self.channel), "live_chat_channel_operators", login=self.manager.login
        )
        self.channel.invalidate_recordset()
        self.assertEqual(self.channel.user_ids, self.manager | self.candidate)
        # Removing an operator from the channel leaves the user as it was.
        self.assertTrue(self.operator.active)
        self.assertIn(self.operator, self.other_channel.user_ids)

    def test_options(self):
        self.start_tour(
            self._form_url(self.channel), "live_chat_channel_options", login=self.manager.login
        )
        self.channel.invalidate_recordset()
        self.assertRecordValues(
            self.channel,
            [
                {
                    "button_text": "Any question? We are here.",
                    "default_message": "Welcome to Tour Support!",
                    "input_placeholder": "Type here...",
                    # Reset by the refresh button after the tour saved #ff0000 / #000000.
                    "button_background_color": DEFAULT_COLORS["button_background_color"],
                    "button_text_color": DEFAULT_COLORS["button_text_color"],
                    # Set with the colour controls.
                    "header_background_color": "#00ff00",
                    "title_color": "#333333",
                }
            ],
        )

    def test_rules(self):
        self.start_tour(
            self._form_url(self.channel), "live_chat_channel_rules", login=self.manager.login
        )
        self.channel.invalidate_recordset()
        belgium = self.env.ref("base.be")
        self.assertRecordValues(
            self.channel.rule_ids,
            [
                {"action": "show", "url_pattern": "/shop", "country_ids": []},
                {
                    "action": "show_notification",
                    "url_pattern": "/contactus",
                    "country_ids": belgium.ids,
                },
                {"action": "auto_open", "url_pattern": "/pricing", "country_ids": []},
                {"action": "hide", "url_pattern": "^/private", "country_ids": []},
            ],
        )
        auto_open = self.channel.rule_ids.filtered(lambda rule: rule.action == "auto_open")
        self.assertEqual(auto_open.auto_open_timer, 30)

    def test_widget_copy(self):
        before = self._snapshot(self.channel)
        self.start_tour(
            self._form_url(self.channel), "live_chat_channel_widget", login=self.manager.login
        )
        self.assertEqual(self._snapshot(self.channel), before)

    def test_configure_from_dashboard(self):
        before = self._snapshot(self.channel)
        self.start_tour("/odoo/live-chat", "live_chat_channel_configure", login=self.manager.login)
        self.assertEqual(self._snapshot(self.channel), before)

    def test_user_cannot_configure(self):
        before = self._snapshot(self.channel)
        self.start_tour("/odoo/live-chat", "live_chat_channel_user", login=self.candidate.login)
        self.channel.invalidate_recordset()
        self.other_channel.invalidate_recordset()
        # Join and Leave worked, for the user alone.
        self.assertEqual(self.channel.user_ids, self.manager | self.operator | self.candidate)
        self.assertEqual(self.other_channel.user_ids, self.operator)
        self.assertEqual(self.channel.name, before[0]["name"])
        self.assertEqual(self.channel.rule_ids.ids, before[0]["rule_ids"])
