/*
 * Live Chat: the widget loader (the chat button).
 *
 * Served by /live_chat/loader/<channel id>, wrapped in a function that defines
 * LIVE_CHAT_CONFIG ({server, channel, page}). It runs on pages that are not ours:
 * no global but the transient one the chat window registers, every style inside a
 * shadow root, nothing blocking. The chat window's code loads on the click.
 */
/* global LIVE_CHAT_CONFIG */
"use strict";
var cfg = LIVE_CHAT_CONFIG;
var KEY = "live_chat:" + cfg.server + ":" + cfg.channel;

function loadState() {
    try {
        return JSON.parse(window.localStorage.getItem(KEY)) || {};
    } catch {
        return {};
    }
}

function saveState(state) {
    try {
        window.localStorage.setItem(KEY, JSON.stringify(state));
    } catch {
        // Private mode or storage full: the chat works, without resuming.
    }
}

/* POST a JSON object as text/plain: a "simple" request, so no CORS preflight.
 * Every request says the browser's language: the answer's texts are in it. */
function post(path, data) {
    return fetch(cfg.server + path, {
        method: "POST",
        headers: {"Content-Type": "text/plain"},
        body: JSON.stringify(Object.assign({lang: navigator.language}, data)),
    }).then(function (response) {
        return response.json().then(
            function (body) {
                if (!response.ok) {
                    var error = new Error(
                        (body.error && body.error.message) || response.statusText
                    );
                    error.status = response.status;
                    error.code = body.error && body.error.code;
                    throw error;
                }
                return body;
            },
            function () {
                var error = new Error(response.statusText || "Network error");
                error.status = response.status;
                throw error;
            }
        );
    });
}

var CSS =
    ":host{all:initial}" +
    ".btn{position:fixed;right:20px;bottom:20px;z-index:2147483000;width:56px;height:56px;" +
    "border:0;border-radius:50%;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25);" +
    "display:flex;align-items:center;justify-content:center;padding:0;transition:transform .15s}" +
    ".btn:hover{transform:scale(1.06)}.btn:focus-visible{outline:3px solid #93c5fd;outline-offset:2px}" +
    ".btn svg{width:28px;height:28px;fill:currentColor}" +
    ".bubble{position:fixed;right:86px;bottom:30px;z-index:2147483000;max-width:240px;" +
    "background:#fff;color:#111827;font:14px/1.4 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;" +
    "padding:8px 12px;border-radius:10px;box-shadow:0 4px 14px rgba(0,0,0,.18);cursor:pointer}" +
    "[hidden]{display:none!important}";

var ICON =
    '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 ' +
    "2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6.5a1.5 1.5 0 1 0 0 .01zm5 0a1.5 1.5 0 1 0 " +
    '0 .01zm5 0a1.5 1.5 0 1 0 0 .01z"/></svg>';

function start() {
    var state = loadState();
    // Asked at once, while the page is still loading: the button needs the answer.
    post("/live_chat/init/" + cfg.channel, {
        url: window.location.href,
        lang: navigator.language,
        session_id: state.session_id,
        token: state.token,
        guest_token: state.guest_token,
    }).then(
        function (init) {
            if (!init.session && state.session_id) {
                // The session is gone (or closed long ago): start afresh, keep the guest.
                state = {guest_token: state.guest_token};
                saveState(state);
            }
            if (!init.available && !init.session && !cfg.page) {
                return;
            }
            whenBody(function () {
                mount(init, state);
            });
        },
        function () {
            // The chat server is unreachable: the page goes on without the button.
        }
    );
}

function whenBody(callback) {
    if (document.body) {
        callback();
    } else {
        document.addEventListener("DOMContentLoaded", callback, {once: true});
    }
}

function mount(init, state) {
    var options = init.options;
    var host = document.createElement("div");
    host.setAttribute("data-live-chat", String(cfg.channel));
    if (options.lang) {
        host.setAttribute("lang", options.lang);
    }
    var root = host.attachShadow({mode: "open"});
    var style = document.createElement("style");
    style.textContent = CSS;
    root.appendChild(style);
    var widget = {
        cfg: cfg,
        init: init,
        options: options,
        root: root,
        post: post,
        loadState: loadState,
        saveState: saveState,
        window: null,
    };
    var button = document.createElement("button");
    button.className = "btn";
    button.type = "button";
    button.setAttribute("aria-label", options.button_text || options.name);
    button.title = options.button_text || options.name;
    button.style.background = options.button_background_color;
    button.style.color = options.button_text_color;
    button.innerHTML = ICON;
    var bubble = null;
    if (init.action === "show_notification" && options.button_text && !init.session) {
        bubble = document.createElement("div");
        bubble.className = "bubble";
        bubble.textContent = options.button_text;
        bubble.addEventListener("click", function () {
            open(widget, true);
        });
        root.appendChild(bubble);
    }
    widget.button = button;
    widget.bubble = bubble;
    button.addEventListener("click", function () {
        open(widget, true);
    });
    if (!cfg.page) {
        root.appendChild(button);
    }
    (document.body || document.documentElement).appendChild(host);
    if (cfg.page || (init.session && state.open)) {
        open(widget, false);
    } else if (init.action === "auto_open" && !init.session && !state.dismissed) {
        window.setTimeout(
            function () {
                open(widget, false);
            },
            Math.max(0, init.timer || 0) * 1000
        );
    }
}

var loading = null;
function open(widget, focus) {
    if (widget.bubble) {
        widget.bubble.hidden = true;
    }
    if (widget.window) {
        widget.window.show(focus);
        return;
    }
    if (!loading) {
        loading = new Promise(function (resolve, reject) {
            var script = document.createElement("script");
            script.src = cfg.server + "/live_chat/static/src/widget/chat_window.js";
            script.async = true;
            script.onload = function () {
                var factory = window.__liveChatWindow;
                try {
                    delete window.__liveChatWindow;
                } catch {
                    window.__liveChatWindow = undefined;
                }
                resolve(factory);
            };
            script.onerror = reject;
            document.head.appendChild(script);
        });
    }
    loading.then(function (factory) {
        if (!widget.window) {
            widget.window = factory(widget);
        }
        widget.window.show(focus);
    });
}

start();
