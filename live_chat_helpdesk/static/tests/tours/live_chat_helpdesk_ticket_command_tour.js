import {registry} from "@web/core/registry";

/** "/ticket" in a session's window makes a ticket of the chat and says so. */
const WINDOW = ".o-mail-ChatWindow:has(.o_live_chat_session_info)";

registry.category("web_tour.tours").add("live_chat_helpdesk_ticket_command_tour", {
    steps: () => [
        {
            trigger: ".o_live_chat_channel_kanban",
        },
        {
            content: "The visitor's chat pops up",
            trigger: `${WINDOW} .o-mail-Message:contains(My printer prints only blank pages)`,
            timeout: 60000,
        },
        {
            trigger: `${WINDOW} .o-mail-Composer-input`,
            run: "edit /ticket",
        },
        {
            content: "The command is offered",
            trigger: ".o-mail-Composer-suggestion:contains(ticket)",
            run: "click",
        },
        {
            trigger: `${WINDOW} .o-mail-Composer-input`,
            run: "press Enter",
        },
        {
            content: "The operator is told, with a link to the ticket",
            trigger: `${WINDOW}:contains(created from this chat) a[href*='/odoo/helpdesk.ticket/']`,
        },
    ],
});
