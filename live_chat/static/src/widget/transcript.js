/*
 * Live Chat widget: the "Email me the conversation" panel, offered once the chat has
 * ended (beside the rating panel). The visitor types an address; the widget sends it
 * to /live_chat/session/transcript and the server queues the mail. Its own styles
 * travel with it (a style element in the widget's shadow root).
 */
/* exported TranscriptPanel */
/* global el */

const TRANSCRIPT_CSS = `
.transcript{display:flex;flex-direction:column;gap:6px;padding:8px 12px;border-top:1px solid #e5e7eb;background:#fff}
.transcript-ask{align-self:center;background:none;border:0;color:#2563eb;cursor:pointer;font:inherit;
text-decoration:underline;padding:2px}
.transcript-row{display:flex;gap:8px}
.transcript-email{flex:1;min-width:0;border:1px solid #d1d5db;border-radius:10px;padding:6px 10px;font:inherit}
.transcript-send{border:0;border-radius:10px;padding:6px 12px;cursor:pointer;font:inherit}
.transcript-send:disabled{opacity:.5;cursor:default}
.transcript-done{text-align:center;color:#065f46}
.transcript-error{text-align:center;color:#b91c1c;font-size:12px}`;

class TranscriptPanel {
    /**
     * @param {Object} options the channel's look (colors)
     * @param {Object} texts the widget's texts
     * @param {Function} send async send(email): resolves when queued, rejects with
     *     an error whose ``message`` is shown
     */
    constructor(options, texts, send) {
        this.send = send;
        this.node = el("form", "transcript");
        this.node.noValidate = true; // the server validates, and says why in our words
        this.node.hidden = true;
        const style = el("style", "");
        style.textContent = TRANSCRIPT_CSS;
        this.ask = el("button", "transcript-ask", texts.transcript_ask);
        this.ask.type = "button";
        this.row = el("div", "transcript-row");
        this.email = el("input", "transcript-email");
        this.email.type = "email";
        this.email.autocomplete = "email";
        this.email.maxLength = 254;
        this.email.placeholder = texts.transcript_email;
        this.email.setAttribute("aria-label", texts.transcript_email);
        this.button = el("button", "transcript-send", texts.transcript_send);
        this.button.type = "submit";
        this.button.style.background = options.button_background_color;
        this.button.style.color = options.button_text_color;
        this.row.append(this.email, this.button);
        this.error = el("div", "transcript-error");
        this.error.setAttribute("role", "alert");
        this.done = el("div", "transcript-done", texts.transcript_sent);
        this.done.setAttribute("role", "status");
        this.node.append(style, this.ask, this.row, this.error, this.done);
        this.ask.addEventListener("click", () => {
            this.show("form");
            this.email.focus();
        });
        this.node.addEventListener("submit", (event) => {
            event.preventDefault();
            this.submit();
        });
    }

    /** ``mode``: "ask" (the link), "form", "done", or anything else: hidden. */
    show(mode) {
        this.node.hidden = !mode;
        this.ask.hidden = mode !== "ask";
        this.row.hidden = mode !== "form";
        this.done.hidden = mode !== "done";
        this.error.hidden = true;
        this.button.disabled = false;
        if (!mode) {
            this.email.value = "";
        }
    }

    async submit() {
        const email = this.email.value.trim();
        if (!email || this.button.disabled) {
            return;
        }
        this.button.disabled = true;
        this.error.hidden = true;
        try {
            await this.send(email);
        } catch (error) {
            this.error.textContent = error.message || "";
            this.error.hidden = !error.message;
            this.button.disabled = false;
            return;
        }
        this.show("done");
    }
}
