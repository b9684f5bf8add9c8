from datetime import datetime, timedelta
from unittest.mock import patch

from lxml import etree
from psycopg2 import IntegrityError

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, freeze_time, new_test_user, tagged
from odoo.tools import mute_logger

from .common import LiveChatCommon

# A Monday, 10:00 UTC: "today" for the tests that need one.
NOW = datetime(2026, 3, 2, 10, 0, 0)


@tagged("post_install", "-at_install")
class TestReport(LiveChatCommon, TransactionCase):
    """The report against sessions made by hand, at known times, through the same
    model methods as the visitor's routes and the operator's web client."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.operator = cls._create_operator("lc_report_operator", name="Olga Operator")
        cls.other_operator = cls._create_operator("lc_report_other", name="Otto Other")
        cls.manager = new_test_user(
            cls.env, "lc_report_manager", groups="live_chat.live_chat_group_manager"
        )
        cls.employee = new_test_user(cls.env, "lc_report_employee", groups="base.group_user")
        cls.channel = cls.env["live_chat.channel"].create(
            {
                "name": "Support",
                "user_ids": [Command.set(cls.operator.ids)],
                "default_message": "Welcome! How can we help?",
                "missed_after": 2,
            }
        )
        cls.other_channel = cls.env["live_chat.channel"].create(
            {"name": "Sales", "user_ids": [Command.set(cls.other_operator.ids)]}
        )
        cls.Report = cls.env["live_chat.session.report"]

    def _chat(self, start, channel=None, operator=None, steps=(), lang="fr_FR", country=None):
        """A session started at ``start`` by a visitor's first message, then ``steps``:
        (seconds after the start, who, what) with who "visitor" or "operator" and what
        a text, "close" or "cron"."""
        channel = channel or self.channel
        operator = operator or self.operator
        with freeze_time(start):
            guest = self.env["discuss.channel"]._live_chat_create_guest(
                "", country, lang, "Europe/Brussels"
            )
            session = channel._start_session(
                operator, text="Hello", guest=guest, country=country, lang=lang
            )
        for seconds, who, what in steps:
            with freeze_time(start + timedelta(seconds=seconds)):
                if what == "cron":
                    self.env["discuss.channel"]._cron_live_chat_mark_missed()
                elif what == "close":
                    session.with_user(operator).action_live_chat_close()
                elif who == "visitor":
                    session._live_chat_post_visitor_message(what)
                else:
                    session.with_user(operator).message_post(
                        body=what, message_type="comment", subtype_xmlid="mail.mt_comment"
                    )
        return session

    def _row(self, session, user=None):
        report = self.Report.with_user(user) if user else self.Report
        return report.search_read([("session_id", "=", session.id)])[0]

    def test_values(self):
        answered = self._chat(
            NOW,
            country=self.env.ref("base.be"),
            steps=[
                (90, "operator", "Hi! How can I help?"),
                (100, "visitor", "My order is late"),
                (110, "visitor", "Number 42"),
                (200, "operator", "It leaves today."),
                (600, "operator", "close"),
            ],
        )
        row = self._row(answered)
        self.assertEqual(answered.live_chat_first_answer_dt, NOW + timedelta(seconds=90))
        expected = {
            "channel_id": (self.channel.id, "Support"),
            "operator_id": (self.operator.id, "Olga Operator"),
            "country_id": (self.env.ref("base.be").id, self.env.ref("base.be").name),
            "lang_id": (self.env.ref("base.lang_fr").id, self.env.ref("base.lang_fr").name),
            "start_dt": NOW,
            "end_dt": NOW + timedelta(minutes=10),
            "state": "closed",
            "answer_time": 90.0,
            "duration": 10.0,
            # The first message and two more; the welcome message is not an answer.
            "visitor_message_count": 3,
            "operator_message_count": 2,
            "missed": False,
            "missed_count": 0,
            "rating_text": False,
        }
        self.assertEqual({key: row[key] for key in expected}, expected)
        self.assertEqual(answered.live_chat_duration, 10.0)

        late = self._chat(
            NOW + timedelta(hours=1),
            steps=[(180, "operator", "Sorry for the wait"), (300, "visitor", "close")],
        )
        # Closed without a word from an operator, before "Missed after": missed too.
        unanswered = self._chat(NOW + timedelta(hours=2), steps=[(60, "visitor", "close")])
        for session, answer_time, missed in (
            (late, 180.0, True),
            (unanswered, 0.0, True),
        ):
            row = self._row(session)
            self.assertEqual((row["answer_time"], row["missed"]), (answer_time, missed))
        self.assertFalse(unanswered.live_chat_first_answer_dt)
        self.assertEqual(late.live_chat_duration, 5.0)
        self.assertEqual(unanswered.live_chat_operator_message_count, 0)

        # Open sessions: missed once "Missed after" has passed without an answer (cron).
        waiting = self._chat(NOW + timedelta(hours=3), steps=[(179, "", "cron")])
        fresh = self._chat(NOW + timedelta(hours=3), steps=[(100, "", "cron")])
        self.assertEqual((waiting.live_chat_missed, fresh.live_chat_missed), (True, False))
        row = self._row(fresh)
        self.assertEqual(
            (row["state"], row["duration"], row["visitor_message_count"]), ("open", 0, 0)
        )

        # Averages leave out what is not there yet: no answer, no end, no rating.
        answered._live_chat_rate(5, "Great")
        late._live_chat_rate(1)
        sessions = answered | late | unanswered | waiting | fresh
        (group,) = self.Report.formatted_read_group(
            [("session_id", "in", sessions.ids)],
            ["channel_id"],
            [
                "__count",
                "answer_time:avg",
                "duration:avg",
                "visitor_message_count:sum",
                "operator_message_count:sum",
                "rating:avg",
                "missed_count:sum",
            ],
        )
        self.assertEqual(group["__count"], 5)
        self.assertEqual(group["answer_time:avg"], 135.0)
        self.assertAlmostEqual(group["duration:avg"], (10 + 5 + 1) / 3, places=4)
        self.assertEqual(group["visitor_message_count:sum"], 3 + 1 + 1)
        self.assertEqual(group["operator_message_count:sum"], 2 + 1 + 0)
        self.assertEqual(group["rating:avg"], 3.0)
        self.assertEqual(group["missed_count:sum"], 3)
        by_rating = self.Report._read_group(
            [("session_id", "in", sessions.ids)], ["rating_text"], ["__count"]
        )
        self.assertEqual(set(by_rating), {("5", 1), ("1", 1), (False, 3)})
        # Grouped by the hour of the day in the user's time zone (Brussels: UTC+1).
        by_hour = self.Report.with_context(tz="Europe/Brussels")._read_group(
            [("session_id", "in", sessions.ids)], ["start_dt:hour_number"], ["__count"]
        )
        self.assertEqual(by_hour, [(11, 1), (12, 1), (13, 1), (14, 2)])

    def test_first_answer_once(self):
        """Only the first answer writes the session; a visitor's message, the welcome
        message or a second answer change nothing."""
        session = self._chat(NOW, steps=[(30, "visitor", "Anyone?")])
        self.assertFalse(session.live_chat_first_answer_dt)
        session = self._chat(NOW, steps=[(45, "operator", "Yes!"), (50, "operator", "Here I am.")])
        self.assertEqual(session.live_chat_first_answer_dt, NOW + timedelta(seconds=45))
        self.assertFalse(session.live_chat_missed)
        # Later messages of either side cost the report nothing: no statement touches
        # its columns (the close counts the messages, once).
        statements = []
        execute = type(self.env.cr).execute

        def spy(cr, query, *args, **kwargs):
            statements.append(str(query))
            return execute(cr, query, *args, **kwargs)

        with patch.object(type(self.env.cr), "execute", spy):
            session._live_chat_post_visitor_message("Thanks")
            session.with_user(self.operator).message_post(
                body="You're welcome", message_type="comment", subtype_xmlid="mail.mt_comment"
            )
            self.env.flush_all()
        self.assertTrue(statements)
        report_columns = ("live_chat_first_answer_dt", "live_chat_missed", "_message_count")
        self.assertFalse(
            [
                query
                for query in statements
                if query.lstrip().upper().startswith("UPDATE")
                and any(column in query for column in report_columns)
            ]
        )
        # The cron never makes an answered session missed.
        with freeze_time(NOW + timedelta(hours=1)):
            self.env["discuss.channel"]._cron_live_chat_mark_missed()
        self.assertFalse(session.live_chat_missed)

    def test_missed_after_setting(self):
        self.channel.missed_after = 5
        session = self._chat(NOW, steps=[(240, "operator", "Sorry!")])
        self.assertFalse(session.live_chat_missed)
        session = self._chat(NOW, steps=[(301, "operator", "Sorry!")])
        self.assertTrue(session.live_chat_missed)
        filtered = self.env["discuss.channel"].search(
            [("live_chat_channel_id", "=", self.channel.id), ("live_chat_missed", "=", True)]
        )
        self.assertEqual(filtered, session)
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.cr.savepoint():
            self.channel.missed_after = 0
            self.channel.flush_recordset()

    def test_duration_stored_in_minutes(self):
        """The session's duration is stored (the reports sum it), in minutes as its
        label says, and the sessions' views show it as a number of minutes."""
        field = self.env["discuss.channel"]._fields["live_chat_duration"]
        self.assertTrue(field.store)
        self.assertEqual(field.string, "Duration (minutes)")
        session = self._chat(NOW, steps=[(90, "operator", "Hi"), (5430, "visitor", "close")])
        self.assertEqual(session.live_chat_duration, 90.5)
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT live_chat_duration FROM discuss_channel WHERE id = %s", [session.id]
        )
        self.assertEqual(float(self.env.cr.fetchone()[0]), 90.5)
        for xmlid in (
            "live_chat.discuss_channel_view_list_live_chat",
            "live_chat.discuss_channel_view_form_live_chat",
        ):
            arch = etree.fromstring(self.env.ref(xmlid).arch)
            (node,) = arch.xpath("//field[@name='live_chat_duration']")
            # float_time reads hours: 90.5 minutes would show as "90:30".
            self.assertNotEqual(node.get("widget"), "float_time", xmlid)

    def test_access(self):
        mine = self._chat(NOW, steps=[(30, "operator", "Hi")])
        other = self._chat(
            NOW, channel=self.other_channel, operator=self.other_operator, steps=[(40, "o", "Hi")]
        )
        both = mine | other
        for user, visible in (
            (self.operator, mine),
            (self.other_operator, other),
            (self.manager, both),
        ):
            with self.subTest(user=user.login):
                rows = self.Report.with_user(user).search([("session_id", "in", both.ids)])
                self.assertEqual(rows.session_id, visible)
                groups = self.Report.with_user(user)._read_group(
                    [("session_id", "in", both.ids)], ["channel_id"], ["__count"]
                )
                self.assertEqual(
                    sorted(channel.id for channel, _count in groups),
                    sorted(visible.live_chat_channel_id.ids),
                )
        # An operator who joins a channel sees its report from then on.
        self.other_channel.with_user(self.operator).action_join()
        rows = self.Report.with_user(self.operator).search([("session_id", "in", both.ids)])
        self.assertEqual(rows.session_id, both)
        # Employees without Live Chat have no report.
        with self.assertRaises(AccessError):
            self.Report.with_user(self.employee).search([])
        with self.assertRaises(AccessError):
            self.Report.with_user(self.operator).create({})

    def test_dashboard(self):
        week_ago = NOW - timedelta(days=8)
        self._chat(week_ago, steps=[(600, "operator", "Very late"), (700, "visitor", "close")])
        yesterday = self._chat(
            NOW - timedelta(days=1), steps=[(30, "operator", "Hi"), (60, "visitor", "close")]
        )
        today = self._chat(
            NOW - timedelta(hours=1),
            steps=[(150, "operator", "Hi"), (200, "visitor", "close")],
        )
        self._chat(NOW - timedelta(minutes=5), steps=[])
        self._chat(NOW - timedelta(hours=11), steps=[])
        self._chat(NOW, channel=self.other_channel, operator=self.other_operator)
        yesterday._live_chat_rate(5)
        today._live_chat_rate(3)
        channels = self.channel | self.other_channel
        with freeze_time(NOW):
            for user in (self.operator, self.manager):
                with self.subTest(user=user.login):
                    figures = (
                        channels.with_user(user)
                        .with_context(tz="UTC")
                        .read(
                            [
                                "report_visible",
                                "today_session_count",
                                "week_answer_time",
                                "week_answer_time_display",
                                "week_rating",
                                "week_rating_display",
                            ]
                        )
                    )
                    self.assertEqual(
                        {key: figures[0][key] for key in figures[0] if key != "id"},
                        {
                            "report_visible": True,
                            "today_session_count": 2,
                            "week_answer_time": 90.0,
                            "week_answer_time_display": "1 min 30 s",
                            "week_rating": 4.0,
                            "week_rating_display": "4.0 / 5",
                        },
                    )
                    # Sales: Olga is no operator of it, its figures are not hers to see.
                    self.assertEqual(figures[1]["report_visible"], user == self.manager)
                    self.assertEqual(
                        figures[1]["today_session_count"], 1 if user == self.manager else 0
                    )
                    # Its one session is neither answered nor rated: nothing to average
                    # (not "0 s", an answer within the second).
                    self.assertEqual(figures[1]["week_answer_time_display"], "–")
                    self.assertEqual(figures[1]["week_rating_display"], "–")
            # "Today" is the user's: in Tokyo (UTC+9) it began at 15:00 UTC yesterday,
            # in Honolulu (UTC-10) it begins now.
            for tz, count in (("Asia/Tokyo", 3), ("Pacific/Honolulu", 0)):
                channel = self.channel.with_user(self.manager).with_context(tz=tz)
                self.assertEqual(channel.today_session_count, count, tz)

    def test_report_action(self):
        action = self.channel.with_user(self.operator).action_view_report()
        self.assertEqual(action["res_model"], "live_chat.session.report")
        self.assertEqual(action["context"]["search_default_channel_id"], self.channel.id)
        session = self._chat(NOW)
        opened = self.Report.browse(session.id).with_user(self.operator).action_open_session()
        self.assertEqual((opened["res_model"], opened["res_id"]), ("discuss.channel", session.id))

    def test_answer_time_display(self):
        channel = self.channel
        self.assertEqual(channel._format_answer_time(44.6), "45 s")
        self.assertEqual(channel._format_answer_time(185), "3 min 5 s")
        self.assertEqual(channel._format_answer_time(4210), "1 h 10 min")
        self.assertEqual(fields.Float, type(channel._fields["week_answer_time"]))
