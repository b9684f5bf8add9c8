/*
 * Live Chat widget: the view. Everything the visitor sees, in a shadow root of its
 * own (the page's styles do not reach in, ours do not leak out): the button, the
 * notification bubble and the chat window. Every text is set as text, never as
 * markup. It knows nothing of the server: the widget tells it what to show and
 * hears what the visitor does through ``handlers``.
 */
/* exported View */
/* global htmlToText, loadModule, TranscriptPanel */

const CSS = `
:host{all:initial}
.btn{position:fixed;right:20px;bottom:20px;z-index:2147483000;width:56px;height:56px;
border:0;border-radius:50%;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25);
display:flex;align-items:center;justify-content:center;padding:0;transition:transform .15s}
.btn:hover{transform:scale(1.06)}.btn:focus-visible{outline:3px solid #93c5fd;outline-offset:2px}
.btn svg{width:28px;height:28px;fill:currentColor}
.dot{position:absolute;top:2px;right:2px;width:14px;height:14px;border-radius:50%;
background:#dc2626;border:2px solid #fff}
.bubble{position:fixed;right:86px;bottom:30px;z-index:2147483000;max-width:240px;border:0;
background:#fff;color:#111827;font:14px/1.4 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;
text-align:start;padding:8px 12px;border-radius:10px;box-shadow:0 4px 14px rgba(0,0,0,.18);cursor:pointer}
.bubble:focus-visible{outline:3px solid #93c5fd;outline-offset:2px}
.win{position:fixed;right:20px;bottom:88px;z-index:2147483001;width:360px;height:520px;
max-width:calc(100vw - 24px);max-height:calc(100vh - 108px);display:flex;flex-direction:column;
background:#fff;color:#111827;border-radius:14px;overflow:hidden;
box-shadow:0 10px 30px rgba(0,0,0,.25);font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}
.win.page{inset:0;width:auto;height:auto;max-width:none;max-height:none;border-radius:0}
.head{display:flex;align-items:center;gap:8px;padding:12px 14px}
.title{flex:1;font-weight:600;font-size:15px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.hbtn{background:transparent;border:0;color:inherit;cursor:pointer;font:inherit;padding:4px 8px;
border-radius:6px;opacity:.9}.hbtn:hover{opacity:1;background:rgba(255,255,255,.15)}
.log{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:8px;background:#f9fafb}
.log>*{flex-shrink:0}
.older{align-self:center;background:none;border:0;color:#2563eb;cursor:pointer;font:inherit;
font-size:12px;text-decoration:underline;padding:2px}.older:disabled{opacity:.5;cursor:default}
.msg{max-width:80%;padding:8px 11px;border-radius:12px;white-space:pre-wrap;word-wrap:break-word;
background:#fff;border:1px solid #e5e7eb;align-self:flex-start}
.msg.me{align-self:flex-end;background:#dbeafe;border-color:#bfdbfe}
.msg.av-on{position:relative;padding-left:46px;min-height:30px}
.av{position:absolute;left:9px;top:8px;width:28px;height:28px;border-radius:50%;object-fit:cover;
background:#e0e7ff;color:#3730a3;font-size:11px;font-weight:700;display:flex;align-items:center;
justify-content:center}.av::before{content:attr(data-initials)}
.msg[data-time]::after{content:attr(data-time);display:block;font-size:11px;color:#6b7280;
text-align:end;margin-top:2px}
.reacts{display:flex;flex-wrap:wrap;gap:4px;margin-top:4px;white-space:normal}
.react{font-size:12px;background:#f3f4f6;border:1px solid #e5e7eb;border-radius:10px;padding:0 6px}
.newer{position:absolute;left:50%;transform:translateX(-50%);bottom:70px;border:0;border-radius:14px;
padding:6px 12px;cursor:pointer;font:inherit;font-size:12px;background:#1d4ed8;color:#fff;
box-shadow:0 2px 8px rgba(0,0,0,.2)}
.busy{font-size:12px;color:#374151;padding:4px 12px;background:#e5e7eb}
.confirm{display:flex;align-items:center;gap:8px;padding:8px 12px;background:#fef2f2;color:#7f1d1d}
.confirm span{flex:1}.yes,.no{border:1px solid #d1d5db;border-radius:8px;padding:4px 10px;
cursor:pointer;font:inherit;background:#fff;color:#111827}.yes{background:#b91c1c;color:#fff;border-color:#b91c1c}
.count{font-size:12px;color:#374151;padding:0 12px 6px;background:#fff;text-align:end}
.count.over{color:#b91c1c;font-weight:600}
.ebtn{background:none;border:0;cursor:pointer;padding:0 4px;border-radius:8px;color:#4b5563}
.ebtn svg{width:22px;height:22px;display:block;margin:auto}
.msg.pending{opacity:.6}.msg.failed{border-color:#f87171}
.who{display:block;font-size:12px;color:#6b7280;margin-bottom:2px}
.note{align-self:center;font-size:12px;color:#6b7280;font-style:italic;text-align:center}
.retry{display:block;margin-top:4px;background:none;border:0;color:#b91c1c;cursor:pointer;padding:0;
font:inherit;font-size:12px;text-decoration:underline}
.status{font-size:12px;color:#92400e;background:#fef3c7;padding:4px 12px}
.foot{display:flex;gap:8px;padding:10px;border-top:1px solid #e5e7eb;background:#fff}
.input{flex:1;resize:none;border:1px solid #d1d5db;border-radius:10px;padding:8px 10px;
font:inherit;color:inherit;background:#fff;min-height:20px;max-height:120px}
.input:focus{outline:2px solid #93c5fd;border-color:#93c5fd}
.send{border:0;border-radius:10px;padding:0 14px;cursor:pointer;font:inherit;font-weight:600}
.send:disabled,.input:disabled{opacity:.5;cursor:default}
.again{margin:auto;border:0;border-radius:10px;padding:8px 14px;cursor:pointer;font:inherit}
.rate{display:flex;flex-direction:column;gap:8px;padding:10px 12px;border-top:1px solid #e5e7eb;background:#fff}
.rate-q{font-weight:600;text-align:center}.faces{display:flex;justify-content:center;gap:12px}
.face{font-size:26px;line-height:1;background:none;border:2px solid transparent;border-radius:50%;
cursor:pointer;padding:6px}.face[aria-pressed=true]{border-color:#2563eb;background:#eff6ff}
.rate-comment{resize:none;border:1px solid #d1d5db;border-radius:10px;padding:6px 10px;font:inherit}
.rate-send{align-self:center;border:0;border-radius:10px;padding:6px 14px;cursor:pointer;font:inherit}
.rate-send:disabled{opacity:.5;cursor:default}.rate-thanks{text-align:center;color:#065f46}
[hidden]{display:none!important}
@media (max-width:480px){
.win{inset:0;width:auto;height:auto;max-width:none;max-height:none;border-radius:0;font-size:16px}
.btn[aria-expanded=true]{display:none}
.input,.rate-comment{font-size:16px}
.hbtn,.send,.older,.retry,.face,.rate-send,.again,.ebtn,.newer,.yes,.no,.bubble{min-height:44px;min-width:44px}
.newer{bottom:84px}}`;

