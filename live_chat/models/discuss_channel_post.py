"""The message path of a live chat session: a lean ``message_post``.

The host's ``message_post`` is written for any document with followers; a session has
none, two or three members and no mail to send, and the host spends about 30 queries on
a message. For a plain text message of a session (no attachment, mention or reply:
those take the host's path), ``_live_chat_post_lean`` makes what the host makes (the
same ``mail.message``, the same member state, the same bus notifications, web push
when configured) in a few statements:

1. the message, with the host's values; those that depend only on the company and
   the author (reply-to, alias domain) are computed once per worker and kept a
   minute. Its row is written in one INSERT, as the host's create writes it, when
   nothing else could change what that create writes (``create_message``), else by
   the host's ``_message_create``;
2. one statement for the rest of the database work: the session's ``last_interest_dt``
   (for a comment), the author's member marked as having seen the message (seen,
   fetched, new message separator), the author's unread counter before the message,
   the members to notify (web push) and the bus's last id, which the host sends with
   an unread counter;
3. the bus notifications the host would send, built by the host's ``Store`` from
   values put in the ORM cache (no read back): the session's ``last_interest_dt``, the
   author's member (unread counter, separator), the new message for the operators'
   web client, and the suite's ``live_chat/message`` for the visitor's widget.
"""

import time

from markupsafe import escape

from odoo import fields
from odoo.tools import SQL, clean_context

from odoo.addons.mail.models.mail_message import _image_dataurl
from odoo.addons.mail.tools.discuss import Store

from .utils import self_member_sql

# Arguments of message_post that the lean path takes; any other one (attachments,
# mentions, a parent message, scheduling...) goes through the host's path.
LEAN_ARGUMENTS = {
    "body",
    "message_type",
    "subtype_xmlid",
    "author_id",
    "author_guest_id",
    # The web client's composer sends it.
    "email_add_signature",
}
# Arguments that may be given empty (the web client's composer sends them).
LEAN_EMPTY_ARGUMENTS = {"partner_ids", "attachment_ids", "parent_id", "canned_response_ids"}
# What a worker keeps of what a message's values depend on besides the message
# (the company's and the author's: alias domain, company, reply-to; the subtype's
# description; whether the host's create may be replaced): seconds.
WORKER_CACHE_SECONDS = 60
_WORKER_CACHE = {}
# Where a message's post leaves the bus's newest id it read (the transaction's data).
BUS_LAST_ID_KEY = "live_chat.bus_last_id"
# Where the lean path leaves the values of the messages it posted, by id (the
# transaction's data): their format in the transaction (the bus's new message, the
# answer of the web client's post route) takes them as the host's ``msg_vals``, which
# tells it that a message has no scheduled notification without searching for one.
POSTED_VALUES_KEY = "live_chat.posted_values"
# Where the create of a message may be defined for the suite to write its row itself
# (create_message): the host's mail module, the ORM, and the suite's own check of a
# session's messages (mail_message.py), which message_post has made before the post.
HOST_MESSAGE_CREATE = {
    "odoo.addons.mail.models.mail_message",
    "odoo.orm.models",
    "odoo.addons.live_chat.models.mail_message",
}
# The stored fields of a message with a default: the lean path gives each of them
# (the date: the host's default, the time of the create).
MESSAGE_DEFAULTS = {"date", "body", "message_type", "email_add_signature"}


# Functions of a session (a live chat ``discuss.channel``), called by its methods
# ``_live_chat_can_post_lean`` and ``_live_chat_post_lean`` (discuss_channel.py).


def can_post_lean(session, kwargs):
    """Whether ``message_post(**kwargs)`` on this session may take the lean path."""
    return (
        len(session) == 1
        and kwargs.get("message_type", "notification") in ("comment", "notification")
        and kwargs.get("subtype_xmlid") in (None, "mail.mt_comment")
        and all(
            key in LEAN_ARGUMENTS or (key in LEAN_EMPTY_ARGUMENTS and not value)
            for key, value in kwargs.items()
        )
        # The host's path on demand (the tests compare both).
        and not session.env.context.get("live_chat_host_post")
    )


