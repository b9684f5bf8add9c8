import json
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged

from .test_lifecycle import JOINED, LifecycleCommon

TRANSIENT = "discuss.channel/transient_message"


@tagged("post_install", "-at_install")
class TestTransfer(LifecycleCommon, HttpCase):
    """From the session's window an operator hands the session to a colleague or to
    another channel, or asks a colleague to join; the visitor is told."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.olga = cls._create_operator("lc_tr_olga", name="Olga Operator")
        cls.bert = cls._create_operator("lc_tr_bert", name="Bert Backup")
        cls.carl = cls._create_operator("lc_tr_carl", name="Carl Sales")
        cls.dora = cls._create_operator("lc_tr_dora", name="Dora Offline")
        cls.employee = new_test_user(
            cls.env, "lc_tr_employee", groups="base.group_user", name="Eve Employee"
        )
        cls.channel = cls._create_channel(cls.olga | cls.bert | cls.dora)
        cls.sales = cls._create_channel(cls.carl, name="Sales")
        cls.empty = cls._create_channel(cls.dora, name="Nobody here")

    def setUp(self):
        super().setUp()
        self._set_presence(self.olga)
        self.started = self.lc_start(name="Ann")
        self.session = self.lc_session(self.started)
        self.assertEqual(self.session.live_chat_operator_id, self.olga)
        self._set_presence(self.bert | self.carl)

    def _as(self, user):
        return self.session.with_user(user)

    def _members(self):
        return self.session.channel_member_ids.partner_id

    def _visitor_sees(self):
        return self.lc_call("/live_chat/session/messages", self._payload(self.started))

    def _joined(self, user):
        return [
            payload["channel_id"]
            for target, payload in self._bus_notifications(JOINED)
            if target[1:] == ["res.partner", user.partner_id.id]
        ]

    def test_targets(self):
        targets = self._as(self.olga).live_chat_transfer_targets()
        # Online operators who are not in the session; channels with one of them.
        self.assertEqual([u["name"] for u in targets["users"]], ["Bert Backup", "Carl Sales"])
        self.assertEqual([c["name"] for c in targets["channels"]], ["Sales"])

    def test_colleague_on_time_off(self):
        """A colleague on time off is offered no session by hand either, when their
        channel follows time off: the same rule as for a new session."""
        now = fields.Datetime.now()
        self._create_time_off(self.bert, now - timedelta(hours=1), now + timedelta(days=1))
        olga = self._as(self.olga)
        self.assertEqual(
            [u["name"] for u in olga.live_chat_transfer_targets()["users"]], ["Carl Sales"]
        )
        for method in ("action_live_chat_transfer", "action_live_chat_invite"):
            with (
                self.subTest(method=method),
                self.assertRaisesRegex(UserError, "Bert Backup is not an available"),
            ):
                getattr(olga, method)(user_id=self.bert.id)
        self.assertEqual(self.channel._live_chat_online_operator_count(), 1, "Olga only")
        # A channel that does not follow time off gives Bert sessions, and colleagues.
        self.channel.follow_time_off = False
        self.assertEqual(
            [u["name"] for u in olga.live_chat_transfer_targets()["users"]],
            ["Bert Backup", "Carl Sales"],
        )
        self.assertEqual(self.channel._live_chat_online_operator_count(), 2)
        olga.action_live_chat_transfer(user_id=self.bert.id)
        self.assertEqual(self.session.live_chat_operator_id, self.bert)

    def test_transfer_to_operator(self):
        self._as(self.olga).action_live_chat_transfer(user_id=self.bert.id)
        session = self.session
        self.assertEqual(session.live_chat_operator_id, self.bert)
        self.assertIn(self.bert.partner_id, self._members())
        self.assertNotIn(self.olga.partner_id, self._members(), "the previous operator left")
        # The session opens in Bert's chat window, with its history.
        self.assertEqual(self._joined(self.bert), [session.id])
        notice = self._last_message(session)
        self.assertEqual(notice.author_id, self.bert.partner_id)
        seen = self._visitor_sees()
        self.assertEqual(seen["session"]["operator"]["name"], "Bert")
        self.assertEqual(seen["messages"][-1]["id"], notice.id)
        self.assertIn("Bert joined the chat.", seen["messages"][-1]["body"])
        # Bert answers; Olga can no longer act on the session.
        self._as(self.bert).message_post(
            body="I am taking over.", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        with self.assertRaises(AccessError):
            self._as(self.olga).action_live_chat_transfer(user_id=self.carl.id)

    def test_transfer_to_channel(self):
        self._as(self.olga).action_live_chat_transfer(channel_id=self.sales.id)
        session = self.session
        self.assertEqual(session.live_chat_channel_id, self.sales)
        self.assertEqual(session.live_chat_operator_id, self.carl)
        self.assertEqual(
            self._members() - session.live_chat_visitor_partner_id, self.carl.partner_id
        )
        self.assertEqual(self._joined(self.carl), [session.id])
        self.assertEqual(self._visitor_sees()["session"]["operator"]["name"], "Carl")

    def test_notice_in_the_visitors_language(self):
        self.env["res.lang"]._activate_lang("uk_UA")
        self.session.live_chat_lang = "uk_UA"
        self._as(self.olga).action_live_chat_transfer(user_id=self.bert.id)
        notice = self._last_message(self.session)
        self.assertIn("Bert", notice.body)
        self.assertNotIn("joined the chat", notice.body)

    def test_invite(self):
        self._as(self.olga).action_live_chat_invite(user_id=self.bert.id)
        session = self.session
        self.assertEqual(session.live_chat_operator_id, self.olga, "the operator stays")
        self.assertTrue({self.olga.partner_id, self.bert.partner_id} <= set(self._members()))
        self.assertEqual(self._joined(self.bert), [session.id])
        self.assertIn("Bert joined the chat.", self._visitor_sees()["messages"][-1]["body"])
        # Both answer; the colleague may hand the session on too.
        self._as(self.bert).message_post(
            body="Hello, I help Olga.", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        self._as(self.bert).action_live_chat_transfer(user_id=self.carl.id)
        self.assertEqual(session.live_chat_operator_id, self.carl)

    def test_refusals(self):
        olga = self._as(self.olga)
        cases = [
            ({"user_id": self.dora.id}, "Dora Offline is not an available"),
            ({"user_id": self.employee.id}, "Eve Employee is not an available"),
            ({"user_id": self.olga.id}, "Olga Operator is already in this chat."),
            ({"user_id": 999999999}, "Choose an operator."),
            ({"user_id": "1"}, "Choose an operator."),
            ({"user_id": True}, "Choose an operator."),
            ({}, "Choose an operator."),
            ({"channel_id": self.empty.id}, "Nobody is available in the channel Nobody here"),
            ({"channel_id": 999999999}, "Choose a live chat channel."),
            ({"channel_id": [1]}, "Choose a live chat channel."),
        ]
        for kwargs, message in cases:
            with self.subTest(kwargs=kwargs), self.assertRaisesRegex(UserError, message):
                olga.action_live_chat_transfer(**kwargs)
        with self.assertRaisesRegex(UserError, "Dora Offline is not an available"):
            olga.action_live_chat_invite(user_id=self.dora.id)
        self.assertEqual(self.session.live_chat_operator_id, self.olga)
        # A closed session is neither transferred nor joined.
        olga.action_live_chat_close()
        for method, kwargs in (
            ("action_live_chat_transfer", {"user_id": self.bert.id}),
            ("action_live_chat_invite", {"user_id": self.bert.id}),
            ("live_chat_transfer_targets", {}),
        ):
            with self.subTest(method=method), self.assertRaisesRegex(UserError, "has ended"):
                getattr(olga, method)(**kwargs)

    def test_access(self):
        """Only the session's operators (or a Live Chat administrator) transfer or
        invite: not another operator, not an internal user, not the visitor."""
        public = self.env.ref("base.public_user")
        for user in (self.bert, self.employee, public):
            for method, kwargs in (
                ("action_live_chat_transfer", {"user_id": self.carl.id}),
                ("action_live_chat_transfer", {"channel_id": self.sales.id}),
                ("action_live_chat_invite", {"user_id": self.carl.id}),
                ("live_chat_transfer_targets", {}),
                ("execute_command_close", {}),
                ("execute_command_history", {}),
            ):
                with self.subTest(user=user.name, method=method), self.assertRaises(AccessError):
                    getattr(self._as(user), method)(**kwargs)
        self.assertEqual(self.session.live_chat_operator_id, self.olga)
        self.assertEqual(self.session.live_chat_state, "open")

    def test_visitor_cannot_call(self):
        """The visitor's browser (their guest cookie) reaches no RPC of the session."""
        guest = self.session.live_chat_visitor_guest_id
        self.assertTrue(guest)
        self.opener.cookies.set(guest._cookie_name, self.started["guest"]["token"])
        for method, kwargs in (
            ("action_live_chat_transfer", {"user_id": self.bert.id}),
            ("action_live_chat_invite", {"user_id": self.bert.id}),
            ("execute_command_close", {}),
        ):
            with self.subTest(method=method):
                response = self.url_open(
                    f"/web/dataset/call_kw/discuss.channel/{method}",
                    data=json.dumps(
                        {
                            "jsonrpc": "2.0",
                            "method": "call",
                            "params": {
                                "model": "discuss.channel",
                                "method": method,
                                "args": [[self.session.id]],
                                "kwargs": kwargs,
                            },
                        }
                    ),
                    headers={"Content-Type": "application/json"},
                )
                error = response.json()["error"]["data"]["name"]
                self.assertEqual(error, "odoo.http.SessionExpiredException")
        self.env.invalidate_all()
        self.assertEqual(self.session.live_chat_operator_id, self.olga)
        self.assertEqual(self.session.live_chat_state, "open")
        self.assertEqual(self._members() - self.olga.partner_id, self.env["res.partner"])


