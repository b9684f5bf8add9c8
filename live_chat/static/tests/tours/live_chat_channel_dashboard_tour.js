import {registry} from "@web/core/registry";
import {stepUtils} from "@web_tour/tour_utils";

import {dashboardCard} from "./live_chat_tour_steps";

// After install, the default channel is on the dashboard: Live Chat > Channels.
registry.category("web_tour.tours").add("live_chat_channel_dashboard", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps(
            "live_chat.live_chat_menu_root",
            "Open the Live Chat app"
        ),
        {
            content: "The app opens on the dashboard of channels",
            trigger: ".o_breadcrumb .active:contains(Channels)",
        },
        {
            content: "The default channel has its card",
            trigger: dashboardCard("Website Chat"),
        },
    ],
});
