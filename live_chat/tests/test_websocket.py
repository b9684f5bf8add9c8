from markupsafe import Markup

from odoo.tests import tagged
from odoo.tests.common import HOST, _registry_test_lock

from .common import LC_MESSAGE, LC_SESSION, NEW_MESSAGE, LiveChatWebsocketCase


@tagged("post_install", "-at_install")
class TestWebsocket(LiveChatWebsocketCase):
    """Real websocket clients: the operator's web client hears the host's payloads, the
    visitor's widget hears the suite's own small format on its session's channel."""

    def _operator_posts(self, operator_session, session, body):
        """The operator's composer: the host's /mail/message/post, in their session."""
        self.env.flush_all()
        visitor_sid = self.opener.cookies.get("session_id")
        self.opener.cookies.set("session_id", operator_session.sid, domain=HOST)
        try:
            result = self.make_jsonrpc_request(
                "/mail/message/post",
                {
                    "thread_model": "discuss.channel",
                    "thread_id": session.id,
                    "post_data": {"body": body, "message_type": "comment"},
                },
            )
        finally:
            self.opener.cookies.set("session_id", visitor_sid, domain=HOST)
        self.env.invalidate_all()
        return self.env["mail.message"].browse(result["message_id"])

    def test_messages_in_real_time(self):
        operator = self._new_session(self.operator)
        visitor = self._new_session()  # the test's requests are the visitor's
        started = self.lc_start(name="Ann")
        session = self.lc_session(started)
        guest = session.live_chat_visitor_guest_id
        bus_channel = started["session"]["bus_channel"]
        self.assertTrue(bus_channel.startswith("live_chat:"))
        self.assertNotIn(started["token"], bus_channel)
        # Another visitor, on their own socket.
        bob = self.lc_start(name="Bob")
        operator_ws = self._operator_socket(operator)
        visitor_ws = self._visitor_socket(visitor, bus_channel)
        bob_ws = self._visitor_socket(visitor, bob["session"]["bus_channel"])

        # The visitor writes: the operator's web client hears it (the host's payload),
        # the visitor's widget hears it back in its own format.
        posted = self.lc_call(
            "/live_chat/session/post",
            {"session_id": session.id, "token": started["token"], "body": "Is it in stock?"},
        )["message"]
        self.trigger_notification_dispatching([session, bus_channel])
        (message,) = self._messages(self._receive(operator_ws, 1), session)
        self.assertEqual(message["id"], posted["id"])
        self.assertEqual(self._body(message), "<p>Is it in stock?</p>")
        self.assertEqual(message["author_guest_id"], guest.id)
        (own,) = self._payloads(self._receive(visitor_ws, 1, LC_MESSAGE))
        self.assertEqual(own, posted)
        self.assertEqual(
            own,
            {
                "session_id": session.id,
                "id": posted["id"],
                "author": "Ann",
                "author_avatar": None,
                "body": "<p>Is it in stock?</p>",
                "date": own["date"],
                "from_visitor": True,
                "kind": "message",
                "attachments": [],
                "reactions": [],
            },
        )

        # The operator answers from their chat window: the widget hears it.
        reply = self._operator_posts(operator, session, "Yes, 12 left.")
        self.trigger_notification_dispatching([session, bus_channel])
        received = self._receive(visitor_ws, 1, LC_MESSAGE)
        self._receive(operator_ws, 1)
        self.assertEqual(
            self._payloads(received),
            [
                {
                    "session_id": session.id,
                    "id": reply.id,
                    "author": "Olga",
                    "author_avatar": None,
                    "body": "<p>Yes, 12 left.</p>",
                    "date": self._payloads(received)[0]["date"],
                    "from_visitor": False,
                    "kind": "message",
                    "attachments": [],
                    "reactions": [],
                }
            ],
        )
        # Only the suite's format: none of the host's payloads reach the widget.
        received += self._drain(visitor_ws)
        # (The operator's answer says they have read what came before: "live_chat/seen".)
        self.assertEqual({n["message"]["type"] for n in received}, {LC_MESSAGE, "live_chat/seen"})
        # Another visitor's socket hears nothing of this session.
        self.trigger_notification_dispatching([bob["session"]["bus_channel"]])
        self.assertEqual(self._drain(bob_ws), [])

    def test_first_subscription_from_the_answer(self):
        """The widget's first subscription starts from the bus id that the session's
        answer gives (from 0, the host would search the bus's rows by date on each
        delivery): what the operator says next reaches it; a page view of the
        session gives it again."""
        operator = self._new_session(self.operator)
        visitor = self._new_session()
        started = self.lc_start(name="Ann")
        session = self.lc_session(started)
        bus_channel = started["session"]["bus_channel"]
        self.assertGreater(started["bus_last_id"], 0)
        self.assertLessEqual(started["bus_last_id"], self.env["bus.bus"]._bus_last_id())
        visitor_ws = self._visitor_socket(visitor, bus_channel, last=started["bus_last_id"])
        reply = self._operator_posts(operator, session, "Hello Ann")
        self.trigger_notification_dispatching([session, bus_channel])
        heard = []
        while reply.id not in heard:
            heard += [p["id"] for p in self._payloads(self._receive(visitor_ws, 1, LC_MESSAGE))]
        # From the answer's id, nothing of the session is missed: its first messages
        # (the welcome, the visitor's), written with the start, come too.
        self.assertEqual(set(heard), set(session.message_ids.ids))

        page = self.lc_call(
            f"/live_chat/init/{self.channel.id}",
            {"session_id": session.id, "token": started["token"]},
        )
        self.assertGreaterEqual(page["bus_last_id"], started["bus_last_id"])
        self.assertNotIn("bus_last_id", self.lc_call(f"/live_chat/init/{self.channel.id}", {}))

    def test_session_changes_and_notices(self):
        visitor = self._new_session()
        started = self.lc_start(name="Ann")
        session = self.lc_session(started)
        bus_channel = started["session"]["bus_channel"]
        visitor_ws = self._visitor_socket(visitor, bus_channel)
        colleague = self._create_operator("lc_ws_colleague", name="Carl Colleague")
        self.channel.user_ids += colleague

        # Another operator takes the session over: the widget is told.
        session.live_chat_operator_id = colleague
        self.trigger_notification_dispatching([bus_channel])
        (change,) = self._payloads(self._receive(visitor_ws, 1, LC_SESSION), LC_SESSION)
        self.assertEqual(change["id"], session.id)
        self.assertEqual(change["state"], "open")
        self.assertEqual(change["operator"]["name"], "Carl")

        # The operator corrects a message: the widget gets it again, same id.
        message = self._operator_says(session, "It ships on Monday.")
        self.trigger_notification_dispatching([bus_channel])
        self._receive(visitor_ws, 1, LC_MESSAGE)
        with _registry_test_lock:
            # As the host's edit route does it: the message in sudo, once checked.
            session.with_user(colleague)._message_update_content(
                message.sudo(), body=Markup("<p>It ships on Tuesday.</p>")
            )
        self.trigger_notification_dispatching([bus_channel])
        (edited,) = self._payloads(self._receive(visitor_ws, 1, LC_MESSAGE))
        self.assertEqual(edited["id"], message.id)
        self.assertIn("<p>It ships on Tuesday.", edited["body"])

        # The visitor ends the chat: told as "you", never by their pseudonym.
        self.lc_call(
            "/live_chat/session/close", {"session_id": session.id, "token": started["token"]}
        )
        self.trigger_notification_dispatching([bus_channel])
        received = self._receive(visitor_ws, 1, LC_MESSAGE) + self._drain(visitor_ws)
        (closed,) = self._payloads(received, LC_SESSION)
        self.assertEqual(closed["state"], "closed")
        (notice,) = self._payloads(received)
        self.assertEqual(notice["kind"], "closed")
        self.assertIs(notice["from_visitor"], True)
        self.assertEqual(notice["body"], "<p>You ended the chat.</p>")
        # The operator reads who left.
        stored = self.env["mail.message"].browse(notice["id"])
        self.assertIn("Ann left the conversation.", stored.body)
        # The same in the messages the widget fetches.
        fetched = self.lc_call(
            "/live_chat/session/messages", {"session_id": session.id, "token": started["token"]}
        )["messages"][-1]
        self.assertEqual(fetched, notice)

    def test_missed_messages_after_reconnection(self):
        visitor = self._new_session()
        started = self.lc_start(name="Ann")
        session = self.lc_session(started)
        bus_channel = started["session"]["bus_channel"]
        visitor_ws = self._visitor_socket(visitor, bus_channel)
        seen = self._operator_says(session, "One moment please.")
        self.trigger_notification_dispatching([bus_channel])
        received = self._receive(visitor_ws, 1, LC_MESSAGE) + self._drain(visitor_ws)
        self.assertEqual([m["id"] for m in self._payloads(received)], [seen.id])
        last = max(n["id"] for n in received)

        # The connection drops; the operator goes on writing.
        visitor_ws.close()
        self.wait_remaining_websocket_connections()
        missed = self._operator_says(session, "I found it.")
        missed |= self._operator_says(session, "It ships tomorrow.")
        self.env.cr.precommit.run()  # the notifications on the bus

        # Back with the last notification seen: the missed ones, once, in order.
        visitor_ws = self._visitor_socket(visitor, bus_channel, last=last)
        received = self._receive(visitor_ws, 2, LC_MESSAGE)
        self.trigger_notification_dispatching([bus_channel])
        received += self._drain(visitor_ws)
        messages = self._payloads(received)
        self.assertEqual([m["id"] for m in messages], missed.ids)
        self.assertEqual(
            [m["body"] for m in messages], ["<p>I found it.</p>", "<p>It ships tomorrow.</p>"]
        )
        self.assertNotIn(NEW_MESSAGE, {n["message"]["type"] for n in received})

        # The widget also asks the server what it missed, by message id.
        answer = self.lc_call(
            "/live_chat/session/messages",
            {"session_id": session.id, "token": started["token"], "after_id": seen.id},
        )
        self.assertEqual(answer["messages"], messages)
        self.assertIs(answer["has_newer"], False)
