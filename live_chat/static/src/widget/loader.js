/*
 * Live Chat: the loader, the script of the widget snippet. Served by
 * /live_chat/loader/<channel id> (the snippet's stable address, cached a few
 * minutes) inside a function that defines LIVE_CHAT_CONFIG: {server, channel, page,
 * bundle}. It asks the server at once how to show the widget on this page and,
 * meanwhile, loads the widget's code: one bundle whose address changes with its
 * content (cached for good), so that the loader never runs an old widget. The
 * bundle takes over from the script element that loads it: no global, nothing
 * blocking.
 */
/* global LIVE_CHAT_CONFIG */
const {server, channel, page, bundle} = LIVE_CHAT_CONFIG;
let state = {};
try {
    state =
        JSON.parse(window.localStorage.getItem(`live_chat:${server}:${channel}`)) || {};
} catch {
    // No storage (private mode): a visitor without a session.
}
const init = fetch(`${server}/live_chat/init/${channel}`, {
    method: "POST",
    // text/plain: a "simple" request, without CORS preflight.
    headers: {"Content-Type": "text/plain"},
    body: JSON.stringify({
        url: window.location.href,
        // As the widget's requests (Transport.lang): the page's language, else the browser's.
        lang: document.documentElement.lang || navigator.language,
        session_id: state.session_id,
        token: state.token,
        guest_token: state.guest_token,
        // The visitor's time zone: when the team is back, in their time.
        tz: Intl.DateTimeFormat().resolvedOptions().timeZone,
    }),
})
    // The body is read even when refused: the request ends (and the browser's
    // connection is free) only then.
    .then((response) => response.json().then((body) => (response.ok ? body : null)))
    // Unreachable or refused: the page goes on without the widget.
    .catch(() => null);
const script = document.createElement("script");
script.src = server + bundle;
script.async = true;
script.liveChatBoot = {config: {server, channel, page}, init};
(document.head || document.documentElement).append(script);
