import base64

from odoo.tests import HttpCase, tagged

from .common import LiveChatOperatorCommon
from .test_talk import png_bytes
from .visitor_browser import WAIT_FOR_OPERATOR, ForeignSite, VisitorBrowser

# The visitor's side of live_chat_talk_tour.
VISITOR_TALKS = (
    WAIT_FOR_OPERATOR
    + """
const root = await waitFor(widgetRoot, "the chat widget");
const input = await waitFor(() => root.querySelector(".win:not([hidden]) .input"), "the composer");
input.value = "I need my invoice";
root.querySelector(".foot").requestSubmit();
await waitFor(() => root.querySelector(".msg.me:not(.pending)"), "the message sent");
// Typing, both ways.
const typing = await waitFor(
    () => root.querySelector(".typing:not([hidden])"), "the operator typing", 60000);
const typingText = typing.textContent;
for (const text of ["T", "Th", "Tha"]) {
    input.value = text;
    input.dispatchEvent(new Event("input", {bubbles: true}));
}
const typingRequests = () => requests("/live_chat/session/typing");
await waitFor(() => typingRequests(), "the visitor's typing said");
await new Promise((r) => setTimeout(r, 500)); // any other request of the three keys ends
const typingSaid = typingRequests();
// The operator's file: a link that downloads it.
const link = await waitFor(
    () => root.querySelector(".msg:not(.me) a.file"), "the operator's file", 60000);
const download = await fetch(link.href);
const content = await download.text();
if (!root.querySelector(".typing").hidden) throw new Error("still typing after the message");
input.value = "";
// A file pasted in the composer, a web page dropped on the window (refused).
const pasted = new DataTransfer();
pasted.items.add(new File(["pasted notes"], "notes.txt", {type: "text/plain"}));
input.dispatchEvent(new ClipboardEvent("paste", {clipboardData: pasted, bubbles: true}));
// Its size in the widget's language (the server's texts): "1 KB" in English.
await waitFor(() => root.querySelector(".msg.me a.file")?.textContent.includes("notes.txt (1 KB)"),
    "the pasted file", 30000);
const dropped = new DataTransfer();
dropped.items.add(new File(["<html><script>alert(1)</script></html>"], "page.txt"));
root.querySelector(".win").dispatchEvent(
    new DragEvent("drop", {dataTransfer: dropped, bubbles: true}));
const refused = await waitFor(() => {
    const status = root.querySelector(".status:not([hidden])");
    return status && status.textContent.includes("type") && status.textContent;
}, "the refused file", 30000);
// The visitor's screenshot (the attach button's file input), with markup in its name.
const picture = Uint8Array.from(atob("%(png)s"), (c) => c.charCodeAt(0));
const transfer = new DataTransfer();
transfer.items.add(new File([picture], "<img src=x onerror=alert(1)>.png", {type: "image/png"}));
const fileInput = root.querySelector(".foot input[type=file]");
fileInput.files = transfer.files;
fileInput.dispatchEvent(new Event("change"));
const thumb = await waitFor(
    () => root.querySelector(".msg.me img.thumb"), "the thumbnail", 60000);
await waitFor(() => thumb.complete && thumb.naturalWidth > 0, "the thumbnail loaded");
// Seen: the operator answered after the picture.
await waitFor(() => [...root.querySelectorAll(".msg:not(.me)")].some(
    (m) => m.textContent.includes("Got your picture")), "the operator's answer", 60000);
const seen = await waitFor(
    () => root.querySelector(".msg.me:has(img.thumb) + .seen"), "seen by the operator", 60000);
const result = {
    typing: typingText,
    typingSaid,
    content,
    disposition: download.headers.get("Content-Disposition"),
    alt: thumb.alt,
    injected: root.querySelectorAll("img[src='x']").length,
    seen: seen.textContent,
    refused,
};
root.querySelector(".end").click();
(await waitFor(() => root.querySelector(".confirm:not([hidden]) .yes"), "the question")).click();
await waitFor(() => root.querySelector(".again:not([hidden])"), "the chat ended");
return result;
"""
)