@tagged("post_install", "-at_install")
class TestSessionCommands(LifecycleCommon, HttpCase):
    """/history and /close in the session's window, for its operators, answered to
    them alone."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.olga = cls._create_operator("lc_cmd_olga", name="Olga Operator")
        cls.channel = cls._create_channel(cls.olga)

    def setUp(self):
        super().setUp()
        self._set_presence(self.olga)
        self.started = self.lc_start(name="Ann")
        self.session = self.lc_session(self.started)

    def _answers(self):
        return [
            payload["body"]
            for target, payload in self._bus_notifications(TRANSIENT)
            if target[1:] == ["res.partner", self.olga.partner_id.id]
            and payload["channel_id"] == self.session.id
        ]

    def test_history_unknown_without_the_website(self):
        messages = len(self.session.message_ids)
        self.session.with_user(self.olga).execute_command_history(body="/history")
        self.assertEqual(len(self._answers()), 1)
        self.assertIn("The pages this visitor saw are unknown.", self._answers()[0])
        self.assertEqual(len(self.session.message_ids), messages, "an answer to Olga only")

    def test_close(self):
        self.session.with_user(self.olga).execute_command_close(body="/close")
        self.assertEqual(self.session.live_chat_state, "closed")
        self.assertIn("Olga closed the conversation.", self._last_message(self.session).body)
        self.assertIn("The session is closed.", self._answers()[-1])
        with self.assertRaisesRegex(UserError, "has ended"):
            self.session.with_user(self.olga).execute_command_close(body="/close")
