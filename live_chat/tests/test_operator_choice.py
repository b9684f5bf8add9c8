from unittest.mock import patch

from odoo import Command
from odoo.sql_db import Cursor
from odoo.tests import HttpCase, tagged
from odoo.tools import SQL

from .common import LiveChatCommon

# The partial index of the open sessions per operator (see discuss_channel.py).
OPEN_SESSIONS_INDEX = "discuss_channel_live_chat_open_operator_idx"


@tagged("post_install", "-at_install")
class TestOperatorChoice(LiveChatCommon, HttpCase):
    """Who answers a new visitor: an online operator of the channel below the
    channel's limit; the visitor's previous operator, then one who speaks their
    language, then the least busy."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.op_anna = cls._create_operator("lc_op_anna", name="Anna", lang="en_US")
        cls.op_bert = cls._create_operator("lc_op_bert", name="Bert", lang="en_US")
        cls.op_chloe = cls._create_operator("lc_op_chloe", name="Chloé", lang="fr_FR")
        cls.operators = cls.op_anna | cls.op_bert | cls.op_chloe
        cls.channel = cls.env["live_chat.channel"].create(
            {
                "name": "Sales",
                "user_ids": [Command.set(cls.operators.ids)],
                "max_sessions_per_operator": 2,
            }
        )
        cls.guest = cls.env["mail.guest"].create({"name": "Returning visitor"})
        cls.other_guest = cls.env["mail.guest"].create({"name": "New visitor"})
        cls.visitor_partner = cls.env["res.partner"].create({"name": "Known customer"})

    def choose(self, **visitor):
        return self.channel._get_available_operator(**visitor)

    def test_only_online_operators(self):
        self.assertFalse(self.choose(), "no presence at all: nobody is online")
        self._set_presence(self.op_anna)
        self._set_presence(self.op_bert, status="away")
        self._set_presence(self.op_chloe, status="offline")
        self.assertEqual(self.choose(), self.op_anna)
        self._set_presence(self.op_anna, status="offline")
        self.assertFalse(self.choose())

        # Online users who are not operators of the channel never answer.
        outsider = self._create_operator("lc_op_outsider")
        self._set_presence(outsider)
        self.assertFalse(self.choose())

        # An archived operator neither.
        self._set_presence(self.op_bert)
        self.assertEqual(self.choose(), self.op_bert)
        self.op_bert.active = False
        self.assertFalse(self.choose())

    def test_capacity(self):
        self._set_presence(self.op_anna)
        self._create_sessions(self.channel, self.op_anna, count=5, state="closed")
        self._create_sessions(self.channel, self.op_anna, count=1)
        self.assertEqual(self.choose(), self.op_anna, "closed sessions do not count")
        self._create_sessions(self.channel, self.op_anna, count=1)
        self.assertFalse(self.choose(), "2 open sessions: the channel's limit is reached")

        self.channel.max_sessions_per_operator = 0
        self._create_sessions(self.channel, self.op_anna, count=10)
        self.assertEqual(self.choose(), self.op_anna, "0: no limit")

    def test_previous_operator_preferred(self):
        self._set_presence(self.op_anna | self.op_bert)
        # Anna is busier than Bert, but she talked with the returning visitors.
        self._create_sessions(self.channel, self.op_anna, count=1)
        self._create_sessions(
            self.channel, self.op_anna, state="closed", live_chat_visitor_guest_id=self.guest.id
        )
        self._create_sessions(
            self.channel,
            self.op_anna,
            state="closed",
            live_chat_visitor_partner_id=self.visitor_partner.id,
        )
        self.assertEqual(self.choose(guest=self.guest), self.op_anna)
        self.assertEqual(self.choose(partner=self.visitor_partner), self.op_anna)
        self.assertEqual(self.choose(guest=self.other_guest), self.op_bert)
        self.assertEqual(self.choose(), self.op_bert)

        # The previous operator beats the visitor's language.
        self._set_presence(self.op_chloe)
        self.assertEqual(self.choose(guest=self.guest, lang="fr_FR"), self.op_anna)

        # The last session is the one that counts.
        self._create_sessions(
            self.channel, self.op_bert, state="closed", live_chat_visitor_guest_id=self.guest.id
        )
        self.assertEqual(self.choose(guest=self.guest), self.op_bert)

        # A previous operator who is full or gone leaves the choice to the other rules.
        self._create_sessions(self.channel, self.op_bert, count=2)
        self.assertEqual(self.choose(guest=self.guest), self.op_chloe)
        self._set_presence(self.op_anna, status="offline")
        self.assertEqual(self.choose(partner=self.visitor_partner), self.op_chloe)

    def test_language_preferred(self):
        self._set_presence(self.operators)
        # Chloé is the busiest, but the only one who speaks French.
        self._create_sessions(self.channel, self.op_chloe, count=1)
        self.assertEqual(self.choose(lang="fr_FR"), self.op_chloe)
        english = self.op_anna | self.op_bert
        self.assertIn(self.choose(lang="en_US"), english)
        self.assertIn(self.choose(guest=self.other_guest, lang="en_US"), english)

        # Only when she can take one more session.
        self._create_sessions(self.channel, self.op_chloe, count=1)
        self.assertIn(self.choose(lang="fr_FR"), english)

    def test_least_busy_preferred(self):
        self.channel.max_sessions_per_operator = 0
        self._set_presence(self.operators)
        self._create_sessions(self.channel, self.op_anna, count=3)
        self._create_sessions(self.channel, self.op_bert, count=1)
        self._create_sessions(self.channel, self.op_bert, count=8, state="closed")
        self.assertEqual(self.choose(), self.op_chloe)
        self.assertEqual(self.choose(lang="de_DE"), self.op_chloe)
        self._create_sessions(self.channel, self.op_chloe, count=2)
        self.assertEqual(self.choose(), self.op_bert)
        self.assertEqual(self.choose(guest=self.other_guest), self.op_bert)

    def test_nobody_available(self):
        operator = self.choose(guest=self.guest, lang="en_US")
        self.assertEqual(operator, self.env["res.users"])

        self._set_presence(self.op_anna)
        self.channel.user_ids = False
        self.assertFalse(self.choose(), "a channel without operators")

    def test_nobody_available_routes(self):
        self._set_presence(self.operators, status="away")
        init = self.lc_call(f"/live_chat/init/{self.channel.id}", {})
        self.assertIs(init["available"], False)
        self.assertIs(init["session"], False)

        guests_before = self.env["mail.guest"].search_count([])
        error = self.lc_call(
            "/live_chat/session/start",
            {"channel_id": self.channel.id, "body": "Anyone there?", "name": "Zoé"},
            status=503,
        )["error"]
        self.assertEqual(error["code"], "no_operator")
        self.assertEqual(
            error["message"], "No operator is available right now. Please try again later."
        )
        self.assertFalse(
            self.env["discuss.channel"].search([("live_chat_channel_id", "=", self.channel.id)])
        )
        self.assertEqual(self.env["mail.guest"].search_count([]), guests_before)

        self._set_presence(self.op_bert)
        init = self.lc_call(f"/live_chat/init/{self.channel.id}", {})
        self.assertIs(init["available"], True)
        started = self.lc_start(body="Anyone there?")
        self.assertEqual(self.lc_session(started).live_chat_operator_id, self.op_bert)

    def test_language_of_the_browser(self):
        """The widget sends the browser's language: it picks the operator too."""
        self._set_presence(self.operators)
        self._create_sessions(self.channel, self.op_chloe, count=1)
        started = self.lc_start(lang="fr-BE")
        session = self.lc_session(started)
        self.assertEqual(session.live_chat_lang, "fr_FR")
        self.assertEqual(session.live_chat_operator_id, self.op_chloe)

    def test_one_query_whatever_the_history(self):
        """Choosing an operator costs one query, and its count of open sessions
        reads the partial index of open sessions, not the history."""
        self._set_presence(self.operators)
        self._create_sessions(self.channel, self.op_anna, count=1)
        # The channel is in cache, as in the routes.
        self.assertEqual(self.channel.max_sessions_per_operator, 2)
        with self.assertQueryCount(1):
            self.assertEqual(self.choose(guest=self.guest, lang="en_US"), self.op_bert)

        # Years of history: closed sessions of every operator, some with this guest.
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO discuss_channel (name, channel_type, live_chat_channel_id,
                       live_chat_operator_id, live_chat_visitor_guest_id, live_chat_state,
                       live_chat_start_dt, live_chat_end_dt)
                SELECT 'Visitor ' || n, 'group', %(channel)s,
                       (%(operators)s::int[])[1 + mod(n, 3)],
                       CASE WHEN n <= 50 THEN %(guest)s END, 'closed',
                       now() - interval '1 hour' * n, now() - interval '1 hour' * n
                  FROM generate_series(1, 30000) AS n
                """,
                channel=self.channel.id,
                operators=self.operators.ids,
                guest=self.guest.id,
            )
        )
        self.env.cr.execute(SQL("ANALYZE discuss_channel"))
        self.env.invalidate_all()
        self.assertEqual(self.channel.max_sessions_per_operator, 2)
        queries = []
        execute = Cursor.execute

        def spy(cr, query, params=None, log_exceptions=True):
            queries.append(query)
            return execute(cr, query, params, log_exceptions)

        with self.assertQueryCount(1), patch.object(Cursor, "execute", spy):
            # The guest's previous operator: that of their latest session (n = 50).
            self.assertEqual(self.choose(guest=self.guest, lang="en_US"), self.op_chloe)
        self.assertEqual(len(queries), 1)

        self.env.cr.execute(
            SQL("SELECT 1 FROM pg_indexes WHERE indexname = %s", OPEN_SESSIONS_INDEX)
        )
        self.assertTrue(self.env.cr.fetchone(), f"the index {OPEN_SESSIONS_INDEX} exists")
        # The planner's choice, without the cheap sequential scans of a small table.
        self.env.cr.execute(SQL("SET enable_seqscan = off"))
        try:
            self.env.cr.execute(SQL("EXPLAIN %s", queries[0]))
            plan = "\n".join(row[0] for row in self.env.cr.fetchall())
        finally:
            self.env.cr.execute(SQL("RESET enable_seqscan"))
        self.assertIn(OPEN_SESSIONS_INDEX, plan)
