/*
 * Live Chat widget: the widget itself, tying the transport, the message log and the
 * view together. The loader (loader.js) has asked the server already how to show the
 * widget on this page; it hands over on this bundle's script element (no global):
 * ``script.liveChatBoot`` = {config: {server, channel, page}, init: Promise of /init}.
 *
 * Nothing is lost or shown twice: messages are deduplicated by id and shown in id
 * order whatever way they come (the bus, the answer to a post, a catch-up); after a
 * reconnection, a silent bus (our own message does not come back on it) or a
 * heartbeat showing newer messages, the missed ones are fetched.
 */
/* global Transport, MessageLog, View, QueuePanel, showOfflineForm, LAZY_MODULES */

const HEARTBEAT = 60000; // the session's heartbeat (/live_chat/session/ping)
const ECHO_WAIT = 3000; // our own message is back on the bus by then, or the bus is stuck
const POLL_FAST = 3000; // while the bus is stuck: catch up this often...
const POLL_FAST_COUNT = 20; // ... this many times, then
const POLL_SLOW = 15000; // this often, until the bus brings something again
const RELOAD_RETRY = 30000;
const BUSY_AFTER = 800; // a request slower than this shows "Loading…"

function randomKey() {
    const bytes = new Uint8Array(18);
    window.crypto.getRandomValues(bytes);
    return btoa(String.fromCharCode(...bytes))
        .replace(/\+/g, "-")
        .replace(/\//g, "_");
}

/** A module of the widget loaded on demand: its exports, handed over on its script
    element (no global). */
function loadModule(server, name) {
    return new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = server + LAZY_MODULES[name];
        script.async = true;
        script.liveChatModule = resolve;
        script.onerror = reject;
        (document.head || document.documentElement).append(script);
    });
}

function whenBody() {
    return new Promise((resolve) => {
        if (document.body) {
            resolve();
        } else {
            document.addEventListener("DOMContentLoaded", () => resolve(), {
                once: true,
            });
        }
    });
}

class Widget {
    constructor(boot, script) {
        this.config = boot.config;
        this.boot = boot;
        // This code's own address: the server names the current one in /init.
        this.bundle = script ? new URL(script.src, window.location.href).pathname : "";
        this.storageKey = `live_chat:${this.config.server}:${this.config.channel}`;
        this.state = this.loadState();
        this.transport = new Transport(this.config.server);
        this.session = null;
        this.ended = false;
        this.loaded = false; // the latest messages of the session are shown
        this.timers = {};
        this.heard = 0; // the newest message the bus brought
        this.early = []; // what the bus brought before the latest messages were shown
        this.busyRequests = 0;
        this.log = new MessageLog({
            inserted: (message, next) => {
                this.view.insertMessage(message, next);
                this.tell("inserted", message);
                if (this.isRead) {
                    this.markSeen();
                } else if (
                    !message.from_visitor &&
                    message.id > (this.state.seen_id || 0)
                ) {
                    if (!this.view.isOpen) {
                        this.view.setUnread(true); // a dot on the button
                    }
                    this.showUnreadInTitle();
                }
                if (message.kind === "closed") {
                    this.applySession({state: "closed"});
                }
            },
            updated: (message) => this.view.updateMessage(message),
            prepended: (messages) => this.view.prependMessages(messages),
            outgoing: (item) => this.view.showOutgoing(item),
            removed: (item) => this.view.removeOutgoing(item),
        });
    }

    // ------------------------------------------------------------
    // State kept in the visitor's browser
    // ------------------------------------------------------------

    loadState() {
        try {
            return JSON.parse(window.localStorage.getItem(this.storageKey)) || {};
        } catch {
            return {};
        }
    }

    saveState() {
        try {
            window.localStorage.setItem(this.storageKey, JSON.stringify(this.state));
        } catch {
            // Private mode or storage full: the chat works, without resuming.
        }
    }

    get credentials() {
        return {session_id: this.session.id, token: this.state.token};
    }

    get texts() {
        return this.options.texts || {};
    }

    /** A request of the visitor's; one slower than BUSY_AFTER shows "Loading…" (not
        the ones made in the background: ``quiet``). */
    post(path, data, quiet) {
        const request = this.transport.post(path, data);
        if (quiet) {
            return request;
        }
        this.busyRequests += 1;
        const timer = setTimeout(() => this.view.setBusy(true), BUSY_AFTER);
        return request.finally(() => {
            clearTimeout(timer);
            this.busyRequests -= 1;
            if (!this.busyRequests) {
                this.view.setBusy(false);
            }
        });
    }

