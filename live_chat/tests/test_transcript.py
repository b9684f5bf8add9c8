from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import LiveChatOperatorCommon
from .visitor_browser import VisitorBrowser

TRANSCRIPT = "/live_chat/session/transcript"


class TranscriptCommon(LiveChatOperatorCommon):
    channel_values = {"name": "Parcel Help"}

    def _payload(self, started, **values):
        return {"session_id": started["session"]["id"], "token": started["token"], **values}

    def _mails_to(self, email):
        return self.env["mail.mail"].search([("email_to", "=", email)])

    def _limit(self, name, value):
        self.env["ir.config_parameter"].set_param(f"live_chat.rate_limit.{name}", str(value))


@tagged("post_install", "-at_install")
class TestTranscript(TranscriptCommon, HttpCase):
    """The visitor asks for the conversation by email once the chat has ended: the
    host's mail queue holds it, for the address typed, with this session's messages."""

    def _ended(self, name="Ann", body="Where is my parcel?"):
        started = self.lc_start(name=name, body=body)
        self.lc_session(started).with_user(self.operator).message_post(
            body=f"Answer to {name}", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        self.lc_call("/live_chat/session/close", self._payload(started))
        return started

    def test_transcript_queued(self):
        self.env.company.email = "help@shop.example.com"
        started = self._ended(body="Where is my <b>parcel</b>?")
        self._ended(name="Bob", body="Bob's own secret question")
        answer = self.lc_call(TRANSCRIPT, self._payload(started, email=" Ann@Example.com "))
        self.assertEqual(answer, {"sent": True})
        mail = self._mails_to("ann@example.com")
        self.assertEqual(len(mail), 1)
        # Queued, not sent in the request: the host's mail queue sends it.
        self.assertEqual(mail.state, "outgoing")
        self.assertIn("Parcel Help", mail.subject)
        self.assertEqual(mail.email_from, '"Parcel Help" <help@shop.example.com>')
        # The visitor's text is text in the mail too.
        self.assertIn("Where is my &lt;b&gt;parcel&lt;/b&gt;?", mail.body_html)
        self.assertIn("Answer to Ann", mail.body_html)
        self.assertIn("Ann", mail.body_html)
        self.assertNotIn("Bob", mail.body_html)
        # Not a message of the conversation (neither the operators' nor the widget's).
        self.assertFalse(mail.model)
        self.assertFalse(mail.res_id)
        self.assertFalse(mail.recipient_ids)

    def test_transcript_in_the_visitors_language(self):
        self.env["res.lang"]._activate_lang("uk_UA")
        template = self.env.ref("live_chat.mail_template_live_chat_transcript")
        template.with_context(
            lang="uk_UA"
        ).subject = "Ваша розмова з {{ object.live_chat_channel_id.name }}"
        started = self.lc_start(name="Olha", body="Де моя посилка?", lang="uk-UA")
        self.assertEqual(self.lc_session(started).live_chat_lang, "uk_UA")
        self.lc_call("/live_chat/session/close", self._payload(started))
        # Asked from an English page: the mail is in the visitor's language all the same.
        self.lc_call(TRANSCRIPT, self._payload(started, email="olha@example.com", lang="en-US"))
        mail = self._mails_to("olha@example.com")
        self.assertEqual(mail.subject, "Ваша розмова з Parcel Help")

    def test_template_deleted(self):
        """An administrator deleted the transcript's template: the visitor and the
        operator are told so, nothing is sent, no error."""
        started = self._ended()
        self.env.ref("live_chat.mail_template_live_chat_transcript").unlink()
        answer = self.lc_call(
            TRANSCRIPT, self._payload(started, email="ann@example.com"), status=503
        )
        self.assertEqual(answer["error"]["code"], "no_template")
        with self.assertRaisesRegex(UserError, "template was deleted"):
            self.lc_session(started)._live_chat_send_transcript("ann@example.com")
        self.assertFalse(self._mails_to("ann@example.com"))

    def test_refused_before_the_end(self):
        started = self.lc_start(name="Ann")
        answer = self.lc_call(
            TRANSCRIPT, self._payload(started, email="ann@example.com"), status=409
        )
        self.assertEqual(answer["error"]["code"], "session_open")
        self.assertFalse(self._mails_to("ann@example.com"))

    def test_refused_bad_email(self):
        started = self._ended()
        for email in (
            "not an email",
            "ann@example",
            "ann@example.com, boss@example.com",
            "ann@example.com eve@example.com",
            "<script>@example.com",
            "",
        ):
            with self.subTest(email=email):
                answer = self.lc_call(TRANSCRIPT, self._payload(started, email=email), status=422)
                self.assertEqual(answer["error"]["code"], "bad_email")
        for email, status in (
            (None, 400),
            (12, 400),
            (["ann@example.com"], 400),
            ("ann@example.com\nBcc: eve@example.com", 400),
            ("a" * 250 + "@example.com", 413),
        ):
            with self.subTest(email=email):
                self.lc_call(TRANSCRIPT, self._payload(started, email=email), status=status)
        self.assertFalse(self.env["mail.mail"].search([("subject", "like", "Parcel Help")]))

    def test_refused_other_token(self):
        started = self._ended()
        other = self._ended(name="Bob")
        for payload in (
            {"session_id": started["session"]["id"], "token": other["token"]},
            {"session_id": started["session"]["id"], "token": "x" * 43},
            {"session_id": started["session"]["id"]},
        ):
            with self.subTest(payload=payload):
                answer = self.lc_call(
                    TRANSCRIPT, {**payload, "email": "eve@example.com"}, status=404
                )
                self.assertEqual(answer["error"]["code"], "not_found")
        self.assertFalse(self._mails_to("eve@example.com"))

    def test_flood_refused(self):
        self._limit("transcript_session", 1)
        started = self._ended()
        self.lc_call(TRANSCRIPT, self._payload(started, email="ann@example.com"))
        response = self.lc_post(TRANSCRIPT, self._payload(started, email="eve@example.com"))
        self.assertEqual(response.status_code, 429, response.text)
        self.assertEqual(response.json()["error"]["code"], "rate_limited")
        # A session's transcripts: a few a day (UTC, the database's clock).
        self.assertTrue(0 < int(response.headers["Retry-After"]) <= 86400)
        self.assertFalse(self._mails_to("eve@example.com"))
        # Per address too: another session from the same address.
        self._limit("transcript_session", 0)
        self._limit("transcript_ip", 1)
        other = self._ended(name="Bob")
        response = self.lc_post(TRANSCRIPT, self._payload(other, email="bob@example.com"))
        self.assertEqual(response.status_code, 429, response.text)

    def test_recipient_limited_per_day(self):
        """Whatever the sessions and the addresses they come from, one recipient gets
        a few transcripts a day: the route is no way to mail someone in bulk."""
        self._limit("transcript_ip", 0)
        self._limit("transcript_email", 2)
        for name in ("Ann", "Bob"):
            started = self._ended(name=name)
            self.lc_call(TRANSCRIPT, self._payload(started, email="Eve@Example.com"))
        started = self._ended(name="Carl")
        response = self.lc_post(TRANSCRIPT, self._payload(started, email=" eve@example.COM "))
        self.assertEqual(response.status_code, 429, response.text)
        # Until the end of the day (UTC, the database's clock).
        self.assertTrue(0 < int(response.headers["Retry-After"]) <= 86400)
        self.assertEqual(len(self._mails_to("eve@example.com")), 2)
        # Another recipient still gets theirs.
        self.lc_call(TRANSCRIPT, self._payload(started, email="carl@example.com"))
        self.assertEqual(len(self._mails_to("carl@example.com")), 1)


@tagged("post_install", "-at_install")
class TestTranscriptOperator(TranscriptCommon, HttpCase):
    """The operator sends the transcript from the session's form."""

    def _closed_session(self):
        started = self.lc_start(name="Ann", body="Where is my parcel?")
        self.lc_call("/live_chat/session/close", self._payload(started))
        return self.lc_session(started)

    def _send(self, session, user, email):
        action = session.with_user(user).action_live_chat_send_transcript()
        wizard = (
            self.env[action["res_model"]]
            .with_user(user)
            .with_context(**action["context"])
            .create({"email": email})
        )
        return wizard.action_send()

    def test_operator_sends(self):
        session = self._closed_session()
        result = self._send(session, self.operator, "ann@example.com")
        self.assertEqual(result["params"]["type"], "success")
        mail = self._mails_to("ann@example.com")
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.state, "outgoing")
        self.assertIn("Where is my parcel?", mail.body_html)

    def test_operator_refusals(self):
        session = self._closed_session()
        with self.assertRaisesRegex(UserError, "valid email"):
            self._send(session, self.operator, "ann@")
        open_session = self.lc_session(self.lc_start(name="Bob"))
        with self.assertRaisesRegex(UserError, "once the chat has ended"):
            self._send(open_session, self.operator, "bob@example.com")
        employee = new_test_user(self.env, "lc_transcript_employee", groups="base.group_user")
        with self.assertRaises(AccessError):
            self._send(session, employee, "eve@example.com")
        self.assertFalse(self.env["mail.mail"].search([("subject", "like", "Parcel Help")]))

    def test_form_button(self):
        # Made without the bus: the web client's first poll hears the notifications of
        # the last seconds, and the host fetches every conversation they name.
        session = self._create_sessions(
            self.channel, self.operator, state="closed", live_chat_visitor_name="Ann"
        )
        self._create_messages(session, self.operator, [1, 2])
        self.start_tour(
            f"/odoo/action-live_chat.live_chat_session_action/{session.id}",
            "live_chat_transcript_operator_tour",
            login=self.operator.login,
        )
        mail = self._mails_to("ann@example.com")
        self.assertEqual(len(mail), 1)
        self.assertIn("Message 2", mail.body_html)


