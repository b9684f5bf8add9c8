import json
import time
from unittest.mock import patch

from odoo.tests import HttpCase, tagged
from odoo.tools import html2plaintext

from odoo.addons.bus.models.bus import channel_with_db, dispatch, hashable, json_dump
from odoo.addons.bus.websocket import CloseCode, WebsocketConnectionHandler, _kick_all
from odoo.addons.mail.controllers.webclient import WebclientController

from ..controllers.widget import WIDGET_CODE
from .common import LiveChatOperatorCommon
from .test_widget import changed_widget_code
from .visitor_browser import (
    WAIT_FOR_OPERATOR,
    ForeignSite,
    LiveVisitorMixin,
    VisitorBrowser,
    shared_cursor,
)

VISITOR_SENDS = (
    WAIT_FOR_OPERATOR
    + """
// The ids the widget says the visitor has seen (/live_chat/session/seen).
const seenSaid = [];
const pageFetch = window.fetch;
window.fetch = (url, options) => {
    if (String(url).endsWith("/live_chat/session/seen")) {
        seenSaid.push(JSON.parse(options.body).message_id);
    }
    return pageFetch(url, options);
};
const root = await waitFor(widgetRoot, "the chat widget");
const input = await waitFor(() => root.querySelector(".win:not([hidden]) .input"), "the composer");
if (input.placeholder !== "Type here, please") throw new Error("placeholder: " + input.placeholder);
await waitFor(
    () => root.querySelector(".welcome")?.textContent.includes("Welcome, visitor!"), "welcome");
input.value = "Hello from the visitor <b>bold</b>";
root.querySelector(".foot").requestSubmit();
await waitFor(() => [...root.querySelectorAll(".msg.me:not(.pending)")].some(
    (m) => m.textContent.includes("Hello from the visitor <b>bold</b>")), "the message sent");
await waitFor(() => [...root.querySelectorAll(".msg:not(.me)")].some(
    (m) => m.textContent.includes("Hi! How can I help?")), "the operator's reply", 60000);
// Only the reply was said seen: the welcome, older than the visitor's message, was
// seen with it.
await waitFor(() => seenSaid.length, "the reply said seen");
await new Promise((resolve) => setTimeout(resolve, 1500)); // the widget's SEEN_DELAY
if (seenSaid.length !== 1) throw new Error("seen said for " + JSON.stringify(seenSaid));
return "replied";
"""
)

# The widget's requests of the page so far, by path.
WIDGET_ASKED = """
return {
    start: requests("/live_chat/session/start"),
    ping: requests("/live_chat/session/ping"),
    messages: requests("/live_chat/session/messages"),
};
"""

VISITOR_RESUMES_AND_ENDS = """
const root = await waitFor(widgetRoot, "the chat widget");
await waitFor(() => [...root.querySelectorAll(".msg")].some(
    (m) => m.textContent.includes("Hi! How can I help?")), "the conversation after reload");
const shown = texts(root, ".msg");
// The page's messages loaded once: the socket, open by now, asked for no catch-up.
await new Promise((resolve) => setTimeout(resolve, 1500));
const loads = requests("/live_chat/session/messages");
if (loads !== 1) throw new Error("messages loaded " + loads + " times");
root.querySelector(".end").click();
(await waitFor(() => root.querySelector(".confirm:not([hidden]) .yes"), "the question")).click();
await waitFor(() => root.querySelector(".again:not([hidden])"), "the chat ended");
// The visitor is told what they did, never by their pseudonym.
const notice = await waitFor(() => texts(root, ".note").join(" "), "the closing notice");
if (notice !== "You ended the chat.") throw new Error("notice: " + notice);
return shown;
"""


