import {registry} from "@web/core/registry";

/**
 * An operator asks a colleague to join, asks for the visitor's pages (/history),
 * then hands the session to another channel from the chat window's Transfer
 * dialog; the visitor (another browser, driven by the Python test) is told.
 */
const WINDOW = ".o-mail-ChatWindow:has(.o_live_chat_session_info)";

function command(text, answer) {
    return [
        {
            content: `The operator types ${text}`,
            trigger: `${WINDOW} .o-mail-Composer-input`,
            run: `edit ${text}`,
        },
        {
            content: "The command is offered in the session's window",
            trigger: `.o-mail-Composer-suggestion:contains(${text.slice(1)})`,
            run: "click",
        },
        {
            trigger: `${WINDOW} .o-mail-Composer-input`,
            run: "press Enter",
        },
        {
            content: "The answer shows in the window, for the operator only",
            trigger: `${WINDOW}:contains(${answer})`,
        },
    ];
}

registry.category("web_tour.tours").add("live_chat_transfer_tour", {
    steps: () => [
        {
            trigger: ".o_live_chat_channel_kanban",
        },
        {
            content: "The visitor's chat pops up",
            trigger: `${WINDOW} .o-mail-Message:contains(I need a hand)`,
            timeout: 60000,
        },
        {
            content: "Open the transfer dialog from the session's header",
            trigger: `${WINDOW} .o_live_chat_transfer_session`,
            run: "click",
        },
        {
            content: "Ask Bert to join",
            trigger:
                ".o_live_chat_transfer .o_live_chat_transfer_user:contains(Bert Backup) .o_live_chat_invite_user",
            run: "click",
        },
        {
            content: "Bert joined: the notice is in the conversation",
            trigger: `${WINDOW}:contains(Bert joined the chat.)`,
        },
        ...command("/history", "The pages this visitor saw are unknown."),
        {
            trigger: `${WINDOW} .o_live_chat_transfer_session`,
            run: "click",
        },
        {
            content: "Hand the session to the channel Sales",
            trigger:
                ".o_live_chat_transfer .o_live_chat_transfer_channel:contains(Sales) .o_live_chat_transfer_to_channel",
            run: "click",
        },
        {
            content: "The operator is told",
            trigger:
                ".o_notification:contains(The chat was handed to the channel Sales.)",
        },
        {
            content: "The operator left the session: its window closes",
            trigger: "body:not(:has(.o_live_chat_session_info))",
        },
    ],
});

/**
 * A colleague hands a session to this operator (the Python test does it): the
 * session opens in their chat window with its history; they answer and end it
 * with /close.
 */
registry.category("web_tour.tours").add("live_chat_taken_over_tour", {
    steps: () => [
        {
            trigger: ".o_live_chat_channel_kanban",
        },
        {
            content: "The session opens with its history",
            trigger: `${WINDOW} .o-mail-Message:contains(I need a hand)`,
            timeout: 60000,
        },
        {
            trigger: `${WINDOW}:contains(Bert joined the chat.)`,
        },
        {
            content: "Bert answers",
            trigger: `${WINDOW} .o-mail-Composer-input`,
            run: "edit Bert here, I take over.",
        },
        {
            trigger: `${WINDOW} .o-mail-Composer-input`,
            run: "press Enter",
        },
        {
            trigger: `${WINDOW} .o-mail-Message:contains(Bert here, I take over.)`,
        },
        ...command("/close", "The session is closed."),
        {
            content: "The session has ended",
            trigger: `${WINDOW} .o_live_chat_ended`,
        },
    ],
});
