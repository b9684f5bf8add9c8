import {registry} from "@web/core/registry";

const VISITOR_TEXT = "I would like a quote for 40 chairs";

// An operator makes a lead of a chat from the session's form; the lead has the
// chat's transcript and the visitor as contact (its sales team: checked in Python).
registry.category("web_tour.tours").add("live_chat_crm_lead", {
    steps: () => [
        {
            content: "Create a lead from the session",
            trigger: ".o_form_view button[name=action_live_chat_create_lead]",
            run: "click",
        },
        {
            content: "The lead opens: the visitor is its contact",
            trigger:
                ".o_form_view .o_field_widget[name=partner_id] input:value(Paula Portal)",
        },
        {
            content: "The lead has the transcript",
            trigger: `.o_form_view .o_field_widget[name=description]:contains(${VISITOR_TEXT})`,
        },
        {
            content: "The lead's chats are one click away",
            trigger:
                ".o-form-buttonbox button[name=action_view_live_chat_sessions]:contains(1)",
            run: "click",
        },
        {
            content: "The chat is there",
            trigger: ".o_list_view .o_data_row:contains(Paula Portal)",
        },
    ],
});

// The same from the operator's chat window: its button, then /lead.
registry.category("web_tour.tours").add("live_chat_crm_lead_chat_window", {
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
            content: "Create a lead from the chat window",
            trigger:
                ".o-mail-ChatWindow .o_live_chat_session_info .o_live_chat_create_lead",
            run: "click",
        },
        {
            content: "The lead opens, with the transcript",
            trigger: `.o_form_view .o_field_widget[name=description]:contains(${VISITOR_TEXT})`,
        },
        {
            content: "The chat window counts the lead",
            trigger: ".o-mail-ChatWindow .o_live_chat_create_lead_count:contains(1)",
        },
        {
            content: "Type /lead in the chat window",
            trigger: ".o-mail-ChatWindow .o-mail-Composer-input",
            run: "edit /lead",
        },
        {
            content: "The host suggests the command",
            trigger: ".o-mail-ChatWindow .o-mail-Composer-suggestion:contains(lead)",
            run: "click",
        },
        {
            content: "Send the command",
            trigger: ".o-mail-ChatWindow .o-mail-Composer-input",
            run: "press Enter",
        },
        {
            content: "The operator is told, with a link to the lead",
            trigger:
                ".o-mail-ChatWindow .o-mail-Message:contains(created.) a[data-oe-model='crm.lead']",
        },
    ],
});
