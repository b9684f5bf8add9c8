import json
import re

from odoo import Command, fields
from odoo.http import root
from odoo.tests import new_test_user
from odoo.tests.common import _registry_test_lock

from odoo.addons.bus.tests.common import WebsocketCase

try:
    from websocket import WebSocketTimeoutException
except ImportError:  # WebsocketCase skips its tests without websocket-client
    WebSocketTimeoutException = None

NEW_MESSAGE = "discuss.channel/new_message"
# What the visitor's widget hears on its session's bus channel.
LC_MESSAGE = "live_chat/message"
LC_SESSION = "live_chat/session"
OPERATOR_GROUPS = "base.group_user,live_chat.live_chat_group_user"
# A PNG of one pixel, base64: a picture where a test needs one.
PIXEL_PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
    "+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


class LiveChatCommon:
    """Fixtures of the visitor/operator tests, mixed into a TransactionCase or an
    HttpCase: a channel with operators, the host's presence, the visitor's API."""

    @classmethod
    def _create_operator(cls, login, **values):
        return new_test_user(cls.env, login, groups=OPERATOR_GROUPS, **values)

    @classmethod
    def _create_channel(cls, operators, name="Support", **values):
        """A channel answered by ``operators``."""
        return cls.env["live_chat.channel"].create(
            {"name": name, "user_ids": [Command.set(operators.ids)], **values}
        )

    @classmethod
    def _set_presence(cls, users, status="online", last_poll=None):
        """Give ``users`` the host's presence ``status``, polled at ``last_poll``
        (by default now, on the database's clock, which a frozen time leaves alone):
        what an operator's open web client and the server holding its socket keep
        up to date."""
        values = {"status": status, "last_poll": last_poll or cls.env.cr.now()}
        for user in users:
            presence = cls.env["mail.presence"].search([("user_id", "=", user.id)])
            if presence:
                presence.write(values)
            else:
                cls.env["mail.presence"].create({"user_id": user.id, **values})

    @classmethod
    def _create_time_off(cls, user, date_from, date_to):
        """Time off of ``user`` (their resource's leave) from ``date_from`` to
        ``date_to`` (UTC): what channels following time off take into account."""
        resource = cls.env["resource.resource"].create({"name": user.name, "user_id": user.id})
        return cls.env["resource.calendar.leaves"].create(
            {
                "name": "Holidays",
                "resource_id": resource.id,
                "date_from": date_from,
                "date_to": date_to,
            }
        )

    @classmethod
    def _create_sessions(cls, channel, operator, count=1, state="open", **values):
        """``count`` sessions of ``operator``, without messages: an operator's load."""
        return cls.env["discuss.channel"].create(
            [
                {
                    "name": f"Visitor {index}",
                    "channel_type": "live_chat",
                    "live_chat_channel_id": channel.id,
                    "live_chat_operator_id": operator.id,
                    "live_chat_state": state,
                    "live_chat_start_dt": fields.Datetime.now(),
                    **values,
                }
                for index in range(count)
            ]
        )

    def _create_messages(self, session, author, numbers):
        """The messages "Message <number>" of ``author`` in ``session``, one per number."""
        return self.env["mail.message"].create(
            [
                {
                    "model": "discuss.channel",
                    "res_id": session.id,
                    "body": f"<p>Message {number}</p>",
                    "message_type": "comment",
                    "author_id": author.partner_id.id,
                }
                for number in numbers
            ]
        )

    # ------------------------------------------------------------
    # The visitor's API (HttpCase only)
    # ------------------------------------------------------------

    def lc_post(self, route, payload=None, *, data=None, headers=None):
        """POST ``payload`` to a route of the visitor's API as the widget does: a JSON
        object sent as text/plain, with the session cookie of the test's opener (see
        ``authenticate``), from a page of the server (its ``Origin``) unless
        ``headers`` say otherwise. ``data``: a raw body instead."""
        # The request runs in this transaction, with a cache of its own.
        self.env.flush_all()
        response = self.url_open(
            route,
            data=data if data is not None else json.dumps(payload or {}),
            headers={"Content-Type": "text/plain", "Origin": self.base_url(), **(headers or {})},
        )
        self.env.invalidate_all()
        return response

    def lc_call(self, route, payload=None, *, status=200, headers=None):
        """The JSON answer of a route, which must answer ``status``."""
        response = self.lc_post(route, payload, headers=headers)
        self.assertEqual(response.status_code, status, response.text)
        self.assertEqual(response.headers["Content-Type"], "application/json; charset=utf-8")
        return response.json()

    def lc_start(self, channel=None, body="Hello, I need help", *, headers=None, **payload):
        """Start a session as a visitor; the answer of /live_chat/session/start."""
        payload = {"channel_id": (channel or self.channel).id, "body": body, **payload}
        return self.lc_call("/live_chat/session/start", payload, headers=headers)

    def lc_csrf_token(self):
        """A CSRF token of the test's opener session, as any page of the server gives
        it (the host's forms and routes check it before anything else)."""
        page = self.url_open("/web/login").text
        return re.search(r'csrf_token: "([^"]+)"', page).group(1)

    def lc_session(self, started):
        """The session record of an answer of /live_chat/session/start."""
        return self.env["discuss.channel"].browse(started["session"]["id"])


