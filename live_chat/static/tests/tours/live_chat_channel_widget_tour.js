import {browser} from "@web/core/browser/browser";
import {registry} from "@web/core/registry";

import {assertTour, currentChannelId, openTab} from "./live_chat_tour_steps";

const SNIPPET = ".o_live_chat_snippet";
// The code itself, beside its Copy button.
const SNIPPET_CODE = `${SNIPPET} > div > span:first-child`;
const LINK = ".o_live_chat_support_url";

// Widget tab of the channel "Tour Support": the code to paste in a page and the
// direct chat link, each with its Copy button.
registry.category("web_tour.tours").add("live_chat_channel_widget", {
    steps: () => {
        // Headless Chromium refuses the page the clipboard ("Write permission denied"):
        // as Odoo's own tests of the copy buttons do, record what they write instead.
        const copied = [];
        return [
            {
                content: "The form of the channel is open",
                trigger: ".o_breadcrumb .active:contains(Tour Support)",
            },
            ...openTab("widget", "Widget"),
            {
                content: "The widget code loads the script of this channel",
                trigger: `${SNIPPET_CODE}:contains(/live_chat/loader/)`,
                run({anchor}) {
                    const code = anchor.textContent.trim();
                    const src = `/live_chat/loader/${currentChannelId()}"`;
                    assertTour(
                        code.startsWith("<script src="),
                        `the code is not a script: ${code}`
                    );
                    assertTour(
                        code.includes(src),
                        `the code does not load ${src}: ${code}`
                    );
                },
            },
            {
                content: "The direct chat link opens this channel's support page",
                trigger: `${LINK} a[href*='/live_chat/support/']`,
                run({anchor}) {
                    const path = `/live_chat/support/${currentChannelId()}`;
                    assertTour(
                        anchor.href.endsWith(path),
                        `the link ${anchor.href} is not ${path}`
                    );
                },
            },
            {
                content: "Record what is copied to the clipboard",
                trigger: `${SNIPPET} .o_clipboard_button`,
                run() {
                    browser.navigator.clipboard.writeText = async (text) => {
                        copied.push(text);
                    };
                },
            },
            {
                content: "Copy the widget code",
                trigger: `${SNIPPET} .o_clipboard_button`,
                run: "click",
            },
            {
                content: "The button says the code is copied",
                trigger: ".o-tooltip:contains(Copied)",
            },
            {
                content: "The code shown is the code copied",
                trigger: SNIPPET_CODE,
                run({anchor}) {
                    const code = anchor.textContent.trim();
                    assertTour(copied.length === 1, `${copied.length} copies, not 1`);
                    assertTour(copied[0] === code, `copied ${copied[0]}, not ${code}`);
                },
            },
            {
                content: "Copy the direct chat link",
                trigger: `${LINK} .o_clipboard_button`,
                run: "click",
            },
            {
                content: "The link shown is the link copied",
                trigger: `${LINK} a`,
                async run({anchor, waitUntil}) {
                    await waitUntil(() => copied.length === 2);
                    const link = anchor.textContent.trim();
                    assertTour(copied[1] === link, `copied ${copied[1]}, not ${link}`);
                    // Back to the browser's own (Clipboard.prototype.writeText).
                    delete browser.navigator.clipboard.writeText;
                },
            },
        ];
    },
});
