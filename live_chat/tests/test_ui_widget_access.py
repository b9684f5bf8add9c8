"""The widget as everyone uses it: with the keyboard, on a phone, right to left, on a
slow or busy server, with emoji and reactions; audited by axe-core (loaded by the
test into the visitor's page, never by the widget)."""

import glob
import json
import os
import time
from unittest.mock import patch

from odoo.tests import HttpCase, tagged

from ..controllers.widget import WIDGET_CODE
from ..models import live_chat_rate_limit
from ..models.discuss_channel import MESSAGE_MAX_LENGTH
from .common import LiveChatOperatorCommon
from .visitor_browser import ForeignSite, LiveVisitorMixin, shared_cursor


def axe_source():
    """axe-core's script, fetched by tools/common.sh (setup_all) into a cache."""
    path = os.environ.get("LIVE_CHAT_AXE_JS") or ""
    if not os.path.isfile(path):
        cache = os.path.join(
            os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "live_chat"
        )
        found = sorted(glob.glob(os.path.join(cache, "axe-core-*", "axe.min.js")))
        path = found[-1] if found else ""
    if not path:
        return None
    with open(path, encoding="utf-8") as source:
        return source.read()


OPEN_WIDGET = """
const root = await waitFor(widgetRoot, "the chat widget", 30000);
const btn = root.querySelector(".btn");  // none on the support page: the window is open
if (btn && btn.getAttribute("aria-expanded") === "false") btn.click();
const input = await waitFor(() => root.querySelector(".win:not([hidden]) .input"), "the composer");
return Boolean(input);
"""

# The open widget, shadow tree included: its serious or critical violations.
AXE_RUN = """
const host = await waitFor(() => document.querySelector("[data-live-chat]"), "the widget");
const results = await axe.run({include: [["[data-live-chat]"]]}, {resultTypes: ["violations"]});
// The audit did reach into the shadow root: some of its checks passed there.
const inShadow = results.passes.some((rule) => rule.nodes.some(
    (node) => Array.isArray(node.target[0]) || node.target.length > 1));
return {
    inShadow,
    violations: results.violations
        .filter((v) => ["serious", "critical"].includes(v.impact))
        .map((v) => `${v.id} (${v.impact}): `
            + v.nodes.map((n) => JSON.stringify(n.target)).join(" ")),
};
"""

PHONE_SIZES = """
const root = widgetRoot();
const win = root.querySelector(".win");
const rect = win.getBoundingClientRect();
const small = [...win.querySelectorAll("button, textarea")]
    .filter((node) => node.offsetParent !== null)
    .map((node) => [node.className, node.getBoundingClientRect()])
    .filter(([, r]) => r.width < 44 || r.height < 44)
    .map(([name, r]) => `${name} ${Math.round(r.width)}x${Math.round(r.height)}`);
return {
    window: [rect.left, rect.top, rect.width, rect.height],
    viewport: [innerWidth, innerHeight],
    inputFont: getComputedStyle(root.querySelector(".input")).fontSize,
    small,
};
"""

KEYBOARD_BUBBLE = """
const root = await waitFor(widgetRoot, "the chat widget", 30000);
await waitFor(() => root.querySelector(".bubble:not([hidden])"), "the bubble");
return {
    label: root.querySelector(".btn").getAttribute("aria-label"),
    expanded: root.querySelector(".btn").getAttribute("aria-expanded"),
};
"""

FOCUSED = """
const root = widgetRoot();
const active = root.activeElement;
return {
    focused: active ? active.className : null,
    open: Boolean(root.querySelector(".win:not([hidden])")),
    label: root.querySelector(".btn").getAttribute("aria-label"),
    expanded: root.querySelector(".btn").getAttribute("aria-expanded"),
};
"""

SEND = """
const root = widgetRoot();
const input = await waitFor(() => root.querySelector(".win:not([hidden]) .input"), "the composer");
input.value = %(text)s;
root.querySelector(".foot").requestSubmit();
const node = await waitFor(() => [...root.querySelectorAll(".msg.me:not(.pending)")].find(
    (m) => m.textContent === %(text)s), "the message sent", 30000);
return {dir: node.dir, direction: getComputedStyle(node).direction, time: node.dataset.time || ""};
"""

