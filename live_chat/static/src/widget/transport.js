/*
 * Live Chat widget: the transport. JSON requests to the chat server's API (HTTP),
 * and the host's bus (its websocket) on the session's own bus channel. The bus
 * protocol version comes from the server; when the bus says it is outdated, the
 * widget is told (``outdated``) instead of reconnecting with it again and again.
 */
/* exported Transport */

class RequestError extends Error {
    constructor(message, status, code, retryAfter) {
        super(message);
        this.status = status; // 0: the server could not be reached
        this.code = code;
        this.retryAfter = retryAfter; // seconds, after a 429
    }
}

class Transport {
    constructor(server) {
        this.server = server;
        this.socket = null;
        this.channel = null;
        this.retries = 0;
        this.timer = null;
    }

    /**
     * The visitor's language, sent with each request: the page's (what the visitor
     * reads: on a website, the language they chose), else the browser's.
     */
    lang() {
        return document.documentElement.lang || navigator.language;
    }

    /** POST a JSON object as text/plain: a "simple" request, without CORS preflight. */
    async post(path, data) {
        let response = null;
        try {
            response = await fetch(this.server + path, {
                method: "POST",
                headers: {"Content-Type": "text/plain"},
                body: JSON.stringify({lang: this.lang(), ...data}),
            });
        } catch {
            throw new RequestError("", 0, "unreachable");
        }
        let body = null;
        try {
            body = await response.json();
        } catch {
            // Not JSON: a proxy's or the host's error page.
        }
        if (!response.ok || !body || typeof body !== "object") {
            const error = (body && body.error) || {};
            throw new RequestError(
                error.message || response.statusText,
                response.status,
                error.code,
                parseInt(response.headers.get("Retry-After"), 10) || 0
            );
        }
        return body;
    }

    /**
     * Hear the bus channel ``channel`` (protocol ``version``) from notification
     * ``last`` on, until stop().
     * @param {Object} handlers notification(type, payload), open(), down(retries),
     *     outdated(), progress(last)
     */
    listen(channel, version, last, handlers) {
        if (this.channel === channel && this.version === version && this.socket) {
            return;
        }
        this.stop();
        this.channel = channel;
        this.version = version;
        this.last = last || 0;
        this.handlers = handlers;
        this.retries = 0;
        this.connect();
    }

    connect() {
        if (this.socket || !this.channel) {
            return;
        }
        const url = `${this.server.replace(/^http/, "ws")}/websocket?version=${encodeURIComponent(
            this.version
        )}`;
        let socket = null;
        try {
            socket = new WebSocket(url);
        } catch {
            this.reconnectLater();
            return;
        }
        this.socket = socket;
        socket.onopen = () => {
            this.retries = 0;
            socket.send(
                JSON.stringify({
                    event_name: "subscribe",
                    data: {channels: [this.channel], last: this.last},
                })
            );
            this.handlers.open();
        };
        socket.onmessage = (event) => {
            let notifications = null;
            try {
                notifications = JSON.parse(event.data);
            } catch {
                return;
            }
            if (!Array.isArray(notifications)) {
                return;
            }
            for (const notification of notifications) {
                if (notification && notification.id > this.last) {
                    this.last = notification.id;
                }
                const message = notification && notification.message;
                if (message) {
                    this.handlers.notification(message.type, message.payload);
                }
            }
            this.handlers.progress(this.last);
        };
        socket.onclose = (event) => {
            if (this.socket !== socket) {
                return;
            }
            this.socket = null;
            if (event.reason === "OUTDATED_VERSION") {
                // The server runs a newer bus: our code is stale, reconnecting is useless.
                this.handlers.outdated();
                return;
            }
            this.reconnectLater();
        };
    }

    reconnectLater() {
        if (!this.channel) {
            return;
        }
        this.retries += 1;
        this.handlers.down(this.retries);
        // 1 s, 2 s, ... 10 s, spread so that a restarted server is not hit all at once.
        const delay = Math.min(1000 * this.retries, 10000) * (0.75 + Math.random() / 2);
        this.timer = setTimeout(() => {
            this.timer = null;
            this.connect();
        }, delay);
    }

    stop() {
        this.channel = null;
        clearTimeout(this.timer);
        this.timer = null;
        const socket = this.socket;
        this.socket = null;
        if (socket) {
            socket.onclose = socket.onmessage = socket.onopen = null;
            socket.close();
        }
    }
}
