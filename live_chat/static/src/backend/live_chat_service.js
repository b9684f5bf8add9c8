import {_t} from "@web/core/l10n/translation";
import {registry} from "@web/core/registry";

/**
 * Live chat sessions open in a chat window, bottom right, as soon as the operator
 * is given one, wherever the operator is. A new session rings and notifies (the
 * browser's notification when the user allowed them) through the host's
 * out-of-focus service: one tab of the browser does it, not every tab. Each new
 * message of a session is notified by the host, as for its other chats.
 */

export const liveChatService = {
    dependencies: ["bus_service", "mail.out_of_focus", "mail.store", "multi_tab", "ui"],
    start(
        env,
        {
            bus_service: bus,
            "mail.out_of_focus": outOfFocus,
            "mail.store": store,
            multi_tab: multiTab,
            ui,
        }
    ) {
        bus.subscribe(
            "discuss.channel/joined",
            async ({channel_id: channelId, data}) => {
                const raw = (data?.["discuss.channel"] || []).find(
                    (c) => c.id === channelId
                );
                if (raw?.channel_type !== "live_chat") {
                    return;
                }
                // The session's data asked for at once, in the same request as the
                // host's own fetch on "joined" (the store batches the fetches of the
                // same moment), which leaves the thread marked as fetched: asked for
                // after the answer to multi_tab below, it was a request of its own,
                // and the host's handler of the session's first new message made a
                // third (one /mail/data instead of two or three per new session).
                // Not fetched (no access any more): no window.
                const fetched = store.Thread.getOrFetch({
                    model: "discuss.channel",
                    id: channelId,
                }).catch(() => undefined);
                // One question to multi_tab at a time: the host's service answers only
                // the latest of concurrent isOnMainTab() calls (the others never resolve);
                // sendNotification asks it too, after this one.
                const mainTab = await multiTab.isOnMainTab();
                if (!ui.isSmall && mainTab) {
                    // The window without waiting for the notice, which asks multi_tab
                    // again (from a few to 180 ms here).
                    fetched.then((thread) => thread?.openChatWindow({focus: false}));
                }
                await outOfFocus.sendNotification({
                    title: _t("New live chat session"),
                    message: raw.name || "",
                    sound: true,
                    type: "info",
                    icon: "/live_chat/static/description/icon.png",
                });
            }
        );
        bus.subscribe("live_chat/session_closed", ({id}) => {
            const thread = store.Thread.get({model: "discuss.channel", id});
            if (thread) {
                thread.live_chat_state = "closed";
            }
        });
    },
};

registry.category("services").add("live_chat", liveChatService);
