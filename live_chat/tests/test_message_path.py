import json
import re
import select
import time
from unittest.mock import patch

import psycopg2
from markupsafe import Markup

from odoo import sql_db
from odoo.tests import HttpCase, TransactionCase, new_test_user, tagged

from odoo.addons.bus.models.bus import BusBus as HostBusBus
from odoo.addons.mail.models.mail_message import MailMessage
from odoo.addons.mail.models.mail_message_schedule import MailMessageSchedule
from odoo.addons.mail.models.mail_thread import MailThread

from ..controllers.init_cache import INIT_CACHE
from ..models import discuss_channel_post as lean_post
from ..models.bus_bus import notify_connection
from .common import PIXEL_PNG, LiveChatCommon, LiveChatOperatorCommon

DATE_RE = re.compile(r"^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d")
# What the two paths may write differently: ids, dates, the generated Message-Id.
IGNORED_MESSAGE_FIELDS = {"id", "res_id", "create_date", "write_date", "date", "message_id"}


@tagged("post_install", "-at_install")
class TestMessagePath(LiveChatOperatorCommon, HttpCase):
    """A session's messages take the suite's lean path (discuss_channel_post.py): the
    same records and bus notifications as the host's message_post, in fewer queries."""

    def setUp(self):
        super().setUp()
        self.authenticate(None, None)  # the test's requests are the visitor's
        # Two sessions of the same visitor (the same guest) with the same operator:
        # one for each path.
        self.started = self.lc_start(name="Ann")
        self.again = self.lc_start(
            name="Ann", guest_token=self.started["guest"]["token"], body="Hello again"
        )
        self.host_session = self.lc_session(self.started)
        self.lean_session = self.lc_session(self.again)
        # What the workers keep (reply values, the plain-create check) computed afresh:
        # the test's changes are not committed, the registry's caches not signaled.
        lean_post.clear_worker_cache()
        self.addCleanup(lean_post.clear_worker_cache)
        self.assertEqual(
            self.host_session.live_chat_visitor_guest_id,
            self.lean_session.live_chat_visitor_guest_id,
        )
        # Web push configured, with a device of the operator's (sent nowhere: recorded).
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("mail.web_push_vapid_private_key", "private")
        params.set_param("mail.web_push_vapid_public_key", "public")
        self.env["mail.push.device"].sudo().create(
            {
                "partner_id": self.operator.partner_id.id,
                "endpoint": "https://push.example.com/operator",
                "keys": json.dumps({"p256dh": "x", "auth": "y"}),
            }
        )

    # ------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------

    def _post(self, session, by_visitor, host, body="Yes it is"):
        """Post in ``session`` by the host's path (``host``) or the suite's (the
        operator's ``body``); return the message, the bus notifications and the web
        pushes it made."""
        session = session.with_context(live_chat_host_post=host)
        pushes = []

        def record_push(
            thread, devices, private_key, public_key, payload_by_lang=None, payload=None
        ):
            pushes.append((sorted(devices.partner_id.ids), payload))

        # An older last interest: the post changes it (and says so on the bus).
        session.sudo().last_interest_dt = "2020-01-01 00:00:00"
        self.env.flush_all()
        self.env.cr.precommit.run()  # what is pending goes out first
        last_bus_id = self.env["bus.bus"].sudo()._bus_last_id()
        with patch.object(MailThread, "_web_push_send_notification", record_push):
            if by_visitor:
                message = session.sudo()._live_chat_post_visitor_message("Is it in stock?")
            else:
                message = (
                    session.with_user(self.operator)
                    .with_context(temporary_id=0.5)
                    .sudo()
                    .message_post(
                        # What the web client's composer sends.
                        body=body,
                        message_type="comment",
                        subtype_xmlid="mail.mt_comment",
                        email_add_signature=True,
                    )
                )
        self.env.flush_all()
        self.env.cr.precommit.run()  # the bus rows are written before the commit
        notifications = self.env["bus.bus"].sudo().search([("id", ">", last_bus_id)], order="id")
        self.env.invalidate_all()
        return message, notifications, pushes

    def _normalize(self, value, ids):
        """``value`` (JSON-like) with the ids of ``ids`` named and dates masked."""
        if isinstance(value, dict):
            return {
                # The bus's last id before the post: what the host reads, not an id to map.
                key: "<bus id>"
                if key == "message_unread_counter_bus_id"
                else self._normalize(item, ids)
                for key, item in value.items()
            }
        if isinstance(value, list | tuple):
            return [self._normalize(item, ids) for item in value]
        if isinstance(value, str):
            if DATE_RE.match(value):
                return "<date>"
            if value.startswith("live_chat:"):
                return "<visitor channel>"
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return ids.get(value, value)
        return value

    def _ids(self, session, message):
        members = session.channel_member_ids
        return {
            session.id: "<session>",
            message.id: "<message>",
            message.id + 1: "<message + 1>",
            **{
                member.id: f"<member {member.partner_id.name or member.guest_id.name}>"
                for member in members
            },
        }

    def _state(self, session, message, notifications, pushes):
        """What the post left: the message, the members, notifications, bus, pushes."""
        ids = self._ids(session, message)
        # The rows as written, not the cache of the post.
        self.env.invalidate_all()
        message_values = {
            # Written by both, with their own values.
            name: bool(value) if name in IGNORED_MESSAGE_FIELDS else value
            for name, value in message.sudo()
            .read([name for name, field in message._fields.items() if field.store])[0]
            .items()
        }
        members = [
            {
                "persona": member.partner_id.name or member.guest_id.name,
                "seen": ids.get(member.seen_message_id.id, bool(member.seen_message_id)),
                "fetched": ids.get(member.fetched_message_id.id, bool(member.fetched_message_id)),
                "separator": ids.get(member.new_message_separator, "<older>"),
                "unread": member.message_unread_counter,
                "last_seen_dt": bool(member.last_seen_dt),
                "unpin_dt": bool(member.unpin_dt),
            }
            for member in session.channel_member_ids.sorted(lambda m: bool(m.partner_id))
        ]
        # The author's unread counter comes with the bus's last id before the post's.
        bus_ids = [
            int(bus_id)
            for notification in notifications
            for bus_id in re.findall(
                r'"message_unread_counter_bus_id":\s*(\d+)', notification.message
            )
        ]
        self.assertTrue(bus_ids)
        self.assertTrue(all(0 < bus_id < notifications[0].id for bus_id in bus_ids))
        bus = [
            self._normalize(
                {"channel": json.loads(n.channel), "message": json.loads(n.message)}, ids
            )
            for n in notifications
        ]
        return {
            "message": self._normalize(message_values, ids),
            "members": members,
            "mail.notification": self.env["mail.notification"]
            .sudo()
            .search_count([("mail_message_id", "=", message.id)]),
            # At the message (the host sets it before creating the message, the lean
            # path after: a second apart when a second starts in between).
            "last_interest_dt": abs(session.last_interest_dt - message.date).total_seconds() <= 1,
            "bus": bus,
            "web push": self._normalize(pushes, ids),
        }

    # ------------------------------------------------------------
    # Tests
    # ------------------------------------------------------------

    def test_same_result_as_the_host(self):
        """Visitor's and operator's messages, each by both paths, one after the other:
        the same message, member state, notifications, bus payloads and web push. The
        lean path writes the message's row itself (create_message), or through the
        host's create when it cannot tell what that would write."""
        self.assertTrue(lean_post._plain_create_possible(self.env["mail.message"]))
        # Which sessions' messages the host's create made: the lean path's own INSERT
        # must be what the first comparison compares.
        created_for = []
        host_create = MailMessage.create

        def create(messages, vals_list):
            vals_list = vals_list if isinstance(vals_list, list) else [vals_list]
            created_for.extend(values.get("res_id") for values in vals_list)
            return host_create(messages, vals_list)

        with patch.object(MailMessage, "create", create):
            self._same_result_as_the_host()
            self.assertIn(self.host_session.id, created_for)
            self.assertNotIn(self.lean_session.id, created_for)
            lean_post.clear_worker_cache()
            with patch.object(lean_post, "_plain_create_possible", lambda messages: False):
                self._same_result_as_the_host()
            self.assertIn(self.lean_session.id, created_for)

    def test_operator_answer_as_the_host(self):
        """The answer of the web client's post route to an operator's reply (the
        message as the web client shows it at once) is the host's: the lean path's
        message is formatted with its post's values, without searching for a scheduled
        notification (it has none)."""
        self.authenticate("lc_operator", "lc_operator")
        # The messages whose scheduled notifications the host's format searched for.
        searched = []
        host_search = MailMessageSchedule.search

        def search(schedules, domain, *args, **kwargs):
            searched.extend(
                message_id
                for condition in domain
                if isinstance(condition, list | tuple) and condition[0] == "mail_message_id"
                for message_id in condition[2]
            )
            return host_search(schedules, domain, *args, **kwargs)

        answers, messages = {}, {}
        for name, session, host in (
            ("host", self.host_session, True),
            ("lean", self.lean_session, False),
        ):
            with patch.object(MailMessageSchedule, "search", search):
                answer = self.make_jsonrpc_request(
                    "/mail/message/post",
                    {
                        "thread_model": "discuss.channel",
                        "thread_id": session.id,
                        "post_data": {
                            "body": "Yes it is",
                            "email_add_signature": True,
                            "message_type": "comment",
                            "subtype_xmlid": "mail.mt_comment",
                        },
                        "context": {"live_chat_host_post": host},
                    },
                )
            message = messages[name] = self.env["mail.message"].browse(answer["message_id"])
            self.assertEqual(message.res_id, session.id)
            answers[name] = self._normalize(answer, self._ids(session, message))
        formatted = answers["lean"]["store_data"]["mail.message"]
        self.assertEqual([values["scheduledDatetime"] for values in formatted], [False])
        self.assertEqual(answers["lean"], answers["host"])
        # The host's answer searched for its message's schedule, the lean path's did not.
        self.assertIn(messages["host"].id, searched)
        self.assertNotIn(messages["lean"].id, searched)

    def test_plain_create_only_over_the_host(self):
        """The message's row is written by the suite only when the host's create would
        write nothing else: no other override of it, no default that the lean path
        does not give, no user default."""
        messages = self.env["mail.message"]
        self.assertTrue(lean_post._plain_create_possible(messages))
        self.env["ir.default"].set("mail.message", "subject", "Hello")
        self.assertFalse(lean_post._plain_create_possible(messages))

    def _same_result_as_the_host(self):
        for by_visitor in (True, False, False, True):
            with self.subTest(by_visitor=by_visitor):
                host = self._state(
                    self.host_session, *self._post(self.host_session, by_visitor, True)
                )
                lean = self._state(
                    self.lean_session, *self._post(self.lean_session, by_visitor, False)
                )
                # The session's new last interest is on the bus too.
                self.assertIn("last_interest_dt", json.dumps(host["bus"]))
                if by_visitor:
                    # The visitor's message reached the operator's device.
                    self.assertTrue(host["web push"])
                self.assertEqual(lean, host)

    def test_message_links_as_the_host(self):
        """An operator's message with a link to another message (the web client's
        message link): the same linked message in the notifications by both paths (a
        message without a link has none, which the lean path knows without parsing its
        body: test_same_result_as_the_host)."""
        linked = self.operator.partner_id.message_post(body="Order 42", message_type="comment")
        body = Markup(
            '<p>About <a href="/mail/message/%(id)s" class="o_message_redirect" '
            'data-oe-model="mail.message" data-oe-id="%(id)s">this order</a></p>'
        ) % {"id": linked.id}
        host = self._state(self.host_session, *self._post(self.host_session, False, True, body))
        lean = self._state(self.lean_session, *self._post(self.lean_session, False, False, body))
        # The linked message's own record goes with the message.
        self.assertIn('{"id": %d, "model": "res.partner"' % linked.id, json.dumps(host["bus"]))
        self.assertEqual(lean, host)

    def test_web_push_recipients_as_the_host(self):
        """An operator busy, or who muted the session, gets no web push of a visitor's
        message, by either path; back available and unmuted, they get it again."""
        operator_members = (self.host_session | self.lean_session).channel_member_ids.filtered(
            lambda member: member.partner_id == self.operator.partner_id
        )
        self.assertEqual(len(operator_members), 2)
        states = {
            "busy": lambda on: self.operator.write({"manual_im_status": "busy" if on else False}),
            "muted": lambda on: operator_members.write(
                {"mute_until_dt": "2999-01-01 00:00:00" if on else False}
            ),
        }
        for state, set_state in states.items():
            for on in (True, False):
                with self.subTest(state=state, on=on):
                    set_state(on)
                    for session, host in ((self.host_session, True), (self.lean_session, False)):
                        pushes = self._post(session, True, host)[2]
                        self.assertEqual(bool(pushes), not on, "host path" if host else "lean")

    def test_reply_to_of_each_session(self):
        """With a mail alias domain, each session's messages have the host's reply-to
        (the catchall address, under the author's name)."""
        self.env["mail.alias.domain"].search([]).unlink()  # no leftover of the company's
        self.env.company.alias_domain_id = self.env["mail.alias.domain"].create(
            {"name": "chat.example.com"}
        )
        self.lean_session.sudo().name = "Ann (second chat)"
        # The test's changes are not committed: the registry's caches are not signaled.
        lean_post.clear_worker_cache()
        with patch.object(MailThread, "_web_push_send_notification"):
            for session in (self.host_session, self.lean_session):
                lean = session.sudo()._live_chat_post_visitor_message("Hello")
                host = (
                    session.sudo()
                    .with_context(live_chat_host_post=True)
                    ._live_chat_post_visitor_message("Hello")
                )
                self.assertIn("chat.example.com", host.reply_to)
                self.assertEqual(lean.reply_to, host.reply_to)

    def test_host_path_for_other_posts(self):
        """What the lean path does not know (attachments, mentions, replies...) takes
        the host's path."""
        session = self.lean_session
        self.assertTrue(session._live_chat_can_post_lean({"body": "x", "message_type": "comment"}))
        self.assertTrue(session._live_chat_can_post_lean({"body": "x", "partner_ids": []}))
        composer = {"body": "x", "message_type": "comment", "subtype_xmlid": "mail.mt_comment"}
        self.assertTrue(session._live_chat_can_post_lean({**composer, "email_add_signature": True}))
        for kwargs in (
            {"body": "x", "attachment_ids": [1]},
            {"body": "x", "partner_ids": [self.operator.partner_id.id]},
            {"body": "x", "parent_id": 1},
            {"body": "x", "message_type": "email"},
            {"body": "x", "subtype_xmlid": "mail.mt_note"},
            {"body": "x", "scheduled_date": "2030-01-01 00:00:00"},
        ):
            with self.subTest(kwargs=kwargs):
                self.assertFalse(session._live_chat_can_post_lean(kwargs))

    def test_image_in_the_body_by_the_host_create(self):
        """An image inlined in the body (a data URL, as a pasted picture) becomes a
        file of the message, as the host's create makes it: the lean path lets the
        host write such a message."""
        with patch.object(MailThread, "_web_push_send_notification"):
            message = (
                self.lean_session.with_user(self.operator)
                .sudo()
                .message_post(
                    body=Markup('<p><img src="data:image/png;base64,%s"></p>') % PIXEL_PNG,
                    message_type="comment",
                    subtype_xmlid="mail.mt_comment",
                )
            )
        self.assertEqual(len(message.attachment_ids), 1)
        self.assertIn("/web/image/%s" % message.attachment_ids.id, str(message.body))
        self.assertNotIn("base64", str(message.body))


