import {registry} from "@web/core/registry";
import {stepUtils} from "@web_tour/tour_utils";

import {assertTour, dashboardCard, openCardMenu, openTab} from "./live_chat_tour_steps";

/** A step that waits for `selector` and checks that its text is exactly `text`. */
export function hasText(selector, text, content = `"${text}"`) {
    return {
        content,
        trigger: `${selector}:contains(${text})`,
        run({anchor}) {
            // The words, whatever their case on screen (some titles are in capitals),
            // without the "?" of a label's help.
            const node = anchor.cloneNode(true);
            node.querySelectorAll("sup").forEach((sup) => sup.remove());
            const shown = node.textContent.trim();
            assertTour(shown === text, `${selector} says "${shown}", not "${text}"`);
        },
    };
}

const FORM = ".o_form_view";
const LABEL = `${FORM} .o_form_label`;

// A manager whose language is Ukrainian, Ukrainian installed after the suite: the
// Live Chat dashboard, the channel form's four tabs and the Create Rules dialog say
// what the documentation (Odoo's Live Chat docs in Ukrainian) says. Looks only: the
// rule dialog is discarded.
registry.category("web_tour.tours").add("live_chat_ukrainian_back_office", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("live_chat.live_chat_menu_root", "Живий чат"),
        hasText(".o_main_navbar .o_menu_brand", "Живий чат", "The app is Живий чат"),
        hasText(
            ".o_breadcrumb .active",
            "Канали веб-чату в прямому ефірі",
            "The dashboard of the channels"
        ),
        hasText(".o_control_panel .o-kanban-button-new", "Новий", "The New button"),
        {
            content: "The default channel has its card",
            trigger: dashboardCard("Website Chat"),
        },
        ...openCardMenu("Website Chat"),
        {
            content: "Налаштувати канал",
            trigger:
                ".o-dropdown--kanban-record-menu .o_live_chat_configure:contains(Налаштувати канал)",
            run: "click",
        },
        hasText(`${LABEL}:contains(Назва каналу)`, "Назва каналу"),
        ...openTab("operators", "Оператори"),
        hasText(
            `${FORM} .o_field_widget[name=user_ids] .o-kanban-button-new`,
            "Додати",
            "The Add button of the operators"
        ),
        ...openTab("options", "Параметри"),
        hasText(`${FORM} .o_horizontal_separator`, "Кнопка Живого чату"),
        hasText(`${LABEL}:contains(Текст сповіщення)`, "Текст сповіщення"),
        hasText(
            `${LABEL}:contains(Колір кнопки чату в прямому ефірі)`,
            "Колір кнопки чату в прямому ефірі"
        ),
        hasText(`${FORM} .o_horizontal_separator:contains(Вікно)`, "Вікно живого чату"),
        hasText(`${LABEL}:contains(Вітальне повідомлення)`, "Вітальне повідомлення"),
        hasText(
            `${LABEL}:contains(Заповнювач введення чату)`,
            "Заповнювач введення чату"
        ),
        hasText(`${LABEL}:contains(Колір заголовка каналу)`, "Колір заголовка каналу"),
        {
            content: "The default channel's texts are in Ukrainian",
            trigger: `${FORM} .o_field_widget[name=input_placeholder] input:value(Скажи щось…)`,
        },
        ...openTab("rules", "Правила каналу"),
        {
            content: "Додати рядок",
            trigger: `${FORM} .o_field_widget[name=rule_ids] .o_field_x2many_list_row_add a:contains(Додати рядок)`,
            run: "click",
        },
        hasText(".modal .modal-title", "Створити правила", "The Create Rules dialog"),
        hasText(".modal .o_form_label:contains(Кнопка)", "Кнопка Живий чат"),
        ...[
            "Показати",
            "Показати зі сповіщенням",
            "Відкривати автоматично",
            "Приховати",
        ].map((label) =>
            hasText(
                `.modal .o_field_widget[name=action] .o_radio_item:contains(${label}) label`,
                label
            )
        ),
        {
            content: "Відкривати автоматично",
            trigger:
                ".modal .o_field_widget[name=action] .o_radio_item:contains(Відкривати автоматично) input",
            run: "click",
        },
        hasText(
            ".modal .o_form_label:contains(Таймер)",
            "Таймер автоматичного відкриття",
            "The timer shows"
        ),
        {
            content: "Discard the rule",
            trigger: ".modal .o_form_button_cancel",
            run: "click",
        },
        {
            content: "The dialog is closed, no rule added",
            trigger: `body:not(:has(.modal)) ${FORM} .o_field_widget[name=rule_ids]:not(:has(.o_data_row))`,
        },
        ...openTab("widget", "Віджет"),
        {
            // innerText: as the user reads it, in capitals as in the documentation.
            content: "Two КОПІЮВАТИ buttons: the widget code and the chat link",
            trigger: `${FORM} .o_live_chat_support_url .o_live_chat_copy`,
            run({queryAll}) {
                const buttons = queryAll(`${FORM} .o_live_chat_copy`);
                const texts = buttons.map((button) => button.innerText.trim());
                assertTour(
                    texts.length === 2 && texts.every((text) => text === "КОПІЮВАТИ"),
                    `the copy buttons say ${JSON.stringify(texts)}`
                );
            },
        },
    ],
});
