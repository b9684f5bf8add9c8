import time

from odoo.tests import HttpCase, tagged

from .common import LiveChatOperatorCommon
from .geoip import BE_IP, UA_IP, geoip_database
from .visitor_browser import ForeignSite, VisitorBrowser

# On the foreign page: the widget is there, isolated, and leaks no global.
WIDGET_ISOLATED = """
const root = await waitFor(widgetRoot, "the chat widget", 20000);
const button = await waitFor(() => root.querySelector(".btn"), "the chat button");
const style = getComputedStyle(button);
if (style.backgroundColor !== "rgb(12, 34, 56)") {
    throw new Error("button colour leaked: " + style.backgroundColor);
}
if (getComputedStyle(button).position !== "fixed") throw new Error("button not fixed");
for (const name of ["LIVE_CHAT_CONFIG", "Widget", "Transport", "MessageLog", "View"]) {
    // A top-level const or class of a script would be a global, not on window.
    if (new Function(`return typeof ${name}`)() !== "undefined") {
        throw new Error("global leaked: " + name);
    }
}
// Nothing on window but what a blank page has.
const frame = document.createElement("iframe");
document.body.append(frame);
const globals = Object.getOwnPropertyNames(window).filter(
    (k) => !(k in frame.contentWindow) && !/^\\d+$/.test(k)  // window[0]: the frame
);
frame.remove();
if (globals.length) throw new Error("globals leaked: " + globals.join(", "));
const h1 = getComputedStyle(document.querySelector("h1"));
if (h1.fontSize !== "40px") throw new Error("the page's own style changed: " + h1.fontSize);
return "isolated";
"""

VISITOR_CHATS = """
const root = await waitFor(widgetRoot, "the chat widget", 20000);
root.querySelector(".btn").click();
const input = await waitFor(() => root.querySelector(".win:not([hidden]) .input"), "the composer");
input.value = "Hello from the visitor on another site";
root.querySelector(".foot").requestSubmit();
await waitFor(() => [...root.querySelectorAll(".msg:not(.me)")].some(
    (m) => m.textContent.includes("Hi! How can I help?")), "the operator's reply", 60000);
return "replied";
"""

VISITOR_RESUMES = """
const root = await waitFor(widgetRoot, "the chat widget", 20000);
await waitFor(() => root.querySelector(".win:not([hidden])"), "the window open after reload");
await waitFor(() => [...root.querySelectorAll(".msg")].some(
    (m) => m.textContent.includes("Hi! How can I help?")), "the conversation after reload");
root.querySelector(".end").click();
(await waitFor(() => root.querySelector(".confirm:not([hidden]) .yes"), "the question")).click();
await waitFor(() => root.querySelector(".again:not([hidden])"), "the chat ended");
return "resumed";
"""

# Wait until the page asked the server how to show the widget and has the widget's
# code, then a little more.
AFTER_INIT = """
for (const path of ["/live_chat/init/", "/live_chat/widget/"]) {
    await waitFor(() => performance.getEntriesByType("resource").some(
        (e) => e.name.includes(path) && e.responseEnd > 0), path, 20000);
}
await new Promise((r) => setTimeout(r, 300));
"""


