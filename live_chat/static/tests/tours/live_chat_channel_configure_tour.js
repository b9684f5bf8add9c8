import {registry} from "@web/core/registry";

import {openCardMenu} from "./live_chat_tour_steps";

// Dashboard: the card's menu (vertical ellipsis) > Configure Channel opens its form.
registry.category("web_tour.tours").add("live_chat_channel_configure", {
    url: "/odoo/live-chat",
    steps: () => [
        ...openCardMenu("Tour Support"),
        {
            content: "Configure Channel",
            trigger:
                ".o-dropdown--kanban-record-menu .o_live_chat_configure:contains(Configure Channel)",
            run: "click",
        },
        {
            content: "The form of the channel opens",
            trigger:
                ".o_form_view .o_form_editable .o_field_widget[name=name] input:value(Tour Support)",
        },
        {
            content: "The breadcrumb leads back to the dashboard",
            trigger:
                ".o_breadcrumb:has(.breadcrumb-item a:contains(Channels)) .active:contains(Tour Support)",
        },
    ],
});
