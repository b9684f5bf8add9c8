import json
from types import SimpleNamespace

from markupsafe import Markup

from odoo import models
from odoo.exceptions import AccessError
from odoo.http import _request_stack
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import SQL, mute_logger

from ..models.utils import SUITE_POST
from .common import PIXEL_PNG, LiveChatCommon, LiveChatOperatorCommon


@tagged("post_install", "-at_install")
class TestHostRoutes(LiveChatOperatorCommon, HttpCase):
    """A session is a conversation of the host, whose routes a guest can call with
    the guest's cookie: none of them lets a visitor around the suite's API, and a
    closed session takes no message from anyone."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal = new_test_user(cls.env, "lc_routes_portal", groups="base.group_portal")

    # ------------------------------------------------------------
    # Helpers: the host's routes as a browser calls them
    # ------------------------------------------------------------

    def _as_guest(self, started):
        """The browser of the visitor, with the host's guest cookie of the session."""
        self.opener.cookies.set(self.env["mail.guest"]._cookie_name, started["guest"]["token"])

    def rpc(self, route, **params):
        """A JSON-RPC call of the web client; its result, or its error's message."""
        self.env.flush_all()
        response = self.url_open(
            route,
            data=json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1, "params": params}),
            headers={"Content-Type": "application/json"},
        )
        self.env.invalidate_all()
        self.assertEqual(response.status_code, 200, response.text[:300])
        body = response.json()
        if "error" in body:
            return {"error": body["error"]["data"]["name"]}
        return {"result": body.get("result")}

    def call_kw(self, model, method, args, **kwargs):
        """A method of the ORM as the web client calls it (``/web/dataset/call_kw``),
        as the signed-in user: its result, or its error's class."""
        return self.rpc(
            "/web/dataset/call_kw", model=model, method=method, args=args, kwargs=kwargs
        )

    def _post(self, session, body, message_type="comment", context=None):
        return self.rpc(
            "/mail/message/post",
            thread_model="discuss.channel",
            thread_id=session.id,
            post_data={"body": body, "message_type": message_type},
            context=context,
        )

    # ------------------------------------------------------------
    # Tests
    # ------------------------------------------------------------

    @mute_logger("odoo.http")
    def test_visitor_cannot_use_the_host_routes(self):
        started = self.lc_start(name="Ann", body="Hello")
        session = self.lc_session(started)
        first = session.message_ids[0]
        # An answer the visitor has not read yet.
        reply = session.with_user(self.operator).message_post(
            body="Hi!", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        messages = session.message_ids
        self._as_guest(started)
        guest = session.live_chat_visitor_guest_id
        guest_member = session.channel_member_ids.filtered("guest_id")
        seen = guest_member.read(["seen_message_id", "new_message_separator"])

        # Post (around the rate limits and the origin check), with both message types.
        for message_type in ("comment", "notification"):
            with self.subTest(route="/mail/message/post", message_type=message_type):
                self.assertIn("error", self._post(session, "Around the API", message_type))
        # Edit or delete their own message, react to it.
        self.assertIn(
            "error",
            self.rpc(
                "/mail/message/update_content",
                message_id=first.id,
                update_data={"body": "<a href='javascript:alert(1)'>edited</a>"},
            ),
        )
        # Reactions, typing, members, messages, mark as read, join, pins, attachments list.
        calls = {
            "/mail/message/reaction": {"message_id": first.id, "content": "👍", "action": "add"},
            "/discuss/channel/notify_typing": {"channel_id": session.id, "is_typing": True},
            "/discuss/channel/members": {"channel_id": session.id, "known_member_ids": []},
            "/discuss/channel/messages": {"channel_id": session.id},
            "/discuss/channel/pinned_messages": {"channel_id": session.id},
            "/discuss/channel/attachments": {"channel_id": session.id},
            "/discuss/channel/join": {"channel_id": session.id},
            "/mail/guest/update_name": {"guest_id": guest.id, "name": "Support team"},
        }
        for route, params in calls.items():
            with self.subTest(route=route):
                self.assertIn("error", self.rpc(route, **params))
        for route, params in {
            "/discuss/channel/mark_as_read": {
                "channel_id": session.id,
                "last_message_id": reply.id,
            },
            "/mail/data": {"fetch_params": ["init_messaging", ["discuss.channel", [session.id]]]},
        }.items():
            with self.subTest(route=route):
                answer = self.rpc(route, **params)
                self.assertNotIn("Hello", json.dumps(answer))
        # Attachments: the upload route answers "not found".
        response = self.url_open(
            "/mail/attachment/upload",
            data={
                "thread_id": session.id,
                "thread_model": "discuss.channel",
                "csrf_token": self.lc_csrf_token(),
            },
            files={"ufile": ("x.html", b"<script>alert(1)</script>", "text/html")},
        )
        self.assertEqual(response.status_code, 404, response.text[:300])
        # The host's ORM methods of a conversation (rename, invite, leave) need a user:
        # the public user of a guest cannot call them.
        for method, args in (
            ("channel_rename", ["Renamed"]),
            ("add_members", [[self.portal.partner_id.id]]),
            ("action_unfollow", []),
        ):
            with self.subTest(method=method):
                answer = self.call_kw("discuss.channel", method, [[session.id], *args])
                self.assertIn("error", answer)

        self.assertEqual(session.message_ids, messages)
        self.assertFalse(self.env["mail.message.reaction"].search([("message_id", "=", first.id)]))
        self.assertFalse(
            self.env["ir.attachment"].search(
                [("res_model", "=", "discuss.channel"), ("res_id", "=", session.id)]
            )
        )
        self.assertRecordValues(session, [{"name": "Ann", "live_chat_state": "open"}])
        self.assertEqual(guest.name, "Ann")
        self.assertEqual(session.channel_member_ids.mapped("partner_id"), self.operator.partner_id)
        self.assertEqual(session.channel_member_ids.mapped("guest_id"), guest)
        # mark_as_read found no member of the visitor: their seen state is the suite's.
        self.assertEqual(guest_member.read(["seen_message_id", "new_message_separator"]), seen)
        # The suite's own route still works for the visitor.
        self.lc_call(
            "/live_chat/session/post",
            {"session_id": session.id, "token": started["token"], "body": "Through the API"},
        )
        self.assertIn("Through the API", session.message_ids[0].body)

    @mute_logger("odoo.http")
    def test_nobody_joins_by_the_invitation_link(self):
        started = self.lc_start(name="Ann", body="Hello")
        session = self.lc_session(started)
        members = session.channel_member_ids
        for who in ("stranger", "visitor"):
            with self.subTest(who=who):
                if who == "visitor":
                    self._as_guest(started)
                response = self.url_open(f"/chat/{session.id}/{session.uuid}")
                self.assertEqual(response.status_code, 404)
                response = self.url_open(f"/discuss/channel/{session.id}")
                self.assertEqual(response.status_code, 404)
        self.assertEqual(session.channel_member_ids, members)

    @mute_logger("odoo.http")
    def test_logged_in_visitor_cannot_post_around_the_api(self):
        self.authenticate(self.portal.login, self.portal.login)
        started = self.lc_start(body="Hello as a customer")
        session = self.lc_session(started)
        self.assertEqual(session.live_chat_visitor_partner_id, self.portal.partner_id)
        messages = session.message_ids
        self.assertIn("error", self._post(session, "Around the API"))
        self.assertEqual(session.message_ids, messages)

    @mute_logger("odoo.http")
    def test_post_route_checks_a_session_for_posting_only(self):
        """The post route's check for writing (which only chooses whether the author
        follows the thread, as a channel's post never lets them) is skipped on a
        session (controllers/thread.py); the check for posting still refuses whoever
        may not read the session, and other channels keep both checks."""
        Channel = type(self.env["discuss.channel"])
        host_check = Channel._get_thread_with_access
        modes = []

        def spy(model, thread_id, *, mode="read", **kwargs):
            modes.append((thread_id, mode))
            return host_check(model, thread_id, mode=mode, **kwargs)

        self.patch(Channel, "_get_thread_with_access", spy)
        started = self.lc_start(name="Ann", body="Hello")
        session = self.lc_session(started)
        team = (
            self.env["discuss.channel"]
            .with_user(self.operator)
            ._create_channel(name="Operators' room", group_id=None)
        )
        self.authenticate(self.operator.login, self.operator.login)
        self.assertIn("result", self._post(session, "How can I help?"))
        self.assertEqual(modes, [(session.id, "read")])
        self.assertEqual(session.message_ids[0].body, Markup("<p>How can I help?</p>"))
        modes.clear()
        self.assertIn("result", self._post(team, "Ann is on the line"))
        self.assertEqual(modes, [(team.id, "read"), (team.id, "write")])
        # A colleague who reads the session (the Live Chat rule) but does not work it
        # (not a member): refused, whatever the web client asks; nothing posted, no
        # follower.
        colleague = self._create_operator("lc_routes_colleague")
        self.assertTrue(session.with_user(colleague).has_access("read"))
        self.authenticate(colleague.login, colleague.login)
        messages = session.message_ids
        for post_data in (
            {"body": "Plain", "message_type": "comment"},
            {
                "body": "A mention",
                "message_type": "comment",
                "partner_ids": [self.operator.partner_id.id],
            },
        ):
            answer = self.rpc(
                "/mail/message/post",
                thread_model="discuss.channel",
                thread_id=session.id,
                post_data=post_data,
                context={"mail_post_autofollow": True},
            )
            self.assertEqual(answer, {"error": "odoo.exceptions.AccessError"})
        self.assertEqual(session.message_ids, messages)
        self.assertFalse(session.message_follower_ids)
        # Someone who may not read the session: refused before anything is posted.
        new_test_user(self.env, "lc_routes_stranger", groups="base.group_user")
        self.authenticate("lc_routes_stranger", "lc_routes_stranger")
        messages = session.message_ids
        modes.clear()
        self.assertEqual(
            self._post(session, "Let me in"), {"error": "werkzeug.exceptions.NotFound"}
        )
        self.assertEqual(modes, [(session.id, "read")])
        self.assertEqual(session.message_ids, messages)

    def test_operator_posts_under_their_own_name(self):
        """The ORM's RPC takes any author: an operator may not post in a session as
        the visitor (whose widget would show it as theirs) or as a colleague."""
        started = self.lc_start(name="Ann", body="Hello")
        session = self.lc_session(started)
        colleague = self._create_operator("lc_routes_other")
        visitor_partner = self.env["res.partner"].create({"name": "Ann's account"})
        session.sudo().live_chat_visitor_partner_id = visitor_partner
        messages = session.message_ids
        as_operator = session.with_user(self.operator)
        for author in (visitor_partner, colleague.partner_id):
            with self.subTest(author=author.name), self.assertRaises(AccessError):
                as_operator.message_post(
                    body="Please pay to this account", message_type="comment", author_id=author.id
                )
        self.assertEqual(session.message_ids, messages)
        message = as_operator.message_post(
            body="Hello", message_type="comment", author_id=self.operator.partner_id.id
        )
        self.assertEqual(message.author_id, self.operator.partner_id)

    @mute_logger("odoo.http")
    def test_operator_cannot_rewrite_their_session(self):
        """The host lets a channel's members write it: through the ORM's RPC, an
        operator could rewrite their session's figures, end it without the close, or
        mark it anonymised (the retention then skips it). Only the suite changes a
        session's own fields; the host's own changes stay the host's."""
        started = self.lc_start(name="Ann", body="Hello")
        session = self.lc_session(started)
        manager = new_test_user(
            self.env,
            "lc_routes_manager",
            groups="base.group_user,live_chat.live_chat_group_manager",
        )
        figures = [
            "live_chat_state",
            "live_chat_rating",
            "live_chat_missed",
            "live_chat_anonymized_dt",
            "live_chat_operator_id",
        ]
        before = session.read(figures)
        for user in (self.operator, manager):
            self.authenticate(user.login, user.login)
            for vals in (
                {"live_chat_rating": "5", "live_chat_missed": False},
                {"live_chat_state": "closed"},
                {"live_chat_anonymized_dt": "2026-01-01 00:00:00"},
                {"live_chat_operator_id": user.id},
                {"channel_type": "group"},
                {"active": False},
                {"default_display_mode": "video_full_screen"},
            ):
                with self.subTest(user=user.login, vals=vals):
                    answer = self.call_kw("discuss.channel", "write", [[session.id], vals])
                    self.assertEqual(answer, {"error": "odoo.exceptions.AccessError"})
        self.assertEqual(session.read(figures), before)
        self.assertRecordValues(session, [{"channel_type": "live_chat", "active": True}])
        # The session's actions still work: the operator ends it.
        session.with_user(self.operator).action_live_chat_close()
        self.assertEqual(session.live_chat_state, "closed")

    @mute_logger("odoo.http")
    def test_employee_cannot_make_sessions(self):
        """Any employee may create a conversation of the host: not a live chat
        session, which would count towards an operator's maximum of sessions and
        leave visitors with nobody; nor a group made into one."""
        employee = new_test_user(self.env, "lc_routes_employee", groups="base.group_user")
        self.authenticate(employee.login, employee.login)
        sessions = self.env["discuss.channel"].search_count([("channel_type", "=", "live_chat")])

        def call(method, args):
            return self.call_kw("discuss.channel", method, args)

        session_values = {
            "name": "Fake",
            "channel_type": "live_chat",
            "live_chat_channel_id": self.channel.id,
            "live_chat_operator_id": self.operator.id,
            "live_chat_state": "open",
        }
        for vals in (
            session_values,
            {"name": "Fake", "channel_type": "live_chat"},
            {"name": "Fake", "live_chat_operator_id": self.operator.id},
        ):
            with self.subTest(vals=vals):
                self.assertEqual(call("create", [vals]), {"error": "odoo.exceptions.AccessError"})
        self.assertEqual(
            self.env["discuss.channel"].search_count([("channel_type", "=", "live_chat")]),
            sessions,
        )
        # The host's own channels still work, and one may not become a session.
        group = call("create", [{"name": "Team", "channel_type": "channel"}])
        self.assertIn("result", group)
        group_id = group["result"]
        self.assertEqual(
            call("write", [[group_id], {"channel_type": "live_chat"}]),
            {"error": "odoo.exceptions.AccessError"},
        )
        self.assertIn("result", call("write", [[group_id], {"name": "Our team"}]))
        self.assertRecordValues(
            self.env["discuss.channel"].browse(group_id),
            [{"name": "Our team", "channel_type": "channel"}],
        )

    @mute_logger("odoo.http")
    def test_session_messages_only_through_a_post(self):
        """The host lets whoever reads a channel create a message on it, and a
        message's author or the channel's members change it: through the ORM's RPC,
        a colleague could add a message under the visitor's name, and the operator
        rewrite or delete what the visitor said, or their own words after the end."""
        started = self.lc_start(name="Ann", body="Hello")
        session = self.lc_session(started)
        guest = session.live_chat_visitor_guest_id
        visitor_message = session.message_ids.filtered("author_guest_id")
        self.assertEqual(len(visitor_message), 1)
        colleague = self._create_operator("lc_routes_colleague")

        def call(user, model, method, args, **kwargs):
            self.authenticate(user.login, user.login)
            return self.call_kw(model, method, args, **kwargs)

        forged = {
            "model": "discuss.channel",
            "res_id": session.id,
            "message_type": "comment",
            "body": "Please pay to this account",
        }
        for user, values in (
            (colleague, {"author_guest_id": guest.id}),
            (colleague, {"author_id": colleague.partner_id.id}),
            (self.operator, {"author_guest_id": guest.id, "author_id": False}),
        ):
            with self.subTest(user=user.login, values=values):
                answer = call(user, "mail.message", "create", [{**forged, **values}])
                self.assertIn("error", answer)
        # The same through the context's defaults, and the user's own.
        answer = call(
            colleague,
            "mail.message",
            "create",
            [{"message_type": "comment", "body": "Hi", "author_guest_id": guest.id}],
            context={"default_model": "discuss.channel", "default_res_id": session.id},
        )
        self.assertIn("error", answer)
        answer = call(
            self.operator,
            "mail.message",
            "create",
            [{**forged, "author_id": False}],
            context={"default_author_guest_id": guest.id},
        )
        self.assertIn("error", answer)
        self.env["ir.default"].set(
            "mail.message", "author_guest_id", guest.id, user_id=self.operator.id
        )
        answer = call(self.operator, "mail.message", "create", [{**forged, "author_id": False}])
        self.assertIn("error", answer)
        self.env["ir.default"].discard_values("mail.message", "author_guest_id", [guest.id])
        self.assertEqual(session.message_ids.filtered("author_guest_id"), visitor_message)
        # The operator's reply, through the host's route: their own message.
        self.authenticate(self.operator.login, self.operator.login)
        self.assertIn("result", self._post(session, "Hi Ann"))
        reply = session.message_ids.filtered(
            lambda message: (
                message.author_id == self.operator.partner_id and "Hi Ann" in message.body
            )
        )
        self.assertEqual(len(reply), 1)
        for message, method, args in (
            (visitor_message, "write", [{"body": "I agree to pay"}]),
            (visitor_message, "unlink", []),
            (reply, "write", [{"author_id": False, "author_guest_id": guest.id}]),
        ):
            with self.subTest(method=method, message=message.id):
                answer = call(self.operator, "mail.message", method, [message.ids, *args])
                self.assertEqual(answer, {"error": "odoo.exceptions.AccessError"})
        # Through the session's one2many, too.
        answer = call(
            self.operator,
            "discuss.channel",
            "write",
            [session.ids, {"message_ids": [(1, visitor_message.id, {"body": "I agree"})]}],
        )
        self.assertIn("error", answer)
        self.assertEqual(visitor_message.body, Markup("<p>Hello</p>"))
        self.assertEqual(reply.author_id, self.operator.partner_id)
        # The host's edit route still edits the operator's own words while it is open.
        self.authenticate(self.operator.login, self.operator.login)
        answer = self.rpc(
            "/mail/message/update_content",
            message_id=reply.id,
            update_data={"body": "Hi Ann!", "attachment_ids": []},
        )
        self.assertIn("result", answer)
        self.assertIn("Hi Ann!", reply.body)
        # A Settings administrator may delete one (abuse, a leaked secret).
        admin = new_test_user(self.env, "lc_routes_admin", groups="base.group_system")
        self.assertIn("result", call(admin, "mail.message", "unlink", [reply.ids]))
        self.assertFalse(reply.exists())

    @mute_logger("odoo.http")
    def test_operator_adds_nobody_around_the_invitation(self):
        """The host lets a channel's members add anyone to it: in a session, the
        operator could bring in an employee who would read the chat and write to the
        visitor. Colleagues come through the suite's invitation only."""
        started = self.lc_start(name="Ann", body="Hello")
        session = self.lc_session(started)
        members = session.channel_member_ids
        self.authenticate(self.operator.login, self.operator.login)

        def add_members(partner):
            return "discuss.channel", "add_members", [session.ids], {"partner_ids": partner.ids}

        def create_member(partner):
            values = {"channel_id": session.id, "partner_id": partner.id}
            return "discuss.channel.member", "create", [values], {}

        def write_members(partner):
            values = {"channel_member_ids": [(0, 0, {"partner_id": partner.id})]}
            return "discuss.channel", "write", [session.ids, values], {}

        for index, call in enumerate((add_members, create_member, write_members)):
            # Another employee each time: each call alone would have added them.
            employee = new_test_user(
                self.env, f"lc_routes_stranger_{index}", groups="base.group_user"
            )
            model, method, args, kwargs = call(employee.partner_id)
            with self.subTest(model=model, method=method):
                answer = self.call_kw(model, method, args, **kwargs)
                self.assertEqual(answer, {"error": "odoo.exceptions.AccessError"})
                self.assertFalse(session.with_user(employee).has_access("read"))
        self.assertEqual(session.channel_member_ids, members)

    @mute_logger("odoo.http")
    def test_session_files_change_by_their_sender_only(self):
        """The host lets whoever writes a record change or delete its files, and a
        session's members write it, after its end too: the operator may not replace or
        delete the visitor's files, nor their own once the chat has ended."""
        started = self.lc_start(name="Ann", body="Hello")
        session = self.lc_session(started)
        self.env.flush_all()
        response = self.url_open(
            "/live_chat/session/upload",
            data={"session_id": str(session.id), "token": started["token"]},
            files={"file": ("invoice.pdf", b"%PDF-1.4 Ann's invoice", "application/pdf")},
            headers={"Origin": self.base_url()},
        )
        self.assertEqual(response.status_code, 200, response.text[:300])
        self.env.invalidate_all()
        visitor_file = self.env["ir.attachment"].search(
            [("res_model", "=", "discuss.channel"), ("res_id", "=", session.id)]
        )
        self.assertEqual(len(visitor_file), 1)
        self.authenticate(self.operator.login, self.operator.login)

        def own_file(name):
            values = {"name": name, "raw": "", "res_model": "discuss.channel", "res_id": session.id}
            return self.call_kw("ir.attachment", "create", [values])["result"]

        for method, args in (("write", [{"raw": b"forged".hex()}]), ("unlink", [])):
            with self.subTest(method=method):
                answer = self.call_kw("ir.attachment", method, [visitor_file.ids, *args])
                self.assertEqual(answer, {"error": "odoo.exceptions.AccessError"})
        self.assertIn("error", self.rpc("/mail/attachment/delete", attachment_id=visitor_file.id))
        # The host's thumbnail of a PDF (what colleagues see of the document).
        thumbnail = {"attachment_id": visitor_file.id, "thumbnail": PIXEL_PNG}
        self.assertIn("error", self.rpc("/mail/attachment/update_thumbnail", **thumbnail))
        self.assertFalse(visitor_file.thumbnail)
        self.assertEqual(visitor_file.raw, b"%PDF-1.4 Ann's invoice")
        # Their own file, while the chat is open: theirs to take back.
        own = own_file("price.txt")
        self.assertIn("result", self.rpc("/mail/attachment/delete", attachment_id=own))
        self.assertFalse(self.env["ir.attachment"].browse(own).exists())
        # Once ended, not even theirs.
        own = own_file("quote.txt")
        session.with_user(self.operator).action_live_chat_close()
        self.assertEqual(
            self.call_kw("ir.attachment", "unlink", [[own]]),
            {"error": "odoo.exceptions.AccessError"},
        )
        self.assertEqual(
            self.call_kw("discuss.channel", "write", [session.ids, {"name": "Someone else"}]),
            {"error": "odoo.exceptions.AccessError"},
        )
        # Its picture, by the host's route.
        picture = {"channel_id": session.id, "data": PIXEL_PNG}
        self.assertIn("error", self.rpc("/discuss/channel/update_avatar", **picture))
        self.assertFalse(session.image_128)

    @mute_logger("odoo.http")
    def test_operator_posts_no_notice(self):
        """The widget shows a notice as the chat's own line, without an author, and
        the end of the chat on the suite's closing notice: an operator's own notice
        (the ORM's RPC takes any type, and HTML) could tell the visitor anything in
        the chat's name, or show an open chat as ended."""
        started = self.lc_start(name="Ann", body="Hello")
        session = self.lc_session(started)
        messages = session.message_ids
        self.authenticate(self.operator.login, self.operator.login)
        for kwargs in (
            {
                "body": '<p class="o_live_chat_closed">The chat has ended.</p>',
                "body_is_html": True,
                "message_type": "notification",
            },
            {"body": "You were transferred to Billing: type your card number."},
            {"body": "Type your card number.", "message_type": "user_notification"},
        ):
            with self.subTest(kwargs=kwargs):
                answer = self.call_kw("discuss.channel", "message_post", [session.ids], **kwargs)
                self.assertEqual(answer, {"error": "odoo.exceptions.AccessError"})
        self.assertEqual(session.message_ids, messages)
        # Comments, by the host's route, as ever.
        self.assertIn("result", self._post(session, "Hi Ann"))
        # The suite's closing notice shows the chat ended once it has ended only.
        notice = session.sudo().message_post(
            body=Markup('<p class="o_live_chat_closed">The chat has ended.</p>'),
            message_type="notification",
        )
        self.assertEqual(session._live_chat_message_format(notice)["kind"], "notice")
        session.with_user(self.operator).action_live_chat_close()
        self.assertEqual(session._live_chat_message_format(notice)["kind"], "closed")

    @mute_logger("odoo.http")
    def test_pins_by_those_who_work_the_chat(self):
        """The host unpins a message with no check but reading the channel: a session's
        pins are for the users who work it, while it is open."""
        started = self.lc_start(name="Ann", body="Hello")
        session = self.lc_session(started)
        message = session.message_ids.filtered("author_guest_id")
        colleague = self._create_operator("lc_routes_pin_colleague")

        def pin(user, pinned):
            self.authenticate(user.login, user.login)
            return self.call_kw(
                "discuss.channel", "set_message_pin", [session.ids, message.id, pinned]
            )

        self.assertIn("result", pin(self.operator, True))
        self.assertTrue(message.pinned_at)
        self.assertEqual(pin(colleague, False), {"error": "odoo.exceptions.AccessError"})
        self.assertTrue(message.pinned_at)
        session.with_user(self.operator).action_live_chat_close()
        self.assertEqual(pin(self.operator, False), {"error": "odoo.exceptions.UserError"})
        self.assertTrue(message.pinned_at)

    @mute_logger("odoo.http")
    def test_no_call_in_a_session(self):
        """A live chat has no calls (the widget cannot take one): the host's route
        to join a channel's call refuses a session, and posts no call notice."""
        started = self.lc_start(name="Ann", body="Hello")
        session = self.lc_session(started)
        messages = session.message_ids
        self.authenticate(self.operator.login, self.operator.login)
        answer = self.rpc("/mail/rtc/channel/join_call", channel_id=session.id)
        self.assertEqual(answer, {"error": "odoo.exceptions.UserError"})
        self.assertFalse(session.rtc_session_ids)
        self.assertEqual(session.message_ids, messages)

    @mute_logger("odoo.http")
    def test_mass_mail_composer_posts_nothing_in_a_session(self):
        """The host's mass mailing writes its messages in sudo, under any author: not
        in a session, whoever sends it."""
        started = self.lc_start(name="Ann", body="Hello")
        session = self.lc_session(started)
        messages = session.message_ids
        employee = new_test_user(self.env, "lc_routes_mailer", groups="base.group_user")
        for user in (self.operator, employee):
            with self.subTest(user=user.login):
                self.authenticate(user.login, user.login)
                composer = self.call_kw(
                    "mail.compose.message",
                    "create",
                    [
                        {
                            "composition_mode": "mass_mail",
                            "model": "discuss.channel",
                            "res_ids": str([session.id]),
                            "author_id": user.partner_id.id,
                            "subject": "Offer",
                            "body": "Please pay to this account",
                        }
                    ],
                )
                answer = self.call_kw(
                    "mail.compose.message", "action_send_mail", [[composer["result"]]]
                )
                self.assertEqual(answer, {"error": "odoo.exceptions.AccessError"})
        self.assertEqual(session.message_ids, messages)

    def test_first_answer_is_noted_whatever_the_context(self):
        """The operator's first answer is noted (the report's response time) even when
        the web client's context says it is the channel's welcome message: only the
        suite's code can say that."""
        started = self.lc_start(name="Ann", body="Hello")
        session = self.lc_session(started)
        self.assertFalse(session.live_chat_first_answer_dt)
        self.authenticate(self.operator.login, self.operator.login)
        self.assertIn("result", self._post(session, "Hi", context={"live_chat_welcome": True}))
        self.assertTrue(session.live_chat_first_answer_dt)

    @mute_logger("odoo.http")
    def test_closed_session_takes_no_message(self):
        started = self.lc_start(name="Ann", body="Hello")
        session = self.lc_session(started)
        session.with_user(self.operator).action_live_chat_close()
        self.assertEqual(session.live_chat_state, "closed")
        messages = session.message_ids
        # The visitor's API.
        response = self.lc_post(
            "/live_chat/session/post",
            {"session_id": session.id, "token": started["token"], "body": "Still there?"},
        )
        self.assertEqual(response.status_code, 409)
        # The host's route, as the visitor.
        self._as_guest(started)
        self.assertIn("error", self._post(session, "Still there?"))
        # The operator's composer.
        self.opener.cookies.clear()
        self.authenticate(self.operator.login, self.operator.login)
        answer = self._post(session, "One more thing")
        self.assertEqual(answer, {"error": "odoo.exceptions.UserError"})
        # The route copies the web client's context into the environment: the flag of
        # the suite's own posts is not a value that a client can send.
        answer = self._post(session, "One more thing", context={"live_chat_post": True})
        self.assertEqual(answer, {"error": "odoo.exceptions.UserError"})
        self.assertEqual(session.message_ids, messages)
        # The host's /leave on a closed session posts nothing either.
        session.with_user(self.operator).execute_command_leave()
        self.assertEqual(session.message_ids, messages)


@tagged("post_install", "-at_install")
class TestClosedSessionsLeaveTheWebClient(LiveChatCommon, HttpCase):
    """An operator with 10,000 closed sessions starts the web client like one with none."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.operator = cls._create_operator("lc_history_operator", name="Hanna History")
        cls.newcomer = cls._create_operator("lc_history_newcomer", name="Nina Newcomer")
        cls.channel = cls._create_channel(cls.operator | cls.newcomer)

    def _add_closed_sessions(self, user, count):
        """``count`` closed sessions of ``user``, as the suite leaves them (unpinned)."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                WITH sessions AS (
                    INSERT INTO discuss_channel (
                        name, channel_type, uuid, live_chat_channel_id, live_chat_operator_id,
                        live_chat_state, live_chat_start_dt, live_chat_end_dt,
                        last_interest_dt, create_uid, write_uid, create_date, write_date
                    )
                    SELECT 'Visitor #' || n, 'live_chat', md5(random()::text || n), %(channel)s,
                           %(user)s, 'closed', now() - interval '2 days',
                           now() - interval '2 days', now() - interval '2 days', 1, 1,
                           now(), now()
                      FROM generate_series(1, %(count)s) n
                    RETURNING id
                )
                INSERT INTO discuss_channel_member (
                    channel_id, partner_id, unpin_dt, last_interest_dt,
                    new_message_separator, create_uid, write_uid, create_date, write_date
                )
                SELECT id, %(partner)s, now() - interval '1 day', now() - interval '2 days',
                       0, 1, 1, now(), now()
                  FROM sessions
                """,
                channel=self.channel.id,
                user=user.id,
                partner=user.partner_id.id,
                count=count,
            )
        )
        self.env.invalidate_all()

    def _start_web_client(self, user, queries=None):
        """What the operator's web client asks at start: (query count, channels).
        With ``queries``, assert that it takes exactly that many."""
        self.authenticate(user.login, user.login)
        params = {
            "fetch_params": [
                "init_messaging",
                "channels_as_member",
                "failures",
                "systray_get_activities",
            ]
        }
        data = json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1, "params": params})
        headers = {"Content-Type": "application/json"}
        self.url_open("/mail/data", data=data, headers=headers)  # warm the caches
        self.env.flush_all()
        count = self.cr.sql_log_count
        if queries is None:
            response = self.url_open("/mail/data", data=data, headers=headers)
        else:
            with self.assertQueryCount(queries):
                response = self.url_open("/mail/data", data=data, headers=headers)
        count = self.cr.sql_log_count - count
        self.assertEqual(response.status_code, 200)
        channels = response.json()["result"].get("discuss.channel", [])
        return count, sorted(c["id"] for c in channels)

    def _subscription(self, user):
        """The channels the host's websocket subscribes ``user`` to (what its
        ``subscribe`` event computes, in a request of that user)."""
        _request_stack.push(SimpleNamespace(session=SimpleNamespace(uid=user.id), cookies={}))
        try:
            channels = self.env["ir.websocket"].with_user(user)._build_bus_channel_list([])
            return [c for c in channels if isinstance(c, models.BaseModel)]
        finally:
            _request_stack.pop()

    def test_start_up_and_subscription_do_not_grow_with_the_history(self):
        # The same open session for both operators.
        open_session = self._create_sessions(self.channel, self.operator)
        open_session._add_members(users=self.operator | self.newcomer, post_joined_message=False)
        newcomer_queries, newcomer_channels = self._start_web_client(self.newcomer)
        newcomer_bus = self._subscription(self.newcomer)
        members = self.env["discuss.channel.member"]
        before = members.search_count([("partner_id", "=", self.operator.partner_id.id)])
        self._add_closed_sessions(self.operator, 10_000)
        self.assertEqual(
            members.search_count([("partner_id", "=", self.operator.partner_id.id)]),
            before + 10_000,
        )
        _queries, channels = self._start_web_client(self.operator, queries=newcomer_queries)
        self.assertEqual(channels, newcomer_channels)
        self.assertIn(open_session.id, channels)
        self.assertEqual(len(self._subscription(self.operator)), len(newcomer_bus))

    def test_operator_reads_the_sessions_they_closed(self):
        """The web client's messaging menu asks for the sessions it listed, the ones
        the operator closed too: read, never an access error (a dialog)."""
        operator = self.operator
        sessions = self.env["discuss.channel"]
        for name in ("Open Visitor", "Closed Visitor"):
            session = self._create_sessions(self.channel, operator, name=name)
            session._add_members(users=operator, post_joined_message=False)
            session.with_context(live_chat_post=SUITE_POST).message_post(
                body=f"Hello from {name}", message_type="comment"
            )
            sessions |= session
        open_session, closed_session = sessions
        closed_session.with_user(operator).action_live_chat_close()
        self.assertEqual(closed_session.live_chat_state, "closed")
        self.assertEqual(open_session.live_chat_state, "open")
        self.authenticate(operator.login, operator.login)
        data = self.make_jsonrpc_request(
            "/mail/data", {"fetch_params": [["discuss.channel", sessions.ids]]}
        )
        channels = {channel["id"] for channel in data["discuss.channel"]}
        self.assertEqual(channels, set(sessions.ids))

    def test_closing_unpins_for_every_member(self):
        self._set_presence(self.operator)
        started = self.lc_start(name="Ann", body="Hello")
        session = self.lc_session(started)
        as_operator = self.env["discuss.channel"].with_user(self.operator)
        self.assertIn(session, as_operator._get_channels_as_member())
        self.assertIn(session, self._subscription(self.operator))
        session.with_user(self.operator).action_live_chat_close()
        self.assertEqual(session.channel_member_ids.mapped("is_pinned"), [False, False])
        self.assertNotIn(session, as_operator._get_channels_as_member())
        self.assertNotIn(session, self._subscription(self.operator))
        # Still in Live Chat > Sessions, and readable by the operator.
        self.assertIn(
            session,
            self.env["discuss.channel"]
            .with_user(self.operator)
            .search([("live_chat_channel_id", "=", self.channel.id)]),
        )
