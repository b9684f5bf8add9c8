import json
from datetime import timedelta
from threading import Event
from unittest.mock import patch

from odoo import Command, fields
from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import _registry_test_lock

from odoo.addons.mail.models.mail_presence import MailPresence

from .common import LiveChatCommon, LiveChatOperatorCommon, LiveChatWebsocketCase


@tagged("post_install", "-at_install")
class TestAvailability(LiveChatOperatorCommon, HttpCase):
    """An operator is offered while the host says they are online, whatever the age
    of their last poll, and only while they are an active Live Chat user."""

    operator_online = False  # each test says

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.group = cls.env.ref("live_chat.live_chat_group_user")

    def available(self):
        return self.channel._get_available_operator()

    def button(self):
        return self.lc_call(f"/live_chat/init/{self.channel.id}", {})["available"]

    def test_idle_operator_stays_available(self):
        """Odoo's web client sends its presence when it connects and when the user goes
        away or comes back, not periodically: hours without a poll change nothing."""
        self._set_presence(self.operator, last_poll=fields.Datetime.now() - timedelta(hours=5))
        self.assertEqual(self.available(), self.operator)
        self.assertIs(self.button(), True)
        started = self.lc_start()
        self.assertEqual(self.lc_session(started).live_chat_operator_id, self.operator)

    def test_away_or_offline(self):
        for status in ("away", "offline"):
            with self.subTest(status=status):
                self._set_presence(self.operator, status=status)
                self.assertFalse(self.available())
                self.assertIs(self.button(), False)

    def test_logout(self):
        """Logging out makes the operator offline at once, whatever their sockets do."""
        self._set_presence(self.operator)
        self.authenticate(self.operator.login, self.operator.login)
        self.assertEqual(self.available(), self.operator)
        self.url_open("/web/session/logout", allow_redirects=False)
        self.env.invalidate_all()
        self.assertEqual(self.operator.presence_ids.status, "offline")
        self.assertFalse(self.available())
        self.assertIs(self.button(), False)
        # The others are told (the host's presence notification).
        self.env.cr.precommit.run()
        statuses = [
            json.loads(record.message)["payload"]["presence_status"]
            for record in self.env["bus.bus"].sudo().search([])
            if json.loads(record.message)["type"] == "bus.bus/im_status_updated"
            and json.loads(record.message)["payload"]["partner_id"] == self.operator.partner_id.id
        ]
        self.assertEqual(statuses[-1:], ["offline"])

    def test_public_logout(self):
        """Nobody logged in: the logout changes nobody's presence."""
        self._set_presence(self.operator)
        response = self.url_open("/web/session/logout", allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertEqual(self.available(), self.operator)

    def test_live_chat_users_only(self):
        self._set_presence(self.operator)
        self.operator.group_ids = [Command.unlink(self.group.id)]
        self.assertFalse(self.operator.has_group("live_chat.live_chat_group_user"))
        self.assertIn(self.operator, self.channel.user_ids, "still listed in the channel")
        self.assertFalse(self.available())
        self.assertIs(self.button(), False)

        # The group given back, or a group that implies it (Live Chat administrator).
        self.operator.group_ids = [Command.link(self.group.id)]
        self.assertEqual(self.available(), self.operator)
        admin = new_test_user(
            self.env,
            "lc_avail_admin",
            groups="base.group_user,live_chat.live_chat_group_manager",
            name="Ada Admin",
        )
        self.assertNotIn(self.group, admin.group_ids, "only through the implied group")
        self._set_presence(admin)
        self._set_presence(self.operator, status="offline")
        self.channel.user_ids = [Command.link(admin.id)]
        self.assertEqual(self.available(), admin)

    def test_archived(self):
        self._set_presence(self.operator)
        self.operator.action_archive()
        self.assertFalse(self.available())
        self.assertIs(self.button(), False)


@tagged("post_install", "-at_install")
class TestOperatorGroup(LiveChatCommon, HttpCase):
    """Operators are users of the Live Chat group: whoever sets a channel's operators
    makes them Live Chat users, internal users only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lc_manager = new_test_user(
            cls.env,
            "lc_group_manager",
            groups="base.group_user,live_chat.live_chat_group_manager",
            name="Mia Manager",
        )
        cls.employee = new_test_user(cls.env, "lc_group_employee", name="Emma Employee")
        cls.other_employee = new_test_user(cls.env, "lc_group_other", name="Otto Other")
        cls.portal_user = new_test_user(
            cls.env, "lc_group_portal", groups="base.group_portal", name="Paula Portal"
        )

    def test_operators_become_live_chat_users(self):
        for user in (self.employee, self.other_employee):
            self.assertFalse(user.has_group("live_chat.live_chat_group_user"))
        channel = (
            self.env["live_chat.channel"]
            .with_user(self.lc_manager)
            .create({"name": "Sales", "user_ids": [Command.set(self.employee.ids)]})
        )
        self.assertTrue(self.employee.has_group("live_chat.live_chat_group_user"))
        channel.with_user(self.lc_manager).user_ids = [Command.link(self.other_employee.id)]
        self.assertTrue(self.other_employee.has_group("live_chat.live_chat_group_user"))

        # What they need to work their sessions: offered, closing included.
        self._set_presence(self.employee)
        started = self.lc_start(channel=channel)
        session = self.lc_session(started)
        self.assertEqual(session.live_chat_operator_id, self.employee)
        session.with_user(self.employee).action_live_chat_close()
        self.assertEqual(session.live_chat_state, "closed")

    def test_internal_users_only(self):
        channel = self.env["live_chat.channel"].with_user(self.lc_manager).create({"name": "Sales"})
        for user in (self.portal_user, self.env.ref("base.public_user")):
            with self.subTest(user=user.login), self.assertRaises(ValidationError):
                channel.with_user(self.lc_manager).user_ids = [Command.link(user.id)]
            self.assertFalse(user.has_group("base.group_user"))
            self.assertFalse(user.has_group("live_chat.live_chat_group_user"))
        with self.assertRaises(ValidationError):
            self.env["live_chat.channel"].create(
                {"name": "Portal", "user_ids": [Command.set(self.portal_user.ids)]}
            )


@tagged("post_install", "-at_install")
class TestAvailabilityWebsocket(LiveChatWebsocketCase):
    """The real web client's signals: its presence when it connects, its socket
    closing (the last tab closed)."""

    def test_last_tab_closed(self):
        self._set_presence(self.operator, status="offline")
        session = self._new_session(self.operator)
        updated = Event()
        original = MailPresence._try_update_presence

        def try_update_presence(model, *args, **kwargs):
            result = original(model, *args, **kwargs)
            updated.set()
            return result

        with patch.object(MailPresence, "_try_update_presence", try_update_presence):
            ws = self._operator_socket(session)
            # What Odoo's web client sends when its socket connects.
            ws.send(json.dumps({"event_name": "update_presence", "data": {"inactivity_period": 0}}))
            self.assertTrue(updated.wait(10), "the presence was updated")
        with _registry_test_lock:
            self.env.invalidate_all()
            self.assertEqual(self.channel._get_available_operator(), self.operator)

        ws.close()
        self.wait_remaining_websocket_connections()
        with _registry_test_lock:
            self.env.invalidate_all()
            self.assertEqual(self.operator.presence_ids.status, "offline")
            self.assertFalse(self.channel._get_available_operator())