const ICON =
    '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 ' +
    "2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6.5a1.5 1.5 0 1 0 0 .01zm5 0a1.5 1.5 0 1 0 " +
    '0 .01zm5 0a1.5 1.5 0 1 0 0 .01z"/></svg>';

// The emoji button's smiley, drawn: an emoji character shows as an empty box where
// no emoji font is installed.
const SMILE_ICON =
    '<svg viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" ' +
    'stroke-width="2" stroke-linecap="round"><circle cx="12" cy="12" r="9"/>' +
    '<path d="M8 14.5c1 1.3 2.4 2 4 2s3-.7 4-2"/><circle cx="9" cy="9.5" r="1.2" ' +
    'fill="currentColor" stroke="none"/><circle cx="15" cy="9.5" r="1.2" ' +
    'fill="currentColor" stroke="none"/></svg>';

function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) {
        node.className = className;
    }
    if (text !== undefined) {
        node.textContent = text;
    }
    return node;
}

function button(className, text) {
    const node = el("button", className, text);
    node.type = "button";
    return node;
}

/** The first letters of a name's first two words: the avatar of who has no picture. */
function initials(name) {
    return String(name || "")
        .split(/\s+/)
        .filter(Boolean)
        .slice(0, 2)
        .map((word) => [...word][0].toUpperCase())
        .join("");
}

