"""What the visitor's side sends, made safe to store and to show: page URLs,
texts, and whether a request comes from the server's own pages."""

import re
from urllib.parse import quote, urlsplit

from odoo.exceptions import UserError
from odoo.tools import SQL, Query, email_normalize, single_email_re

URL_MAX_LENGTH = 2048


class CodeFlag:
    """A context value that only the suite's code can give. The host's routes copy a
    web client's context into the environment (``/mail/message/post``, the ORM's
    RPC): a flag that any true value sets could be sent by any web client."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"<live_chat {self.name}>"


# ``live_chat_post``: a message the suite posts (its API checked the session and the
# author), which a closed session and the visitor's own routes would otherwise refuse.
SUITE_POST = CodeFlag("post")
# ``live_chat_welcome``: the channel's welcome message, not the operator's first answer.
WELCOME_POST = CodeFlag("welcome")

# Characters that no text of a visitor may hold: NUL (PostgreSQL cannot store it),
# UTF-16 surrogates (lone ones come from JSON "\ud800" escapes; UTF-8 cannot encode
# them), and the other C0/C1 control characters and DEL (invisible, or breaking the
# display). Tab and line breaks are allowed where the text has several lines.
_LINE_FORBIDDEN_RE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_TEXT_FORBIDDEN_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")

# What a URL is made of (RFC 3986 characters and "%", once other characters than
# ASCII are escaped): anything else (spaces, controls, backslashes that browsers
# read as "/") makes no URL to keep.
_PRINTABLE_ASCII = "".join(chr(code) for code in range(0x21, 0x7F))
_URL_CHARS_RE = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
# A host name (labels separated by dots) or an IPv6 address in brackets.
_HOST_RE = re.compile(r"[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?|\[[0-9a-f:.]+\]")
# Safe characters of a path and a query: what RFC 3986 allows there, "%" included
# (already escaped sequences stay as they are); quote() escapes everything else.
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_QUERY_SAFE = _PATH_SAFE + "?"


# The longest email address (RFC 5321: 254 characters).
EMAIL_MAX_LENGTH = 254


def normalize_visitor_email(email):
    """The address a visitor typed, normalized, or False when the host would not take
    it: one address, strictly formed (``email_normalize`` alone takes ``a@b``)."""
    if not isinstance(email, str) or len(email) > EMAIL_MAX_LENGTH:
        return False
    normalized = email_normalize(email, strict=True)
    return normalized if normalized and single_email_re.match(normalized) else False


def is_clean_text(text, multiline=False):
    """Whether ``text`` holds only characters that PostgreSQL and the UI can hold;
    ``multiline``: tabs and line breaks are allowed."""
    forbidden = _TEXT_FORBIDDEN_RE if multiline else _LINE_FORBIDDEN_RE
    return not forbidden.search(text)


def clean_page_url(url, keep_query=False):
    """The URL of a page a visitor sent, made safe to store and to use as a link
    target: an ``http`` or ``https`` URL, without user name and password, without
    fragment, and without query string unless ``keep_query``. False when ``url`` is
    not such a URL (``javascript:``, ``data:``, relative URLs, malformed ones...)."""
    if not isinstance(url, str):
        return False
    url = url.strip()
    if not url.isascii():
        try:
            url = quote(url, safe=_PRINTABLE_ASCII)
        except UnicodeEncodeError:  # a lone surrogate
            return False
    if not url or len(url) > URL_MAX_LENGTH or not _URL_CHARS_RE.fullmatch(url):
        return False
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError when out of range or not a number
    except ValueError:
        return False
    scheme = parts.scheme.lower()
    host = parts.netloc.rpartition("@")[2].lower()
    if port is not None:
        host = host.rsplit(":", 1)[0]
    if scheme not in ("http", "https") or not _HOST_RE.fullmatch(host):
        return False
    cleaned = f"{scheme}://{host}{f':{port}' if port is not None else ''}"
    cleaned += quote(parts.path, safe=_PATH_SAFE) or "/"
    if keep_query and parts.query:
        cleaned += "?" + quote(parts.query, safe=_QUERY_SAFE)
    return cleaned if len(cleaned) <= URL_MAX_LENGTH else False


def is_origin_allowed(allowed, origin, own_origin):
    """Whether a page of ``origin`` (scheme://host[:port]) may show the widget of a
    channel allowing the origins ``allowed`` (empty: any website)."""
    if not allowed or not origin:
        return True
    origin = origin.rstrip("/").lower()
    return origin == own_origin.rstrip("/").lower() or origin in allowed


def is_same_origin_request(env, httprequest):
    """Whether a browser sent ``httprequest`` from a page of this server: the
    browser says so (``Sec-Fetch-Site``), or its ``Origin`` is this server's
    address (the request's own, or ``web.base.url``). A request without either
    header is no proof. Only such a request may act as the user of its session
    cookie: a page of another site can make the browser send that cookie too."""
    fetch_site = httprequest.headers.get("Sec-Fetch-Site")
    if fetch_site:
        return fetch_site == "same-origin"
    origin = httprequest.headers.get("Origin")
    if not origin:
        return False
    # sudo: ir.config_parameter - the server's own address, to recognize its pages.
    base_url = env["ir.config_parameter"].sudo().get_param("web.base.url") or ""
    own = {httprequest.host_url.rstrip("/").lower(), base_url.rstrip("/").lower()}
    return origin.rstrip("/").lower() in own


class LiveChatRefusal(UserError):
    """What a session's rules refuse to its visitor (a message into an ended chat, a
    second rating, no operator to start with): the visitor's API answers it as JSON
    with ``status`` and ``code``; the message is already in the visitor's language."""

    def __init__(self, message, code, status=409):
        super().__init__(message)
        self.code = code
        self.status = status


# Files of a chat shown as pictures (thumbnails) on both sides: raster images only
# (an SVG holds scripts: it is a download like any other file).
INLINE_IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")
# Pictures that the server decodes: its thumbnails of them, and the host's resizing of
# large ones when they are stored (base.image_autoresize_extensions). Not WebP: the
# host's Pillow does not read it (odoo.tools.image loads the plugins of these only),
# and serves WebP pictures as they are.
DECODED_IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/bmp", "image/tiff")
# Types of files that a visitor never sends, whatever the channel allows: pages and
# scripts that a browser would run on the chat server's address.
ACTIVE_FILE_TYPES = (
    "text/html",
    "application/xhtml+xml",
    "image/svg+xml",
    "text/xml",
    "application/xml",
    "text/javascript",
    "application/javascript",
)
FILE_NAME_MAX_LENGTH = 255


def clean_file_name(name):
    """A file name a visitor sent, made safe to store and to show (as text): its last
    path component, without control characters, at most 255 characters."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = _LINE_FORBIDDEN_RE.sub("", name).strip()
    return name[:FILE_NAME_MAX_LENGTH] or "file"


def prefetch_columns(model):
    """The fields the ORM reads of a record of ``model`` at once (its stored columns):
    what a ``search_fetch`` of one record reads so that its later field accesses make
    no query."""
    return [
        name
        for name, field in model._fields.items()
        if field.store and field.column_type and field.prefetch is True
    ]


def self_member_sql(partner, guest, alias="m"):
    """SQL: the member row ``alias`` (discuss_channel_member) is the current user's or
    guest's, as the host's ``is_self`` of members says, for ``partner, guest`` of
    ``res.partner._get_current_persona()`` (a user's partner, or the guest of the
    context for the public user); FALSE for nobody."""
    if partner:
        return SQL("%s = %s", SQL.identifier(alias, "partner_id"), partner.id)
    if guest:
        return SQL("%s = %s", SQL.identifier(alias, "guest_id"), guest.id)
    return SQL("FALSE")


def row_statement(model, many2one=None):
    """The statement of ``fetch_row``, as its columns and its ``FROM`` clause: the prefetch
    columns (``prefetch_columns``) of ``model``'s row, and those of the record its
    ``many2one`` points to, if given (a left join). Returns them with the fields it
    reads of each, and the other model's name. The same for every record: a model method
    keeps it in the registry's cache (``ormcache``, with the language: a translated
    field's column depends on it). Not a company-dependent field, whose column depends
    on the company: it is read when first accessed, as the fields outside the prefetch
    are. For callers in sudo: it reads the fields restricted to groups, as the ORM's
    fetch does in sudo (the ORM checks their access when they are read from the cache)."""
    query = Query(model.env, model._table)
    own = _row_fields(model)
    terms = [SQL.identifier(model._table, "id"), *_row_terms(model, model._table, own, query)]
    comodel_name, linked = None, ()
    if many2one:
        comodel_name = model._fields[many2one].comodel_name
        comodel = model.env[comodel_name]
        alias = query.left_join(model._table, many2one, comodel._table, "id", many2one)
        linked = _row_fields(comodel)
        terms += [SQL.identifier(alias, "id"), *_row_terms(comodel, alias, linked, query)]
    return SQL(", ").join(terms), query.from_clause, own, comodel_name, linked


def _row_fields(model):
    return tuple(
        field
        for field in map(model._fields.get, prefetch_columns(model))
        if not field.company_dependent
    )


def _row_terms(model, alias, fields, query):
    for field in fields:
        sql = model._field_to_sql(alias, field.name, query)
        if not field.translate:
            # As the ORM's fetch: the column is read without its pending writes flushed
            # first (the cache keeps them over what the row holds).
            sql = SQL(sql.code, *sql.params, to_flush=(f for f in sql.to_flush if f != field))
        yield sql


def fetch_row(records, record_id, statement, extra=()):
    """The record ``record_id`` of ``records``' model read by ``statement`` (of
    ``row_statement``: its columns, and those of the record its many2one points to, in
    one query instead of a query of their own when first accessed), put into the ORM
    cache as the ORM's fetch puts them. No record rule and no ``active`` test: for
    callers in sudo that want the row whatever its state. ``extra``: more columns (SQL)
    read in the same query. Returns the record found (or an empty recordset) and the
    values of ``extra`` (``None`` for each when no row is found)."""
    columns, from_clause, own, comodel, linked = statement
    rows = records.env.execute_query(
        SQL(
            "SELECT %s FROM %s WHERE %s = %s",
            SQL(", ").join([columns, *extra]),
            from_clause,
            SQL.identifier(records._table, "id"),
            record_id,
        )
    )
    if not rows:
        return records.browse(), (None,) * len(extra)
    record_id, *values = rows[0]
    extra_values = tuple(values[len(values) - len(extra) :])
    values = values[: len(values) - len(extra)]
    record = records.browse(record_id)
    for field, value in zip(own, values[: len(own)], strict=True):
        field._insert_cache(record, [value])
    if comodel:
        linked_id, *linked_values = values[len(own) :]
        if linked_id:
            linked_record = records.env[comodel].browse(linked_id)
            for field, value in zip(linked, linked_values, strict=True):
                field._insert_cache(linked_record, [value])
    return record, extra_values