@tagged("post_install", "-at_install")
class TestMessagePathQueries(LiveChatOperatorCommon, HttpCase):
    """The queries of a message, counted as a worker serves it: caches warm (a first
    request of the same kind before counting), the record cache of the request cold.
    Raise a figure only with a reason: each query is paid on every message."""

    def _operator_post(self, session, body):
        return self.make_jsonrpc_request(
            "/mail/message/post",
            {
                "thread_model": "discuss.channel",
                "thread_id": session.id,
                # What the web client's composer sends.
                "post_data": {
                    "body": body,
                    "email_add_signature": True,
                    "message_type": "comment",
                    "subtype_xmlid": "mail.mt_comment",
                },
                "context": {"temporary_id": 0.5},
            },
        )

    def test_queries(self):
        # The worker's cache of /init's answers and channels' allowed websites, on as in
        # production (off while other tests run).
        self.patch(INIT_CACHE, "enabled_in_tests", True)
        INIT_CACHE.clear()
        self.addCleanup(INIT_CACHE.clear)
        self.authenticate(None, None)
        # A first start: the caches of a worker that served one.
        self.lc_start(name="Warm", start_key="w" * 22)
        self.env.flush_all()
        # As the widget starts: with its start key, looked for first (the same start
        # sent twice), then given in the session's INSERT. The session's answer
        # includes what the operators have seen (members) and the bus's newest id
        # (the widget's first subscription). 24 with live_chat alone; the bridges
        # (website, Helpdesk, CRM) add their own.
        with self.assertQueryCount(27):
            started = self.lc_start(name="Ann", start_key="a" * 22)
        session = self.lc_session(started)
        post = {"session_id": session.id, "token": started["token"], "body": "Hi"}
        self.lc_call("/live_chat/session/post", post)
        self.env.flush_all()
        with self.assertQueryCount(5):
            self.lc_call("/live_chat/session/post", post)

        self.authenticate("lc_operator", "lc_operator")
        self._operator_post(session, "Hello")  # the first answer: one UPDATE more
        self.env.flush_all()
        # The answer formats the message with its post's values: no search of a
        # scheduled notification (10 until then); the route checks the session for
        # posting only (9 until then: controllers/thread.py), and finds and reads it
        # in one query (7 until then: _get_thread_with_access); the post checks that
        # the operator works the session (their member, found with the session's row:
        # 6 until then), and reads the operator's user and partner in one query (7
        # until then: res_users.py).
        with self.assertQueryCount(5):
            self._operator_post(session, "How can I help?")