def reply_values(session, author_id, email_from):
    """The host's values of a new message of this session that depend only on the
    company and the author (or the user, for a guest author): alias domain, company,
    reply-to (the company's catchall under the author's name). Kept by the worker for
    ``WORKER_CACHE_SECONDS``: a change of the company's mail settings shows within that
    time. The host would also look for an alias of the session itself, which the
    suite never makes."""
    # The company is the user's (or the context's allowed one): keyed by what decides
    # it, not computed (``env.company`` reads the user's row, a query per message).
    env = session.env
    companies = tuple(env.context.get("allowed_company_ids") or ())
    key = ("reply", env.cr.dbname, env.uid, companies, author_id)
    return _worker_cached(
        env,
        key + (email_from,),
        lambda: _compute_reply_values(session, author_id, email_from),
    )


def _worker_cached(env, key, compute):
    """``compute()``, kept by the worker for ``WORKER_CACHE_SECONDS`` and until the
    registry's caches are cleared in any worker (what changes the mail settings
    clears them: see mail_alias_domain.py; a user default does too)."""
    key += (tuple(sorted(env.registry.cache_sequences.items())),)
    now = time.monotonic()
    cached = _WORKER_CACHE.get(key)
    if cached and cached[0] > now:
        return cached[1]
    values = compute()
    if len(_WORKER_CACHE) > 1000:
        _WORKER_CACHE.clear()
    _WORKER_CACHE[key] = (now + WORKER_CACHE_SECONDS, values)
    return values


def _compute_reply_values(session, author_id, email_from):
    company = session.env.company
    alias_domains = session.sudo()._mail_get_alias_domains(default_company=company)
    companies = session._mail_get_companies(default=company)
    reply_to = session._notify_get_reply_to(default=email_from, author_id=author_id)
    return {
        "record_alias_domain_id": alias_domains[session.id].id,
        "record_company_id": companies[session.id].id,
        "reply_to": reply_to[session.id],
    }


def clear_worker_cache():
    _WORKER_CACHE.clear()


def post_lean(
    session,
    *,
    body="",
    message_type="notification",
    subtype_xmlid=None,
    author_id=None,
    email_add_signature=True,
    **_,
):
    """``message_post`` for a session, as the host does it, in few statements (see
    the module's docstring). Called in the context of the host's ``message_post``
    (the session's ``message_post`` checked that the post is allowed)."""
    session.ensure_one()
    session = session._fallback_lang()
    env = session.env
    # The author, as the host finds it.
    guest = env["mail.guest"]._get_guest_from_context()
    if not author_id and env.user._is_public() and guest:
        author_guest_id, author_id, email_from = guest.id, False, False
    else:
        author_guest_id = False
        author_id, email_from = session._message_compute_author(author_id, None)
    subtype_id = env["ir.model.data"]._xmlid_to_res_id(subtype_xmlid or "mail.mt_note")
    values = {
        "email_add_signature": email_add_signature,
        "author_id": author_id,
        "author_guest_id": author_guest_id,
        "email_from": email_from,
        "model": session._name,
        "res_id": session.id,
        "body": escape(body),
        "message_type": message_type,
        "parent_id": False,
        "subject": False,
        "subtype_id": subtype_id,
        "partner_ids": [],
        "incoming_email_to": False,
        "incoming_email_cc": False,
        "outgoing_email_to": False,
        **reply_values(session, author_id, email_from),
    }
    values.update(session._process_attachments_for_post([], [], values))
    message = create_message(session, values)
    env.cr.precommit.data.setdefault(POSTED_VALUES_KEY, {})[message.id] = values
    # The messages its body links to, which the web client's format of the message
    # shows: none in a body without a link (the host's compute parses the body with
    # lxml, looking for <a> elements; what the create stores of the body has no tag
    # that the given body has not).
    if "<a" not in str(values["body"] or "").lower():
        message._fields["linked_message_ids"]._update_cache(message, ())
    # The subtype's description, which the web client's format of the message shows
    # (a read of the subtype per message otherwise).
    subtype = env["mail.message.subtype"].sudo().browse(subtype_id)
    key = ("subtype", env.cr.dbname, subtype_id, env.lang)
    set_cache(subtype, description=_worker_cached(env, key, lambda: subtype.description or False))
    after_post(session, message, values)
    return message


