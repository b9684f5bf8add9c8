import {ChatWindow} from "@mail/core/common/chat_window";
import {DiscussContent} from "@mail/core/public_web/discuss_content";
import {Component} from "@odoo/owl";
import {useService} from "@web/core/utils/hooks";
import {_t} from "@web/core/l10n/translation";
import {LiveChatTransferDialog} from "@live_chat/backend/transfer/transfer_dialog";

/**
 * Who the visitor is and where they came from, above a session's messages, with what
 * the operator does with the session: in its chat window and in Discuss.
 */
export class LiveChatSessionInfo extends Component {
    static template = "live_chat.SessionInfo";
    static props = {thread: Object};

    setup() {
        this.orm = useService("orm");
        this.notification = useService("notification");
        this.dialog = useService("dialog");
    }

    get thread() {
        return this.props.thread;
    }

    get isOpen() {
        return this.thread.live_chat_state === "open";
    }

    /** The visitor's rating once given: its face and word. */
    get rating() {
        switch (this.thread.live_chat_rating) {
            case "5":
                return {icon: "fa-smile-o text-success", label: _t("Happy")};
            case "3":
                return {icon: "fa-meh-o text-warning", label: _t("Neutral")};
            case "1":
                return {icon: "fa-frown-o text-danger", label: _t("Unhappy")};
            default:
                return null;
        }
    }

    openTransfer() {
        this.dialog.add(LiveChatTransferDialog, {thread: this.thread});
    }

    async closeSession() {
        await this.orm.call("discuss.channel", "action_live_chat_close", [
            [this.thread.id],
        ]);
        this.thread.live_chat_state = "closed";
        this.notification.add(_t("The session is closed."), {type: "info"});
    }
}

ChatWindow.components = {...ChatWindow.components, LiveChatSessionInfo};
DiscussContent.components = {...DiscussContent.components, LiveChatSessionInfo};