@tagged("post_install", "-at_install")
class TestChatUi(LiveChatOperatorCommon, HttpCase):
    operator_name = "Olena Operator"
    channel_values = {
        "name": "Shop support",
        "default_message": "Welcome, visitor!",
        "input_placeholder": "Type here, please",
    }
    operator_online = False  # once their web client is open

    def test_visitor_and_operator_chat(self):
        channel = self.channel
        visitor = VisitorBrowser(self)
        self.addCleanup(visitor.stop)

        def scenario(v):
            v.open(f"/live_chat/support/{channel.id}")
            first = v.run(VISITOR_SENDS % {"channel": channel.id}, timeout=120)
            asked = v.run(WIDGET_ASKED)
            v.open(f"/live_chat/support/{channel.id}")
            return first, asked, v.run(VISITOR_RESUMES_AND_ENDS, timeout=60)

        # The channels that each request of the operator's web client fetches
        # (/mail/data, /mail/action).
        fetched = []
        process_request = WebclientController._process_request.__func__

        def counting_process_request(cls, fetch_params, context):
            fetched.append(
                {
                    channel_id
                    for param in fetch_params
                    if isinstance(param, list) and param[:1] == ["discuss.channel"]
                    for channel_id in param[1]
                }
            )
            return process_request(cls, fetch_params, context)

        with (
            patch.object(
                WebclientController, "_process_request", classmethod(counting_process_request)
            ),
            visitor.alongside(scenario) as outcome,
        ):
            self.start_tour(
                "/odoo/action-live_chat.live_chat_channel_action",
                "live_chat_operator_tour",
                login=self.operator.login,
                timeout=180,
            )
        first, asked, transcript = outcome["result"]
        self.assertEqual(first, "replied")
        # After its start, the widget asked nothing more until the reply came on its
        # socket: no catch-up when the socket opened (the start's answer had the
        # messages), no ping (the start was the visitor's sign of life).
        self.assertEqual(asked, {"start": 1, "ping": 0, "messages": 0})
        self.assertTrue(any("Hi! How can I help?" in text for text in transcript))
        session = self.env["discuss.channel"].search([("live_chat_channel_id", "=", channel.id)])
        self.assertEqual(len(session), 1)
        self.assertEqual(session.live_chat_operator_id, self.operator)
        self.assertEqual(session.live_chat_state, "closed")
        bodies = session.message_ids.mapped("body")
        self.assertTrue(any("Hello from the visitor &lt;b&gt;bold&lt;/b&gt;" in b for b in bodies))
        # The new session fetched once: with the host's fetch on "joined", not again
        # for its window nor for its first new message.
        self.assertEqual(sum(session.id in ids for ids in fetched), 1, fetched)


SEND_TWO_QUICKLY = """
const root = await waitFor(widgetRoot, "the chat widget", 30000);
const input = await waitFor(
    () => root.querySelector(".win:not([hidden]) .input"), "the composer", 30000);
for (const text of ["First quick message", "Second quick message"]) {
    input.value = text;
    root.querySelector(".foot").requestSubmit();
}
await waitFor(() => !root.querySelector(".msg.pending, .msg.failed")
    && texts(root, ".msg.me").length === 2, "both messages sent", 30000);
return texts(root, ".msg");
"""

RESUME_LONG = """
const root = await waitFor(widgetRoot, "the chat widget", 30000);
await waitFor(() => texts(root, ".msg").some((t) => t.endsWith("Message 300")),
    "the latest message", 30000);
const log = root.querySelector(".log");
const atEnd = log.scrollTop + log.clientHeight >= log.scrollHeight - 40;
const first = texts(root, ".msg");
root.querySelector(".older:not([hidden])").click();
await waitFor(() => root.querySelectorAll(".msg").length > first.length, "older messages");
return {first, atEnd, second: texts(root, ".msg"), older: !root.querySelector(".older").hidden};
"""

SEND = """
const root = await waitFor(widgetRoot, "the chat widget", 30000);
const input = await waitFor(
    () => root.querySelector(".win:not([hidden]) .input"), "the composer", 30000);
input.value = %(text)s;
root.querySelector(".foot").requestSubmit();
await waitFor(() => texts(root, ".msg.me:not(.pending)").includes(%(text)s), "sent", 30000);
return true;
"""

OFFLINE_SEND = """
const root = await waitFor(widgetRoot, "the chat widget", 30000);
const input = await waitFor(
    () => root.querySelector(".win:not([hidden]) .input"), "the composer", 30000);
input.value = "Written while offline";
root.querySelector(".foot").requestSubmit();
await waitFor(() => root.querySelector(".msg.failed .retry"), "the unsent message");
return root.querySelector(".status").textContent;
"""

