import {Component, onWillStart, useState} from "@odoo/owl";
import {Dialog} from "@web/core/dialog/dialog";
import {_t} from "@web/core/l10n/translation";
import {useService} from "@web/core/utils/hooks";

/**
 * From a session's window: hand the session to an available colleague or to
 * another channel, or ask a colleague to join. The server says who is available
 * and refuses what is no longer possible (its message is shown).
 */
export class LiveChatTransferDialog extends Component {
    static template = "live_chat.TransferDialog";
    static components = {Dialog};
    static props = {thread: Object, close: Function};

    setup() {
        this.orm = useService("orm");
        this.notification = useService("notification");
        this.state = useState({users: [], channels: [], loaded: false, busy: false});
        onWillStart(() => this.load());
    }

    async load() {
        const targets = await this.orm.call(
            "discuss.channel",
            "live_chat_transfer_targets",
            [[this.props.thread.id]]
        );
        Object.assign(this.state, targets, {loaded: true});
    }

    async act(method, kwargs, message) {
        if (this.state.busy) {
            return;
        }
        this.state.busy = true;
        try {
            await this.orm.call(
                "discuss.channel",
                method,
                [[this.props.thread.id]],
                kwargs
            );
            this.notification.add(message, {type: "success"});
            this.props.close();
        } finally {
            this.state.busy = false;
        }
    }

    transferToUser(user) {
        return this.act(
            "action_live_chat_transfer",
            {user_id: user.id},
            _t("The chat was handed to %s.", user.name)
        );
    }

    transferToChannel(channel) {
        return this.act(
            "action_live_chat_transfer",
            {channel_id: channel.id},
            _t("The chat was handed to the channel %s.", channel.name)
        );
    }

    invite(user) {
        return this.act(
            "action_live_chat_invite",
            {user_id: user.id},
            _t("%s was asked to join the chat.", user.name)
        );
    }
}
