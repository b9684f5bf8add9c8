import threading
import uuid
from contextlib import closing
from datetime import datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time
from psycopg2.errors import SerializationFailure

from odoo import SUPERUSER_ID, Command, api, sql_db
from odoo.exceptions import ConcurrencyError
from odoo.orm.environments import Transaction
from odoo.tests import HttpCase, TransactionCase, tagged

from .common import LiveChatCommon, LiveChatOperatorCommon
from .test_lifecycle import JOINED, LifecycleCommon

QUEUE_STATUS = "/live_chat/queue/status"


@tagged("post_install", "-at_install")
class TestQueue(LifecycleCommon, LiveChatOperatorCommon, HttpCase):
    """Every operator busy: new visitors wait in the queue, first come first served,
    and are connected as soon as a place is free."""

    operator_name = "Queue Operator"
    channel_values = {"name": "Queued", "max_sessions_per_operator": 1}

    def _status(self, started, status=200):
        return self.lc_call(
            QUEUE_STATUS,
            {"session_id": started["session"]["id"], "token": started["token"]},
            status=status,
        )

    def test_queue_places_and_connection(self):
        first = self.lc_start(body="First visitor")
        self.assertEqual(first["session"]["state"], "open")
        self.assertNotIn("queue", first["session"])
        # The operator is at their limit: the channel stays available, to wait.
        init = self.lc_call(f"/live_chat/init/{self.channel.id}", {"url": "https://x.example/"})
        self.assertTrue(init["available"])
        second = self.lc_start(body="Second visitor, hello")
        third = self.lc_start(body="Third visitor")
        self.assertEqual(second["session"]["state"], "waiting")
        self.assertEqual(second["session"]["queue"]["position"], 1)
        self.assertEqual(third["session"]["queue"]["position"], 2)
        self.assertGreaterEqual(third["session"]["queue"]["wait_minutes"], 1)
        waiting = self.lc_session(second)
        self.assertFalse(waiting.live_chat_operator_id)
        # No welcome message from nobody; the operator is not a member yet.
        self.assertEqual([m["body"] for m in second["messages"]], ["<p>Second visitor, hello</p>"])
        self.assertNotIn(self.operator.partner_id, waiting.channel_member_ids.partner_id)
        # The waiting visitor writes on.
        self.lc_call(
            "/live_chat/session/post",
            {"session_id": waiting.id, "token": second["token"], "body": "Still there?"},
        )
        self.assertEqual(self._status(third)["position"], 2)

        # The first chat ends: the operator's place goes to the first in the queue.
        self.lc_call(
            "/live_chat/session/close",
            {"session_id": first["session"]["id"], "token": first["token"]},
        )
        self.assertEqual(waiting.live_chat_state, "open")
        self.assertEqual(waiting.live_chat_operator_id, self.operator)
        self.assertIn(self.operator.partner_id, waiting.channel_member_ids.partner_id)
        self.assertTrue(waiting.live_chat_assigned_dt)
        bodies = waiting._live_chat_message_records().mapped("body")
        self.assertIn("<p>Second visitor, hello</p>", bodies)
        self.assertIn("<p>Still there?</p>", bodies)
        # The operator's name as visitors see it: their first name.
        self.assertIn("Queue joined the chat.", bodies[-1])
        self.assertEqual(
            self._status(second),
            {
                "state": "open",
                "session_id": waiting.id,
                "position": 0,
                "wait_minutes": 0,
            },
        )
        self.assertEqual(self._status(third)["position"], 1)
        # The session pops up in the operator's chat window; the visitor hears of the
        # operator, the one behind of their new place.
        joined = [
            payload["channel_id"]
            for target, payload in self._bus_notifications(JOINED)
            if target[1:] == ["res.partner", self.operator.partner_id.id]
        ]
        self.assertEqual(joined[-1], waiting.id)
        changed = [p for _t, p in self._bus_notifications("live_chat/session")]
        self.assertIn(
            {
                "id": waiting.id,
                "state": "open",
                "operator": {
                    "name": self.operator._live_chat_public_name(),
                    "avatar": None,
                    "partner_id": self.operator.partner_id.id,
                },
            },
            changed,
        )
        places = [
            (target, payload)
            for target, payload in self._bus_notifications("live_chat/queue")
            if payload["session_id"] == third["session"]["id"]
        ]
        self.assertEqual(places[-1][1]["position"], 1)
        self.assertEqual(places[-1][0][1], self.lc_session(third)._live_chat_bus_channel())
        # The queue moves on only as places free up: the limit holds.
        self.assertEqual(self.lc_session(third).live_chat_state, "waiting")

    def test_new_operator_online_takes_the_queue_on_ping(self):
        self.lc_start(body="First visitor")
        second = self.lc_start(body="Second visitor")
        waiting = self.lc_session(second)
        self.assertEqual(waiting.live_chat_state, "waiting")
        helper = self._create_operator("lc_queue_helper", name="Helper Operator")
        self.channel.user_ids = [Command.link(helper.id)]
        self._set_presence(helper)
        answer = self.lc_call(
            "/live_chat/session/ping", {"session_id": waiting.id, "token": second["token"]}
        )
        self.assertEqual(answer["state"], "open")
        self.assertEqual(waiting.live_chat_operator_id, helper)

    def test_waiting_visitor_who_leaves_leaves_the_queue(self):
        self.lc_start(body="First visitor")
        second = self.lc_start(body="Second visitor")
        third = self.lc_start(body="Third visitor")
        # The second one closes the tab: no ping for longer than the channel's time.
        self.env.cr.execute(
            "UPDATE discuss_channel SET live_chat_start_dt = now() at time zone 'UTC'"
            " - interval '1 hour', live_chat_visitor_seen_dt = NULL WHERE id = %s",
            [second["session"]["id"]],
        )
        self.env.cr.execute(
            "UPDATE mail_message SET date = date - interval '1 hour'"
            " WHERE model = 'discuss.channel' AND res_id = %s",
            [second["session"]["id"]],
        )
        self.env.ref("live_chat.ir_cron_live_chat_close_inactive_sessions").method_direct_trigger()
        self.assertEqual(self.lc_session(second).live_chat_state, "closed")
        self.assertEqual(self._status(third)["position"], 1)
        # Leaving by the window's "End chat" too.
        self.lc_call(
            "/live_chat/session/close",
            {"session_id": third["session"]["id"], "token": third["token"]},
        )
        self.assertEqual(self.lc_session(third).live_chat_state, "closed")

    def test_waiting_visitor_who_leaves_a_message_leaves_the_queue(self):
        self.channel.write({"offline_mode": "form", "offline_email": "support@example.com"})
        self.lc_start(body="First visitor")
        second = self.lc_start(body="Second visitor")
        third = self.lc_start(body="Third visitor")
        self.assertEqual(self._status(third)["position"], 2)
        answer = self.lc_call(
            f"/live_chat/offline/{self.channel.id}",
            {
                "name": "Vira",
                "email": "vira@example.com",
                "message": "Call me back, please",
                "reason": "queue",
                "session_id": second["session"]["id"],
                "token": second["token"],
            },
        )
        self.assertTrue(answer["confirmation"])
        waiting = self.lc_session(second)
        self.assertEqual(waiting.live_chat_state, "closed")
        self.assertIn(
            f"{waiting.live_chat_visitor_name} left a message instead of waiting",
            waiting._live_chat_message_records().mapped("body")[-1],
        )
        # The place is freed: the one behind moves up, and is told.
        self.assertEqual(self._status(third)["position"], 1)
        places = [
            p["position"]
            for _t, p in self._bus_notifications("live_chat/queue")
            if p["session_id"] == third["session"]["id"]
        ]
        self.assertEqual(places[-1], 1)

    def test_last_operator_goes_offline(self):
        first = self.lc_start(body="First visitor")
        second = self.lc_start(body="Second visitor")
        waiting = self.lc_session(second)
        self._set_presence(self.operator, "offline")
        self.env["discuss.channel"]._cron_live_chat_queue()
        offers = [
            (target[1], payload)
            for target, payload in self._bus_notifications("live_chat/offline_form")
        ]
        self.assertEqual(
            offers,
            [(waiting._live_chat_bus_channel(), {"session_id": waiting.id, "reason": "queue"})],
        )
        self.assertIn("no operator is online any more", waiting.message_ids[0].body)
        info = self.lc_call(
            "/live_chat/session/messages", {"session_id": waiting.id, "token": second["token"]}
        )
        self.assertEqual(info["session"]["offline_form"], "queue")
        self.assertEqual(info["session"]["state"], "waiting")
        # Once; and the visitor may still wait for an operator.
        self.env["discuss.channel"]._cron_live_chat_queue()
        self.assertEqual(len(self._bus_notifications("live_chat/offline_form")), 1)
        self._set_presence(self.operator)
        self.lc_session(first).with_user(self.operator).action_live_chat_close()
        self.assertEqual(waiting.live_chat_state, "open")
        self.assertEqual(waiting.live_chat_operator_id, self.operator)
        self.assertNotIn("offline_form", waiting._live_chat_visitor_info())

    def test_no_queue_without_an_operator_online(self):
        self._set_presence(self.operator, "offline")
        response = self.lc_post(
            "/live_chat/session/start", {"channel_id": self.channel.id, "body": "Anyone?"}
        )
        self.assertEqual(response.status_code, 503, response.text)
        self.assertEqual(response.json()["error"]["code"], "no_operator")

    def test_no_queue_when_the_channel_says_so(self):
        self.channel.queue_enabled = False
        self.lc_start(body="First visitor")
        response = self.lc_post(
            "/live_chat/session/start", {"channel_id": self.channel.id, "body": "Me too"}
        )
        self.assertEqual(response.status_code, 503, response.text)
        init = self.lc_call(f"/live_chat/init/{self.channel.id}", {"url": "https://x.example/"})
        self.assertFalse(init["available"])

    def test_wait_estimate_from_recent_sessions(self):
        # Recent sessions of 10 minutes, one operator with one place: 10 min a place.
        self._create_sessions(
            self.channel,
            self.operator,
            count=3,
            state="closed",
            live_chat_start_dt=datetime.now() - timedelta(minutes=30),
            live_chat_end_dt=datetime.now() - timedelta(minutes=20),
        )
        self.lc_start(body="First visitor")
        second = self.lc_start(body="Second visitor")
        third = self.lc_start(body="Third visitor")
        self.assertEqual(second["session"]["queue"]["wait_minutes"], 10)
        self.assertEqual(third["session"]["queue"]["wait_minutes"], 20)

    def test_states_in_the_order_of_a_session(self):
        # The session form's status bar shows them in this order.
        states = self.env["discuss.channel"].fields_get(["live_chat_state"])["live_chat_state"]
        self.assertEqual(
            [value for value, _label in states["selection"]], ["waiting", "open", "closed"]
        )


