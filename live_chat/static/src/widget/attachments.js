/*
 * Live Chat widget: files, both ways (loaded with the window, never before the first
 * opening). The visitor sends a file or a screenshot (the button, pasting, dropping
 * it on the window) within the channel's size and types, checked again by the server;
 * the files of every message show as thumbnails (pictures) or download links, at
 * addresses that only this session's messages give. Names are set as text.
 */
/* exported Attachments */
/* global Presence */

const FILES_CSS = `
.attach{border:0;background:none;cursor:pointer;padding:0 4px;min-width:44px;min-height:44px;color:#4b5563}
.attach svg{width:22px;height:22px;display:block;margin:auto}
.attach:disabled{opacity:.5;cursor:default}
.files{display:flex;flex-direction:column;gap:4px;margin-top:4px}
.thumb{display:block;max-width:200px;max-height:160px;border-radius:8px;border:1px solid #e5e7eb}
.file{color:#1d4ed8;text-decoration:underline;word-break:break-all}
.win.dropping{outline:3px dashed #2563eb;outline-offset:-6px}`;

// The button's paperclip, drawn (an emoji character shows as an empty box where no
// emoji font is installed).
const CLIP_ICON =
    '<svg viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" ' +
    'stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><path d="M20 11.5l-7.8 ' +
    '7.8a5 5 0 0 1-7.1-7.1l8.5-8.5a3.3 3.3 0 0 1 4.7 4.7l-8.5 8.5a1.7 1.7 0 0 1-2.4-2.4l7.8-7.8"/></svg>';

// A file's size as the visitor reads it: the units in their language (the server's
// texts), the number in their browser's. The English units when the page's texts came
// from a server of before them (a page open across an upgrade).
function fileSize(bytes, texts) {
    if (bytes >= 1048576) {
        const megabytes = (bytes / 1048576).toLocaleString(undefined, {
            minimumFractionDigits: 1,
            maximumFractionDigits: 1,
        });
        return (texts.size_mb || "%s MB").replace("%s", megabytes);
    }
    return (texts.size_kb || "%s KB").replace(
        "%s",
        Math.max(1, Math.round(bytes / 1024))
    );
}

class Attachments {
    constructor(widget) {
        this.widget = widget;
        const options = widget.options.talk || {};
        this.maxSize = options.max_size || 0;
        this.texts = options.texts || {};
        const view = widget.view;
        view.root.append(
            Object.assign(document.createElement("style"), {textContent: FILES_CSS})
        );
        if (this.maxSize) {
            this.mountControls(view, options.accept || "");
        }
        // The messages shown before this module came.
        for (const message of widget.log.messages) {
            const node = view.nodes.get(message.id);
            if (node) {
                this.decorate(node, message);
            }
        }
    }

    mountControls(view, accept) {
        this.input = document.createElement("input");
        this.input.type = "file";
        this.input.accept = accept;
        this.input.hidden = true;
        this.input.addEventListener("change", () => {
            this.send([...this.input.files]);
            this.input.value = "";
        });
        this.button = document.createElement("button");
        this.button.type = "button";
        this.button.className = "attach";
        this.button.innerHTML = CLIP_ICON; // our own constant markup
        this.button.title = this.texts.attach || "";
        this.button.setAttribute("aria-label", this.texts.attach || "");
        this.button.addEventListener("click", () => this.input.click());
        view.foot.insertBefore(this.button, view.send);
        view.foot.append(this.input);
        view.input.addEventListener("paste", (event) => {
            const files = [
                ...((event.clipboardData && event.clipboardData.files) || []),
            ];
            if (files.length) {
                event.preventDefault();
                this.send(files);
            }
        });
        const win = view.win;
        win.addEventListener("dragover", (event) => {
            if (event.dataTransfer && [...event.dataTransfer.types].includes("Files")) {
                event.preventDefault();
                win.classList.add("dropping");
            }
        });
        win.addEventListener("dragleave", (event) => {
            if (!win.contains(event.relatedTarget)) {
                win.classList.remove("dropping");
            }
        });
        win.addEventListener("drop", (event) => {
            win.classList.remove("dropping");
            const files = [...((event.dataTransfer && event.dataTransfer.files) || [])];
            if (files.length) {
                event.preventDefault();
                this.send(files);
            }
        });
    }

    /** Send ``files``, one after the other; a refused one is told in the status line. */
    async send(files) {
        const widget = this.widget;
        if (!widget.session || widget.ended) {
            widget.view.setStatus(this.texts.first_message);
            return;
        }
        for (const file of files) {
            if (file.size > this.maxSize) {
                widget.view.setStatus(this.texts.too_large);
                continue;
            }
            widget.view.setStatus(this.texts.sending);
            this.button.disabled = true;
            try {
                const answer = await this.upload(file);
                widget.view.setStatus("");
                widget.log.add([answer.message]);
                widget.expectEcho(answer.message.id);
            } catch (error) {
                widget.showError(error);
            } finally {
                this.button.disabled = false;
            }
        }
    }

    async upload(file) {
        const widget = this.widget;
        const form = new FormData();
        form.append("session_id", String(widget.session.id));
        form.append("token", widget.state.token);
        form.append("lang", widget.transport.lang());
        form.append("file", file, file.name || "screenshot.png");
        let response = null;
        try {
            response = await fetch(widget.config.server + "/live_chat/session/upload", {
                method: "POST",
                body: form,
            });
        } catch {
            throw new Error(widget.texts.unreachable);
        }
        let body = null;
        try {
            body = await response.json();
        } catch {
            // Not JSON: a proxy's error page (too large for it, say).
        }
        if (!response.ok || !body || !body.message) {
            const error = (body && body.error) || {};
            throw new Error(
                error.message ||
                    (response.status === 413
                        ? this.texts.too_large
                        : response.statusText)
            );
        }
        return body;
    }

    /** The files of ``message`` under its text: thumbnails of pictures, links. */
    decorate(node, message) {
        const attachments = Array.isArray(message.attachments)
            ? message.attachments
            : [];
        if (!attachments.length || node.querySelector(".files")) {
            return;
        }
        const server = this.widget.config.server;
        const list = document.createElement("div");
        list.className = "files";
        for (const attachment of attachments) {
            // A path of the widget's server only (as the avatars): never another host.
            if (
                !attachment ||
                typeof attachment.url !== "string" ||
                !/^\/[^/]/.test(attachment.url)
            ) {
                continue;
            }
            const url = server + attachment.url;
            const link = document.createElement("a");
            link.href = url;
            link.target = "_blank";
            link.rel = "noopener noreferrer";
            const name = String(attachment.name || "");
            if (attachment.is_image) {
                const image = document.createElement("img");
                image.className = "thumb";
                image.src = url + "?thumbnail=1";
                image.alt = name;
                image.loading = "lazy";
                link.append(image);
            } else {
                link.className = "file";
                link.download = name;
                link.textContent = `\u{1F4C4} ${name} (${fileSize(attachment.size || 0, this.texts)})`;
            }
            list.append(link);
        }
        node.append(list);
    }
}

// This module's script element hands over to the bundle that loaded it (no global).
{
    const script = document.currentScript;
    if (script && typeof script.liveChatModule === "function") {
        script.liveChatModule({Presence, Attachments});
    }
}
