import json
from datetime import timedelta
from threading import Event
from unittest.mock import patch

from odoo import Command, fields
from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import _registry_test_lock

from odoo.addons.bus.websocket import ConnectionState
from odoo.addons.mail.models.mail_presence import MailPresence

from .. import presence_heartbeat
from .common import LiveChatCommon, LiveChatOperatorCommon, LiveChatWebsocketCase


@tagged("post_install", "-at_install")
class TestAvailability(LiveChatOperatorCommon, HttpCase):
    """An operator is offered while the host says they are online and a server holds
    their socket (a recent poll), and only while they are an active Live Chat user."""

    operator_online = False  # each test says

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.group = cls.env.ref("live_chat.live_chat_group_user")

    def available(self):
        return self.channel._get_available_operator()

    def button(self):
        return self.lc_call(f"/live_chat/init/{self.channel.id}", {})["available"]

    def test_presence_left_by_a_stopped_server(self):
        """A presence that no server has polled for minutes (the server holding its
        socket stopped without closing it) is not an operator: no button, no
        session. A recent poll is."""
        stale = presence_heartbeat.STALE_SECONDS
        self._set_presence(self.operator, last_poll=fields.Datetime.now() - timedelta(hours=5))
        self.assertFalse(self.available())
        self.assertIs(self.button(), False)
        # Twice as old as what counts (the database's clock is the start of the test
        # class's transaction).
        self._set_presence(
            self.operator, last_poll=fields.Datetime.now() - timedelta(seconds=2 * stale)
        )
        self.assertFalse(self.available())
        self._set_presence(
            self.operator, last_poll=fields.Datetime.now() - timedelta(seconds=stale - 60)
        )
        self.assertEqual(self.available(), self.operator)
        self.assertIs(self.button(), True)
        started = self.lc_start()
        self.assertEqual(self.lc_session(started).live_chat_operator_id, self.operator)

    def test_heartbeat(self):
        """The heartbeat writes the last poll of the users of the open sockets that
        this process holds, in their database; a closed socket keeps nobody."""

        class Socket:
            state = ConnectionState.OPEN

        socket = Socket()
        with patch.dict(presence_heartbeat._sockets, clear=True):
            presence_heartbeat.track(socket, self.env.cr.dbname, self.operator.id)
            self._set_presence(self.operator, last_poll=fields.Datetime.now() - timedelta(hours=5))
            presence_heartbeat.beat()
            self.env.invalidate_all()
            self.assertEqual(self.available(), self.operator)
            socket.state = ConnectionState.CLOSED
            self._set_presence(self.operator, last_poll=fields.Datetime.now() - timedelta(hours=5))
            presence_heartbeat.beat()
            self.env.invalidate_all()
            self.assertFalse(self.available())

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
    closing (the last tab closed); the server's heartbeat of the sockets it holds."""

    def _connect_operator(self):
        """The operator's web client connected: its socket subscribed, and its presence
        sent as Odoo's web client sends it when the socket connects."""
        session = self._new_session(self.operator)
        updated = Event()
        original = MailPresence._try_update_presence

        def try_update_presence(model, *args, **kwargs):
            result = original(model, *args, **kwargs)
            updated.set()
            return result

        with patch.object(MailPresence, "_try_update_presence", try_update_presence):
            ws = self._operator_socket(session)
            ws.send(json.dumps({"event_name": "update_presence", "data": {"inactivity_period": 0}}))
            self.assertTrue(updated.wait(10), "the presence was updated")
        return ws

    def _age_presence(self, **age):
        with _registry_test_lock:
            self.env["mail.presence"].search([("user_id", "=", self.operator.id)]).write(
                {"last_poll": fields.Datetime.now() - timedelta(**age)}
            )
            self.env.flush_all()

    def _beat(self):
        """The heartbeat of the test's server, in the test's cursor (a websocket
        test opens no other)."""
        with _registry_test_lock:
            held = presence_heartbeat.held_users()
            presence_heartbeat.write_polls(self.env.cr, held.get(self.env.cr.dbname, ()))

    def _available(self):
        with _registry_test_lock:
            self.env.invalidate_all()
            return self.channel._get_available_operator()

    def test_idle_operator_stays_available(self):
        """Hours without a click: the web client sends nothing, its socket stays open,
        and the server holding it keeps the operator's presence fresh."""
        self._set_presence(self.operator, status="offline")
        ws = self._connect_operator()
        self.assertEqual(self._available(), self.operator)
        # Hours later (the web client sent nothing since it connected).
        self._age_presence(hours=5)
        self.assertFalse(self._available())
        self._beat()  # what the server does every minute
        self.assertEqual(self._available(), self.operator)
        ws.close()
        self.wait_remaining_websocket_connections()

    def test_server_stopped_without_closing_the_socket(self):
        """The process holding the socket stops and runs no close handler: the
        presence stays online, but nobody polls it any more, and the operator is
        no longer offered once it is stale."""
        self._set_presence(self.operator, status="offline")
        ws = self._connect_operator()
        # The server stops: its sockets are gone from the heartbeat, unclosed.
        with patch.dict(presence_heartbeat._sockets, clear=True):
            self._age_presence(seconds=2 * presence_heartbeat.STALE_SECONDS)
            self._beat()
            with _registry_test_lock:
                self.env.invalidate_all()
                self.assertEqual(self.operator.presence_ids.status, "online")
            self.assertFalse(self._available())
        # Its browser reconnects, to this server or another one: its socket is held
        # again, and the operator offered again.
        self._beat()
        self.assertEqual(self._available(), self.operator)
        ws.close()
        self.wait_remaining_websocket_connections()
        # A closed socket does not keep a presence fresh.
        self._age_presence(hours=1)
        self._beat()
        with _registry_test_lock:
            self.env.invalidate_all()
            self.assertLess(
                self.operator.presence_ids.last_poll, fields.Datetime.now() - timedelta(minutes=59)
            )

    def test_browser_back_after_a_restart(self):
        """After a restart longer than a heartbeat's margin, the web client reconnects
        and subscribes, without sending its presence again (the host's sends it on its
        first connection only): the operator is offered again at once."""
        self._set_presence(self.operator, last_poll=fields.Datetime.now() - timedelta(hours=1))
        self.assertFalse(self._available())
        ws = self._operator_socket(self._new_session(self.operator))
        self.assertEqual(self._available(), self.operator)
        ws.close()
        self.wait_remaining_websocket_connections()

    def test_last_tab_closed(self):
        self._set_presence(self.operator, status="offline")
        ws = self._connect_operator()
        self.assertEqual(self._available(), self.operator)

        ws.close()
        self.wait_remaining_websocket_connections()
        with _registry_test_lock:
            self.env.invalidate_all()
            self.assertEqual(self.operator.presence_ids.status, "offline")
            self.assertFalse(self.channel._get_available_operator())