RETRY = """
const root = widgetRoot();
root.querySelector(".msg.failed .retry").click();
await waitFor(() => !root.querySelector(".msg.failed, .msg.pending")
    && texts(root, ".msg.me").includes("Written while offline"), "sent again", 30000);
root.querySelector(".min").click();
return Boolean(root.querySelector(".btn:not([hidden])") && root.querySelector(".win[hidden]"));
"""

UNREAD = """
const root = await waitFor(widgetRoot, "the chat widget", 30000);
await waitFor(() => root.querySelector(".btn:not([hidden]) .dot:not([hidden])"),
    "the dot of an unread message", 20000);
root.querySelector(".btn").click();
await waitFor(() => texts(root, ".msg:not(.me)").some((t) => t.endsWith("Still there?")),
    "the operator's message");
const dot = !root.querySelector(".dot").hidden;
root.querySelector(".end").click();
(await waitFor(() => root.querySelector(".confirm:not([hidden]) .yes"), "the question")).click();
await waitFor(() => root.querySelector(".again:not([hidden])"), "the chat ended");
root.querySelector(".again").click();
const welcome = texts(root, ".msg");
const input = root.querySelector(".input");
input.value = "A new question";
root.querySelector(".foot").requestSubmit();
await waitFor(() => !root.querySelector(".msg.pending")
    && texts(root, ".msg.me").includes("A new question"), "the new chat");
return {dot, welcome, shown: texts(root, ".msg")};
"""

SEES = """
const root = await waitFor(widgetRoot, "the chat widget", 30000);
await waitFor(() => texts(root, ".msg:not(.me)").some((t) => t.endsWith(%(text)s)),
    "the operator's message", %(timeout)s);
return texts(root, ".msg");
"""


