import {registry} from "@web/core/registry";

const VISITOR_TEXT = "My printer prints only blank pages";

// An operator makes a ticket of a chat from the session's form; the ticket has the
// chat's transcript, the visitor as customer and the team of the channel.
registry.category("web_tour.tours").add("live_chat_helpdesk_ticket", {
    steps: () => [
        {
            content: "Create a ticket from the session",
            trigger: ".o_form_view button[name=action_live_chat_create_ticket]",
            run: "click",
        },
        {
            content: "The ticket has the transcript",
            trigger: `.o_form_view .o_field_widget[name=description]:contains(${VISITOR_TEXT})`,
        },
        {
            content: "The visitor is the ticket's customer",
            trigger:
                ".o_form_view .o_field_widget[name=partner_id] input:value(Paula Portal)",
        },
        {
            content: "The ticket is the team's",
            trigger:
                ".o_form_view .o_field_widget[name=team_id] input:value(Tour Printer Team)",
        },
        {
            content: "Back to the session",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains(Paula Portal)",
            run: "click",
        },
        {
            content: "The session shows its ticket",
            trigger:
                ".o-form-buttonbox button[name=action_live_chat_view_tickets]:contains(1)",
        },
    ],
});

// The same from the operator's chat window, wherever they are in the backend.
registry.category("web_tour.tours").add("live_chat_helpdesk_ticket_chat_window", {
    steps: () => [
        {
            content: "Open the messaging menu",
            trigger: ".o_menu_systray i[aria-label=Messages]",
            run: "click",
        },
        {
            content: "Open the chat with the visitor",
            trigger: ".o-mail-NotificationItem:contains(Paula Portal)",
            run: "click",
        },
        {
            content: "Create a ticket from the chat window",
            trigger:
                ".o-mail-ChatWindow .o_live_chat_session_info .o_live_chat_create_ticket",
            run: "click",
        },
        {
            content: "The ticket opens, with the transcript",
            trigger: `.o_form_view .o_field_widget[name=description]:contains(${VISITOR_TEXT})`,
        },
        {
            content: "The chat window counts the ticket",
            trigger: ".o-mail-ChatWindow .o_live_chat_create_ticket_count:contains(1)",
        },
    ],
});
