import {fields} from "@mail/core/common/record";
import {Store} from "@mail/core/common/store_service";
import {Thread} from "@mail/core/common/thread_model";
import {DiscussApp} from "@mail/core/public_web/discuss_app_model";
import {_t} from "@web/core/l10n/translation";
import {patch} from "@web/core/utils/patch";

/**
 * A live chat session is a conversation of its own type ("live_chat"): a chat for
 * the web client (chat window, unread counter, "Chats" tab), without the group's
 * header and call buttons, in a sidebar category of its own while it is open.
 */
patch(Thread.prototype, {
    get isLiveChatSession() {
        return this.channel_type === "live_chat";
    },
    get isLiveChatEnded() {
        return this.isLiveChatSession && this.live_chat_state === "closed";
    },
    get isChatChannel() {
        return this.isLiveChatSession || super.isChatChannel;
    },
    get autoOpenChatWindowOnNewMessage() {
        if (this.isLiveChatSession) {
            // Not in a session one left (handed over): its last notices may still come.
            return Boolean(this.self_member_id);
        }
        return super.autoOpenChatWindowOnNewMessage;
    },
    get inChathubOnNewMessage() {
        if (this.isLiveChatSession && !this.self_member_id) {
            return false;
        }
        return super.inChathubOnNewMessage;
    },
    _computeDiscussAppCategory() {
        if (this.isLiveChatSession) {
            return this.store.discuss.liveChat;
        }
        return super._computeDiscussAppCategory();
    },
});

patch(Store.prototype, {
    tabToThreadType(tab) {
        const types = super.tabToThreadType(tab);
        return tab === "chat" ? [...types, "live_chat"] : types;
    },
});

patch(DiscussApp.prototype, {
    setup() {
        super.setup(...arguments);
        this.liveChat = fields.One("DiscussAppCategory", {
            compute() {
                return {
                    extraClass: "o_live_chat_sidebar_category",
                    hideWhenEmpty: true,
                    icon: "fa fa-comments",
                    id: "live_chat",
                    name: _t("Live Chat"),
                    sequence: 20,
                };
            },
            eager: true,
        });
    },
});
