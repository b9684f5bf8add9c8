import threading
import time
import uuid
from contextlib import closing
from unittest.mock import patch

from freezegun import freeze_time
from psycopg2.errors import SerializationFailure

from odoo import SUPERUSER_ID, api, sql_db
from odoo.exceptions import ConcurrencyError
from odoo.orm.environments import Transaction
from odoo.tests import HttpCase, TransactionCase, tagged

from .common import LiveChatOperatorCommon

PARALLEL_REQUESTS = 30
PARALLEL_LIMIT = 10


@tagged("post_install", "-at_install")
class TestRateLimitCounter(TransactionCase):
    """The counter itself: one statement per request, in the request's transaction,
    on the database's clock."""

    def setUp(self):
        super().setUp()
        self.limits = self.env["live_chat.rate.limit"]
        self.params = self.env["ir.config_parameter"]

    def _window_now(self):
        """The current window and the seconds left in it, by the database's clock."""
        self.env.cr.execute(
            """
            SELECT date_trunc('minute', now() AT TIME ZONE 'UTC'),
                   GREATEST(1, CEIL(60 - EXTRACT(EPOCH FROM
                       (now() AT TIME ZONE 'UTC') - date_trunc('minute', now() AT TIME ZONE 'UTC'))
                   ))::int
            """
        )
        return self.env.cr.fetchone()

    def test_one_statement_for_all_the_limits_of_a_request(self):
        self.params.set_param("live_chat.rate_limit.message_ip", "5")
        self.params.set_param("live_chat.rate_limit.message_session", "5")
        self.limits._get_limit("message_ip")  # the parameters' cache is warm
        self.limits._get_limit("message_session")
        with self.assertQueryCount(1):
            self.limits._hit_all([("message_ip", "10.1.2.3"), ("message_session", 42)])
        rows = self.limits.search([("key", "in", ("message_ip:10.1.2.3", "message_session:42"))])
        self.assertEqual(rows.mapped("hits"), [1, 1])
        # A limit turned off counts nothing, and costs nothing when all are off.
        self.params.set_param("live_chat.rate_limit.message_ip", "0")
        self.params.set_param("live_chat.rate_limit.message_session", "0")
        self.limits._get_limit("message_ip")
        self.limits._get_limit("message_session")
        with self.assertQueryCount(0):
            self.assertEqual(
                self.limits._hit_all([("message_ip", "10.1.2.3"), ("message_session", 42)]), 0
            )

    def test_windows_come_from_the_database_clock(self):
        """A server whose clock is wrong counts in the same windows as the others."""
        self.params.set_param("live_chat.rate_limit.message_ip", "1")
        window, seconds_left = self._window_now()
        with freeze_time("2001-02-03 04:05:06"):
            self.assertEqual(self.limits._hit("message_ip", "10.1.2.3"), 0)
            retry_after = self.limits._hit("message_ip", "10.1.2.3")
        self.assertEqual(retry_after, seconds_left)
        row = self.limits.search([("key", "=", "message_ip:10.1.2.3")])
        self.assertEqual(row.window_start, window)
        self.assertEqual(row.hits, 2)

    def test_old_windows_count_nothing_and_are_collected(self):
        self.params.set_param("live_chat.rate_limit.message_ip", "1")
        window, _seconds_left = self._window_now()
        self.env.cr.execute(
            """
            INSERT INTO live_chat_rate_limit (key, window_start, hits) VALUES
                ('message_ip:10.1.2.3', %(window)s - interval '1 minute', 100),
                ('message_ip:10.1.2.3', %(window)s - interval '5 minutes', 100)
            """,
            {"window": window},
        )
        self.assertEqual(self.limits._hit("message_ip", "10.1.2.3"), 0)
        self.limits._gc_windows()
        rows = self.limits.search([("key", "=", "message_ip:10.1.2.3")])
        self.assertEqual(sorted(rows.mapped("hits")), [1, 100])

    def test_daily_limits(self):
        """A daily limit counts per day of the database's clock (UTC), its refusal says
        how long until midnight UTC; its counters are kept two days, then collected."""
        self.params.set_param("live_chat.rate_limit.transcript_email", "1")
        self.assertEqual(self.limits._hit("transcript_email", "eve@example.com"), 0)
        retry_after = self.limits._hit("transcript_email", "eve@example.com")
        self.env.cr.execute(
            """
            SELECT date_trunc('day', now() AT TIME ZONE 'UTC'),
                   CEIL(EXTRACT(EPOCH FROM
                       ((now() AT TIME ZONE 'UTC')::date + 1)::timestamp
                       - (now() AT TIME ZONE 'UTC')
                   ))::int
            """
        )
        day, seconds_left = self.env.cr.fetchone()
        # The seconds to the next midnight UTC (at least one).
        self.assertEqual(retry_after, max(1, seconds_left))
        row = self.limits.search([("key", "=", "transcript_email:eve@example.com")])
        self.assertEqual((row.window_start, row.hits), (day, 2))
        self.env.cr.execute(
            """
            INSERT INTO live_chat_rate_limit (key, window_start, hits) VALUES
                ('transcript_email:yesterday', %(day)s - interval '1 day', 1),
                ('transcript_email:long-ago', %(day)s - interval '3 days', 1),
                ('message_ip:yesterday', %(day)s - interval '1 day', 1)
            """,
            {"day": day},
        )
        self.limits._gc_windows()
        keys = [
            "transcript_email:eve@example.com",
            "transcript_email:yesterday",
            "transcript_email:long-ago",
            "message_ip:yesterday",
        ]
        self.assertEqual(
            sorted(self.limits.search([("key", "in", keys)]).mapped("key")),
            ["transcript_email:eve@example.com", "transcript_email:yesterday"],
        )

    def test_parallel_requests_replayed_by_the_host_count_once(self):
        """30 requests at once against a limit of 10, each one replayed once as the
        host does after a serialization failure: exactly 10 pass. Each request has a
        transaction of its own (real concurrency, not the test's shared cursor)."""
        subject = f"parallel-{uuid.uuid4()}"
        key = f"message_session:{subject}"
        dbname = self.env.cr.dbname
        registry = self.registry
        self.addCleanup(self._delete_committed, dbname, key)
        barrier = threading.Barrier(PARALLEL_REQUESTS)
        results = []

        def request():
            with closing(sql_db.db_connect(dbname).cursor()) as cr:
                # This test's registry, given: looking it up waits for the registry's
                # lock, which the thread running the tests may hold.
                cr.transaction = Transaction(registry)
                env = api.Environment(cr, SUPERUSER_ID, {})
                replayed = False
                barrier.wait(timeout=30)
                for _attempt in range(200):
                    try:
                        if env["live_chat.rate.limit"]._hit("message_session", subject):
                            cr.rollback()
                            results.append("refused")
                            return
                        if not replayed:
                            # What the host does when the request's work conflicts
                            # with another transaction: roll back, then replay.
                            replayed = True
                            raise ConcurrencyError("replay")
                        # The request's own transaction, as the host commits it.
                        cr.commit()  # pylint: disable=invalid-commit
                        results.append("passed")
                        return
                    except (ConcurrencyError, SerializationFailure):
                        cr.rollback()
                results.append("gave up")

        # The requests count in one window of a minute: not across its end, where
        # counting starts again (the database's clock, which the windows follow).
        self.env.cr.execute("SELECT EXTRACT(SECOND FROM clock_timestamp())")
        left = 60 - float(self.env.cr.fetchone()[0])
        if left < 10:
            time.sleep(left + 0.5)
        limits_class = type(self.env["live_chat.rate.limit"])
        with patch.object(limits_class, "_get_limit", lambda self, name: PARALLEL_LIMIT):
            threads = [threading.Thread(target=request) for _i in range(PARALLEL_REQUESTS)]
            for thread in threads:
                thread.start()
            deadline = time.monotonic() + 120
            for thread in threads:
                thread.join(timeout=max(0, deadline - time.monotonic()))
        self.assertEqual(results.count("passed"), PARALLEL_LIMIT, results)
        self.assertEqual(results.count("refused"), PARALLEL_REQUESTS - PARALLEL_LIMIT, results)
        with closing(sql_db.db_connect(dbname).cursor()) as cr:
            cr.execute("SELECT hits FROM live_chat_rate_limit WHERE key = %s", [key])
            self.assertEqual(cr.fetchall(), [(PARALLEL_LIMIT,)])

    @staticmethod
    def _delete_committed(dbname, key):
        with closing(sql_db.db_connect(dbname).cursor()) as cr:
            cr.execute("DELETE FROM live_chat_rate_limit WHERE key = %s", [key])
            # The rows the threads committed.
            cr.commit()  # pylint: disable=invalid-commit


