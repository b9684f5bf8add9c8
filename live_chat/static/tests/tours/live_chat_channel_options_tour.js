import {registry} from "@web/core/registry";
import {stepUtils} from "@web_tour/tour_utils";

import {openTab} from "./live_chat_tour_steps";

/** The colour bubble of a `color` field, showing `color` when given. */
function colorBubble(fieldName, color) {
    const bubble = `.o_field_widget[name=${fieldName}] .o_field_color`;
    return color ? `${bubble}[style*="${color}" i]` : bubble;
}

/** Picks a colour with the colour control of a field, as the browser's picker does. */
function pickColor(fieldName, label, color) {
    return {
        content: `${label}: pick ${color}`,
        trigger: colorBubble(fieldName),
        async run(helpers) {
            // The bubble covers a transparent <input type="color">, which opens the picker.
            await helpers.fill(
                color,
                helpers.anchor.querySelector("input[type=color]")
            );
        },
    };
}

// Options tab of the channel "Tour Support": the texts of the button and window,
// the colour controls, and the reset button that brings the button's colours back
// to their defaults.
registry.category("web_tour.tours").add("live_chat_channel_options", {
    steps: () => [
        {
            content: "The form of the channel is open",
            trigger: ".o_breadcrumb .active:contains(Tour Support)",
        },
        ...openTab("options", "Options"),
        {
            content: "Notification text",
            trigger: ".o_field_widget[name=button_text] input",
            run: "edit Any question? We are here.",
        },
        pickColor("button_background_color", "Livechat Button Color", "#ff0000"),
        pickColor("button_text_color", "Colour of the button's text", "#000000"),
        {
            content: "Welcome Message",
            trigger: ".o_field_widget[name=default_message] input",
            run: "edit Welcome to Tour Support!",
        },
        {
            content: "Chat Input Placeholder",
            trigger: ".o_field_widget[name=input_placeholder] input",
            run: "edit Type here...",
        },
        pickColor("header_background_color", "Channel Header Color", "#00ff00"),
        pickColor("title_color", "Colour of the header's title", "#333333"),
        {
            content: "The colour bubble shows the colour picked",
            trigger: colorBubble("button_background_color", "#ff0000"),
        },
        ...stepUtils.saveForm(),
        {
            content: "The saved colour shows",
            trigger: colorBubble("button_background_color", "#ff0000"),
        },
        {
            content: "Reset the button's colours to their defaults",
            trigger: ".o_live_chat_reset_button_colors",
            run: "click",
        },
        {
            content: "The button's colour is the default again",
            trigger: colorBubble("button_background_color", "#2563eb"),
        },
        {
            content: "The colour of the button's text too",
            trigger: colorBubble("button_text_color", "#ffffff"),
        },
        {
            content: "The header's colours are left alone",
            trigger: colorBubble("header_background_color", "#00ff00"),
        },
        {
            content: "The form has nothing left to save",
            trigger: ".o_form_view .o_form_saved",
        },
    ],
});
