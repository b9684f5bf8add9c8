import json
from unittest.mock import patch

from odoo import Command
from odoo.tests import BaseCase, new_test_user, tagged
from odoo.tools.translate import code_translations

from odoo.addons.mail.tools.discuss import Store

from ..controllers.main import BadRequest
from ..models.utils import clean_page_url, is_clean_text
from .common import LC_MESSAGE, LiveChatWebsocketCase

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
        # Many sessions too, from one address: limits are tested in test_rate_limit.
        cls.env["ir.config_parameter"].set_param("live_chat.rate_limit.session_start_ip", "0")
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
        # The page's inputs are checked before they make a key of the worker's cache,
        # whether the answer reads them or not (the time zone: when offline only).
        self.assertTrue(self.lc_call(f"/live_chat/init/{self.channel.id}", {})["available"])
        for values, status, code in (
            ({"tz": ["Europe/Kyiv"] * 500}, 400, "bad_field"),
            ({"tz": "x" * 65}, 413, "field_too_long"),
            ({"url": {"href": "https://x/"}}, 400, "bad_field"),
        ):
            with self.subTest(values=values):
                response = self.lc_post(f"/live_chat/init/{self.channel.id}", values)
                self.assertError(response, status, code)
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
        another guest's id or token, hears none of that session: only their own
        session's secret channel speaks to them."""
        visitor = self._new_session()
        ann = self.lc_start(name="Ann")
        bob = self.lc_start(name="Bob")
        ann_session, bob_session = self.lc_session(ann), self.lc_session(bob)
        ws = self.websocket_connect(cookie=f"session_id={visitor.sid}")
        self.subscribe(
            ws,
            [
                ann["session"]["bus_channel"],
                f"mail.guest_{ann['guest']['token']}",
                f"mail.guest_{bob['guest']['token']}",
                f"discuss.channel_{bob_session.id}",
                f"live_chat:{bob_session.id}",
                f"mail.guest_{bob['guest']['id']}|{ann['guest']['token'].split('|')[1]}",
                f"mail.guest_{bob['guest']['id']}",
            ],
            self.env["bus.bus"]._bus_last_id(),
        )
        self._operator_says(bob_session, "Bob, your code is 4242.")
        self._operator_says(ann_session, "Hello Ann.")
        self.trigger_notification_dispatching(
            [
                bob_session,
                ann_session,
                bob_session.live_chat_visitor_guest_id,
                ann_session.live_chat_visitor_guest_id,
                ann["session"]["bus_channel"],
                bob["session"]["bus_channel"],
            ]
        )
        received = self._receive(ws, 1, LC_MESSAGE) + self._drain(ws)
        self.assertEqual([m["body"] for m in self._payloads(received)], ["<p>Hello Ann.</p>"])
        self.assertEqual(self._messages(received, bob_session), [])
        self.assertEqual(self._messages(received, ann_session), [])
        self.assertNotIn("4242", json.dumps(received))

    def _counts(self):
        """How many guests, sessions and messages the database holds."""
        return (
            self.env["mail.guest"].search_count([]),
            self.env["discuss.channel"].search_count([]),
            self.env["mail.message"].search_count([]),
        )

    def test_errors_roll_back(self):
        """A request refused after it stored things keeps none of them: a start
        refused at its very end leaves no guest, no session, no message, no hit."""
        self.lc_start(name="Before")  # the rate limit's row of this address exists
        hits = self.env["live_chat.rate.limit"].search([("key", "like", "session_start_%")])
        counted = {row.key: row.hits for row in hits}
        before = self._counts()

        def refuse(*_args, **_kwargs):
            raise BadRequest(503, "no_operator", "Refused at the very end.")

        session_class = type(self.env["discuss.channel"])
        self.env["ir.config_parameter"].set_param("live_chat.rate_limit.session_start_ip", "20")
        with patch.object(session_class, "_live_chat_visitor_info", refuse):
            response = self.lc_post(
                "/live_chat/session/start",
                {"channel_id": self.channel.id, "body": "Hello", "name": "Ann"},
            )
        error = self.assertError(response, 503, "no_operator")
        self.assertEqual(error["message"], "Refused at the very end.")
        self.assertEqual(response.headers["Access-Control-Allow-Origin"], "*")
        self.assertEqual(self._counts(), before)
        self.assertFalse(self.env["mail.guest"].search([("name", "=", "Ann")]))
        hits.invalidate_recordset()
        self.assertEqual({row.key: row.hits for row in hits.exists()}, counted)

        # A message refused once posted is not kept either.
        started = self.lc_start(name="Bob")
        before = self._counts()
        with patch.object(session_class, "_live_chat_message_format", refuse):
            response = self.lc_post(
                "/live_chat/session/post", self._session_payload(started, body="Lost")
            )
        self.assertError(response, 503, "no_operator")
        self.assertEqual(self._counts(), before)

    def test_init_of_unknown_channels_answers_json(self):
        unknown = self.other_channel.id + 1000
        for channel_id in (unknown, 0, "abc", "-1", 2**31, 2**40, "1.5", "\uff11", "1%00"):
            with self.subTest(channel_id=channel_id):
                response = self.lc_post(f"/live_chat/init/{channel_id}", {})
                self.assertError(response, 404, "not_found")
                self.assertEqual(response.headers["Access-Control-Allow-Origin"], "*")
        self.other_channel.active = False
        response = self.lc_post(f"/live_chat/init/{self.other_channel.id}", {})
        self.assertError(response, 404, "not_found")

    def test_errors_in_the_visitors_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        french = {
            "No such session.": "Aucune conversation de ce numéro.",
            "The request is not valid JSON.": "La requête n’est pas du JSON.",
            "“%s” is too long.": "« %s » est trop long.",
        }
        missing = {"session_id": 2**31 - 1, "token": "x"}
        route = "/live_chat/session/messages"
        with patch.dict(code_translations.python_translations, {("live_chat", "fr_FR"): french}):
            # The language the widget sends (the browser's)...
            error = self.assertError(self.lc_post(route, {**missing, "lang": "fr-BE"}), 404)
            self.assertEqual(error["message"], "Aucune conversation de ce numéro.")
            # ... else the browser's Accept-Language, also when the body is not JSON.
            french_browser = {"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"}
            error = self.assertError(self.lc_post(route, missing, headers=french_browser), 404)
            self.assertEqual(error["message"], "Aucune conversation de ce numéro.")
            error = self.assertError(self.lc_post(route, data="{", headers=french_browser), 400)
            self.assertEqual(error["message"], "La requête n’est pas du JSON.")
            response = self.lc_post(
                "/live_chat/session/start",
                {"channel_id": self.channel.id, "body": "Salut", "name": "x" * 65, "lang": "fr"},
            )
            self.assertEqual(self.assertError(response, 413)["message"], "« name » est trop long.")
            # Another language: English.
            error = self.assertError(self.lc_post(route, {**missing, "lang": "de-DE"}), 404)
            self.assertEqual(error["message"], "No such session.")

    def test_tokens_of_any_characters(self):
        """Tokens are compared safely whatever they hold: a session that exists
        answers as one that does not (no oracle of session ids)."""
        started = self.lc_start(name="Ann")
        sid, token = started["session"]["id"], started["token"]
        for bad_token in (
            "é",
            token + "é",
            token[:-1] + "é",
            "é" * 43,
            "\ud800",
            "\x00",
            "€" * 300,
        ):
            missing = self.lc_post(
                "/live_chat/session/messages", {"session_id": 2**31 - 1, "token": bad_token}
            )
            self.assertError(missing, 404, "not_found")
            for route in SESSION_ROUTES:
                with self.subTest(route=route, token=bad_token):
                    response = self.lc_post(
                        route, {"session_id": sid, "token": bad_token, "body": "Hi"}
                    )
                    self.assertError(response, 404, "not_found")
                    self.assertEqual(response.content, missing.content)
            init = self.lc_call(
                f"/live_chat/init/{self.channel.id}", {"session_id": sid, "token": bad_token}
            )
            self.assertIs(init["session"], False)
        self.assertEqual(self.lc_session(started).live_chat_state, "open")

    def test_guest_tokens_of_any_characters(self):
        started = self.lc_start(name="Ann")
        guest_id = started["guest"]["id"]
        secret = started["guest"]["token"].split("|")[1]
        for guest_token in (
            "1|é",
            f"{guest_id}|é",
            f"{guest_id}|{secret}é",
            f"{guest_id}|\ud800",
            f"{guest_id}|\x00",
            f"\u0661|{secret}",  # an Arabic-Indic digit, which int() reads as 1
            f" {guest_id}|{secret}",
            f"{guest_id}|{secret}\n",
        ):
            with self.subTest(guest_token=guest_token):
                again = self.lc_start(guest_token=guest_token)
                self.assertNotEqual(again["guest"]["id"], guest_id)
        # The guest's own token still works.
        again = self.lc_start(guest_token=started["guest"]["token"])
        self.assertEqual(again["guest"]["id"], guest_id)
        self.assertEqual(self.lc_session(again).live_chat_visitor_guest_id.id, guest_id)

    def test_characters_postgresql_and_the_ui_cannot_hold(self):
        started = self.lc_start(name="Ann")
        before = self._counts()
        init = f"/live_chat/init/{self.channel.id}"
        for value in ("\x00", "a\x00b", "\ud800", "x\udfffy", "\x1b[31m", "\x7f", "\x85", "a\x0bb"):
            for field in ("name", "url", "body"):
                with self.subTest(field=field, value=value):
                    response = self.lc_post(
                        "/live_chat/session/start",
                        {"channel_id": self.channel.id, "body": "Hi", field: value},
                    )
                    self.assertError(response, 400, "bad_text")
            with self.subTest(route="post", value=value):
                response = self.lc_post(
                    "/live_chat/session/post", self._session_payload(started, body=value)
                )
                self.assertError(response, 400, "bad_text")
            with self.subTest(route="init", value=value):
                self.assertError(self.lc_post(init, {"url": value}), 400, "bad_text")
        # A name is one line.
        for name in ("Ann\nSmith", "Ann\tSmith"):
            response = self.lc_post(
                "/live_chat/session/start",
                {"channel_id": self.channel.id, "body": "Hi", "name": name},
            )
            self.assertError(response, 400, "bad_text")
        self.assertEqual(self._counts(), before)
        # Line breaks and tabs are text in a message; other scripts and emoji too.
        posted = self.lc_call(
            "/live_chat/session/post",
            self._session_payload(started, body="line 1\n\tline 2 — Привіт 👋"),
        )["message"]
        self.assertIn("Привіт 👋", posted["body"])

    def test_page_of_another_site_does_not_speak_as_the_user(self):
        """A page of another site can make the browser of a user logged in to Odoo
        post to the API with the Odoo session's cookie: that visitor is a guest."""
        user = new_test_user(self.env, "lc_sec_employee", groups="base.group_user", name="Eve")
        self.authenticate(user.login, user.login)
        public_user = self.env.ref("base.public_user")
        for headers in (
            {"Origin": "https://evil.example.com"},
            {"Origin": "https://evil.example.com", "Sec-Fetch-Site": "cross-site"},
            {"Origin": self.base_url(), "Sec-Fetch-Site": "same-site"},
            {"Origin": "null"},
            {"Origin": None},  # no Origin at all: no proof of the server's own page
        ):
            with self.subTest(headers=headers):
                started = self.lc_start(name="Mallory", body="Wire the money", headers=headers)
                session = self.lc_session(started)
                self.assertFalse(session.live_chat_visitor_partner_id)
                self.assertEqual(session.live_chat_visitor_guest_id.name, "Mallory")
                self.assertNotIn(user.partner_id, session.channel_member_ids.partner_id)
                self.assertEqual(session.create_uid, public_user)
                self.assertFalse(
                    session.message_ids.filtered(lambda m: m.author_id == user.partner_id)
                )
        # From the server's own pages, the visitor is the user.
        for headers in (
            {"Origin": self.base_url()},
            {"Origin": None, "Sec-Fetch-Site": "same-origin"},
        ):
            with self.subTest(headers=headers):
                session = self.lc_session(self.lc_start(headers=headers))
                self.assertEqual(session.live_chat_visitor_partner_id, user.partner_id)

    def test_page_urls_are_safe_links(self):
        cases = {
            "https://Shop.Example.com/pricing?coupon=SECRET#reviews": "https://shop.example.com/pricing",
            "https://user:password@shop.example.com": "https://shop.example.com/",
            "javascript:alert(document.cookie)": False,
            " JavaScript:alert(1)": False,
            "java\tscript:alert(1)": False,
            "data:text/html;base64,PHNjcmlwdD4=": False,
            "vbscript:msgbox(1)": False,
            "file:///etc/passwd": False,
            "//evil.example.com/": False,
            "/relative/path": False,
        }
        for url, expected in cases.items():
            with self.subTest(url=url):
                response = self.lc_post(
                    "/live_chat/session/start",
                    {"channel_id": self.channel.id, "body": "Hi", "url": url},
                )
                if "\t" in url:  # a control character: refused as such
                    self.assertError(response, 400, "bad_text")
                    continue
                self.assertEqual(response.status_code, 200, response.text)
                session = self.lc_session(response.json())
                self.assertEqual(session.live_chat_page_url, expected)
        # The channel keeps query strings when told so (never fragments).
        self.channel.keep_url_query = True
        session = self.lc_session(self.lc_start(url="https://shop.example.com/p?q=chairs#x"))
        self.assertEqual(session.live_chat_page_url, "https://shop.example.com/p?q=chairs")
        # The operator's chat window gets a link checked again, whatever was stored.
        as_operator = session.with_user(self.operator)

        def page_link():
            data = Store().add(as_operator).get_result()
            [channel] = [c for c in data["discuss.channel"] if c["id"] == session.id]
            return channel["live_chat_page_url"]

        self.assertEqual(page_link(), "https://shop.example.com/p?q=chairs")
        self.channel.keep_url_query = False
        self.assertEqual(page_link(), "https://shop.example.com/p")
        session.live_chat_page_url = "javascript:alert(1)"
        self.assertIs(page_link(), False)