    /** The visitor sees the messages: the window open, in a tab in front. */
    get isRead() {
        return this.view.isOpen && document.visibilityState !== "hidden";
    }

    /** The operator's replies the visitor has not seen: "(2) Page title". */
    showUnreadInTitle() {
        const seen = this.state.seen_id || 0;
        const unread = this.log.messages.filter(
            (m) => !m.from_visitor && m.kind === "message" && m.id > seen
        ).length;
        if (this.pageTitle === undefined) {
            if (!unread) {
                return;
            }
            this.pageTitle = document.title;
        }
        if (unread) {
            document.title = `(${unread}) ${this.pageTitle}`;
        } else {
            document.title = this.pageTitle;
            this.pageTitle = undefined;
        }
    }

    /** A refused or failed request, told in the window's status line. */
    showError(error) {
        this.view.setStatus(error.message || this.texts.unreachable);
    }

    // ------------------------------------------------------------
    // Start
    // ------------------------------------------------------------

    async start() {
        const init = await this.boot.init;
        if (!init || !init.options) {
            return; // unreachable, or not on this website: the page goes on without us
        }
        if (!init.session && this.state.session_id) {
            // The session is gone (or closed long ago): start afresh, keep the guest.
            this.state = {guest_token: this.state.guest_token};
            this.saveState();
        }
        // Nobody to chat with: no button, unless the channel offers its offline form.
        this.offline = init.available || init.session ? null : init.offline || null;
        const form = this.offline && this.offline.mode === "form";
        if (!init.available && !init.session && !this.config.page && !form) {
            return;
        }
        await whenBody();
        this.mount(init);
    }

    mount(init) {
        this.options = init.options;
        this.server = init.server || {};
        document.addEventListener("visibilitychange", () => {
            // Not once replaced by a newer widget (replaceBy): its state is the one kept.
            if (this.view.host?.isConnected && this.isRead) {
                this.markSeen();
            }
        });
        this.view = new View(this.config, this.options, {
            open: (focus) => this.open(focus),
            send: (text) => this.send(text),
            retry: () => {
                this.log.retry();
                this.pump();
            },
            end: () => this.end(),
            newChat: () => this.newChat(),
            minimize: () => this.minimize(),
            loadOlder: () => this.loadOlder(),
            rate: (value, comment) => this.rate(value, comment),
            decorate: (node, message) => this.tell("decorate", node, message),
            transcript: (email) => this.sendTranscript(email),
        });
        this.view.mount({
            bubble: init.action === "show_notification" && !init.session,
            version: this.bundle.split("/").pop().replace(/\.js$/, ""),
        });
        if (init.session) {
            // The socket hears the session from the bus's newest notification on: what
            // came before (a day ago, say) is in the messages that resume() loads;
            // from an older id the host would read every notification since then.
            this.state.last_bus_id = Math.max(
                this.state.last_bus_id || 0,
                init.bus_last_id || 0
            );
            this.resume(init.session);
        }
        if (this.config.page || (init.session && this.state.open)) {
            this.open(false);
        } else if (
            init.action === "auto_open" &&
            !init.session &&
            !this.state.dismissed
        ) {
            this.timers.auto = setTimeout(
                () => this.open(false),
                Math.max(0, init.timer || 0) * 1000
            );
        }
    }

    prepareWindow() {
        this.view.ensureWindow();
        this.view.setMaxLength(this.server.message_max_length);
    }

    /** The visitor's session, from the start of the page: shown, heard, kept alive. */
    resume(session) {
        this.prepareWindow();
        this.view.reset(null);
        this.session = session;
        this.view.setTitle(session.operator && session.operator.name);
        this.ended = session.state === "closed";
        this.view.setEnded(this.ended, true);
        this.applyQueue(session);
        this.view.setRating(this.ended && !session.rating ? "ask" : null);
        this.sync();
        if (!this.ended) {
            // The socket hears the bus from an id older than what sync() loads: no
            // catch-up when it first opens (it was one more request per page view).
            this.listen(!this.state.last_bus_id);
            this.startHeartbeat();
        }
    }

    // ------------------------------------------------------------
    // What the visitor does
    // ------------------------------------------------------------