VISITOR_ASKS_TRANSCRIPT = """
const root = await waitFor(widgetRoot, "the chat widget");
const input = await waitFor(() => root.querySelector(".win:not([hidden]) .input"), "the composer");
if (!root.querySelector(".transcript[hidden]")) throw new Error("transcript offered too soon");
input.value = "Where is my parcel?";
root.querySelector(".foot").requestSubmit();
await waitFor(() => root.querySelector(".msg.me:not(.pending)"), "the message sent");
root.querySelector(".end").click();
(await waitFor(() => root.querySelector(".confirm:not([hidden]) .yes"), "the question")).click();
const ask = await waitFor(
    () => root.querySelector(".transcript:not([hidden]) .transcript-ask:not([hidden])"),
    "the transcript offered");
ask.click();
const email = await waitFor(
    () => root.querySelector(".transcript-row:not([hidden]) .transcript-email"), "the field");
email.value = "not an email";
root.querySelector(".transcript").requestSubmit();
const error = await waitFor(
    () => root.querySelector(".transcript-error:not([hidden])")?.textContent, "the refusal");
email.value = "ann.visitor@example.com";
root.querySelector(".transcript").requestSubmit();
const done = await waitFor(
    () => root.querySelector(".transcript-done:not([hidden])")?.textContent, "the confirmation");
return {error, done, rating: Boolean(root.querySelector(".rate:not([hidden])"))};
"""


@tagged("post_install", "-at_install")
class TestTranscriptWidget(TranscriptCommon, HttpCase):
    def test_visitor_asks_in_the_widget(self):
        visitor = VisitorBrowser(self)
        self.addCleanup(visitor.stop)
        with self.allow_requests(browser=visitor.browser, all_requests=True):
            visitor.open(f"/live_chat/support/{self.channel.id}")
            result = visitor.run(VISITOR_ASKS_TRANSCRIPT, timeout=60)
        self.assertEqual(
            result,
            {
                "error": "Please enter a valid email address.",
                "done": "The conversation is on its way to your inbox.",
                "rating": True,
            },
        )
        mail = self._mails_to("ann.visitor@example.com")
        self.assertEqual(len(mail), 1)
        self.assertIn("Where is my parcel?", mail.body_html)
