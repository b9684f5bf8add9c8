import {registry} from "@web/core/registry";
import {stepUtils} from "@web_tour/tour_utils";

import {openTab} from "./live_chat_tour_steps";

const OPERATORS = ".o_field_widget[name=user_ids]";

// Operators tab of the channel "Tour Support" (operators: Mia Manager, Oscar Operator):
// add Carla Candidate through the "Add: Operators" dialog, open Oscar Operator, then
// remove him from the channel with his card's remove button.
registry.category("web_tour.tours").add("live_chat_channel_operators", {
    steps: () => [
        {
            content: "The form of the channel is open",
            trigger: ".o_breadcrumb .active:contains(Tour Support)",
        },
        ...openTab("operators", "Operators"),
        {
            content: "The current operators are listed",
            trigger: `${OPERATORS} .o_kanban_record:contains(Oscar Operator)`,
        },
        {
            content: "Add operators",
            trigger: `${OPERATORS} .o-kanban-button-new:contains(Add)`,
            run: "click",
        },
        {
            content: "The dialog to pick operators opens",
            trigger: ".modal .modal-title:contains(Add: Operators)",
        },
        {
            content: "Search a user by name",
            trigger: ".modal .o_searchview_input",
            run: "edit Carla",
        },
        {
            trigger: ".modal .o_searchview_input",
            run: "press Enter",
        },
        {
            content: "The search is applied",
            trigger: ".modal .o_searchview_facet:contains(Carla)",
        },
        {
            // The facet shows before the list reloads: wait for the list to be filtered.
            content: "Only the user searched for is listed",
            trigger:
                ".modal .o_list_renderer:has(.o_data_row:contains(Carla Candidate))" +
                ":not(:has(.o_data_row:not(:contains(Carla Candidate))))",
        },
        {
            content: "Tick the user",
            trigger:
                ".modal .o_data_row:contains(Carla Candidate) .o_list_record_selector input",
            run: "check",
        },
        {
            content: "Select the ticked user",
            trigger: ".modal .o_select_button:contains(Select)",
            run: "click",
        },
        {
            content: "The new operator is on the tab",
            trigger: `body:not(:has(.modal)) ${OPERATORS} .o_kanban_record:contains(Carla Candidate)`,
        },
        ...stepUtils.saveForm(),
        {
            content: "Open an operator",
            trigger: `${OPERATORS} .o_kanban_record:contains(Oscar Operator)`,
            run: "click",
        },
        {
            content: "The operator opens in a dialog",
            trigger:
                ".modal:has(.modal-title:contains(Open: Operators)) .o_field_widget[name=name]:contains(Oscar Operator)",
        },
        {
            content: "Close the dialog",
            trigger: ".modal .o_form_button_cancel",
            run: "click",
        },
        {
            content: "Remove the operator from the channel",
            trigger: `body:not(:has(.modal)) ${OPERATORS} .o_kanban_record:contains(Oscar Operator) .o_live_chat_remove_operator`,
            run: "click",
        },
        {
            content: "The operator is no longer on the tab",
            trigger: `body:not(:has(.modal)) ${OPERATORS}:not(:has(.o_kanban_record:contains(Oscar Operator)))`,
        },
        {
            content: "The other operators stay",
            trigger: `${OPERATORS} .o_kanban_record:contains(Carla Candidate)`,
        },
        ...stepUtils.saveForm(),
    ],
});
