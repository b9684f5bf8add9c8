import {registry} from "@web/core/registry";

const TEAM = "Tour Printer Team";

// A Helpdesk manager whose language is Ukrainian, on a team's form: the section
// Канали with the box Живий чат, as the documentation says. Looks only.
registry.category("web_tour.tours").add("live_chat_helpdesk_ukrainian", {
    steps: () => [
        {
            content: "The team's form has the section Канали",
            trigger: `.o_form_view:has(.o_field_widget[name=name] input:value(${TEAM})) .o_horizontal_separator:contains(Канали)`,
        },
        {
            content: "Its box Живий чат, not ticked",
            trigger:
                ".o_form_view .o_field_widget[name=use_live_chat] input:not(:checked)",
            run({anchor}) {
                // The label's words, without the "?" of its help.
                const node = document
                    .querySelector(`label[for="${anchor.id}"]`)
                    .cloneNode(true);
                node.querySelectorAll("sup").forEach((sup) => sup.remove());
                const label = node.textContent.trim();
                if (label !== "Живий чат") {
                    throw new Error(`Live Chat tour: the box is "${label}"`);
                }
            },
        },
    ],
});
