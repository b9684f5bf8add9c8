from odoo.tests import HttpCase, tagged

from .common import LiveChatCommon
from .visitor_browser import VisitorBrowser

VISITOR_SENDS = """
// Wait until an operator is available, as a visitor arriving a bit later would.
for (let i = 0; i < 200; i++) {
    const res = await fetch("/live_chat/init/%(channel)s", {method: "POST", body: "{}"});
    if ((await res.json()).available) break;
    await new Promise((r) => setTimeout(r, 100));
}
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
return "replied";
"""

VISITOR_RESUMES_AND_ENDS = """
const root = await waitFor(widgetRoot, "the chat widget");
await waitFor(() => [...root.querySelectorAll(".msg")].some(
    (m) => m.textContent.includes("Hi! How can I help?")), "the conversation after reload");
const texts = [...root.querySelectorAll(".msg")].map((m) => m.textContent);
root.querySelector(".end").click();
await waitFor(() => root.querySelector(".again:not([hidden])"), "the chat ended");
return texts;
"""


@tagged("post_install", "-at_install")
class TestChatUi(LiveChatCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.operator = cls._create_operator("lc_ui_operator", name="Olena Operator")
        cls.channel = cls.env["live_chat.channel"].create(
            {
                "name": "Shop support",
                "user_ids": [(6, 0, cls.operator.ids)],
                "default_message": "Welcome, visitor!",
                "input_placeholder": "Type here, please",
            }
        )

    def test_visitor_and_operator_chat(self):
        channel = self.channel
        visitor = VisitorBrowser(self)
        self.addCleanup(visitor.stop)

        def scenario(v):
            v.open(f"/live_chat/support/{channel.id}")
            first = v.run(VISITOR_SENDS % {"channel": channel.id}, timeout=120)
            v.open(f"/live_chat/support/{channel.id}")
            return first, v.run(VISITOR_RESUMES_AND_ENDS, timeout=60)

        with visitor.alongside(scenario) as outcome:
            self.start_tour(
                "/odoo/action-live_chat.live_chat_channel_action",
                "live_chat_operator_tour",
                login="lc_ui_operator",
                timeout=180,
            )
        first, transcript = outcome["result"]
        self.assertEqual(first, "replied")
        self.assertTrue(any("Hi! How can I help?" in text for text in transcript))
        session = self.env["discuss.channel"].search([("live_chat_channel_id", "=", channel.id)])
        self.assertEqual(len(session), 1)
        self.assertEqual(session.live_chat_operator_id, self.operator)
        self.assertEqual(session.live_chat_state, "closed")
        bodies = session.message_ids.mapped("body")
        self.assertTrue(any("Hello from the visitor &lt;b&gt;bold&lt;/b&gt;" in b for b in bodies))
