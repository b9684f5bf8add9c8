from odoo.tests import tagged

from odoo.addons.bus.models import bus as host_bus

from .. import bus_recovery
from .common import LiveChatWebsocketCase


@tagged("post_install", "-at_install")
class TestBusRecovery(LiveChatWebsocketCase):
    """After PostgreSQL restarts, the host's bus listener misses the notifications sent
    while it reconnects: once back, the suite wakes the sockets, which fetch them."""

    def test_listener_reconnects_soon(self):
        self.assertIsInstance(host_bus.time, bus_recovery._ListenerClock)
        self.assertLessEqual(bus_recovery.RECONNECT_DELAY, 5)

    def test_sockets_catch_up_when_the_listener_is_back(self):
        operator = self._new_session(self.operator)
        self._new_session()  # the test's requests are the visitor's
        started = self.lc_start(name="Ann")
        session = self.lc_session(started)
        operator_ws = self._operator_socket(operator)
        self._drain(operator_ws, timeout=0.5)
        posted = self.lc_call(
            "/live_chat/session/post",
            {"session_id": session.id, "token": started["token"], "body": "Anyone there?"},
        )["message"]
        # The message is on the bus, but its PostgreSQL notification was lost with
        # the listener's connection: nothing reaches the operator.
        self.env.cr.precommit.run()
        self.assertFalse(self._messages(self._drain(operator_ws, timeout=0.5), session))
        # The listener is back and wakes the sockets.
        bus_recovery.wake_websockets()
        (message,) = self._messages(self._receive(operator_ws, 1), session)
        self.assertEqual(message["id"], posted["id"])