COUNTER = """
const root = widgetRoot();
const input = root.querySelector(".input");
const count = root.querySelector(".count");
const type = (text) => { input.value = text; input.dispatchEvent(new Event("input")); };
type("a");
const quiet = count.hidden;
type("a".repeat(%(max)s - 10));
const near = count.hidden ? null : count.textContent;
type("a".repeat(%(max)s + 3));
const over = count.hidden ? null : count.textContent;
const invalid = input.getAttribute("aria-invalid");
root.querySelector(".foot").requestSubmit();
await new Promise((r) => setTimeout(r, 300));
const kept = input.value.length;
type("");
return {quiet, near, over, invalid, kept, maxLength: input.maxLength,
        pending: root.querySelectorAll(".msg.pending").length};
"""

END_CONFIRM = """
const root = widgetRoot();
root.querySelector(".end").click();
const bar = await waitFor(() => root.querySelector(".confirm:not([hidden])"), "the question");
const asked = bar.textContent;
const focused = root.activeElement?.className;
root.querySelector(".confirm .no").click();
await new Promise((r) => setTimeout(r, 300));
const stillOpen = Boolean(root.querySelector(".foot:not([hidden])"));
root.querySelector(".end").click();
root.querySelector(".confirm .yes").click();
await waitFor(() => root.querySelector(".again:not([hidden])"), "the chat ended");
// The end's panel takes room from the conversation: it scrolls, nothing is squeezed.
const squeezed = [...root.querySelectorAll(".log > *")].filter(
    (node) => node.scrollHeight > node.offsetHeight + 1).length;
return {asked, focused, stillOpen, squeezed};
"""


class WidgetAccessCase(LiveVisitorMixin, LiveChatOperatorCommon, HttpCase):
    """The visitor's browser and the bus at work, and the audit."""

    operator_name = "Olena Operator"
    channel_values = {
        "name": "Shop support",
        "button_text": "Questions? Chat with us",
        "default_message": "Welcome, visitor!",
    }

    def _operator_says(self, text):
        with shared_cursor(self.env):
            return (
                self._session()
                .with_user(self.operator)
                .message_post(body=text, message_type="comment", subtype_xmlid="mail.mt_comment")
            )

    def _cdp(self, method, **params):
        return self.visitor.browser._websocket_request(method, params=params)

    def _key(self, key, code, keycode):
        """A real key press, as the visitor's keyboard makes it."""
        for kind in ("rawKeyDown", "keyUp"):
            self._cdp(
                "Input.dispatchKeyEvent",
                type=kind,
                key=key,
                code=code,
                windowsVirtualKeyCode=keycode,
                nativeVirtualKeyCode=keycode,
            )
            if kind == "rawKeyDown" and key == "Enter":
                self._cdp("Input.dispatchKeyEvent", type="char", text="\r", key=key)

    def _phone(self, on=True, mobile=True):
        """A phone's screen. ``mobile``: with a phone's layout viewport, which pages
        without a viewport meta tag (the foreign test page) make 980 px wide."""
        if on:
            self._cdp(
                "Emulation.setDeviceMetricsOverride",
                width=375,
                height=667,
                deviceScaleFactor=2,
                mobile=mobile,
            )
        else:
            self._cdp("Emulation.clearDeviceMetricsOverride")

    no_axe = False

    def _skip_without_axe(self):
        if self.no_axe:
            self.skipTest("no accessibility audit: axe-core was not fetched (tools/common.sh)")

    def _audit(self, where):
        source = axe_source()
        if source is None:
            # The rest of the test goes on; it is reported skipped at its end.
            self.no_axe = True
            return
        self.visitor.run(source + "\nreturn true;")
        result = self.visitor.run(AXE_RUN, timeout=120)
        self.assertTrue(result["inShadow"], f"{where}: axe did not reach the shadow root")
        self.assertEqual(result["violations"], [], where)


