/*
 * Live Chat widget: typing and seen, both ways (loaded with the window, never before
 * the first opening). The visitor's typing goes to the operators' chat window (the
 * host's typing indicator) at most once every few seconds; the operator's comes on
 * the session's bus channel (``live_chat/typing``). What the visitor has read (their
 * window open and visible) becomes the host's "Seen" for the operators; what the
 * operator has read comes as ``live_chat/seen`` and shows under the visitor's
 * messages.
 */
/* exported Presence */

const TYPING_REPEAT = 30000; // still typing: said again this often (the host forgets after 60 s)
const TYPING_IDLE = 5000; // no key for this long: stopped typing
const TYPING_SHOWN = 60000; // the operator's "is typing" without news: hidden after this
const SEEN_DELAY = 1000; // what the visitor has read, said at most this often

const PRESENCE_CSS = `
.typing{font-size:12px;color:#6b7280;font-style:italic;padding:2px 14px;background:#f9fafb}
.seen{align-self:flex-end;font-size:11px;color:#6b7280;margin-top:-6px}`;

class Presence {
    constructor(widget) {
        this.widget = widget;
        this.texts = (widget.options.talk && widget.options.talk.texts) || {};
        this.typingSince = 0; // when the visitor's typing was last said (0: not typing)
        this.timers = {};
        this.seenSent = 0; // the newest message the server knows the visitor has read
        this.readQueued = false; // sayRead() decides in a microtask (see there)
        this.operatorSeen = 0; // the newest message the operator has read
        const view = widget.view;
        view.root.append(
            Object.assign(document.createElement("style"), {textContent: PRESENCE_CSS})
        );
        this.typing = document.createElement("div");
        this.typing.className = "typing";
        this.typing.setAttribute("aria-live", "polite");
        this.typing.hidden = true;
        view.win.insertBefore(this.typing, view.foot);
        this.seenMark = document.createElement("span");
        this.seenMark.className = "seen";
        this.seenMark.textContent = this.texts.seen || "";
        view.input.addEventListener("input", () => this.visitorTyped());
        view.input.addEventListener("keydown", (event) => {
            if (event.key === "Enter" && !event.shiftKey) {
                this.stopTyping();
            }
        });
        view.foot.addEventListener("submit", () => this.stopTyping());
        this.onVisible = () => this.sayRead();
        document.addEventListener("visibilitychange", this.onVisible);
        this.showSeen(widget.session && widget.session.operator_seen_id);
        this.sayRead();
    }

    // The visitor's side -------------------------------------------------

    visitorTyped() {
        const widget = this.widget;
        if (!widget.session || widget.ended) {
            return;
        }
        clearTimeout(this.timers.idle);
        this.timers.idle = setTimeout(() => this.stopTyping(), TYPING_IDLE);
        if (Date.now() - this.typingSince > TYPING_REPEAT) {
            this.typingSince = Date.now();
            this.sayTyping(true);
        }
    }

    stopTyping() {
        clearTimeout(this.timers.idle);
        if (this.typingSince) {
            this.typingSince = 0;
            this.sayTyping(false);
        }
    }

    sayTyping(isTyping) {
        const widget = this.widget;
        if (widget.session && !widget.ended) {
            widget
                .post("/live_chat/session/typing", {
                    ...widget.credentials,
                    is_typing: isTyping,
                })
                .catch(() => {
                    // Typing is a hint: a lost one is no error to show.
                });
        }
    }

    /** The newest message of the operators' side, once the visitor could read it:
        decided once the messages being added together are all there (a start's answer
        adds the welcome, then the visitor's newer message). */
    sayRead() {
        if (!this.readQueued) {
            this.readQueued = true;
            queueMicrotask(() => {
                this.readQueued = false;
                this.sayReadNow();
            });
        }
    }

    sayReadNow() {
        const widget = this.widget;
        if (
            !widget.session ||
            !widget.view.isOpen ||
            document.visibilityState !== "visible" ||
            this.timers.seen
        ) {
            return;
        }
        const messages = widget.log.messages;
        const last = messages.filter((m) => !m.from_visitor).pop();
        if (!last || last.id <= this.seenSent) {
            return;
        }
        this.seenSent = last.id;
        if (messages[messages.length - 1].from_visitor) {
            // A newer message of the visitor said it: the server marks the author of a
            // message as having seen the session up to it (the welcome, after a start).
            return;
        }
        widget
            .post("/live_chat/session/seen", {
                ...widget.credentials,
                message_id: last.id,
            })
            .catch(() => {
                this.seenSent = 0; // said again with the next message
            });
        this.timers.seen = setTimeout(() => {
            this.timers.seen = null;
            this.sayRead();
        }, SEEN_DELAY);
    }

    // The operator's side ------------------------------------------------

    notification(type, payload) {
        if (!this.widget.session || payload.session_id !== this.widget.session.id) {
            return;
        }
        if (type === "live_chat/typing") {
            this.showTyping(payload.is_typing ? String(payload.name || "") : null);
        } else if (type === "live_chat/seen") {
            this.showSeen(payload.message_id);
        }
    }

    showTyping(name) {
        clearTimeout(this.timers.shown);
        this.typing.hidden = name === null;
        this.typing.textContent =
            name === null ? "" : (this.texts.typing || "%s").replace("%s", name);
        if (name !== null) {
            this.timers.shown = setTimeout(() => this.showTyping(null), TYPING_SHOWN);
        }
    }

    /** "Seen" under the visitor's newest message that the operator has read. */
    showSeen(messageId) {
        if (!Number.isInteger(messageId) || messageId < this.operatorSeen) {
            return;
        }
        this.operatorSeen = messageId;
        const mine = this.widget.log.messages.filter(
            (m) => m.from_visitor && m.kind === "message" && m.id <= messageId
        );
        const node = mine.length && this.widget.view.nodes.get(mine.pop().id);
        if (node) {
            node.after(this.seenMark); // under the bubble, not in its text
        }
    }

    // Hooks of the widget ------------------------------------------------

    inserted(message) {
        if (!message.from_visitor && message.kind === "message") {
            this.showTyping(null); // the operator's message is there
        }
        this.sayRead();
    }

    opened() {
        this.sayRead();
    }

    session(info) {
        if (info.operator_seen_id) {
            this.showSeen(info.operator_seen_id);
        }
        if (info.state && info.state !== "open") {
            this.showTyping(null);
            this.stopTyping();
        }
    }
}
