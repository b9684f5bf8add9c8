import json

from odoo import fields
from odoo.tests import new_test_user

OPERATOR_GROUPS = "base.group_user,live_chat.live_chat_group_user"


class LiveChatCommon:
    """Fixtures of the visitor/operator tests, mixed into a TransactionCase or an
    HttpCase: a channel with operators, the host's presence, the visitor's API."""

    @classmethod
    def _create_operator(cls, login, **values):
        return new_test_user(cls.env, login, groups=OPERATOR_GROUPS, **values)

    @classmethod
    def _set_presence(cls, users, status="online", last_poll=None):
        """Give ``users`` the host's presence ``status``, polled at ``last_poll``
        (now by default): what an operator's open web client keeps up to date."""
        values = {"status": status, "last_poll": last_poll or fields.Datetime.now()}
        for user in users:
            presence = cls.env["mail.presence"].search([("user_id", "=", user.id)])
            if presence:
                presence.write(values)
            else:
                cls.env["mail.presence"].create({"user_id": user.id, **values})

    @classmethod
    def _create_sessions(cls, channel, operator, count=1, state="open", **values):
        """``count`` sessions of ``operator``, without messages: an operator's load."""
        return cls.env["discuss.channel"].create(
            [
                {
                    "name": f"Visitor {index}",
                    "channel_type": "group",
                    "live_chat_channel_id": channel.id,
                    "live_chat_operator_id": operator.id,
                    "live_chat_state": state,
                    "live_chat_start_dt": fields.Datetime.now(),
                    **values,
                }
                for index in range(count)
            ]
        )

    # ------------------------------------------------------------
    # The visitor's API (HttpCase only)
    # ------------------------------------------------------------

    def lc_post(self, route, payload=None, *, data=None):
        """POST ``payload`` to a route of the visitor's API as the widget does: a JSON
        object sent as text/plain, with the session cookie of the test's opener (see
        ``authenticate``). ``data``: a raw body instead."""
        # The request runs in this transaction, with a cache of its own.
        self.env.flush_all()
        response = self.url_open(
            route,
            data=data if data is not None else json.dumps(payload or {}),
            headers={"Content-Type": "text/plain"},
        )
        self.env.invalidate_all()
        return response

    def lc_call(self, route, payload=None, *, status=200):
        """The JSON answer of a route, which must answer ``status``."""
        response = self.lc_post(route, payload)
        self.assertEqual(response.status_code, status, response.text)
        self.assertEqual(response.headers["Content-Type"], "application/json; charset=utf-8")
        return response.json()

    def lc_start(self, channel=None, body="Hello, I need help", **payload):
        """Start a session as a visitor; the answer of /live_chat/session/start."""
        payload = {"channel_id": (channel or self.channel).id, "body": body, **payload}
        return self.lc_call("/live_chat/session/start", payload)

    def lc_session(self, started):
        """The session record of an answer of /live_chat/session/start."""
        return self.env["discuss.channel"].browse(started["session"]["id"])
