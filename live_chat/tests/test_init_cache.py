from odoo import Command
from odoo.tests import HttpCase, tagged

from ..controllers import init_cache
from ..controllers.init_cache import INIT_CACHE
from ..controllers.main import LiveChatController
from .common import LiveChatOperatorCommon


@tagged("post_install", "-at_install")
class TestInitCache(LiveChatOperatorCommon, HttpCase):
    """/live_chat/init runs on every page view: its answer without the session is kept
    a few seconds per worker, keyed by what it depends on; a page view answered from it
    runs no query of ours but a session's lookup (only the computed ones count
    against the rate limit)."""

    def setUp(self):
        super().setUp()
        # Off while tests run (each test's transaction is rolled back): on for these.
        self.patch(INIT_CACHE, "enabled_in_tests", True)
        INIT_CACHE.clear()
        self.addCleanup(INIT_CACHE.clear)
        self.now = 1000.0
        self.patch(init_cache.time, "monotonic", lambda: self.now)
        self.computed = []
        compute = LiveChatController._init_page

        def _init_page(controller, channel_id, payload):
            self.computed.append(payload)
            return compute(controller, channel_id, payload)

        self.patch(LiveChatController, "_init_page", _init_page)

    def _init(self, status=200, headers=None, **payload):
        payload.setdefault("url", "https://example.com/page")
        return self.lc_call(
            f"/live_chat/init/{self.channel.id}", payload, status=status, headers=headers
        )

    def _hits(self):
        self.env.invalidate_all()
        return self.env["live_chat.rate.limit"].search([("key", "=", "init_ip:127.0.0.1")]).hits

    def test_query_count(self):
        first = self._init()
        self.assertTrue(first["available"])
        self.assertEqual(len(self.computed), 1)
        # A page view from the cache: no query (the registry check, the host's one
        # per request, is not in a test's count; the widget's routes skip its check
        # of the public user: models/ir_http.py).
        with self.assertQueryCount(0):
            again = self._init()
        self.assertEqual(again, first)
        self.assertEqual(len(self.computed), 1)
        # A visitor with a session: its lookup and its values (the session, its
        # operator's user and partner, its members' seen state, the bus's newest id
        # where its socket starts) on top.
        started = self.lc_start()
        with self.assertQueryCount(6):
            resumed = self._init(session_id=started["session"]["id"], token=started["token"])
        self.assertEqual(resumed["session"], started["session"])
        self.assertEqual(len(self.computed), 1, "the visitor's credentials are not in the key")
        # Nor is a field the page's answer does not depend on: no key of its own.
        self.assertEqual(self._init(anything="else"), first)
        self.assertEqual(len(self.computed), 1, "only the page's inputs are in the key")

    def test_lifetime(self):
        self.assertTrue(self._init()["available"])
        self._set_presence(self.operator, "offline")
        # Within the cache's lifetime the page shows what it showed...
        self.now += 4.9
        self.assertTrue(self._init()["available"])
        # ...then what the database says.
        self.now += 0.2
        self.assertFalse(self._init()["available"])
        self.assertEqual(len(self.computed), 2)
        # A new operator's arrival shows in the same time.
        self._set_presence(self.operator, "online")
        self.assertFalse(self._init()["available"])
        self.now += 5.1
        self.assertTrue(self._init()["available"])
        # Its lifetime is a system parameter; 0 turns the cache off.
        self.env["ir.config_parameter"].set_param("live_chat.init_cache_seconds", "0")
        self._set_presence(self.operator, "offline")
        self.assertFalse(self._init()["available"])

    def test_key(self):
        self.channel.rule_ids = [Command.create({"url_pattern": "/shop", "action": "hide"})]
        self.assertEqual(self._init()["action"], "show")
        self.assertEqual(self._init(url="https://example.com/shop")["action"], "hide")
        self.assertEqual(self._init()["action"], "show")
        self.assertEqual(len(self.computed), 2)
        # The language: the channel's texts in the visitor's.
        self.env["res.lang"]._activate_lang("fr_FR")
        self.channel.with_context(lang="fr_FR").button_text = "Discutons"
        self.assertEqual(self._init(lang="fr-FR")["options"]["button_text"], "Discutons")
        self.assertNotEqual(self._init()["options"]["button_text"], "Discutons")
        # Whatever else the widget sends is part of the key (inputs added to /init
        # later, a time zone...), the visitor's credentials are not.
        count = len(self.computed)
        self._init(tz="Europe/Kyiv")
        self._init(tz="Europe/Paris")
        self._init(tz="Europe/Paris", session_id=123456, token="x", guest_token="y")
        self.assertEqual(len(self.computed), count + 2)
        # Another channel, another answer.
        other = self._create_channel(self.operator, "Sales", button_text="Sales chat")
        answer = self.lc_call(f"/live_chat/init/{other.id}", {"url": "https://example.com/page"})
        self.assertEqual(answer["options"]["id"], other.id)

    def test_checks_on_every_request(self):
        """What refuses a request still does from the cache: the page's website; the
        rate limit counts the page views that the cache cannot answer (an unknown
        channel is never cached)."""
        self.channel.allowed_origins = "https://shop.example.com"
        shop = {"Origin": "https://shop.example.com"}
        self._init(headers=shop)
        answer = self._init(status=403, headers={"Origin": "https://evil.example.com"})
        self.assertEqual(answer["error"]["code"], "origin_not_allowed")
        self.assertEqual(len(self.computed), 1)

        self.env["ir.config_parameter"].set_param("live_chat.rate_limit.init_ip", "2")
        self.assertEqual(self._hits(), 1, "the first page view, computed")
        for _ in range(5):
            self._init(headers=shop)
        self.assertEqual(self._hits(), 1, "answered from the cache: not counted")
        self._init(url="https://example.com/other", headers=shop)
        answer = self._init(url="https://example.com/third", status=429, headers=shop)
        self.assertEqual(answer["error"]["code"], "rate_limited")
        self.assertEqual(len(self.computed), 2, "a refused page view is not computed")
        # The refused one is not cached either: refused again.
        self._init(url="https://example.com/third", status=429, headers=shop)
        self.env["ir.config_parameter"].set_param("live_chat.rate_limit.init_ip", "0")

        self.lc_call("/live_chat/init/999999999", {}, status=404)
        self.lc_call("/live_chat/init/999999999", {}, status=404)
        self.assertEqual(len(self.computed), 4)
        # An archived channel is gone once the lifetime is over.
        self.channel.active = False
        self.now += 5.1
        self._init(status=404, headers=shop)

    def test_session_routes_keep_the_allowed_websites(self):
        """The session's routes check the page's website against the list the worker
        keeps as long as /init's answers: a message reads no channel row."""
        shop = {"Origin": "https://shop.example.com"}
        started = self.lc_start(headers=shop)
        payload = {"session_id": started["session"]["id"], "token": started["token"]}
        post = "/live_chat/session/post"
        self.lc_call(post, {**payload, "body": "First"}, headers=shop)
        self.channel.allowed_origins = "https://other.example.com"
        self.now += 4.9
        self.lc_call(post, {**payload, "body": "Within the lifetime"}, headers=shop)
        self.now += 0.2
        answer = self.lc_call(post, {**payload, "body": "After"}, status=403, headers=shop)
        self.assertEqual(answer["error"]["code"], "origin_not_allowed")
        self.assertEqual(
            self.lc_session(started).message_ids.mapped("body")[:2],
            ["<p>Within the lifetime</p>", "<p>First</p>"],
        )

    def test_off_while_tests_run(self):
        """Other tests change a channel and ask /init at once: no cache for them."""
        self.patch(INIT_CACHE, "enabled_in_tests", False)
        self.assertTrue(self._init()["available"])
        self._set_presence(self.operator, "offline")
        self.assertFalse(self._init()["available"])
        self.assertEqual(len(self.computed), 2)

    def test_bounded(self):
        self.patch(INIT_CACHE, "max_entries", 4)
        for number in range(10):
            self._init(url=f"https://example.com/page/{number}")
        self.assertLessEqual(len(INIT_CACHE._entries), 4)
        self._init(url="https://example.com/page/9")
        self.assertEqual(len(self.computed), 10, "the latest pages stay")
