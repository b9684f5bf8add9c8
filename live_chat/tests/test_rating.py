import json

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.live_chat.models.discuss_channel import RATING_COMMENT_MAX_LENGTH

from .common import LiveChatOperatorCommon

RATE = "/live_chat/session/rate"


@tagged("post_install", "-at_install")
class TestRating(LiveChatOperatorCommon, HttpCase):
    """The visitor rates their chat once it has ended, once, through the public
    route the widget calls; the operator and the session form show the rating."""

    def _payload(self, started, **values):
        return {"session_id": started["session"]["id"], "token": started["token"], **values}

    def _ended(self, name="Ann"):
        started = self.lc_start(name=name)
        self.lc_call("/live_chat/session/close", self._payload(started))
        return started

    def _ratings(self, session):
        return self.env["rating.rating"].search(
            [("res_model", "=", "discuss.channel"), ("res_id", "=", session.id)]
        )

    def _operator_notifications(self):
        """The sessions' ratings sent to the operator's web client."""
        partner = self.operator.partner_id
        sent = []
        for notification in self.env["bus.bus"].search(
            [("message", "like", "live_chat_rating")], order="id"
        ):
            if json.loads(notification.channel)[1:] != ["res.partner", partner.id]:
                continue
            payload = json.loads(notification.message)["payload"]
            sent += [
                values
                for values in payload.get("discuss.channel", [])
                if values.get("live_chat_rating")
            ]
        return sent

    def test_rate(self):
        started = self._ended()
        session = self.lc_session(started)
        answer = self.lc_call(
            RATE, self._payload(started, rating=5, comment="  Quick and kind, thanks!  ")
        )
        self.assertEqual(answer["session"]["state"], "closed")
        self.assertEqual(answer["session"]["rating"], 5)
        rating = self._ratings(session)
        self.assertRecordValues(
            rating,
            [
                {
                    "rating": 5.0,
                    "rating_text": "top",
                    "feedback": "Quick and kind, thanks!",
                    "consumed": True,
                    "rated_partner_id": self.operator.partner_id.id,
                    "partner_id": False,
                }
            ],
        )
        self.assertRecordValues(
            session,
            [
                {
                    "live_chat_rating": "5",
                    "live_chat_rating_id": rating.id,
                    "live_chat_rating_comment": "Quick and kind, thanks!",
                }
            ],
        )
        # The operator's chat window gets it, though it no longer listens to the session.
        self.assertEqual(
            self._operator_notifications(),
            [
                {
                    "id": session.id,
                    "live_chat_rating": "5",
                    "live_chat_rating_comment": "Quick and kind, thanks!",
                }
            ],
        )
        # What the operator reads of the session.
        as_operator = session.with_user(self.operator)
        self.assertEqual(as_operator.live_chat_rating, "5")
        self.assertEqual(as_operator.live_chat_rating_comment, "Quick and kind, thanks!")
        # The widget learns it on a new page: no second request for a rating.
        init = self.lc_call(f"/live_chat/init/{self.channel.id}", self._payload(started))
        self.assertEqual(init["session"]["rating"], 5)

    def test_ratings_are_read_by_live_chat_users_only(self):
        """The host lets every employee read and write every rating: the visitors'
        ratings and comments are read by Live Chat users only, and written by the
        suite only; the host's other ratings stay as they were."""
        started = self._ended()
        self.lc_call("/live_chat/session/rate", self._payload(started, rating=1, comment="Call me"))
        session = self.lc_session(started)
        rating = session.live_chat_rating_id
        self.assertEqual(rating.parent_res_model, "live_chat.channel")
        self.assertEqual(rating.parent_res_id, self.channel.id)
        employee = new_test_user(self.env, "lc_rating_employee", groups="base.group_user")
        Rating = self.env["rating.rating"]
        domain = [("res_model", "=", "discuss.channel"), ("res_id", "=", session.id)]
        self.assertFalse(Rating.with_user(employee).search(domain))
        with self.assertRaises(AccessError):
            rating.with_user(employee).read(["feedback"])
        with self.assertRaises(AccessError):
            rating.with_user(employee).write({"feedback": "Great!", "rating": 5})
        # Live Chat users read them (as they read the sessions), write them never.
        self.assertEqual(Rating.with_user(self.operator).search(domain), rating)
        self.assertEqual(session.with_user(self.operator).live_chat_rating_comment, "Call me")
        with self.assertRaises(AccessError):
            rating.with_user(self.operator).write({"feedback": "Great!", "rating": 5})
        self.assertRecordValues(rating, [{"feedback": "Call me", "rating": 1}])
        # A rating of something else: the host's rules.
        other = Rating.create(
            {
                "res_model_id": self.env["ir.model"]._get_id("res.partner"),
                "res_id": employee.partner_id.id,
                "rating": 5,
            }
        )
        self.assertEqual(Rating.with_user(employee).search([("id", "=", other.id)]), other)

    def test_rate_after_the_operator_closed(self):
        started = self.lc_start(name="Ann")
        session = self.lc_session(started)
        session.with_user(self.operator).action_live_chat_close()
        self.lc_call(RATE, self._payload(started, rating=1))
        self.assertEqual(session.live_chat_rating, "1")
        self.assertFalse(session.live_chat_rating_comment)
        self.assertEqual(self._ratings(session).rating_text, "ko")

    def test_rate_twice_refused(self):
        started = self._ended()
        session = self.lc_session(started)
        self.lc_call(RATE, self._payload(started, rating=3, comment="OK"))
        for again in ({"rating": 5, "comment": "Changed my mind"}, {"rating": 3}):
            error = self.lc_call(RATE, self._payload(started, **again), status=409)["error"]
            self.assertEqual(error["code"], "already_rated")
            self.assertEqual(error["message"], "You have already rated this chat.")
        self.assertEqual(len(self._ratings(session)), 1)
        self.assertEqual(session.live_chat_rating, "3")
        self.assertEqual(session.live_chat_rating_comment, "OK")

    def test_rate_before_the_end_refused(self):
        started = self.lc_start(name="Ann")
        session = self.lc_session(started)
        error = self.lc_call(RATE, self._payload(started, rating=5), status=409)["error"]
        self.assertEqual(error["code"], "session_open")
        self.assertIn("has not ended yet", error["message"])
        self.assertFalse(self._ratings(session))
        self.assertFalse(session.live_chat_rating)
        # Once it has ended, the visitor may.
        self.lc_call("/live_chat/session/close", self._payload(started))
        self.lc_call(RATE, self._payload(started, rating=5))
        self.assertEqual(session.live_chat_rating, "5")

    def test_another_visitors_token_refused(self):
        ann, bob = self._ended("Ann"), self._ended("Bob")
        for payload in (
            {"session_id": ann["session"]["id"], "token": bob["token"]},
            {"session_id": ann["session"]["id"], "token": ""},
            {"session_id": ann["session"]["id"]},
            {"session_id": str(ann["session"]["id"]), "token": ann["token"]},
        ):
            error = self.lc_call(RATE, {**payload, "rating": 1}, status=404)["error"]
            self.assertEqual(error["code"], "not_found")
        self.assertFalse(self._ratings(self.lc_session(ann)))
        self.assertFalse(self.lc_session(ann).live_chat_rating)

    def test_markup_in_comment_stays_text(self):
        started = self._ended()
        session = self.lc_session(started)
        comment = '<b>Great</b> <img src=x onerror="alert(1)"> &amp; <script>alert(2)</script>'
        self.lc_call(RATE, self._payload(started, rating=5, comment=comment))
        self.assertEqual(self._ratings(session).feedback, comment)
        self.assertEqual(session.live_chat_rating_comment, comment)
        self.assertEqual(session._fields["live_chat_rating_comment"].type, "text")
        # Sent to the operator as a string, which their window shows as text (t-esc).
        (sent,) = self._operator_notifications()
        self.assertEqual(sent["live_chat_rating_comment"], comment)

    def test_bad_input(self):
        started = self._ended()
        session = self.lc_session(started)
        for values, status in (
            ({}, 400),
            ({"rating": 2}, 400),
            ({"rating": 0}, 400),
            ({"rating": "5"}, 400),
            ({"rating": True}, 400),
            ({"rating": 5.0}, 400),
            ({"rating": 5, "comment": ["a list"]}, 400),
            ({"rating": 5, "comment": "x" * (RATING_COMMENT_MAX_LENGTH + 1)}, 413),
        ):
            with self.subTest(values=values):
                self.lc_call(RATE, self._payload(started, **values), status=status)
        self.assertEqual(self.lc_post(RATE, data="not json").status_code, 400)
        self.assertFalse(self._ratings(session))
        # The longest comment allowed goes through.
        self.lc_call(
            RATE, self._payload(started, rating=5, comment="x" * RATING_COMMENT_MAX_LENGTH)
        )
        self.assertEqual(len(session.live_chat_rating_comment), RATING_COMMENT_MAX_LENGTH)
