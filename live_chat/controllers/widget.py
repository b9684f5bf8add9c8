"""The visitor's widget: the loader (the snippet's stable address, cached a few
minutes), the widget's code (one bundle whose address is the hash of its content,
cached for good: a loader never runs an old widget) and the support page."""

import gzip
import hashlib
import json
import os
import threading
from typing import NamedTuple

from werkzeug.exceptions import NotFound
from werkzeug.http import parse_accept_header, parse_etags

from odoo import http
from odoo.http import request
from odoo.tools.misc import file_path

from odoo.addons.bus.websocket import WebsocketConnectionHandler

from ..models.discuss_channel import MESSAGE_MAX_LENGTH
from ..models.utils import prefetch_columns

WIDGET_DIR = "live_chat/static/src/widget"
# The bundle, in this order, in one function: its top-level names stay inside.
BUNDLE_SOURCES = (
    "transport.js",
    "message_log.js",
    "transcript.js",
    "view.js",
    "offline_form.js",
    "queue.js",
    "widget.js",
)
LOADER_SOURCE = "loader.js"
# Modules the widget loads when it needs them, never before the first opening of its
# window (the bundle loads with the page): name -> sources. Each one at the address
# of its content, named in the bundle (LAZY_MODULES).
LAZY_SOURCES = {"talk": ("presence.js", "attachments.js"), "emoji": ("emoji.js",)}
# The loader's address is in the customers' pages: cached a little, so that a new
# version (a new bundle address) reaches the visitors within minutes.
LOADER_MAX_AGE = 300
BUNDLE_CACHE = "public, max-age=31536000, immutable"


class WidgetBuild(NamedTuple):
    version: str  # the hash of the bundle
    bundle: bytes
    bundle_gzip: bytes
    loader: str
    # name -> (version, code, gzipped code)
    modules: dict

    @property
    def url(self):
        """The bundle's path on the chat server."""
        return f"/live_chat/widget/{self.version}.js"

    def module_url(self, name):
        return f"/live_chat/widget/{name}/{self.modules[name][0]}.js"


class WidgetCode:
    """The widget's code, read from its sources once per change of them (checked
    with a few stat calls per request): same sources, same bundle and address in
    every worker and on every server."""

    def __init__(self):
        self._lock = threading.Lock()
        self._paths = None
        self._signature = None
        self._current = None

    def current(self):
        """The current build: one consistent snapshot (address and content)."""
        if self._paths is None:
            lazy = [name for sources in LAZY_SOURCES.values() for name in sources]
            self._paths = [
                file_path(f"{WIDGET_DIR}/{name}")
                for name in (*BUNDLE_SOURCES, LOADER_SOURCE, *lazy)
            ]
        signature = tuple((st.st_mtime_ns, st.st_size) for st in map(os.stat, self._paths))
        if signature != self._signature:
            with self._lock:
                if signature != self._signature:
                    self._current = self._make_build()
                    self._signature = signature
        return self._current

    def _make_build(self):
        texts = [self._read(path) for path in self._paths]
        sources, loader = texts[: len(BUNDLE_SOURCES)], texts[len(BUNDLE_SOURCES)]
        lazy_texts = iter(texts[len(BUNDLE_SOURCES) + 1 :])
        modules = {}
        for name, module_sources in LAZY_SOURCES.items():
            code = "\n".join(next(lazy_texts) for _source in module_sources)
            code = ('(() => {\n"use strict";\n' + code + "})();\n").encode()
            modules[name] = (
                hashlib.sha256(code).hexdigest()[:20],
                code,
                gzip.compress(code, 9, mtime=0),
            )
        addresses = {
            name: f"/live_chat/widget/{name}/{version}.js"
            for name, (version, _code, _gzip) in modules.items()
        }
        bundle = (
            '(() => {\n"use strict";\n'
            + f"const LAZY_MODULES = {json.dumps(addresses)};\n"
            + "\n".join(sources)
            + "})();\n"
        ).encode()
        return WidgetBuild(
            version=hashlib.sha256(bundle).hexdigest()[:20],
            bundle=bundle,
            bundle_gzip=gzip.compress(bundle, 9, mtime=0),
            loader=loader,
            modules=modules,
        )

    @staticmethod
    def _read(path):
        with open(path, encoding="utf-8") as source:
            return source.read()


WIDGET_CODE = WidgetCode()


def widget_server_info():
    """What the widget learns from the server on each page (/init): its current code,
    the host's bus protocol version and the longest message."""
    return {
        "bundle": WIDGET_CODE.current().url,
        "bus_version": WebsocketConnectionHandler._VERSION,
        "message_max_length": MESSAGE_MAX_LENGTH,
    }


