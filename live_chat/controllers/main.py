"""Public routes of the visitor's side: the session API (the widget's code and
pages: widget.py). Every argument is hostile: parsed, typed and bounded here; errors
are JSON with a 4xx status, never a traceback, and roll the request back."""

import json
import logging

import psycopg2
from psycopg2.extensions import ISOLATION_LEVEL_READ_COMMITTED
from werkzeug.exceptions import HTTPException, NotFound

from odoo import http
from odoo.http import request
from odoo.modules import module
from odoo.tools import config
from odoo.tools.translate import LazyTranslate

from ..models.discuss_channel import (
    MESSAGE_MAX_LENGTH,
    RATING_COMMENT_MAX_LENGTH,
    RATING_VALUES,
)
from ..models.live_chat_channel import FILE_MAX_SIZE_LIMIT
from ..models.utils import (
    EMAIL_MAX_LENGTH,
    INLINE_IMAGE_TYPES,
    URL_MAX_LENGTH,
    LiveChatRefusal,
    is_clean_text,
    is_origin_allowed,
    is_same_origin_request,
    normalize_visitor_email,
)
from .init_cache import DEFAULT_TTL, INIT_CACHE
from .widget import find_active_channel, widget_server_info

_lt = LazyTranslate(__name__)
_logger = logging.getLogger(__name__)

# Bigger bodies are refused before being read.
PAYLOAD_MAX_BYTES = 16 * 1024
# A file upload: the largest file any channel takes, and the form around it.
UPLOAD_MAX_BYTES = FILE_MAX_SIZE_LIMIT * 1024 * 1024 + 64 * 1024
# The thumbnails of pictures in the widget (pixels, the longest side).
THUMBNAIL_SIZE = 256
NAME_MAX_LENGTH = 64
# A time zone's name (IANA: the longest are about 30 characters).
TZ_MAX_LENGTH = 64
OFFLINE_REASONS = ("offline", "queue", "unanswered")


