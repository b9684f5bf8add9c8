import {registry} from "@web/core/registry";
import {stepUtils} from "@web_tour/tour_utils";

import {openTab} from "./live_chat_tour_steps";

const RULES = ".o_field_widget[name=rule_ids]";
const TIMER = ".modal .o_field_widget[name=auto_open_timer]";

/**
 * Steps adding one rule through the "Create Rules" dialog.
 *
 * @param {Object} rule
 * @param {string} rule.action value of "Live Chat Button"
 * @param {string} rule.label its label
 * @param {string} rule.url the URL regex
 * @param {string} [rule.country] name of a country to pick
 * @param {number} [rule.timer] the timer of "Open automatically"
 */
function addRule({action, label, url, country, timer}) {
    const steps = [
        {
            content: "Add a rule",
            trigger: `body:not(:has(.modal)) ${RULES} .o_field_x2many_list_row_add a:contains(Add a line)`,
            run: "click",
        },
        {
            content: "The dialog to create a rule opens",
            trigger: ".modal .modal-title:contains(Create Rules)",
        },
        {
            content: "Without Open automatically, no timer",
            trigger: `.modal .o_field_widget[name=action] input[data-value=show]:checked`,
            run({queryAll}) {
                if (queryAll(TIMER).length) {
                    throw new Error(
                        "The timer shows for a rule that does not open by itself"
                    );
                }
            },
        },
        {
            content: `Live Chat Button: ${label}`,
            trigger: `.modal .o_field_widget[name=action] .o_radio_item:contains(${label}) input`,
            run: "click",
        },
        {
            trigger: `.modal .o_field_widget[name=action] input[data-value=${action}]:checked`,
        },
    ];
    if (timer !== undefined) {
        steps.push(
            {
                content: "Open automatically shows the timer",
                trigger: `.modal label:contains(Open automatically timer)`,
            },
            {
                content: "Open automatically timer",
                trigger: `${TIMER} input`,
                run: `edit ${timer}`,
            }
        );
    }
    steps.push({
        content: "URL Regex",
        trigger: ".modal .o_field_widget[name=url_pattern] input",
        run: `edit ${url}`,
    });
    if (country) {
        steps.push(
            {
                content: "Country",
                trigger: ".modal .o_field_widget[name=country_ids] input",
                run: `edit ${country}`,
            },
            {
                trigger: `.modal .o-autocomplete--dropdown-item:contains(${country})`,
                run: "click",
            },
            {
                trigger: `.modal .o_field_widget[name=country_ids] .o_tag:contains(${country})`,
            }
        );
    }
    steps.push(
        {
            content: "Save & Close",
            trigger: ".modal .o_form_button_save:contains(Save & Close)",
            run: "click",
        },
        {
            content: "The rule is on the tab",
            trigger: `body:not(:has(.modal)) ${RULES} .o_data_row:contains(${label}):contains(${url})`,
        }
    );
    return steps;
}

// Channel Rules tab of the channel "Tour Support": one rule of each kind.
registry.category("web_tour.tours").add("live_chat_channel_rules", {
    steps: () => [
        {
            content: "The form of the channel is open",
            trigger: ".o_breadcrumb .active:contains(Tour Support)",
        },
        ...openTab("rules", "Channel Rules"),
        ...addRule({action: "show", label: "Show", url: "/shop"}),
        ...addRule({
            action: "show_notification",
            label: "Show with notification",
            url: "/contactus",
            country: "Belgium",
        }),
        ...addRule({
            action: "auto_open",
            label: "Open automatically",
            url: "/pricing",
            timer: 30,
        }),
        ...addRule({action: "hide", label: "Hide", url: "^/private"}),
        {
            content: "The four rules are listed",
            trigger: `${RULES} .o_data_row:count(4)`,
        },
        ...stepUtils.saveForm(),
    ],
});