@tagged("post_install", "-at_install")
class TestSelfMember(LiveChatCommon, TransactionCase):
    """A session's member of the current user or guest (``self_member_id``, which the
    host's rules read through ``is_member`` on each access check) is found in one plain
    query (discuss_channel.py): the host's value, for every kind of persona."""

    @staticmethod
    def _host_self_members(channels):
        """The host's computation: its read_group as superuser over ``is_self``."""
        groups = (
            channels.env["discuss.channel.member"]
            .sudo()
            ._read_group(
                [("channel_id", "in", channels.ids), ("is_self", "=", True)],
                ["channel_id"],
                ["id:max"],
            )
        )
        return {channel.id: member_id for channel, member_id in groups}

    def test_same_member_as_the_host(self):
        operator = self._create_operator("lc_self_operator")
        colleague = self._create_operator("lc_self_colleague")
        employee = new_test_user(self.env, "lc_self_employee", groups="base.group_user")
        channel = self._create_channel(operator | colleague)
        guest, other_guest = self.env["mail.guest"].create([{"name": "Ann"}, {"name": "Bob"}])
        open_session, closed_session = self._create_sessions(channel, operator, count=2)
        closed_session.live_chat_state = "closed"
        group = self.env["discuss.channel"]._create_group(partners_to=operator.partner_id.ids)
        self.env["discuss.channel.member"].create(
            [
                {"channel_id": session.id, **values}
                for session in (open_session, closed_session)
                for values in ({"partner_id": operator.partner_id.id}, {"guest_id": guest.id})
            ]
        )
        channels = open_session | closed_session | group
        public = self.env.ref("base.public_user")
        personas = {
            "operator": self.env(user=operator),
            "colleague": self.env(user=colleague),
            "employee": self.env(user=employee),
            "the visitor": self.env(user=public, context={"guest": guest}),
            "another guest": self.env(user=public, context={"guest": other_guest}),
            "public, no guest": self.env(user=public),
        }
        sessions = open_session | closed_session
        for name, env in personas.items():
            with self.subTest(persona=name):
                expected = self._host_self_members(channels.with_env(env))
                env.invalidate_all()
                # The sessions' values without the host's read_group.
                with patch.object(
                    type(self.env["discuss.channel.member"]),
                    "_read_group",
                    side_effect=AssertionError("the host's read_group"),
                ):
                    found = {
                        session.id: session.self_member_id.id for session in sessions.with_env(env)
                    }
                found[group.id] = group.with_env(env).self_member_id.id
                self.assertEqual(
                    {key: value for key, value in found.items() if value},
                    expected,
                )
                # The web client's check of a session finds it with the session's row,
                # before the rules' check (whatever its answer).
                env.invalidate_all()
                for session in sessions.with_env(env):
                    env["discuss.channel"]._get_thread_with_access(session.id)
                    with self.assertQueryCount(0):
                        self.assertEqual(session.self_member_id.id, expected.get(session.id, False))
        self.assertTrue(open_session.with_user(operator).is_member)
        self.assertFalse(open_session.with_user(colleague).is_member)

    def test_a_users_partner_not_written_yet(self):
        """The user's partner as the ORM has it, as the host's ``is_self`` takes it: a
        change of the transaction not written yet counts (the suite's query reads the
        user's partner in SQL)."""
        operator = self._create_operator("lc_self_partner_operator")
        channel = self._create_channel(operator)
        session = self._create_sessions(channel, operator)
        self.env["discuss.channel.member"].create(
            {"channel_id": session.id, "partner_id": operator.partner_id.id}
        )
        other = self.env["res.partner"].create({"name": "Another partner"})
        self.env.flush_all()
        operator.partner_id = other
        env = self.env(user=operator)
        session = session.with_env(env)
        self.assertEqual(self._host_self_members(session), {})
        session.invalidate_recordset(["self_member_id"], flush=False)
        self.assertFalse(session.self_member_id)
        session.invalidate_recordset(["self_member_id"], flush=False)
        env["discuss.channel"]._get_thread_with_access(session.id)
        self.assertFalse(session.self_member_id)