def create_message(session, values):
    """The host's ``_message_create([values])``: the message's row as the host's
    create writes it, in one INSERT, with the record in the ORM cache as the ORM's
    create leaves it. The ORM's create spends more time on its generality (the
    fields' defaults, their classification and access, the cache of every field)
    than on the row. When anything could make the host's create write something
    else (another module's override of it, a default that the suite does not give,
    a field's constraint, a user default, an image in the body, recipients or
    files, an author that the host's create would change), the host's create runs."""
    env = session.env
    messages = env["mail.message"].with_context(clean_context(env.context))
    if not (
        _worker_cached(
            env, ("plain_create", env.cr.dbname), lambda: _plain_create_possible(messages)
        )
        and (env.su or env.user.has_group("base.group_user"))
        and not _image_dataurl.search(values["body"] or "")
        and not any(values.get(name) for name in ("partner_ids", "attachment_ids"))
    ):
        message = session._message_create([values])
        # What the message holds, as written (the host's create leaves some out of
        # the cache); a new message has no attachment, reaction or notification yet
        # (unless the create made them: the cache keeps those). Not its body, which
        # the create may have changed (an inlined image made a file).
        set_cache(message, res_id=session.id)
        for name in ("attachment_ids", "reaction_ids", "notification_ids"):
            message._fields[name]._insert_cache(message, [()])
        return message
    messages.check_access("create")
    # The values the host's create adds: its Message-Id, and the default date.
    values = {
        **values,
        "message_id": messages._get_message_id(values),
        "date": fields.Datetime.now(),
    }
    columns = {}
    for name, value in values.items():
        field = messages._fields[name]
        messages._check_field_access(field, "write")
        if field.column_type:
            columns[name] = field.convert_to_column_insert(value, messages)
    env.cr.execute(
        SQL(
            """INSERT INTO mail_message (%s, create_uid, create_date, write_uid, write_date)
               VALUES (%s, %s, now() AT TIME ZONE 'UTC', %s, now() AT TIME ZONE 'UTC')
            RETURNING id, create_date""",
            SQL(", ").join(map(SQL.identifier, columns)),
            SQL(", ").join(columns.values()),
            env.uid,
            env.uid,
        )
    )
    ((message_id, create_date),) = env.cr.fetchall()
    message = messages.browse(message_id)
    # The cache as the ORM's create leaves it, the body included.
    written = {
        **{name: values[name] for name in columns},
        "body": columns["body"],
        "create_uid": env.uid,
        "create_date": create_date,
        "write_uid": env.uid,
        "write_date": create_date,
    }
    inverses = []
    for name, field in messages._fields.items():
        if not field.store or name == "id":
            continue
        if field.type in ("one2many", "many2many"):
            field._update_cache(message, ())
        elif name not in written:
            field._update_cache(message, None)
        else:
            value = field.convert_to_cache(written[name], message, validate=name != "body")
            field._update_cache(message, value)
            if value and env.registry.field_inverses[field]:
                inverses.append((field, value))
    # The records that list their messages (the session's ``message_ids``...) read
    # them again when asked, instead of the ORM's update of what they hold.
    for field, value in inverses:
        corecord = env[field.comodel_name or values["model"]].browse(value)
        corecord.invalidate_recordset(
            [
                inverse.name
                for inverse in env.registry.field_inverses[field]
                if inverse.model_name == corecord._name
            ]
        )
    message.modified(messages._fields, create=True)
    message.check_access("create")
    message._invalidate_documents(values["model"], values["res_id"])
    # What the ORM's bookkeeping drops again: known for a new message.
    set_cache(message, res_id=values["res_id"])
    for name in ("notification_ids", "notified_partner_ids"):
        message._fields[name]._insert_cache(message, [()])
    return message


