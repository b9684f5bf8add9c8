import {registry} from "@web/core/registry";
import {stepUtils} from "@web_tour/tour_utils";

import {assertTour, dashboardCard} from "./live_chat_tour_steps";

// Create a channel from the dashboard: New, name it, save, back to the dashboard.
registry.category("web_tour.tours").add("live_chat_channel_create", {
    url: "/odoo/live-chat",
    steps: () => [
        {
            content: "The dashboard is loaded",
            trigger: dashboardCard("Website Chat"),
        },
        {
            content: "Create a channel",
            trigger: ".o_control_panel .o-kanban-button-new:contains(New)",
            run: "click",
        },
        {
            content: "The first field of the new channel is its name",
            trigger: ".o_form_view .o_form_editable .o_field_widget[name=name] input",
            run({queryAll}) {
                const [label] = queryAll(".o_form_sheet .o_form_label");
                assertTour(
                    label?.textContent.trim() === "Channel Name",
                    `the first label is "${label?.textContent.trim()}", not "Channel Name"`
                );
                const [field] = queryAll(".o_form_sheet .o_field_widget");
                assertTour(
                    field.getAttribute("name") === "name",
                    "the first field is not the name"
                );
            },
        },
        {
            content: "Name the channel",
            trigger: ".o_field_widget[name=name] input",
            run: "edit Tour Sales",
        },
        ...stepUtils.saveForm(),
        {
            content: "Back to the dashboard through the breadcrumb",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains(Channels)",
            run: "click",
        },
        {
            content: "The new channel has its card",
            trigger: dashboardCard("Tour Sales"),
        },
        {
            content: "The default channel is still there",
            trigger: dashboardCard("Website Chat"),
        },
    ],
});