@tagged("post_install", "-at_install")
class TestThreadAccess(LiveChatCommon, TransactionCase):
    """The check of a thread named by the web client (``_get_thread_with_access``)
    finds and reads a session in one query (discuss_channel.py): the host's answer for
    every persona, mode and kind of channel, a query less on a session."""

    def test_same_answer_as_the_host(self):
        operator = self._create_operator("lc_access_operator")
        colleague = self._create_operator("lc_access_colleague")
        manager = new_test_user(
            self.env,
            "lc_access_manager",
            groups="base.group_user,live_chat.live_chat_group_manager",
        )
        employee = new_test_user(self.env, "lc_access_employee", groups="base.group_user")
        portal = new_test_user(self.env, "lc_access_portal", groups="base.group_portal")
        channel = self._create_channel(operator | colleague)
        guest = self.env["mail.guest"].create({"name": "Ann"})
        open_session, closed_session, archived_session = self._create_sessions(
            channel, operator, count=3, live_chat_visitor_guest_id=guest.id
        )
        closed_session.live_chat_state = "closed"
        archived_session.active = False
        sessions = open_session | closed_session | archived_session
        self.env["discuss.channel.member"].create(
            [
                {"channel_id": session.id, **values}
                for session in sessions
                for values in ({"partner_id": operator.partner_id.id}, {"guest_id": guest.id})
            ]
        )
        group = self.env["discuss.channel"]._create_group(partners_to=operator.partner_id.ids)
        missing = (
            max(self.env["discuss.channel"].with_context(active_test=False).search([]).ids) + 1
        )
        public = self.env.ref("base.public_user")
        personas = {
            "operator": self.env(user=operator),
            "colleague": self.env(user=colleague),
            "manager": self.env(user=manager),
            "employee": self.env(user=employee),
            "portal": self.env(user=portal),
            "the visitor": self.env(user=public, context={"guest": guest}),
        }
        allowed = set()
        for name, env in personas.items():
            for thread_id in [*sessions.ids, group.id, missing]:
                for mode in ("read", "write"):
                    with self.subTest(persona=name, thread=thread_id, mode=mode):
                        env.invalidate_all()
                        expected = MailThread._get_thread_with_access(
                            env["discuss.channel"], thread_id, mode=mode
                        )
                        env.invalidate_all()
                        found = env["discuss.channel"]._get_thread_with_access(thread_id, mode=mode)
                        self.assertEqual(found, expected)
                        if found:
                            allowed.add((name, thread_id, mode))
        # Not a check that allows nothing: the operator reads and writes their
        # sessions; a visitor reaches none through the host's routes.
        self.assertIn(("operator", open_session.id, "write"), allowed)
        self.assertIn(("operator", archived_session.id, "read"), allowed)
        self.assertNotIn(("the visitor", open_session.id, "read"), allowed)
        self.assertNotIn(("employee", open_session.id, "read"), allowed)
        # A query less than the host's on a session (the same on other channels).
        env = personas["operator"]
        for thread_id, fewer in ((open_session.id, 1), (group.id, 0)):
            env.invalidate_all()
            before = self.cr.sql_log_count
            MailThread._get_thread_with_access(env["discuss.channel"], thread_id)
            host_queries = self.cr.sql_log_count - before
            env.invalidate_all()
            with self.assertQueryCount(host_queries - fewer):
                env["discuss.channel"]._get_thread_with_access(thread_id)

    def test_reads_a_session_as_the_orm_fetches_it(self):
        """The session's row is read by a statement built once (``fetch_row``), as the
        ORM's fetch reads it: what the transaction wrote and did not flush yet stays in
        the cache, not flushed first (an UPDATE more per request: flushed, it made the
        statement of every column a write of its own)."""
        operator = self._create_operator("lc_fetch_operator")
        channel = self._create_channel(operator)
        guest = self.env["mail.guest"].create({"name": "Ann"})
        session = self._create_sessions(
            channel, operator, live_chat_visitor_guest_id=guest.id, live_chat_visitor_token="t" * 32
        )
        operator_env = self.env(user=operator)
        reads = {
            "visitor": lambda: self.env["discuss.channel"]._live_chat_find_session(
                session.id, "t" * 32
            ),
            "operator": lambda: operator_env["discuss.channel"]._get_thread_with_access(session.id),
        }
        for read in reads.values():
            read()  # the caches of a worker that served one (access rights, rules)
        self.env.invalidate_all()
        session.live_chat_visitor_name = "Ann, not flushed"
        for name, read in reads.items():
            with self.subTest(name):
                with self.assertQueryCount(1, flush=False):
                    found = read()
                self.assertEqual(found, session)
                self.assertEqual(found.live_chat_visitor_name, "Ann, not flushed")
        # Not lost either: written with the transaction's next flush.
        self.env.invalidate_all()
        self.assertEqual(session.live_chat_visitor_name, "Ann, not flushed")


