import {registry} from "@web/core/registry";
import {stepUtils} from "@web_tour/tour_utils";

const TEAM = "Tour Printer Team";

// An administrator gives a Helpdesk team a live chat channel from the team's form
// (Channels > Live Chat), opens the channel, then takes the chat off the team.
registry.category("web_tour.tours").add("live_chat_helpdesk_team", {
    steps: () => [
        {
            content:
                "The team's form has a Channels section with Live Chat, not ticked",
            trigger: `.o_form_view:has(.o_field_widget[name=name] input:value(${TEAM})) .o_horizontal_separator:contains(Channels)`,
        },
        {
            content: "Tick Live Chat",
            trigger:
                ".o_form_view .o_field_widget[name=use_live_chat] input:not(:checked)",
            run: "click",
        },
        ...stepUtils.saveForm(),
        {
            content: "The team now has its channel: open its configuration",
            trigger: ".o-form-buttonbox button[name=action_open_live_chat_channel]",
            run: "click",
        },
        {
            content: "The channel is named after the team",
            trigger: `.o_form_view .o_field_widget[name=name] input:value(${TEAM})`,
        },
        {
            content: "The team's members are its operators",
            trigger:
                ".o_form_view .o_field_widget[name=user_ids]:contains(Mona Member):contains(Max Member)",
        },
        {
            content: "Back to the team",
            trigger: `.o_breadcrumb .breadcrumb-item a:contains(${TEAM})`,
            run: "click",
        },
        {
            content: "Untick Live Chat",
            trigger: ".o_form_view .o_field_widget[name=use_live_chat] input:checked",
            run: "click",
        },
        ...stepUtils.saveForm(),
        {
            content: "The channel's button is gone",
            trigger:
                ".o_form_view:not(:has(button[name=action_open_live_chat_channel])) .o_field_widget[name=use_live_chat] input:not(:checked)",
        },
    ],
});
