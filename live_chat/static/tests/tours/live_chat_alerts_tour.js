import {registry} from "@web/core/registry";

import {assertTour} from "./live_chat_tour_steps";

/**
 * A new session and a new message of a visitor ring and notify the operator whose
 * Odoo tab is in the background. The Python test stubs the browser's Notification
 * (permission granted) and audio playback and hides the page before Odoo loads:
 * they record in window.__lcAlerts what the web client did.
 */

async function waitUntil(condition, what, timeout = 30000) {
    const start = Date.now();
    while (!condition()) {
        assertTour(Date.now() - start < timeout, `timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
}

const alerts = () => window.__lcAlerts;

registry.category("web_tour.tours").add("live_chat_alerts_tour", {
    steps: () => [
        {
            content: "The operator's tab is in the background",
            trigger: ".o_live_chat_channel_kanban",
            run() {
                assertTour(
                    document.hidden && !document.hasFocus(),
                    "the page is visible"
                );
            },
        },
        {
            content: "A visitor starts a session: it opens in a chat window",
            trigger:
                ".o-mail-ChatWindow:has(.o_live_chat_session_info) .o-mail-Message:contains(My order is late)",
            timeout: 60000,
        },
        {
            content: "The new session was notified, with a sound",
            trigger: ".o-mail-ChatWindow .o-mail-Composer-input",
            timeout: 40000,
            async run() {
                await waitUntil(
                    () => alerts().notifications.length && alerts().sounds.length,
                    "the notification and the sound"
                );
                const [first] = alerts().notifications;
                assertTour(
                    first.title === "New live chat session",
                    `first notification: ${JSON.stringify(first)}`
                );
                assertTour(
                    alerts().sounds.every((src) =>
                        src.includes("/mail/static/src/audio/")
                    ),
                    `sounds: ${alerts().sounds}`
                );
                alerts().notifications.length = 0;
                alerts().sounds.length = 0;
            },
        },
        {
            trigger: ".o-mail-ChatWindow .o-mail-Composer-input",
            run: "edit Let me check.",
        },
        {
            trigger: ".o-mail-ChatWindow .o-mail-Composer-input",
            run: "press Enter",
        },
        {
            content: "The visitor's next message is notified too",
            trigger: ".o-mail-ChatWindow .o-mail-Message:contains(Order number 1234)",
            timeout: 60000,
            async run() {
                await waitUntil(
                    () =>
                        alerts().notifications.some((n) =>
                            String(n.body).includes("Order number 1234")
                        ) && alerts().sounds.length,
                    "the notification of the message"
                );
            },
        },
    ],
});