@tagged("post_install", "-at_install")
class TestBusNotify(TransactionCase):
    """The bus's NOTIFY after a commit goes through one connection kept open per
    process (models/bus_bus.py), not a new connection each time."""

    def _notifies(self, listener, channel):
        """The NOTIFY payloads that ``listener`` receives within 5 s naming ``channel``."""
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            select.select([listener], [], [], 0.2)
            listener.poll()
            payloads = [n.payload for n in listener.notifies if channel in n.payload]
            if payloads:
                return payloads
        return []

    def test_notify_on_a_kept_connection(self):
        _dbname, params = sql_db.connection_info_for("postgres")
        listener = psycopg2.connect(**params)
        self.addCleanup(listener.close)
        listener.autocommit = True
        listener.cursor().execute("LISTEN imbus")
        connections = []
        for attempt in range(2):
            channel = f"live_chat:test-notify-{attempt}-{self.env.cr.now().timestamp()}"
            self.env["bus.bus"]._sendone(channel, "live_chat/test", {})
            self.env.cr.precommit.run()  # the bus rows (rolled back with the test)
            self.env.cr.postcommit.run()  # what the commit would run: the NOTIFY
            self.assertTrue(self._notifies(listener, channel))
            connections.append(notify_connection._cnx)
        self.assertTrue(connections[0])
        self.assertIs(connections[0], connections[1], "the same connection, kept")
        self.assertFalse(connections[0].closed)


