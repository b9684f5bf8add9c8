/*
 * Live Chat widget: the queue. While every operator is busy, the visitor's session
 * waits: the window shows their place and the estimated wait (from the session's
 * info, ``live_chat/queue`` on the bus and the heartbeat), with a way to leave a
 * message instead (the offline form). Texts come from the
 * server, in the visitor's language.
 */
/* exported QueuePanel */

const QUEUE_CSS =
    ".queue{padding:8px 12px;background:#eff6ff;color:#1e3a8a;font-size:13px}" +
    ".queue p{margin:0 0 4px}.queue-leave{border:0;background:none;padding:0;" +
    "color:inherit;text-decoration:underline;cursor:pointer;font:inherit}";

class QueuePanel {
    /** ``view``: the widget's view; ``leaveMessage``: the visitor prefers to leave
        a message (the offline form). */
    constructor(view, texts, leaveMessage) {
        this.view = view;
        this.texts = texts;
        this.leaveMessage = leaveMessage;
        this.node = null;
    }

    ensure() {
        if (this.node && this.node.isConnected) {
            return;
        }
        this.view.ensureWindow();
        const style = document.createElement("style");
        style.textContent = QUEUE_CSS;
        const node = document.createElement("div");
        node.className = "queue";
        node.setAttribute("role", "status");
        node.setAttribute("aria-live", "polite");
        this.place = document.createElement("p");
        this.place.className = "queue-place";
        this.wait = document.createElement("p");
        this.wait.className = "queue-wait";
        const leave = document.createElement("button");
        leave.type = "button";
        leave.className = "queue-leave";
        leave.textContent = this.texts.queue_leave_message || "";
        leave.addEventListener("click", () => this.leaveMessage());
        node.append(style, this.place, this.wait, leave);
        this.view.status.after(node);
        this.node = node;
    }

    /** ``place``: {position, wait_minutes}; no position: not waiting (hidden). */
    update(place) {
        if (!place || !(place.position > 0)) {
            this.hide();
            return;
        }
        this.ensure();
        this.place.textContent = (this.texts.queue_position || "").replace(
            "%(position)s",
            String(place.position)
        );
        this.wait.textContent = (this.texts.queue_wait || "").replace(
            "%(minutes)s",
            String(place.wait_minutes)
        );
        this.node.hidden = false;
    }

    hide() {
        if (this.node) {
            this.node.hidden = true;
        }
    }
}