    open(focus) {
        clearTimeout(this.timers.auto);
        if (this.offline && this.offline.mode === "form" && !this.session) {
            showOfflineForm(this, "offline", this.offline.back_at);
            return;
        }
        const first = !this.view.win;
        if (first) {
            this.prepareWindow();
            this.view.reset(this.options.default_message);
            this.view.setEnded(false, false);
        }
        this.view.open(focus);
        this.loadModules();
        this.tell("opened");
        this.state.open = true;
        this.markSeen();
        this.saveState();
    }

    /** Typing, seen and files (presence.js, attachments.js): loaded on the first
        opening of the window, told what happens (``tell``). */
    loadModules() {
        if (this.modules) {
            return;
        }
        this.modules = [];
        loadModule(this.config.server, "talk")
            .then(({Presence, Attachments}) => {
                this.modules = [new Presence(this), new Attachments(this)];
            })
            .catch((error) => {
                // Loaded again on the next opening (a network error).
                this.modules = null;
                console.warn("Live chat:", error);
            });
    }

    tell(event, ...args) {
        for (const module of this.modules || []) {
            module[event]?.(...args);
        }
    }

    /** What the visitor has seen: the newest message while the window is open. */
    markSeen() {
        if (this.log.lastId > (this.state.seen_id || 0)) {
            this.state.seen_id = this.log.lastId;
            this.saveState();
        }
        this.showUnreadInTitle();
    }

    minimize() {
        this.view.hide();
        this.state.open = false;
        this.state.dismissed = true;
        this.saveState();
    }

    send(text) {
        this.view.setStatus("");
        // Typed again after a failure: the unsent ones go first, in order.
        this.log.retry();
        this.log.queue(text);
        this.pump();
    }

    /** Send the outbox, one message after the other: the first one starts the
        session, the next ones wait for it and join it, in order. */
    async pump() {
        if (this.pumping || this.timers.wait) {
            return;
        }
        const item = this.log.next();
        if (!item) {
            return;
        }
        this.pumping = true;
        this.log.sending(item);
        let sent = false;
        try {
            let message = null;
            if (this.session) {
                const answer = await this.post("/live_chat/session/post", {
                    ...this.credentials,
                    body: item.text,
                });
                message = answer.message;
                this.log.sent(item, message);
            } else {
                const answer = await this.postStart(item.text);
                message = answer.messages.filter((m) => m.from_visitor).pop();
                this.started(answer, item);
            }
            sent = true;
            if (message) {
                this.expectEcho(message.id);
            }
        } catch (error) {
            if (error.status === 429 && !item.echo) {
                // Too many messages: this one and the next go by themselves once the
                // server says so, no "Retry" to click.
                this.waitAndPump(item, error.retryAfter);
                return;
            }
            this.log.failed(item);
            if (error.code === "session_closed") {
                this.applySession({state: "closed"});
            }
            this.showError(error);
        } finally {
            this.pumping = false;
        }
        if (sent) {
            this.pump();
        }
    }

    waitAndPump(item, seconds) {
        this.log.requeue(item);
        this.view.setStatus(this.texts.waiting);
        const delay = Math.min(Math.max(Number(seconds) || 5, 1), 600) * 1000;
        this.timers.wait = setTimeout(() => {
            this.timers.wait = null;
            this.view.setStatus("");
            this.pump();
        }, delay);
    }

    postStart(text) {
        if (!this.state.start_key) {
            // One per new conversation: the same start sent twice makes one session.
            this.state.start_key = randomKey();
            this.saveState();
        }
        return this.post("/live_chat/session/start", {
            channel_id: this.config.channel,
            body: text,
            url: this.config.page
                ? document.referrer || window.location.href
                : window.location.href,
            guest_token: this.state.guest_token,
            start_key: this.state.start_key,
        });
    }

    started(answer, item) {
        this.state.session_id = answer.session.id;
        this.state.token = answer.token;
        // The socket hears the session from the bus's newest notification on.
        this.state.last_bus_id = this.state.last_bus_id || answer.bus_last_id || 0;
        if (answer.guest) {
            this.state.guest_token = answer.guest.token;
        }
        delete this.state.start_key;
        this.saveState();
        this.session = answer.session;
        this.loaded = true;
        this.view.removeWelcome();
        this.log.add(answer.messages);
        this.log.sent(item);
        this.log.hasOlder = Boolean(answer.has_older);
        this.view.setOlder(this.log.hasOlder);
        this.view.setTitle(this.session.operator && this.session.operator.name);
        this.view.setEnded(false, true);
        this.applyQueue(this.session);
        // Nothing to catch up on when the socket first opens: the answer holds the
        // session's messages, and the socket hears the bus from a notification before
        // them. Nor to ping at once: the start is the visitor's sign of life, and the
        // answer what a ping would tell. (Two requests less per new session.)
        this.listen(!this.state.last_bus_id);
        this.startHeartbeat(false);
    }