def _script_response(body, cache_control, body_gzip=None, etag=None):
    """A script, gzip-compressed when the browser takes it (``Accept-Encoding``, its
    q-values honoured), with its validator: a browser or a proxy revalidating an
    unchanged script gets a ``304`` without a body. ``etag`` defaults to the hash of
    ``body``; ``body_gzip``: the compressed body when it is kept (the bundles)."""
    request_headers = request.httprequest.headers
    etag = etag or hashlib.sha256(body).hexdigest()[:20]
    headers = [
        ("Content-Type", "application/javascript; charset=utf-8"),
        ("Cache-Control", cache_control),
        ("Vary", "Accept-Encoding"),
        ("X-Content-Type-Options", "nosniff"),
        ("ETag", f'"{etag}"'),
    ]
    if parse_etags(request_headers.get("If-None-Match")).contains(etag):
        return request.make_response(b"", headers=headers, status=304)
    if parse_accept_header(request_headers.get("Accept-Encoding")).quality("gzip") > 0:
        body = body_gzip if body_gzip is not None else gzip.compress(body, 6, mtime=0)
        headers.append(("Content-Encoding", "gzip"))
    return request.make_response(body, headers=headers)


def find_active_channel(channel_id):
    """The active channel ``channel_id`` (any int a visitor sent), else an empty
    recordset."""
    channel = request.env["live_chat.channel"]
    if not 0 < channel_id < 2**31:
        return channel
    # sudo: live_chat.channel - public pages show an active channel's widget.
    # One query: the active channel's row (not an existence check, then a read).
    return channel.sudo().search_fetch([("id", "=", channel_id)], prefetch_columns(channel))


def _active_channel(channel_id):
    if not (channel := find_active_channel(channel_id)):
        raise NotFound()
    return channel


class LiveChatWidgetController(http.Controller):
    # Scripts for every visitor, publicly cached: no session cookie in them.
    @http.route(
        "/live_chat/loader/<int:channel_id>",
        type="http",
        auth="live_chat_visitor",
        cors="*",
        readonly=True,
        save_session=False,
    )
    def loader(self, channel_id, page=None, **_params):
        """The script of the widget snippet. ``page=1``: the support page's variant,
        the window open and no button. Publicly cached: nothing of the request in it
        (the server is the configured one, never the request's Host header)."""
        channel = _active_channel(channel_id)
        code = WIDGET_CODE.current()
        config = {
            "server": channel.get_base_url().rstrip("/"),
            "channel": channel.id,
            "page": page == "1",
            "bundle": code.url,
        }
        body = f"(() => {{\nconst LIVE_CHAT_CONFIG = {json.dumps(config)};\n{code.loader}}})();\n"
        return _script_response(body.encode(), f"public, max-age={LOADER_MAX_AGE}")

    @http.route(
        "/live_chat/widget/<string:version>.js",
        type="http",
        auth="none",
        cors="*",
        save_session=False,
    )
    def bundle(self, version, **_params):
        """The widget's code, at the address of its content."""
        code = WIDGET_CODE.current()
        if version != code.version:
            # A loader from before an upgrade (cached for minutes): today's code,
            # which takes over from any loader.
            response = request.redirect(code.url, code=302, local=True)
            response.headers["Cache-Control"] = "no-store"
            return response
        return _script_response(code.bundle, BUNDLE_CACHE, code.bundle_gzip, etag=code.version)

    @http.route(
        "/live_chat/widget/<string:name>/<string:version>.js",
        type="http",
        auth="none",
        cors="*",
        save_session=False,
    )
    def module(self, name, version, **_params):
        """A module of the widget loaded on demand (LAZY_SOURCES), at the address of
        its content."""
        code = WIDGET_CODE.current()
        if name not in code.modules:
            raise NotFound()
        module_version, body, body_gzip = code.modules[name]
        if version != module_version:
            response = request.redirect(code.module_url(name), code=302, local=True)
            response.headers["Cache-Control"] = "no-store"
            return response
        return _script_response(body, BUNDLE_CACHE, body_gzip, etag=module_version)

    @http.route("/live_chat/support/<int:channel_id>", type="http", auth="public")
    def support_page(self, channel_id, **_params):
        """A page of its own with the chat open: the direct chat link."""
        channel = _active_channel(channel_id)
        html = request.env["ir.qweb"]._render(
            "live_chat.support_page",
            {"channel": channel, "loader_url": f"/live_chat/loader/{channel.id}?page=1"},
        )
        return request.make_response(
            f"<!DOCTYPE html>\n{html}",
            headers=[("Content-Type", "text/html; charset=utf-8")],
        )