@tagged("post_install", "-at_install")
class TestBusPoll(TransactionCase):
    """The websockets' poll of the bus is one plain query (models/bus_bus.py) that
    returns what the host's returns."""

    def test_same_notifications_as_the_host(self):
        bus = self.env["bus.bus"]
        partner = self.env["res.partner"].create({"name": "Polled"})
        other = self.env["res.partner"].create({"name": "Not polled"})
        first = bus._bus_last_id()
        bus._sendone("live_chat:poll-test", "live_chat/test", {"n": 1})
        bus._sendone(partner, "live_chat/test", {"n": 2, "text": 'é " <b>'})
        bus._sendone((partner, "typing"), "live_chat/test", {"n": 3})
        bus._sendone(other, "live_chat/test", {"n": 4})
        bus._sendone(partner, "live_chat/test", {"n": 5})
        self.env.cr.precommit.run()  # the bus rows (rolled back with the test)
        self.env.cr.postcommit.clear()
        created = bus.search([("id", ">", first)], order="id").ids
        self.assertEqual(len(created), 5)
        channels = ["live_chat:poll-test", partner, (partner, "typing")]
        cases = [
            (channels, 0, None),  # a first poll: the last seconds
            (channels, first, None),
            (channels, first, [created[1]]),  # already sent: ignored
            (channels, created[2], []),
            ([other], first, None),
            ([], first, None),
            (channels + [partner], first, None),  # a channel twice: its rows once
        ]
        for channels_, last, ignore_ids in cases:
            with self.subTest(channels=channels_, last=last, ignore_ids=ignore_ids):
                ours = bus._poll(channels_, last, ignore_ids)
                host = HostBusBus._poll(bus, channels_, last, ignore_ids)
                self.assertEqual(ours, host)
        ours = bus._poll(channels, first, [created[1]])
        self.assertEqual([n["message"]["payload"]["n"] for n in ours], [1, 3, 5])

    def test_poll_reads_its_channels_rows(self):
        """A poll reads the rows of its socket's channels, not every row newer than its
        last id (nor, on a first poll, the whole table): thousands of rows per poll at a
        hundred messages per second, with the host's table indexed on its id only.
        Whatever the number of channels: an operator's socket has two per open session."""
        bus = self.env["bus.bus"]
        partner = self.env["res.partner"].create({"name": "Polled"})
        first = bus._bus_last_id()
        bus._sendone(partner, "live_chat/test", {"n": 1})
        self.env.cr.precommit.run()
        self.env.cr.postcommit.clear()
        # Other sockets' notifications since: 3,000 rows (rolled back with the test).
        self.env.cr.execute(
            """INSERT INTO bus_bus (channel, message, create_date)
               SELECT '["other", ' || n || ']', '{}', now() AT TIME ZONE 'UTC'
                 FROM generate_series(1, 3000) n"""
        )
        self.env.cr.execute("ANALYZE bus_bus")
        operator = [partner, *(f"live_chat:quiet-{n}" for n in range(44))]
        for channels, last in (
            ([partner], first),
            ([partner], 0),
            (operator, first),
            (operator, 0),
        ):
            with self.subTest(channels=len(channels), last=last):
                self.assertEqual(len(bus._poll(channels, last)), 1)
                poll = self.env.cr._obj.query.decode()
                self.env.cr.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + poll)
                nodes = [self.env.cr.fetchone()[0][0]["Plan"]]
                read = 0
                while nodes:
                    node = nodes.pop()
                    nodes += node.get("Plans", [])
                    self.assertNotEqual(node["Node Type"], "Seq Scan")
                    if node.get("Relation Name") == "bus_bus":
                        rows = node.get("Rows Removed by Filter", 0) + node["Actual Rows"]
                        read += rows * node["Actual Loops"]
                self.assertLess(read, 10, "the poll read %s rows for 1 notification" % read)

    def test_same_rows_as_the_host(self):
        """The bus's rows, written in one INSERT before the commit, are those the
        host's ORM create writes, in the same order."""
        bus = self.env["bus.bus"]
        partner = self.env["res.partner"].create({"name": "Notified"})

        def send_and_write(writer):
            first = bus._bus_last_id()
            bus._sendone(partner, "live_chat/test", {"n": 1, "text": 'é " <b>'})
            bus._sendone("live_chat:rows-test", "live_chat/test", {"n": 2})
            bus._sendone((partner, "typing"), "live_chat/test", {"n": 3})
            # The rows are written by ``writer`` (the suite's INSERT or the host's).
            self.assertIn(writer, [func.__name__ for func in self.env.cr.precommit._funcs])
            self.env.cr.precommit.run()
            self.env.cr.postcommit.clear()
            rows = bus.search_read(
                [("id", ">", first)],
                ["channel", "message", "create_uid", "create_date", "write_uid", "write_date"],
                order="id",
            )
            return [{key: value for key, value in row.items() if key != "id"} for row in rows]

        self.assertTrue(bus._bus_plain_insert())
        ours = send_and_write("_bus_insert_rows")
        with patch.object(type(bus), "_bus_plain_insert", lambda self: False):
            host = send_and_write("create_bus")
        self.assertEqual(len(host), 3)
        self.assertEqual(ours, host)