@tagged("post_install", "-at_install")
class TestRateLimitRoutes(LiveChatOperatorCommon, HttpCase):
    """Every route of the visitor's API that works for a visitor is limited; a
    refused request is not counted, and stores nothing."""

    channel_values = {"name": "Limits", "max_sessions_per_operator": 0}

    def _limit(self, name, value):
        self.env["ir.config_parameter"].set_param(f"live_chat.rate_limit.{name}", str(value))

    def _hits(self, key):
        return self.env["live_chat.rate.limit"].search([("key", "=", key)]).hits

    def assertRefused(self, response):
        self.assertEqual(response.status_code, 429, response.text)
        self.assertEqual(response.json()["error"]["code"], "rate_limited")
        self.assertTrue(0 < int(response.headers["Retry-After"]) <= 60)
        self.assertEqual(response.headers["Access-Control-Allow-Origin"], "*")

    def test_init_per_address(self):
        self._limit("init_ip", 2)
        init = f"/live_chat/init/{self.channel.id}"
        self.lc_call(init, {"url": "https://shop.example.com/"})
        self.lc_call(init, {"url": "https://shop.example.com/"})
        self.assertRefused(self.lc_post(init, {"url": "https://shop.example.com/"}))
        self.assertEqual(self._hits("init_ip:127.0.0.1"), 2)
        self._limit("init_ip", 0)
        self.lc_call(init, {})

    def test_messages_per_session(self):
        self._limit("messages_session", 2)
        started = self.lc_start(name="Ann")
        payload = {"session_id": started["session"]["id"], "token": started["token"]}
        self.lc_call("/live_chat/session/messages", payload)
        self.lc_call("/live_chat/session/messages", payload)
        self.assertRefused(self.lc_post("/live_chat/session/messages", payload))
        # Another session of the same visitor's address is not limited by this one.
        other = self.lc_start(name="Bob")
        self.lc_call(
            "/live_chat/session/messages",
            {"session_id": other["session"]["id"], "token": other["token"]},
        )

    def test_refused_post_stores_nothing(self):
        self._limit("message_session", 1)
        started = self.lc_start(name="Ann")
        session = self.lc_session(started)
        payload = {"session_id": session.id, "token": started["token"], "body": "Hi"}
        self.lc_call("/live_chat/session/post", payload)
        messages = session.message_ids
        for _i in range(3):
            self.assertRefused(self.lc_post("/live_chat/session/post", payload))
        self.assertEqual(session.message_ids, messages)
        # Refused requests were not counted: the window holds the allowed one only.
        self.assertEqual(self._hits(f"message_session:{session.id}"), 1)

    def test_refused_start_stores_nothing(self):
        self._limit("session_start_ip", 1)
        self.lc_start(name="Ann")
        guests = self.env["mail.guest"].search_count([])
        sessions = self.env["discuss.channel"].search_count([])
        self.assertRefused(
            self.lc_post(
                "/live_chat/session/start",
                {"channel_id": self.channel.id, "body": "Hi", "name": "Bob"},
            )
        )
        self.assertEqual(self.env["mail.guest"].search_count([]), guests)
        self.assertEqual(self.env["discuss.channel"].search_count([]), sessions)
        self.assertEqual(self._hits("session_start_ip:127.0.0.1"), 1)
