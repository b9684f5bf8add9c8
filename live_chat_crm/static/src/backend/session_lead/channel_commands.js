import {_t} from "@web/core/l10n/translation";
import {registry} from "@web/core/registry";

// "/lead" in a live chat session's window: a CRM lead of the chat (the host runs the
// session's execute_command_lead).
registry.category("discuss.channel_commands").add("lead", {
    condition: ({store, thread}) =>
        thread.isLiveChatSession &&
        store.self_partner &&
        !store.self.main_user_id.share,
    channel_types: ["live_chat"],
    help: _t("Create a CRM lead with this chat's transcript"),
    methodName: "execute_command_lead",
});
