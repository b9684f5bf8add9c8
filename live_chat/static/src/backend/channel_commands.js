import {_t} from "@web/core/l10n/translation";
import {registry} from "@web/core/registry";

/**
 * The commands of a live chat session's window, for its operators (the server
 * checks who may use them): typed as "/history", "/close" in the composer.
 */

/** An internal user in an open session. */
export function isOperatorInOpenSession({store, thread}) {
    return (
        Boolean(store.self_partner) &&
        !store.self.main_user_id?.share &&
        thread?.live_chat_state === "open"
    );
}

registry
    .category("discuss.channel_commands")
    .add("history", {
        condition: isOperatorInOpenSession,
        channel_types: ["live_chat"],
        help: _t("Show the pages the visitor saw"),
        methodName: "execute_command_history",
    })
    .add("close", {
        condition: isOperatorInOpenSession,
        channel_types: ["live_chat"],
        help: _t("End this chat"),
        methodName: "execute_command_close",
    });
