import json

from odoo import Command
from odoo.http import root
from odoo.tests import tagged

from odoo.addons.bus.tests.common import WebsocketCase

from .common import LiveChatCommon

try:
    from websocket import WebSocketTimeoutException
except ImportError:  # WebsocketCase skips its tests without websocket-client
    WebSocketTimeoutException = None

NEW_MESSAGE = "discuss.channel/new_message"


class LiveChatWebsocketCase(LiveChatCommon, WebsocketCase):
    """Real websocket clients on the host's bus: an operator logged in, visitors
    subscribed as the widget does (``mail.guest_<id>|<token>``)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.operator = cls._create_operator("lc_ws_operator", name="Olga Operator")
        cls.channel = cls.env["live_chat.channel"].create(
            {"name": "Support", "user_ids": [Command.set(cls.operator.ids)]}
        )

    def setUp(self):
        super().setUp()
        self._set_presence(self.operator)

    def _new_session(self, user=None):
        """A new browser session (public without ``user``), kept alive beside the
        others: each client of a test has its own."""
        self.session = None  # authenticate() would delete the previous one
        login = user.login if user else None
        session = self.authenticate(login, login)
        self.addCleanup(root.session_store.delete, session)
        return session

    def _visitor_socket(self, visitor_session, guest_token, last=None):
        """The widget's socket: subscribed with the guest's identity only."""
        ws = self.websocket_connect(cookie=f"session_id={visitor_session.sid}")
        self.subscribe(
            ws,
            [f"mail.guest_{guest_token}"],
            self.env["bus.bus"]._bus_last_id() if last is None else last,
        )
        return ws

    def _operator_socket(self, operator_session):
        """The operator's web client: the host subscribes it to their conversations."""
        ws = self.websocket_connect(cookie=f"session_id={operator_session.sid}")
        self.subscribe(ws, [], self.env["bus.bus"]._bus_last_id())
        return ws

    def _operator_says(self, session, body):
        return session.with_user(self.operator).message_post(
            body=body, message_type="comment", subtype_xmlid="mail.mt_comment"
        )

    def _receive(self, ws, count):
        """The notifications received on ``ws`` until ``count`` new messages came."""
        notifications = []
        while sum(n["message"]["type"] == NEW_MESSAGE for n in notifications) < count:
            notifications += json.loads(ws.recv())
        return notifications

    def _drain(self, ws, timeout=1):
        """What else arrives on ``ws`` within ``timeout`` seconds."""
        notifications = []
        ws.settimeout(timeout)
        try:
            while True:
                notifications += json.loads(ws.recv())
        except WebSocketTimeoutException:
            return notifications
        finally:
            ws.settimeout(10)

    @staticmethod
    def _messages(notifications, session):
        """The messages of ``session`` in new message notifications, in order."""
        messages = []
        for notification in notifications:
            payload = notification["message"]["payload"]
            if notification["message"]["type"] == NEW_MESSAGE and payload["id"] == session.id:
                messages += payload["data"]["mail.message"]
        return messages

    @staticmethod
    def _body(message):
        body = message["body"]
        return body[1] if isinstance(body, list) else body  # ["markup", html]


@tagged("post_install", "-at_install")
class TestWebsocket(LiveChatWebsocketCase):
    def test_messages_in_real_time(self):
        operator = self._new_session(self.operator)
        visitor = self._new_session()  # the test's requests are the visitor's
        started = self.lc_start(name="Ann")
        session = self.lc_session(started)
        guest = session.live_chat_visitor_guest_id
        operator_ws = self._operator_socket(operator)
        visitor_ws = self._visitor_socket(visitor, started["guest"]["token"])

        # The visitor writes: the operator's web client hears it.
        posted = self.lc_call(
            "/live_chat/session/post",
            {"session_id": session.id, "token": started["token"], "body": "Is it in stock?"},
        )["message"]
        self.trigger_notification_dispatching([session])
        (message,) = self._messages(self._receive(operator_ws, 1), session)
        self.assertEqual(message["id"], posted["id"])
        self.assertEqual(self._body(message), "<p>Is it in stock?</p>")
        self.assertEqual(message["author_guest_id"], guest.id)

        # The operator answers: the visitor's widget hears it.
        reply = self._operator_says(session, "Yes, 12 left.")
        self.trigger_notification_dispatching([session])
        visitor_messages = self._messages(self._receive(visitor_ws, 2), session)
        self.assertEqual([m["id"] for m in visitor_messages], [posted["id"], reply.id])
        self.assertEqual(self._body(visitor_messages[1]), "<p>Yes, 12 left.</p>")
        self.assertEqual(visitor_messages[1]["author_id"], self.operator.partner_id.id)

    def test_missed_messages_after_reconnection(self):
        visitor = self._new_session()
        started = self.lc_start(name="Ann")
        session = self.lc_session(started)
        token = started["guest"]["token"]
        visitor_ws = self._visitor_socket(visitor, token)
        seen = self._operator_says(session, "One moment please.")
        self.trigger_notification_dispatching([session])
        received = self._receive(visitor_ws, 1) + self._drain(visitor_ws)
        self.assertEqual([m["id"] for m in self._messages(received, session)], [seen.id])
        last = max(n["id"] for n in received)

        # The connection drops; the operator goes on writing.
        visitor_ws.close()
        self.wait_remaining_websocket_connections()
        missed = self._operator_says(session, "I found it.")
        missed |= self._operator_says(session, "It ships tomorrow.")
        self.env.cr.precommit.run()  # the notifications on the bus

        # Back with the last notification seen: the missed ones, once, in order.
        visitor_ws = self._visitor_socket(visitor, token, last=last)
        received = self._receive(visitor_ws, 2)
        self.trigger_notification_dispatching([session])
        received += self._drain(visitor_ws)
        messages = self._messages(received, session)
        self.assertEqual([m["id"] for m in messages], missed.ids)
        self.assertEqual(
            [self._body(m) for m in messages], ["<p>I found it.</p>", "<p>It ships tomorrow.</p>"]
        )

        # The widget also asks the server what it missed, by message id.
        answer = self.lc_call(
            "/live_chat/session/messages",
            {"session_id": session.id, "token": started["token"], "after_id": seen.id},
        )
        self.assertEqual([m["id"] for m in answer["messages"]], missed.ids)
