import {registry} from "@web/core/registry";

/** An operator chooses the name visitors see, in their own preferences. */
registry.category("web_tour.tours").add("live_chat_chat_name_tour", {
    steps: () => [
        {
            trigger: ".o_user_menu button",
            run: "click",
        },
        {
            trigger: "[data-menu=preferences]",
            run: "click",
        },
        {
            content: "The Live Chat section of the preferences: the chat name",
            trigger: '.modal div[name="live_chat_name"] input',
            run: "edit Olia from Support",
        },
        {
            content: "and the chat picture",
            trigger: '.modal div[name="live_chat_avatar"]',
        },
        {
            content: "Save: the web client reloads",
            trigger: '.modal button[name="preference_save"]',
            run: "click",
            expectUnloadPage: true,
        },
        {
            trigger: ".o_main_navbar",
        },
    ],
});
