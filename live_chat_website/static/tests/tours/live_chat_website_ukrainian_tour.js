import {registry} from "@web/core/registry";

const SETTING = "#live_chat_website_setting";

/** Fails the running step (and so the tour) when `condition` is false. */
function assertTour(condition, message) {
    if (!condition) {
        throw new Error(`Live Chat tour: ${message}`);
    }
}

// An administrator whose language is Ukrainian, in Website > Configuration > Settings:
// the block and the setting say what the documentation says (Електронна пошта та
// маркетинг, Живий чат, Канал). Looks only: nothing is saved.
registry.category("web_tour.tours").add("live_chat_website_ukrainian", {
    steps: () => [
        {
            content:
                "The block Електронна пошта та маркетинг has the Живий чат setting",
            trigger: `.o_settings_container:has(${SETTING})`,
            run({queryAll}) {
                const [block] = queryAll(`.o_settings_container:has(${SETTING})`);
                const title = block.previousElementSibling?.textContent.trim();
                assertTour(
                    title === "Електронна пошта та маркетинг",
                    `the block's title is "${title}"`
                );
                const label = queryAll(
                    `${SETTING} .o_form_label`
                )[0]?.textContent.trim();
                assertTour(label === "Живий чат", `the setting is "${label}"`);
            },
        },
        {
            content: "Tick Живий чат",
            trigger: `${SETTING} .o_field_widget[name=live_chat_enabled] input:not(:checked)`,
            run: "click",
        },
        {
            content: "The channel to choose: Канал",
            trigger: `${SETTING} .o_form_label:contains(Канал)`,
        },
        {
            content: "The link to the channels",
            trigger: `${SETTING} button:contains(Канали веб-чату в прямому ефірі)`,
        },
        {
            content: "Discard",
            trigger: ".o_control_panel .o_form_button_cancel",
            run: "click",
        },
        {
            content: "Nothing changed",
            trigger: `.o-settings-form-view:not(:has(.o_dirty_warning)) ${SETTING} .o_field_widget[name=live_chat_enabled] input:not(:checked)`,
        },
    ],
});
