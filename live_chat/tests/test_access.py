from contextlib import contextmanager

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.live_chat.models.live_chat_channel import DEFAULT_COLORS


@tagged("post_install", "-at_install")
class TestLiveChatAccess(TransactionCase):
    """Access rights and record rules of channels and their rules, as the least
    privileged users: outsiders, Live Chat / User (operators) and Administrator."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env, "lc_acl_manager", groups="live_chat.live_chat_group_manager"
        )
        cls.operator = new_test_user(
            cls.env, "lc_acl_operator", groups="live_chat.live_chat_group_user"
        )
        cls.colleague = new_test_user(
            cls.env, "lc_acl_colleague", groups="live_chat.live_chat_group_user"
        )
        cls.employee = new_test_user(cls.env, "lc_acl_employee", groups="base.group_user")
        cls.portal = new_test_user(cls.env, "lc_acl_portal", groups="base.group_portal")
        cls.public = cls.env.ref("base.public_user")
        cls.channel = cls.env["live_chat.channel"].create(
            {
                "name": "Support",
                "user_ids": [Command.set(cls.colleague.ids)],
                "rule_ids": [Command.create({"action": "hide", "url_pattern": "^/private"})],
            }
        )
        cls.rule = cls.channel.rule_ids

    @contextmanager
    def assertDenied(self):
        with self.assertRaises(AccessError), mute_logger("odoo.models", "odoo.models.unlink"):
            yield

    # ------------------------------------------------------------
    # Outsiders: employees without a Live Chat group, portal, public
    # ------------------------------------------------------------

    def test_outsiders_cannot_read(self):
        for user in (self.employee, self.portal, self.public):
            with self.subTest(user=user.login):
                with self.assertDenied():
                    self.env["live_chat.channel"].with_user(user).search([])
                with self.assertDenied():
                    self.channel.with_user(user).read(["name"])
                with self.assertDenied():
                    self.env["live_chat.channel.rule"].with_user(user).search([])
                with self.assertDenied():
                    self.rule.with_user(user).read(["url_pattern"])

    def test_outsiders_cannot_join_or_leave(self):
        # Listed as an operator (which makes them a Live Chat user), then no longer one.
        self.channel.user_ids = [Command.link(self.employee.id)]
        self.employee.group_ids = [
            Command.unlink(self.env.ref("live_chat.live_chat_group_user").id)
        ]
        for user in (self.employee, self.portal, self.public):
            with self.subTest(user=user.login):
                with self.assertDenied():
                    self.channel.with_user(user).action_join()
                with self.assertDenied():
                    self.channel.with_user(user).action_leave()
        self.assertEqual(self.channel.user_ids, self.colleague | self.employee)

    def test_outsiders_cannot_create(self):
        for user in (self.employee, self.portal):
            with self.subTest(user=user.login), self.assertDenied():
                self.env["live_chat.channel"].with_user(user).create({"name": "Mine"})

    # ------------------------------------------------------------
    # Live Chat / User: the operators
    # ------------------------------------------------------------

    def test_user_reads_channels_and_rules(self):
        channel = self.channel.with_user(self.operator)
        self.assertIn(channel, channel.search([]))
        self.assertEqual(channel.name, "Support")
        self.assertEqual(channel.user_ids, self.colleague)
        self.assertEqual(channel.rule_ids.url_pattern, "^/private")
        self.assertFalse(channel.is_member)
        self.assertEqual(self.rule.with_user(self.operator).read(["action"])[0]["action"], "hide")

    def test_user_cannot_change_channels(self):
        channel = self.channel.with_user(self.operator)
        with self.assertDenied():
            self.env["live_chat.channel"].with_user(self.operator).create({"name": "Mine"})
        with self.assertDenied():
            channel.write({"name": "Renamed"})
        with self.assertDenied():
            channel.write({"button_background_color": "#000000"})
        with self.assertDenied():
            channel.action_reset_button_colors()
        with self.assertDenied():
            channel.action_reset_header_colors()
        with self.assertDenied():
            channel.copy()
        with self.assertDenied():
            channel.unlink()
        # Joining goes through action_join, not through a write on the operators.
        with self.assertDenied():
            channel.write({"user_ids": [Command.link(self.operator.id)]})
        self.assertRecordValues(
            self.channel, [{"name": "Support", "user_ids": self.colleague.ids, "active": True}]
        )

    def test_user_cannot_change_rules(self):
        rule = self.rule.with_user(self.operator)
        with self.assertDenied():
            self.env["live_chat.channel.rule"].with_user(self.operator).create(
                {"channel_id": self.channel.id}
            )
        with self.assertDenied():
            rule.write({"action": "show"})
        with self.assertDenied():
            rule.unlink()
        with self.assertDenied():
            self.channel.with_user(self.operator).write(
                {"rule_ids": [Command.create({"action": "show"})]}
            )
        self.assertRecordValues(self.channel.rule_ids, [{"action": "hide"}])

    def test_user_joins_and_leaves_themselves_only(self):
        channel = self.channel.with_user(self.operator)
        self.assertTrue(channel.action_join())
        self.assertEqual(self.channel.user_ids, self.colleague | self.operator)
        self.assertTrue(channel.is_member)
        # Joining twice changes nothing.
        channel.action_join()
        self.assertEqual(self.channel.user_ids, self.colleague | self.operator)

        self.assertTrue(channel.action_leave())
        self.assertEqual(self.channel.user_ids, self.colleague)
        self.assertFalse(channel.is_member)
        # Leaving a channel one is not in leaves the others in it.
        channel.action_leave()
        self.assertEqual(self.channel.user_ids, self.colleague)

    def test_user_joins_several_channels(self):
        other = self.env["live_chat.channel"].create({"name": "Sales", "user_ids": []})
        channels = (self.channel | other).with_user(self.operator)
        channels.action_join()
        self.assertEqual(self.channel.user_ids, self.colleague | self.operator)
        self.assertEqual(other.user_ids, self.operator)
        channels.action_leave()
        self.assertEqual(self.channel.user_ids, self.colleague)
        self.assertFalse(other.user_ids)

    # ------------------------------------------------------------
    # Live Chat / Administrator
    # ------------------------------------------------------------

    def test_manager_does_everything(self):
        channel = (
            self.env["live_chat.channel"]
            .with_user(self.manager)
            .create(
                {
                    "name": "Sales",
                    "user_ids": [Command.set((self.manager | self.operator).ids)],
                    "rule_ids": [Command.create({"action": "auto_open", "auto_open_timer": 5})],
                }
            )
        )
        self.assertEqual(channel.user_ids, self.manager | self.operator)
        channel.write(
            {
                "name": "Sales EU",
                "button_background_color": "#000000",
                "user_ids": [Command.unlink(self.operator.id)],
                "rule_ids": [Command.create({"action": "hide", "url_pattern": "^/jobs"})],
            }
        )
        self.assertRecordValues(channel, [{"name": "Sales EU", "user_ids": self.manager.ids}])
        channel.action_reset_button_colors()
        self.assertEqual(channel.button_background_color, DEFAULT_COLORS["button_background_color"])
        channel.action_leave()
        self.assertFalse(channel.user_ids)
        channel.action_join()
        self.assertEqual(channel.user_ids, self.manager)

        rule = channel.rule_ids.filtered(lambda rule: rule.action == "hide")
        rule.url_pattern = "^/careers"
        rule.unlink()
        self.assertRecordValues(channel.rule_ids, [{"action": "auto_open"}])
        self.env["live_chat.channel.rule"].with_user(self.manager).create(
            {"channel_id": channel.id, "action": "show"}
        )
        self.assertEqual(len(channel.rule_ids), 2)

        copy = channel.copy()
        self.assertEqual(len(copy.rule_ids), 2)
        (channel | copy).unlink()
        self.assertFalse((channel | copy).exists())

    def test_manager_edits_any_channel(self):
        # Managing does not require being an operator of the channel.
        default = self.env.ref("live_chat.live_chat_channel_default").with_user(self.manager)
        self.assertFalse(default.is_member)
        default.write({"name": "Website Support", "title_color": "#000"})
        default.rule_ids = [Command.create({"action": "show_notification"})]
        self.assertEqual(default.name, "Website Support")
        self.assertEqual(default.rule_ids.action, "show_notification")

    def test_visitors_are_read_by_live_chat_users_only(self):
        """The host lets every employee read every guest: a live chat visitor's
        name, country, language and time zone are for Live Chat users, as their
        sessions are; the host's other guests stay as they were."""
        visitor = self.env["mail.guest"].create(
            {"name": "Ann Smith", "country_id": self.env.ref("base.fr").id}
        )
        other_guest = self.env["mail.guest"].create({"name": "Meeting guest"})
        self.env["discuss.channel"].create(
            {
                "name": "Ann Smith",
                "channel_type": "live_chat",
                "live_chat_channel_id": self.channel.id,
                "live_chat_operator_id": self.colleague.id,
                "live_chat_visitor_guest_id": visitor.id,
                "live_chat_state": "open",
            }
        )
        Guest = self.env["mail.guest"]
        guests = visitor | other_guest
        self.assertEqual(
            Guest.with_user(self.employee).search([("id", "in", guests.ids)]), other_guest
        )
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            visitor.with_user(self.employee).read(["name", "country_id"])
        self.assertEqual(other_guest.with_user(self.employee).name, "Meeting guest")
        for user in (self.operator, self.manager):
            with self.subTest(user=user.login):
                self.assertEqual(Guest.with_user(user).search([("id", "in", guests.ids)]), guests)
                self.assertEqual(visitor.with_user(user).name, "Ann Smith")
