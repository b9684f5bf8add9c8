from odoo.tests import tagged

from .common import LiveChatWebsocketCase


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
        self._receive(visitor_ws, 1)  # their own: both sockets done with the database
        self.assertEqual(message["id"], posted["id"])
        self.assertEqual(self._body(message), "<p>Is it in stock?</p>")
        self.assertEqual(message["author_guest_id"], guest.id)

        # The operator answers: the visitor's widget hears it.
        reply = self._operator_says(session, "Yes, 12 left.")
        self.trigger_notification_dispatching([session])
        (reply_message,) = self._messages(self._receive(visitor_ws, 1), session)
        self._receive(operator_ws, 1)
        self.assertEqual(reply_message["id"], reply.id)
        self.assertEqual(self._body(reply_message), "<p>Yes, 12 left.</p>")
        self.assertEqual(reply_message["author_id"], self.operator.partner_id.id)

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
