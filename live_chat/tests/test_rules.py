import json

from odoo.tests import HttpCase, TransactionCase, new_test_user, tagged

from .geoip import BE_IP, UA_IP, UNKNOWN_IP, geoip_database, no_geoip_database


@tagged("post_install", "-at_install")
class TestRuleMatrix(TransactionCase):
    """Which rule applies to a page view: URL x country x action, sequence, precedence."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.channel = cls.env["live_chat.channel"].create({"name": "Rules"})
        cls.ua = cls.env.ref("base.ua")
        cls.be = cls.env.ref("base.be")

    def _rules(self, *specs):
        self.channel.rule_ids = [(5, 0, 0)] + [(0, 0, spec) for spec in specs]

    def _action(self, url, country=None):
        return self.channel._get_page_action(url, country)

    def test_no_rule_shows_the_button(self):
        self.assertEqual(self._action("https://shop.example.com/"), ("show", 0))

    def test_each_action(self):
        for action, timer in (
            ("show", 0),
            ("show_notification", 0),
            ("auto_open", 7),
            ("hide", 0),
        ):
            with self.subTest(action=action):
                self._rules({"action": action, "auto_open_timer": 7, "url_pattern": "/shop"})
                self.assertEqual(self._action("https://x.example.com/shop/chair"), (action, timer))
                self.assertEqual(self._action("https://x.example.com/blog"), ("show", 0))

    def test_url_pattern_on_path_or_whole_url(self):
        self._rules(
            {"sequence": 1, "action": "hide", "url_pattern": "^/contactus$"},
            {"sequence": 2, "action": "auto_open", "url_pattern": r"^https://b\.example\.com/"},
        )
        self.assertEqual(self._action("https://a.example.com/contactus")[0], "hide")
        self.assertEqual(self._action("https://a.example.com/contactus/x")[0], "show")
        self.assertEqual(self._action("https://b.example.com/anything")[0], "auto_open")
        self.assertEqual(self._action("https://a.example.com/?q=1")[0], "show")

    def test_sequence_decides(self):
        self._rules(
            {"sequence": 5, "action": "hide", "url_pattern": "/shop"},
            {"sequence": 1, "action": "show_notification", "url_pattern": "/shop"},
        )
        self.assertEqual(self._action("https://x.example.com/shop")[0], "show_notification")
        self.channel.rule_ids.sorted("sequence")[0].sequence = 9
        self.assertEqual(self._action("https://x.example.com/shop")[0], "hide")

    def test_country_rules_take_precedence(self):
        self._rules(
            {"sequence": 1, "action": "hide"},
            {
                "sequence": 9,
                "action": "auto_open",
                "auto_open_timer": 3,
                "country_ids": [(6, 0, self.ua.ids)],
            },
        )
        self.assertEqual(self._action("https://x.example.com/", self.ua), ("auto_open", 3))
        self.assertEqual(self._action("https://x.example.com/", self.be)[0], "hide")
        # Without a known country (no GeoIP), country rules never apply.
        self.assertEqual(self._action("https://x.example.com/")[0], "hide")

    def test_country_and_url_together(self):
        self._rules(
            {"action": "hide", "url_pattern": "/shop", "country_ids": [(6, 0, self.be.ids)]},
        )
        self.assertEqual(self._action("https://x.example.com/shop", self.be)[0], "hide")
        self.assertEqual(self._action("https://x.example.com/blog", self.be)[0], "show")
        self.assertEqual(self._action("https://x.example.com/shop", self.ua)[0], "show")

    def test_geoip_availability_is_shown(self):
        with no_geoip_database():
            self.channel.invalidate_recordset(["geoip_available"])
            self.assertFalse(self.channel.geoip_available)
        with geoip_database():
            self.channel.invalidate_recordset(["geoip_available"])
            self.assertTrue(self.channel.geoip_available)


@tagged("post_install", "-at_install")
class TestPageViews(HttpCase):
    """/live_chat/init for a page view: rules with the host's GeoIP, allowed origins."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.operator = new_test_user(
            cls.env, "lc_rules_operator", groups="base.group_user,live_chat.live_chat_group_user"
        )
        cls.env["mail.presence"].create({"user_id": cls.operator.id, "status": "online"})
        cls.channel = cls.env["live_chat.channel"].create(
            {"name": "Geo", "user_ids": [(6, 0, cls.operator.ids)]}
        )
        cls.channel.rule_ids = [
            (0, 0, {"action": "hide", "country_ids": [(6, 0, cls.env.ref("base.ua").ids)]}),
            (0, 0, {"action": "show_notification", "url_pattern": "/promo"}),
        ]

    def _init(self, ip=None, url="https://shop.example.com/", origin=None):
        headers = {"Content-Type": "text/plain"}
        if ip:
            headers.update({"X-Forwarded-For": ip, "X-Forwarded-Host": "127.0.0.1"})
        if origin:
            headers["Origin"] = origin
        response = self.url_open(
            f"/live_chat/init/{self.channel.id}", data=json.dumps({"url": url}), headers=headers
        )
        return response.status_code, response.json()

    def test_country_rule_by_geoip(self):
        with geoip_database():
            status, ua = self._init(UA_IP)
            self.assertEqual(status, 200)
            self.assertEqual(ua["action"], "hide")
            self.assertFalse(ua["available"])
            _status, be = self._init(BE_IP)
            self.assertEqual(be["action"], "show")
            self.assertTrue(be["available"])
            _status, unknown = self._init(UNKNOWN_IP, url="https://shop.example.com/promo")
            self.assertEqual(unknown["action"], "show_notification")

    def test_without_geoip_country_rules_never_apply(self):
        with no_geoip_database():
            _status, result = self._init()
            self.assertEqual(result["action"], "show")

    def test_allowed_origins(self):
        self.channel.allowed_origins = "https://good.example.com\nhttp://localhost:8080"
        status, _result = self._init(origin="https://good.example.com")
        self.assertEqual(status, 200)
        status, _result = self._init(origin="http://localhost:8080")
        self.assertEqual(status, 200)
        status, result = self._init(origin="https://evil.example.com")
        self.assertEqual(status, 403)
        self.assertEqual(result["error"]["code"], "origin_not_allowed")
        start = self.url_open(
            "/live_chat/session/start",
            data=json.dumps({"channel_id": self.channel.id, "body": "hi"}),
            headers={"Content-Type": "text/plain", "Origin": "https://evil.example.com"},
        )
        self.assertEqual(start.status_code, 403)
        self.assertFalse(
            self.env["discuss.channel"].search([("live_chat_channel_id", "=", self.channel.id)])
        )

    def test_allowed_origins_are_checked(self):
        from odoo.exceptions import ValidationError

        with self.assertRaises(ValidationError):
            self.channel.allowed_origins = "good.example.com/path"


