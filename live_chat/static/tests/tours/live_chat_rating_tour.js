import {registry} from "@web/core/registry";

import {assertTour, dashboardCard} from "./live_chat_tour_steps";

/**
 * The operator's side of a rating: the channel's card shows today's session, the
 * operator opens the chat from the messaging menu and ends it, then the visitor's
 * rating (sent by the Python test) shows up in the chat window, comment as text.
 */
registry.category("web_tour.tours").add("live_chat_rating_tour", {
    steps: () => [
        {
            content: "The channel's card counts today's session",
            trigger: `${dashboardCard("Rated Support")} .o_live_chat_channel_figures .o_live_chat_today_sessions:contains(1 today)`,
        },
        {
            content: "Open the messaging menu",
            trigger: ".o_menu_systray i[aria-label='Messages']",
            run: "click",
        },
        {
            content: "Open the visitor's chat",
            trigger:
                ".o-mail-MessagingMenu .o-mail-NotificationItem:contains(Rita Rater)",
            run: "click",
        },
        {
            content: "The operator ends the chat",
            trigger:
                ".o-mail-ChatWindow .o_live_chat_session_info .o_live_chat_close_session",
            run: "click",
        },
        {
            content: "The chat has ended",
            trigger: ".o-mail-ChatWindow .o_live_chat_ended",
        },
        {
            content: "The visitor's rating shows in the chat window",
            trigger:
                ".o-mail-ChatWindow .o_live_chat_session_info .o_live_chat_rating:contains(Happy)",
            timeout: 60000,
        },
        {
            content: "The visitor's comment shows as text",
            trigger: ".o-mail-ChatWindow .o_live_chat_rating_comment:contains(Fast)",
            run() {
                const comment = document.querySelector(
                    ".o-mail-ChatWindow .o_live_chat_rating_comment"
                );
                assertTour(
                    comment.textContent.trim() === "<i>Fast</i> & kind" &&
                        !comment.querySelector("i"),
                    `comment shown as "${comment.innerHTML}"`
                );
            },
        },
    ],
});