@tagged("post_install", "-at_install")
class TestVisitorWidget(LiveVisitorMixin, LiveChatOperatorCommon, HttpCase):
    """The visitor's widget on the support page, with the host's bus live: a slow
    network, a long session, a silent bus, a server upgrade."""

    operator_name = "Olena Operator"
    channel_values = {"name": "Shop support", "default_message": "Welcome, visitor!"}

    def _operator_says(self, text):
        with shared_cursor(self.env):
            self._session().with_user(self.operator).message_post(
                body=text, message_type="comment", subtype_xmlid="mail.mt_comment"
            )

    def _wait_listening(self, bus_channel, besides=(), timeout=30):
        """Until a websocket other than ``besides`` listens to ``bus_channel`` and sent
        what the bus holds for it so far. Returns the websockets that listen."""
        key = hashable(channel_with_db(self.env.registry.db_name, bus_channel))
        with shared_cursor(self.env):
            last = (
                self.env["bus.bus"]
                .sudo()
                .search([("channel", "=", json_dump(key))], order="id desc", limit=1)
            )
        deadline = time.monotonic() + timeout
        while not any(
            max([ws._last_notif_sent_id, *(sent[0] for sent in ws._notif_history)]) >= last.id
            for ws in set(dispatch._channels_to_ws.get(key, ())) - set(besides)
        ):
            if time.monotonic() > deadline:
                raise AssertionError("the widget does not listen to its bus channel")
            time.sleep(0.05)
        return set(dispatch._channels_to_ws[key])

    def _bus_channel(self):
        with shared_cursor(self.env):
            return self._session()._live_chat_bus_channel()

    def test_two_quick_messages_one_session(self):
        """On a slow network, a second message typed while the first one (which starts
        the session) is on its way joins the same session, after it."""
        with self._live():
            self.visitor.network(latency=0.5)
            self.visitor.open(self.page)
            shown = self.visitor.run(SEND_TWO_QUICKLY, timeout=90)
        self.assertEqual(
            [text for text in shown if "quick message" in text],
            ["First quick message", "Second quick message"],
        )
        session = self._session()
        self.assertEqual(len(session), 1, "one visitor, one session")
        self.assertEqual(
            [html2plaintext(body) for body in session.message_ids.sorted("id").mapped("body")],
            ["Welcome, visitor!", "First quick message", "Second quick message"],
        )
        # The operator sees one visitor.
        self.assertEqual(
            self.env["discuss.channel"].search_count(
                [("live_chat_operator_id", "=", self.operator.id)]
            ),
            1,
        )
        self.assertEqual(len(session.channel_member_ids.guest_id), 1)

    def test_resume_long_session(self):
        """Resuming a session of 300 messages shows the latest ones; older ones on demand."""
        started = self.lc_start(body="Message 1")
        session = self.lc_session(started)
        first = len(session.message_ids)
        self._create_messages(session, self.operator, range(first + 1, 301))
        state = {
            "session_id": session.id,
            "token": started["token"],
            "guest_token": started["guest"]["token"],
        }
        with self._live():
            self.visitor.set_state(self.channel, state)
            self.visitor.open(self.page)
            result = self.visitor.run(RESUME_LONG)
        first_page, second_page = result["first"], result["second"]
        self.assertEqual(len(first_page), 50)
        self.assertTrue(first_page[0].endswith("Message 251"), first_page[0])
        self.assertTrue(first_page[-1].endswith("Message 300"))
        self.assertTrue(result["atEnd"], "the latest message in view")
        self.assertEqual(len(second_page), 100)
        self.assertTrue(second_page[0].endswith("Message 201"), second_page[0])
        self.assertEqual(second_page[50:], first_page)
        self.assertTrue(result["older"], "still older messages")

    def test_page_view_loads_the_messages_once(self):
        """A page view during a chat loads the session's messages once, also when the
        page's ping (which tells the session's newest message) is answered before
        that load: the widget compares again once the load is done (it loaded them a
        second time, a race seen in the operator tour's returning page)."""
        started = self.lc_start(body="Hello")
        self._operator_says("An answer.")
        with shared_cursor(self.env):
            newest = self.env["bus.bus"].sudo()._bus_last_id()
        state = {
            "session_id": started["session"]["id"],
            "token": started["token"],
            "guest_token": started["guest"]["token"],
            "last_bus_id": newest,
        }
        with self._live():
            self.visitor.set_state(self.channel, state)
            self.visitor.delay("/live_chat/session/messages", 1)
            self.visitor.open(self.page)
            self.visitor.run(SEES % {"text": json.dumps("An answer."), "timeout": 20000})
            asked = self.visitor.run(
                "await new Promise((resolve) => setTimeout(resolve, 1500));" + WIDGET_ASKED
            )
        self.assertEqual(asked, {"start": 0, "ping": 1, "messages": 1})

    def test_back_a_day_later(self):
        """A visitor comes back with an old bus id in their browser: the socket listens
        from the bus's newest notification (from the old one, the host would read every
        notification since), and the conversation is whole, what was said while they
        were away included."""
        started = self.lc_start(body="Hello, I was here yesterday")
        self._operator_says("An answer while you were away.")
        state = {
            "session_id": started["session"]["id"],
            "token": started["token"],
            "guest_token": started["guest"]["token"],
            "last_bus_id": 1,
        }
        with self._live():
            self.visitor.set_state(self.channel, state)
            with shared_cursor(self.env):
                newest = self.env["bus.bus"].sudo()._bus_last_id()
            self.visitor.open(self.page)
            self.visitor.run(
                SEES % {"text": json.dumps("An answer while you were away."), "timeout": 20000}
            )
            listening = self._wait_listening(self._bus_channel())
            self.assertGreaterEqual(min(ws._last_notif_sent_id for ws in listening), newest)
            self._operator_says("And one now.")
            shown = self.visitor.run(SEES % {"text": json.dumps("And one now."), "timeout": 20000})
        self.assertEqual(
            [t for t in shown if t.endswith(("yesterday", "away.", "now."))],
            [
                "Hello, I was here yesterday",
                "OlenaAn answer while you were away.",
                "OlenaAnd one now.",
            ],
        )

    def test_silent_bus(self):
        """The socket stays open but the bus is silent (the server's listener waits
        after a database restart): the widget catches up by itself within seconds,
        and nothing shows twice when the bus speaks again."""
        with self._live() as bus:
            self.visitor.open(self.page)
            self.visitor.run(SEND % {"text": json.dumps("Hello")})
            self._wait_listening(self._bus_channel())
            bus.muted = True
            self.visitor.run(SEND % {"text": json.dumps("Are you there?")})
            self._operator_says("Yes, still here.")
            self.visitor.run(SEES % {"text": json.dumps("Yes, still here."), "timeout": 20000})
            bus.muted = False
            self._operator_says("And the bus is back.")
            shown = self.visitor.run(
                SEES % {"text": json.dumps("And the bus is back."), "timeout": 20000}
            )
        for text in ("Hello", "Are you there?", "Yes, still here.", "And the bus is back."):
            self.assertEqual(sum(t.endswith(text) for t in shown), 1, text)
        self.assertEqual(
            [t for t in shown if t.endswith(("there?", "here.", "back."))],
            [
                "Are you there?",
                "OlenaYes, still here.",
                "OlenaAnd the bus is back.",
            ],
        )

    def test_outdated_bus_reloads_the_code(self):
        """The server is upgraded (a new bus protocol, a new widget) while a visitor
        chats: when the bus calls the widget outdated, it runs the new code."""
        with self._live():
            self.visitor.open(self.page)
            self.visitor.run(SEND % {"text": json.dumps("Hello")})
            old_version = WIDGET_CODE.current().version
            bus_channel = self._bus_channel()
            sockets = self._wait_listening(bus_channel)
            with (
                patch.object(WebsocketConnectionHandler, "_VERSION", "19.0-upgraded"),
                changed_widget_code("\n// the upgraded widget\n"),
            ):
                new_version = WIDGET_CODE.current().version
                self.assertNotEqual(new_version, old_version)
                _kick_all(CloseCode.GOING_AWAY)  # the server restarts
                reloaded = self.visitor.run(
                    """
                    await waitFor(() => document.querySelector(
                        "[data-live-chat-version='%s']"), "the new widget", 30000);
                    const hosts = document.querySelectorAll("[data-live-chat]");
                    const root = hosts[0].shadowRoot;
                    await waitFor(() => texts(root, ".msg.me").includes("Hello"), "the chat");
                    return hosts.length;
                    """
                    % new_version
                )
                self.assertEqual(reloaded, 1, "the old widget is gone")
                # The new widget listens with the new protocol version.
                self._wait_listening(bus_channel, besides=sockets)
                self._operator_says("Welcome back.")
                self.visitor.run(SEES % {"text": json.dumps("Welcome back."), "timeout": 20000})

    def test_unsent_minimized_and_new_chat(self):
        """On another site: a message written offline is sent again on demand; a
        message while the window is minimized puts a dot on the button, on the next
        page too; after the end, a new chat is a new session."""
        with ForeignSite(self.channel.script_snippet) as site, self._live():
            self.visitor.open(site.url + "/shop")
            self.visitor.run(
                'const root = await waitFor(widgetRoot, "the chat widget", 30000);'
                'root.querySelector(".btn").click(); return true;'
            )
            self.visitor.run(SEND % {"text": json.dumps("Hello")})
            self.visitor.network(offline=True)
            status = self.visitor.run(OFFLINE_SEND)
            # Said in the visitor's language, from the server (or the socket's status).
            self.assertIn(
                status, ("The chat cannot be reached. Please try again.", "Reconnecting…")
            )
            self.visitor.network()
            self.assertTrue(self.visitor.run(RETRY), "minimized")
            self._wait_listening(self._bus_channel())
            self._operator_says("Still there?")
            self.visitor.run(
                'await waitFor(() => widgetRoot()?.querySelector(".dot:not([hidden])"),'
                ' "the dot", 20000); return true;'
            )
            self.visitor.open(site.url + "/cart")
            result = self.visitor.run(UNREAD)
        self.assertFalse(result["dot"], "read once open")
        self.assertEqual(result["welcome"], ["Shop supportWelcome, visitor!"])
        self.assertEqual(result["shown"], ["OlenaWelcome, visitor!", "A new question"])
        first, second = self._session().sorted("id")
        self.assertEqual(
            [html2plaintext(b) for b in first.message_ids.sorted("id").mapped("body")][:4],
            ["Welcome, visitor!", "Hello", "Written while offline", "Still there?"],
        )
        self.assertEqual(first.live_chat_state, "closed")
        self.assertEqual(
            [html2plaintext(b) for b in second.message_ids.sorted("id").mapped("body")],
            ["Welcome, visitor!", "A new question"],
        )
