/**
 * Steps and checks shared by the tours of the channel configuration.
 */

import {browser} from "@web/core/browser/browser";

/** Fails the running step (and so the tour) when `condition` is false. */
export function assertTour(condition, message) {
    if (!condition) {
        throw new Error(`Live Chat tour: ${message}`);
    }
}

/** The id of the channel whose form is open, read from the URL /odoo/live-chat/<id>. */
export function currentChannelId() {
    const match = browser.location.pathname.match(/\/live-chat\/(\d+)/);
    assertTour(match, `no channel id in the URL ${browser.location.pathname}`);
    return Number(match[1]);
}

/** Opens a page of the channel form's notebook, given the page's name. */
export function openTab(name, title) {
    return [
        {
            content: `Open the tab "${title}"`,
            trigger: `.o_notebook_headers a.nav-link[name="${name}"]:contains(${title})`,
            run: "click",
        },
        {
            content: `The tab "${title}" is open`,
            trigger: `.o_notebook_headers a.nav-link.active[name="${name}"]`,
        },
    ];
}

/** Waits for the dashboard (the kanban of channels) to show the card of a channel. */
export function dashboardCard(channelName) {
    return `.o_live_chat_channel_kanban .o_kanban_record:contains(${channelName})`;
}

/** Opens the menu of a channel's card: point at the card, click its vertical ellipsis. */
export function openCardMenu(channelName) {
    const card = dashboardCard(channelName);
    return [
        {
            content: `Point at the card of ${channelName} and open its menu`,
            trigger: card,
            // The menu's toggle shows on hover only.
            run: `hover && click ${card} .o_dropdown_kanban .dropdown-toggle`,
        },
    ];
}
