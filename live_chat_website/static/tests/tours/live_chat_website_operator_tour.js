import {registry} from "@web/core/registry";

// An operator's chat window with a website visitor: the website, and the pages the
// visitor viewed, on demand.
registry.category("web_tour.tours").add("live_chat_website_operator_pages", {
    steps: () => [
        {
            content: "Open the messaging menu",
            trigger: ".o_menu_systray i[aria-label=Messages]",
            run: "click",
        },
        {
            content: "Open the chat with the visitor",
            trigger: ".o-mail-NotificationItem:contains(Ann)",
            run: "click",
        },
        {
            content: "The chat window names the website",
            trigger:
                ".o-mail-ChatWindow .o_live_chat_website_info .o_live_chat_website:contains(My Website)",
        },
        {
            content: "Show the visited pages",
            trigger:
                ".o-mail-ChatWindow .o_live_chat_pages_toggle:contains(Visited pages (2))",
            run: "click",
        },
        {
            content: "The pages are listed, the latest last",
            trigger:
                ".o-mail-ChatWindow .o_live_chat_visited_pages li:first-child a:contains(Pricing)",
        },
        {
            trigger:
                ".o-mail-ChatWindow .o_live_chat_visited_pages li:last-child a:contains(Questions & <Answers>)",
        },
    ],
});
