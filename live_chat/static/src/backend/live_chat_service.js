import {Thread} from "@mail/core/common/thread_model";
import {registry} from "@web/core/registry";
import {patch} from "@web/core/utils/patch";

/**
 * Live chat sessions are the host's conversations: they open in a chat window,
 * bottom right, as soon as the operator is given one, wherever the operator is.
 */
patch(Thread.prototype, {
    get isLiveChatSession() {
        return Boolean(this.live_chat_state);
    },
    get autoOpenChatWindowOnNewMessage() {
        return this.isLiveChatSession || super.autoOpenChatWindowOnNewMessage;
    },
});

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
                    !raw?.live_chat_state ||
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