@tagged("post_install", "-at_install")
class TestWidgetAccess(WidgetAccessCase):
    def test_keyboard_phone_rtl_counter_and_audit(self):
        """On another site: the bubble and the button with the keyboard, Escape,
        a phone's screen, right-to-left text, the length counter, End chat's question,
        and no serious accessibility violation, on a desktop and a phone."""
        self.channel.rule_ids = [(0, 0, {"action": "show_notification", "url_pattern": "/"})]
        with ForeignSite(self.channel.script_snippet) as site, self._live():
            self.visitor.open(site.url + "/shop")
            closed = self.visitor.run(KEYBOARD_BUBBLE)
            self.assertEqual(closed, {"label": "Open chat", "expanded": "false"})
            # The bubble is the first stop of the keyboard; Enter opens the chat.
            self._key("Tab", "Tab", 9)
            self.assertEqual(self.visitor.run(FOCUSED)["focused"], "bubble")
            self._key("Enter", "Enter", 13)
            opened = self.visitor.run(
                'await waitFor(() => widgetRoot().activeElement?.className === "input",'
                ' "the composer focused"); return true;'
            )
            self.assertTrue(opened)
            state = self.visitor.run(FOCUSED)
            self.assertEqual(
                state,
                {"focused": "input", "open": True, "label": "Close chat", "expanded": "true"},
            )
            self._audit("desktop, foreign page, empty chat")
            # Escape closes the window, the keyboard is back on the button.
            self._key("Escape", "Escape", 27)
            state = self.visitor.run(FOCUSED)
            self.assertEqual(
                state,
                {"focused": "btn", "open": False, "label": "Open chat", "expanded": "false"},
            )
            self._key("Enter", "Enter", 13)
            self.assertTrue(self.visitor.run(OPEN_WIDGET))
            # Arabic reads right to left; the message has its time.
            sent = self.visitor.run(SEND % {"text": json.dumps("مرحبا، أحتاج مساعدة")})
            self.assertEqual(sent["dir"], "auto")
            self.assertEqual(sent["direction"], "rtl")
            self.assertRegex(sent["time"], r"\d")
            sent = self.visitor.run(SEND % {"text": json.dumps("Hello in English")})
            self.assertEqual(sent["direction"], "ltr")
            # Near the limit a counter, over it nothing is cut nor sent.
            counter = self.visitor.run(COUNTER % {"max": MESSAGE_MAX_LENGTH})
            self.assertEqual(
                counter,
                {
                    "quiet": True,
                    "near": "10 characters left",
                    "over": "3 characters too many",
                    "invalid": "true",
                    "kept": MESSAGE_MAX_LENGTH + 3,
                    "maxLength": -1,
                    "pending": 0,
                },
            )
            self._operator_says("Hello, how can I help?")
            self.visitor.run(
                'await waitFor(() => widgetRoot().querySelector(".msg.av-on .av"), "the avatar");'
                "return true;"
            )
            self._audit("desktop, foreign page, a conversation")
            # A phone: the window fills the screen, 44 px targets, 16 px text.
            self._phone(mobile=False)
            try:
                # The emoji picker open too: its buttons are tap targets as well.
                self.visitor.run(
                    'widgetRoot().querySelector(".ebtn").click();'
                    'await waitFor(() => widgetRoot().querySelector(".emoji-panel:not([hidden])"),'
                    ' "the picker"); return true;'
                )
                sizes = self.visitor.run(PHONE_SIZES)
                self.assertEqual(sizes["window"], [0, 0, 375, 667])
                self.assertEqual(sizes["viewport"], [375, 667])
                self.assertEqual(sizes["inputFont"], "16px")
                self.assertEqual(sizes["small"], [])
                self._audit("phone, foreign page, the emoji picker open")
                # Escape closes the picker first, not the chat.
                self._key("Escape", "Escape", 27)
                state = self.visitor.run(FOCUSED)
                self.assertEqual((state["focused"], state["open"]), ("input", True))
            finally:
                self._phone(False)
            ended = self.visitor.run(END_CONFIRM)
        self.assertEqual(
            ended,
            {
                "asked": "End this chat?End chatCancel",
                "focused": "no",
                "stillOpen": True,
                "squeezed": 0,
            },
        )
        self.assertEqual(self._session().live_chat_state, "closed")
        self._skip_without_axe()

    def test_audit_support_page(self):
        """Our own page (the direct chat link), a desktop and a phone."""
        with self._live():
            self.visitor.open(self.page)
            self.assertTrue(self.visitor.run(OPEN_WIDGET))
            self.visitor.run(SEND % {"text": json.dumps("Hello")})
            self._audit("desktop, support page")
            self._phone()
            try:
                self._audit("phone, support page")
                sizes = self.visitor.run(PHONE_SIZES)
                self.assertEqual(sizes["small"], [])
                self.assertEqual(sizes["inputFont"], "16px")
            finally:
                self._phone(False)
        self._skip_without_axe()