    async end() {
        if (!this.session) {
            return;
        }
        let answer = null;
        try {
            answer = await this.post("/live_chat/session/close", this.credentials);
        } catch (error) {
            this.showError(error);
            return;
        }
        // The closing notice at once, whatever the bus does (shown once: by its id).
        this.log.add(answer.messages || []);
        this.applySession({state: "closed"});
    }

    /** The visitor's rating of the chat that ended (once). */
    async rate(value, comment) {
        if (!this.session) {
            return;
        }
        try {
            await this.post("/live_chat/session/rate", {
                ...this.credentials,
                rating: value,
                comment: comment || undefined,
            });
        } catch (error) {
            if (error.code !== "already_rated") {
                this.showError(error);
                this.view.setRating("ask");
                return;
            }
        }
        this.session = {...this.session, rating: value};
        this.view.setStatus("");
        this.view.setRating("done");
    }

    /** The conversation of the ended chat, emailed to ``email`` (transcript.js). */
    async sendTranscript(email) {
        if (!this.session) {
            throw new Error(this.texts.unreachable);
        }
        try {
            await this.post("/live_chat/session/transcript", {
                ...this.credentials,
                email,
            });
        } catch (error) {
            throw error.message ? error : new Error(this.texts.unreachable);
        }
    }

    newChat() {
        this.afresh();
        this.view.input.focus();
    }

    /** No session any more: an empty window, ready for a new conversation. */
    afresh() {
        this.forget();
        this.view.reset(this.options.default_message);
        this.view.setTitle("");
        this.view.setEnded(false, false);
        this.view.setRating(null);
    }

    async loadOlder() {
        if (!this.session || this.loadingOlder) {
            return;
        }
        this.loadingOlder = true;
        this.view.setOlder(true, true);
        try {
            const answer = await this.post("/live_chat/session/messages", {
                ...this.credentials,
                before_id: this.log.firstId,
            });
            this.log.addOlder(answer.messages, answer.has_older);
        } catch (error) {
            this.showError(error);
        } finally {
            this.loadingOlder = false;
            this.view.setOlder(this.log.hasOlder, false);
        }
    }

    // ------------------------------------------------------------
    // The session's state
    // ------------------------------------------------------------

    /** What the server says of the session (``info``: {state, operator}). */
    applySession(info) {
        if (!this.session) {
            return;
        }
        this.session = {...this.session, ...info};
        this.tell("session", info);
        if (info.operator) {
            this.view.setTitle(info.operator.name);
        }
        this.applyQueue(info);
        if (info.state === "closed" && !this.ended) {
            this.ended = true;
            this.view.setEnded(true, true);
            this.view.setRating(this.session.rating ? null : "ask");
            this.transport.stop();
            this.stopTimers();
            // What was written until the end (the closing notice), then nothing more.
            this.sync();
        }
    }

    /** Waiting in the queue (``info``: the session's, or a part of it): the place
        shown; connected or ended: hidden. */
    applyQueue(info) {
        if (info.state && info.state !== "waiting") {
            this.queue?.hide();
        } else if (info.queue) {
            if (!this.queue) {
                this.queue = new QueuePanel(this.view, this.texts, () =>
                    showOfflineForm(this, "queue", null)
                );
            }
            this.queue.update(info.queue);
        }
        // Offered once per session (every sync brings the session's info again).
        if (info.offline_form && this.offeredForm !== info.offline_form) {
            this.offeredForm = info.offline_form;
            showOfflineForm(this, info.offline_form, null);
        }
    }

    /** The session is no more (or not this visitor's): start afresh. */
    forget() {
        this.queue?.hide();
        this.offeredForm = null;
        this.transport.stop();
        this.stopTimers();
        this.session = null;
        this.ended = false;
        this.loaded = false;
        this.early = [];
        this.heard = 0;
        this.log.reset();
        this.state = {guest_token: this.state.guest_token, open: this.state.open};
        this.saveState();
    }