@tagged("post_install", "-at_install")
class TestCleanPageUrl(BaseCase):
    def test_clean_page_url(self):
        for url, expected, expected_with_query in (
            (
                "https://shop.example.com/a?b=1#c",
                "https://shop.example.com/a",
                "https://shop.example.com/a?b=1",
            ),
            ("HTTP://SHOP.example.com", "http://shop.example.com/", "http://shop.example.com/"),
            ("https://[::1]:8069/x?y", "https://[::1]:8069/x", "https://[::1]:8069/x?y"),
            (
                "https://shop.example.com/é?q=ü",
                "https://shop.example.com/%C3%A9",
                "https://shop.example.com/%C3%A9?q=%C3%BC",
            ),
            (
                "https://a:b@shop.example.com:8443/",
                "https://shop.example.com:8443/",
                "https://shop.example.com:8443/",
            ),
            ("https://shop.example.com/<script>", False, False),
            ("javascript:alert(1)", False, False),
            ("javascript://shop.example.com/%0Aalert(1)", False, False),
            ("data:text/html,<b>", False, False),
            ("ftp://files.example.com/", False, False),
            ("https://evil.example.com\\@shop.example.com/", False, False),
            ("https:evil.example.com", False, False),
            ("https://", False, False),
            ("https://shop.example.com:99999/", False, False),
            ("https://shop example.com/", False, False),
            ("https://xn--bcher-kva.example/ok", "https://xn--bcher-kva.example/ok", None),
            ("https://bücher.example/", False, False),
            ("https://shop.example.com/" + "a" * 2100, False, False),
            ("https://shop.example.com/\ud800", False, False),
            ("", False, False),
            (None, False, False),
            (42, False, False),
        ):
            with self.subTest(url=url):
                self.assertEqual(clean_page_url(url), expected)
                if expected_with_query is not None:
                    self.assertEqual(clean_page_url(url, keep_query=True), expected_with_query)

    def test_is_clean_text(self):
        self.assertTrue(is_clean_text("Ann — Привіт 👋"))
        self.assertTrue(is_clean_text("line 1\n\tline 2\r\n", multiline=True))
        for text in ("a\nb", "a\tb"):
            self.assertFalse(is_clean_text(text))
        for text in ("\x00", "\ud800", "\x1b", "\x7f", "\x85", "\x0b"):
            self.assertFalse(is_clean_text(text, multiline=True))
