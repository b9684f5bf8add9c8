import {registry} from "@web/core/registry";

const WINDOW = ".o-mail-ChatWindow:has(.o_live_chat_session_info)";

/**
 * Typing, seen and files from the operator's side (the visitor is driven by the
 * Python test in another browser): each side waits for what the other one did.
 */
registry.category("web_tour.tours").add("live_chat_talk_tour", {
    steps: () => [
        {
            content: "The visitor's session pops up",
            trigger: `${WINDOW} .o-mail-Message:contains(I need my invoice)`,
            timeout: 60000,
        },
        {
            content: "The operator types: the visitor sees it",
            trigger: `${WINDOW} .o-mail-Composer-input`,
            run: "edit Here is",
        },
        {
            content: "The visitor types: the operator sees it",
            trigger: `${WINDOW} .o-discuss-Typing-icon[title*='is typing']`,
            timeout: 60000,
        },
        {
            content: "The operator attaches the invoice",
            trigger: `${WINDOW} .o-mail-Composer .o_input_file:not(:visible)`,
            run() {
                const transfer = new DataTransfer();
                transfer.items.add(
                    new File(["%PDF-1.4 the invoice"], "invoice.pdf", {
                        type: "application/pdf",
                    })
                );
                this.anchor.files = transfer.files;
                this.anchor.dispatchEvent(new Event("change", {bubbles: true}));
            },
        },
        {
            content: "The file is uploaded",
            trigger: `${WINDOW} .o-mail-Composer .o-mail-AttachmentContainer:contains(invoice.pdf):not(:has(.fa-spin))`,
        },
        {
            trigger: `${WINDOW} .o-mail-Composer-input`,
            run: "edit Here is the invoice",
        },
        {
            trigger: `${WINDOW} .o-mail-Composer-input`,
            run: "press Enter",
        },
        {
            content: "The visitor has read it: seen",
            trigger: `${WINDOW} .o-mail-Message:contains(Here is the invoice) .o-mail-MessageSeenIndicator.o-hasEveryoneSeen`,
            timeout: 60000,
        },
        {
            content: "The visitor's picture shows as a picture",
            trigger: `${WINDOW} .o-mail-Message .o-mail-AttachmentImage`,
            timeout: 60000,
        },
        {
            trigger: `${WINDOW} .o-mail-Composer-input`,
            run: "edit Got your picture",
        },
        {
            trigger: `${WINDOW} .o-mail-Composer-input`,
            run: "press Enter",
        },
        {
            content: "The visitor ends the chat",
            trigger: `${WINDOW}:contains(left the conversation)`,
            timeout: 60000,
        },
    ],
});