@tagged("post_install", "-at_install")
class TestWidgetOnAnotherSite(LiveChatOperatorCommon, HttpCase):
    operator_name = "Olena Operator"
    channel_values = {
        "name": "Embedded",
        "default_message": "Welcome, visitor!",
        "button_background_color": "#0C2238",
        "button_text": "Talk to us!",
    }
    operator_online = False  # each test says

    def _snippet(self):
        return self.channel.script_snippet.replace(self.channel.get_base_url(), self.base_url())

    def _visitor(self):
        visitor = VisitorBrowser(self)
        self.addCleanup(visitor.stop)
        return visitor

    def _set_online(self):
        self._set_presence(self.operator)

    def test_chat_from_another_site(self):
        # The widget sends no cookie to the chat server (none is needed, so blocking
        # third-party cookies changes nothing): let its requests in without the
        # test's cookie.
        self.http_request_allow_all = True
        visitor = self._visitor()
        with ForeignSite(self._snippet()) as site:

            def scenario(v):
                # The visitor arrives once the operator is online (no button before).
                for _attempt in range(60):
                    v.open(site.url + "/products/chair")
                    if v.run(AFTER_INIT + "return Boolean(widgetRoot());"):
                        break
                    time.sleep(0.5)
                isolated = v.run(WIDGET_ISOLATED)
                chatted = v.run(VISITOR_CHATS, timeout=120)
                v.open(site.url + "/products/chair")
                return isolated, chatted, v.run(VISITOR_RESUMES)

            with visitor.alongside(scenario) as outcome:
                self.start_tour(
                    "/odoo/action-live_chat.live_chat_channel_action",
                    "live_chat_operator_tour",
                    login=self.operator.login,
                    timeout=180,
                )
        self.assertEqual(outcome["result"], ("isolated", "replied", "resumed"))
        session = self.env["discuss.channel"].search(
            [("live_chat_channel_id", "=", self.channel.id)]
        )
        self.assertEqual(len(session), 1)
        self.assertEqual(session.live_chat_page_url, site.url + "/products/chair")
        self.assertEqual(session.live_chat_state, "closed")

    def _page_state(self, visitor, url):
        self.env.flush_all()
        visitor.open(url)
        return visitor.run(
            AFTER_INIT
            + """
            const root = widgetRoot();
            if (!root) return {widget: false};
            const win = root.querySelector(".win");
            return {
                widget: true,
                button: Boolean(root.querySelector(".btn:not([hidden])")),
                bubble: root.querySelector(".bubble:not([hidden])")?.textContent || null,
                window: Boolean(win && !win.hidden),
            };
            """
        )

    def test_rules_on_another_site(self):
        self._set_online()
        self.channel.rule_ids = [
            (0, 0, {"sequence": 1, "action": "hide", "url_pattern": "/private"}),
            (0, 0, {"sequence": 2, "action": "show_notification", "url_pattern": "/promo"}),
            (
                0,
                0,
                {
                    "sequence": 3,
                    "action": "auto_open",
                    "auto_open_timer": 1,
                    "url_pattern": "/help",
                },
            ),
        ]
        visitor = self._visitor()
        with (
            ForeignSite(self._snippet()) as site,
            self.allow_requests(browser=visitor.browser, all_requests=True),
        ):
            shown = self._page_state(visitor, site.url + "/")
            self.assertEqual(
                shown, {"widget": True, "button": True, "bubble": None, "window": False}
            )
            hidden = self._page_state(visitor, site.url + "/private/area")
            self.assertEqual(hidden, {"widget": False})
            bubble = self._page_state(visitor, site.url + "/promo")
            self.assertEqual(bubble["bubble"], "Talk to us!")
            self.assertTrue(bubble["button"])
            auto = self._page_state(visitor, site.url + "/help")
            self.assertFalse(auto["window"], "the window waits for its timer")
            opened = visitor.run(
                "const root = widgetRoot();"
                'await waitFor(() => root.querySelector(".win:not([hidden])"), "auto open", 5000);'
                "return true;"
            )
            self.assertTrue(opened)

    def test_nobody_available_no_button(self):
        visitor = self._visitor()
        with (
            ForeignSite(self._snippet()) as site,
            self.allow_requests(browser=visitor.browser, all_requests=True),
        ):
            self.assertEqual(self._page_state(visitor, site.url + "/"), {"widget": False})

    def test_origin_not_allowed_no_widget(self):
        self._set_online()
        self.channel.allowed_origins = "https://www.example.com"
        visitor = self._visitor()
        with (
            ForeignSite(self._snippet()) as site,
            self.allow_requests(browser=visitor.browser, all_requests=True),
        ):
            self.assertEqual(self._page_state(visitor, site.url + "/"), {"widget": False})
            self.channel.allowed_origins = site.url
            self.assertTrue(self._page_state(visitor, site.url + "/")["widget"])

    def test_country_rule_in_the_browser(self):
        self._set_online()
        self.channel.rule_ids = [
            (0, 0, {"action": "hide", "country_ids": [(6, 0, self.env.ref("base.ua").ids)]}),
        ]
        visitor = self._visitor()
        with (
            geoip_database(),
            ForeignSite(self._snippet()) as site,
            self.allow_requests(browser=visitor.browser, all_requests=True),
        ):
            for ip, expected in ((UA_IP, False), (BE_IP, True)):
                visitor.forward_for(ip)
                with self.subTest(ip=ip):
                    self.assertEqual(self._page_state(visitor, site.url + "/")["widget"], expected)