class LiveChatOperatorCommon(LiveChatCommon):
    """The fixture of most tests: one operator (``operator``, named ``operator_name``)
    answering one channel (``channel``, of ``channel_values``), online in every test
    unless ``operator_online`` is False."""

    operator_name = "Olga Operator"
    channel_values = {}
    operator_online = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.operator = cls._create_operator("lc_operator", name=cls.operator_name)
        cls.channel = cls._create_channel(cls.operator, **cls.channel_values)

    def setUp(self):
        super().setUp()
        if self.operator_online:
            self._set_presence(self.operator)


class LiveChatWebsocketCase(LiveChatOperatorCommon, WebsocketCase):
    """Real websocket clients on the host's bus: an operator logged in, visitors
    subscribed as the widget does (their session's own bus channel)."""

    def _new_session(self, user=None):
        """A new browser session (public without ``user``), kept alive beside the
        others: each client of a test has its own."""
        self.session = None  # authenticate() would delete the previous one
        login = user.login if user else None
        session = self.authenticate(login, login)
        self.addCleanup(root.session_store.delete, session)
        return session

    def _visitor_socket(self, visitor_session, bus_channel, last=None):
        """The widget's socket: subscribed to its session's bus channel only."""
        ws = self.websocket_connect(cookie=f"session_id={visitor_session.sid}")
        self.subscribe(
            ws, [bus_channel], self.env["bus.bus"]._bus_last_id() if last is None else last
        )
        return ws

    def _operator_socket(self, operator_session):
        """The operator's web client: the host subscribes it to their conversations."""
        ws = self.websocket_connect(cookie=f"session_id={operator_session.sid}")
        self.subscribe(ws, [], self.env["bus.bus"]._bus_last_id())
        return ws

    def _operator_says(self, session, body):
        # The test's cursor is shared with the sockets' threads: take its lock.
        with _registry_test_lock:
            return session.with_user(self.operator).message_post(
                body=body, message_type="comment", subtype_xmlid="mail.mt_comment"
            )

    def _receive(self, ws, count, notification_type=NEW_MESSAGE):
        """The notifications received on ``ws`` until ``count`` of ``notification_type``
        (the host's new messages by default) came."""
        notifications = []
        while sum(n["message"]["type"] == notification_type for n in notifications) < count:
            notifications += json.loads(ws.recv())
        return notifications

    def _drain(self, ws, timeout=1):
        """What else arrives on ``ws`` within ``timeout`` seconds."""
        notifications = []
        ws.settimeout(timeout)
        try:
            while True:
                notifications += json.loads(ws.recv())
        except WebSocketTimeoutException:
            return notifications
        finally:
            ws.settimeout(10)

    @staticmethod
    def _messages(notifications, session):
        """The messages of ``session`` in new message notifications, in order."""
        messages = []
        for notification in notifications:
            payload = notification["message"]["payload"]
            if notification["message"]["type"] == NEW_MESSAGE and payload["id"] == session.id:
                messages += payload["data"]["mail.message"]
        return messages

    @staticmethod
    def _payloads(notifications, notification_type=LC_MESSAGE):
        """The payloads of ``notification_type`` (the widget's messages by default)."""
        return [
            n["message"]["payload"]
            for n in notifications
            if n["message"]["type"] == notification_type
        ]

    @staticmethod
    def _body(message):
        body = message["body"]
        return body[1] if isinstance(body, list) else body  # ["markup", html]


SUITE_MODULES = ("live_chat", "live_chat_website", "live_chat_helpdesk", "live_chat_crm")


def load_language(env, lang="uk_UA"):
    """Activate ``lang`` and load the translations of the suite's installed modules, as
    installing a language in a database that has the suite does."""
    env["res.lang"]._activate_lang(lang)
    installed = env["ir.module.module"].search(
        [("name", "in", SUITE_MODULES), ("state", "=", "installed")]
    )
    env["ir.module.module"]._load_module_terms(installed.mapped("name"), [lang], overwrite=True)
