from datetime import datetime

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import LiveChatOperatorCommon
from .offline import EARLY, HOLIDAY, INSIDE, OUTSIDE, create_office_hours, set_clock


@tagged("post_install", "-at_install")
class TestBusinessHours(LiveChatOperatorCommon, HttpCase):
    """A channel with working hours takes chats only within them (public holidays
    left out) and from operators who are not on time off; otherwise /init says what
    the widget does and when the team is back, in the visitor's time zone."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar = create_office_hours(cls.env)
        cls.channel.write({"resource_calendar_id": cls.calendar.id, "offline_mode": "form"})

    def init(self, **payload):
        return self.lc_call(f"/live_chat/init/{self.channel.id}", payload)

    def test_inside(self):
        set_clock(self, INSIDE)
        self.assertEqual(self.channel._get_available_operator(), self.operator)
        answer = self.init(tz="Europe/Paris")
        self.assertIs(answer["available"], True)
        self.assertNotIn("offline", answer)
        self.lc_start()

    def test_outside(self):
        set_clock(self, OUTSIDE)
        self.assertFalse(self.channel._get_available_operator())
        answer = self.init()
        self.assertIs(answer["available"], False)
        self.assertEqual(
            answer["offline"],
            {"mode": "form", "back_at": "We reply from Tuesday 8 December 09:00, Kyiv time"},
        )
        # In the visitor's time zone when the widget sends it; a made-up one is ignored.
        back_at = self.init(tz="Europe/Paris")["offline"]["back_at"]
        self.assertEqual(back_at, "We reply from Tuesday 8 December 08:00, Paris time")
        back_at = self.init(tz="Mars/Olympus")["offline"]["back_at"]
        self.assertEqual(back_at, "We reply from Tuesday 8 December 09:00, Kyiv time")
        # Zones of no place (Babel has no name for them): the channel's, not an error.
        for zone in ("Factory", "localtime"):
            back_at = self.init(tz=zone)["offline"]["back_at"]
            self.assertEqual(back_at, "We reply from Tuesday 8 December 09:00, Kyiv time")
        # Nobody starts a chat outside the hours, whatever the widget does; each try
        # counts against the rate limit all the same.
        limits = self.env["live_chat.rate.limit"]
        before = sum(limits.search([("key", "like", "session_start_ip%")]).mapped("hits"))
        guests = self.env["mail.guest"].search_count([])
        error = self.lc_call(
            "/live_chat/session/start",
            {"channel_id": self.channel.id, "body": "Hello?"},
            status=503,
        )["error"]
        self.assertEqual(error["code"], "no_operator")
        after = sum(limits.search([("key", "like", "session_start_ip%")]).mapped("hits"))
        self.assertEqual(after, before + 1)
        self.assertEqual(self.env["mail.guest"].search_count([]), guests)  # nothing else kept
        # Hidden button: the mode says so, and still when the team is back.
        self.channel.offline_mode = "hide"
        self.assertEqual(self.init()["offline"]["mode"], "hide")

    def test_before_opening_the_same_day(self):
        set_clock(self, EARLY)
        back_at = self.init()["offline"]["back_at"]
        self.assertEqual(back_at, "We reply from 09:00, Kyiv time")

    def test_holiday(self):
        set_clock(self, HOLIDAY)
        self.assertFalse(self.channel._live_chat_is_open())
        answer = self.init()
        self.assertIs(answer["available"], False)
        # Back after the holiday and the weekend.
        self.assertEqual(
            answer["offline"]["back_at"], "We reply from Monday 28 December 09:00, Kyiv time"
        )

    def test_no_hours_nobody_online(self):
        """Without working hours: available whenever an operator is; when none is,
        nobody knows when one comes back."""
        self.channel.resource_calendar_id = False
        set_clock(self, OUTSIDE)
        self.assertIs(self.init()["available"], True)
        self._set_presence(self.operator, status="offline")
        self.assertEqual(self.init()["offline"], {"mode": "form", "back_at": None})

    def test_operators_time_off(self):
        set_clock(self, INSIDE)
        colleague = self._create_operator("lc_colleague", name="Carl Colleague")
        self.channel.user_ids |= colleague
        self._set_presence(colleague)
        self._create_sessions(self.channel, colleague)  # the operator is less busy
        leave = self._create_time_off(
            self.operator, datetime(2026, 12, 7, 0, 0), datetime(2026, 12, 9, 0, 0)
        )
        self.assertEqual(self.channel._get_available_operator(), colleague)
        self.channel.follow_time_off = False
        self.assertEqual(self.channel._get_available_operator(), self.operator)
        self.channel.follow_time_off = True
        leave.date_to = datetime(2026, 12, 7, 7, 0)  # back at 09:00 in Kyiv
        self.assertEqual(self.channel._get_available_operator(), self.operator)
        self.channel.user_ids -= colleague
        leave.date_to = datetime(2026, 12, 9, 0, 0)
        self.assertEqual(self.init()["offline"]["mode"], "form")


@tagged("post_install", "-at_install")
class TestOfflineRoute(LiveChatOperatorCommon, HttpCase):
    """/live_chat/offline/<channel>: a message left becomes an email to the channel,
    the visitor gets a confirmation; every argument is hostile, floods are refused,
    nothing is stored for a refused request."""

    operator_online = False
    channel_values = {
        "offline_mode": "form",
        "offline_email": "support@example.com",
        "offline_reply_time": "within 2 hours",
    }

    def route(self, channel=None):
        return f"/live_chat/offline/{(channel or self.channel).id}"

    def leave(self, status=200, headers=None, **payload):
        values = {
            "name": "Vira Visitor",
            "email": "vira@example.com",
            "message": "Do you ship to Lviv?",
            **payload,
        }
        return self.lc_call(self.route(), values, status=status, headers=headers)

    def mails(self):
        return self.env["mail.mail"].search([("subject", "like", self.channel.name)])

    def stored(self):
        return (
            len(self.mails()),
            self.env["mail.guest"].search_count([]),
            self.env["discuss.channel"].search_count([("channel_type", "=", "live_chat")]),
        )

    def test_message_becomes_an_email(self):
        before = self.stored()
        answer = self.leave(url="https://shop.example.com/cart?token=secret")
        self.assertEqual(
            answer,
            {"confirmation": "Thank you! We have your message and will reply within 2 hours."},
        )
        to_channel = self.mails().filtered(lambda mail: mail.email_to == "support@example.com")
        self.assertEqual(to_channel.subject, "Support: a message from Vira Visitor")
        self.assertEqual(to_channel.reply_to, "Vira Visitor <vira@example.com>")
        self.assertIn("Do you ship to Lviv?", to_channel.body_html)
        # The page, without its query string (the channel's privacy setting).
        self.assertIn("https://shop.example.com/cart<", to_channel.body_html)
        to_visitor = self.mails() - to_channel
        self.assertEqual(to_visitor.email_to, "Vira Visitor <vira@example.com>")
        self.assertIn("will reply within 2 hours", to_visitor.body_html)
        self.assertIn("Do you ship to Lviv?", to_visitor.body_html)
        self.assertEqual({mail.state for mail in self.mails()}, {"outgoing"})
        # Neither a guest nor a session: the visitor did not chat.
        self.assertEqual(self.stored()[1:], before[1:])
        self.assertNotIn("queue", to_channel.body_html)
        # Left instead of waiting: the operators know why.
        self.leave(email="queued@example.com", reason="queue")
        queued = self.mails().filtered(lambda mail: "queued@example.com" in (mail.reply_to or ""))
        self.assertIn("Left instead of waiting in the queue.", queued.body_html)
        # Without the channel's address: to its operators.
        self.channel.offline_email = False
        self.leave(email="other@example.com")
        self.assertIn(self.operator.email_formatted, self.mails().mapped("email_to"))

    def test_garbage(self):
        before = self.stored()
        cases = [
            ({"email": "vira@example.com", "message": "hi"}, 400, "bad_field"),  # no name
            ({"name": 42, "email": "v@example.com", "message": "hi"}, 400, "bad_field"),
            ({"name": "V", "email": ["v@example.com"], "message": "hi"}, 400, "bad_field"),
            ({"name": "V", "email": "v@example.com", "message": "hi", "reason": "x"}, 400, None),
            ({"name": "V", "email": "not an email", "message": "hi"}, 422, "bad_email"),
            ({"name": "V", "email": "a@b.c, x@example.com", "message": "hi"}, 422, "bad_email"),
            # The same check as the transcript's: a host-less address is no address.
            ({"name": "V", "email": "a@b", "message": "hi"}, 422, "bad_email"),
            ({"name": "V", "email": "v@example.com", "message": "   "}, 422, "empty_field"),
            ({"name": "  ", "email": "v@example.com", "message": "hi"}, 422, "empty_field"),
            ({"name": "V" * 65, "email": "v@example.com", "message": "hi"}, 413, None),
            ({"name": "V\x00", "email": "v@example.com", "message": "hi"}, 400, "bad_text"),
            ({"name": "V", "email": "v@example.com", "message": "x" * 5000}, 413, None),
        ]
        for payload, status, code in cases:
            with self.subTest(payload=str(payload)[:60]):
                error = self.lc_call(self.route(), payload, status=status)["error"]
                self.assertEqual(set(error), {"code", "message"})
                if code:
                    self.assertEqual(error["code"], code)
        for body in (b"not json", b"[1, 2]", b"{" * 5000):
            response = self.lc_post(self.route(), data=body)
            self.assertEqual(response.status_code, 400, response.text[:200])
        for route in (
            "/live_chat/offline/0",
            "/live_chat/offline/abc",
            "/live_chat/offline/99999999",
        ):
            response = self.lc_post(route, {"name": "V", "email": "v@example.com", "message": "hi"})
            self.assertEqual(response.status_code, 404)
        self.assertEqual(self.stored(), before)

    def test_markup_in_fields(self):
        self.leave(
            name='<img src=x onerror="alert(1)">',
            message="<script>alert('x')</script>\nBye",
        )
        for mail in self.mails():
            self.assertNotIn("<script>", mail.body_html)
            self.assertNotIn("<img", mail.body_html)
            self.assertIn("&lt;script&gt;", mail.body_html)
        # Headers hold it as text, quoted in the addresses.
        self.assertEqual(
            self.mails()[0].email_to, '"<img src=x onerror=\\"alert(1)\\">" <vira@example.com>'
        )

    def test_floods(self):
        self.env["ir.config_parameter"].set_param("live_chat.rate_limit.offline_ip", "3")
        for number in range(3):
            self.leave(email=f"v{number}@example.com")
        response = self.lc_post(
            self.route(), {"name": "V", "email": "v9@example.com", "message": "hi"}
        )
        self.assertEqual(response.status_code, 429)
        self.assertTrue(response.headers["Retry-After"])
        self.assertEqual(response.json()["error"]["code"], "rate_limited")
        self.assertEqual(len(self.mails()), 6)
        # One address from many places: its own limit.
        self.env["ir.config_parameter"].set_param("live_chat.rate_limit.offline_ip", "0")
        self.env["ir.config_parameter"].set_param("live_chat.rate_limit.offline_email", "1")
        self.leave(email="same@example.com")
        self.leave(email="SAME@example.com", status=429)

    def test_channel_without_the_form(self):
        """A channel that hides its button takes no message left from a page (the
        queue and an unanswered chat offer the form all the same)."""
        self.channel.offline_mode = "hide"
        error = self.leave(status=409)["error"]
        self.assertEqual(error["code"], "no_offline_form")
        self.assertFalse(self.mails())
        # Only for the visitor of a session that the form was offered to.
        for reason in ("unanswered", "queue"):
            error = self.leave(reason=reason, status=409)["error"]
            self.assertEqual(error["code"], "no_offline_form")
        self._set_presence(self.operator, "online")
        started = self.lc_start()
        session = self.lc_session(started)
        own = {"session_id": session.id, "token": started["token"]}
        for reason in ("unanswered", "queue"):  # neither unanswered (yet) nor waiting
            error = self.leave(reason=reason, **own, status=409)["error"]
            self.assertEqual(error["code"], "no_offline_form")
        session.live_chat_unanswered_dt = fields.Datetime.now()
        self.assertFalse(self.mails())
        self.leave(reason="unanswered", **own)
        self.assertEqual(len(self.mails()), 2)
        # A waiting visitor's message, instead of waiting: taken, the session ends.
        waiting = self.lc_start(name="Wanda")
        waiting_session = self.lc_session(waiting)
        waiting_session.write({"live_chat_state": "waiting", "live_chat_operator_id": False})
        credentials = {"session_id": waiting_session.id, "token": waiting["token"]}
        self.leave(reason="queue", **credentials)
        self.assertEqual(len(self.mails()), 4)
        self.assertEqual(waiting_session.live_chat_state, "closed")

    def test_foreign_origin(self):
        self.channel.allowed_origins = "https://shop.example.com"
        error = self.leave(status=403, headers={"Origin": "https://evil.example.net"})["error"]
        self.assertEqual(error["code"], "origin_not_allowed")
        self.assertFalse(self.mails())
        self.leave(headers={"Origin": "https://shop.example.com"})
        self.assertEqual(len(self.mails()), 2)
