import json

from odoo.tests import HttpCase, JsonRpcException, tagged
from odoo.tools import mute_logger

from odoo.addons.bus.models.bus import channel_with_db, json_dump

from .common import LiveChatOperatorCommon


@tagged("post_install", "-at_install")
class TestReactionsForTheVisitor(LiveChatOperatorCommon, HttpCase):
    """The operator's reactions (the host's route) reach the visitor: on their bus
    channel as they change, and with the messages they load."""

    def _reactions_sent(self, session):
        channel = json_dump(channel_with_db(self.env.cr.dbname, session._live_chat_bus_channel()))
        notifications = self.env["bus.bus"].sudo().search([("channel", "=", channel)], order="id")
        return [
            message["payload"]
            for message in map(json.loads, notifications.mapped("message"))
            if message["type"] == "live_chat/reactions"
        ]

    def _react(self, message_id, action):
        self.make_jsonrpc_request(
            "/mail/message/reaction",
            {"message_id": message_id, "content": "👍", "action": action},
        )
        self.env.invalidate_all()

    def test_operator_reaction_reaches_the_visitor(self):
        started = self.lc_start()
        session = self.lc_session(started)
        credentials = {"session_id": session.id, "token": started["token"]}
        visitor_message = next(m for m in started["messages"] if m["from_visitor"])
        self.assertEqual(visitor_message["reactions"], [])
        self.authenticate(self.operator.login, self.operator.login)
        self._react(visitor_message["id"], "add")
        expected = {
            "session_id": session.id,
            "message_id": visitor_message["id"],
            "reactions": [{"emoji": "👍", "count": 1}],
        }
        self.assertEqual(self._reactions_sent(session), [expected])
        self.session = None  # the visitor has no web session
        self.opener.cookies.clear()
        loaded = self.lc_call("/live_chat/session/messages", credentials)["messages"]
        self.assertEqual(
            next(m for m in loaded if m["id"] == visitor_message["id"])["reactions"],
            [{"emoji": "👍", "count": 1}],
        )
        self.authenticate(self.operator.login, self.operator.login)
        self._react(visitor_message["id"], "remove")
        self.assertEqual(self._reactions_sent(session)[-1], {**expected, "reactions": []})

    def test_colleague_does_not_react_in_a_chat_they_do_not_work(self):
        """Live Chat users read every session: reacting to its messages (which the
        visitor sees) is for the users who work it, while it is open."""
        started = self.lc_start()
        session = self.lc_session(started)
        visitor_message = next(m for m in started["messages"] if m["from_visitor"])
        message = self.env["mail.message"].browse(visitor_message["id"])
        colleague = self._create_operator("lc_reactions_colleague")
        self.authenticate(colleague.login, colleague.login)
        with mute_logger("odoo.http"), self.assertRaises(JsonRpcException):
            self._react(message.id, "add")
        self.assertFalse(message.reaction_ids)
        self.assertEqual(self._reactions_sent(session), [])
        # Invited to the chat, they may.
        session.sudo()._add_members(users=colleague, post_joined_message=False)
        self._react(message.id, "add")
        self.assertEqual(message.reaction_ids.partner_id, colleague.partner_id)
        # Nobody once it has ended (the widget shows a closed chat's reactions).
        session.with_user(self.operator).action_live_chat_close()
        self.authenticate(self.operator.login, self.operator.login)
        with mute_logger("odoo.http"), self.assertRaises(JsonRpcException):
            self._react(message.id, "add")
        self.assertEqual(message.reaction_ids.partner_id, colleague.partner_id)

    def test_rate_limited_answer_tells_when(self):
        """A refused message says when to send it again, readable by another website's
        widget (CORS exposes the header)."""
        self.env["ir.config_parameter"].set_param("live_chat.rate_limit.message_session", "1")
        started = self.lc_start()
        payload = {"session_id": started["session"]["id"], "token": started["token"]}
        self.lc_call("/live_chat/session/post", {**payload, "body": "One"})
        response = self.lc_post(
            "/live_chat/session/post",
            {**payload, "body": "Two"},
            headers={"Origin": "https://shop.example.com"},
        )
        self.assertEqual(response.status_code, 429)
        self.assertGreaterEqual(int(response.headers["Retry-After"]), 1)
        self.assertIn("Retry-After", response.headers["Access-Control-Expose-Headers"])
