import {registry} from "@web/core/registry";

// A Live Chat administrator erases the visitor of a session, on the session's form,
// after confirming it in a dialog.
registry.category("web_tour.tours").add("live_chat_erase_visitor_tour", {
    steps: () => [
        {
            content: "The session names its visitor",
            trigger:
                ".o_form_view .o_field_widget[name=live_chat_visitor_name]:contains(Ann)",
        },
        {
            content: "Erase the visitor",
            trigger: ".o_form_view .o_live_chat_erase_visitor",
            run: "click",
        },
        {
            content: "A dialog asks for a confirmation and says what goes",
            trigger:
                ".modal:contains(This cannot be undone) .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The session is anonymised",
            trigger:
                ".o_form_view:not(:has(.o_live_chat_erase_visitor))" +
                ":has(.o_field_widget[name=live_chat_anonymized_dt])" +
                " .o_field_widget[name=live_chat_visitor_name]:contains(Anonymous visitor)",
        },
        {
            content: "Its transcript is gone",
            trigger: ".o_form_view:not(:contains(My order 42 is late))",
        },
    ],
});
