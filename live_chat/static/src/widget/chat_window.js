/*
 * Live Chat: the visitor's chat window. Loaded by loader.js on the first click
 * (or at once on the support page and when resuming an open chat).
 *
 * Messages go to the server over HTTP (/live_chat/session/*) and come back over
 * the host's bus (websocket): a new message is shown within a blink, and after a
 * dropped connection the missed ones are fetched once, in order, without duplicates.
 * Every text is shown as text (textContent), never as markup.
 */
"use strict";
(function () {
    var CSS =
        ".win{position:fixed;right:20px;bottom:20px;z-index:2147483001;width:360px;height:520px;" +
        "max-width:calc(100vw - 24px);max-height:calc(100vh - 24px);display:flex;flex-direction:column;" +
        "background:#fff;color:#111827;border-radius:14px;overflow:hidden;" +
        "box-shadow:0 10px 30px rgba(0,0,0,.25);font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}" +
        ".win.page{position:fixed;inset:0;width:auto;height:auto;max-width:none;max-height:none;border-radius:0}" +
        ".head{display:flex;align-items:center;gap:8px;padding:12px 14px}" +
        ".title{flex:1;font-weight:600;font-size:15px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}" +
        ".hbtn{background:transparent;border:0;color:inherit;cursor:pointer;font:inherit;padding:4px 8px;" +
        "border-radius:6px;opacity:.9}.hbtn:hover{opacity:1;background:rgba(255,255,255,.15)}" +
        ".log{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:8px;background:#f9fafb}" +
        ".msg{max-width:80%;padding:8px 11px;border-radius:12px;white-space:pre-wrap;word-wrap:break-word;" +
        "background:#fff;border:1px solid #e5e7eb;align-self:flex-start}" +
        ".msg.me{align-self:flex-end;background:#dbeafe;border-color:#bfdbfe}" +
        ".msg.pending{opacity:.6}.msg.failed{border-color:#f87171}" +
        ".who{display:block;font-size:12px;color:#6b7280;margin-bottom:2px}" +
        ".note{align-self:center;font-size:12px;color:#6b7280;font-style:italic;text-align:center}" +
        ".retry{display:block;margin-top:4px;background:none;border:0;color:#b91c1c;cursor:pointer;padding:0;font:inherit;font-size:12px;text-decoration:underline}" +
        ".status{font-size:12px;color:#92400e;background:#fef3c7;padding:4px 12px}" +
        ".foot{display:flex;gap:8px;padding:10px;border-top:1px solid #e5e7eb;background:#fff}" +
        ".input{flex:1;resize:none;border:1px solid #d1d5db;border-radius:10px;padding:8px 10px;" +
        "font:inherit;color:inherit;background:#fff;min-height:20px;max-height:120px}" +
        ".input:focus{outline:2px solid #93c5fd;border-color:#93c5fd}" +
        ".send{border:0;border-radius:10px;padding:0 14px;cursor:pointer;font:inherit;font-weight:600}" +
        ".send:disabled,.input:disabled{opacity:.5;cursor:default}" +
        ".again{margin:auto;border:0;border-radius:10px;padding:8px 14px;cursor:pointer;font:inherit}" +
        "[hidden]{display:none!important}";

    function el(tag, cls, text) {
        var node = document.createElement(tag);
        if (cls) {
            node.className = cls;
        }
        if (text !== undefined) {
            node.textContent = text;
        }
        return node;
    }

    /* A message body (HTML sanitized by the server) as plain text: parsed in an inert
       document, never inserted as markup. */
    function htmlToText(html) {
        var marked = String(html || "")
            .replace(/<br\s*\/?>/gi, "\n")
            .replace(/<\/p>\s*<p[^>]*>/gi, "\n");
        var doc = new DOMParser().parseFromString(marked, "text/html");
        return (doc.body.textContent || "").trim();
    }

    /* Messages of a "discuss.channel/new_message" bus notification (the host's Store format). */
    function fromStore(payload, visitor) {
        var data = payload.data || {};
        var names = {};
        (data["res.partner"] || []).forEach(function (p) {
            names["p" + p.id] = p.name;
        });
        (data["mail.guest"] || []).forEach(function (g) {
            names["g" + g.id] = g.name;
        });
        return (data["mail.message"] || [])
            .filter(function (m) {
                return (
                    m.message_type === "comment" || m.message_type === "notification"
                );
            })
            .map(function (m) {
                var partnerId =
                    typeof m.author_id === "object" && m.author_id
                        ? m.author_id.id
                        : m.author_id;
                var guestId =
                    typeof m.author_guest_id === "object" && m.author_guest_id
                        ? m.author_guest_id.id
                        : m.author_guest_id;
                var body = Array.isArray(m.body) ? m.body[1] : m.body;
                return {
                    id: m.id,
                    body: body,
                    author: names[partnerId ? "p" + partnerId : "g" + guestId] || "",
                    from_visitor: Boolean(
                        (guestId && guestId === visitor.guest_id) ||
                        (partnerId && partnerId === visitor.partner_id)
                    ),
                    notification: m.message_type === "notification",
                };
            });
    }

    window.__liveChatWindow = function (widget) {
        var cfg = widget.cfg;
        var options = widget.options;
        var texts = options.texts;
        var post = widget.post;
        var state = widget.loadState();
        var session = widget.init.session || null;
        var rendered = {};
        var lastId = 0;
        var ws = null;
        var retries = 0;
        var ended = Boolean(session && session.state !== "open");

        var win = el("div", "win" + (cfg.page ? " page" : ""));
        win.setAttribute("role", "dialog");
        win.setAttribute("aria-label", options.name);
        var head = el("div", "head");
        head.style.background = options.header_background_color;
        head.style.color = options.title_color;
        var title = el("div", "title", options.name);
        var endBtn = el("button", "hbtn end", texts.end_chat);
        endBtn.type = "button";
        var minBtn = el("button", "hbtn min", "\u2013");
        minBtn.type = "button";
        minBtn.title = texts.minimize;
        minBtn.setAttribute("aria-label", texts.minimize);
        head.append(title, endBtn);
        if (!cfg.page) {
            head.append(minBtn);
        }
        var status = el("div", "status");
        status.hidden = true;
        status.setAttribute("role", "status");
        var log = el("div", "log");
        log.setAttribute("role", "log");
        log.setAttribute("aria-live", "polite");
        var foot = el("form", "foot");
        var input = el("textarea", "input");
        input.rows = 1;
        input.placeholder = options.input_placeholder;
        input.setAttribute("aria-label", options.input_placeholder || texts.message);
        input.maxLength = 4000;
        var send = el("button", "send", texts.send);
        send.type = "submit";
        send.style.background = options.button_background_color;
        send.style.color = options.button_text_color;
        foot.append(input, send);
        var again = el("button", "again", texts.new_chat);
        again.type = "button";
        again.hidden = true;
        again.style.background = options.button_background_color;
        again.style.color = options.button_text_color;
        win.append(head, status, log, foot, again);
        win.hidden = true;
        // The window's styles, in the shadow root the loader made for the widget.
        widget.root.append(el("style", null, CSS), win);

        function save() {
            state.session_id = session ? session.id : undefined;
            widget.saveState(state);
        }

        /* The server's own words (in the visitor's language), else ours. */
        function errorText(error) {
            return error.code ? error.message : texts.network_error;
        }

        function showStatus(text) {
            status.textContent = text || "";
            status.hidden = !text;
        }

        function scroll() {
            log.scrollTop = log.scrollHeight;
        }

        function bubble(msg) {
            if (msg.notification) {
                return el("div", "note", htmlToText(msg.body));
            }
            var node = el("div", "msg" + (msg.from_visitor ? " me" : ""));
            if (!msg.from_visitor && msg.author) {
                node.append(el("span", "who", msg.author));
            }
            node.append(
                document.createTextNode(
                    msg.text !== undefined ? msg.text : htmlToText(msg.body)
                )
            );
            return node;
        }

        /* Insert a server message once, in id order. */
        function add(msg) {
            if (!msg || rendered[msg.id]) {
                return;
            }
            var node = bubble(msg);
            node.dataset.id = msg.id;
            rendered[msg.id] = node;
            if (msg.from_visitor) {
                // Our own message came back: it replaces the oldest pending copy of it.
                var pending = log.querySelector(".msg.pending");
                if (pending) {
                    pending.remove();
                }
            }
            var next = null;
            if (msg.id < lastId) {
                next = Array.prototype.find.call(
                    log.querySelectorAll("[data-id]"),
                    function (n) {
                        return Number(n.dataset.id) > msg.id;
                    }
                );
            }
            var firstPending = log.querySelector(".msg.pending");
            log.insertBefore(node, next || firstPending || null);
            lastId = Math.max(lastId, msg.id);
            state.last_message_id = lastId;
            scroll();
        }

        function welcome() {
            log.textContent = "";
            if (options.default_message) {
                var node = bubble({
                    text: options.default_message,
                    author: options.name,
                });
                node.classList.add("welcome");
                log.append(node);
            }
        }

        function setEnded(value) {
            ended = value;
            input.disabled = send.disabled = value;
            endBtn.hidden = value || !session;
            foot.hidden = value;
            again.hidden = !value;
            if (value && ws) {
                ws.onclose = null;
                ws.close();
                ws = null;
            }
        }

        function fetchMissed() {
            if (!session) {
                return Promise.resolve();
            }
            return post("/live_chat/session/messages", {
                session_id: session.id,
                token: state.token,
                after_id: lastId,
            }).then(
                function (res) {
                    res.messages.forEach(add);
                    session = res.session;
                    title.textContent = session.operator.name || options.name;
                    save();
                    if (session.state !== "open") {
                        setEnded(true);
                    }
                },
                function (error) {
                    if (error.status === 404) {
                        forget();
                    }
                }
            );
        }

        function visitor() {
            return {
                guest_id: session && session.guest_id,
                partner_id: session && session.visitor_partner_id,
            };
        }

        function onNotification(type, payload) {
            if (!session || !payload) {
                return;
            }
            if (type === "discuss.channel/new_message" && payload.id === session.id) {
                fromStore(payload, visitor()).forEach(add);
            } else if (
                type === "live_chat/session_closed" &&
                payload.id === session.id
            ) {
                fetchMissed().then(function () {
                    setEnded(true);
                });
            }
        }

        function connect() {
            if (ws || ended || !session) {
                return;
            }
            var socket = new WebSocket(
                cfg.server.replace(/^http/, "ws") + "/websocket?version=19.0-2"
            );
            ws = socket;
            socket.onopen = function () {
                retries = 0;
                showStatus("");
                socket.send(
                    JSON.stringify({
                        event_name: "subscribe",
                        data: {
                            channels: state.guest_token
                                ? ["mail.guest_" + state.guest_token]
                                : [],
                            last: state.last_bus_id || 0,
                        },
                    })
                );
                // What was posted while we were away and is no longer on the bus.
                fetchMissed();
            };
            socket.onmessage = function (event) {
                var notifications;
                try {
                    notifications = JSON.parse(event.data);
                } catch {
                    return;
                }
                (Array.isArray(notifications) ? notifications : []).forEach(
                    function (n) {
                        if (n.id > (state.last_bus_id || 0)) {
                            state.last_bus_id = n.id;
                        }
                        if (n.message) {
                            onNotification(n.message.type, n.message.payload);
                        }
                    }
                );
                save();
            };
            socket.onclose = function () {
                ws = null;
                if (ended) {
                    return;
                }
                retries += 1;
                if (retries > 1) {
                    showStatus(texts.reconnecting);
                }
                window.setTimeout(connect, Math.min(1000 * retries, 10000));
            };
        }

        function forget() {
            session = null;
            state = {guest_token: state.guest_token};
            rendered = {};
            lastId = 0;
            save();
        }

        function submit(text, pendingNode) {
            var pending = pendingNode || bubble({text: text, from_visitor: true});
            pending.className = "msg me pending";
            if (!pendingNode) {
                log.append(pending);
                scroll();
            }
            var request = session
                ? post("/live_chat/session/post", {
                      session_id: session.id,
                      token: state.token,
                      body: text,
                  })
                : post("/live_chat/session/start", {
                      channel_id: cfg.channel,
                      body: text,
                      url: cfg.page
                          ? document.referrer || window.location.href
                          : window.location.href,
                      lang: navigator.language,
                      guest_token: state.guest_token,
                  });
            request.then(
                function (res) {
                    if (res.token) {
                        session = res.session;
                        state.token = res.token;
                        if (res.guest) {
                            state.guest_token = res.guest.token;
                        }
                        title.textContent = session.operator.name || options.name;
                        log.textContent = "";
                        rendered = {};
                        lastId = 0;
                        log.append(pending);
                        res.messages.forEach(add);
                        endBtn.hidden = false;
                        save();
                        connect();
                    } else {
                        add(res.message);
                    }
                    if (pending.isConnected) {
                        pending.remove();
                    }
                },
                function (error) {
                    pending.classList.remove("pending");
                    pending.classList.add("failed");
                    if (error.code === "session_closed") {
                        setEnded(true);
                    }
                    var retry = el("button", "retry", texts.retry);
                    retry.type = "button";
                    retry.addEventListener("click", function () {
                        retry.remove();
                        pending.classList.remove("failed");
                        submit(text, pending);
                    });
                    pending.append(retry);
                    showStatus(errorText(error));
                }
            );
        }

        foot.addEventListener("submit", function (event) {
            event.preventDefault();
            var text = input.value.trim();
            if (!text || ended) {
                return;
            }
            input.value = "";
            showStatus("");
            submit(text);
        });
        input.addEventListener("keydown", function (event) {
            if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
                event.preventDefault();
                foot.requestSubmit();
            }
        });
        endBtn.addEventListener("click", function () {
            if (!session) {
                return;
            }
            post("/live_chat/session/close", {
                session_id: session.id,
                token: state.token,
            }).then(
                function () {
                    fetchMissed().then(function () {
                        setEnded(true);
                    });
                },
                function (error) {
                    showStatus(errorText(error));
                }
            );
        });
        minBtn.addEventListener("click", function () {
            api.hide();
        });
        again.addEventListener("click", function () {
            forget();
            setEnded(false);
            endBtn.hidden = true;
            title.textContent = options.name;
            welcome();
            input.focus();
        });

        var api = {
            show: function (focus) {
                win.hidden = false;
                if (widget.button) {
                    widget.button.hidden = true;
                }
                state.open = true;
                save();
                scroll();
                if (focus) {
                    input.focus();
                }
            },
            hide: function () {
                win.hidden = true;
                if (widget.button) {
                    widget.button.hidden = false;
                }
                state.open = false;
                state.dismissed = true;
                save();
            },
        };

        if (session) {
            state.token = state.token || widget.loadState().token;
            title.textContent = session.operator.name || options.name;
            setEnded(ended);
            fetchMissed().then(connect);
        } else {
            welcome();
            setEnded(false);
            endBtn.hidden = true;
        }
        return api;
    };
})();
