/*
 * Live Chat widget: the offline form. When nobody can answer (outside the working
 * hours, no operator online, a long queue, an unanswered chat), the visitor leaves
 * their name, email and message in the chat window instead; the server makes of it
 * what the channel says and answers a confirmation, shown in place of the form.
 *
 * showOfflineForm(widget, reason, backAt): reason "offline" | "queue" | "unanswered";
 * backAt: when the team is back, in words (from /init), or null.
 */
/* exported showOfflineForm */
/* global el, button */

const OFFLINE_CSS = `
.offline{flex:1;overflow-y:auto;display:flex;flex-direction:column;gap:8px;padding:14px;background:#f9fafb}
.offline-intro{margin:0}.offline-back{margin:0;font-weight:600}
.offline label{display:flex;flex-direction:column;gap:3px;font-size:13px;color:#374151}
.offline input,.offline textarea{border:1px solid #d1d5db;border-radius:10px;padding:7px 10px;
font:inherit;color:inherit;background:#fff}.offline textarea{resize:vertical;min-height:80px}
.offline input:focus,.offline textarea:focus{outline:2px solid #93c5fd;border-color:#93c5fd}
.offline [aria-invalid=true]{border-color:#dc2626}
.offline-error{color:#b91c1c;font-size:12px;margin:0}
.offline-send{align-self:flex-end;border:0;border-radius:10px;padding:8px 16px;cursor:pointer;font:inherit;font-weight:600}
.offline-send:disabled{opacity:.5;cursor:default}.offline-done{margin:auto;text-align:center;color:#065f46}`;

// What browsers check for type=email, checked again by the server.
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function offlineField(label, input) {
    const wrap = el("label", null, label);
    input.required = true;
    wrap.append(input);
    return wrap;
}

function showOfflineForm(widget, reason, backAt) {
    widget.prepareWindow();
    const view = widget.view;
    const texts = widget.texts;
    const options = widget.options;
    if (!view.offlineStyle) {
        view.offlineStyle = el("style", null, OFFLINE_CSS);
        view.root.append(view.offlineStyle);
    }
    view.offlinePanel?.remove();
    // The chat's own parts make way for the form.
    for (const part of [view.log, view.foot, view.rate, view.again, view.endButton]) {
        part.hidden = true;
    }
    view.setStatus("");
    const panel = el("form", "offline");
    panel.noValidate = true; // our own messages, in the channel's language
    panel.dataset.reason = reason;
    const intro = {
        offline: texts.offline_intro,
        queue: texts.offline_intro_queue,
        unanswered: texts.offline_intro_unanswered,
    };
    panel.append(el("p", "offline-intro", intro[reason] || texts.offline_intro));
    if (backAt) {
        panel.append(el("p", "offline-back", backAt));
    }
    const name = el("input", "offline-name");
    name.maxLength = 64;
    name.autocomplete = "name";
    const email = el("input", "offline-email");
    email.type = "email";
    email.maxLength = 254;
    email.autocomplete = "email";
    const message = el("textarea", "offline-message");
    message.maxLength = widget.server.message_max_length || 4000;
    const error = el("p", "offline-error");
    error.hidden = true;
    error.setAttribute("role", "alert");
    const send = button("offline-send", texts.offline_send);
    send.type = "submit";
    send.style.background = options.button_background_color;
    send.style.color = options.button_text_color;
    panel.append(
        offlineField(texts.offline_name, name),
        offlineField(texts.offline_email, email),
        offlineField(texts.offline_message, message),
        error,
        send
    );
    const fail = (text, field) => {
        error.textContent = text;
        error.hidden = false;
        for (const input of [name, email, message]) {
            input.setAttribute("aria-invalid", String(input === field));
        }
        field?.focus();
    };
    panel.addEventListener("submit", async (event) => {
        event.preventDefault();
        if (send.disabled) {
            return;
        }
        const values = {
            name: name.value.trim(),
            email: email.value.trim(),
            message: message.value.trim(),
        };
        if (!values.name || !values.message) {
            fail(texts.offline_required, values.name ? message : name);
            return;
        }
        if (!EMAIL_RE.test(values.email)) {
            fail(texts.offline_bad_email, email);
            return;
        }
        send.disabled = true;
        // A waiting visitor who leaves a message leaves the queue: their session ends
        // with it (no rating asked for a chat that never was).
        const leaving = reason === "queue" && widget.session && !widget.ended;
        // The queue and an unanswered chat offer the form for the visitor's own session.
        const own = reason !== "offline" && widget.session && !widget.ended;
        const session = own ? widget.credentials : {};
        if (leaving) {
            widget.ended = true;
        }
        try {
            const answer = await widget.post(
                `/live_chat/offline/${widget.config.channel}`,
                {...values, ...session, reason, url: window.location.href}
            );
            if (leaving) {
                widget.queue?.hide();
                widget.transport.stop();
                widget.stopTimers();
            }
            panel.textContent = "";
            const done = el("p", "offline-done", answer.confirmation);
            done.setAttribute("role", "status");
            panel.append(done);
        } catch (failure) {
            if (leaving) {
                widget.ended = false;
            }
            send.disabled = false;
            fail(failure.message || texts.unreachable, null);
        }
    });
    view.offlinePanel = panel;
    view.win.insertBefore(panel, view.log);
    view.title.textContent = texts.offline_title;
    view.open(false);
    name.focus();
}
