import {registry} from "@web/core/registry";

/**
 * The operator's side of a chat: a visitor writes (driven by the Python test in
 * another browser), the session pops up in a chat window on whatever backend
 * screen the operator is, the operator answers, then sees the visitor leave.
 */
registry.category("web_tour.tours").add("live_chat_operator_tour", {
    steps: () => [
        {
            content: "The operator works on the channels dashboard",
            trigger: ".o_live_chat_channel_kanban",
        },
        {
            content: "A chat window pops up with the visitor's first message",
            trigger:
                ".o-mail-ChatWindow:has(.o_live_chat_session_info) .o-mail-Message:contains(Hello from the visitor)",
            timeout: 60000,
        },
        {
            content: "The window names the visitor and the page they came from",
            trigger: ".o-mail-ChatWindow:contains(Visitor #):has(.o_live_chat_page)",
        },
        {
            content: "It reads as a live chat: no group header, no call buttons",
            trigger:
                ".o-mail-ChatWindow:has(.o_live_chat_session_info):not(:has(.fa-phone, .fa-video-camera)):not(:contains(This is the start of))",
        },
        {
            content: "The welcome message is in the conversation",
            trigger: ".o-mail-ChatWindow .o-mail-Message:contains(Welcome, visitor!)",
        },
        {
            content: "The operator answers",
            trigger: ".o-mail-ChatWindow .o-mail-Composer-input",
            run: "edit Hi! How can I help?",
        },
        {
            trigger: ".o-mail-ChatWindow .o-mail-Composer-input",
            run: "press Enter",
        },
        {
            trigger: ".o-mail-ChatWindow .o-mail-Message:contains(Hi! How can I help?)",
        },
        {
            content: "The operator sees that the visitor left",
            trigger:
                ".o-mail-ChatWindow:contains(left the conversation) .o_live_chat_ended",
            timeout: 60000,
        },
        {
            content: "The ended chat takes no more messages: no composer",
            trigger:
                ".o-mail-ChatWindow:has(.o_live_chat_session_ended):not(:has(.o-mail-Composer))",
        },
    ],
});
