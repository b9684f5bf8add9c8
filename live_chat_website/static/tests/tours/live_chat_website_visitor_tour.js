import {registry} from "@web/core/registry";

// A visitor on a page of the website, an operator online: the chat button shows,
// and opens the chat window.
registry.category("web_tour.tours").add("live_chat_website_button", {
    steps: () => [
        {
            content: "The chat button is on the page",
            trigger: "[data-live-chat]:shadow .btn",
            run() {
                const scripts = document.head.querySelectorAll(
                    "script[src^='/live_chat/loader/']"
                );
                if (scripts.length !== 1) {
                    throw new Error(
                        `Live Chat tour: ${scripts.length} chat scripts on the page`
                    );
                }
                this.anchor.click();
            },
        },
        {
            content: "The chat window opens",
            trigger: "[data-live-chat]:shadow .win:not([hidden])",
        },
    ],
});