class BadRequest(Exception):
    """A refused request: a 4xx JSON answer, and nothing the request did is kept.
    ``message`` is shown to the visitor: a lazy translation (``_lt``), translated
    into the visitor's language when answering."""

    def __init__(self, status, code, message, headers=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers


class _JsonErrorResponse(HTTPException):
    """The answer of a refused request. Raised, not returned: the host rolls back
    the request's transaction (a guest created before the refusal, a rate limit's
    hit...) and answers with this response."""

    def __init__(self, status, body, headers=None):
        super().__init__()
        self.code = status
        self.body = body
        self.extra_headers = headers or []

    def get_response(self, environ=None, scope=None):
        return http.Response(
            json.dumps(self.body, ensure_ascii=False),
            status=self.code,
            headers=[
                ("Content-Type", "application/json; charset=utf-8"),
                # Raised answers skip the host's post-dispatch, which adds this one:
                # the widget of another website reads the error.
                ("Access-Control-Allow-Origin", "*"),
                ("Cache-Control", "no-store"),
                # The widget of another website reads how long to wait after a 429.
                ("Access-Control-Expose-Headers", "Retry-After"),
                *self.extra_headers,
            ],
        )


def _read_payload():
    """The JSON object of the request body. Sent as text/plain by the widget so
    that browsers make no CORS preflight request."""
    httprequest = request.httprequest
    if (httprequest.content_length or 0) > PAYLOAD_MAX_BYTES:
        raise BadRequest(413, "payload_too_large", _lt("The request is too large."))
    # Cached: the host replays the request after a serialization failure.
    raw = httprequest.get_data(cache=True)
    if len(raw) > PAYLOAD_MAX_BYTES:
        raise BadRequest(413, "payload_too_large", _lt("The request is too large."))
    try:
        payload = json.loads(raw or b"{}")
    # RecursionError: nested too deep ("[[[[..."), not a server error either.
    except (ValueError, RecursionError):
        raise BadRequest(400, "bad_json", _lt("The request is not valid JSON.")) from None
    if not isinstance(payload, dict):
        raise BadRequest(400, "bad_json", _lt("The request must be a JSON object."))
    return payload


def _get(payload, key, kind, *, required=True, max_length=None, default=None, multiline=False):
    value = payload.get(key, default)
    if value is None and not required:
        return default
    # bool is an int for Python: never accept it where a number is expected.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise BadRequest(400, "bad_field", _lt("“%s” is missing or of the wrong type.", key))
    if max_length is not None and len(value) > max_length:
        raise BadRequest(413, "field_too_long", _lt("“%s” is too long.", key))
    if kind is str and not is_clean_text(value, multiline=multiline):
        raise BadRequest(400, "bad_text", _lt("“%s” holds characters that are not allowed.", key))
    return value


def _text(payload):
    text = _get(payload, "body", str, max_length=MESSAGE_MAX_LENGTH, multiline=True).strip()
    if not text:
        raise BadRequest(422, "empty_message", _lt("The message is empty."))
    return text


def _visitor_lang(payload=None):
    """The visitor's language among the installed ones: the one the widget sends
    (the page's, else the browser's), else the request's Accept-Language, else the
    request's."""
    env = request.env
    installed = [code for code, _name in env["res.lang"].get_installed()]
    wanted = (payload or {}).get("lang")
    candidates = [wanted] if isinstance(wanted, str) and len(wanted) <= 16 else []
    candidates += [lang for lang, _quality in request.httprequest.accept_languages][:8]
    by_code = {code.lower(): code for code in installed}
    for candidate in candidates:
        candidate = candidate.replace("-", "_").lower()
        prefix = candidate.split("_")[0]
        match = by_code.get(candidate) or next(
            (code for code in installed if code.split("_")[0].lower() == prefix), None
        )
        if match:
            return match
    return env.lang


def _error_response(error, payload):
    """The JSON answer of a refusal: a ``BadRequest`` of the routes, or a
    ``LiveChatRefusal`` of the models (its message already translated)."""
    if isinstance(error, LiveChatRefusal):
        error = BadRequest(error.status, error.code, error.args[0])
    message = error.message
    if not isinstance(message, str):  # a lazy translation
        message = request.env(context=dict(request.env.context, lang=_visitor_lang(payload)))._(
            message
        )
    return _JsonErrorResponse(
        error.status, {"error": {"code": error.code, "message": message}}, error.headers
    )


def _counted_refusal(refusal, payload):
    """The answer of a refusal whose request still commits its transaction, for a
    route that has written nothing but its rate limits' hits when it refuses: they
    count (a raised refusal rolls them back)."""
    return _error_response(refusal, payload).get_response()


def _read_form_payload():
    """The fields of a multipart form (a file upload: sent as a form by the widget,
    without CORS preflight either): ``session_id`` as a number, the other fields as
    text, ``file`` the uploaded file (or None)."""
    httprequest = request.httprequest
    if (httprequest.content_length or 0) > UPLOAD_MAX_BYTES:
        raise BadRequest(413, "payload_too_large", _lt("The request is too large."))
    if httprequest.mimetype != "multipart/form-data":
        raise BadRequest(400, "bad_form", _lt("The request must be a form with a file."))
    form = httprequest.form
    session_id = form.get("session_id", "")
    payload = {key: form[key] for key in ("token", "lang") if isinstance(form.get(key), str)}
    payload["session_id"] = _parse_id(session_id) if len(session_id) <= 10 else 0
    payload["file"] = httprequest.files.get("file")
    return payload


def _api(func, reader=_read_payload):
    """Wrap a JSON route: parse the body, act as the session's user only for the
    server's own pages, map refusals to 4xx JSON answers (raised: rolled back)."""

    def wrapper(self, *args, **kwargs):
        payload = None
        try:
            payload = reader()
            _drop_cross_site_user()
            # Every text of the answer (the channel's, errors, notices) in the
            # visitor's language.
            request.update_context(lang=_visitor_lang(payload))
            result = func(self, payload, *args, **kwargs)
            if isinstance(result, http.Response):  # a refusal answered, not raised
                return result
        except (BadRequest, LiveChatRefusal) as error:
            raise _error_response(error, payload) from None
        return request.make_json_response(result)

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    return wrapper


def _drop_cross_site_user():
    """A page of another website can make a browser send the Odoo session cookie (a
    text/plain form POST): the request then comes from the public user, never from
    the user of the cookie. Only the server's own pages speak as their user."""
    if request.session.uid is None:  # nobody signed in: already the public user
        return
    env = request.env
    if not env.user._is_public() and not is_same_origin_request(env, request.httprequest):
        request.update_env(user=env.ref("base.public_user"))


def _json_route(path, reader=_read_payload, **kwargs):
    """A route of the widget's API: POST of a JSON object from any website. No CSRF
    token: the session's token is the visitor's credential; the Odoo session cookie
    (which browsers send to the server's own pages, or a foreign page can make them
    send) counts only for requests from the server's own pages. ``reader``: how the
    request's fields are read (a multipart form for a file). Its ``auth``: the
    public user's, one query lighter than the host's (models/ir_http.py). Stateless:
    the visitor's credentials are in the request, so no Odoo session is kept or
    offered (the host would set a session cookie on every answer to a request
    without one: every page view of every website that embeds the widget)."""

    def decorator(func):
        return http.route(
            path,
            type="http",
            auth="live_chat_visitor",
            methods=["POST"],
            csrf=False,
            cors="*",
            save_session=False,
            **kwargs,
        )(_api(func, reader))

    return decorator


def _check_origin_in(allowed):
    """Refuse a page whose origin is not among the channel's ``allowed`` ones."""
    origin = request.httprequest.headers.get("Origin")
    if allowed and not is_origin_allowed(allowed, origin, request.httprequest.host_url):
        raise BadRequest(
            403, "origin_not_allowed", _lt("This website may not embed this live chat.")
        )


def _hit_on_primary(hits):
    """Count ``hits`` from a request served by the replica, which cannot write: in a
    transaction of their own on the primary, committed at once (one statement; a
    request that fails afterwards stays counted). Odoo's read-only routes have no
    write transaction to count them in. When the primary does not answer (it
    restarts), the request is not counted rather than refused: the page still shows
    its widget, from the replica."""
    try:
        with request.env.registry.cursor() as cr:
            # Read committed: concurrent hits of one key wait for each other's row lock
            # and all count, where Odoo's repeatable read would fail one of them (and
            # nothing replays it here).
            cr.connection.set_isolation_level(ISOLATION_LEVEL_READ_COMMITTED)
            # sudo: live_chat.rate.limit - counting the requests of a public visitor.
            return request.env(cr=cr)["live_chat.rate.limit"].sudo()._hit_all(hits)
    except (psycopg2.OperationalError, psycopg2.InterfaceError) as error:
        _logger.warning("Rate limits not counted, the primary database fails: %s", error)
        return 0


def _replica_readonly(_controller, _rule, _args):
    """A route that only reads (rate limits apart, see ``_rate_limit``) runs on the
    database replica when Odoo has one (``--db_replica_host``): Odoo then opens its
    transaction there, and falls back to the primary when the replica does not answer."""
    return bool(config["db_replica_host"]) and not module.current_test


def _bus_last_id():
    """The bus's newest notification id, for the widget's first subscription: the
    notifications of its session come after it (a session's bus channel exists from
    its creation on, its notifications are written at its commit or later). Without
    it, a socket subscribed from 0 makes the host search the bus's recent rows by
    date (no index: the whole table, a day of notifications) on each of its
    deliveries for its first ten seconds."""
    return request.env["discuss.channel"]._live_chat_bus_last_id()


def _init_cache_ttl(env):
    # sudo: ir.config_parameter - the cache's lifetime is part of serving visitors.
    value = env["ir.config_parameter"].sudo().get_param("live_chat.init_cache_seconds")
    try:
        return float(value) if value not in (None, False, "") else DEFAULT_TTL
    except ValueError:
        return DEFAULT_TTL


class LiveChatController(http.Controller):
    # ------------------------------------------------------------
    # Session API (JSON in, JSON out)
    # ------------------------------------------------------------

    @_json_route("/live_chat/init/<string:channel_id>", readonly=_replica_readonly)
    def init(self, payload, channel_id, **_params):
        """What the widget shows on a page: the channel's options, whether an
        operator is available, and the visitor's session if they have one. The
        answer without the session is the same for every visitor of the page: kept
        a few seconds per worker (init_cache.py)."""
        channel_id = _parse_id(channel_id)
        # The page's inputs, checked before they make a key of the worker's cache
        # (whatever the answer reads of them).
        _get(payload, "url", str, required=False, max_length=URL_MAX_LENGTH)
        _get(payload, "tz", str, required=False, max_length=TZ_MAX_LENGTH)
        env = request.env
        inputs = INIT_CACHE.page_inputs(payload)
        key = INIT_CACHE.make_key(
            env.cr.dbname,
            channel_id,
            request.geoip.country_code,
            env.lang,
            env.uid,
            page=inputs,
        )
        page = INIT_CACHE.get(
            key, _init_cache_ttl(env), lambda: self._init_miss(channel_id, inputs)
        )
        _check_origin_in(page["origins"])
        # A copy: the cached answer is every visitor's.
        result = {**page["answer"], "server": widget_server_info()}
        session = self._find_session(payload, required=False)
        if session and session.live_chat_channel_id.id == channel_id:
            result["session"] = session._live_chat_visitor_info()
            result["bus_last_id"] = _bus_last_id()
            result["available"] = True
        return result

    def _init_miss(self, channel_id, payload):
        """A page view that the cache cannot answer: counted against the address's
        limit, then computed. Only those count: the limit guards the database, and a
        cached answer costs less than counting it (its one statement and commit),
        so that a page view answered from the cache runs no query of ours."""
        self._rate_limit(("init_ip", request.httprequest.remote_addr))
        return self._init_page(channel_id, payload)

    def _init_page(self, channel_id, payload):
        """/init's answer for a visitor without a session, and the websites that may
        ask it: what the cache keeps. What a page view shows (offline state, business
        hours...) goes here, computed from ``payload`` (the page's inputs only, all in
        the cache's key: ``init_cache.PAGE_FIELDS``); what depends on the visitor's
        session goes in ``init``, after the cache."""
        channel = self._get_channel(channel_id)
        url = _get(payload, "url", str, required=False, max_length=URL_MAX_LENGTH, default="")
        country = self._visitor_country()
        action, timer = channel._get_page_action(url, country)
        result = {
            "options": channel._widget_options(),
            "session": False,
            "action": action,
            "timer": timer,
        }
        if action == "hide":
            result["available"] = False
        else:
            # Whether someone is available: the same for every visitor (the visitor
            # only changes which operator a session would get).
            operator = channel._get_available_operator(lang=request.env.lang)
            # Everyone busy: the visitor may wait in the queue (the same for everyone).
            result["available"] = bool(operator) or channel._live_chat_queue_is_open()
            if not result["available"]:
                tz = _get(payload, "tz", str, required=False, max_length=TZ_MAX_LENGTH)
                result["offline"] = channel._live_chat_offline_info(tz)
        return {"origins": channel._get_allowed_origins(), "answer": result}

    @_json_route("/live_chat/session/start")
    def session_start(self, payload, **_params):
        """The visitor's first message: the session starts with it."""
        channel = self._get_channel(_get(payload, "channel_id", int))
        self._check_origin(channel)
        text = _text(payload)
        page_url = _get(payload, "url", str, required=False, max_length=URL_MAX_LENGTH)
        name = _get(payload, "name", str, required=False, max_length=NAME_MAX_LENGTH)
        start_key = _get(payload, "start_key", str, required=False)
        sessions = request.env["discuss.channel"]
        if start_key is not None and not sessions._live_chat_is_start_key(start_key):
            raise BadRequest(400, "bad_field", _lt("“start_key” is not a valid key."))
        # The same start sent twice (its answer was lost, say): the session it started.
        if started := sessions._live_chat_find_started(channel, start_key):
            return self._session_started(started, started.live_chat_visitor_guest_id)
        visitor = self._visitor(payload)
        hits = [("session_start_ip", request.httprequest.remote_addr)]
        if visitor["partner"] or visitor["guest"]:
            subject = (
                f"p{visitor['partner'].id}" if visitor["partner"] else f"g{visitor['guest'].id}"
            )
            hits.append(("session_start_visitor", subject))
        self._rate_limit(*hits)
        try:
            # sudo: live_chat.channel - a public visitor starts their own session; the
            # channel and every argument were checked above, and the visitor gets this
            # session's token.
            session, guest = channel.sudo()._start_visitor_session(
                text=text,
                partner=visitor["partner"].sudo(),
                guest=visitor["guest"].sudo(),
                name=name,
                country=visitor["country"],
                lang=visitor["lang"],
                timezone=request.env["mail.guest"]._get_timezone_from_request(request),
                page_url=page_url,
                start_key=start_key,
            )
        except LiveChatRefusal as refusal:
            if refusal.code != "no_operator":
                raise
            # Refused before anything was written but the hits: they count, as the
            # choice of an operator and the working hours cost the server all the same.
            return _counted_refusal(refusal, payload)
        return self._session_started(session, guest)

    def _session_started(self, session, guest):
        result = {
            "session": session._live_chat_visitor_info(),
            "token": session.live_chat_visitor_token,
            "bus_last_id": _bus_last_id(),
            **session._live_chat_message_page(),
        }
        if guest:
            result["guest"] = {"id": guest.id, "token": guest.sudo()._format_auth_cookie()}
        return result

    @_json_route("/live_chat/session/post")
    def session_post(self, payload, **_params):
        session = self._find_session(payload)
        self._check_origin(session.live_chat_channel_id)
        text = _text(payload)
        self._rate_limit(
            ("message_ip", request.httprequest.remote_addr), ("message_session", session.id)
        )
        message = session._live_chat_post_visitor_message(text)
        return {"message": session._live_chat_message_format(message)}

    @_json_route("/live_chat/session/messages", readonly=_replica_readonly)
    def session_messages(self, payload, **_params):
        """A page of the session's messages: the latest ones; those before ``before_id``
        (older ones, on the visitor's demand); those after ``after_id`` (what the visitor
        missed while disconnected)."""
        session = self._find_session(payload)
        self._check_origin(session.live_chat_channel_id)
        after_id = _get(payload, "after_id", int, required=False, default=0)
        before_id = _get(payload, "before_id", int, required=False, default=0)
        self._rate_limit(("messages_session", session.id))
        return {
            "session": session._live_chat_visitor_info(),
            **session._live_chat_message_page(
                after_id=min(max(after_id, 0), 2**31 - 1),
                before_id=min(max(before_id, 0), 2**31 - 1),
            ),
        }

    @_json_route("/live_chat/session/close")
    def session_close(self, payload, **_params):
        session = self._find_session(payload)
        self._check_origin(session.live_chat_channel_id)
        notice = session._live_chat_close(
            request.env._("%s left the conversation.", session.live_chat_visitor_name),
            by_visitor=True,
        )
        # The visitor is told at once, whatever their bus does.
        messages = [session._live_chat_message_format(notice)] if notice else []
        return {"session": session._live_chat_visitor_info(), "messages": messages}

    @_json_route("/live_chat/session/ping")
    def session_ping(self, payload, **_params):
        """The visitor's window is open (every minute, and when it opens with a
        session): the session is not abandoned. Answers its state and its last
        message, for the widget to fetch what it missed."""
        session = self._find_session(payload)
        self._check_origin(session.live_chat_channel_id)
        self._rate_limit(("messages_session", session.id))
        return session._live_chat_ping()

    @_json_route("/live_chat/queue/status")
    def queue_status(self, payload, **_params):
        """The visitor's place in the queue and the estimated wait (``position`` 0:
        not waiting any more), and the session's state. What the bus says too, for a
        widget whose bus is down."""
        session = self._find_session(payload)
        self._check_origin(session.live_chat_channel_id)
        self._rate_limit(("messages_session", session.id))
        return {"state": session.live_chat_state, **session._live_chat_queue_place()}

    # ------------------------------------------------------------
    # Typing, seen and files
    # ------------------------------------------------------------

    @_json_route("/live_chat/session/typing")
    def session_typing(self, payload, **_params):
        """The visitor types (``is_typing``: true) or stopped: the operators' chat
        window shows it. The widget says so once every few seconds at most."""
        session = self._find_session(payload)
        self._check_origin(session.live_chat_channel_id)
        is_typing = _get(payload, "is_typing", bool)
        self._rate_limit(("typing_session", session.id))
        session._live_chat_visitor_typing(is_typing)
        return {}

    @_json_route("/live_chat/session/seen")
    def session_seen(self, payload, **_params):
        """The visitor has read the session up to ``message_id`` (their window open
        and visible): the operators see it as the host's "Seen"."""
        session = self._find_session(payload)
        self._check_origin(session.live_chat_channel_id)
        message_id = _get(payload, "message_id", int)
        self._rate_limit(("seen_session", session.id))
        session._live_chat_visitor_seen(min(max(message_id, 0), 2**31 - 1))
        return {}

    @_json_route("/live_chat/session/upload", reader=_read_form_payload)
    def session_upload(self, payload, **_params):
        """The visitor sends a file (a multipart form: ``session_id``, ``token``,
        ``file``): checked against the channel's size and types, posted as a message
        of theirs with the file attached."""
        try:
            # Everything checked before anything is written: a refusal until then is
            # answered with the request's hits committed, as reading the file cost the
            # server as much as an accepted one (no such session, too large, a type
            # the channel does not take: counted against the limits all the same).
            self._rate_limit(("upload_ip", request.httprequest.remote_addr))
            session = self._find_session(payload)
            self._check_origin(session.live_chat_channel_id)
            upload = payload["file"]
            if upload is None or not isinstance(upload.filename, str):
                raise BadRequest(
                    400, "bad_field", _lt("“%s” is missing or of the wrong type.", "file")
                )
            self._rate_limit(("upload_session", session.id))
            channel = session.live_chat_channel_id
            # Read at most one byte more than the channel takes: a larger file is refused.
            data = upload.stream.read(channel._live_chat_file_max_bytes() + 1)
            session._live_chat_check_visitor_file(upload.filename, data)
        except (BadRequest, LiveChatRefusal) as refusal:
            return _counted_refusal(refusal, payload)
        message = session._live_chat_post_visitor_file(upload.filename, data)
        return {"message": session._live_chat_message_format(message)}

    @http.route(
        "/live_chat/attachment/<int:attachment_id>/<string:token>",
        type="http",
        auth="live_chat_visitor",
        methods=["GET"],
        readonly=_replica_readonly,
        save_session=False,
    )
    def attachment(self, attachment_id, token, thumbnail=None, **_params):
        """A file of a session for its visitor: the link of the message that holds it
        (the file's own secret token). Pictures show in the page (``thumbnail=1``: a
        small one), every other file is a download; nothing of it runs (CSP)."""
        try:
            # Every fetch counts: a picture is resized, a file sent, on each of them.
            self._rate_limit(("attachment_ip", request.httprequest.remote_addr))
        except BadRequest as error:
            raise _error_response(error, None) from None
        attachment = request.env["discuss.channel"]._live_chat_find_attachment(attachment_id, token)
        if not attachment:
            raise NotFound()
        is_image = attachment.mimetype in INLINE_IMAGE_TYPES
        binary = request.env["ir.binary"]
        if is_image and thumbnail == "1":
            stream = binary._get_image_stream_from(
                attachment, width=THUMBNAIL_SIZE, height=THUMBNAIL_SIZE
            )
        else:
            stream = binary._get_stream_from(attachment)
        response = stream.get_response(as_attachment=not is_image)
        response.headers["Cache-Control"] = "private, max-age=3600"
        response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
        return response

    # ------------------------------------------------------------
    # Offline form
    # ------------------------------------------------------------

    @_json_route("/live_chat/offline/<string:channel_id>")
    def offline_message(self, payload, channel_id, **_params):
        """A message left in the offline form (nobody available, a long queue, an
        unanswered chat): ``name``, ``email``, ``message``, ``reason`` and the page's
        ``url``. It becomes what the channel says; the visitor gets a confirmation.
        A waiting visitor sends their session too (``session_id`` and ``token``,
        optional): with reason "queue", they leave the queue."""
        channel = self._get_channel(_parse_id(channel_id))
        self._check_origin(channel)
        session = request.env["discuss.channel"]
        if "session_id" in payload or "token" in payload:
            # Only the holder of the session's token ends it; a session of another
            # channel is no session of this form.
            session = self._find_session(payload)
            if session.live_chat_channel_id != channel:
                raise BadRequest(404, "not_found", _lt("No such session."))
        name = _get(payload, "name", str, max_length=NAME_MAX_LENGTH).strip()
        email = _get(payload, "email", str, max_length=EMAIL_MAX_LENGTH).strip()
        message = _get(payload, "message", str, max_length=MESSAGE_MAX_LENGTH, multiline=True)
        message = message.strip()
        reason = _get(payload, "reason", str, required=False, default="offline")
        page_url = _get(payload, "url", str, required=False, max_length=URL_MAX_LENGTH)
        if reason not in OFFLINE_REASONS:
            raise BadRequest(
                400, "bad_field", _lt("“%s” is missing or of the wrong type.", "reason")
            )
        if not name or not message:
            raise BadRequest(422, "empty_field", _lt("Please fill in your name and message."))
        normalized = normalize_visitor_email(email)
        if not normalized:
            raise BadRequest(422, "bad_email", _lt("Please enter a valid email address."))
        self._rate_limit(
            ("offline_ip", request.httprequest.remote_addr),
            ("offline_email", normalized),
        )
        # sudo: live_chat.channel - a public visitor leaves a message to an active channel
        # whose origin was checked; every argument was parsed above, and what the channel
        # makes of it (an email, a ticket, a lead) holds the visitor's texts escaped.
        confirmation = channel.sudo()._live_chat_leave_message(
            name=name,
            email=normalized,
            message=message,
            reason=reason,
            page_url=page_url,
            session=session,
        )
        if session and reason == "queue":
            session._live_chat_queue_leave_for_message()
        return {"confirmation": confirmation}

    # ------------------------------------------------------------
    # Satisfaction
    # ------------------------------------------------------------

    @_json_route("/live_chat/session/rate")
    def session_rate(self, payload, **_params):
        """The visitor's rating of their chat once it has ended: ``rating`` 1, 3 or 5
        (unhappy, neutral, happy) and an optional ``comment`` (plain text), once."""
        session = self._find_session(payload)
        self._check_origin(session.live_chat_channel_id)
        self._rate_limit(("messages_session", session.id))
        value = _get(payload, "rating", int)
        if value not in RATING_VALUES:
            raise BadRequest(400, "bad_field", _lt("“rating” must be 1, 3 or 5."))
        comment = _get(
            payload, "comment", str, required=False, max_length=RATING_COMMENT_MAX_LENGTH
        )
        session._live_chat_rate(value, comment or "")
        return {"session": session._live_chat_visitor_info()}

    @_json_route("/live_chat/session/transcript")
    def session_transcript(self, payload, **_params):
        """The conversation of an ended chat, emailed to the address the visitor
        typed (``email``), through the host's mail queue."""
        session = self._find_session(payload)
        self._check_origin(session.live_chat_channel_id)
        email = _get(payload, "email", str, max_length=EMAIL_MAX_LENGTH)
        # Per address and minute; per session and per recipient a few a day (see
        # live_chat.rate.limit): never a way to send mail in bulk.
        self._rate_limit(
            ("transcript_ip", request.httprequest.remote_addr),
            ("transcript_session", session.id),
            ("transcript_email", normalize_visitor_email(email) or email.strip().lower()),
        )
        session._live_chat_send_transcript(email)
        return {"sent": True}

    # ------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------

    def _get_channel(self, channel_id):
        if not (channel := find_active_channel(channel_id)):
            raise BadRequest(404, "not_found", _lt("No such channel."))
        return channel

    def _check_origin(self, channel):
        """Refuse the pages of websites that the channel does not allow. Browsers send
        the page's origin with every POST of the widget. The channel's list is kept
        per worker as long as /init's answers (a change applies within that time,
        to page views and sessions alike): reading the channel's row would cost every
        message a query."""
        env = request.env
        key = ("origins", env.cr.dbname, channel.id)
        _check_origin_in(INIT_CACHE.get(key, _init_cache_ttl(env), channel._get_allowed_origins))

    def _rate_limit(self, *hits):
        """Count the request's hits ``(name, subject)`` against their limits, in the
        request's transaction: refused (429) when one is over its limit."""
        if request.env.cr.readonly:
            retry_after = _hit_on_primary(hits)
        else:
            # sudo: live_chat.rate.limit - counting the requests of a public visitor.
            retry_after = request.env["live_chat.rate.limit"].sudo()._hit_all(hits)
        if retry_after:
            messages = any(name.startswith("message_") for name, _subject in hits)
            raise BadRequest(
                429,
                "rate_limited",
                _lt("Too many messages. Please wait a moment and try again.")
                if messages
                else _lt("Too many requests. Please wait a moment and try again."),
                headers=[("Retry-After", str(retry_after))],
            )

    def _find_session(self, payload, required=True):
        # The model checks both values' types and ranges.
        session = request.env["discuss.channel"]._live_chat_find_session(
            payload.get("session_id"), payload.get("token")
        )
        if not session and required:
            # The same answer for a missing session and a wrong token.
            raise BadRequest(404, "not_found", _lt("No such session."))
        # Optional (a page view): a stale session is no session, the visitor starts afresh.
        return session

    def _visitor_country(self):
        """The visitor's country (GeoIP), or an empty recordset."""
        country_code = request.geoip.country_code
        country = request.env["res.country"]
        return country.search([("code", "=", country_code)], limit=1) if country_code else country

    def _visitor(self, payload):
        """Who the visitor is: a logged-in user (only on the server's own pages, see
        ``_api``), a returning guest, or nobody yet."""
        env = request.env
        partner = env.user.partner_id if not env.user._is_public() else env["res.partner"]
        guest = env["mail.guest"]
        if not partner:
            guest = env["mail.guest"]._live_chat_guest_from_token(payload.get("guest_token"))
        return {
            "partner": partner,
            "guest": guest,
            "country": self._visitor_country(),
            # The visitor's language, which ``_api`` made the request's.
            "lang": env.lang,
        }


def _parse_id(value):
    """A record id from a URL's path: digits only, else 0 (no such record)."""
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 10 else 0