/** A message's time ("2026-12-03 09:05:00", UTC) in the visitor's time zone: the
    time of day, with the day when it is not today. */
function shortTime(date, lang) {
    const when = new Date(String(date).replace(" ", "T") + "Z");
    if (isNaN(when)) {
        return "";
    }
    const locale = lang || undefined;
    let text = "";
    try {
        text = when.toLocaleTimeString(locale, {hour: "2-digit", minute: "2-digit"});
        if (when.toDateString() !== new Date().toDateString()) {
            text = `${when.toLocaleDateString(locale, {day: "numeric", month: "short"})} ${text}`;
        }
    } catch {
        text = when.toISOString().slice(11, 16);
    }
    return text;
}

class View {
    /**
     * @param {Object} config the loader's configuration ({channel, page})
     * @param {Object} options the channel's look and texts (from /init)
     * @param {Object} handlers open(focus), send(text), retry(), end(), newChat(),
     *     minimize(), loadOlder(), rate(value, comment), transcript(email)
     */
    constructor(config, options, handlers) {
        this.config = config;
        this.options = options;
        this.texts = options.texts || {};
        this.handlers = handlers;
        this.win = null;
        this.nodes = new Map(); // message id or outbox key: its node
    }

    /** The widget's root on the page, with the button unless on the support page. */
    mount({bubble, version}) {
        const options = this.options;
        this.host = el("div");
        this.host.setAttribute("data-live-chat", String(this.config.channel));
        this.host.setAttribute("data-live-chat-version", version || "");
        if (options.lang) {
            this.host.setAttribute("lang", options.lang);
        }
        this.root = this.host.attachShadow({mode: "open"});
        this.root.append(el("style", null, CSS));
        const label = options.button_text || options.name;
        this.button = button("btn");
        // It says what it does (open or close the chat); the channel's text beside it.
        this.button.title = label;
        this.setExpanded(false);
        this.button.style.background = options.button_background_color;
        this.button.style.color = options.button_text_color;
        this.button.innerHTML = ICON; // our own constant markup
        this.dot = el("span", "dot");
        this.dot.hidden = true;
        this.button.append(this.dot);
        this.button.addEventListener("click", () => {
            if (this.isOpen) {
                this.handlers.minimize();
            } else {
                this.handlers.open(true);
            }
        });
        if (bubble && options.button_text) {
            // A button: reachable with the keyboard too.
            this.bubble = button("bubble", options.button_text);
            this.bubble.dir = "auto";
            this.bubble.addEventListener("click", () => this.handlers.open(true));
            this.root.append(this.bubble);
        }
        if (!this.config.page) {
            this.root.append(this.button);
        }
        (document.body || document.documentElement).append(this.host);
    }

    destroy() {
        this.host?.remove();
    }

    setExpanded(expanded) {
        this.button.setAttribute("aria-expanded", String(expanded));
        this.button.setAttribute(
            "aria-label",
            (expanded ? this.texts.close_chat : this.texts.open_chat) ||
                this.options.button_text ||
                this.options.name
        );
    }

    get isOpen() {
        return Boolean(this.win && !this.win.hidden);
    }

