import base64
import io

from PIL import Image

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import LiveChatOperatorCommon


def _png(color):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), color).save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue())


@tagged("post_install", "-at_install")
class TestOperatorIdentity(LiveChatOperatorCommon, HttpCase):
    """What visitors see of an operator: the chat name and picture they chose, else
    their first name and no picture; never their email nor their last name."""

    operator_name = "Olga Kovalenko"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.operator.email = "olga.kovalenko@example.com"
        cls.lc_manager = new_test_user(
            cls.env,
            "lc_identity_manager",
            groups="base.group_user,live_chat.live_chat_group_manager",
            name="Mia Manager",
        )
        cls.employee = new_test_user(
            cls.env, "lc_identity_employee", groups="base.group_user", name="Eve Employee"
        )

    def _payload(self, started):
        return {"session_id": started["session"]["id"], "token": started["token"]}

    def _visitor_sees(self, started, close=False):
        """Everything the visitor's API answers of the session, after the operator's
        answer (and their closing it, if ``close``)."""
        session = self.lc_session(started)
        session.with_user(self.operator).message_post(
            body="Sure, tell me more.", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        if close:
            session.with_user(self.operator).action_live_chat_close()
        response = self.lc_post("/live_chat/session/messages", self._payload(started))
        self.assertEqual(response.status_code, 200)
        return response.json(), response.text

    def test_first_name_by_default(self):
        started = self.lc_start(name="Ann")
        answer, text = self._visitor_sees(started, close=True)
        self.assertEqual(answer["session"]["operator"]["name"], "Olga")
        self.assertIsNone(answer["session"]["operator"]["avatar"])
        operator_messages = [m for m in answer["messages"] if not m["from_visitor"]]
        self.assertEqual({m["author"] for m in operator_messages}, {"Olga"})
        self.assertEqual({m["author_avatar"] for m in operator_messages}, {None})
        self.assertIn("Olga closed the conversation.", text)
        # Nowhere: neither in the start's answer nor in the messages.
        for forbidden in ("Kovalenko", "example.com", "lc_operator"):
            self.assertNotIn(forbidden, text)
            self.assertNotIn(forbidden, str(started))

    def test_transcript_email(self):
        """The conversation emailed to the visitor names the operator as they see them;
        the operators' own transcript (the session's form) by their full name."""
        started = self.lc_start(name="Ann")
        self._visitor_sees(started, close=True)
        answer = self.lc_call(
            "/live_chat/session/transcript", {**self._payload(started), "email": "ann@example.com"}
        )
        self.assertEqual(answer, {"sent": True})
        mail = self.env["mail.mail"].search([("email_to", "=", "ann@example.com")])
        self.assertIn("<strong>Olga</strong>: Sure, tell me more.", mail.body_html)
        self.assertNotIn("Kovalenko", mail.body_html)
        self.assertIn("Olga Kovalenko", str(self.lc_session(started).live_chat_transcript))

    def test_email_as_name(self):
        """A user named by their email: visitors see "Operator"."""
        self.operator.name = "olga.kovalenko@example.com"
        started = self.lc_start(name="Ann")
        answer, text = self._visitor_sees(started)
        self.assertEqual(answer["session"]["operator"]["name"], "Operator")
        self.assertNotIn("example.com", text)

    def test_chosen_name_and_picture(self):
        self.operator.with_user(self.operator).write(
            {"live_chat_name": "Olia from Support", "live_chat_avatar": _png("red")}
        )
        started = self.lc_start(name="Ann")
        answer, text = self._visitor_sees(started)
        operator = answer["session"]["operator"]
        self.assertEqual(operator["name"], "Olia from Support")
        reply = answer["messages"][-1]
        self.assertEqual(reply["author"], "Olia from Support")
        self.assertEqual(reply["author_avatar"], operator["avatar"])
        self.assertRegex(
            reply["author_avatar"],
            rf"^/live_chat/operator/{self.operator.id}/avatar\?unique=[0-9a-f]{{16}}$",
        )
        self.assertNotIn("Kovalenko", text)
        # The picture is public (no session), cached for good at its versioned address.
        self.url_open("/web/session/logout")
        response = self.url_open(reply["author_avatar"])
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "image/png")
        self.assertIn("immutable", response.headers["Cache-Control"])
        self.assertEqual(base64.b64encode(response.content), self.operator.live_chat_avatar)
        # Any other version is the picture of now, cached a short while only.
        response = self.url_open(
            f"/live_chat/operator/{self.operator.id}/avatar?unique=0123456789abcdef"
        )
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("immutable", response.headers["Cache-Control"])
        self.assertIn("max-age=300", response.headers["Cache-Control"])
        # A new picture, a new address.
        self.operator.with_user(self.operator).live_chat_avatar = _png("blue")
        self.assertNotEqual(self.operator._live_chat_avatar_url(), reply["author_avatar"])

    def test_picture_route_serves_chat_pictures_only(self):
        # No chat picture (the profile picture is not served), no such user, not an
        # operator (even with a picture), hostile ids.
        self.employee.live_chat_avatar = _png("green")
        for path in (
            f"/live_chat/operator/{self.operator.id}/avatar",
            f"/live_chat/operator/{self.employee.id}/avatar",
            "/live_chat/operator/999999999/avatar",
            "/live_chat/operator/0/avatar",
            "/live_chat/operator/99999999999999999999/avatar",
            "/live_chat/operator/abc/avatar",
        ):
            with self.subTest(path=path):
                self.assertEqual(self.url_open(path).status_code, 404)

    def test_who_may_set_it(self):
        # The operator themselves (My Profile), reading it back too.
        me = self.operator.with_user(self.operator)
        me.write({"live_chat_name": "Olia"})
        self.assertEqual(me.read(["live_chat_name"])[0]["live_chat_name"], "Olia")
        # The Live Chat administrator, on the user form: the chat identity only.
        self.operator.with_user(self.lc_manager).write({"live_chat_name": "Olia S."})
        self.assertEqual(self.operator.live_chat_name, "Olia S.")
        with self.assertRaises(AccessError):
            self.operator.with_user(self.lc_manager).write(
                {"live_chat_name": "X", "login": "taken_over"}
            )
        # Nobody else.
        with self.assertRaises(AccessError):
            self.operator.with_user(self.employee).write({"live_chat_name": "Not me"})
        colleague = self._create_operator("lc_identity_colleague", name="Carl Colleague")
        with self.assertRaises(AccessError):
            self.operator.with_user(colleague).write({"live_chat_name": "Not me"})
        self.assertEqual(self.operator.live_chat_name, "Olia S.")


@tagged("post_install", "-at_install")
class TestOperatorIdentityUi(LiveChatOperatorCommon, HttpCase):
    operator_name = "Olga Kovalenko"

    def test_operator_sets_their_chat_name(self):
        self.start_tour("/odoo", "live_chat_chat_name_tour", login=self.operator.login)
        self.assertEqual(self.operator.live_chat_name, "Olia from Support")
