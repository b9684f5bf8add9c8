import {Component, useState} from "@odoo/owl";
import {deserializeDateTime, formatDateTime} from "@web/core/l10n/dates";
import {_t} from "@web/core/l10n/translation";
import {LiveChatSessionInfo} from "@live_chat/backend/session_info/session_info";

/** For a session from a website: the website, the visitor once logged in, and the
 * pages they viewed, below the session's info bar of the operator's chat window. */
export class LiveChatWebsiteInfo extends Component {
    static template = "live_chat_website.WebsiteInfo";
    static props = {thread: Object};

    setup() {
        this.state = useState({pagesOpen: false});
    }

    get thread() {
        return this.props.thread;
    }

    get pages() {
        return this.thread.live_chat_website_pages || [];
    }

    formatDate(date) {
        return formatDateTime(deserializeDateTime(date));
    }

    get pagesLabel() {
        return _t("Visited pages (%s)", this.pages.length);
    }

    togglePages() {
        this.state.pagesOpen = !this.state.pagesOpen;
    }
}

LiveChatSessionInfo.components = {
    ...LiveChatSessionInfo.components,
    LiveChatWebsiteInfo,
};
