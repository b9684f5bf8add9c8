import {registry} from "@web/core/registry";

/**
 * The operator emails the transcript of an ended session from its form.
 */
registry.category("web_tour.tours").add("live_chat_transcript_operator_tour", {
    steps: () => [
        {
            content: "The ended session offers its transcript",
            trigger: "button.o_live_chat_send_transcript",
            run: "click",
        },
        {
            content: "The operator types the visitor's address",
            trigger: ".modal .o_live_chat_transcript_email input",
            run: "edit ann@example.com",
        },
        {
            trigger: ".modal button.o_live_chat_transcript_send",
            run: "click",
        },
        {
            content: "The transcript is on its way",
            trigger: ".o_notification:contains(on its way to ann@example.com)",
        },
    ],
});