# A visitor on another website sends a picture: the files' module comes with the
# window, not with the button.
FOREIGN_FILES = """
const root = await waitFor(widgetRoot, "the chat widget");
const widgetFiles = () => performance.getEntriesByType("resource")
    .map((entry) => new URL(entry.name).pathname)
    .filter((path) => path.startsWith("/live_chat/widget/"));
await waitFor(() => widgetFiles().length, "the bundle");
await new Promise((r) => setTimeout(r, 300));
const before = widgetFiles();
root.querySelector(".btn").click();
const input = await waitFor(() => root.querySelector(".win:not([hidden]) .input"), "the composer");
await waitFor(() => root.querySelector(".foot .attach"), "the attach button");
input.value = "Hello from the shop";
root.querySelector(".foot").requestSubmit();
await waitFor(() => root.querySelector(".msg.me:not(.pending)"), "the message sent");
const picture = Uint8Array.from(atob("%(png)s"), (c) => c.charCodeAt(0));
const transfer = new DataTransfer();
transfer.items.add(new File([picture], "shot.png", {type: "image/png"}));
const fileInput = root.querySelector(".foot input[type=file]");
fileInput.files = transfer.files;
fileInput.dispatchEvent(new Event("change"));
const thumb = await waitFor(() => root.querySelector(".msg.me img.thumb"), "the thumbnail", 30000);
await waitFor(() => thumb.complete && thumb.naturalWidth > 0, "the thumbnail loaded");
return {before, after: widgetFiles(), width: thumb.naturalWidth, src: thumb.src};
"""


@tagged("post_install", "-at_install")
class TestTalkUi(LiveChatOperatorCommon, HttpCase):
    """Typing, seen and files both ways, in two browsers: the visitor's widget and
    the operator's chat window."""

    operator_name = "Olena Operator"
    operator_online = False  # once their web client is open

    def test_typing_seen_and_files(self):
        channel = self.channel
        visitor = VisitorBrowser(self)
        self.addCleanup(visitor.stop)
        png = base64.b64encode(png_bytes()).decode()

        def scenario(v):
            v.open(f"/live_chat/support/{channel.id}")
            return v.run(VISITOR_TALKS % {"channel": channel.id, "png": png}, timeout=240)

        with visitor.alongside(scenario) as outcome:
            self.start_tour(
                "/odoo/action-live_chat.live_chat_channel_action",
                "live_chat_talk_tour",
                login=self.operator.login,
                timeout=240,
            )
        result = outcome["result"]
        self.assertEqual(result["typing"], "Olena is typing…")
        self.assertEqual(result["typingSaid"], 1, "three keys, one request")
        self.assertEqual(result["content"], "%PDF-1.4 the invoice")
        self.assertIn("attachment", result["disposition"])
        self.assertEqual(result["alt"], "<img src=x onerror=alert(1)>.png")
        self.assertEqual(result["injected"], 0)
        self.assertEqual(result["seen"], "Seen")
        self.assertEqual(result["refused"], "Files of this type cannot be sent in this chat.")
        session = self.env["discuss.channel"].search([("live_chat_channel_id", "=", channel.id)])
        pictures = session.message_ids.attachment_ids.filtered(lambda a: a.mimetype == "image/png")
        self.assertEqual(pictures.mapped("name"), ["<img src=x onerror=alert(1)>.png"])
        self.assertEqual(
            session.message_ids.attachment_ids.filtered(
                lambda a: a.mimetype == "text/plain"
            ).mapped("name"),
            ["notes.txt"],
        )

    def test_files_from_another_site(self):
        visitor = VisitorBrowser(self)
        self.addCleanup(visitor.stop)
        self._set_presence(self.operator)
        png = base64.b64encode(png_bytes()).decode()
        # The widget sends no cookie to the chat server: its requests come in without
        # the test's cookie.
        with (
            ForeignSite(self.channel.script_snippet) as site,
            self.allow_requests(browser=visitor.browser, all_requests=True),
        ):
            try:
                visitor.open(site.url + "/shop")
                result = visitor.run(FOREIGN_FILES % {"png": png}, timeout=120)
                # The next page: the conversation comes back, its picture with it.
                visitor.open(site.url + "/cart")
                resumed = visitor.run(
                    'const root = await waitFor(widgetRoot, "the chat widget");'
                    'const thumb = await waitFor(() => root.querySelector(".msg.me img.thumb"),'
                    ' "the thumbnail after the reload", 30000);'
                    "await waitFor(() => thumb.complete && thumb.naturalWidth > 0, 'loaded');"
                    "return thumb.alt;"
                )
                visitor.browser.navigate_to("about:blank", wait_stop=True)
            finally:
                self._wait_remaining_requests()
        self.assertFalse(
            [path for path in result["before"] if path.startswith("/live_chat/widget/talk/")],
            "nothing of typing, seen and files before the click",
        )
        self.assertTrue(
            [path for path in result["after"] if path.startswith("/live_chat/widget/talk/")]
        )
        self.assertEqual(result["width"], 40)
        self.assertEqual(resumed, "shot.png")
        self.assertTrue(result["src"].startswith(self.base_url() + "/live_chat/attachment/"))
