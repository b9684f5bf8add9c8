import {_t} from "@web/core/l10n/translation";
import {isOperatorInOpenSession} from "@live_chat/backend/channel_commands";
import {registry} from "@web/core/registry";

/** "/ticket" in a session's window: a Helpdesk ticket of the chat. */
registry.category("discuss.channel_commands").add("ticket", {
    condition: isOperatorInOpenSession,
    channel_types: ["live_chat"],
    help: _t("Create a Helpdesk ticket from this chat"),
    methodName: "execute_command_ticket",
});