@tagged("post_install", "-at_install")
class TestRateLimits(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.operator = new_test_user(
            cls.env, "lc_rl_operator", groups="base.group_user,live_chat.live_chat_group_user"
        )
        cls.env["mail.presence"].create({"user_id": cls.operator.id, "status": "online"})
        cls.channel = cls.env["live_chat.channel"].create(
            {
                "name": "Limits",
                "user_ids": [(6, 0, cls.operator.ids)],
                "max_sessions_per_operator": 0,
            }
        )

    def _post(self, path, payload):
        return self.url_open(path, data=json.dumps(payload), headers={"Content-Type": "text/plain"})

    def test_session_starts_per_ip(self):
        self.env["ir.config_parameter"].set_param("live_chat.rate_limit.session_start_ip", "2")
        for _i in range(2):
            self.assertEqual(
                self._post(
                    "/live_chat/session/start", {"channel_id": self.channel.id, "body": "hi"}
                ).status_code,
                200,
            )
        refused = self._post(
            "/live_chat/session/start", {"channel_id": self.channel.id, "body": "hi"}
        )
        self.assertEqual(refused.status_code, 429)
        self.assertEqual(refused.json()["error"]["code"], "rate_limited")
        self.assertTrue(0 < int(refused.headers["Retry-After"]) <= 60)
        sessions = self.env["discuss.channel"].search(
            [("live_chat_channel_id", "=", self.channel.id)]
        )
        self.assertEqual(len(sessions), 2)

    def test_messages_per_session(self):
        self.env["ir.config_parameter"].set_param("live_chat.rate_limit.message_session", "3")
        start = self._post(
            "/live_chat/session/start", {"channel_id": self.channel.id, "body": "hi"}
        ).json()
        payload = {"session_id": start["session"]["id"], "token": start["token"], "body": "again"}
        codes = [self._post("/live_chat/session/post", payload).status_code for _i in range(5)]
        self.assertEqual(codes, [200, 200, 200, 429, 429])

    def test_limit_zero_disables(self):
        self.env["ir.config_parameter"].set_param("live_chat.rate_limit.message_session", "0")
        start = self._post(
            "/live_chat/session/start", {"channel_id": self.channel.id, "body": "hi"}
        ).json()
        payload = {"session_id": start["session"]["id"], "token": start["token"], "body": "again"}
        codes = {self._post("/live_chat/session/post", payload).status_code for _i in range(45)}
        self.assertEqual(codes, {200})

    def test_counts_live_in_the_database(self):
        limits = self.env["live_chat.rate.limit"]
        self.env["ir.config_parameter"].set_param("live_chat.rate_limit.message_ip", "2")
        self.assertEqual(limits._hit("message_ip", "10.1.2.3"), 0)
        self.assertEqual(limits._hit("message_ip", "10.1.2.3"), 0)
        self.assertGreater(limits._hit("message_ip", "10.1.2.3"), 0)
        self.assertEqual(limits._hit("message_ip", "10.9.9.9"), 0)
        self.assertEqual(limits.search([("key", "=", "message_ip:10.1.2.3")]).hits, 3)
