from odoo.tests import HttpCase, tagged

from .common import LiveChatCommon
from .visitor_browser import VisitorBrowser

VISITOR_CHATS_ENDS_AND_RATES = """
const root = await waitFor(widgetRoot, "the chat widget");
const input = await waitFor(() => root.querySelector(".win:not([hidden]) .input"), "the composer");
input.value = "Where is my parcel?";
root.querySelector(".foot").requestSubmit();
await waitFor(() => root.querySelector(".msg.me:not(.pending)"), "the message sent");
if (!root.querySelector(".rate[hidden]")) throw new Error("rating asked during the chat");
root.querySelector(".end").click();
(await waitFor(() => root.querySelector(".confirm:not([hidden]) .yes"), "the question")).click();
await waitFor(() => root.querySelector(".rate:not([hidden]) .face"), "the rating asked");
const send = root.querySelector(".rate-send");
if (!send.disabled) throw new Error("a rating can be sent without a face");
root.querySelector(".face[data-value='5']").click();
root.querySelector(".rate-comment").value = "<b>Quick</b> answer";
root.querySelector(".rate").requestSubmit();
await waitFor(() => root.querySelector(".rate-thanks:not([hidden])"), "the thanks");
return root.querySelector(".rate-thanks").textContent;
"""

VISITOR_COMES_BACK = """
const root = await waitFor(widgetRoot, "the chat widget");
await waitFor(() => root.querySelector(".again:not([hidden])"), "the ended chat");
await new Promise((r) => setTimeout(r, 300));
return Boolean(root.querySelector(".rate:not([hidden])"));
"""


@tagged("post_install", "-at_install")
class TestWidgetRating(LiveChatCommon, HttpCase):
    """The visitor rates the chat once it has ended, from the widget, once."""

    def test_visitor_rates_the_chat(self):
        operator = self._create_operator("lc_widget_rating_operator", name="Rosa Operator")
        channel = self._create_channel(operator, "Rated Support")
        self._set_presence(operator)
        visitor = VisitorBrowser(self)
        self.addCleanup(visitor.stop)
        with self.allow_requests(browser=visitor.browser, all_requests=True):
            visitor.open(f"/live_chat/support/{channel.id}")
            self.assertEqual(
                visitor.run(VISITOR_CHATS_ENDS_AND_RATES, timeout=60),
                "Thank you for your rating!",
            )
            visitor.open(f"/live_chat/support/{channel.id}")
            self.assertFalse(visitor.run(VISITOR_COMES_BACK, timeout=60))
        session = self.env["discuss.channel"].search([("live_chat_channel_id", "=", channel.id)])
        self.assertRecordValues(
            session,
            [
                {
                    "live_chat_state": "closed",
                    "live_chat_rating": "5",
                    "live_chat_rating_comment": "<b>Quick</b> answer",
                }
            ],
        )