def _plain_create_possible(messages):
    """Whether the host's create of a message, with the lean path's values, writes
    nothing but those values, its Message-Id and its date (see ``create_message``)."""
    overrides = {
        cls.__module__
        for cls in type(messages).__mro__
        for name in ("create", "_create", "default_get", "_prepare_create_values")
        if name in vars(cls)
    }
    defaults = {name for name, field in messages._fields.items() if field.store and field.default}
    return (
        overrides <= HOST_MESSAGE_CREATE
        and not messages._constraint_methods
        and not messages._inherits
        and defaults <= MESSAGE_DEFAULTS
        and not messages.env["ir.default"].sudo()._get_model_defaults("mail.message")
    )


def after_post(session, message, values):
    """What the host does after creating ``message``: the session's last interest,
    the author's member, the notifications (see the module's docstring)."""
    env = session.env
    now = fields.Datetime.now()
    interest = values["message_type"] not in ("notification", "user_notification")
    author_partner_id = values["author_id"] or 0
    partner, guest = env["res.partner"]._get_current_persona()
    # The author's member is updated when the current persona wrote the message
    # (the host's is_current_user_or_guest_author; the public user's persona is the
    # guest of the context, never a partner).
    own = (partner and partner.id == author_partner_id) or (
        guest and guest.id == values["author_guest_id"]
    )
    env.flush_all()
    # Raw SQL: one statement instead of the host's reads, writes and re-reads.
    env.cr.execute(
        SQL(
            """
            WITH session AS (
                UPDATE discuss_channel
                   SET last_interest_dt = %(now)s, write_date = %(now)s, write_uid = %(uid)s
                 WHERE id = %(id)s AND %(interest)s
             RETURNING id
            ), own AS (
                SELECT m.id, m.new_message_separator, m.fetched_message_id,
                       m.partner_id, m.guest_id
                  FROM discuss_channel_member m
                 WHERE m.channel_id = %(id)s AND %(own)s AND %(persona)s
                 ORDER BY m.id DESC LIMIT 1
            ), own_update AS (
                UPDATE discuss_channel_member m
                   SET fetched_message_id = GREATEST(own.fetched_message_id, %(message)s),
                       seen_message_id = %(message)s,
                       last_seen_dt = %(now)s,
                       new_message_separator = %(message)s + 1,
                       write_date = %(now)s, write_uid = %(uid)s
                  FROM own
                 WHERE m.id = own.id AND (m.seen_message_id IS NULL
                                          OR m.seen_message_id < %(message)s)
             RETURNING m.id
            )
            SELECT 'own', own.id, own.partner_id, own.guest_id, own.new_message_separator,
                   (SELECT count(*) FROM mail_message mm
                     WHERE mm.model = 'discuss.channel' AND mm.res_id = %(id)s
                       AND mm.message_type NOT IN ('notification', 'user_notification')
                       AND mm.id >= own.new_message_separator),
                   (SELECT id FROM bus_bus ORDER BY id DESC LIMIT 1),
                   (SELECT count(*) FROM own_update) + (SELECT count(*) FROM session)
              FROM own
             UNION ALL
            SELECT 'notify', m.partner_id, NULL, NULL, NULL, NULL, NULL, NULL
              FROM discuss_channel_member m
             WHERE m.channel_id = %(id)s AND m.partner_id != %(author)s
               AND m.mute_until_dt IS NULL AND %(comment)s
            """,
            now=now,
            uid=env.uid,
            id=session.id,
            interest=interest,
            own=bool(own),
            persona=self_member_sql(partner, guest),
            message=message.id,
            author=author_partner_id,
            comment=values["message_type"] == "comment",
        )
    )
    rows = env.cr.fetchall()
    own_row = next((row for row in rows if row[0] == "own"), None)
    notify_partner_ids = [row[1] for row in rows if row[0] == "notify"]
    # The session's last interest (the host's write sends it when it changes).
    if interest:
        before = session.last_interest_dt
        set_cache(session, last_interest_dt=now, write_date=now, write_uid=env.user)
        if before != now:
            Store(bus_channel=session).add(session, ["last_interest_dt"]).bus_send()
    # The author's member: seen up to the message, no unread message (the host's
    # _set_last_seen_message and _set_new_message_separator).
    if own_row:
        _kind, member_id, partner_id, guest_id, separator, unread_before, bus_last_id, _n = own_row
        # The bus's newest id before this transaction's notifications, for whoever
        # needs it again in this transaction (a new session's answer): kept with
        # the transaction's pending work, which its end clears.
        env.cr.precommit.data[BUS_LAST_ID_KEY] = bus_last_id or 0
        member = env["discuss.channel.member"].browse(member_id)
        set_cache(
            member,
            channel_id=session,
            partner_id=partner_id,
            guest_id=guest_id,
            seen_message_id=message,
            new_message_separator=message.id + 1,
            message_unread_counter=0,
            last_seen_dt=now,
        )
        member.invalidate_recordset(["fetched_message_id", "write_date", "write_uid"])
        diff = []
        if unread_before:
            diff.append("message_unread_counter")
        if separator != message.id + 1:
            diff.append("new_message_separator")
        if diff:
            diff += [
                Store.One("channel_id", [], as_thread=True),
                *env["discuss.channel.member"]._to_store_persona([]),
            ]
            if "message_unread_counter" in diff:
                diff.append({"message_unread_counter_bus_id": bus_last_id or 0})
            Store(bus_channel=member._bus_channel()).add(member, diff).bus_send()
    # The suite's own after-post (the visitor's widget), as after the host's hook.
    session._live_chat_notify_visitor(message)
    # The host's notification of the members: web push when configured (no inbox
    # nor mail for the members of a conversation), then the new message.
    if notify_partner_ids:
        web_push(session, message, values, notify_partner_ids)
    # Formatted with the post's values (mail_message.py: no search of a schedule).
    payload = {
        "data": Store(bus_channel=session).add(message).get_result(),
        "id": session.id,
    }
    if temporary_id := env.context.get("temporary_id"):
        payload["temporary_id"] = temporary_id
    session._bus_send("discuss.channel/new_message", payload)


def web_push(session, message, values, partner_ids):
    """The host's web push of a new message to the members ``partner_ids`` (not muted),
    when configured: to those the host notifies, active and not busy. Those two are
    checked only when some of them have a device (the statement that found the members
    would be longer to plan on every message)."""
    devices, private_key, public_key = session._web_push_get_partners_parameters(
        list(set(partner_ids) - {values["author_id"]})
    )
    # sudo: res.partner - whom the host's web push notifies (active, not busy).
    partners = devices.partner_id.sudo().filtered(
        lambda partner: partner.active and "busy" not in partner.user_ids.mapped("manual_im_status")
    )
    devices = devices.filtered(lambda device: device.partner_id in partners)
    if not devices:
        return
    payload = session._web_push_truncate_payload(
        session._notify_by_web_push_prepare_payload(message, msg_vals=values)
    )
    session._web_push_send_notification(devices, private_key, public_key, payload=payload)


def set_cache(record, **values):
    """Put ``values`` in the ORM cache of ``record`` as its database values."""
    for name, value in values.items():
        field = record._fields[name]
        if name != "body":  # body: given as converted
            value = field.convert_to_cache(value, record, validate=False)
        field._update_cache(record, value)
