import {registry} from "@web/core/registry";

import {dashboardCard, openCardMenu, openTab} from "./live_chat_tour_steps";

// A Live Chat / User (operator, not administrator): joins "Tour Support", leaves
// "Tour Other", and sees the configuration without being able to change it.
registry.category("web_tour.tours").add("live_chat_channel_user", {
    url: "/odoo/live-chat",
    steps: () => [
        {
            content: "The dashboard is loaded",
            trigger: dashboardCard("Tour Support"),
        },
        {
            content: "No New button for an operator",
            trigger: ".o_control_panel:not(:has(.o-kanban-button-new))",
        },
        {
            content: "Join a channel",
            trigger: `${dashboardCard("Tour Support")} .o_live_chat_join:contains(Join)`,
            run: "click",
        },
        {
            content: "Joined: the card offers to leave",
            trigger: `${dashboardCard("Tour Support")} .o_live_chat_leave:contains(Leave)`,
        },
        {
            content: "Leave another channel",
            trigger: `${dashboardCard("Tour Other")} .o_live_chat_leave:contains(Leave)`,
            run: "click",
        },
        {
            content: "Left: the card offers to join",
            trigger: `${dashboardCard("Tour Other")} .o_live_chat_join:contains(Join)`,
        },
        ...openCardMenu("Tour Support"),
        {
            content: "An operator views the channel, not configures it",
            trigger:
                ".o-dropdown--kanban-record-menu .o_live_chat_configure:contains(View Channel)",
            run: "click",
        },
        {
            content: "The form is read-only",
            trigger:
                ".o_form_view .o_form_readonly .o_field_widget[name=name]:contains(Tour Support)",
        },
        {
            content: "The name cannot be edited, no New button",
            trigger:
                ".o_form_view:not(:has(.o_field_widget[name=name] input)):not(:has(.o_form_button_create))",
        },
        {
            content: "The operators are listed, none can be added or removed",
            trigger:
                ".o_field_widget[name=user_ids]:has(.o_kanban_record:contains(Mia Manager))" +
                ":not(:has(.o-kanban-button-new)):not(:has(.o_live_chat_remove_operator))",
        },
        ...openTab("options", "Options"),
        {
            content: "The colours cannot be changed or reset",
            trigger:
                ".o_field_widget[name=button_background_color] .o_field_color.o_field_cursor_disabled",
            run({queryAll}) {
                if (
                    queryAll(
                        ".o_live_chat_reset_button_colors, .o_live_chat_reset_header_colors"
                    ).length
                ) {
                    throw new Error("An operator is offered to reset the colours");
                }
            },
        },
        ...openTab("rules", "Channel Rules"),
        {
            content: "No rule can be added",
            trigger:
                ".o_field_widget[name=rule_ids]:not(:has(.o_field_x2many_list_row_add))",
        },
    ],
});
