import json
from datetime import timedelta
from unittest.mock import patch

from psycopg2 import IntegrityError

from odoo import Command, fields
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import SQL, mute_logger

from .common import LiveChatCommon, LiveChatOperatorCommon

CRON = "live_chat.ir_cron_live_chat_close_inactive_sessions"
JOINED = "discuss.channel/joined"


class LifecycleCommon(LiveChatCommon):
    def _payload(self, started, **payload):
        return {"session_id": started["session"]["id"], "token": started["token"], **payload}

    def _last_message(self, session):
        return session.message_ids.sorted("id")[-1]

    def _bus_notifications(self, kind):
        """The bus notifications of type ``kind`` sent by this transaction so far:
        (target, payload)."""
        self.env.cr.precommit.run()  # the host creates its bus.bus records then
        notifications = []
        for record in self.env["bus.bus"].sudo().search([]):
            message = json.loads(record.message)
            if message["type"] == kind:
                notifications.append((json.loads(record.channel), message["payload"]))
        return notifications


@tagged("post_install", "-at_install")
class TestAbandonedSessions(LifecycleCommon, LiveChatOperatorCommon, HttpCase):
    """The visitor's window pings; sessions whose visitor gave no sign of life for
    the channel's time are closed by a cron, and their operator is free again."""

    def _age(self, sessions, minutes):
        """Make ``sessions`` and their messages ``minutes`` old: their visitor's last
        sign of life was then."""
        then = fields.Datetime.now() - timedelta(minutes=minutes)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE discuss_channel SET live_chat_start_dt = %(then)s,"
                " live_chat_visitor_seen_dt = CASE WHEN live_chat_visitor_seen_dt IS NULL"
                " THEN NULL ELSE %(then)s END WHERE id IN %(ids)s",
                then=then,
                ids=tuple(sessions.ids),
            )
        )
        self.env.cr.execute(
            SQL(
                "UPDATE mail_message SET date = %s"
                " WHERE model = 'discuss.channel' AND res_id IN %s",
                then,
                tuple(sessions.ids),
            )
        )
        self.env.invalidate_all()

    def _run_cron(self):
        self.env.ref(CRON).method_direct_trigger()
        self.env.invalidate_all()

    def test_default_time(self):
        channel = self.env["live_chat.channel"].create({"name": "Defaults"})
        self.assertEqual(channel.inactivity_timeout, 5)

    def test_ping(self):
        started = self.lc_start(name="Ann")
        session = self.lc_session(started)
        self.assertFalse(session.live_chat_visitor_seen_dt)
        write_date = session.write_date
        bus_before = self.env["bus.bus"].sudo().search_count([])

        answer = self.lc_call("/live_chat/session/ping", self._payload(started))
        self.assertEqual(
            answer, {"state": "open", "last_message_id": self._last_message(session).id}
        )
        self.assertTrue(session.live_chat_visitor_seen_dt)
        self.assertEqual(session.write_date, write_date, "a ping is no change of the session")
        self.assertEqual(self.env["bus.bus"].sudo().search_count([]), bus_before, "nor news")

        # The widget learns that it missed the operator's reply.
        reply = session.with_user(self.operator).message_post(
            body="Still there?", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        answer = self.lc_call("/live_chat/session/ping", self._payload(started))
        self.assertEqual(answer["last_message_id"], reply.id)

        # Closed: said so, nothing recorded.
        self.lc_call("/live_chat/session/close", self._payload(started))
        seen = session.live_chat_visitor_seen_dt
        answer = self.lc_call("/live_chat/session/ping", self._payload(started))
        self.assertEqual(answer["state"], "closed")
        self.assertEqual(answer["last_message_id"], self._last_message(session).id)
        self.assertEqual(session.live_chat_visitor_seen_dt, seen)

    def test_ping_hostile(self):
        started = self.lc_start(name="Ann")
        other = self.lc_start(name="Bob")
        for payload, status in (
            ({}, 404),
            ({"session_id": started["session"]["id"]}, 404),
            (self._payload(started, token=other["token"]), 404),
            (self._payload(started, session_id="1"), 404),
            (self._payload(started, session_id=2**40), 404),
        ):
            with self.subTest(payload=payload):
                error = self.lc_call("/live_chat/session/ping", payload, status=status)["error"]
                self.assertEqual(error["code"], "not_found")
        response = self.lc_post("/live_chat/session/ping", data="[1, 2")
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.lc_session(started).live_chat_visitor_seen_dt)

    def test_abandoned_sessions_free_the_operator(self):
        """Five visitors closed their tabs: with the default limit of five sessions
        per operator, the button was gone for everyone. After the cron, their sessions
        are closed, the operator told, and the button back."""
        self.assertEqual(self.channel.max_sessions_per_operator, 5)
        started = [self.lc_start(name=f"Visitor {n}") for n in range(5)]
        sessions = self.env["discuss.channel"].browse(s["session"]["id"] for s in started)
        self.assertEqual(set(sessions.mapped("live_chat_operator_id")), {self.operator})
        # Full: a new visitor would wait in the queue (test_queue.py).
        self.assertFalse(self.channel._get_available_operator(), "the operator is full")

        # Their tabs closed 6 minutes ago: no ping, no message since.
        self.lc_call("/live_chat/session/ping", self._payload(started[0]))
        self._age(sessions, minutes=6)
        self._run_cron()

        self.assertEqual(set(sessions.mapped("live_chat_state")), {"closed"})
        self.assertTrue(all(sessions.mapped("live_chat_end_dt")))
        for session in sessions:
            notice = self._last_message(session)
            self.assertEqual(notice.message_type, "notification")
            self.assertIn(
                "The visitor left: the chat was closed after 5 minutes without activity.",
                notice.body,
            )
        self.assertEqual(self.channel._get_available_operator(), self.operator)
        init = self.lc_call(f"/live_chat/init/{self.channel.id}", {})
        self.assertIs(init["available"], True)
        # The visitor who comes back sees the session ended.
        info = self.lc_call("/live_chat/session/messages", self._payload(started[0]))
        self.assertEqual(info["session"]["state"], "closed")

    def test_cron_of_another_user(self):
        """An administrator may give the cron another user than the superuser: the
        sessions are closed all the same (the suite writes sessions in sudo only)."""
        self.env.ref(CRON).user_id = self.env.ref("base.user_admin")
        started = self.lc_start(name="Visitor")
        session = self.env["discuss.channel"].browse(started["session"]["id"])
        self._age(session, minutes=6)
        self._run_cron()
        self.assertEqual(session.live_chat_state, "closed")

    def test_signs_of_life(self):
        """A ping or a message within the channel's time keeps a session open."""
        started = {name: self.lc_start(name=name) for name in ("gone", "pinged", "wrote")}
        sessions = {name: self.lc_session(s) for name, s in started.items()}
        self._age(self.env["discuss.channel"].browse(s.id for s in sessions.values()), 10)
        self.lc_call("/live_chat/session/ping", self._payload(started["pinged"]))
        self.lc_call("/live_chat/session/post", self._payload(started["wrote"], body="Hi?"))
        # The operator's messages are no sign of the visitor's life.
        sessions["gone"].with_user(self.operator).message_post(
            body="Hello?", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        self._run_cron()
        self.assertEqual(
            {name: session.live_chat_state for name, session in sessions.items()},
            {"gone": "closed", "pinged": "open", "wrote": "open"},
        )

    def test_channel_time(self):
        """The channel's time applies; 0 never closes."""
        started = self.lc_start(name="Ann")
        session = self.lc_session(started)
        self.channel.inactivity_timeout = 30
        self._age(session, minutes=20)
        self._run_cron()
        self.assertEqual(session.live_chat_state, "open")
        self.channel.inactivity_timeout = 0
        self._age(session, minutes=600)
        self._run_cron()
        self.assertEqual(session.live_chat_state, "open")
        self.channel.inactivity_timeout = 15
        self._run_cron()
        self.assertEqual(session.live_chat_state, "closed")
        self.assertIn("after 15 minutes", self._last_message(session).body)

    def test_time_too_short(self):
        """The window pings every minute: under 2 minutes would close live sessions."""
        for minutes in (1, -5):
            with (
                self.subTest(minutes=minutes),
                self.assertRaises(IntegrityError),
                mute_logger("odoo.sql_db"),
                self.cr.savepoint(),
            ):
                self.channel.inactivity_timeout = minutes
                self.env.flush_all()

    def test_batches(self):
        """The cron closes in batches, committed one by one, until none is left."""
        sessions = self._create_sessions(self.channel, self.operator, count=5)
        closed = self._create_sessions(self.channel, self.operator, state="closed")
        self._age(sessions | closed, minutes=6)
        calls = []
        original = type(self.env["discuss.channel"])._live_chat_inactive_sessions

        def spy(model, limit):
            found = original(model, limit)
            calls.append(len(found))
            return found

        with (
            patch("odoo.addons.live_chat.models.discuss_channel.INACTIVE_BATCH_SIZE", 2),
            patch.object(type(self.env["discuss.channel"]), "_live_chat_inactive_sessions", spy),
        ):
            self._run_cron()
        self.assertEqual(calls, [3, 3, 1], "2 + 2 + 1 (one more row tells that some remain)")
        self.assertEqual(set(sessions.mapped("live_chat_state")), {"closed"})
        self.assertEqual(len(closed.message_ids), 0, "the closed one is left alone")


@tagged("post_install", "-at_install")
class TestHandOver(LifecycleCommon, HttpCase):
    """An operator who leaves never leaves a visitor talking to nobody: another
    operator of the channel takes over, or the visitor is told and the session ends."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.olga = cls._create_operator("lc_life_olga", name="Olga Operator")
        cls.bert = cls._create_operator("lc_life_bert", name="Bert Backup")
        cls.lc_manager = new_test_user(
            cls.env,
            "lc_life_manager",
            groups="base.group_user,live_chat.live_chat_group_manager",
            name="Mia Manager",
        )
        cls.user_admin = new_test_user(
            cls.env,
            "lc_life_user_admin",
            groups="base.group_user,base.group_erp_manager",
            name="Ada Access",
        )
        cls.channel = cls._create_channel(cls.olga | cls.bert)
        cls.group = cls.env.ref("live_chat.live_chat_group_user")

    def setUp(self):
        super().setUp()
        # Olga answers the visitor; Bert comes online afterwards.
        self._set_presence(self.olga)
        self.started = self.lc_start(name="Ann")
        self.session = self.lc_session(self.started)
        self.assertEqual(self.session.live_chat_operator_id, self.olga)
        self._set_presence(self.bert)

    def assertHandedOverToBert(self):
        session = self.session
        self.assertEqual(session.live_chat_state, "open")
        self.assertEqual(session.live_chat_operator_id, self.bert)
        self.assertIn(self.bert.partner_id, session.channel_member_ids.partner_id)
        self.assertNotIn(self.olga.partner_id, session.channel_member_ids.partner_id)
        notice = self._last_message(session)
        self.assertEqual(notice.message_type, "notification")
        self.assertEqual(notice.author_id, self.bert.partner_id)
        # The visitor sees the first name of the operator, not their full name.
        self.assertIn("Bert joined the chat.", notice.body)
        # The session pops up in Bert's chat window, like a new one.
        joined = [
            payload
            for target, payload in self._bus_notifications(JOINED)
            if target[1:] == ["res.partner", self.bert.partner_id.id]
        ]
        self.assertEqual([payload["channel_id"] for payload in joined], [session.id])
        # The visitor sees the notice and the new operator.
        info = self.lc_call("/live_chat/session/messages", self._payload(self.started))
        self.assertEqual(info["session"]["operator"]["name"], "Bert")
        self.assertEqual(info["messages"][-1]["id"], notice.id)
        changed = [payload for _target, payload in self._bus_notifications("live_chat/session")]
        self.assertEqual(changed[-1]["operator"]["partner_id"], self.bert.partner_id.id)
        # Bert answers.
        session.with_user(self.bert).message_post(
            body="I am taking over.", message_type="comment", subtype_xmlid="mail.mt_comment"
        )

    def test_leave_command(self):
        self.session.with_user(self.olga).execute_command_leave()
        self.assertHandedOverToBert()

    def test_leave_the_conversation(self):
        self.session.with_user(self.olga).action_unfollow()
        self.assertHandedOverToBert()

    def test_removed_from_the_channel(self):
        self.channel.with_user(self.lc_manager).user_ids = [Command.unlink(self.olga.id)]
        self.assertHandedOverToBert()

    def test_leaves_the_channel(self):
        self.channel.with_user(self.olga).action_leave()
        self.assertHandedOverToBert()

    def test_loses_the_group(self):
        self.olga.with_user(self.user_admin).group_ids = [Command.unlink(self.group.id)]
        self.assertFalse(self.olga.has_group("live_chat.live_chat_group_user"))
        self.assertHandedOverToBert()

    def test_removed_from_the_group(self):
        self.group.with_user(self.user_admin).user_ids = [Command.unlink(self.olga.id)]
        self.assertHandedOverToBert()

    def test_archived(self):
        self.olga.with_user(self.user_admin).action_archive()
        self.assertHandedOverToBert()

    def test_nobody_else(self):
        """Nobody else available (Bert away): the visitor is told, the session ends."""
        self._set_presence(self.bert, status="away")
        self.session.with_user(self.olga).action_unfollow()
        self.assertEqual(self.session.live_chat_state, "closed")
        self.assertEqual(self.session.live_chat_operator_id, self.olga)
        notice = self._last_message(self.session)
        self.assertEqual(notice.message_type, "notification")
        self.assertIn("The operator left and nobody else is available right now", notice.body)
        info = self.lc_call("/live_chat/session/messages", self._payload(self.started))
        self.assertEqual(info["session"]["state"], "closed")
        self.assertEqual(info["messages"][-1]["id"], notice.id)
        error = self.lc_call(
            "/live_chat/session/post", self._payload(self.started, body="Hello?"), status=409
        )["error"]
        self.assertEqual(error["code"], "session_closed")

    def test_full_colleague(self):
        """A colleague at the channel's limit does not take over."""
        self.channel.max_sessions_per_operator = 1
        self._create_sessions(self.channel, self.bert, count=1)
        self.olga.with_user(self.user_admin).action_archive()
        self.assertEqual(self.session.live_chat_state, "closed")

    def test_closed_sessions_stay(self):
        """Leaving a closed session hands nothing over."""
        self.session.with_user(self.olga).action_live_chat_close()
        self.session.with_user(self.olga).action_unfollow()
        self.assertEqual(self.session.live_chat_operator_id, self.olga)
        self.assertNotIn(self.bert.partner_id, self.session.channel_member_ids.partner_id)
        self.assertFalse(
            self.session.message_ids.filtered(lambda m: "joined the chat" in (m.body or ""))
        )

    def test_other_members_leave(self):
        """Someone who is not the session's operator leaves: nothing changes."""
        self.session._add_members(users=self.lc_manager, post_joined_message=False)
        self.session.with_user(self.lc_manager).action_unfollow()
        self.assertEqual(self.session.live_chat_operator_id, self.olga)
        self.assertIn(self.olga.partner_id, self.session.channel_member_ids.partner_id)
