from contextlib import contextmanager

from psycopg2 import IntegrityError

from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import LiveChatCommon


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


@tagged("post_install", "-at_install")
class TestLiveChatConstraints(TransactionCase):
    """What the configuration refuses, whatever the form lets one type."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.channel = cls.env["live_chat.channel"].create({"name": "Support"})
        cls.Rule = cls.env["live_chat.channel.rule"]

    @contextmanager
    def assertRefused(self, message):
        """A ValidationError saying ``message``, in a savepoint (assertRaises), so that
        the refused value does not stay in the cache."""
        with self.assertRaises(ValidationError) as caught:
            yield
        self.assertIn(message, str(caught.exception))

    def test_invalid_url_regex_refused(self):
        for pattern in ("(", "[a-", "*shop", "(?P<x>a)(?P<x>b)"):
            with (
                self.subTest(pattern=pattern),
                self.assertRefused("not a valid regular expression"),
            ):
                self.Rule.create({"channel_id": self.channel.id, "url_pattern": pattern})
        rule = self.Rule.create({"channel_id": self.channel.id, "url_pattern": "^/shop(/.*)?$"})
        with self.assertRefused("“^/shop(” is not a valid regular expression"):
            rule.url_pattern = "^/shop("
        self.assertEqual(rule.url_pattern, "^/shop(/.*)?$")

    def test_valid_url_regex_accepted(self):
        for pattern in (False, "/shop", r"^https://example\.com/contact", "(?i)/PRICING$"):
            with self.subTest(pattern=pattern):
                rule = self.Rule.create({"channel_id": self.channel.id, "url_pattern": pattern})
                self.assertEqual(rule.url_pattern, pattern)

    def test_negative_timer_refused(self):
        rule = self.Rule.create(
            {"channel_id": self.channel.id, "action": "auto_open", "auto_open_timer": 0}
        )
        with self.assertRefused("The automatic opening timer cannot be negative."):
            rule.auto_open_timer = -30
        self.assertEqual(rule.auto_open_timer, 0)
        # On create, the database's check refuses the row before the Python check runs
        # (RPC turns it into the same message).
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            self.Rule.create(
                {"channel_id": self.channel.id, "action": "auto_open", "auto_open_timer": -1}
            )

    def test_invalid_colors_refused(self):
        bad_colors = (
            "red",
            "2563EB",
            "#2563E",
            "#GGGGGG",
            "#2563EB80",
            " #2563EB",
            "#fff; background: url(https://evil.example.com/x)",
        )
        for fname in (
            "button_background_color",
            "button_text_color",
            "header_background_color",
            "title_color",
        ):
            for color in bad_colors:
                with self.subTest(field=fname, color=color):
                    with self.assertRefused("is not a colour"):
                        self.channel.write({fname: color})
                    with self.assertRefused("is not a colour"):
                        self.env["live_chat.channel"].create({"name": "Bad", fname: color})
        self.assertEqual(self.channel.button_background_color, "#2563EB")

    def test_valid_colors_accepted(self):
        for color in ("#abc", "#ABC", "#2563eb", "#2563EB"):
            with self.subTest(color=color):
                self.channel.write({"button_background_color": color, "title_color": color})
                self.assertEqual(self.channel.button_background_color, color)
                self.assertEqual(self.channel.title_color, color)


@tagged("post_install", "-at_install")
class TestUninstall(LiveChatCommon, TransactionCase):
    """What removing the suite does to its sessions (the selection value's ondelete,
    run by the host's uninstall for the sessions it finds, none included)."""

    def test_sessions_become_group_conversations(self):
        # A database where nobody ever chatted: nothing to change, and no error (the
        # uninstall logged a failed query and kept the selection value's record).
        self.env["discuss.channel"].browse()._live_chat_on_uninstall()
        operator = self._create_operator("lc_uninstall_operator")
        session = self._create_sessions(self._create_channel(operator), operator)
        session._live_chat_on_uninstall()
        self.env.cr.execute("SELECT channel_type FROM discuss_channel WHERE id = %s", [session.id])
        self.assertEqual(self.env.cr.fetchone()[0], "group")
