import {registry} from "@web/core/registry";

const SETTING = "#live_chat_website_setting";

/** Fails the running step (and so the tour) when `condition` is false. */
function assertTour(condition, message) {
    if (!condition) {
        throw new Error(`Live Chat tour: ${message}`);
    }
}

function saveSettings() {
    return [
        {
            content: "The settings have unsaved changes",
            trigger: ".o_control_panel .o_dirty_warning",
        },
        {
            content: "Save the settings",
            trigger: ".o_control_panel .o_form_button_save",
            run: "click",
            // Saving the settings reloads the page.
            expectUnloadPage: true,
        },
        {
            content: "The settings are saved",
            trigger:
                ".o-settings-form-view .o_control_panel:not(:has(.o_dirty_warning))",
        },
    ];
}

// An administrator puts the chat on the website: Website > Configuration > Settings,
// Email & Marketing, tick "Live Chat", pick the channel, save.
registry.category("web_tour.tours").add("live_chat_website_enable", {
    steps: () => [
        {
            content: "The Email & Marketing block has the Live Chat setting",
            trigger: `.o_settings_container:has(${SETTING})`,
            run({queryAll}) {
                const [block] = queryAll(`.o_settings_container:has(${SETTING})`);
                const title = block.previousElementSibling?.textContent.trim();
                assertTour(
                    title === "Email & Marketing",
                    `the block's title is "${title}", not "Email & Marketing"`
                );
                // One "Live Chat" box: the host's own app has a name of its own.
                const labels = queryAll(".o_setting_right_pane .o_form_label").filter(
                    (label) => label.textContent.trim() === "Live Chat"
                );
                assertTour(
                    labels.length === 1,
                    `${labels.length} settings named "Live Chat"`
                );
            },
        },
        {
            content: "The channel is hidden while the box is not ticked",
            trigger: `${SETTING}:not(:has(.o_field_widget[name=live_chat_channel_id]))`,
        },
        {
            content: "Tick Live Chat",
            trigger: `${SETTING} .o_field_widget[name=live_chat_enabled] input:not(:checked)`,
            run: "click",
        },
        {
            content: "A channel is proposed",
            trigger: `${SETTING} .o_field_widget[name=live_chat_channel_id] input:value(/.+/)`,
        },
        {
            content: "Pick the channel",
            trigger: `${SETTING} .o_field_widget[name=live_chat_channel_id] input`,
            run: "edit Tour Website Chat",
        },
        {
            content: "Select it in the list",
            trigger: ".o-autocomplete--dropdown-item:contains(Tour Website Chat)",
            run: "click",
        },
        {
            content: "The channel is picked",
            trigger: `${SETTING} .o_field_widget[name=live_chat_channel_id] input:value(Tour Website Chat)`,
        },
        ...saveSettings(),
        {
            content: "After saving, the box is ticked with the channel",
            trigger: `${SETTING}:has(.o_field_widget[name=live_chat_enabled] input:checked) .o_field_widget[name=live_chat_channel_id] input:value(Tour Website Chat)`,
        },
    ],
});

// The same administrator takes the chat off the website: untick, save.
registry.category("web_tour.tours").add("live_chat_website_disable", {
    steps: () => [
        {
            content: "Untick Live Chat",
            trigger: `${SETTING} .o_field_widget[name=live_chat_enabled] input:checked`,
            run: "click",
        },
        {
            content: "The channel is hidden",
            trigger: `${SETTING}:not(:has(.o_field_widget[name=live_chat_channel_id]))`,
        },
        ...saveSettings(),
        {
            content: "After saving, the box is not ticked",
            trigger: `${SETTING} .o_field_widget[name=live_chat_enabled] input:not(:checked)`,
        },
    ],
});
