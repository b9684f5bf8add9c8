import {
    CopyClipboardCharField,
    CopyClipboardURLField,
    copyClipboardCharField,
    copyClipboardURLField,
} from "@web/views/fields/copy_clipboard/copy_clipboard_field";
import {registry} from "@web/core/registry";

/**
 * The host's copy fields, whose button also says what it does: the view's
 * `string` ("Copy", translated with the view), as the documentation's
 * "COPY" buttons of the Widget tab.
 */
export class LiveChatCopyCharField extends CopyClipboardCharField {
    static template = "live_chat.CopyField";
}

export class LiveChatCopyURLField extends CopyClipboardURLField {
    static template = "live_chat.CopyField";
}

registry.category("fields").add("live_chat_copy_char", {
    ...copyClipboardCharField,
    component: LiveChatCopyCharField,
    // The host's look of its copy fields.
    additionalClasses: ["o_field_CopyClipboardChar"],
});

registry.category("fields").add("live_chat_copy_url", {
    ...copyClipboardURLField,
    component: LiveChatCopyURLField,
    additionalClasses: ["o_field_CopyClipboardURL"],
});
