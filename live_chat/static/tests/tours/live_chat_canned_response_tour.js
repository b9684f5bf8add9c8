import {registry} from "@web/core/registry";

/**
 * The operator finds their canned responses under Live Chat > Configuration, then
 * answers a visitor (driven by the Python test in another browser) with one, typed
 * as "::hel" in the session's chat window.
 */
registry.category("web_tour.tours").add("live_chat_canned_response_tour", {
    steps: () => [
        {
            content: "The operator opens the configuration menu",
            trigger: ".o_main_navbar button:contains(Configuration)",
            run: "click",
        },
        {
            trigger: ".dropdown-menu .dropdown-item:contains(Canned Responses)",
            run: "click",
        },
        {
            content: "Their canned response is listed",
            trigger:
                ".o_list_view .o_data_row:contains(hello):contains(within the hour)",
        },
        {
            content: "A visitor writes: the session's chat window pops up",
            trigger:
                ".o-mail-ChatWindow:has(.o_live_chat_session_info) .o-mail-Message:contains(anyone there)",
            timeout: 60000,
        },
        {
            content: "The operator types the shortcut",
            trigger: ".o-mail-ChatWindow .o-mail-Composer-input",
            run: "edit ::hel",
        },
        {
            content: "The host suggests the canned response",
            trigger: ".o-mail-ChatWindow .o-mail-Composer-suggestion:contains(hello)",
            run: "click",
        },
        {
            trigger:
                ".o-mail-ChatWindow .o-mail-Composer-input:value(Hello! Our team answers within the hour.)",
        },
        {
            trigger: ".o-mail-ChatWindow .o-mail-Composer-input",
            run: "press Enter",
        },
        {
            content: "The answer is in the conversation",
            trigger:
                ".o-mail-ChatWindow .o-mail-Message:contains(Hello! Our team answers within the hour.)",
        },
    ],
});
