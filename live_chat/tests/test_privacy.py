from datetime import timedelta
from unittest.mock import PropertyMock, patch

from psycopg2 import IntegrityError

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.http import GeoIP
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from .common import LiveChatOperatorCommon

ANONYMOUS = "Anonymous visitor"


@tagged("post_install", "-at_install")
class TestPrivacy(LiveChatOperatorCommon, HttpCase):
    """Retention (the channel's setting and its cron) and the erasure of one visitor,
    on sessions made through the visitor's API."""

    channel_values = {"default_message": "Welcome! How can we help?", "anonymize_after_days": 30}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env,
            "lc_priv_manager",
            groups="live_chat.live_chat_group_manager",
            name="Mia Manager",
        )
        cls.portal_user = new_test_user(
            cls.env, "lc_priv_portal", groups="base.group_portal", name="Paula Portal"
        )
        cls.cron = cls.env.ref("live_chat.live_chat_cron_anonymize")
        cls.Session = cls.env["discuss.channel"]

    # ------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------

    def _chat(self, name="Ann", close=True, **payload):
        """A visitor's chat through the API: started from a Belgian page, the operator
        answers, the visitor writes again and (``close``) leaves."""
        with patch.object(GeoIP, "country_code", new_callable=PropertyMock, return_value="BE"):
            started = self.lc_start(
                name=name,
                url="https://shop.example.com/orders/42?ref=mail",
                lang="fr-BE",
                **payload,
            )
        session = self.lc_session(started)
        session.with_user(self.operator).message_post(
            body="Let me check that for you.",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        self.lc_call("/live_chat/session/post", self._visitor(started, body="My order 42 is late"))
        if close:
            self.lc_call("/live_chat/session/close", self._visitor(started))
        return started, session

    def _visitor(self, started, **payload):
        return {"session_id": started["session"]["id"], "token": started["token"], **payload}

    def _age(self, sessions, days):
        sessions.live_chat_end_dt = fields.Datetime.now() - timedelta(days=days)

    def _messages(self, session):
        return self.env["mail.message"].search(
            [("model", "=", "discuss.channel"), ("res_id", "=", session.id)], order="id"
        )

    def _run_cron(self, **kwargs):
        count = self.Session._live_chat_cron_anonymize(**kwargs)
        self.env.invalidate_all()
        return count

    def _triggers(self):
        return self.env["ir.cron.trigger"].search_count([("cron_id", "=", self.cron.id)])

    def assertAnonymised(self, session):
        self.assertRecordValues(
            session,
            [
                {
                    "name": ANONYMOUS,
                    "live_chat_visitor_name": ANONYMOUS,
                    "live_chat_visitor_guest_id": False,
                    "live_chat_visitor_partner_id": False,
                    "live_chat_country_id": False,
                    "live_chat_lang": False,
                    "live_chat_page_url": False,
                    "live_chat_visitor_token": False,
                    "live_chat_start_key": False,
                    "live_chat_state": "closed",
                    "live_chat_channel_id": self.channel.id,
                    "live_chat_operator_id": self.operator.id,
                }
            ],
        )
        self.assertTrue(session.live_chat_anonymized_dt)
        self.assertEqual(session.channel_member_ids.partner_id, self.operator.partner_id)
        self.assertFalse(session.channel_member_ids.guest_id)

    def assertUntouched(self, session, name):
        self.assertEqual(session.live_chat_visitor_name, name)
        self.assertFalse(session.live_chat_anonymized_dt)
        self.assertTrue(session.live_chat_visitor_token)
        self.assertTrue(session.live_chat_page_url)

    # ------------------------------------------------------------
    # The channel's setting
    # ------------------------------------------------------------

    def test_channel_setting(self):
        channel = self.env["live_chat.channel"].create({"name": "New"})
        self.assertEqual(channel.anonymize_after_days, 0, "never, unless the admin says so")
        self.assertEqual(channel.anonymize_transcript, "keep")
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            channel.anonymize_after_days = -1
            channel.flush_recordset()
        # An operator sees the setting but cannot change it.
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            self.channel.with_user(self.operator).anonymize_after_days = 0
        self.assertTrue(self.cron.active)
        self.assertEqual((self.cron.interval_number, self.cron.interval_type), (1, "days"))

    # ------------------------------------------------------------
    # Retention: the cron
    # ------------------------------------------------------------

    def test_cron_keeps_transcript_without_personal_data(self):
        started, session = self._chat("Ann")
        guest = session.live_chat_visitor_guest_id
        self.assertRecordValues(
            session, [{"live_chat_country_id": self.env.ref("base.be").id, "name": "Ann"}]
        )
        self.assertTrue(session.live_chat_lang)
        messages = self._messages(session)
        from_visitor = messages.filtered(lambda m: m.author_guest_id == guest)
        self.assertEqual(len(from_visitor), 3, "two messages and the closing notice")
        # What the host's routes let a guest add: an attachment, a reaction.
        attachment = self.env["ir.attachment"].create(
            {
                "name": "invoice.pdf",
                "raw": b"%PDF-1.4 Ann's invoice",
                "res_model": "discuss.channel",
                "res_id": session.id,
            }
        )
        from_visitor[1].attachment_ids = attachment
        operator_message = messages.filtered(lambda m: m.author_id == self.operator.partner_id)[-1]
        self.env["mail.message.reaction"].create(
            {"message_id": operator_message.id, "content": "👍", "guest_id": guest.id}
        )
        # A transcript emailed to Ann that the queue kept (it failed).
        mail = session._live_chat_send_transcript("ann@example.com")
        mail.state = "exception"
        _recent_started, recent = self._chat("Bob")
        _open_started, still_open = self._chat("Cleo", close=False)
        self._age(session, 31)
        self._age(recent, 29)
        still_open.live_chat_start_dt = fields.Datetime.now() - timedelta(days=60)

        self.assertEqual(self._run_cron(), 1)
        self.assertAnonymised(session)
        self.assertFalse(guest.exists(), "the guest had no other session")
        self.assertFalse(attachment.exists())
        self.assertFalse(operator_message.reaction_ids)
        self.assertFalse(mail.exists(), "the queue keeps no transcript with Ann's address")
        # The text stays, the visitor's identity goes.
        kept = self._messages(session)
        self.assertEqual(kept, messages)
        self.assertEqual(
            [str(m.body) for m in kept[:3]],
            [
                "<p>Welcome! How can we help?</p>",
                "<p>Hello, I need help</p>",
                "<p>Let me check that for you.</p>",
            ],
        )
        self.assertEqual(kept.filtered(lambda m: m.author_id).author_id, self.operator.partner_id)
        anonymous = kept - kept.filtered("author_id")
        self.assertEqual(anonymous, from_visitor)
        self.assertFalse(anonymous.author_guest_id)
        self.assertFalse(anonymous.create_uid)
        self.assertFalse(any(anonymous.mapped("email_from")))
        self.assertIn(f"{ANONYMOUS} left the conversation.", kept[-1].body)
        self.assertFalse(any("Ann" in str(m.body) for m in kept))
        transcript = str(session.live_chat_transcript)
        self.assertIn(f"<strong>{ANONYMOUS}</strong>: My order 42 is late", transcript)
        self.assertNotIn("Ann", transcript)
        # The visitor's token is gone with the rest: the API knows the session no more.
        self.lc_call("/live_chat/session/messages", self._visitor(started), status=404)
        # Younger and open sessions stay as they are.
        self.assertUntouched(recent, "Bob")
        self.assertUntouched(still_open, "Cleo")
        self.assertEqual(still_open.live_chat_state, "open")

        # Once only: a second run finds nothing and changes nothing.
        anonymised_on = session.live_chat_anonymized_dt
        self.assertEqual(self._run_cron(), 0)
        self.assertEqual(session.live_chat_anonymized_dt, anonymised_on)
        self.assertEqual(self._messages(session), messages)
        session._live_chat_anonymize("delete")
        self.assertEqual(self._messages(session), messages, "an anonymised session is done")

    def test_cron_deletes_transcript(self):
        self.channel.anonymize_transcript = "delete"
        _started, session = self._chat("Ann")
        guest = session.live_chat_visitor_guest_id
        attachment = self.env["ir.attachment"].create(
            {
                "name": "photo.png",
                "raw": b"png",
                "res_model": "discuss.channel",
                "res_id": session.id,
            }
        )
        messages = self._messages(session)
        self._age(session, 45)
        self.assertEqual(self._run_cron(), 1)
        self.assertAnonymised(session)
        self.assertFalse(self._messages(session))
        self.assertFalse(messages.exists())
        self.assertFalse(attachment.exists())
        self.assertFalse(guest.exists())
        self.assertFalse(session.live_chat_transcript)

    def test_cron_logged_in_visitor(self):
        """A contact stays (it is more than a chat visitor), without any link to the
        session: not a member, not the author of its messages, not its creator."""
        self.authenticate(self.portal_user.login, self.portal_user.login)
        started, session = self._chat("Someone")
        partner = self.portal_user.partner_id
        self.assertEqual(session.live_chat_visitor_partner_id, partner)
        self.assertEqual(session.create_uid, self.portal_user)
        from_visitor = self._messages(session).filtered(lambda m: m.author_id == partner)
        self.assertEqual(len(from_visitor), 3)
        self.assertEqual(from_visitor.create_uid, self.portal_user)
        # Their rating, with a comment of theirs.
        self.lc_call(
            "/live_chat/session/rate",
            {**self._visitor(started), "rating": 1, "comment": "Call me on 555 0142"},
        )
        rating = session.live_chat_rating_id
        self.assertRecordValues(
            rating, [{"partner_id": partner.id, "res_name": partner.name, "rating": 1}]
        )
        self._age(session, 31)
        self.assertEqual(self._run_cron(), 1)
        self.assertAnonymised(session)
        # The rating's face stays (the reports), nothing of the visitor with it.
        self.assertRecordValues(
            rating, [{"partner_id": False, "feedback": False, "res_name": ANONYMOUS, "rating": 1}]
        )
        self.assertEqual(session.live_chat_rating, "1")
        self.assertFalse(session.live_chat_rating_comment)
        self.assertFalse(session.create_uid)
        self.assertTrue(partner.exists())
        self.assertFalse(from_visitor.author_id)
        self.assertFalse(from_visitor.create_uid)
        self.assertEqual(len(from_visitor.exists()), 3)
        self.assertFalse(
            any(partner.name in str(m.body) for m in self._messages(session)),
            "the closing notice names nobody",
        )
        self.assertFalse(
            self.env["mail.notification"].search_count(
                [("mail_message_id", "in", from_visitor.ids), ("res_partner_id", "=", partner.id)]
            )
        )

    def test_cron_guest_of_other_conversations(self):
        """A guest goes with the last session that needs it; while it takes part in other
        conversations of the host, it only loses its name and country."""
        first_started, first = self._chat("Ann", start_key="e" * 22)
        guest = first.live_chat_visitor_guest_id
        _second_started, second = self._chat("Ann", guest_token=first_started["guest"]["token"])
        self.assertEqual(second.live_chat_visitor_guest_id, guest)
        self._age(first, 40)
        self._age(second, 5)
        self.assertEqual(self._run_cron(), 1)
        self.assertAnonymised(first)
        self.assertUntouched(second, "Ann")
        self.assertRecordValues(guest, [{"name": "Ann", "country_id": self.env.ref("base.be").id}])

        meeting = self.env["discuss.channel"].create({"name": "Meeting", "channel_type": "group"})
        meeting._add_members(guests=guest, post_joined_message=False)
        self._age(second, 31)
        self.assertEqual(self._run_cron(), 1)
        self.assertAnonymised(second)
        self.assertRecordValues(
            guest, [{"name": ANONYMOUS, "country_id": False, "timezone": False, "lang": False}]
        )
        self.assertEqual(guest.channel_ids, meeting)

    def test_cron_batches(self):
        """At most a batch per run; the cron runs again at once while sessions remain.
        Archived channels' sessions too; channels without retention keep theirs."""
        archived = self.env["live_chat.channel"].create(
            {"name": "Old", "anonymize_after_days": 10, "active": False}
        )
        forever = self.env["live_chat.channel"].create({"name": "Forever"})
        old = fields.Datetime.now() - timedelta(days=400)
        due = self._create_sessions(
            self.channel, self.operator, count=3, state="closed", live_chat_end_dt=old
        ) | self._create_sessions(
            archived, self.operator, count=1, state="closed", live_chat_end_dt=old
        )
        kept = self._create_sessions(
            forever, self.operator, count=2, state="closed", live_chat_end_dt=old
        )
        triggers = self._triggers()
        self.assertEqual(self._run_cron(batch_size=3), 3)
        self.assertEqual(self._triggers(), triggers + 1, "more remain: run again")
        self.assertEqual(len(due.filtered("live_chat_anonymized_dt")), 3)
        self.assertEqual(self._run_cron(batch_size=3), 1)
        self.assertEqual(self._triggers(), triggers + 1, "done: no new run")
        self.assertTrue(all(due.mapped("live_chat_anonymized_dt")))
        self.assertFalse(any(kept.mapped("live_chat_anonymized_dt")))
        self.assertEqual(self._run_cron(batch_size=3), 0)

    # ------------------------------------------------------------
    # Erase this visitor
    # ------------------------------------------------------------

    def test_erase_visitor(self):
        """Every session of the visitor (an open one included) loses its messages and
        visitor data at once, and the guest goes; other visitors keep theirs."""
        first_started, first = self._chat("Ann", start_key="e" * 22)
        guest = first.live_chat_visitor_guest_id
        second_started, second = self._chat(
            "Ann", close=False, guest_token=first_started["guest"]["token"]
        )
        _other_started, other = self._chat("Bob")
        # Transcripts of Ann's first chat and of Bob's, still in the mail queue (one of
        # Ann's failed: the queue keeps it).
        transcripts = [
            session._live_chat_send_transcript(email)
            for session, email in (
                (first, "ann@example.com"),
                (first, "ann@example.com"),
                (other, "bob@example.com"),
            )
        ]
        transcripts[1].write({"state": "exception", "failure_reason": "Mailbox full"})
        second.with_user(self.manager).action_live_chat_erase_visitor()
        self.env.invalidate_all()
        self.assertFalse(transcripts[0].exists() or transcripts[1].exists())
        self.assertTrue(transcripts[2].exists())
        for session in (first, second):
            self.assertAnonymised(session)
            self.assertFalse(self._messages(session))
        self.assertFalse(guest.exists())
        self.assertUntouched(other, "Bob")
        self.assertTrue(self._messages(other))
        for started in (first_started, second_started):
            self.lc_call("/live_chat/session/messages", self._visitor(started), status=404)
        # The widget's key of the first start no longer answers its session either.
        again = self.lc_start(body="Hello?", start_key="e" * 22)
        self.assertNotEqual(again["session"]["id"], first.id)
        self.assertNotIn("Let me check", str(again["messages"]))
        with self.assertRaises(UserError):
            first.with_user(self.manager).action_live_chat_erase_visitor()

    def test_erase_logged_in_visitor(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        _first_started, first = self._chat("Someone")
        _second_started, second = self._chat("Someone")
        self.authenticate(None, None)
        _other_started, other = self._chat("Bob")
        first.with_user(self.manager).action_live_chat_erase_visitor()
        self.env.invalidate_all()
        for session in (first, second):
            self.assertAnonymised(session)
            self.assertFalse(self._messages(session))
        self.assertTrue(self.portal_user.partner_id.exists())
        self.assertUntouched(other, "Bob")

    def test_erase_only_for_administrators(self):
        """An operator cannot erase a visitor, neither from the form (no button) nor
        over RPC."""
        _started, session = self._chat("Ann")
        form = self.env.ref("live_chat.discuss_channel_view_form_live_chat")
        for user, offered in ((self.operator, False), (self.manager, True)):
            arch = self.Session.with_user(user).get_views([(form.id, "form")])["views"]["form"]
            self.assertEqual("action_live_chat_erase_visitor" in arch["arch"], offered)
        self.authenticate(self.operator.login, self.operator.login)
        with self.assertRaises(JsonRpcException) as caught, mute_logger("odoo.http"):
            self.make_jsonrpc_request(
                "/web/dataset/call_kw/discuss.channel/action_live_chat_erase_visitor",
                {
                    "model": "discuss.channel",
                    "method": "action_live_chat_erase_visitor",
                    "args": [[session.id]],
                    "kwargs": {},
                },
            )
        self.assertEqual(caught.exception.args[0], "odoo.exceptions.AccessError")
        self.env.invalidate_all()
        self.assertUntouched(session, "Ann")
        self.assertEqual(len(self._messages(session)), 5)
        with self.assertRaises(AccessError):
            session.with_user(self.operator).action_live_chat_erase_visitor()

    def test_erase_in_browser(self):
        """The administrator confirms the erasure in a dialog on the session's form."""
        _started, session = self._chat("Ann")
        guest = session.live_chat_visitor_guest_id
        self.start_tour(
            f"/odoo/live-chat-sessions/{session.id}",
            "live_chat_erase_visitor_tour",
            login=self.manager.login,
        )
        self.env.invalidate_all()
        self.assertAnonymised(session)
        self.assertFalse(self._messages(session))
        self.assertFalse(guest.exists())