@tagged("post_install", "-at_install")
class TestQueueSecurity(LiveChatOperatorCommon, HttpCase):
    """The queue's public route: hostile input, floods, another visitor's place."""

    channel_values = {"name": "Queued Securely", "max_sessions_per_operator": 1}

    def test_garbage(self):
        for data, status in (
            (b"not json", 400),
            (b"[1, 2]", 400),
            (b'{"session_id": "1", "token": "x"}', 404),
            (b'{"session_id": true, "token": "x"}', 404),
            (b'{"session_id": 99999999999, "token": "x"}', 404),
            (b'{"session_id": 1, "token": ["x"]}', 404),
            (b'{"session_id": 1, "token": "\xc3\xa9\\u0000"}', 404),
            (b"{" * 5000, 400),
            (b'{"x": "' + b"a" * 20000 + b'"}', 413),
        ):
            response = self.lc_post(QUEUE_STATUS, data=data)
            self.assertEqual(response.status_code, status, (data[:40], response.text))
            self.assertIn("error", response.json())

    def test_another_visitors_place(self):
        self.lc_start(body="First visitor")
        mine = self.lc_start(body="Me")
        theirs = self.lc_start(body="Them")
        # My token does not open their place, nor their session.
        for route in (QUEUE_STATUS, "/live_chat/session/close", "/live_chat/session/ping"):
            response = self.lc_post(
                route, {"session_id": theirs["session"]["id"], "token": mine["token"]}
            )
            self.assertEqual(response.status_code, 404, response.text)
        self.assertEqual(self.lc_session(theirs).live_chat_state, "waiting")
        # The place numbers say nothing about the others but their count before me.
        status = self.lc_call(
            QUEUE_STATUS, {"session_id": mine["session"]["id"], "token": mine["token"]}
        )
        self.assertEqual(set(status), {"state", "session_id", "position", "wait_minutes"})
        # A new visitor never jumps ahead of those waiting.
        late = self.lc_start(body="Late")
        self.assertEqual(late["session"]["queue"]["position"], 3)

    def test_another_visitor_cannot_end_my_place_by_a_message(self):
        self.channel.write({"offline_mode": "form", "offline_email": "support@example.com"})
        self.lc_start(body="First visitor")
        mine = self.lc_start(body="Me")
        theirs = self.lc_start(body="Them")
        other_channel = self._create_channel(self.operator, "Elsewhere")
        message = {
            "name": "Mallory",
            "email": "mallory@example.com",
            "message": "Bye",
            "reason": "queue",
        }
        route = f"/live_chat/offline/{self.channel.id}"
        for session, status in (
            ({"session_id": theirs["session"]["id"], "token": mine["token"]}, 404),
            ({"session_id": theirs["session"]["id"]}, 404),
            ({"token": theirs["token"]}, 404),
            ({"session_id": str(theirs["session"]["id"]), "token": theirs["token"]}, 404),
            ({"session_id": theirs["session"]["id"], "token": 42}, 404),
        ):
            response = self.lc_post(route, {**message, **session})
            self.assertEqual(response.status_code, status, (session, response.text))
        # Their session on the form of another channel: no such session there.
        response = self.lc_post(
            f"/live_chat/offline/{other_channel.id}",
            {**message, "session_id": theirs["session"]["id"], "token": theirs["token"]},
        )
        self.assertEqual(response.status_code, 404, response.text)
        self.assertEqual(self.lc_session(theirs).live_chat_state, "waiting")
        self.assertEqual(self.lc_session(mine).live_chat_state, "waiting")
        # With my own token, my place only.
        self.lc_call(
            route, {**message, "session_id": mine["session"]["id"], "token": mine["token"]}
        )
        self.assertEqual(self.lc_session(mine).live_chat_state, "closed")
        self.assertEqual(self.lc_session(theirs).live_chat_state, "waiting")

    def test_flood(self):
        self.env["ir.config_parameter"].set_param("live_chat.rate_limit.messages_session", "3")
        self.lc_start(body="First visitor")
        mine = self.lc_start(body="Me")
        payload = {"session_id": mine["session"]["id"], "token": mine["token"]}
        for _i in range(3):
            self.lc_call(QUEUE_STATUS, payload)
        response = self.lc_post(QUEUE_STATUS, payload)
        self.assertEqual(response.status_code, 429, response.text)
        self.assertEqual(response.json()["error"]["code"], "rate_limited")


