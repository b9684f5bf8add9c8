import contextlib
import re
from unittest.mock import patch

from psycopg2 import errors

from odoo.exceptions import ConcurrencyError
from odoo.tests import HttpCase, tagged

from odoo.addons.bus.websocket import WebsocketConnectionHandler

from ..controllers.widget import WIDGET_CODE, WidgetCode
from ..models.discuss_channel import MESSAGE_MAX_LENGTH
from .common import LiveChatOperatorCommon

BUNDLE_URL = re.compile(r"/live_chat/widget/([0-9a-f]{20})\.js")


@contextlib.contextmanager
def changed_widget_code(marker):
    """The widget's sources as after an upgrade: ``marker`` added to widget.js."""
    read = WidgetCode._read

    def _read(path):
        source = read(path)
        return source + marker if path.endswith("/widget.js") else source

    WIDGET_CODE._signature = None  # read the sources again
    try:
        with patch.object(WidgetCode, "_read", staticmethod(_read)):
            yield
    finally:
        WIDGET_CODE._signature = None


@tagged("post_install", "-at_install")
class TestWidgetCode(LiveChatOperatorCommon, HttpCase):
    """The loader (the snippet's stable address) and the widget's code (one bundle at
    the address of its content): a new loader never runs an old widget."""

    operator_online = False

    def setUp(self):
        super().setUp()
        self.addCleanup(setattr, WIDGET_CODE, "_signature", None)

    def _loader(self, **headers):
        response = self.url_open(f"/live_chat/loader/{self.channel.id}", headers=headers)
        self.assertEqual(response.status_code, 200)
        return response

    def test_loader(self):
        response = self._loader(Host="evil.example", **{"X-Forwarded-Host": "evil.example"})
        self.assertEqual(response.headers["Content-Type"], "application/javascript; charset=utf-8")
        self.assertEqual(response.headers["Cache-Control"], "public, max-age=300")
        self.assertIn("Accept-Encoding", response.headers["Vary"])
        # Publicly cached: nothing of the request in it (no Host, no session cookie).
        self.assertNotIn("evil.example", response.text)
        self.assertIn(f'"server": "{self.channel.get_base_url()}"', response.text)
        self.assertNotIn("Set-Cookie", response.headers)
        (version,) = BUNDLE_URL.findall(response.text)
        self.assertEqual(version, WIDGET_CODE.current().version)
        # The page learns the same address (and the host's bus protocol) from /init.
        init = self.lc_call(f"/live_chat/init/{self.channel.id}", {})
        self.assertEqual(
            init["server"],
            {
                "bundle": f"/live_chat/widget/{version}.js",
                "bus_version": WebsocketConnectionHandler._VERSION,
                "message_max_length": MESSAGE_MAX_LENGTH,
            },
        )
        gzipped = self._loader(**{"Accept-Encoding": "gzip"})
        self.assertEqual(gzipped.headers["Content-Encoding"], "gzip")
        self.assertEqual(gzipped.text, self._loader(**{"Accept-Encoding": "identity"}).text)

    def test_bundle(self):
        code = WIDGET_CODE.current()
        url, version = code.url, code.version
        response = self.url_open(url, headers={"Accept-Encoding": "gzip"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Encoding"], "gzip")
        self.assertEqual(response.headers["Cache-Control"], "public, max-age=31536000, immutable")
        self.assertEqual(response.headers["ETag"], f'"{version}"')
        self.assertNotIn("Set-Cookie", response.headers)
        # The transport, the message log, the view, the offline form and the widget, in
        # one function.
        self.assertTrue(response.text.startswith('(() => {\n"use strict";'))
        for name in (
            "class Transport",
            "class MessageLog",
            "class View",
            "function showOfflineForm",
            "class Widget",
        ):
            self.assertEqual(response.text.count(name), 1, name)
        self.assertNotIn("LIVE_CHAT_CONFIG =", response.text)
        plain = self.url_open(url, headers={"Accept-Encoding": "identity"})
        self.assertNotIn("Content-Encoding", plain.headers)
        self.assertEqual(plain.content, response.content)
        self.assertLess(len(code.bundle_gzip), 30 * 1024, "the widget's budget")
        # Cached for good by the browser, revalidated cheaply by a proxy.
        again = self.url_open(url, headers={"If-None-Match": f'"{version}"'})
        self.assertEqual(again.status_code, 304)
        # An address of another version (an old loader after an upgrade): the current code.
        for other in ("0" * 20, "x", "abc.def"):
            old = self.url_open(f"/live_chat/widget/{other}.js", allow_redirects=False)
            self.assertEqual(old.status_code, 302, other)
            self.assertTrue(old.headers["Location"].endswith(url))
            self.assertEqual(old.headers["Cache-Control"], "no-store")

    def test_compressed_per_accept_encoding(self):
        """Every script of the widget (the loader, the bundle) is sent gzip-compressed
        to the browsers that take it, as it is to the others, and revalidates with a
        304."""
        code = WIDGET_CODE.current()
        for url in (f"/live_chat/loader/{self.channel.id}", code.url):
            plain = self.url_open(url, headers={"Accept-Encoding": "identity"})
            self.assertNotIn("Content-Encoding", plain.headers, url)
            for accept, compressed in (
                ("gzip, deflate, br, zstd", True),
                ("br;q=1.0, gzip;q=0.5", True),
                ("*", True),
                ("gzip;q=0", False),
                ("deflate", False),
            ):
                response = self.url_open(url, headers={"Accept-Encoding": accept})
                self.assertEqual(response.status_code, 200, (url, accept))
                self.assertEqual(
                    response.headers.get("Content-Encoding"),
                    "gzip" if compressed else None,
                    (url, accept),
                )
                if compressed:
                    self.assertLess(int(response.headers["Content-Length"]), len(plain.content))
                self.assertEqual(response.content, plain.content, (url, accept))
                self.assertIn("Accept-Encoding", response.headers["Vary"])
            etag = plain.headers["ETag"]
            again = self.url_open(url, headers={"If-None-Match": etag})
            self.assertEqual(again.status_code, 304, url)
            self.assertEqual(again.content, b"")
            other = self.url_open(url, headers={"If-None-Match": '"other"'})
            self.assertEqual(other.status_code, 200, url)

    def test_new_code_new_address(self):
        old_url = WIDGET_CODE.current().url
        with changed_widget_code("\n// a new version\n"):
            new_url = WIDGET_CODE.current().url
            self.assertNotEqual(new_url, old_url)
            self.assertIn(new_url, self._loader().text)
            self.assertEqual(
                self.lc_call(f"/live_chat/init/{self.channel.id}", {})["server"]["bundle"],
                new_url,
            )
            self.assertIn("// a new version", self.url_open(new_url).text)
            old = self.url_open(old_url, allow_redirects=False)
            self.assertTrue(old.headers["Location"].endswith(new_url))
        self.assertEqual(WIDGET_CODE.current().url, old_url, "the same sources, the same address")


@tagged("post_install", "-at_install")
class TestWidgetApi(LiveChatOperatorCommon, HttpCase):
    """What the widget asks the server beyond posting: pages of a long session, and
    the same start sent twice."""

    channel_values = {"max_sessions_per_operator": 0}

    def _messages(self, started, **payload):
        return self.lc_call(
            "/live_chat/session/messages",
            {"session_id": started["session"]["id"], "token": started["token"], **payload},
        )

    def test_long_session_latest_first(self):
        started = self.lc_start(body="Message 1")
        session = self.lc_session(started)
        first = len(started["messages"])  # the welcome message and the visitor's
        self._create_messages(session, self.operator, range(first + 1, 301))
        every = self.env["mail.message"].search(
            [("model", "=", "discuss.channel"), ("res_id", "=", session.id)], order="id"
        )
        self.assertEqual(len(every), 300)

        # Resuming: the latest 50, oldest first, and older ones exist.
        latest = self._messages(started)
        self.assertEqual([m["id"] for m in latest["messages"]], every.ids[-50:])
        self.assertEqual(latest["messages"][-1]["body"], "<p>Message 300</p>")
        self.assertIs(latest["has_older"], True)
        # "Load older messages" until the first one: each once, in order.
        shown = latest["messages"]
        while True:
            older = self._messages(started, before_id=shown[0]["id"])
            self.assertLessEqual(len(older["messages"]), 50)
            shown = older["messages"] + shown
            if not older["has_older"]:
                break
        self.assertEqual([m["id"] for m in shown], every.ids)
        self.assertEqual(shown[first - 1]["body"], "<p>Message 1</p>")

        # Catching up after a long disconnection: the oldest missed ones first.
        missed = self._messages(started, after_id=every.ids[9])
        self.assertEqual([m["id"] for m in missed["messages"]], every.ids[10:110])
        self.assertIs(missed["has_newer"], True)
        rest = self._messages(started, after_id=every.ids[199])
        self.assertEqual([m["id"] for m in rest["messages"]], every.ids[200:])
        self.assertIs(rest["has_newer"], False)
        for value in ("1", True, 1.5, None, [1]):
            response = self.lc_post(
                "/live_chat/session/messages",
                {"session_id": session.id, "token": started["token"], "before_id": value},
            )
            expected = 200 if value is None else 400
            self.assertEqual(response.status_code, expected, value)

    def test_same_start_twice(self):
        key = "k" * 22
        started = self.lc_start(body="Hello there", start_key=key)
        session = self.lc_session(started)
        count = len(session.message_ids)
        # The answer was lost: the widget sends the same start again.
        again = self.lc_start(body="Hello there", start_key=key)
        self.assertEqual(again["session"], started["session"])
        self.assertEqual(again["token"], started["token"])
        self.assertEqual(again["guest"], started["guest"])
        self.assertEqual(len(session.message_ids), count)
        self.assertEqual(
            self.env["discuss.channel"].search_count(
                [("live_chat_channel_id", "=", self.channel.id)]
            ),
            1,
        )
        # Another conversation (another key), another session.
        other = self.lc_start(body="Hello again", start_key="m" * 22)
        self.assertNotEqual(other["session"]["id"], session.id)
        # The same key on another channel starts nothing there from this one.
        elsewhere = self._create_channel(self.operator, "Sales")
        there = self.lc_start(channel=elsewhere, body="Hello", start_key=key)
        self.assertEqual(self.lc_session(there).live_chat_channel_id, elsewhere)

        for bad in ("short", "x" * 65, "k" * 21 + "!", 12, ["k" * 22]):
            response = self.lc_post(
                "/live_chat/session/start",
                {"channel_id": self.channel.id, "body": "Hi", "start_key": bad},
            )
            self.assertEqual(response.status_code, 400, bad)
            self.assertEqual(response.json()["error"]["code"], "bad_field")

    def test_same_start_at_the_same_time(self):
        """Two transactions with the same start: the second one, which could not see the
        first one's session, is replayed by the host (and then finds it)."""
        first = self.lc_session(self.lc_start(body="Hi", start_key="s" * 22))
        guest = self.env["mail.guest"].create({"name": "Visitor"})
        channel = self.channel.sudo()
        with self.assertRaises(ConcurrencyError), self.env.cr.savepoint():
            channel._start_visitor_session(text="Hi", guest=guest, start_key="s" * 22)
        self.assertEqual(first.sudo().live_chat_start_key, "s" * 22)
        self.assertEqual(
            self.env["discuss.channel"].search_count(
                [("live_chat_channel_id", "=", self.channel.id)]
            ),
            1,
        )
        # Any other refusal of the database is not taken for the same start.
        with self.assertRaises(errors.ForeignKeyViolation), self.env.cr.savepoint():
            channel.env["discuss.channel"]._live_chat_create_session(
                {
                    "name": "No such channel",
                    "channel_type": "live_chat",
                    "live_chat_channel_id": 2**31 - 1,
                    "live_chat_start_key": "t" * 22,
                }
            )
