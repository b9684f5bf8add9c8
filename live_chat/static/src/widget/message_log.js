/*
 * Live Chat widget: the message log. The session's messages as the visitor sees
 * them: the server's ones each once and in id order, whatever way they came (the
 * bus, a catch-up, an older page, the answer to a post), and the visitor's own on
 * their way (the outbox: queued, sending, failed), after them, in the order typed.
 */
/* exported MessageLog, htmlToText */

/* A message body (HTML sanitized by the server) as plain text: parsed in an inert
   document, never inserted as markup. */
function htmlToText(html) {
    const marked = String(html || "")
        .replace(/<br\s*\/?>/gi, "\n")
        .replace(/<\/p>\s*<p[^>]*>/gi, "\n");
    const doc = new DOMParser().parseFromString(marked, "text/html");
    return (doc.body.textContent || "").trim();
}

function normalized(text) {
    return String(text).replace(/\s+/g, " ").trim();
}

class MessageLog {
    /**
     * @param {Object} listener inserted(message, next), updated(message),
     *     prepended(messages), outgoing(item), removed(item)
     */
    constructor(listener) {
        this.listener = listener;
        this.reset();
    }

    reset() {
        this.messages = []; // the server's, by ascending id
        this.known = new Map(); // id: message
        this.outbox = []; // the visitor's unsent ones {key, text, state}, in order
        this.keys = 0;
        this.hasOlder = false;
    }

    get lastId() {
        const messages = this.messages;
        return messages.length ? messages[messages.length - 1].id : 0;
    }

    get firstId() {
        return this.messages.length ? this.messages[0].id : 0;
    }

    /** Server messages: the new ones inserted in id order, the known ones updated. */
    add(messages) {
        let added = 0;
        for (const message of messages || []) {
            if (!message || !Number.isInteger(message.id)) {
                continue;
            }
            if (this.hasOlder && message.id < this.firstId) {
                continue; // it comes with the older messages, without a gap
            }
            const known = this.known.get(message.id);
            if (known) {
                if (known.body !== message.body) {
                    known.body = message.body;
                    this.listener.updated(known);
                }
                continue;
            }
            if (message.from_visitor) {
                this.matchEcho(message);
            }
            let index = this.messages.length;
            while (index > 0 && this.messages[index - 1].id > message.id) {
                index -= 1;
            }
            this.messages.splice(index, 0, message);
            this.known.set(message.id, message);
            this.listener.inserted(message, this.messages[index + 1] || null);
            added += 1;
        }
        return added;
    }

    /** A page of older messages (ids below the first one shown), on top. */
    addOlder(messages, hasOlder) {
        const first = this.firstId;
        const older = (messages || []).filter(
            (m) =>
                m &&
                Number.isInteger(m.id) &&
                (!first || m.id < first) &&
                !this.known.has(m.id)
        );
        older.sort((a, b) => a.id - b.id);
        for (const message of older) {
            this.known.set(message.id, message);
        }
        this.messages.unshift(...older);
        this.hasOlder = Boolean(hasOlder);
        this.listener.prepended(older);
    }

    /** The visitor's message came back from the server (on the bus, before the answer
        to its request): the copy on its way is done. */
    matchEcho(message) {
        const text = normalized(htmlToText(message.body));
        const item = this.outbox.find(
            (i) => i.state === "sending" && !i.echo && normalized(i.text) === text
        );
        if (item) {
            item.echo = message.id;
            this.listener.removed(item);
        }
    }

    // The outbox: sent one after the other, in the order typed.

    queue(text) {
        this.keys += 1;
        const item = {key: `out${this.keys}`, text, state: "queued"};
        this.outbox.push(item);
        this.listener.outgoing(item);
        return item;
    }

    /** The next message to send: the oldest, when it waits for its turn. */
    next() {
        const item = this.outbox[0];
        return item && item.state === "queued" ? item : null;
    }

    sending(item) {
        item.state = "sending";
        this.listener.outgoing(item);
    }

    sent(item, message) {
        if (message) {
            this.add([message]);
        }
        this.outbox = this.outbox.filter((i) => i !== item);
        this.listener.removed(item);
    }

    /** ``item`` was not sent: neither are the ones typed after it, to keep the order. */
    failed(item) {
        if (item.echo) {
            // The server has it: only its answer was lost.
            this.sent(item);
            return;
        }
        for (const other of this.outbox) {
            other.state = "failed";
            this.listener.outgoing(other);
        }
    }

    /** ``item`` was refused for now (too many messages): it goes again, first. */
    requeue(item) {
        item.state = "queued";
        this.listener.outgoing(item);
    }

    retry() {
        for (const item of this.outbox) {
            if (item.state === "failed") {
                item.state = "queued";
                this.listener.outgoing(item);
            }
        }
    }
}