@tagged("post_install", "-at_install")
class TestUnansweredChats(LiveChatCommon, TransactionCase):
    """An operator who does not answer in time: the session is offered to the next
    one (the first keeps the window), then the visitor may leave a message."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.first = cls._create_operator("lc_unanswered_1", name="First Operator")
        cls.second = cls._create_operator("lc_unanswered_2", name="Second Operator")
        cls.channel = cls._create_channel(
            cls.first | cls.second, "Unanswered", unanswered_timeout=60
        )

    def _start(self):
        # The first operator, chosen before the second (their id, with equal loads).
        self._set_presence(self.first)
        session, _guest = self.channel._start_visitor_session(text="Hello?", name="Vera")
        self._set_presence(self.second)
        return session

    def test_offered_to_the_next_then_the_offline_form(self):
        start = datetime(2026, 12, 3, 10, 0, 0)
        with freeze_time(start):
            session = self._start()
        self.assertEqual(session.live_chat_operator_id, self.first)
        sent = []
        original = type(session)._live_chat_bus_send

        def capture(record, notification_type, payload):
            sent.append((notification_type, payload))
            return original(record, notification_type, payload)

        Sessions = self.env["discuss.channel"]
        with freeze_time(start + timedelta(seconds=59)):
            Sessions._cron_live_chat_queue()
        self.assertEqual(session.live_chat_operator_id, self.first)
        with freeze_time(start + timedelta(seconds=61)):
            with patch.object(type(session), "_live_chat_bus_send", capture):
                Sessions._cron_live_chat_queue()
        self.assertEqual(session.live_chat_operator_id, self.second)
        # The first operator keeps the window; the visitor is told.
        members = session.channel_member_ids.partner_id
        self.assertIn(self.first.partner_id, members)
        self.assertIn(self.second.partner_id, members)
        self.assertIn(
            ("live_chat/session", session._live_chat_session_format()),
            [(t, p) for t, p in sent if t == "live_chat/session"],
        )
        # The visitor reads it on their bus.
        told = [p["body"] for t, p in sent if t == "live_chat/message"]
        # The operator's name as visitors see it: their first name.
        self.assertTrue(any("Second joined the chat." in body for body in told), told)
        bodies = session._live_chat_message_records().mapped("body")
        self.assertIn("offered to Second too", bodies[-2])
        self.assertIn("Second joined the chat.", bodies[-1])
        # The second does not answer either: nobody is left, the visitor gets the form.
        with freeze_time(start + timedelta(seconds=61 + 30)):
            Sessions._cron_live_chat_queue()
        self.assertEqual(session.live_chat_operator_id, self.second)
        sent.clear()
        with freeze_time(start + timedelta(seconds=61 + 61)):
            with patch.object(type(session), "_live_chat_bus_send", capture):
                Sessions._cron_live_chat_queue()
        self.assertEqual(session.live_chat_state, "open")
        self.assertEqual(session.live_chat_operator_id, self.second)
        self.assertTrue(session.live_chat_unanswered_dt)
        self.assertIn(
            ("live_chat/offline_form", {"session_id": session.id, "reason": "unanswered"}), sent
        )
        self.assertEqual(session._live_chat_visitor_info()["offline_form"], "unanswered")
        # Once.
        with freeze_time(start + timedelta(minutes=10)):
            self.assertFalse(Sessions._live_chat_move_unanswered())

    def test_an_answer_stops_it(self):
        start = datetime(2026, 12, 3, 10, 0, 0)
        with freeze_time(start):
            session = self._start()
        with freeze_time(start + timedelta(seconds=30)):
            session.with_user(self.first).message_post(
                body="Hi Vera!", message_type="comment", subtype_xmlid="mail.mt_comment"
            )
        with freeze_time(start + timedelta(minutes=5)):
            self.assertFalse(self.env["discuss.channel"]._live_chat_move_unanswered())
        self.assertEqual(session.live_chat_operator_id, self.first)

    def test_off_by_default(self):
        self.channel.unanswered_timeout = 0
        start = datetime(2026, 12, 3, 10, 0, 0)
        with freeze_time(start):
            self._start()
        with freeze_time(start + timedelta(hours=1)):
            self.assertFalse(self.env["discuss.channel"]._live_chat_move_unanswered())


@tagged("post_install", "-at_install")
class TestQueueConcurrency(TransactionCase):
    """Two workers free a place at the same moment (each closes its operator's
    session, in a transaction of its own, for real): each waiting visitor gets exactly
    one operator, and no operator more than their limit."""

    def _fixture(self):
        dbname, registry = self.env.cr.dbname, self.registry
        with closing(sql_db.db_connect(dbname).cursor()) as cr:
            cr.transaction = Transaction(registry)
            env = api.Environment(cr, SUPERUSER_ID, {})
            fixture = self._committed_fixture(env)
            cr.commit()  # pylint: disable=invalid-commit
        self.addCleanup(self._cleanup, dbname, registry, fixture)
        return fixture

    def _at_once(self, work, session_ids):
        """Run ``work(session)`` for each session at the same moment, each in a
        transaction of its own (its snapshot taken before the others commit), replayed
        after a serialization failure as the host replays a request."""
        dbname, registry = self.env.cr.dbname, self.registry
        barrier = threading.Barrier(len(session_ids))
        errors = []

        def run(session_id):
            try:
                with closing(sql_db.db_connect(dbname).cursor()) as cr:
                    cr.transaction = Transaction(registry)
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    session = env["discuss.channel"].browse(session_id)
                    env.cr.execute("SELECT 1")  # the snapshot: before the other commits
                    barrier.wait(timeout=30)
                    for _attempt in range(20):
                        try:
                            work(session)
                            cr.commit()  # pylint: disable=invalid-commit
                            return
                        except (ConcurrencyError, SerializationFailure):
                            cr.rollback()
                            env.invalidate_all()
                    errors.append("gave up")
            except Exception as error:  # noqa: BLE001 - reported by the test
                errors.append(repr(error))

        threads = [threading.Thread(target=run, args=(sid,)) for sid in session_ids]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        self.assertFalse([t for t in threads if t.is_alive()], "a worker hung")
        self.assertEqual(errors, [])

    def _committed_states(self, session_ids):
        with closing(sql_db.db_connect(self.env.cr.dbname).cursor()) as cr:
            cr.execute(
                "SELECT id, live_chat_state, live_chat_operator_id FROM discuss_channel"
                " WHERE id IN %s ORDER BY id",
                [tuple(session_ids)],
            )
            return cr.fetchall()

    def test_two_places_freed_at_once(self):
        fixture = self._fixture()
        self._at_once(lambda session: session._live_chat_close("Bye."), fixture["open_sessions"])
        rows = self._committed_states(fixture["waiting"])
        self.assertEqual([state for _id, state, _op in rows], ["open", "open", "waiting"])
        self.assertEqual(sorted(op for _id, _state, op in rows[:2]), sorted(fixture["operators"]))
        with closing(sql_db.db_connect(self.env.cr.dbname).cursor()) as cr:
            cr.execute(
                "SELECT live_chat_operator_id, count(*) FROM discuss_channel"
                " WHERE live_chat_channel_id = %s AND live_chat_state = 'open'"
                " GROUP BY live_chat_operator_id",
                [fixture["channel"]],
            )
            self.assertEqual(sorted(n for _op, n in cr.fetchall()), [1, 1])

    def test_waiting_visitors_ping_at_once(self):
        """One place free (an operator came online, say): the three waiting visitors
        ping at the same moment; the first in the queue gets it, only them."""
        fixture = self._fixture()
        with closing(sql_db.db_connect(self.env.cr.dbname).cursor()) as cr:
            # The first operator's chat ended without the queue being told.
            cr.execute(
                "UPDATE discuss_channel SET live_chat_state = 'closed' WHERE id = %s"
                " RETURNING live_chat_operator_id",
                [fixture["open_sessions"][0]],
            )
            free_operator = cr.fetchone()[0]
            cr.commit()  # pylint: disable=invalid-commit
        self._at_once(lambda session: session._live_chat_ping(), fixture["waiting"])
        rows = self._committed_states(fixture["waiting"])
        self.assertEqual(
            [(state, op) for _id, state, op in rows],
            [("open", free_operator), ("waiting", None), ("waiting", None)],
        )

    @staticmethod
    def _committed_fixture(env):
        operators = env["res.users"].create(
            [
                {
                    "name": f"Concurrent Operator {n}",
                    "login": f"lc_queue_concurrent_{n}_{uuid.uuid4().hex}",
                    "group_ids": [Command.link(env.ref("base.group_user").id)],
                }
                for n in (1, 2)
            ]
        )
        channel = env["live_chat.channel"].create(
            {
                "name": "Concurrent queue",
                "user_ids": [Command.set(operators.ids)],
                "max_sessions_per_operator": 1,
            }
        )
        for operator in operators:
            env["mail.presence"].create({"user_id": operator.id, "status": "online"})
        open_sessions = [
            channel._start_visitor_session(text=f"Visitor {n}", name=f"V{n}")[0].id for n in (1, 2)
        ]
        waiting = [
            channel._start_visitor_session(text=f"Waiting {n}", name=f"W{n}")[0].id
            for n in (1, 2, 3)
        ]
        return {
            "channel": channel.id,
            "operators": operators.ids,
            "open_sessions": open_sessions,
            "waiting": waiting,
        }

    @staticmethod
    def _cleanup(dbname, registry, fixture):
        with closing(sql_db.db_connect(dbname).cursor()) as cr:
            cr.transaction = Transaction(registry)
            env = api.Environment(cr, SUPERUSER_ID, {})
            channel = env["live_chat.channel"].browse(fixture["channel"])
            channel.session_ids.write({"live_chat_state": "closed"})
            channel.active = False
            env["mail.presence"].search([("user_id", "in", fixture["operators"])]).unlink()
            env["res.users"].browse(fixture["operators"]).active = False
            cr.commit()  # pylint: disable=invalid-commit