EMOJI_PICKED = """
const root = await waitFor(widgetRoot, "the chat widget", 30000);
const input = await waitFor(() => root.querySelector(".win:not([hidden]) .input"), "the composer");
const fetched = () => performance.getEntriesByType("resource").some(
    (e) => e.name.includes("/live_chat/widget/emoji/"));
const before = fetched();
input.value = "Thanks ";
input.setSelectionRange(7, 7);
root.querySelector(".ebtn").click();
await waitFor(() => root.activeElement?.classList.contains("emoji-pick"), "the picker focused");
const expanded = root.querySelector(".ebtn").getAttribute("aria-expanded");
[...root.querySelectorAll(".emoji-pick")].find((b) => b.textContent === "👍").click();
return {
    before,
    after: fetched(),
    expanded,
    value: input.value,
    closed: root.querySelector(".emoji-panel").hidden,
    focused: root.activeElement?.className,
};
"""

BUSY_SEND = """
const root = widgetRoot();
root.querySelector(".foot").requestSubmit();
await waitFor(() => root.querySelector(".busy:not([hidden])"), "the loading state");
const shown = root.querySelector(".busy").textContent;
const sent = await waitFor(() => root.querySelector(".msg.me:not(.pending)"), "sent", 30000);
await waitFor(() => root.querySelector(".busy[hidden]"), "the loading state gone");
return {shown, text: sent.textContent, id: Number(sent.dataset.id)};
"""

TITLE = """
const root = widgetRoot();
await waitFor(() => document.title === %(title)s, "the title " + %(title)s, 20000);
return {title: document.title, dot: !root.querySelector(".dot").hidden};
"""

# The tab in the background (as the browser says it when the visitor is elsewhere).
TAB = """
Object.defineProperty(document, "visibilityState", {value: %(state)s, configurable: true});
document.dispatchEvent(new Event("visibilitychange"));
return true;
"""

SCROLLED_UP = """
const log = widgetRoot().querySelector(".log");
await waitFor(() => log.scrollHeight > log.clientHeight * 2, "a long conversation");
log.scrollTop = 0;
log.dispatchEvent(new Event("scroll"));
return true;
"""

NEWER = """
const root = widgetRoot();
const log = root.querySelector(".log");
await waitFor(() => texts(root, ".msg").some((t) => t.endsWith("Latest news")), "the news");
const marker = await waitFor(() => root.querySelector(".newer:not([hidden])"), "the marker");
const stayed = log.scrollTop < 50;
marker.click();
const atEnd = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
return {stayed, atEnd, hidden: marker.hidden, text: marker.textContent};
"""

RATE_LIMITED = """
const root = widgetRoot();
let links = 0;
new MutationObserver(() => { links += root.querySelectorAll(".retry").length; })
    .observe(root, {subtree: true, childList: true});
const input = root.querySelector(".input");
input.value = "Third";
root.querySelector(".foot").requestSubmit();
const status = await waitFor(() => root.querySelector(".status:not([hidden])")?.textContent,
    "told to wait", 20000);
const pending = Boolean(root.querySelector(".msg.me.pending"));
// What the widget reads, from another website: the answer's Retry-After.
const state = JSON.parse(localStorage.getItem(%(key)s));
const answer = await fetch(%(server)s + "/live_chat/session/post", {
    method: "POST",
    body: JSON.stringify({session_id: state.session_id, token: state.token, body: "Probe"}),
});
window.lcLinks = () => links;
return {status, pending, code: answer.status, retryAfter: answer.headers.get("Retry-After")};
"""

RETRIED = """
const root = widgetRoot();
await waitFor(() => texts(root, ".msg.me:not(.pending)").includes("Third"), "sent again", 30000);
return {links: window.lcLinks(), status: root.querySelector(".status").hidden};
"""


