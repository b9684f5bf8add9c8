from unittest.mock import PropertyMock, patch

from odoo import Command
from odoo.exceptions import AccessError
from odoo.http import GeoIP
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.bus.models.bus import channel_with_db, json_dump

from .common import LiveChatCommon


@tagged("post_install", "-at_install")
class TestSession(LiveChatCommon, HttpCase):
    """A session from the visitor's first message to its end, through the
    visitor's routes and the operator's action."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.operator = cls._create_operator("lc_session_operator", name="Olga Operator")
        cls.colleague = cls._create_operator("lc_session_colleague", name="Carl Colleague")
        cls.employee = new_test_user(cls.env, "lc_session_employee", name="Emma Employee")
        cls.portal_user = new_test_user(
            cls.env, "lc_session_portal", groups="base.group_portal", name="Paula Portal"
        )
        cls.channel = cls.env["live_chat.channel"].create(
            {
                "name": "Support",
                "user_ids": [Command.set(cls.operator.ids)],
                "default_message": "Welcome! How can we help?",
            }
        )

    def setUp(self):
        super().setUp()
        self._set_presence(self.operator)

    def _channel_sessions(self, channel=None):
        return self.env["discuss.channel"].search(
            [("live_chat_channel_id", "=", (channel or self.channel).id)]
        )

    def _visitor_payload(self, started, **payload):
        return {"session_id": started["session"]["id"], "token": started["token"], **payload}

    def _operator_says(self, session, body, operator=None):
        return session.with_user(operator or self.operator).message_post(
            body=body, message_type="comment", subtype_xmlid="mail.mt_comment"
        )

    def test_init_stores_nothing(self):
        counts = {
            model: self.env[model].search_count([])
            for model in ("discuss.channel", "mail.guest", "mail.message")
        }
        self.opener.cookies.clear()  # a visitor's browser on another website
        response = self.lc_post(f"/live_chat/init/{self.channel.id}", {"lang": "fr-BE"})
        self.assertEqual(response.status_code, 200, response.text)
        self.assertNotIn("Set-Cookie", response.headers, "no Odoo session either")
        init = response.json()
        self.assertIs(init["available"], True)
        self.assertIs(init["session"], False)
        self.assertEqual(init["options"]["name"], "Support")
        self.assertEqual(init["options"]["default_message"], "Welcome! How can we help?")
        for model, count in counts.items():
            self.assertEqual(self.env[model].search_count([]), count, f"{model}: nothing stored")

    def test_start(self):
        with patch.object(GeoIP, "country_code", new_callable=PropertyMock, return_value="BE"):
            started = self.lc_start(
                body="Hello, I need help",
                name="Ann",
                url="https://shop.example.com/pricing",
                lang="fr-BE",
            )
        session = self._channel_sessions()
        self.assertEqual(len(session), 1, "exactly one session")
        self.assertEqual(session, self.lc_session(started))
        guest = self.env["mail.guest"].browse(started["guest"]["id"])
        self.assertEqual(guest.name, "Ann")
        self.assertEqual(guest.country_id, self.env.ref("base.be"))
        self.assertEqual(started["guest"]["token"], guest._format_auth_cookie())
        self.assertRecordValues(
            session,
            [
                {
                    "name": "Ann",
                    "channel_type": "live_chat",
                    "live_chat_operator_id": self.operator.id,
                    "live_chat_visitor_guest_id": guest.id,
                    "live_chat_visitor_partner_id": False,
                    "live_chat_visitor_name": "Ann",
                    "live_chat_country_id": self.env.ref("base.be").id,
                    "live_chat_lang": "fr_FR",
                    "live_chat_page_url": "https://shop.example.com/pricing",
                    "live_chat_state": "open",
                    "live_chat_end_dt": False,
                    "live_chat_visitor_token": started["token"],
                }
            ],
        )
        self.assertTrue(session.live_chat_start_dt)
        self.assertEqual(
            {(m.partner_id, m.guest_id) for m in session.channel_member_ids},
            {(self.operator.partner_id, self.env["mail.guest"]), (self.env["res.partner"], guest)},
        )
        welcome, first = session.message_ids.sorted("id")
        self.assertEqual(welcome.author_id, self.operator.partner_id)
        self.assertEqual(welcome.body, "<p>Welcome! How can we help?</p>")
        self.assertEqual(first.author_guest_id, guest)
        self.assertFalse(first.author_id)
        self.assertEqual(first.body, "<p>Hello, I need help</p>")
        self.assertEqual({welcome.message_type, first.message_type}, {"comment"})

        # What the widget shows.
        self.assertEqual(started["session"]["state"], "open")
        # An operator by their first name only.
        self.assertEqual(started["session"]["operator"]["name"], "Olga")
        self.assertEqual(
            [(m["id"], m["author"], m["from_visitor"], m["body"]) for m in started["messages"]],
            [
                (welcome.id, "Olga", False, "<p>Welcome! How can we help?</p>"),
                (first.id, "Ann", True, "<p>Hello, I need help</p>"),
            ],
        )

    def test_start_without_name(self):
        started = self.lc_start()
        guest = self.env["mail.guest"].browse(started["guest"]["id"])
        self.assertEqual(guest.name, f"Visitor #{guest.id}")
        self.assertEqual(self.lc_session(started).live_chat_visitor_name, guest.name)

    def test_post_and_messages(self):
        started = self.lc_start(name="Ann")
        session = self.lc_session(started)
        payload = self._visitor_payload(started)
        posted = self.lc_call("/live_chat/session/post", {**payload, "body": "Second message"})
        message = session.message_ids.sorted("id")[-1]
        self.assertEqual(message.author_guest_id, session.live_chat_visitor_guest_id)
        self.assertEqual(
            posted["message"],
            {
                "session_id": session.id,
                "id": message.id,
                "body": "<p>Second message</p>",
                "author": "Ann",
                "author_avatar": None,
                "from_visitor": True,
                "kind": "message",
                "date": posted["message"]["date"],
                "attachments": [],
                "reactions": [],
            },
        )
        reply = self._operator_says(session, "Sure, tell me more.")
        third = self.lc_call("/live_chat/session/post", {**payload, "body": "Third"})["message"]

        after = started["messages"][-1]["id"]
        answer = self.lc_call("/live_chat/session/messages", {**payload, "after_id": after})
        self.assertEqual(answer["session"]["state"], "open")
        self.assertEqual(
            [(m["id"], m["from_visitor"]) for m in answer["messages"]],
            [(message.id, True), (reply.id, False), (third["id"], True)],
        )
        self.assertEqual(answer["messages"][1]["author"], "Olga")
        self.assertEqual(answer["messages"][1]["body"], "<p>Sure, tell me more.</p>")
        every = self.lc_call("/live_chat/session/messages", payload)["messages"]
        self.assertEqual([m["id"] for m in every], session.message_ids.sorted("id").ids)
        self.assertEqual(len(every), 5)
        last = self.lc_call("/live_chat/session/messages", {**payload, "after_id": third["id"]})
        self.assertEqual(last["messages"], [])

    def test_init_resumes_session(self):
        started = self.lc_start(name="Ann")
        init = self.lc_call(f"/live_chat/init/{self.channel.id}", self._visitor_payload(started))
        self.assertEqual(init["session"], started["session"])
        self.assertIs(init["available"], True)

    def test_visitor_closes(self):
        started = self.lc_start(name="Ann")
        session = self.lc_session(started)
        payload = self._visitor_payload(started)
        closed = self.lc_call("/live_chat/session/close", payload)
        self.assertEqual(closed["session"]["state"], "closed")
        self.assertEqual(session.live_chat_state, "closed")
        self.assertTrue(session.live_chat_end_dt)
        notice = session.message_ids.sorted("id")[-1]
        self.assertEqual(notice.message_type, "notification")
        self.assertEqual(notice.author_guest_id, session.live_chat_visitor_guest_id)
        self.assertIn("Ann left the conversation.", notice.body)
        # The answer brings the notice as the widget shows it (the bus may be late).
        [told] = closed["messages"]
        self.assertEqual((told["id"], told["kind"]), (notice.id, "closed"))
        self.assertIn("You ended the chat.", told["body"])

        count = len(session.message_ids)
        error = self.lc_call(
            "/live_chat/session/post", {**payload, "body": "Still there?"}, status=409
        )["error"]
        self.assertEqual(error["code"], "session_closed")
        self.assertEqual(len(session.message_ids), count)
        # Closing again changes nothing; the transcript stays readable.
        self.assertEqual(self.lc_call("/live_chat/session/close", payload)["messages"], [])
        self.assertEqual(len(session.message_ids), count)
        messages = self.lc_call("/live_chat/session/messages", payload)["messages"]
        self.assertEqual(messages[-1]["id"], notice.id)
        self.assertEqual(messages[-1]["kind"], "closed")
        # The visitor is told what they did, not by their pseudonym.
        self.assertEqual(messages[-1]["body"], "<p>You ended the chat.</p>")

    def test_operator_closes(self):
        started = self.lc_start(name="Ann")
        session = self.lc_session(started)
        session.with_user(self.operator).action_live_chat_close()
        self.assertEqual(session.live_chat_state, "closed")
        self.assertTrue(session.live_chat_end_dt)
        notice = session.message_ids.sorted("id")[-1]
        self.assertEqual(notice.message_type, "notification")
        self.assertEqual(notice.author_id, self.operator.partner_id)
        self.assertIn("Olga closed the conversation.", notice.body)
        error = self.lc_call(
            "/live_chat/session/post",
            self._visitor_payload(started, body="Wait!"),
            status=409,
        )["error"]
        self.assertEqual(error["code"], "session_closed")
        info = self.lc_call("/live_chat/session/messages", self._visitor_payload(started))
        self.assertEqual(info["session"]["state"], "closed")

    def test_who_closes(self):
        """A live chat user closes the sessions they can read, those of every
        channel, operator of it or not; other users close none."""
        sessions = self.env["discuss.channel"].browse(
            [self.lc_start(name=name)["session"]["id"] for name in ("Ann", "Bob")]
        )
        for user in (self.employee, self.portal_user):
            with self.assertRaises(AccessError):
                sessions[0].with_user(user).action_live_chat_close()
        self.assertEqual(sessions.mapped("live_chat_state"), ["open", "open"])

        self.assertNotIn(self.colleague, self.channel.user_ids)
        sessions[0].with_user(self.colleague).action_live_chat_close()
        self.assertEqual(sessions.mapped("live_chat_state"), ["closed", "open"])
        self.assertIn("Carl closed", sessions[0].message_ids.sorted("id")[-1].body)

        # A conversation that is not a session: nothing to close.
        other = self.env["discuss.channel"]._create_group(
            partners_to=(self.employee.partner_id | self.colleague.partner_id).ids
        )
        other.with_user(self.colleague).action_live_chat_close()
        self.assertFalse(other.live_chat_state)

    def test_logged_in_visitors(self):
        """A logged-in visitor chats as their contact, no guest."""
        for user in (self.portal_user, self.employee):
            with self.subTest(user=user.login):
                self.authenticate(user.login, user.login)
                guests = self.env["mail.guest"].search_count([])
                bus_before = self.env["bus.bus"].search([], order="id desc", limit=1).id
                started = self.lc_start(name="Someone else")
                session = self.lc_session(started)
                # No "joined" on the visitor's own bus channels: the host's notice
                # holds the whole channel, the operator's real name and picture
                # included (visitors see a chat name only).
                visitor_channels = [
                    json_dump(channel_with_db(self.env.cr.dbname, target))
                    for target in (user, user.partner_id)
                ]
                for message in (
                    self.env["bus.bus"]
                    .search([("id", ">", bus_before), ("channel", "in", visitor_channels)])
                    .mapped("message")
                ):
                    self.assertNotIn("discuss.channel/joined", message)
                    self.assertNotIn(self.operator.name, message)
                self.assertNotIn("guest", started)
                self.assertEqual(self.env["mail.guest"].search_count([]), guests)
                self.assertEqual(session.live_chat_visitor_partner_id, user.partner_id)
                self.assertFalse(session.live_chat_visitor_guest_id)
                self.assertEqual(session.live_chat_visitor_name, user.name)
                self.assertEqual(
                    session.channel_member_ids.partner_id,
                    self.operator.partner_id | user.partner_id,
                )
                first = session.message_ids.sorted("id")[-1]
                self.assertEqual(first.author_id, user.partner_id)
                self.assertEqual(started["session"]["visitor_partner_id"], user.partner_id.id)
                self.assertIs(started["messages"][-1]["from_visitor"], True)
                self.assertEqual(started["messages"][-1]["author"], user.name)
                posted = self.lc_call(
                    "/live_chat/session/post", self._visitor_payload(started, body="More")
                )
                self.assertIs(posted["message"]["from_visitor"], True)
                self.lc_call("/live_chat/session/close", self._visitor_payload(started))
                self.assertIn(f"{user.name} left", session.message_ids.sorted("id")[-1].body)

    def test_guest_logs_in_during_the_chat(self):
        """A guest who logs in on the website goes on with their session: their
        messages stay theirs, never authorless nor the logged-in user's."""
        started = self.lc_start(name="Ann")
        session = self.lc_session(started)
        guest = session.live_chat_visitor_guest_id
        self.authenticate(self.portal_user.login, self.portal_user.login)
        posted = self.lc_call(
            "/live_chat/session/post", self._visitor_payload(started, body="Logged in now")
        )["message"]
        message = self.env["mail.message"].browse(posted["id"])
        self.assertEqual(message.author_guest_id, guest)
        self.assertFalse(message.author_id)
        self.assertEqual((posted["author"], posted["from_visitor"]), ("Ann", True))
        self.lc_call("/live_chat/session/close", self._visitor_payload(started))
        notice = session.message_ids.sorted("id")[-1]
        self.assertEqual(notice.author_guest_id, guest)
        self.assertFalse(notice.author_id)

    def test_returning_guest(self):
        """A returning guest keeps their identity and gets their previous operator."""
        second = self._create_operator("lc_session_second", name="Sam Second")
        self._set_presence(second)
        self.channel.user_ids = [Command.link(second.id)]
        self._create_sessions(self.channel, second, count=1)
        started = self.lc_start(name="Ann")
        self.assertEqual(self.lc_session(started).live_chat_operator_id, self.operator)
        self.lc_call("/live_chat/session/close", self._visitor_payload(started))

        # Now Olga is the busier one: the returning visitor still gets her.
        self._create_sessions(self.channel, self.operator, count=2)
        guests = self.env["mail.guest"].search_count([])
        again = self.lc_start(guest_token=started["guest"]["token"], name="Ann again")
        self.assertEqual(self.env["mail.guest"].search_count([]), guests)
        self.assertEqual(again["guest"], started["guest"])
        session = self.lc_session(again)
        self.assertNotEqual(session, self.lc_session(started))
        self.assertEqual(session.live_chat_visitor_guest_id.id, started["guest"]["id"])
        self.assertEqual(session.live_chat_operator_id, self.operator)
        self.assertNotEqual(again["token"], started["token"])

        # Someone else's (wrong) guest token: a new visitor.
        guest_id = started["guest"]["id"]
        stranger = self.lc_start(guest_token=f"{guest_id}|not-the-token", name="Mallory")
        self.assertNotEqual(stranger["guest"]["id"], guest_id)
        self.assertEqual(self.lc_session(stranger).live_chat_operator_id, second)