    stopTimers() {
        clearInterval(this.timers.heartbeat);
        clearTimeout(this.timers.echo);
        clearTimeout(this.timers.relisten);
        // A message waiting out a rate limit: the next chat does not wait for it.
        clearTimeout(this.timers.wait);
        this.timers.wait = null;
        this.stopPolling();
        this.timers.heartbeat = null;
    }

    // ------------------------------------------------------------
    // Catching up: the bus, the messages API, the heartbeat
    // ------------------------------------------------------------

    /** Hear the session's bus channel; ``catchUp``: ask for what was missed each time
        the socket opens, else from its second opening on (a reconnection). */
    listen(catchUp = true) {
        if (
            !this.session ||
            this.ended ||
            !this.session.bus_channel ||
            !this.server.bus_version
        ) {
            return;
        }
        this.transport.listen(
            this.session.bus_channel,
            this.server.bus_version,
            this.state.last_bus_id || 0,
            {
                notification: (type, payload) => this.onNotification(type, payload),
                open: () => {
                    // Only the socket's own status: an unsent message's error stays.
                    if (this.reconnecting) {
                        this.reconnecting = false;
                        this.view.setStatus("");
                    }
                    // What was posted while we were away and is no longer on the bus.
                    if (catchUp) {
                        this.sync();
                    }
                    catchUp = true;
                },
                down: (retries) => {
                    if (retries > 1) {
                        this.reconnecting = true;
                        this.view.setStatus(this.texts.reconnecting);
                    }
                },
                outdated: () => this.reloadCode(),
                progress: (last) => {
                    this.state.last_bus_id = last;
                    this.saveState();
                },
            }
        );
    }

    onNotification(type, payload) {
        if (!this.session || !payload || typeof payload !== "object") {
            return;
        }
        if (type === "live_chat/message" && payload.session_id === this.session.id) {
            if (payload.id > this.heard) {
                this.heard = payload.id;
            }
            if (this.polling && payload.id > this.pollingFrom) {
                this.stopPolling(); // the bus works again
            }
            if (this.loaded) {
                this.log.add([payload]);
            } else {
                this.early.push(payload);
            }
        } else if (
            type === "live_chat/reactions" &&
            payload.session_id === this.session.id &&
            Array.isArray(payload.reactions)
        ) {
            const message = this.log.known.get(payload.message_id);
            if (message) {
                message.reactions = payload.reactions;
                this.view.setReactions(message.id, payload.reactions);
            }
        } else if (type === "live_chat/session" && payload.id === this.session.id) {
            this.applySession({state: payload.state, operator: payload.operator});
        } else if (
            type === "live_chat/queue" &&
            payload.session_id === this.session.id
        ) {
            this.applyQueue({queue: payload});
        } else if (
            type === "live_chat/offline_form" &&
            payload.session_id === this.session.id
        ) {
            this.applyQueue({offline_form: payload.reason});
        } else {
            this.tell("notification", type, payload);
        }
    }

    /** Our own message (``id``) comes back on the bus; if it does not, the bus is stuck
        (the server's listener reconnecting after a database restart, say): catch up by
        asking, every few seconds, until the bus brings something new again. */
    expectEcho(id) {
        clearTimeout(this.timers.echo);
        this.timers.echo = setTimeout(() => {
            if (this.heard < id && this.session && !this.ended) {
                this.startPolling();
            }
        }, ECHO_WAIT);
    }

    startPolling() {
        if (this.polling) {
            return;
        }
        this.polling = true;
        this.pollingFrom = this.heard;
        let count = 0;
        const tick = () => {
            if (!this.polling) {
                return;
            }
            this.sync();
            count += 1;
            this.timers.poll = setTimeout(
                tick,
                count < POLL_FAST_COUNT ? POLL_FAST : POLL_SLOW
            );
        };
        tick();
    }

    stopPolling() {
        this.polling = false;
        clearTimeout(this.timers.poll);
    }

    /** ``now``: the first ping at once, else after a period. */
    startHeartbeat(now = true) {
        if (this.timers.heartbeat) {
            return;
        }
        if (now) {
            this.ping();
        }
        this.timers.heartbeat = setInterval(() => this.ping(), HEARTBEAT);
    }

