import {Component, onWillStart, useState} from "@odoo/owl";
import {user} from "@web/core/user";
import {useService} from "@web/core/utils/hooks";
import {LiveChatSessionInfo} from "@live_chat/backend/session_info/session_info";

/** In a session's chat window: make a Helpdesk ticket of the chat, then open it. */
export class LiveChatTicketButton extends Component {
    static template = "live_chat_helpdesk.TicketButton";
    static props = {thread: Object};

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.state = useState({canCreate: false, busy: false});
        onWillStart(async () => {
            this.state.canCreate = await user.hasGroup(
                "helpdesk_mgmt.group_helpdesk_user_own"
            );
        });
    }

    get thread() {
        return this.props.thread;
    }

    async createTicket() {
        if (this.state.busy) {
            return;
        }
        this.state.busy = true;
        try {
            const action = await this.orm.call(
                "discuss.channel",
                "action_live_chat_create_ticket",
                [[this.thread.id]]
            );
            this.thread.live_chat_ticket_count =
                (this.thread.live_chat_ticket_count || 0) + 1;
            await this.action.doAction(action);
        } finally {
            this.state.busy = false;
        }
    }
}

LiveChatSessionInfo.components = {
    ...LiveChatSessionInfo.components,
    LiveChatTicketButton,
};
