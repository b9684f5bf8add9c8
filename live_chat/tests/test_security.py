import json

from odoo import Command
from odoo.tests import tagged

from .common import LiveChatWebsocketCase

SESSION_ROUTES = (
    "/live_chat/session/post",
    "/live_chat/session/messages",
    "/live_chat/session/close",
)


@tagged("post_install", "-at_install")
class TestSecurity(LiveChatWebsocketCase):
    """The visitor's routes treat every argument as hostile: a clear 4xx answer,
    never a traceback, never another visitor's data, markup always escaped."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.channel.max_sessions_per_operator = 0  # many visitors here
        cls.other_channel = cls.env["live_chat.channel"].create(
            {"name": "Other", "user_ids": [Command.set(cls.operator.ids)]}
        )

    def assertError(self, response, statuses, code=None):
        """A JSON error of one of ``statuses``, never a server error."""
        statuses = statuses if isinstance(statuses, tuple) else (statuses,)
        self.assertIn(response.status_code, statuses, response.text[:500])
        error = response.json()["error"]
        self.assertEqual(set(error), {"code", "message"})
        if code:
            self.assertEqual(error["code"], code)
        return error

    def _session_payload(self, started, **payload):
        return {"session_id": started["session"]["id"], "token": started["token"], **payload}

    def test_another_visitors_session(self):
        ann = self.lc_start(name="Ann", body="Ann's secret")
        bob = self.lc_start(name="Bob", body="Bob's question")
        session = self.lc_session(ann)
        messages = session.message_ids
        missing = self.lc_post(
            "/live_chat/session/messages", {"session_id": 2**31 - 1, "token": bob["token"]}
        )
        self.assertError(missing, 404, "not_found")
        for route in SESSION_ROUTES:
            with self.subTest(route=route):
                # Ann's session with Bob's token: as if it did not exist.
                response = self.lc_post(
                    route, {"session_id": ann["session"]["id"], "token": bob["token"], "body": "Hi"}
                )
                self.assertError(response, 404)
                self.assertEqual(response.content, missing.content)
                self.assertNotIn("Ann", response.text)
        self.assertEqual(session.message_ids, messages)
        self.assertEqual(session.live_chat_state, "open")

        # The widget of another channel does not show the session.
        init = self.lc_call(f"/live_chat/init/{self.other_channel.id}", self._session_payload(ann))
        self.assertIs(init["session"], False)
        # Another visitor's session id with one's own token: a page view without a
        # session (the widget starts afresh), nothing of Ann's session.
        response = self.lc_post(
            f"/live_chat/init/{self.channel.id}",
            {"session_id": ann["session"]["id"], "token": bob["token"]},
        )
        self.assertEqual(response.status_code, 200)
        self.assertIs(response.json()["session"], False)
        self.assertNotIn(ann["token"], response.text)

    def test_forged_ids_and_tokens(self):
        started = self.lc_start(name="Ann")
        sid, token = started["session"]["id"], started["token"]
        forged_ids = [
            0,
            -1,
            2**31,
            2**40,
            -(2**63),
            str(sid),
            True,
            False,
            None,
            1.5,
            [sid],
            {"id": sid},
            "1; DROP TABLE discuss_channel",
        ]
        forged_tokens = [
            "",
            None,
            0,
            True,
            [token],
            {"token": token},
            token + "x",
            token[:-1],
            token.upper(),
            "x" * 2000,
        ]
        cases = [{"session_id": value, "token": token} for value in forged_ids]
        cases += [{"session_id": sid, "token": value} for value in forged_tokens]
        cases += [{}, {"token": token}, {"session_id": sid}]
        for route in SESSION_ROUTES:
            for payload in cases:
                with self.subTest(route=route, payload=payload):
                    response = self.lc_post(route, {**payload, "body": "Hello"})
                    self.assertError(response, (400, 404))
        self.assertEqual(self.lc_session(started).live_chat_state, "open")

    def test_forged_arguments(self):
        started = self.lc_start(name="Ann")
        session = self._session_payload(started)
        for after_id in ("1", True, 1.5, [1], {"id": 1}):
            response = self.lc_post(
                "/live_chat/session/messages", {**session, "after_id": after_id}
            )
            self.assertError(response, 400, "bad_field")
        for after_id in (-5, 2**40, -(2**63)):
            self.lc_call("/live_chat/session/messages", {**session, "after_id": after_id})
        for channel_id in (0, -1, 2**31, 2**40):
            response = self.lc_post(
                "/live_chat/session/start", {"channel_id": channel_id, "body": "Hi"}
            )
            self.assertError(response, 404, "not_found")
        for channel_id in ("1", True, None, 1.5, [self.channel.id]):
            response = self.lc_post(
                "/live_chat/session/start", {"channel_id": channel_id, "body": "Hi"}
            )
            self.assertError(response, 400, "bad_field")
        guests = self.env["mail.guest"].search_count([])
        for values in ({"name": 12}, {"url": ["x"]}, {"body": 12}, {"body": None}):
            response = self.lc_post(
                "/live_chat/session/start", {"channel_id": self.channel.id, "body": "Hi", **values}
            )
            self.assertError(response, 400, "bad_field")
        for values in ({"name": "x" * 65}, {"url": "https://x/" + "x" * 2048}):
            response = self.lc_post(
                "/live_chat/session/start", {"channel_id": self.channel.id, "body": "Hi", **values}
            )
            self.assertError(response, 413, "field_too_long")
        self.assertEqual(
            self.env["mail.guest"].search_count([]), guests, "a refused start stores no guest"
        )
        for channel_id in (0, 2**31, 2**40):
            self.assertEqual(self.lc_post(f"/live_chat/init/{channel_id}", {}).status_code, 404)
        init = self.lc_post(f"/live_chat/init/{self.channel.id}", {"session_id": "x"})
        self.assertEqual(init.status_code, 200)
        self.assertIs(init.json()["session"], False)
        for lang in (12, "zz", "x" * 100, None, "fr-BE-x-private", ["fr"]):
            init = self.lc_call(f"/live_chat/init/{self.channel.id}", {"lang": lang})
            self.assertIs(init["available"], True)

    def test_broken_guest_tokens(self):
        """A broken or someone else's guest token: a new visitor."""
        started = self.lc_start(name="Ann")
        guest_id = started["guest"]["id"]
        for guest_token in (
            "abc",
            "|",
            "1|x|y",
            f"{guest_id}|",
            f"{guest_id}|wrong",
            "x|y",
            f"{2**40}|x",
            f"{10**30}|x",
            f"-{guest_id}|x",
            12,
            ["a"],
            "x" * 500,
        ):
            with self.subTest(guest_token=guest_token):
                again = self.lc_start(guest_token=guest_token, lang={"x": 1})
                self.assertNotEqual(again["guest"]["id"], guest_id)

    def test_markup_escaped(self):
        name = "<b>Ann</b><script>alert(1)</script>"
        started = self.lc_start(name=name, body="<b>bold</b> <img src=x onerror=alert(1)>")
        session = self.lc_session(started)
        first = session.message_ids.sorted("id")[-1]
        self.assertEqual(
            first.body, "<p>&lt;b&gt;bold&lt;/b&gt; &lt;img src=x onerror=alert(1)&gt;</p>"
        )
        self.assertEqual(started["messages"][-1]["body"], first.body)
        self.assertEqual(session.live_chat_visitor_guest_id.name, name)  # text, shown as text

        posted = self.lc_call(
            "/live_chat/session/post",
            self._session_payload(started, body='</p><a href="javascript:x()">click</a>'),
        )["message"]
        expected = '<p>&lt;/p&gt;&lt;a href="javascript:x()"&gt;click&lt;/a&gt;</p>'
        self.assertEqual(self.env["mail.message"].browse(posted["id"]).body, expected)
        self.assertEqual(posted["body"], expected)
        self.lc_call("/live_chat/session/close", self._session_payload(started))
        messages = self.lc_call("/live_chat/session/messages", self._session_payload(started))[
            "messages"
        ]
        self.assertEqual(messages[-2]["body"], expected)
        # The closing notice names the visitor for the operator (the visitor reads "You
        # ended the chat."): the name escaped.
        notice = self.env["mail.message"].browse(messages[-1]["id"]).body
        self.assertIn("&lt;b&gt;Ann&lt;/b&gt;&lt;script&gt;alert(1)&lt;/script&gt; left", notice)
        self.assertNotIn("<b>", notice)
        self.assertNotIn("<script>", notice)
        for message in messages:
            self.assertNotIn("<script", message["body"])
            self.assertNotIn("<img", message["body"])

    def test_bad_payloads(self):
        started = self.lc_start(name="Ann")
        post = "/live_chat/session/post"
        huge = json.dumps(self._session_payload(started, body="x" * (16 * 1024)))
        self.assertError(self.lc_post(post, data=huge), 413, "payload_too_large")
        self.assertError(self.lc_post(post, data="{not json"), 400, "bad_json")
        self.assertError(self.lc_post(post, data=b"\xff\xfe{}"), 400, "bad_json")
        self.assertError(self.lc_post(post, data="[1, 2]"), 400, "bad_json")
        self.assertError(self.lc_post(post, data='"text"'), 400, "bad_json")
        self.assertError(self.lc_post(post, data="null"), 400, "bad_json")
        self.assertError(self.lc_post(post, data="[" * 8000), 400, "bad_json")
        deep = '{"a":' * 2000 + "1" + "}" * 2000
        self.assertError(self.lc_post(post, data=deep), (400, 404))

        too_long = self._session_payload(started, body="x" * 4001)
        self.assertError(self.lc_post(post, too_long), 413, "field_too_long")
        self.lc_call(post, self._session_payload(started, body="x" * 4000))
        for body in ("", "   ", "\n\t"):
            error = self.assertError(
                self.lc_post(post, self._session_payload(started, body=body)), 422
            )
            self.assertEqual(error["code"], "empty_message")
        response = self.lc_post(
            "/live_chat/session/start", {"channel_id": self.channel.id, "body": " "}
        )
        self.assertError(response, 422, "empty_message")

    def test_unknown_and_archived_channels(self):
        unknown = self.other_channel.id + 1000
        for url in (
            f"/live_chat/loader/{unknown}",
            f"/live_chat/support/{unknown}",
            "/live_chat/loader/0",
            "/live_chat/support/0",
            f"/live_chat/loader/{2**40}",
            "/live_chat/support/abc",
        ):
            with self.subTest(url=url):
                self.assertEqual(self.url_open(url).status_code, 404)
        self.assertEqual(
            self.url_open(f"/live_chat/loader/{self.other_channel.id}").status_code, 200
        )
        self.assertEqual(
            self.url_open(f"/live_chat/support/{self.other_channel.id}").status_code, 200
        )

        self.other_channel.active = False
        self.env.flush_all()
        cid = self.other_channel.id
        for url in (f"/live_chat/loader/{cid}", f"/live_chat/support/{cid}"):
            self.assertEqual(self.url_open(url).status_code, 404)
        self.assertEqual(self.lc_post(f"/live_chat/init/{cid}", {}).status_code, 404)
        response = self.lc_post("/live_chat/session/start", {"channel_id": cid, "body": "Hi"})
        self.assertError(response, 404, "not_found")
        self.assertFalse(self.env["discuss.channel"].search([("live_chat_channel_id", "=", cid)]))

    def test_websocket_of_another_session(self):
        """A visitor who subscribes to another session's bus channels, and with
        another guest's id, hears none of that session."""
        visitor = self._new_session()
        ann = self.lc_start(name="Ann")
        bob = self.lc_start(name="Bob")
        ann_session, bob_session = self.lc_session(ann), self.lc_session(bob)
        ws = self.websocket_connect(cookie=f"session_id={visitor.sid}")
        self.subscribe(
            ws,
            [
                f"mail.guest_{ann['guest']['token']}",
                f"discuss.channel_{bob_session.id}",
                f"mail.guest_{bob['guest']['id']}|{ann['guest']['token'].split('|')[1]}",
                f"mail.guest_{bob['guest']['id']}|wrong-token",
                f"mail.guest_{bob['guest']['id']}",
            ],
            self.env["bus.bus"]._bus_last_id(),
        )
        secret = self._operator_says(bob_session, "Bob, your code is 4242.")
        self._operator_says(ann_session, "Hello Ann.")
        self.trigger_notification_dispatching(
            [bob_session, ann_session, bob_session.live_chat_visitor_guest_id]
        )
        received = self._receive(ws, 1) + self._drain(ws)
        self.assertEqual(
            [self._body(m) for m in self._messages(received, ann_session)], ["<p>Hello Ann.</p>"]
        )
        self.assertEqual(self._messages(received, bob_session), [])
        dump = json.dumps(received)
        self.assertNotIn("4242", dump)
        self.assertNotIn(f'"id": {secret.id},', dump)