    async ping() {
        if (!this.session || this.ended) {
            return;
        }
        let answer = null;
        try {
            answer = await this.post("/live_chat/session/ping", this.credentials, true);
        } catch (error) {
            if (error.code === "not_found") {
                this.gone();
            }
            // Otherwise unreachable for now (or a server without the route): next time.
            return;
        }
        if (answer.state && answer.state !== this.session.state) {
            this.applySession({state: answer.state});
            this.sync(); // connected: the operator's name and first words
        } else if (answer.queue) {
            this.applyQueue(answer);
        } else if (answer.last_message_id > this.log.lastId) {
            // A load under way (a page view's first one, started with this ping) may
            // bring that message: compared again once it is done, not loaded twice.
            await this.syncing;
            if (answer.last_message_id > this.log.lastId) {
                this.sync();
            }
        }
    }

    /** The session's messages the visitor does not have: the latest ones first, then
        those after the last one shown. Concurrent calls make one more round. */
    sync() {
        if (!this.session) {
            return Promise.resolve();
        }
        if (this.syncing) {
            this.syncAgain = true;
            return this.syncing;
        }
        this.syncing = this.syncRounds()
            .catch((error) => {
                if (error.code === "not_found") {
                    this.gone();
                }
            })
            .finally(() => {
                this.syncing = null;
            });
        return this.syncing;
    }

    async syncRounds() {
        do {
            this.syncAgain = false;
            const session = this.session;
            let answer = null;
            if (this.loaded) {
                do {
                    answer = await this.post(
                        "/live_chat/session/messages",
                        {...this.credentials, after_id: this.log.lastId},
                        true
                    );
                    if (this.session !== session) {
                        return;
                    }
                    this.log.add(answer.messages);
                } while (answer.has_newer && answer.messages.length);
            } else {
                answer = await this.post(
                    "/live_chat/session/messages",
                    this.credentials
                );
                if (this.session !== session) {
                    return;
                }
                this.loaded = true;
                this.log.hasOlder = Boolean(answer.has_older);
                this.log.add(answer.messages);
                // What the bus brought meanwhile, but for older messages (they come
                // with "load older messages").
                this.log.add(this.early.splice(0));
                this.view.setOlder(this.log.hasOlder);
            }
            if (answer.session) {
                this.applySession(answer.session);
            }
        } while (this.syncAgain && this.session);
    }

    gone() {
        const wasOpen = this.view.isOpen;
        this.afresh();
        if (!wasOpen && !this.config.page) {
            this.view.hide();
        }
    }

    // ------------------------------------------------------------
    // A new version of the widget
    // ------------------------------------------------------------

    requestInit() {
        return this.post(
            `/live_chat/init/${this.config.channel}`,
            {
                url: window.location.href,
                session_id: this.state.session_id,
                token: this.state.token,
                guest_token: this.state.guest_token,
                tz: Intl.DateTimeFormat().resolvedOptions().timeZone,
            },
            true
        ).catch(() => null);
    }

    /** The bus runs a newer protocol than this code knows: ask the server again, and
        run its current code when it is not this one. */
    async reloadCode() {
        if (this.reloading) {
            return;
        }
        this.reloading = true;
        const init = await this.requestInit();
        this.reloading = false;
        if (!init || !init.server) {
            this.timers.relisten = setTimeout(() => this.reloadCode(), RELOAD_RETRY);
            return;
        }
        if (init.server.bundle && init.server.bundle !== this.bundle) {
            this.replaceBy(init);
            return;
        }
        // The same widget for a newer bus: listen with its version (later if the
        // server still calls it outdated).
        const same = init.server.bus_version === this.server.bus_version;
        this.server = init.server;
        this.timers.relisten = setTimeout(() => this.listen(), same ? RELOAD_RETRY : 0);
    }

    replaceBy(init) {
        if (this.pumping || this.log.next()) {
            // Messages on their way: the new code takes over once they are sent.
            this.timers.relisten = setTimeout(() => this.replaceBy(init), 500);
            return;
        }
        this.transport.stop();
        this.stopTimers();
        clearTimeout(this.timers.auto);
        this.session = null;
        this.view.destroy();
        if (this.pageTitle !== undefined) {
            document.title = this.pageTitle; // the new code counts the unread again
        }
        const script = document.createElement("script");
        script.src = this.config.server + init.server.bundle;
        script.async = true;
        script.liveChatBoot = {config: this.config, init: Promise.resolve(init)};
        (document.head || document.documentElement).append(script);
    }
}

{
    const script = document.currentScript;
    const boot = script && script.liveChatBoot;
    if (boot) {
        new Widget(boot, script).start().catch((error) => {
            // Never an error on the visitor's page.
            console.warn("Live chat:", error);
        });
    }
}
