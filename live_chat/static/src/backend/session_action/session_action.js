import {Component, onWillStart, useState} from "@odoo/owl";
import {user} from "@web/core/user";
import {useService} from "@web/core/utils/hooks";
import {LiveChatSessionInfo} from "@live_chat/backend/session_info/session_info";

/**
 * In a session's chat window: a button that makes a record of the chat on the server
 * (a Helpdesk ticket, a CRM lead: the bridges place it), counts it on the session
 * and opens it. Shown to the users of ``group`` only.
 */
export class LiveChatSessionAction extends Component {
    static template = "live_chat.SessionAction";
    static props = {
        thread: Object,
        // The session's method that makes the record and returns the action opening it.
        method: String,
        // The group whose users may make one, e.g. "crm.group_use_lead".
        group: String,
        // The session's field counting the records made so (in the store).
        countField: String,
        label: String,
        title: String,
        countTitle: String,
        icon: String,
        // Its own class, and its counter's, for tests and styles.
        name: String,
    };

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.state = useState({canCreate: false, busy: false});
        onWillStart(async () => {
            this.state.canCreate = await user.hasGroup(this.props.group);
        });
    }

    get count() {
        return this.props.thread[this.props.countField] || 0;
    }

    async create() {
        if (this.state.busy) {
            return;
        }
        this.state.busy = true;
        try {
            const thread = this.props.thread;
            const action = await this.orm.call("discuss.channel", this.props.method, [
                [thread.id],
            ]);
            thread[this.props.countField] = this.count + 1;
            await this.action.doAction(action);
        } finally {
            this.state.busy = false;
        }
    }
}

LiveChatSessionInfo.components = {
    ...LiveChatSessionInfo.components,
    LiveChatSessionAction,
};
