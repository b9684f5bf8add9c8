"""Public routes of the visitor's side: the loader, the support page and the
session API. Every argument is hostile: parsed, typed and bounded here; errors
are JSON with a 4xx status, never a traceback."""

import json
import logging

from werkzeug.exceptions import NotFound

from odoo import http
from odoo.http import request
from odoo.tools.misc import file_open

from ..models.discuss_channel import (
    MESSAGE_MAX_LENGTH,
    RATING_COMMENT_MAX_LENGTH,
    RATING_VALUES,
)

_logger = logging.getLogger(__name__)

# Bigger bodies are refused before being read.
PAYLOAD_MAX_BYTES = 16 * 1024
NAME_MAX_LENGTH = 64
URL_MAX_LENGTH = 2048


class BadRequest(Exception):
    def __init__(self, status, code, message, headers=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers


def _json_error(status, code, message, headers=None):
    return request.make_json_response(
        {"error": {"code": code, "message": message}}, status=status, headers=headers
    )


def _read_payload():
    """The JSON object of the request body. Sent as text/plain by the widget so
    that browsers make no CORS preflight request."""
    httprequest = request.httprequest
    if (httprequest.content_length or 0) > PAYLOAD_MAX_BYTES:
        raise BadRequest(413, "payload_too_large", "The request is too large.")
    # Cached: the host replays the request after a serialization failure.
    raw = httprequest.get_data(cache=True)
    if len(raw) > PAYLOAD_MAX_BYTES:
        raise BadRequest(413, "payload_too_large", "The request is too large.")
    try:
        payload = json.loads(raw or b"{}")
    # RecursionError: nested too deep ("[[[[..."), not a server error either.
    except (ValueError, RecursionError):
        raise BadRequest(400, "bad_json", "The request is not valid JSON.") from None
    if not isinstance(payload, dict):
        raise BadRequest(400, "bad_json", "The request must be a JSON object.")
    return payload


def _get(payload, key, kind, *, required=True, max_length=None, default=None):
    value = payload.get(key, default)
    if value is None and not required:
        return default
    # bool is an int for Python: never accept it where a number is expected.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise BadRequest(400, "bad_field", f"“{key}” is missing or of the wrong type.")
    if max_length is not None and len(value) > max_length:
        raise BadRequest(413, "field_too_long", f"“{key}” is too long.")
    return value


def _text(payload):
    text = _get(payload, "body", str, max_length=MESSAGE_MAX_LENGTH).strip()
    if not text:
        raise BadRequest(422, "empty_message", "The message is empty.")
    return text


def _api(func):
    """Wrap a JSON route: parse the body, map errors to 4xx JSON answers."""

    def wrapper(self, *args, **kwargs):
        try:
            return request.make_json_response(func(self, _read_payload(), *args, **kwargs))
        except BadRequest as error:
            return _json_error(error.status, error.code, error.message, error.headers)

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    return wrapper


def _json_route(path, **kwargs):
    """A route of the widget's API: POST of a JSON object from any website. No CSRF
    token: the widget sends no cookie, the visitor's token is its credential."""

    def decorator(func):
        return http.route(
            path, type="http", auth="public", methods=["POST"], csrf=False, cors="*", **kwargs
        )(_api(func))

    return decorator


class LiveChatController(http.Controller):
    # ------------------------------------------------------------
    # Pages and scripts
    # ------------------------------------------------------------

    @http.route("/live_chat/loader/<int:channel_id>", type="http", auth="public", cors="*")
    def loader(self, channel_id, page=None, **_params):
        """The script of the widget snippet: small, cached, configured by /init.
        ``page=1``: the support page's variant, the window open and no button."""
        channel = self._get_channel(channel_id)
        with file_open("live_chat/static/src/widget/loader.js") as fp:
            script = fp.read()
        config = {
            "server": request.httprequest.host_url.rstrip("/"),
            "channel": channel.id,
            "page": page == "1",
        }
        body = f"(function(){{var LIVE_CHAT_CONFIG={json.dumps(config)};\n{script}\n}})();"
        return request.make_response(
            body,
            headers=[
                ("Content-Type", "application/javascript; charset=utf-8"),
                ("Cache-Control", "public, max-age=300"),
            ],
        )

    @http.route("/live_chat/support/<int:channel_id>", type="http", auth="public")
    def support_page(self, channel_id, **_params):
        """A page of its own with the chat open: the direct chat link."""
        channel = self._get_channel(channel_id)
        html = request.env["ir.qweb"]._render(
            "live_chat.support_page",
            {"channel": channel, "loader_url": f"/live_chat/loader/{channel.id}?page=1"},
        )
        return request.make_response(
            f"<!DOCTYPE html>\n{html}",
            headers=[("Content-Type", "text/html; charset=utf-8")],
        )

    # ------------------------------------------------------------
    # Session API (JSON in, JSON out)
    # ------------------------------------------------------------

    @_json_route("/live_chat/init/<int:channel_id>", readonly=True)
    def init(self, payload, channel_id, **_params):
        """What the widget shows on a page: the channel's options, whether an
        operator is available, and the visitor's session if they have one."""
        channel = self._get_channel(channel_id)
        self._check_origin(channel)
        session = self._find_session(payload, required=False)
        visitor = self._visitor(payload)
        url = _get(payload, "url", str, required=False, max_length=URL_MAX_LENGTH, default="")
        action, timer = channel._get_page_action(url, visitor["country"])
        result = {
            "options": channel.with_context(lang=visitor["lang"])._widget_options(),
            "session": False,
            "action": action,
            "timer": timer,
        }
        if session and session.live_chat_channel_id == channel:
            result["session"] = session._live_chat_visitor_info()
            result["available"] = True
        elif action == "hide":
            result["available"] = False
        else:
            operator = channel._get_available_operator(
                lang=visitor["lang"], guest=visitor["guest"], partner=visitor["partner"]
            )
            result["available"] = bool(operator)
        return result

    @_json_route("/live_chat/session/start")
    def session_start(self, payload, **_params):
        """The visitor's first message: the session starts with it."""
        channel = self._get_channel(_get(payload, "channel_id", int), json_error=True)
        self._check_origin(channel)
        text = _text(payload)
        # Every argument checked before anything is stored (the guest below).
        page_url = _get(payload, "url", str, required=False, max_length=URL_MAX_LENGTH)
        name = _get(payload, "name", str, required=False, max_length=NAME_MAX_LENGTH)
        visitor = self._visitor(payload)
        self._rate_limit("session_start_ip", request.httprequest.remote_addr)
        if visitor["partner"] or visitor["guest"]:
            subject = (
                f"p{visitor['partner'].id}" if visitor["partner"] else f"g{visitor['guest'].id}"
            )
            self._rate_limit("session_start_visitor", subject)
        operator = channel._get_available_operator(
            lang=visitor["lang"], guest=visitor["guest"], partner=visitor["partner"]
        )
        if not operator:
            raise BadRequest(
                503,
                "no_operator",
                request.env._("No operator is available right now. Please try again later."),
            )
        guest = visitor["guest"]
        if not visitor["partner"] and not guest:
            guest = request.env["discuss.channel"]._live_chat_create_guest(
                name,
                visitor["country"],
                visitor["lang"],
                request.env["mail.guest"]._get_timezone_from_request(request),
            )
        # sudo: discuss.channel - a public visitor starts their own session; the channel
        # and operator were checked above, and the visitor only gets this session's token.
        session = channel.sudo()._start_session(
            operator.sudo(),
            text=text,
            guest=guest.sudo() if guest else None,
            partner=visitor["partner"].sudo() if visitor["partner"] else None,
            country=visitor["country"],
            lang=visitor["lang"],
            page_url=page_url,
        )
        result = {
            "session": session._live_chat_visitor_info(),
            "token": session.live_chat_visitor_token,
            "messages": session._live_chat_messages(),
        }
        if guest:
            result["guest"] = {"id": guest.id, "token": guest.sudo()._format_auth_cookie()}
        return result

    @_json_route("/live_chat/session/post")
    def session_post(self, payload, **_params):
        session = self._find_session(payload)
        self._check_origin(session.live_chat_channel_id)
        text = _text(payload)
        self._rate_limit("message_ip", request.httprequest.remote_addr)
        self._rate_limit("message_session", session.id)
        if session.live_chat_state != "open":
            raise BadRequest(409, "session_closed", request.env._("This chat has ended."))
        message = session._live_chat_post_visitor_message(text)
        return {"message": session._live_chat_message_format(message)}

    @_json_route("/live_chat/session/messages", readonly=True)
    def session_messages(self, payload, **_params):
        """Messages after ``after_id``: what a visitor missed while disconnected."""
        session = self._find_session(payload)
        self._check_origin(session.live_chat_channel_id)
        after_id = _get(payload, "after_id", int, required=False, default=0)
        return {
            "session": session._live_chat_visitor_info(),
            "messages": session._live_chat_messages(after_id=min(max(after_id, 0), 2**31 - 1)),
        }

    @_json_route("/live_chat/session/close")
    def session_close(self, payload, **_params):
        session = self._find_session(payload)
        self._check_origin(session.live_chat_channel_id)
        session._live_chat_close(
            request.env._("%s left the conversation.", session.live_chat_visitor_name),
            by_visitor=True,
        )
        return {"session": session._live_chat_visitor_info()}

    # ------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------

    def _get_channel(self, channel_id, json_error=False):
        if not 0 < channel_id < 2**31:
            channel = request.env["live_chat.channel"]
        else:
            # sudo: live_chat.channel - public pages show an active channel's widget options.
            channel = request.env["live_chat.channel"].sudo().browse(channel_id).exists()
        if not channel or not channel.active:
            if json_error:
                raise BadRequest(404, "not_found", "No such channel.")
            raise NotFound()
        return channel

    def _check_origin(self, channel):
        """Refuse the pages of websites that the channel does not allow. Browsers send
        the page's origin with every POST of the widget."""
        origin = request.httprequest.headers.get("Origin")
        if not channel._is_origin_allowed(origin, request.httprequest.host_url):
            raise BadRequest(
                403, "origin_not_allowed", "This website may not embed this live chat."
            )

    def _rate_limit(self, name, subject):
        # sudo: live_chat.rate.limit - counting the requests of a public visitor.
        retry_after = request.env["live_chat.rate.limit"].sudo()._hit(name, subject)
        if retry_after:
            raise BadRequest(
                429,
                "rate_limited",
                request.env._("Too many messages. Please wait a moment and try again."),
                headers=[("Retry-After", str(retry_after))],
            )

    def _find_session(self, payload, required=True):
        session_id = payload.get("session_id")
        token = payload.get("token")
        if not required and session_id is None:
            return request.env["discuss.channel"]
        session = request.env["discuss.channel"]._live_chat_find_session(session_id, token)
        if not session and required:
            # The same answer for a missing session and a wrong token.
            raise BadRequest(404, "not_found", "No such session.")
        # Optional (a page view): a stale session is no session, the visitor starts afresh.
        return session

    def _visitor(self, payload):
        """Who the visitor is: a logged-in user, a returning guest, or nobody yet."""
        env = request.env
        partner = env.user.partner_id if not env.user._is_public() else env["res.partner"]
        guest = env["mail.guest"]
        guest_token = payload.get("guest_token")
        if not partner and isinstance(guest_token, str) and len(guest_token) < 128:
            try:
                guest = env["mail.guest"]._get_guest_from_token(guest_token)
            except ValueError:
                guest = env["mail.guest"]
        country_code = request.geoip.country_code
        country = (
            env["res.country"].search([("code", "=", country_code)], limit=1)
            if country_code
            else env["res.country"]
        )
        return {
            "partner": partner,
            "guest": guest,
            "country": country,
            "lang": self._visitor_lang(payload),
        }

    def _visitor_lang(self, payload):
        wanted = payload.get("lang")
        if not isinstance(wanted, str) or len(wanted) > 16:
            return request.env.lang
        wanted = wanted.replace("-", "_")
        installed = [code for code, _name in request.env["res.lang"].get_installed()]
        if wanted in installed:
            return wanted
        prefix = wanted.split("_")[0]
        return next((code for code in installed if code.split("_")[0] == prefix), request.env.lang)

    # ------------------------------------------------------------
    # Satisfaction
    # ------------------------------------------------------------

    @_json_route("/live_chat/session/rate")
    def session_rate(self, payload, **_params):
        """The visitor's rating of their chat once it has ended: ``rating`` 1, 3 or 5
        (unhappy, neutral, happy) and an optional ``comment`` (plain text), once."""
        session = self._find_session(payload)
        self._check_origin(session.live_chat_channel_id)
        value = _get(payload, "rating", int)
        if value not in RATING_VALUES:
            raise BadRequest(400, "bad_field", "“rating” must be 1, 3 or 5.")
        comment = _get(
            payload, "comment", str, required=False, max_length=RATING_COMMENT_MAX_LENGTH
        )
        if session.live_chat_state != "closed":
            raise BadRequest(
                409,
                "session_open",
                request.env._("This chat has not ended yet: rate it once it has ended."),
            )
        if session.live_chat_rating:
            raise BadRequest(
                409, "already_rated", request.env._("You have already rated this chat.")
            )
        session._live_chat_rate(value, comment or "")
        return {"session": session._live_chat_visitor_info()}
