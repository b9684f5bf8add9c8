import {registry} from "@web/core/registry";

/**
 * Live chat sessions open in a chat window, bottom right, as soon as the operator
 * is given one, wherever the operator is.
 */

export const liveChatService = {
    dependencies: ["bus_service", "mail.store", "multi_tab", "ui"],
    start(env, {bus_service: bus, "mail.store": store, multi_tab: multiTab, ui}) {
        bus.subscribe(
            "discuss.channel/joined",
            async ({channel_id: channelId, data}) => {
                const raw = (data?.["discuss.channel"] || []).find(
                    (c) => c.id === channelId
                );
                if (
                    raw?.channel_type !== "live_chat" ||
                    ui.isSmall ||
                    !(await multiTab.isOnMainTab())
                ) {
                    return;
                }
                const thread = await store.Thread.getOrFetch({
                    model: "discuss.channel",
                    id: channelId,
                });
                thread?.openChatWindow({focus: false});
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
