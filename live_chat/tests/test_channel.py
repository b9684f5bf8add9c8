from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestLiveChatChannel(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env, "lc_manager", groups="base.group_user,live_chat.live_chat_group_manager"
        )
        cls.operator = new_test_user(
            cls.env, "lc_operator", groups="base.group_user,live_chat.live_chat_group_user"
        )
        cls.employee = new_test_user(cls.env, "lc_employee", groups="base.group_user")
        cls.channel = (
            cls.env["live_chat.channel"].with_user(cls.manager).create({"name": "Support"})
        )

    def test_default_channel_after_install(self):
        channel = self.env.ref("live_chat.live_chat_channel_default")
        self.assertEqual(channel.user_ids, self.env.ref("base.user_admin"))

    def test_creator_is_operator(self):
        self.assertEqual(self.channel.user_ids, self.manager)

    def test_bad_color_refused(self):
        with self.assertRaisesRegex(ValidationError, "is not a colour"):
            self.channel.button_background_color = "red; background: url(x)"
        self.channel.button_background_color = "#abc"
        self.assertEqual(self.channel.button_background_color, "#abc")

    def test_widget_urls(self):
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", "https://chat.example.com")
        self.channel.invalidate_recordset()
        cid = self.channel.id
        self.assertEqual(
            self.channel.script_url, f"https://chat.example.com/live_chat/loader/{cid}"
        )
        self.assertEqual(
            self.channel.support_url, f"https://chat.example.com/live_chat/support/{cid}"
        )
        self.assertIn(
            f'src="https://chat.example.com/live_chat/loader/{cid}"', self.channel.script_snippet
        )