    /** The chat window, made on its first opening. */
    ensureWindow() {
        if (this.win) {
            return;
        }
        const {options, texts} = this;
        const win = el("div", "win" + (this.config.page ? " page" : ""));
        win.setAttribute("role", "dialog");
        win.setAttribute("aria-label", options.name);
        const head = el("div", "head");
        head.style.background = options.header_background_color;
        head.style.color = options.title_color;
        this.title = el("div", "title", options.name);
        this.title.dir = "auto";
        this.endButton = button("hbtn end", texts.end_chat);
        this.endButton.addEventListener("click", () => this.askEnd());
        head.append(this.title, this.endButton);
        if (!this.config.page) {
            const minimize = button("hbtn min", "\u2013");
            minimize.title = texts.minimize;
            minimize.setAttribute("aria-label", texts.minimize);
            minimize.addEventListener("click", () => this.handlers.minimize());
            head.append(minimize);
        }
        this.status = el("div", "status");
        this.status.hidden = true;
        this.status.setAttribute("role", "status");
        this.confirm = this.endConfirmation(texts);
        this.busy = el("div", "busy", texts.loading);
        this.busy.setAttribute("role", "status");
        this.busy.hidden = true;
        this.newer = button("newer", texts.new_messages);
        this.newer.hidden = true;
        this.newer.addEventListener("click", () => {
            this.scrollToEnd();
            this.input.focus();
        });
        this.log = el("div", "log");
        this.log.setAttribute("role", "log");
        this.log.setAttribute("aria-live", "polite");
        this.older = button("older", texts.load_older);
        this.older.hidden = true;
        this.older.addEventListener("click", () => this.handlers.loadOlder());
        this.log.append(this.older);
        this.log.addEventListener("scroll", () => {
            if (this.isAtEnd()) {
                this.newer.hidden = true;
            }
        });
        this.foot = el("form", "foot");
        this.input = el("textarea", "input");
        this.input.rows = 1;
        this.input.dir = "auto";
        this.input.placeholder = options.input_placeholder;
        this.input.setAttribute(
            "aria-label",
            options.input_placeholder || texts.message
        );
        this.send = el("button", "send", texts.send);
        this.send.type = "submit";
        this.send.style.background = options.button_background_color;
        this.send.style.color = options.button_text_color;
        this.emojiButton = button("ebtn");
        this.emojiButton.innerHTML = SMILE_ICON; // our own constant markup
        this.emojiButton.setAttribute("aria-label", texts.emoji);
        this.emojiButton.title = texts.emoji;
        this.emojiButton.setAttribute("aria-expanded", "false");
        this.emojiButton.addEventListener("click", () => this.toggleEmoji());
        this.foot.append(this.emojiButton, this.input, this.send);
        this.count = el("div", "count");
        this.count.id = "lc-count";
        this.count.hidden = true;
        this.count.setAttribute("aria-live", "polite");
        this.input.setAttribute("aria-describedby", this.count.id);
        this.input.addEventListener("input", () => this.updateCount());
        const submit = () => {
            const text = this.input.value.trim();
            if (text && !this.input.disabled && !this.updateCount()) {
                this.input.value = "";
                this.updateCount();
                this.handlers.send(text);
            }
        };
        this.foot.addEventListener("submit", (event) => {
            event.preventDefault();
            submit();
        });
        this.input.addEventListener("keydown", (event) => {
            if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
                event.preventDefault();
                submit();
            }
        });
        this.again = button("again", texts.new_chat);
        this.again.hidden = true;
        this.again.style.background = options.button_background_color;
        this.again.style.color = options.button_text_color;
        this.again.addEventListener("click", () => this.handlers.newChat());
        this.rate = this.ratingPanel(texts);
        this.transcript = new TranscriptPanel(options, texts, (email) =>
            this.handlers.transcript(email)
        );
        win.append(
            head,
            this.confirm,
            this.status,
            this.busy,
            this.log,
            this.newer,
            this.foot,
            this.count,
            this.rate,
            this.transcript.node,
            this.again
        );
        win.addEventListener("keydown", (event) => {
            if (event.key !== "Escape" || event.isComposing) {
                return;
            }
            if (!this.confirm.hidden) {
                this.cancelEnd();
            } else if (!this.config.page) {
                // Closed, and the keyboard is back where it was: on the button.
                this.handlers.minimize();
                this.button.focus();
            }
        });
        win.hidden = true;
        this.win = win;
        this.root.append(win);
    }

    open(focus) {
        this.ensureWindow();
        if (this.bubble) {
            this.bubble.hidden = true;
        }
        this.win.hidden = false;
        this.setExpanded(true);
        this.setUnread(false);
        this.scrollToEnd();
        if (focus && !this.input.disabled) {
            this.input.focus();
        }
    }

    hide() {
        if (this.win) {
            this.win.hidden = true;
            this.closeEmoji(false);
        }
        this.setExpanded(false);
    }

    /** "End chat" asks first: a bar under the header, the keyboard on "Cancel". */
    endConfirmation(texts) {
        const bar = el("div", "confirm");
        bar.setAttribute("role", "group");
        bar.setAttribute("aria-label", texts.end_question);
        bar.hidden = true;
        const yes = button("yes", texts.end_chat);
        yes.addEventListener("click", () => {
            bar.hidden = true;
            this.handlers.end();
        });
        this.cancelButton = button("no", texts.cancel);
        this.cancelButton.addEventListener("click", () => this.cancelEnd());
        bar.append(el("span", null, texts.end_question), yes, this.cancelButton);
        return bar;
    }

    askEnd() {
        this.confirm.hidden = false;
        this.cancelButton.focus();
    }

    cancelEnd() {
        this.confirm.hidden = true;
        if (!this.endButton.hidden) {
            this.endButton.focus();
        }
    }

    /** A request of the visitor's takes long: "Loading…" until it is answered. */
    setBusy(busy) {
        if (this.win) {
            this.busy.hidden = !busy;
        }
    }

    /** The length of the visitor's text near or over the limit, shown; true when over. */
    updateCount() {
        const max = this.maxLength;
        const length = max ? [...this.input.value].length : 0;
        const over = length > max;
        this.count.hidden = !max || length < max * 0.9;
        this.count.classList.toggle("over", over);
        this.count.textContent = (
            over ? this.texts.chars_over : this.texts.chars_left || ""
        ).replace("%s", String(Math.abs(max - length)));
        if (over) {
            this.input.setAttribute("aria-invalid", "true");
        } else {
            this.input.removeAttribute("aria-invalid");
        }
        return over;
    }

    // The emoji picker: its code comes on its first opening, never before.

    loadEmoji() {
        // Loaded again on the next opening when it failed (a network error).
        if (!this.emojiModule) {
            this.emojiModule = loadModule(this.config.server, "emoji").catch(
                (error) => {
                    this.emojiModule = null;
                    throw error;
                }
            );
        }
        return this.emojiModule;
    }

    async toggleEmoji() {
        if (this.emojiPanel && !this.emojiPanel.hidden) {
            this.closeEmoji(true);
            return;
        }
        this.emojiButton.setAttribute("aria-expanded", "true");
        let module = null;
        try {
            module = await this.loadEmoji();
        } catch {
            this.emojiButton.setAttribute("aria-expanded", "false");
            return;
        }
        if (!this.emojiPanel) {
            this.emojiPanel = module.makeEmojiPanel(
                this.root,
                this.texts.emoji,
                (emoji) => {
                    this.insertText(emoji);
                    this.closeEmoji(true);
                },
                () => this.closeEmoji(true)
            );
            this.foot.before(this.emojiPanel);
        }
        this.emojiPanel.hidden = false;
        this.emojiPanel.firstChild.focus();
    }

    closeEmoji(focusInput) {
        if (!this.emojiPanel || this.emojiPanel.hidden) {
            return;
        }
        this.emojiPanel.hidden = true;
        this.emojiButton.setAttribute("aria-expanded", "false");
        if (focusInput) {
            this.input.focus();
        }
    }

    /** ``text`` typed where the visitor's cursor is. */
    insertText(text) {
        const input = this.input;
        const start = input.selectionStart ?? input.value.length;
        input.setRangeText(text, start, input.selectionEnd ?? start, "end");
        this.updateCount();
    }

    setUnread(unread) {
        this.dot.hidden = !unread;
    }

    setTitle(text) {
        if (this.win) {
            this.title.textContent = text || this.options.name;
        }
    }

    setStatus(text) {
        if (this.win) {
            this.status.textContent = text || "";
            this.status.hidden = !text;
        }
    }

    setMaxLength(length) {
        this.ensureWindow();
        // Not the input's maxlength: a counter near the limit, never a silent cut.
        this.maxLength = length > 0 ? length : 0;
        this.updateCount();
    }

    /** Once the chat has ended: three faces and an optional comment, sent once. */
    ratingPanel(texts) {
        const panel = el("form", "rate");
        panel.hidden = true;
        const question = el("div", "rate-q", texts.rate_question);
        question.id = "lc-rate-q";
        const faces = el("div", "faces");
        faces.setAttribute("role", "group");
        faces.setAttribute("aria-labelledby", question.id);
        let chosen = 0;
        const comment = el("textarea", "rate-comment");
        comment.rows = 2;
        comment.maxLength = 1000;
        comment.placeholder = texts.rate_comment;
        comment.setAttribute("aria-label", texts.rate_comment);
        const send = el("button", "rate-send", texts.rate_send);
        send.type = "submit";
        send.disabled = true;
        send.style.background = this.options.button_background_color;
        send.style.color = this.options.button_text_color;
        for (const [value, face, label] of [
            [5, "\u{1F60A}", texts.rate_5],
            [3, "\u{1F610}", texts.rate_3],
            [1, "\u{1F61E}", texts.rate_1],
        ]) {
            const choice = button("face", face);
            choice.dataset.value = String(value);
            choice.title = label;
            choice.setAttribute("aria-label", label);
            choice.setAttribute("aria-pressed", "false");
            choice.addEventListener("click", () => {
                chosen = value;
                for (const other of faces.children) {
                    other.setAttribute("aria-pressed", String(other === choice));
                }
                send.disabled = false;
            });
            faces.append(choice);
        }
        panel.addEventListener("submit", (event) => {
            event.preventDefault();
            if (chosen && !send.disabled) {
                send.disabled = true;
                this.handlers.rate(chosen, comment.value.trim());
            }
        });
        this.rateThanks = el("div", "rate-thanks", texts.rate_thanks);
        this.rateThanks.hidden = true;
        panel.append(question, faces, comment, send, this.rateThanks);
        this.rateSend = send;
        return panel;
    }

    /** ``mode``: "ask" (the panel), "done" (thanks), or anything else: hidden. */
    setRating(mode) {
        this.ensureWindow();
        this.rate.hidden = !mode;
        for (const child of this.rate.children) {
            child.hidden =
                mode === "done" ? child !== this.rateThanks : child === this.rateThanks;
        }
        if (mode === "ask") {
            this.rateSend.disabled = !this.rate.querySelector("[aria-pressed=true]");
        }
    }

    /** The composer, or the "start a new chat" button once the chat has ended. */
    setEnded(ended, hasSession) {
        this.ensureWindow();
        this.input.disabled = this.send.disabled = ended;
        this.foot.hidden = ended;
        this.count.hidden = ended || this.count.hidden;
        this.confirm.hidden = true;
        if (ended) {
            this.closeEmoji(false);
        }
        this.again.hidden = !ended;
        this.endButton.hidden = ended || !hasSession;
        this.transcript.show(ended && hasSession ? "ask" : null);
    }

    setOlder(visible, busy) {
        this.ensureWindow();
        this.older.hidden = !visible;
        this.older.disabled = Boolean(busy);
    }

    /** An empty conversation, with the channel's welcome message when it has one. */
    reset(welcome) {
        this.ensureWindow();
        this.log.textContent = "";
        this.log.append(this.older);
        this.older.hidden = true;
        this.nodes.clear();
        if (welcome) {
            const node = this.bubbleFor({text: welcome, author: this.options.name});
            node.classList.add("welcome");
            this.log.append(node);
        }
    }

    removeWelcome() {
        this.log?.querySelector(".welcome")?.remove();
    }

    bubbleFor(message) {
        if (message.kind === "notice" || message.kind === "closed") {
            const note = el("div", "note", htmlToText(message.body));
            note.dir = "auto";
            return note;
        }
        const node = el("div", "msg" + (message.from_visitor ? " me" : ""));
        // Arabic or Hebrew read right to left, whatever the page's direction.
        node.dir = "auto";
        if (!message.from_visitor && message.author) {
            if (message.id) {
                node.classList.add("av-on");
                node.append(this.avatarFor(message));
            }
            node.append(el("span", "who", message.author));
        }
        const text =
            message.text === undefined ? htmlToText(message.body) : message.text;
        node.append(document.createTextNode(text));
        this.handlers.decorate?.(node, message); // its files (attachments.js)
        if (message.date) {
            // Shown by the style sheet: the message's text stays the node's text.
            node.dataset.time = shortTime(message.date, this.options.lang);
        }
        this.appendReactions(node, message.reactions);
        return node;
    }

    /** The operator's picture, or their initials. Decorative: their name is beside. */
    avatarFor(message) {
        const letters = () => {
            const span = el("span", "av");
            span.dataset.initials = initials(message.author);
            span.setAttribute("aria-hidden", "true");
            return span;
        };
        const url = message.author_avatar;
        if (typeof url !== "string" || !/^(\/[^/]|https?:\/\/)/.test(url)) {
            return letters();
        }
        const img = el("img", "av");
        img.alt = "";
        img.src = url.startsWith("/") ? this.config.server + url : url;
        img.addEventListener("error", () => img.replaceWith(letters()), {once: true});
        return img;
    }

    appendReactions(node, reactions) {
        node.querySelector(".reacts")?.remove();
        if (!Array.isArray(reactions) || !reactions.length) {
            return;
        }
        const list = el("div", "reacts");
        for (const {emoji, count} of reactions) {
            if (typeof emoji === "string" && count > 0) {
                list.append(
                    el("span", "react", count > 1 ? `${emoji} ${count}` : emoji)
                );
            }
        }
        node.append(list);
    }

    /** The operator's reactions on message ``id`` changed. */
    setReactions(id, reactions) {
        const node = this.nodes.get(id);
        if (node) {
            const atEnd = this.isAtEnd();
            this.appendReactions(node, reactions);
            if (atEnd) {
                this.scrollToEnd();
            }
        }
    }

    /** A server message, before the message ``next`` (or the visitor's unsent ones). */
    insertMessage(message, next) {
        this.ensureWindow();
        const atEnd = this.isAtEnd();
        const node = this.bubbleFor(message);
        node.dataset.id = message.id;
        this.nodes.set(message.id, node);
        const before =
            (next && this.nodes.get(next.id)) ||
            this.log.querySelector(".msg.pending,.msg.failed");
        this.log.insertBefore(node, before || null);
        if (!next && (atEnd || message.from_visitor)) {
            this.scrollToEnd();
        } else if (!next && this.isOpen) {
            // The visitor scrolled up to read: they are not pulled down, but told.
            this.newer.hidden = false;
        }
    }

    updateMessage(message) {
        const node = this.nodes.get(message.id);
        if (!node) {
            return;
        }
        if (!htmlToText(message.body) && !message.attachments?.length) {
            // Deleted by its author.
            node.remove();
            this.nodes.delete(message.id);
            return;
        }
        const fresh = this.bubbleFor(message);
        fresh.dataset.id = message.id;
        node.replaceWith(fresh);
        this.nodes.set(message.id, fresh);
    }

    /** Older messages, on top, keeping what the visitor sees in place. */
    prependMessages(messages) {
        this.ensureWindow();
        const fromEnd = this.log.scrollHeight - this.log.scrollTop;
        let anchor = this.older.nextSibling;
        for (const message of messages) {
            const node = this.bubbleFor(message);
            node.dataset.id = message.id;
            this.nodes.set(message.id, node);
            this.log.insertBefore(node, anchor);
            anchor = node.nextSibling;
        }
        this.log.scrollTop = this.log.scrollHeight - fromEnd;
    }

    /** A message of the visitor on its way (``item.state``: queued, sending, failed). */
    showOutgoing(item) {
        this.ensureWindow();
        let node = this.nodes.get(item.key);
        if (!node) {
            node = this.bubbleFor({text: item.text, from_visitor: true});
            this.nodes.set(item.key, node);
            this.log.append(node);
            this.scrollToEnd();
        }
        node.querySelector(".retry")?.remove();
        node.classList.toggle("pending", item.state !== "failed");
        node.classList.toggle("failed", item.state === "failed");
        if (item.state === "failed") {
            const retry = button("retry", this.texts.retry);
            retry.addEventListener("click", () => this.handlers.retry());
            node.append(retry);
        }
    }

    removeOutgoing(item) {
        this.nodes.get(item.key)?.remove();
        this.nodes.delete(item.key);
    }

    isAtEnd() {
        const log = this.log;
        return log.scrollHeight - log.scrollTop - log.clientHeight < 40;
    }

    scrollToEnd() {
        if (this.log) {
            this.log.scrollTop = this.log.scrollHeight;
            this.newer.hidden = true;
        }
    }
}
