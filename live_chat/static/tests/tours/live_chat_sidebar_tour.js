import {registry} from "@web/core/registry";

/**
 * An operator's Discuss: open sessions in a "Live Chat" category of their own and
 * in the messaging menu; closed ones in neither (the Python test made one of each).
 * An open session shown in Discuss has the visitor's details and the session's
 * actions above its messages, as in its chat window.
 */
registry.category("web_tour.tours").add("live_chat_sidebar_tour", {
    steps: () => [
        {
            content: "The open session is in the Live Chat category of the sidebar",
            trigger:
                ".o_live_chat_sidebar_category:contains(Live Chat) + .o-mail-DiscussSidebarChannel-container:contains(Open Visitor)",
        },
        {
            content: "The closed session is not in the sidebar",
            trigger:
                ".o-mail-DiscussSidebar:has(.o-mail-DiscussSidebarChannel:contains(Open Visitor)):not(:has(.o-mail-DiscussSidebarChannel:contains(Closed Visitor)))",
        },
        {
            content: "Open the session in Discuss",
            trigger: ".o-mail-DiscussSidebarChannel:contains(Open Visitor)",
            run: "click",
        },
        {
            content:
                "Its messages, under the visitor's details and the session's actions",
            trigger:
                ".o-mail-DiscussContent:has(.o-mail-Message:contains(Hello from Open Visitor)) .o_live_chat_session_info:has(.o_live_chat_transfer_session):has(.o_live_chat_close_session)",
        },
        {
            content: "Open the messaging menu",
            trigger: ".o_menu_systray i[aria-label='Messages']",
            run: "click",
        },
        {
            content: "The open session is listed, the closed one is not",
            trigger:
                ".o-mail-MessagingMenu:has(.o-mail-NotificationItem:contains(Open Visitor)):not(:has(.o-mail-NotificationItem:contains(Closed Visitor)))",
        },
    ],
});