@tagged("post_install", "-at_install")
class TestWidgetAccessChat(WidgetAccessCase):
    """Emoji, reactions, the tab's title, the new-messages marker, a slow server and
    the rate limit, in the visitor's browser on another site."""

    def _open_on_site(self, site):
        self.visitor.open(site.url + "/shop")
        self.assertTrue(self.visitor.run(OPEN_WIDGET))

    def test_emoji_reaction_title_and_marker(self):
        code = WIDGET_CODE.current()
        # The picker's code is a module of its own, never in the chat's bundle.
        self.assertFalse(b"EMOJI_CSS" in code.bundle, "the picker is in the bundle")
        self.assertTrue(b"EMOJI_CSS" in code.modules["emoji"][1])
        with ForeignSite(self.channel.script_snippet) as site, self._live():
            self._open_on_site(site)
            picked = self.visitor.run(EMOJI_PICKED)
            self.assertEqual(
                picked,
                {
                    "before": False,
                    "after": True,
                    "expanded": "true",
                    "value": "Thanks 👍",
                    "closed": True,
                    "focused": "input",
                },
            )
            # A slow server: "Loading…" while the message is on its way.
            self.visitor.network(latency=1.5)
            sent = self.visitor.run(BUSY_SEND, timeout=60)
            self.visitor.network()
            self.assertEqual(sent["shown"], "Loading…")
            self.assertEqual(sent["text"], "Thanks 👍")
            # The operator reacts to the visitor's message, as the host's route does it
            # (the route itself: TestReactionsForTheVisitor).
            with shared_cursor(self.env):
                message = self.env["mail.message"].browse(sent["id"]).sudo()
                message._message_reaction(
                    "❤️", "add", self.operator.partner_id, self.env["mail.guest"]
                )
            shown = self.visitor.run(
                "const r = await waitFor(() => widgetRoot().querySelector('.msg.me .react'),"
                " 'the reaction', 20000); return r.textContent;"
            )
            self.assertEqual(shown, "❤️")
            # Unread replies in the tab's title: the window closed, or the tab hidden.
            self.visitor.run('widgetRoot().querySelector(".min").click(); return true;')
            self._operator_says("First reply")
            self._operator_says("Second reply")
            self.assertEqual(
                self.visitor.run(TITLE % {"title": json.dumps("(2) Another shop")}),
                {"title": "(2) Another shop", "dot": True},
            )
            self.visitor.run('widgetRoot().querySelector(".btn").click(); return true;')
            self.assertEqual(
                self.visitor.run(TITLE % {"title": json.dumps("Another shop")}),
                {"title": "Another shop", "dot": False},
            )
            self.visitor.run(TAB % {"state": json.dumps("hidden")})
            self._operator_says("Third reply")
            self.visitor.run(TITLE % {"title": json.dumps("(1) Another shop")})
            self.visitor.run(TAB % {"state": json.dumps("visible")})
            self.visitor.run(TITLE % {"title": json.dumps("Another shop")})
            # Scrolled up to read: not pulled down, told of the new message.
            for number in range(12):
                self._operator_says(f"A long explanation, part {number}. " * 4)
            self.visitor.run(SCROLLED_UP)
            self._operator_says("Latest news")
            newer = self.visitor.run(NEWER)
        self.assertEqual(
            newer, {"stayed": True, "atEnd": True, "hidden": True, "text": "New messages"}
        )

    def test_rate_limited_message_sent_by_itself(self):
        # A short window (Retry-After: 1 or 2 s); the visitor may send 1 message a window.
        self.env["ir.config_parameter"].set_param("live_chat.rate_limit.message_session", "1")
        with (
            patch.object(live_chat_rate_limit, "WINDOW_SECONDS", 2),
            ForeignSite(self.channel.script_snippet) as site,
            self._live(),
        ):
            self._open_on_site(site)
            # Both within the same minute (the limit's window in the database).
            while time.gmtime().tm_sec > 45:
                time.sleep(1)
            self.visitor.run(SEND % {"text": json.dumps("First")})  # starts the session
            self.visitor.run(SEND % {"text": json.dumps("Second")})
            waiting = self.visitor.run(
                RATE_LIMITED
                % {
                    "key": json.dumps(self.visitor.storage_key(self.channel)),
                    "server": json.dumps(self.base_url()),
                }
            )
            self.assertEqual(
                waiting,
                {
                    "status": "Too many messages: sending again in a moment…",
                    "pending": True,
                    "code": 429,
                    "retryAfter": waiting["retryAfter"],
                },
            )
            self.assertIn(waiting["retryAfter"], ("1", "2"))
            with shared_cursor(self.env):
                self.env["ir.config_parameter"].set_param(
                    "live_chat.rate_limit.message_session", "0"
                )
            retried = self.visitor.run(RETRIED, timeout=60)
        self.assertEqual(retried, {"links": 0, "status": True})
        self.assertEqual(
            self._session().message_ids.filtered(lambda m: "Third" in str(m.body)).mapped("body"),
            ["<p>Third</p>"],
        )
