import hashlib
import re
import secrets
import textwrap
from collections import defaultdict
from datetime import timedelta

import lxml.html
from markupsafe import Markup, escape
from psycopg2 import errors

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import AccessError, ConcurrencyError, UserError
from odoo.tools import SQL, consteq, html2plaintext, mute_logger, ormcache, plaintext2html

from odoo.addons.mail.tools.discuss import Store

from . import discuss_channel_post as lean_post
from .utils import (
    INLINE_IMAGE_TYPES,
    SUITE_POST,
    WELCOME_POST,
    LiveChatRefusal,
    clean_file_name,
    clean_page_url,
    fetch_row,
    row_statement,
    self_member_sql,
)

# The longest text a visitor may send in one message.
MESSAGE_MAX_LENGTH = 4000
# The messages the widget shows at once: the latest ones, older ones on demand.
MESSAGE_PAGE_SIZE = 50
# What the widget misses after a disconnection, fetched this many at a time.
MESSAGE_CATCH_UP_SIZE = 100
# A start key: random, made by the widget (at least 128 bits, base64url).
START_KEY_RE = re.compile(r"[A-Za-z0-9_-]{22,64}")
# Abandoned sessions closed by one call of the cron (it calls again while some remain).
INACTIVE_BATCH_SIZE = 100
# Sessions anonymised per run of the retention cron (it runs again while some remain).
ANONYMIZE_BATCH_SIZE = 500
# The longest comment a visitor may give with their rating.
RATING_COMMENT_MAX_LENGTH = 1000
# The visitor's rating of a session: three faces, with the values of the host's ratings.
RATING_VALUES = (5, 3, 1)
RATING_SELECTION = [("5", "Happy"), ("3", "Neutral"), ("1", "Unhappy")]
# A session unanswered for this long (minutes) is missed, unless its channel says otherwise.
DEFAULT_MISSED_AFTER = 2


class DiscussChannel(models.Model):
    """A live chat session is a conversation of the host of a type of its own
    (``live_chat``) between a visitor (a guest, or a partner when logged in) and an
    operator. Its own type keeps it out of the host's group conversations: no group
    header, no calls, and once closed (unpinned) neither loaded by the operators' web
    client at start nor subscribed to on their websocket.

    The visitor is a member (so that the host's seen and typing states work) but
    reaches the session only through the suite's API: for the host's routes and
    record rules, a visitor is not a member of their own session."""

    _inherit = "discuss.channel"

    channel_type = fields.Selection(
        selection_add=[("live_chat", "Live Chat Session")],
        ondelete={"live_chat": lambda sessions: sessions._live_chat_on_uninstall()},
    )
    live_chat_channel_id = fields.Many2one(
        "live_chat.channel", index="btree_not_null", ondelete="set null"
    )
    live_chat_operator_id = fields.Many2one("res.users", "Session Operator", ondelete="set null")
    live_chat_visitor_guest_id = fields.Many2one(
        "mail.guest", "Visitor (guest)", index="btree_not_null", ondelete="set null"
    )
    live_chat_visitor_partner_id = fields.Many2one(
        "res.partner", "Visitor (contact)", index="btree_not_null", ondelete="set null"
    )
    live_chat_visitor_name = fields.Char("Visitor Name")
    live_chat_country_id = fields.Many2one("res.country", "Visitor Country")
    live_chat_country_name = fields.Char(related="live_chat_country_id.name")
    live_chat_country_code = fields.Char(related="live_chat_country_id.code")
    live_chat_channel_name = fields.Char(related="live_chat_channel_id.name")
    live_chat_lang = fields.Char("Visitor Language")
    live_chat_page_url = fields.Char("Page", help="The page the visitor started the chat from.")
    live_chat_start_dt = fields.Datetime("Started")
    live_chat_end_dt = fields.Datetime("Ended")
    live_chat_state = fields.Selection(
        [("open", "In progress"), ("closed", "Closed")], "Status", readonly=True
    )
    live_chat_visitor_token = fields.Char(copy=False, groups="base.group_system")
    # The widget's key of the start of a session: the same start sent twice makes one.
    live_chat_start_key = fields.Char(copy=False, groups="base.group_system")
    # Stored, in minutes, once the session has ended: the reports sum and average it.
    live_chat_duration = fields.Float(
        "Duration (minutes)",
        compute="_compute_live_chat_duration",
        store=True,
        digits=(16, 1),
        help="How long the chat lasted, from the visitor's first message to its end.",
    )
    # What the reports count, kept up to date cheaply: the first answer (one UPDATE,
    # once per session), the rest when the session ends.
    live_chat_first_answer_dt = fields.Datetime(
        "First Answer", readonly=True, help="When an operator first answered the visitor."
    )
    live_chat_missed = fields.Boolean(
        "Missed Chat",
        readonly=True,
        help="No operator answered: within the channel's time (Missed after), or "
        "before the chat ended.",
    )
    live_chat_visitor_message_count = fields.Integer(
        "Visitor Messages", readonly=True, help="Counted when the session ends."
    )
    live_chat_operator_message_count = fields.Integer(
        "Operator Messages",
        readonly=True,
        help="Answers of the operators, counted when the session ends.",
    )
    live_chat_rating = fields.Selection(
        RATING_SELECTION,
        "Visitor Rating",
        readonly=True,
        help="How the visitor rated the chat once it ended.",
    )
    live_chat_rating_id = fields.Many2one(
        "rating.rating", "Visitor Rating Record", readonly=True, ondelete="set null"
    )
    live_chat_rating_comment = fields.Text(
        "Visitor Comment", related="live_chat_rating_id.feedback"
    )
    live_chat_transcript = fields.Html(
        "Transcript", compute="_compute_live_chat_transcript", sanitize=False
    )
    # The transcript the visitor receives: operators by the name visitors see of them.
    live_chat_visitor_transcript = fields.Html(
        "Transcript for the visitor", compute="_compute_live_chat_transcript", sanitize=False
    )

    # Privacy (see "Privacy" below)
    live_chat_anonymized_dt = fields.Datetime("Anonymised on", readonly=True, copy=False)

    # The visitor's last ping (their window open on a page of the site). Their
    # messages count too: see _live_chat_inactive_sessions.
    live_chat_visitor_seen_dt = fields.Datetime("Visitor Last Seen", readonly=True)

    # The operator choice counts open sessions per operator: this index keeps that
    # count independent of the length of the history.
    _live_chat_open_operator_idx = models.Index(
        "(live_chat_operator_id) WHERE live_chat_state = 'open'"
    )
    _live_chat_start_key_unique = models.UniqueIndex(
        "(live_chat_channel_id, live_chat_start_key) WHERE live_chat_start_key IS NOT NULL"
    )

    # The retention cron looks for the closed sessions not anonymised yet, per channel.
    _live_chat_to_anonymize_idx = models.Index(
        "(live_chat_channel_id)"
        " WHERE live_chat_state = 'closed' AND live_chat_anonymized_dt IS NULL"
    )
    # The reports and the channels' dashboard: sessions of a channel over a period,
    # and every channel's over a period or the latest first (the report's list).
    _live_chat_report_idx = models.Index(
        "(live_chat_channel_id, live_chat_start_dt) WHERE channel_type = 'live_chat'"
    )
    _live_chat_start_idx = models.Index("(live_chat_start_dt) WHERE channel_type = 'live_chat'")

    @api.depends("live_chat_start_dt", "live_chat_end_dt")
    def _compute_live_chat_duration(self):
        for session in self:
            start, end = session.live_chat_start_dt, session.live_chat_end_dt
            session.live_chat_duration = (
                (end - start).total_seconds() / 60 if start and end else 0.0
            )

    def _compute_live_chat_transcript(self):
        for session in self:
            session.live_chat_transcript = session._live_chat_transcript_html()
            session.live_chat_visitor_transcript = session._live_chat_transcript_html(
                for_visitor=True
            )

    def _live_chat_title(self, length=80):
        """A title of the session for what is made of it (a ticket, a lead): the
        visitor's first message, shortened, else who the chat was with."""
        self.ensure_one()
        partner, guest = self._live_chat_visitor_author()
        if partner or guest:
            author = (
                ("author_id", "=", partner.id) if partner else ("author_guest_id", "=", guest.id)
            )
            first = self.env["mail.message"].search(
                [
                    ("model", "=", "discuss.channel"),
                    ("res_id", "=", self.id),
                    ("message_type", "=", "comment"),
                    author,
                ],
                order="id asc",
                limit=1,
            )
            text = " ".join(html2plaintext(first.body or "").split())
            if text:
                return textwrap.shorten(text, length, placeholder="…")
        return self.env._("Live chat with %s", self.live_chat_visitor_name)

    def _live_chat_create_record(self, model, values):
        """A record of ``model`` (a bridge's ``live_chat.session.record``: a ticket, a
        lead) made of this session from ``values``, created with the user's own
        rights (only the users of that app create its records)."""
        self.ensure_one()
        self.check_access("read")
        if not self.live_chat_channel_id:
            raise UserError(self.env._("This conversation is not a live chat session."))
        return self.env[model].create({**values, "live_chat_session_id": self.id})

    def _live_chat_open_record_action(self, record):
        """The action that opens ``record`` (one made of this session) in its form."""
        return {
            "type": "ir.actions.act_window",
            "res_model": record._name,
            "res_id": record.id,
            "views": [(False, "form")],
            "target": "current",
        }

    def _live_chat_record_description(self):
        """The description of what is made of the session (a ticket, a lead): its
        transcript, or a line saying that it has no message."""
        self.ensure_one()
        return self._live_chat_transcript_html() or Markup("<p>%s</p>") % self.env._(
            "No message in this chat."
        )

    def _live_chat_count_records(self, records_model):
        """How many records of ``records_model`` (a ``live_chat.session.record`` model,
        in the caller's context) each of these sessions has: {session: count}, in one
        query."""
        return dict(
            records_model._read_group(
                [("live_chat_session_id", "in", self.ids)], ["live_chat_session_id"], ["__count"]
            )
        )

    def _live_chat_transcript_html(self, for_visitor=False):
        """The conversation as HTML: every text escaped, authors and times shown
        (``for_visitor``: the operators by the name visitors see of them)."""
        self.ensure_one()
        if not self.live_chat_channel_id:
            return False
        messages = self._live_chat_message_records()
        lines = [
            Markup(
                '<div class="o_live_chat_transcript_line"><small class="text-muted">%s</small> '
                "<strong>%s</strong>: %s</div>"
            )
            % (
                fields.Datetime.context_timestamp(self, message.date).strftime("%Y-%m-%d %H:%M"),
                self._live_chat_author_format(message, self._live_chat_is_visitor_message(message))[
                    "author"
                ]
                if for_visitor and message.author_id
                # No author: a visitor's message in an anonymised session.
                else message.author_id.name
                or message.author_guest_id.name
                or self.live_chat_visitor_name
                or "",
                html2plaintext(message.body or ""),
            )
            for message in messages
        ]
        return Markup("").join(lines)

    # ------------------------------------------------------------
    # Store (what the web client knows of a session)
    # ------------------------------------------------------------

    def _to_store_defaults(self, target: Store.Target):
        res = super()._to_store_defaults(target)
        if target.is_internal(self.env):
            res += [
                Store.Attr(field, predicate=_is_live_chat, sudo=True)
                for field in self._live_chat_store_fields()
            ]
            res.append(
                Store.Attr(
                    "live_chat_page_url",
                    # sudo: live_chat.channel - its query string option, for a member of
                    # the session (an internal user) who may not read the channel.
                    lambda session: session.sudo()._live_chat_page_url_link(),
                    predicate=_is_live_chat,
                )
            )
        return res

    def _live_chat_store_fields(self):
        """The session's fields that the operators' web client receives with a live chat
        session (read in sudo); the bridges add theirs (their records' counts)."""
        return list(_STORE_FIELDS)

    def _live_chat_page_url_link(self):
        """The session's page as a link target: checked again when shown, whatever
        stored it (the channel's query string option may have changed since)."""
        self.ensure_one()
        return clean_page_url(
            self.live_chat_page_url, keep_query=self.live_chat_channel_id.keep_url_query
        )

    # ------------------------------------------------------------
    # The host's conversation rules, for sessions
    # ------------------------------------------------------------

    def _compute_self_member_id(self):
        """The host's value for sessions, in one plain query: the current user's or
        guest's member of each session (the highest id), which the host finds with a
        ``_read_group`` as superuser (``compute_sudo``: no record rule) through the
        ``is_self`` search of the members. That read_group, its domain built and
        optimized at each call, cost 0.7 ms of CPU (of 3 for the host's two access
        checks of a reply, here) in each request of an operator that checks a session's
        access (``is_member``, in the host's record rule of channels). Other channels
        keep the host's compute."""
        sessions = self.filtered(lambda c: isinstance(c.id, int) and _is_live_chat(c))
        if others := self - sessions:
            super(DiscussChannel, others)._compute_self_member_id()
        if not sessions:
            return
        members = self.env["discuss.channel.member"]
        member_ids = {}
        if (persona := self._live_chat_self_member_sql()) is not None:
            member_ids = dict(
                self.env.execute_query(
                    SQL(
                        """SELECT m.channel_id, max(m.id) FROM discuss_channel_member m
                            WHERE m.channel_id = ANY(%s) AND %s GROUP BY m.channel_id""",
                        sessions.ids,
                        persona,
                    )
                )
            )
        for session in sessions:
            session.self_member_id = members.browse(member_ids.get(session.id, ()))

    @api.model
    def _live_chat_self_member_sql(self):
        """SQL: the member row ``m`` is the current user's or guest's (the host's
        ``is_self``: the persona of ``res.partner._get_current_persona``), with the
        columns it reads flushed first; ``None`` for nobody. A user's partner is read by
        a subquery, not by a fetch of the user's row."""
        user = self.env.user
        members = self.env["discuss.channel.member"]
        to_flush = [members._fields[name] for name in ("channel_id", "partner_id", "guest_id")]
        if user and not user._is_public():
            # The user's partner as the ORM has it (a change not written yet included).
            to_flush.append(user._fields["partner_id"])
            persona = SQL(
                "m.partner_id = (SELECT partner_id FROM res_users WHERE id = %s)", user.id
            )
        elif guest := self.env["mail.guest"]._get_guest_from_context():
            persona = self_member_sql(self.env["res.partner"], guest)
        else:
            return None
        return SQL("%s", persona, to_flush=to_flush)

    def _compute_is_member(self):
        res = super()._compute_is_member()
        for session in self.filtered(lambda c: c.is_member and _is_live_chat(c)):
            if session._live_chat_is_visitor():
                session.is_member = False
        return res

    def _search_is_member(self, operator, operand):
        """The channels of the current user or guest, as a subquery whose result does
        not grow with their live chat history: closed sessions are left out (the
        operators read them through the Live Chat record rule), and so is the
        visitor's own session (they reach it through the suite's API only). The
        host's version loads every conversation of the persona, history included."""
        if operator != "in":
            return super()._search_is_member(operator, operand)
        partner, guest = self.env["res.partner"]._get_current_persona()
        if not partner and not guest:
            return super()._search_is_member(operator, operand)
        self.env["discuss.channel.member"].flush_model(["channel_id", "partner_id", "guest_id"])
        self.flush_model(["active", "channel_type", "live_chat_state"])
        self.flush_model(["live_chat_visitor_guest_id", "live_chat_visitor_partner_id"])
        persona = (
            SQL(
                "m.guest_id = %s AND c.live_chat_visitor_guest_id IS DISTINCT FROM %s",
                guest.id,
                guest.id,
            )
            if guest
            else SQL(
                "m.partner_id = %s AND c.live_chat_visitor_partner_id IS DISTINCT FROM %s",
                partner.id,
                partner.id,
            )
        )
        # A subquery of the search that asks (a record rule's, the websocket's
        # subscription): no query of its own.
        return [
            (
                "id",
                "in",
                SQL(
                    """(
                    SELECT m.channel_id
                      FROM discuss_channel_member m
                      JOIN discuss_channel c ON c.id = m.channel_id
                     WHERE %s AND (c.active OR NOT %s)
                       AND c.live_chat_state IS DISTINCT FROM 'closed'
                    )""",
                    persona,
                    self.env.context.get("active_test", True),
                ),
            )
        ]

    @api.model
    def _get_thread_with_access(self, thread_id, *, mode="read", **kwargs):
        """The host's check of a thread that an operator's web client names (to post
        in it, read its messages, upload to it...), with the session's row found and
        read in one query: the host asks whether the row exists, then reads it for
        its record rules, two queries on every reply. A session gets the host's own
        answer (the row exists, archived or not, and the user has ``mode`` access);
        other channels (their row read already, as the host's check reads it), and a
        check with access parameters (the portal's tokens), take the host's method."""
        if kwargs or type(thread_id) is not int:
            return super()._get_thread_with_access(thread_id, mode=mode, **kwargs)
        # sudo: discuss.channel - whether the row exists, as the host's ``exists``
        # asks (archived rows too); read as the rules' check below reads it.
        # With the current user's or guest's member of it (the host's ``self_member_id``,
        # which the rules' check and the post's check read): a query less.
        sessions = self.sudo()
        persona = self._live_chat_self_member_sql() or SQL("FALSE")
        self_member = SQL(
            """(SELECT max(m.id) FROM discuss_channel_member m
                 WHERE m.channel_id = discuss_channel.id AND %s)""",
            persona,
        )
        found, (member_id,) = fetch_row(
            sessions, thread_id, sessions._live_chat_session_select(False), extra=[self_member]
        )
        if not found:
            return self.browse()
        if not _is_live_chat(found):
            return super()._get_thread_with_access(thread_id, mode=mode, **kwargs)
        thread = self.browse(thread_id)
        # As _compute_self_member_id puts it, for the caller's user and guest.
        field = self._fields["self_member_id"]
        field._update_cache(thread, field.convert_to_cache(member_id or False, thread))
        return thread if thread.sudo(False).has_access(mode) else self.browse()

    def _types_allowing_unfollow(self):
        # The host's /leave leaves a session (and the suite hands it over).
        return [*super()._types_allowing_unfollow(), "live_chat"]

    def _types_allowing_seen_infos(self):
        return [*super()._types_allowing_seen_infos(), "live_chat"]

    def message_post(self, **kwargs):
        for session in self.filtered(_is_live_chat):
            session._live_chat_check_post(
                kwargs.get("author_id"),
                kwargs.get("author_guest_id"),
                # The host's default for a channel.
                kwargs.get("message_type", "notification"),
            )
        if _is_live_chat(self) and self._live_chat_can_post_lean(kwargs):
            # A session's plain message: the host's result in few statements.
            message = self._live_chat_post_lean(**kwargs)
        else:
            message = super().message_post(**kwargs)
        if _is_live_chat(self):
            self._live_chat_note_answer(message)
        return message

    def _live_chat_can_post_lean(self, kwargs):
        """Whether ``message_post(**kwargs)`` may take the suite's lean path."""
        return lean_post.can_post_lean(self, kwargs)

    def _live_chat_post_lean(self, **kwargs):
        """The host's message_post for a session's plain message, in few queries
        (discuss_channel_post.py)."""
        return lean_post.post_lean(self, **kwargs)

    def _live_chat_check_post(self, author_id=None, author_guest_id=None, message_type="comment"):
        """Refuse a message that does not come through the suite: into a closed
        session (from anyone), from the visitor by one of the host's routes, from a
        user who does not work the session (its members: its operator, an invited
        colleague; or a Live Chat administrator), or under another author's name (the
        ORM's RPC takes any ``author_id``: a message shown as the visitor's), or a
        notice (``message_type`` other than a comment) from a user. The host's routes
        post in sudo for the user: the user is checked all the same; the author and
        the type only outside sudo (the host's own posts name their author)."""
        self.ensure_one()
        if self.env.context.get("live_chat_post") is SUITE_POST:
            return
        if self.live_chat_state != "open":
            raise UserError(self.env._("This chat has ended: no message can be added to it."))
        # Who posts, and their partner (the author): read at once.
        self.env["res.users"]._live_chat_read_self()
        if self._live_chat_is_visitor():
            raise AccessError(self.env._("A visitor writes in the chat window only."))
        if self.env.uid == SUPERUSER_ID:
            return
        if not self.env.su:
            if (author_id and author_id != self.env.user.partner_id.id) or author_guest_id:
                raise AccessError(
                    self.env._("A message in a chat is posted under its author's name.")
                )
            # The widget shows a notice as the chat's own line, without an author: an
            # operator's own "notice" could tell the visitor anything in the chat's
            # name. The host's notices for a user (a pin, the leave) are posted in sudo.
            if message_type != "comment":
                raise AccessError(self.env._("In a chat, notices are the live chat's own."))
        self._live_chat_check_works_session()

    def _live_chat_is_visitor(self):
        """Whether the current user or guest is the session's visitor."""
        self.ensure_one()
        partner, guest = self.env["res.partner"]._get_current_persona()
        return bool(
            (guest and guest == self.live_chat_visitor_guest_id)
            or (partner and partner == self.live_chat_visitor_partner_id)
        )

    def _check_can_update_message_content(self, message):
        # What was said in a session stays: no edit once it is closed, and none of
        # the visitor's words by anyone.
        if _is_live_chat(self):
            if self.live_chat_state != "open":
                raise UserError(self.env._("This chat has ended: its messages cannot change."))
            if self._live_chat_is_visitor_message(message):
                raise UserError(self.env._("A visitor's message cannot be changed."))
        return super()._check_can_update_message_content(message)

    def set_message_pin(self, message_id, pinned):
        # The host unpins in SQL, with no check but reading the channel: a session's
        # pins are an operator's action (a user who works the open session). Its
        # notice "pinned a message" is posted in sudo, for them (a user posts no
        # notice in a session: _live_chat_check_post).
        if _is_live_chat(self) and not self.env.su:
            session = self._live_chat_check_operator_action()
            return super(DiscussChannel, session).set_message_pin(message_id, pinned)
        return super().set_message_pin(message_id, pinned)

    def _action_unfollow(self, partner=None, guest=None, post_leave_message=True):
        # A closed session takes no message, not even "left the channel".
        if _is_live_chat(self) and self.live_chat_state != "open":
            post_leave_message = False
        return super()._action_unfollow(
            partner=partner, guest=guest, post_leave_message=post_leave_message
        )

    def _find_or_create_member_for_self(self):
        """Nobody joins a session by the host's routes (join, typing, invitation links):
        the suite adds its members."""
        if _is_live_chat(self):
            return self.env["discuss.channel.member"].search(
                [("channel_id", "=", self.id), ("is_self", "=", True)]
            )
        return super()._find_or_create_member_for_self()

    def _find_or_create_persona_for_channel(self, *args, **kwargs):
        if _is_live_chat(self):
            raise AccessError(self.env._("This conversation is a private live chat."))
        return super()._find_or_create_persona_for_channel(*args, **kwargs)

    def _live_chat_on_uninstall(self):
        """Sessions stay readable as group conversations when the suite is removed."""
        if not self:
            return
        self.env.cr.execute(
            SQL(
                "UPDATE discuss_channel SET channel_type = 'group' WHERE id IN %s",
                tuple(self.ids),
            )
        )

    # ------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------

    def action_live_chat_close(self):
        """Operator side: end the selected sessions."""
        if not self.env.user.has_group("live_chat.live_chat_group_user"):
            raise AccessError(self.env._("Only live chat operators can close a session."))
        self.check_access("read")
        for session in self.filtered(lambda s: s.live_chat_state == "open"):
            # sudo: discuss.channel - a live chat user may end any session they can read
            # (the live chat record rule), without being able to write on conversations.
            # The notice is the visitor's: in their language.
            session.sudo()._live_chat_close(
                session._live_chat_visitor_env()._(
                    "%s closed the conversation.", self.env.user._live_chat_public_name()
                )
            )
        return True

    # ------------------------------------------------------------
    # Business methods (called by the visitor's routes, in sudo)
    # ------------------------------------------------------------

    @api.model
    def _live_chat_find_session(self, session_id, token):
        """The session with that id if the token is its visitor's, else an empty recordset.
        The session is returned in sudo: the token is the visitor's right to it."""
        if (
            not isinstance(session_id, int)
            or isinstance(session_id, bool)
            or not 0 < session_id < 2**31
            or not isinstance(token, str)
            or not token
            # Tokens are ASCII: compare_digest refuses other strings (an oracle of ids).
            or not token.isascii()
        ):
            return self.browse()
        # sudo: discuss.channel - reading the token to compare it with the visitor's.
        # One query: the row with what the visitor's routes read of it, its guest's
        # (the author of the visitor's messages) included.
        sessions = self.sudo()
        session, _extra = fetch_row(sessions, session_id, sessions._live_chat_session_select(True))
        if (
            not session.live_chat_channel_id
            or not session.live_chat_visitor_token
            or not consteq(session.live_chat_visitor_token, token)
        ):
            return self.browse()
        return session

    @api.model
    @ormcache("with_guest", "self.env._lang", "bool(self.env.context.get('prefetch_langs'))")
    def _live_chat_session_select(self, with_guest):
        """The statement that reads a session's row, at each request of an operator's
        web client (``_get_thread_with_access``), and with its visitor's guest at each
        request of the visitor (``_live_chat_find_session``): built once per registry
        and language."""
        return row_statement(self, "live_chat_visitor_guest_id" if with_guest else None)

    def _live_chat_visitor_author(self):
        self.ensure_one()
        return self.live_chat_visitor_partner_id, self.live_chat_visitor_guest_id

    def _live_chat_as_visitor(self):
        """The session where the host's ``message_post`` takes the visitor as author.
        The host makes the guest of the context the author only for the public user:
        a guest's session posts as the public user, whoever is logged in the browser."""
        self.ensure_one()
        partner, guest = self._live_chat_visitor_author()
        if partner:
            return self
        # Without env.ref's check that the record exists (a query per message).
        public_user = self.env["res.users"].browse(
            self.env["ir.model.data"]._xmlid_to_res_id("base.public_user")
        )
        return self.with_user(public_user).sudo(self.env.su).with_context(guest=guest)

    def _live_chat_post_visitor_message(self, text):
        """Post a visitor's text (plain text, escaped here) in the session."""
        self.ensure_one()
        # "waiting": in the queue, the messages wait for the operator.
        if self.live_chat_state not in ("open", "waiting"):
            raise LiveChatRefusal(self.env._("This chat has ended."), "session_closed")
        body = plaintext2html(text[:MESSAGE_MAX_LENGTH])
        return self._live_chat_post(body, "comment", by_visitor=True)

    def _live_chat_post(self, body, message_type, by_visitor=False, attachments=None):
        """Post ``body`` (and ``attachments``, already the session's) as the session's
        visitor, or else as the current user."""
        self.ensure_one()
        if by_visitor:
            partner, guest = self._live_chat_visitor_author()
            session = self._live_chat_as_visitor()
        else:
            partner, guest = self.env.user.partner_id, self.env["mail.guest"]
            session = self
        return session.with_context(
            guest=guest,
            mail_create_nosubscribe=True,
            mail_post_autofollow=False,
            live_chat_post=SUITE_POST,
        ).message_post(
            body=body,
            author_id=partner.id or False,
            author_guest_id=guest.id if not partner else False,
            message_type=message_type,
            subtype_xmlid="mail.mt_comment",
            attachment_ids=attachments.ids if attachments else [],
        )

    def _live_chat_post_notice(self, notice, css_class, by_visitor=False):
        """Post ``notice`` (plain text, already translated) as a notification of the
        session; ``css_class`` says which (``o_live_chat_closed``: the session's end)."""
        return self._live_chat_post(
            Markup('<div class="o_mail_notification %s">%s</div>') % (css_class, notice),
            "notification",
            by_visitor=by_visitor,
        )

    def _live_chat_visitor_env(self):
        """The environment in the visitor's language, for the texts they read."""
        self.ensure_one()
        return self.with_context(lang=self.live_chat_lang or self.env.lang).env

    def _live_chat_is_visitor_message(self, message):
        """Whether the session's visitor wrote ``message``."""
        self.ensure_one()
        partner, guest = self._live_chat_visitor_author()
        return bool(
            (partner and message.author_id == partner)
            or (guest and message.author_guest_id == guest)
        )

    def _live_chat_close(self, notice, by_visitor=False):
        """End the session, tell both sides. ``notice`` is already translated. Returns
        the notice's message (an empty recordset when the session had ended)."""
        self.ensure_one()
        if self.live_chat_state not in ("open", "waiting"):
            return self.env["mail.message"]
        self.write(
            {
                "live_chat_state": "closed",
                "live_chat_end_dt": fields.Datetime.now(),
                **self._live_chat_closing_figures(),
            }
        )
        message = self._live_chat_post_notice(notice, "o_live_chat_closed", by_visitor=by_visitor)
        self._bus_send("live_chat/session_closed", {"id": self.id})
        Store(bus_channel=self).add(self, ["live_chat_state"]).bus_send()
        self._live_chat_unpin()
        return message

    def _live_chat_note_answer(self, message):
        """Note the operators' first answer to the visitor: when it came, and whether
        it came later than the channel's "Missed after". Runs on every message of a
        session: nothing but a look at the record's cache, except for the first
        answer, which costs one UPDATE."""
        self.ensure_one()
        if (
            self.live_chat_first_answer_dt
            or self.live_chat_state != "open"
            or message.message_type != "comment"
            or self.env.context.get("live_chat_welcome") is WELCOME_POST
            or not message.author_id
            or message.author_id == self.live_chat_visitor_partner_id
        ):
            return
        self.flush_recordset(["live_chat_start_dt", "live_chat_channel_id", "live_chat_missed"])
        self.env["live_chat.channel"].flush_model(["missed_after"])
        # Raw SQL: one UPDATE, without the host's write (which reads and compares the
        # conversation's synchronised fields); the first answer only once, even when
        # two operators answer at the same time.
        self.env.cr.execute(
            SQL(
                """
                UPDATE discuss_channel
                   SET live_chat_first_answer_dt = %(date)s,
                       live_chat_missed = live_chat_missed IS TRUE OR %(date)s
                           > live_chat_start_dt + make_interval(mins => COALESCE(
                               (SELECT missed_after FROM live_chat_channel
                                 WHERE id = live_chat_channel_id), %(default)s))
                 WHERE id = %(id)s AND live_chat_first_answer_dt IS NULL
                """,
                date=message.date,
                default=DEFAULT_MISSED_AFTER,
                id=self.id,
            )
        )
        self.invalidate_recordset(["live_chat_first_answer_dt", "live_chat_missed"])

    def _live_chat_closing_figures(self):
        """What the reports count of a session, once, when it ends: the messages of
        each side (the operators' after the visitor's first one, so without the
        welcome message), and whether it was missed (never answered)."""
        self.ensure_one()
        partner, guest = self._live_chat_visitor_author()
        by_visitor = (
            SQL("m.author_id = %s", partner.id)
            if partner
            else SQL("m.author_guest_id = %s", guest.id or 0)
        )
        self.env["mail.message"].flush_model(
            ["model", "res_id", "message_type", "author_id", "author_guest_id"]
        )
        self.env.cr.execute(
            SQL(
                """
                WITH messages AS (
                    SELECT m.id, COALESCE(%(by_visitor)s, FALSE) AS by_visitor
                      FROM mail_message m
                     WHERE m.model = 'discuss.channel' AND m.res_id = %(id)s
                       AND m.message_type = 'comment'
                )
                SELECT count(*) FILTER (WHERE by_visitor),
                       count(*) FILTER (WHERE NOT by_visitor AND id > (
                           SELECT min(id) FROM messages WHERE by_visitor))
                  FROM messages
                """,
                by_visitor=by_visitor,
                id=self.id,
            )
        )
        visitor_count, operator_count = self.env.cr.fetchone()
        return {
            "live_chat_visitor_message_count": visitor_count,
            "live_chat_operator_message_count": operator_count,
            "live_chat_missed": self.live_chat_missed or not self.live_chat_first_answer_dt,
        }

    @api.model
    def _cron_live_chat_mark_missed(self):
        """Open sessions that nobody answered within their channel's "Missed after"
        become missed now, not only when they end: the reports count them."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                UPDATE discuss_channel s
                   SET live_chat_missed = TRUE
                  FROM live_chat_channel c
                 WHERE c.id = s.live_chat_channel_id
                   AND s.live_chat_state = 'open'
                   AND s.live_chat_first_answer_dt IS NULL
                   AND s.live_chat_missed IS NOT TRUE
                   AND s.live_chat_start_dt < %s - make_interval(mins => c.missed_after)
                """,
                fields.Datetime.now(),
            )
        )
        self.invalidate_model(["live_chat_missed"])

    def _live_chat_rate(self, value, comment=""):
        """The visitor's rating of their ended chat (``value``: 1, 3 or 5, the host's
        unhappy, neutral and happy; ``comment``: plain text, kept as text), as the
        host's rating of the session, once the session has ended, once; two ratings
        sent at the same time both write the session's row, and the database lets one
        of them through."""
        self.ensure_one()
        if value not in RATING_VALUES:
            raise UserError(self.env._("A rating is 1, 3 or 5."))
        if self.live_chat_state != "closed":
            raise LiveChatRefusal(
                self.env._("This chat has not ended yet: rate it once it has ended."),
                "session_open",
            )
        if self.live_chat_rating:
            raise LiveChatRefusal(self.env._("You have already rated this chat."), "already_rated")
        partner, _guest = self._live_chat_visitor_author()
        # sudo: rating.rating - the visitor (public) rates the session their token opens.
        rating = (
            self.env["rating.rating"]
            .sudo()
            .create(
                {
                    "res_model_id": self.env["ir.model"]._get_id(self._name),
                    "res_id": self.id,
                    "rating": value,
                    "feedback": (comment or "").strip()[:RATING_COMMENT_MAX_LENGTH] or False,
                    "consumed": True,
                    "partner_id": partner.id,
                    "rated_partner_id": self.live_chat_operator_id.partner_id.id,
                }
            )
        )
        # Its parent, the session's channel (the host would take the model's, if any):
        # what the ratings' access rules know it by (security/live_chat_security.xml).
        rating.write(
            {
                "parent_res_model_id": self.env["ir.model"]._get_id("live_chat.channel"),
                "parent_res_id": self.live_chat_channel_id.id,
            }
        )
        self.write({"live_chat_rating": str(value), "live_chat_rating_id": rating.id})
        # The operator's chat window shows it. Their web client no longer listens to
        # the closed session: tell the operator themselves.
        if self.live_chat_operator_id:
            Store(bus_channel=self.live_chat_operator_id).add(
                self, ["live_chat_rating", "live_chat_rating_comment"]
            ).bus_send()
        return rating

    def _live_chat_unpin(self):
        """A closed session leaves its members' chat lists and sidebars (an open chat
        window stays, showing the end); Live Chat > Sessions keeps it."""
        self.ensure_one()
        # sudo: discuss.channel.member - the session's end unpins it for every member.
        members = self.sudo().channel_member_ids
        # A second later than the notice: the host's pin compares to the second, and a
        # last interest at the same second would keep the session pinned.
        members.write({"unpin_dt": fields.Datetime.now() + timedelta(seconds=1)})
        for member in members.filtered("partner_id"):
            Store(bus_channel=member._bus_channel()).add(member, "unpin_dt").bus_send()

    def _live_chat_message_records(self, after_id=0, limit=None, before_id=0, order="id asc"):
        """The session's messages that people see (no tracking, no system notes)."""
        self.ensure_one()
        domain = [
            ("model", "=", "discuss.channel"),
            ("res_id", "=", self.id),
            ("id", ">", after_id),
            ("message_type", "in", ("comment", "notification")),
        ]
        if before_id:
            domain.append(("id", "<", before_id))
        return self.env["mail.message"].search(domain, order=order, limit=limit)

    @api.model
    def _live_chat_bus_last_id(self):
        """The bus's newest notification id. A message posted in this transaction read
        it already (discuss_channel_post.after_post): that one, older than a new read
        might give, which only makes a socket subscribed from it look a little
        further back."""
        if (last_id := self.env.cr.precommit.data.get(lean_post.BUS_LAST_ID_KEY)) is not None:
            return last_id
        # sudo: bus.bus - the id of the newest notification only, none of their contents.
        return self.env["bus.bus"].sudo()._bus_last_id()

    def _live_chat_visitor_info(self):
        """What the visitor's widget needs to resume the session."""
        self.ensure_one()
        operator = self.live_chat_operator_id
        return {
            "id": self.id,
            "state": self.live_chat_state,
            "operator": {
                "name": operator._live_chat_public_name() if operator else "",
                "avatar": operator._live_chat_avatar_url() if operator else None,
                "partner_id": operator.partner_id.id,
            },
            "guest_id": self.live_chat_visitor_guest_id.id or False,
            "visitor_partner_id": self.live_chat_visitor_partner_id.id or False,
            "bus_channel": self._live_chat_bus_channel(),
            # The widget asks for a rating once the chat has ended, unless given.
            "rating": int(self.live_chat_rating) if self.live_chat_rating else False,
            # The newest message the operators' side has read ("Seen" in the widget).
            "operator_seen_id": max(
                self.channel_member_ids._live_chat_operator_members().seen_message_id.ids,
                default=0,
            ),
        }

    @api.model
    def _live_chat_create_guest(self, name, country, lang, timezone):
        """The guest of a new visitor: the name they gave, or "Visitor #<n>"."""
        name = (name or "").strip()
        # sudo: mail.guest - a visitor's first message creates their guest identity.
        guest = (
            self.env["mail.guest"]
            .sudo()
            .create(
                {
                    "name": name or "Visitor",
                    "country_id": country.id if country else False,
                    "lang": lang,
                    "timezone": timezone,
                }
            )
        )
        if not name:
            guest.name = self.env._("Visitor #%s", guest.id)
        return guest

    @api.model
    def _live_chat_new_token(self):
        return secrets.token_urlsafe(32)

    # ------------------------------------------------------------
    # A session's own fields: the suite's alone
    # ------------------------------------------------------------
    # The host lets a channel's members write it, and any internal user create one;
    # through the ORM's RPC an operator could then rewrite their session's figures
    # (rating, missed, counts), its state or its anonymisation (the visitor's data
    # then kept), and an employee open sessions that fill the operators' maximum.
    # Sessions are made and changed by the suite's own code only, which does so as
    # superuser; a member's own settings (their pin, their member's fields) stay the
    # host's.

    @api.model
    def _live_chat_check_own_values(self, vals_list, sessions=None):
        """Refuse ``vals_list`` (a create's, or a write's on ``sessions``) that make
        or change a live chat session, outside the suite's own code (sudo)."""
        if self.env.su:
            return
        for vals in vals_list:
            if any(name.startswith("live_chat_") for name in vals) or (
                vals.get("channel_type") == "live_chat"
                # Nor any change of a session: archived (out of the sessions' list,
                # not of the reports), renamed (the visitor's name), its picture, or
                # made another kind of conversation. The host's own writes of a
                # channel for a user are those (its routes to rename, describe, and
                # change the picture); the rest it writes in sudo.
                or (vals and sessions and "live_chat" in sessions.mapped("channel_type"))
            ):
                self._live_chat_refuse_own_values()

    @api.model
    def _live_chat_sessions_of(self, channel_ids):
        """The live chat sessions among ``channel_ids`` (in sudo): for the checks of
        the records of a channel (its messages, files, members) made outside the
        suite."""
        # sudo: discuss.channel - only which channels are sessions.
        channels = self.sudo().browse(set(channel_ids) - {0, None}).exists()
        return channels.filtered(_is_live_chat)

    def _live_chat_refuse_own_values(self):
        raise AccessError(
            self.env._("Live chat sessions are made and changed by the live chat only.")
        )

    @api.model_create_multi
    def create(self, vals_list):
        self._live_chat_check_own_values(vals_list)
        channels = super().create(vals_list)
        # What the context's or the user's own defaults gave, too.
        if not self.env.su and any(
            channel.channel_type == "live_chat" or channel.live_chat_channel_id
            for channel in channels
        ):
            self._live_chat_refuse_own_values()
        return channels

    # ------------------------------------------------------------
    # The visitor's side: what the widget hears on the bus and reads from the API
    # ------------------------------------------------------------
    # The widget listens to one bus channel of its session, a secret derived from the
    # visitor's token, and hears the suite's own small format there: every message
    # posted in the session, whatever the route (visitor API, the operator's composer,
    # notices), as "live_chat/message", and "live_chat/session" when the session's
    # state or operator changes. Never the host's internal payloads.

    def write(self, vals):
        self._live_chat_check_own_values([vals], self)
        watched = {"live_chat_state", "live_chat_operator_id"} & vals.keys()
        before = {
            session: (session.live_chat_state, session.live_chat_operator_id)
            for session in (self.filtered("live_chat_channel_id") if watched else ())
        }
        result = super().write(vals)
        for session, (state, operator) in before.items():
            if (session.live_chat_state, session.live_chat_operator_id) != (state, operator):
                session._live_chat_bus_send(
                    "live_chat/session", session._live_chat_session_format()
                )
        return result

    def _message_post_after_hook(self, message, msg_vals):
        result = super()._message_post_after_hook(message, msg_vals)
        self._live_chat_notify_visitor(message)
        return result

    def _live_chat_notify_visitor(self, message):
        """Send a new message of these sessions to their visitor's widget."""
        if message.message_type in ("comment", "notification"):
            for session in self.filtered("live_chat_channel_id"):
                # sudo: discuss.channel - the message goes to its session's own visitor,
                # whoever posts it (their author's name and the body only).
                session = session.sudo()
                # The visitor's links to the message's files carry their access token.
                message.sudo().attachment_ids.filtered(
                    lambda attachment: not attachment.access_token
                ).generate_access_token()
                session._live_chat_bus_send(
                    "live_chat/message", session._live_chat_message_format(message.sudo())
                )
                # An operator's answer: they have read what came before it (their
                # member's seen message, whichever way the message was posted).
                if (
                    message.message_type == "comment"
                    and message.author_id
                    and not session._live_chat_is_visitor_message(message)
                ):
                    session._live_chat_bus_send(
                        "live_chat/seen", {"session_id": session.id, "message_id": message.id}
                    )

    def _message_update_content(self, message, /, **kwargs):
        result = super()._message_update_content(message, **kwargs)
        for session in self.filtered("live_chat_channel_id"):
            # sudo: discuss.channel - an edited (or deleted) message, to its session's visitor.
            session = session.sudo()
            session._live_chat_bus_send(
                "live_chat/message", session._live_chat_message_format(message.sudo())
            )
        return result

    def _live_chat_bus_channel(self):
        """The visitor's bus channel: a secret string derived from the session's token
        (the host lets anybody subscribe to a string channel: it must not be guessable,
        and it does not give the token away)."""
        self.ensure_one()
        # sudo: discuss.channel - the token is only hashed, never returned.
        token = self.sudo().live_chat_visitor_token
        if not token:
            return False
        return "live_chat:" + hashlib.sha256(token.encode()).hexdigest()

    def _live_chat_bus_send(self, notification_type, payload):
        self.ensure_one()
        if channel := self._live_chat_bus_channel():
            self.env["bus.bus"]._sendone(channel, notification_type, payload)

    def _live_chat_session_format(self):
        self.ensure_one()
        info = self._live_chat_visitor_info()
        return {"id": self.id, "state": info["state"], "operator": info["operator"]}

    def _live_chat_message_kind(self, message):
        """ "message" (someone wrote it), "notice" (the suite or the host says
        something) or "closed" (the notice that ends the session)."""
        if message.message_type != "notification":
            return "message"
        # The suite's notice once the session has ended (an operator's own
        # notification could carry its class: the widget would show the chat ended).
        if self.live_chat_state == "closed" and "o_live_chat_closed" in str(message.body or ""):
            return "closed"
        return "notice"

    def _live_chat_message_format(self, message):
        """A message as the visitor's widget shows it. Notices are written for the
        operator ("Visitor #12 left the conversation."): the visitor is told in their
        language what they did themselves."""
        self.ensure_one()
        from_visitor = self._live_chat_is_visitor_message(message)
        kind = self._live_chat_message_kind(message)
        body = str(message.body or "")
        if kind == "closed" and from_visitor:
            body = str(Markup("<p>%s</p>") % self._live_chat_visitor_env()._("You ended the chat."))
        return {
            "session_id": self.id,
            "id": message.id,
            **self._live_chat_author_format(message, from_visitor),
            "body": body,
            "date": fields.Datetime.to_string(message.date),
            "from_visitor": from_visitor,
            "kind": kind,
            "reactions": self._live_chat_reactions(message),
            "attachments": [
                self._live_chat_attachment_format(attachment)
                for attachment in message.attachment_ids.sorted("id")
            ],
        }

    def _live_chat_author_format(self, message, from_visitor):
        """Who wrote ``message``, as the visitor sees them: themselves by their name;
        an operator by their chat name (never their email nor last name) and their
        chat picture (``author_avatar``: its address, or None)."""
        if from_visitor or not message.author_id:
            author = message.author_id.name or message.author_guest_id.name or ""
            return {"author": author, "author_avatar": None}
        return {
            "author": message.author_id._live_chat_public_name(),
            "author_avatar": message.author_id._live_chat_avatar_url(),
        }

    def _live_chat_reactions(self, message):
        """The reactions on ``message`` as the visitor sees them: each emoji once, with
        how many put it, in the order they were first put (never who put them)."""
        counts = {}
        for reaction in message.reaction_ids.sorted("id"):
            counts[reaction.content] = counts.get(reaction.content, 0) + 1
        return [{"emoji": emoji, "count": count} for emoji, count in counts.items()]

    def _live_chat_send_reactions(self, message):
        """The reactions of ``message`` changed: tell the session's visitor."""
        self.ensure_one()
        self._live_chat_bus_send(
            "live_chat/reactions",
            {
                "session_id": self.id,
                "message_id": message.id,
                "reactions": self._live_chat_reactions(message),
            },
        )

    def _live_chat_message_page(self, after_id=0, before_id=0):
        """A page of the session's messages for the widget, oldest first. With
        ``after_id``: the ones after it (``has_newer``: there are more); else the latest
        ones, before ``before_id`` if given (``has_older``: there are older ones)."""
        self.ensure_one()
        if after_id and not before_id:
            limit = MESSAGE_CATCH_UP_SIZE
            records = self._live_chat_message_records(after_id=after_id, limit=limit + 1)
            more = {"has_newer": len(records) > limit}
        else:
            limit = MESSAGE_PAGE_SIZE
            records = self._live_chat_message_records(
                before_id=before_id, limit=limit + 1, order="id desc"
            )
            more = {"has_older": len(records) > limit}
            records = records[:limit].sorted("id")
        return {
            "messages": [self._live_chat_message_format(message) for message in records[:limit]],
            **more,
        }

    @api.model
    def _live_chat_is_start_key(self, key):
        return isinstance(key, str) and bool(START_KEY_RE.fullmatch(key))

    @api.model
    def _live_chat_find_started(self, channel, start_key):
        """The session of ``channel`` that a start with ``start_key`` made, in sudo (the
        key, a secret of the visitor's widget, is their right to it)."""
        if not start_key or not self._live_chat_is_start_key(start_key):
            return self.browse()
        # sudo: discuss.channel - the start key is only compared.
        return self.sudo().search(
            [("live_chat_start_key", "=", start_key), ("live_chat_channel_id", "=", channel.id)],
            limit=1,
        )

    @api.model
    def _live_chat_create_session(self, values):
        """Create a session with ``values``, its start key among them (the widget's key
        of the start, in the session's INSERT: no statement of its own). The same start
        arriving at the same time in another transaction waits on the key's unique
        index, then fails here: the host replays this request, which then finds the
        session of the other one (``_live_chat_find_started``)."""
        try:
            # A conflict of keys is expected, not an error for the log (the ORM's log
            # of the failed INSERT is muted); any error is raised, any other than the
            # key's as it came.
            with mute_logger("odoo.sql_db"):
                return self.create(values)
        except errors.UniqueViolation as error:
            if error.diag.constraint_name != self._live_chat_start_key_unique.full_name(self):
                raise
            raise ConcurrencyError("live chat: the same start twice at once") from error

    # ------------------------------------------------------------
    # Typing, seen and files (the visitor's side)
    # ------------------------------------------------------------
    # Typing and seen are the host's: the visitor's member of the session types (a
    # bus notification on the session's channel, nothing written) or has read up to
    # a message (the host's seen_message_id), and the operators' web client shows it
    # as for any member of a conversation. The operators' side reaches the visitor
    # from discuss.channel.member, on the visitor's bus channel.

    def _live_chat_visitor_member(self):
        """The visitor's member of the session (or an empty recordset)."""
        self.ensure_one()
        partner, guest = self._live_chat_visitor_author()
        return self.channel_member_ids.filtered(
            lambda member: (
                (partner and member.partner_id == partner)
                or (guest and not partner and member.guest_id == guest)
            )
        )[:1]

    def _live_chat_member_name(self, member):
        """The name under which the visitor knows ``member`` (an operator)."""
        self.ensure_one()
        return member.partner_id._live_chat_public_name()

    def _live_chat_visitor_typing(self, is_typing):
        """The visitor types (or stopped): the host's typing notification of their
        member, for the operators' chat windows."""
        self.ensure_one()
        if self.live_chat_state == "open":
            self._live_chat_visitor_member()._notify_typing(bool(is_typing))

    def _live_chat_visitor_seen(self, message_id):
        """The visitor has read the session up to ``message_id``: their member's seen
        message (the host's), told to the operators as "Seen by". Nothing is written
        when they had seen it already."""
        self.ensure_one()
        member = self._live_chat_visitor_member()
        if not member or message_id <= member.seen_message_id.id:
            return False
        message = self._live_chat_message_records(
            before_id=message_id + 1, limit=1, order="id desc"
        )
        if not message or message.id <= member.seen_message_id.id:
            return False
        member._set_last_seen_message(message)
        return True

    def _live_chat_check_visitor_file(self, name, data):
        """Refuse the visitor's file ``data`` (bytes) named ``name`` when the session
        has ended or its channel does not take it (size, type); its MIME type. Writes
        nothing."""
        self.ensure_one()
        if self.live_chat_state != "open":
            raise LiveChatRefusal(self.env._("This chat has ended."), "session_closed")
        return self.live_chat_channel_id._live_chat_check_file(name, data)

    def _live_chat_post_visitor_file(self, name, data):
        """Post the visitor's file ``data`` (bytes) named ``name`` in the session, after
        the checks of ``_live_chat_check_visitor_file``. Return the message."""
        mimetype = self._live_chat_check_visitor_file(name, data)
        # sudo: ir.attachment - the visitor attaches a checked file to the session
        # their token opens. Pending (the host's composer's), created by the user who
        # posts as the visitor: message_post links only those of a shared user.
        attachment = (
            self._live_chat_as_visitor()
            .env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": clean_file_name(name),
                    "raw": data,
                    "mimetype": mimetype,
                    "res_model": "mail.compose.message",
                    "res_id": 0,
                }
            )
        )
        message = self._live_chat_post("", "comment", by_visitor=True, attachments=attachment)
        if message.attachment_ids != attachment:
            raise UserError(self.env._("The file could not be attached to the message."))
        return message

    def _live_chat_attachment_format(self, attachment):
        """A file of a message as the visitor's widget shows it: its link (on the chat
        server) carries the file's own secret token, which only this session's
        messages give away."""
        # sudo: ir.attachment - the file of a message of this session, for its visitor.
        attachment = attachment.sudo()
        token = attachment.access_token
        return {
            "id": attachment.id,
            "name": attachment.name or "",
            "mimetype": attachment.mimetype or "",
            "size": attachment.file_size or 0,
            "url": f"/live_chat/attachment/{attachment.id}/{token}" if token else None,
            "is_image": attachment.mimetype in INLINE_IMAGE_TYPES,
        }

    @api.model
    def _live_chat_find_attachment(self, attachment_id, token):
        """The file ``attachment_id`` of a live chat session if ``token`` is its access
        token, in sudo (the token is the visitor's right to it), else an empty
        recordset."""
        # sudo: ir.attachment - the token is compared before anything is returned.
        attachments = self.env["ir.attachment"].sudo()
        if (
            not isinstance(token, str)
            or not token.isascii()
            or not token
            or not 0 < attachment_id < 2**31
        ):
            return attachments
        attachment = attachments.browse(attachment_id).exists()
        if (
            attachment.res_model != self._name
            or not attachment.access_token
            or not consteq(attachment.access_token, token)
            or not self.sudo().browse(attachment.res_id).exists().live_chat_channel_id
        ):
            return attachments
        return attachment

    # ------------------------------------------------------------
    # Life cycle: the visitor's signs of life, abandoned sessions, operators who
    # leave (a section of its own: see also live_chat.channel and res.users)
    # ------------------------------------------------------------

    def _live_chat_ping(self):
        """The visitor's window is open: record it and answer what the widget needs to
        know whether it missed something. One UPDATE of the session's row, in place (no
        write_date, no bus message); skipped when the row is locked (a message being
        posted in the session, itself a sign of life): a ping never waits for another
        request of the session."""
        self.ensure_one()
        self.env.cr.execute(
            SQL(
                """
                UPDATE discuss_channel SET live_chat_visitor_seen_dt = %(now)s
                 WHERE id IN (SELECT id FROM discuss_channel
                               WHERE id = %(id)s AND live_chat_state IN ('open', 'waiting')
                                 FOR UPDATE SKIP LOCKED)
                """,
                now=fields.Datetime.now(),
                id=self.id,
            )
        )
        self.invalidate_recordset(["live_chat_visitor_seen_dt"])
        last_message = self._live_chat_message_records(limit=1, order="id desc")
        return {"state": self.live_chat_state, "last_message_id": last_message.id}

    @api.model
    def _live_chat_inactive_sessions(self, limit):
        """Open sessions whose visitor gave no sign of life (a ping, a message) for
        longer than their channel's ``inactivity_timeout``, locked for closing. Reads
        the open sessions only (partial index), whatever the history."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT s.id
                  FROM discuss_channel s
                  JOIN live_chat_channel c ON c.id = s.live_chat_channel_id
                 WHERE s.live_chat_state IN ('open', 'waiting')
                   AND c.inactivity_timeout > 0
                   AND COALESCE(GREATEST(s.live_chat_visitor_seen_dt, s.live_chat_start_dt),
                                s.create_date)
                       < %(now)s - make_interval(mins => c.inactivity_timeout)
                   AND NOT EXISTS (
                        SELECT 1 FROM mail_message m
                         WHERE m.model = 'discuss.channel' AND m.res_id = s.id
                           AND m.date >= %(now)s - make_interval(mins => c.inactivity_timeout)
                           AND (m.author_guest_id = s.live_chat_visitor_guest_id
                                OR m.author_id = s.live_chat_visitor_partner_id)
                   )
                 ORDER BY s.id
                 LIMIT %(limit)s
                   FOR UPDATE OF s SKIP LOCKED
                """,
                now=fields.Datetime.now(),
                limit=limit,
            )
        )
        return self.browse(row[0] for row in self.env.cr.fetchall())

    @api.model
    def _live_chat_close_inactive_sessions(self, batch_size=None):
        """Cron: close the sessions of visitors who left (tab closed, no message) so
        that they never fill the operators' limit of sessions. One batch per call;
        the cron calls again while some remain (``_commit_progress``)."""
        batch_size = batch_size or INACTIVE_BATCH_SIZE
        # sudo: discuss.channel - the cron closes the sessions of every channel,
        # whichever user an administrator gave it (a session is written in sudo only).
        sessions = self.sudo()._live_chat_inactive_sessions(batch_size + 1)
        batch = sessions[:batch_size]
        for session in batch:
            minutes = session.live_chat_channel_id.inactivity_timeout
            # The operator's language: the notice is for them.
            notice = session.with_context(lang=session.live_chat_operator_id.lang or None).env._(
                "The visitor left: the chat was closed after %s minutes without activity.",
                minutes,
            )
            session._live_chat_close(notice)
        self.env["ir.cron"]._commit_progress(len(batch), remaining=len(sessions) - len(batch))

    def _live_chat_hand_over(self):
        """The operators of these sessions are leaving them (they left the conversation,
        are no longer operators of the channel or Live Chat users, or are archived):
        each open session goes to another available operator of its channel, who joins
        it (it pops up in their chat windows like a new one); when nobody is available,
        the visitor is told and the session closes. Runs as a system action, in sudo:
        whoever triggers it (the operator leaving, an administrator) is not the one
        who takes the session."""
        for session in self.sudo().filtered(
            lambda s: s.live_chat_channel_id and s.live_chat_state == "open"
        ):
            leaving = session.live_chat_operator_id
            partner, guest = session._live_chat_visitor_author()
            operator = session.live_chat_channel_id._get_available_operator(
                lang=session.live_chat_lang, guest=guest, partner=partner, exclude=leaving
            )
            if operator:
                session._live_chat_give_to(operator)
            else:
                session._live_chat_close_unattended()

    def _live_chat_give_to(self, operator, leaving=None, keep_previous=False):
        """Make ``operator`` the session's operator, in place of the current one, who
        leaves the session (and ``leaving``, a member handing it over, too) unless
        ``keep_previous`` (the previous operator keeps the session's window)."""
        self.ensure_one()
        leaving = self.live_chat_operator_id | (leaving or self.env["res.users"])
        # The new operator first: the previous one's leaving is then no hand-over.
        self.live_chat_operator_id = operator
        for leaving_user in (leaving - operator) if not keep_previous else ():
            if leaving_user.partner_id in self.channel_member_ids.exists().partner_id:
                # Closes the session's window on the side of the one who leaves, before
                # the notice below (which would open it again).
                self._action_unfollow(partner=leaving_user.partner_id, post_leave_message=False)
        self._live_chat_join(operator)

    def _live_chat_join(self, operator):
        """``operator`` joins the session: the host's "joined" notification opens it in
        their chat window with its history (static/src/backend/live_chat_service.js),
        and the visitor is told, in their language, by the name they see."""
        self.ensure_one()
        self._add_members(users=operator, post_joined_message=False)
        notice = self._live_chat_visitor_env()._(
            "%s joined the chat.", operator._live_chat_public_name()
        )
        # sudo: discuss.channel - the notice is the new operator's, posted for them
        # (the session is in sudo: see _live_chat_hand_over and the actions above).
        self.with_user(operator).sudo()._live_chat_post_notice(notice, "o_live_chat_joined")

    def _live_chat_close_unattended(self):
        """The operator left and nobody can take over: tell the visitor, close."""
        self.ensure_one()
        leaving = self.live_chat_operator_id
        notice = self._live_chat_visitor_env()._(
            "The operator left and nobody else is available right now: this chat is "
            "closed. You can start a new one later."
        )
        # sudo: discuss.channel - the end is posted as the operator who left (already
        # in sudo: see _live_chat_hand_over).
        session = self.with_user(leaving).sudo() if leaving else self
        session._live_chat_close(notice)

    # ------------------------------------------------------------
    # Transfer and help: an operator hands the session to a colleague or another
    # channel, or asks a colleague to join (the hand-over above does the moves)
    # ------------------------------------------------------------

    def _live_chat_check_operator_action(self):
        """Refuse unless the current user works this open session: a Live Chat user
        who is one of its members (its operator, an invited colleague), or a Live
        Chat administrator. Clear messages, for the operator's web client."""
        self.ensure_one()
        user = self.env.user
        if user._is_public() or not user.has_group("live_chat.live_chat_group_user"):
            raise AccessError(self.env._("Only live chat operators can do this."))
        self.check_access("read")
        # sudo: discuss.channel - the session's state and members, read (above) by a
        # live chat user.
        session = self.sudo()
        if not session.live_chat_channel_id:
            raise UserError(self.env._("This conversation is not a live chat session."))
        if session.live_chat_state != "open":
            raise UserError(self.env._("This chat has ended."))
        self._live_chat_check_works_session()
        return session

    def _live_chat_works_session(self):
        """Whether the current user works this session: one of its members (its
        operator, an invited colleague; the host's ``self_member_id``) or a Live Chat
        administrator."""
        return bool(self.self_member_id) or self.env.user.has_group(
            "live_chat.live_chat_group_manager"
        )

    def _live_chat_check_works_session(self):
        """Refuse unless the current user works this session."""
        if not self._live_chat_works_session():
            raise AccessError(self.env._("Only the operators of this chat can do this."))

    @api.model
    def _live_chat_available_users(self):
        """The operators available for a transfer or an invitation: those of any
        active channel, available there now (the channel's rule: presence, time off;
        see ``live_chat.channel._live_chat_operator_available_sql``). In sudo."""
        # sudo: live_chat.channel - who answers which channel and who is available,
        # for an operator choosing a colleague.
        return self.env["live_chat.channel"].sudo().search([])._live_chat_online_operators()

    def live_chat_transfer_targets(self):
        """What the operator's transfer dialog offers: the available colleagues who are
        not in the session yet, and the other channels with an available operator."""
        session = self._live_chat_check_operator_action()
        members = session.channel_member_ids.partner_id
        users = self._live_chat_available_users().filtered(
            lambda user: user.partner_id not in members
        )
        # sudo: live_chat.channel - the names of the channels, for an operator.
        channels = (
            self.env["live_chat.channel"]
            .sudo()
            .search([("id", "!=", session.live_chat_channel_id.id)])
            .filtered(lambda channel: channel.user_ids & users)
        )
        return {
            "users": [{"id": user.id, "name": user.name} for user in users.sorted("name")],
            "channels": [{"id": channel.id, "name": channel.name} for channel in channels],
        }

    def _live_chat_check_target(self, user_id):
        """The available colleague of id ``user_id`` (not in the session yet)."""
        self.ensure_one()
        user = self.env["res.users"].browse(_record_id(user_id)).exists()
        if not user:
            raise UserError(self.env._("Choose an operator."))
        if user.partner_id in self.channel_member_ids.partner_id:
            raise UserError(self.env._("%s is already in this chat.", user.name))
        if user not in self._live_chat_available_users():
            raise UserError(
                self.env._("%s is not an available live chat operator right now.", user.name)
            )
        return user

    def action_live_chat_transfer(self, user_id=None, channel_id=None):
        """Operator side: hand the session to the available colleague ``user_id``, or to
        an available operator of the live chat channel ``channel_id`` (the session then
        belongs to that channel). The new operator's chat window opens with the
        history, the visitor is told, the previous operator leaves the session."""
        session = self._live_chat_check_operator_action()
        if channel_id:
            channel = self.env["live_chat.channel"].sudo().browse(_record_id(channel_id)).exists()
            if not channel or not channel.active:
                raise UserError(self.env._("Choose a live chat channel."))
            partner, guest = session._live_chat_visitor_author()
            # sudo: live_chat.channel - who is available in the channel, for an
            # operator of the session (checked above).
            operator = channel._get_available_operator(
                lang=session.live_chat_lang,
                guest=guest,
                partner=partner,
                exclude=session.channel_member_ids.partner_id.user_ids,
            )
            if not operator:
                raise UserError(
                    self.env._("Nobody is available in the channel %s right now.", channel.name)
                )
            # sudo: discuss.channel - the session moves to the channel that takes it.
            session.live_chat_channel_id = channel
        else:
            operator = session._live_chat_check_target(user_id)
        # sudo: discuss.channel - an operator of the session (checked above) hands it
        # over, without write access to conversations: the hand-over's own step.
        session._live_chat_give_to(operator, leaving=self.env.user)
        return True

    def action_live_chat_invite(self, user_id=None):
        """Operator side: ask the available colleague ``user_id`` to join the session:
        their chat window opens with the history, the visitor is told; the session's
        operator stays."""
        session = self._live_chat_check_operator_action()
        colleague = session._live_chat_check_target(user_id)
        session._live_chat_join(colleague)
        return True

    # ------------------------------------------------------------
    # Commands of the session window (the host's /command mechanism): for the
    # session's operators only, answered to them alone (transient messages)
    # ------------------------------------------------------------

    def _live_chat_command_answer(self, body):
        """Show ``body`` (HTML) to the current user only, in the session's window."""
        self.env.user._bus_send_transient_message(self, body)

    def execute_command_history(self, **kwargs):
        """/history: the pages the visitor saw before and during the chat."""
        self._live_chat_check_operator_action()
        pages = self._live_chat_visited_pages()
        if pages is False:
            answer = self.env._("The pages this visitor saw are unknown.")
        elif not pages:
            answer = self.env._("This visitor saw no page that is known.")
        else:
            answer = Markup("%s%s") % (
                self.env._("The pages this visitor saw, the latest last:"),
                self._live_chat_pages_html(pages),
            )
        self._live_chat_command_answer(answer)

    def _live_chat_pages_html(self, pages):
        """``pages`` (those of ``_live_chat_visited_pages``) as an HTML list: each
        page's time in the user's time zone and its link, which opens apart."""
        return Markup('<ol class="o_live_chat_visited_pages mb-0">%s</ol>') % Markup("").join(
            Markup(
                '<li><small class="text-muted">%s</small> '
                '<a href="%s" target="_blank" rel="noopener noreferrer">%s</a></li>'
            )
            % (
                fields.Datetime.context_timestamp(
                    self, fields.Datetime.to_datetime(page["date"])
                ).strftime("%Y-%m-%d %H:%M"),
                page["url"],
                page["name"],
            )
            for page in pages
        )

    def _live_chat_visited_pages(self):
        """The pages the visitor saw ({name, url, date}, oldest first), as far as the
        current user may know them; False when nothing tracks them (the website bridge
        does)."""
        self.ensure_one()
        return False

    def execute_command_close(self, **kwargs):
        """/close: end the session, as the window's "Close session" does."""
        self._live_chat_check_operator_action()
        self.action_live_chat_close()
        self._live_chat_command_answer(self.env._("The session is closed."))

    # ------------------------------------------------------------
    # Privacy: retention and erasure of the visitors' personal data
    # ------------------------------------------------------------

    def action_live_chat_erase_visitor(self):
        """Erase the visitor of this session, on their request: every session of theirs
        is anonymised and loses its messages, and their guest identity is deleted."""
        self.ensure_one()
        if not self.env.user.has_group("live_chat.live_chat_group_manager"):
            raise AccessError(self.env._("Only Live Chat administrators can erase a visitor."))
        self.check_access("read")
        # sudo: discuss.channel - a Live Chat administrator (checked above) erases sessions
        # that the live chat record rule only lets them read, and their visitor's guest.
        session = self.sudo()
        if not session.live_chat_channel_id:
            raise UserError(self.env._("This conversation is not a live chat session."))
        if session.live_chat_anonymized_dt:
            raise UserError(self.env._("The visitor of this session was already anonymised."))
        sessions = session._live_chat_visitor_sessions()
        for open_session in sessions.filtered(lambda s: s.live_chat_state == "open"):
            open_session._live_chat_close(
                self.env._("This conversation was ended to erase the visitor's data.")
            )
        sessions._live_chat_anonymize("delete", erase=True)
        return True

    @api.model
    def _live_chat_cron_anonymize(self, batch_size=ANONYMIZE_BATCH_SIZE):
        """Anonymise the closed sessions older than their channel's retention, at most
        ``batch_size`` of them; the cron runs again at once while some remain. Return
        the number of sessions anonymised."""
        # Raw SQL: one query for every channel's cutoff, and rows that another
        # transaction (an erasure) is changing are left for the next run.
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT s.id, c.anonymize_transcript
                  FROM discuss_channel s
                  JOIN live_chat_channel c ON c.id = s.live_chat_channel_id
                 WHERE c.anonymize_after_days > 0
                   AND s.live_chat_state = 'closed'
                   AND s.live_chat_anonymized_dt IS NULL
                   AND COALESCE(s.live_chat_end_dt, s.create_date)
                       < %(now)s::timestamp - make_interval(days => c.anonymize_after_days)
                 ORDER BY s.id
                 LIMIT %(limit)s
                   FOR NO KEY UPDATE OF s SKIP LOCKED
                """,
                now=fields.Datetime.now(),
                limit=batch_size + 1,
            )
        )
        rows = self.env.cr.fetchall()
        session_ids_by_mode = defaultdict(list)
        for session_id, transcript in rows[:batch_size]:
            session_ids_by_mode[transcript].append(session_id)
        for transcript, session_ids in session_ids_by_mode.items():
            # sudo: discuss.channel - the cron anonymises the sessions of every channel.
            self.sudo().browse(session_ids)._live_chat_anonymize(transcript)
        if len(rows) > batch_size:
            self.env.ref("live_chat.live_chat_cron_anonymize")._trigger()
        return min(len(rows), batch_size)

    def _live_chat_visitor_sessions(self):
        """These sessions and every other session of their visitors: same guest, or same
        contact for a logged-in visitor (the bridges add theirs). In sudo."""
        guests = self.live_chat_visitor_guest_id
        partners = self.live_chat_visitor_partner_id
        if not guests and not partners:
            return self
        return self | self.with_context(active_test=False).search(
            [
                ("live_chat_channel_id", "!=", False),
                "|",
                ("live_chat_visitor_guest_id", "in", guests.ids),
                ("live_chat_visitor_partner_id", "in", partners.ids),
            ]
        )

    def _live_chat_anonymize_values(self):
        """The values that anonymise a session (the bridges add their fields)."""
        anonymous = self.env._("Anonymous visitor")
        return {
            "name": anonymous,
            "live_chat_visitor_name": anonymous,
            "live_chat_visitor_guest_id": False,
            "live_chat_visitor_partner_id": False,
            "live_chat_country_id": False,
            "live_chat_lang": False,
            "live_chat_page_url": False,
            "live_chat_visitor_token": False,
            # The widget's key of the start is as much the visitor's right to the
            # session as its token (the same start sent again answers the session).
            "live_chat_start_key": False,
            "live_chat_anonymized_dt": fields.Datetime.now(),
        }

    def _live_chat_anonymize(self, transcript, erase=False):
        """Remove the visitor's personal data from these sessions, each one once (in sudo).

        ``transcript``: "keep" keeps the messages, the visitor's without their author
        (and without their attachments and reactions), the visitor's name taken out of
        the notices; "delete" deletes every message. The visitor stops being a member of
        the session; their guest is deleted once no session of theirs needs it, or only
        stripped of its name and country while it takes part in other conversations.
        ``erase``: the visitor asked to be erased, their guest is deleted in any case.
        The transcripts emailed to the visitor that the mail queue still holds go too.
        """
        sessions = self.filtered(
            lambda s: (
                s.live_chat_channel_id
                and s.live_chat_state == "closed"
                and not s.live_chat_anonymized_dt
            )
        )
        if not sessions:
            return sessions
        guests = sessions.live_chat_visitor_guest_id
        partners = sessions.live_chat_visitor_partner_id
        messages = self.env["mail.message"].search(
            [("model", "=", "discuss.channel"), ("res_id", "in", sessions.ids)]
        )
        # The transcripts emailed to the visitor that the mail queue still holds (to
        # send, failed, or sent and kept): the visitor's address and conversation.
        sessions.live_chat_transcript_mail_ids.unlink()
        if transcript == "delete":
            attachments = self.env["ir.attachment"].search(
                [("res_model", "=", "discuss.channel"), ("res_id", "in", sessions.ids)]
            )
            messages.unlink()
            attachments.unlink()
        else:
            sessions._live_chat_anonymize_messages(messages)
        members = self.env["discuss.channel.member"].search([("channel_id", "in", sessions.ids)])
        members.filtered(
            lambda m: (
                (m.guest_id and m.guest_id == m.channel_id.live_chat_visitor_guest_id)
                or (m.partner_id and m.partner_id == m.channel_id.live_chat_visitor_partner_id)
            )
        ).unlink()
        # The visitor's user (a logged-in visitor) created the session.
        visitor_users = partners.with_context(active_test=False).user_ids
        if visitor_users:
            self.env.flush_all()
            self.env.cr.execute(
                SQL(
                    "UPDATE discuss_channel"
                    "   SET create_uid = CASE WHEN create_uid IN %(users)s"
                    "                         THEN NULL ELSE create_uid END,"
                    "       write_uid = CASE WHEN write_uid IN %(users)s"
                    "                        THEN NULL ELSE write_uid END"
                    " WHERE id IN %(ids)s",
                    users=tuple(visitor_users.ids),
                    ids=tuple(sessions.ids),
                )
            )
            sessions.invalidate_recordset(["create_uid", "write_uid"])
        sessions.write(sessions._live_chat_anonymize_values())
        # The visitor's rating: its face stays (the reports), not its author, their
        # comment, nor the session's former name (the visitor's).
        ratings = self.env["rating.rating"].search(
            [("res_model", "=", "discuss.channel"), ("res_id", "in", sessions.ids)]
        )
        ratings.write({"partner_id": False, "feedback": False})
        self.env.add_to_compute(ratings._fields["res_name"], ratings)
        sessions._live_chat_anonymize_guests(guests, erase=erase)
        return sessions

    def _live_chat_anonymize_messages(self, messages):
        """Keep the transcript of these sessions without the visitor's identity."""
        visitor_messages = self.env["mail.message"]
        notices = self.env["mail.message"]
        names_by_session = {
            session.id: {
                name
                for name in (
                    session.live_chat_visitor_name,
                    session.live_chat_visitor_guest_id.name,
                    session.live_chat_visitor_partner_id.name,
                )
                if name
            }
            for session in self
        }
        for message in messages:
            session = self.browse(message.res_id)
            if session._live_chat_is_visitor_message(message):
                visitor_messages |= message
            if message.message_type == "notification" and names_by_session[session.id]:
                notices |= message
        anonymous = self.env._("Anonymous visitor")
        for notice in notices:
            body = _replace_names(notice.body, names_by_session[notice.res_id], anonymous)
            if body != notice.body:
                notice.body = body
        self.env["mail.message.reaction"].search(
            [
                ("message_id", "in", messages.ids),
                "|",
                ("guest_id", "in", self.live_chat_visitor_guest_id.ids),
                ("partner_id", "in", self.live_chat_visitor_partner_id.ids),
            ]
        ).unlink()
        self.env["mail.notification"].search(
            [
                ("mail_message_id", "in", messages.ids),
                ("res_partner_id", "in", self.live_chat_visitor_partner_id.ids),
            ]
        ).unlink()
        if not visitor_messages:
            return
        visitor_messages.attachment_ids.unlink()
        visitor_messages.message_link_preview_ids.unlink()
        visitor_messages.write(
            {"author_id": False, "author_guest_id": False, "email_from": False, "reply_to": False}
        )
        # Raw SQL: the ORM does not write the log fields, which name a logged-in visitor.
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE mail_message SET create_uid = NULL, write_uid = NULL WHERE id IN %s",
                tuple(visitor_messages.ids),
            )
        )
        visitor_messages.invalidate_recordset(["create_uid", "write_uid"])

    def _live_chat_anonymize_guests(self, guests, erase=False):
        """Delete the guests of anonymised sessions that no session needs any more (all
        of them when ``erase``); strip the name and country of those that take part in
        other conversations of the host."""
        if not erase:
            in_use = {
                guest
                for [guest] in self.with_context(active_test=False)._read_group(
                    [("live_chat_visitor_guest_id", "in", guests.ids)],
                    ["live_chat_visitor_guest_id"],
                )
            }
            guests = guests.filtered(lambda g: g not in in_use)
            guests.invalidate_recordset(["channel_ids"])
            elsewhere = guests.filtered("channel_ids")
            elsewhere.write(
                {
                    "name": self.env._("Anonymous visitor"),
                    "country_id": False,
                    "email": False,
                    "lang": False,
                    "timezone": False,
                }
            )
            guests -= elsewhere
        guests.unlink()


def _replace_names(body, names, replacement):
    """``body`` (HTML) with every whole-word occurrence of ``names`` in its text (never
    in its tags or attributes) replaced by ``replacement``."""
    if not body:
        return body
    pattern = re.compile(
        "|".join(
            rf"(?<!\w){re.escape(name)}(?!\w)" for name in sorted(names, key=len, reverse=True)
        )
    )
    root = lxml.html.fragment_fromstring(str(body), create_parent="div")
    changed = False
    for element in root.iter():
        for attribute in ("text", "tail") if element is not root else ("text",):
            text = getattr(element, attribute)
            if text and (new_text := pattern.sub(replacement, text)) != text:
                setattr(element, attribute, new_text)
                changed = True
    if not changed:
        return body
    return escape(root.text or "") + Markup("").join(
        Markup(lxml.html.tostring(child, encoding="unicode")) for child in root
    )


# What the operators' web client knows of a session (see static/src/backend).
_STORE_FIELDS = (
    "live_chat_state",
    "live_chat_rating",
    "live_chat_rating_comment",
    "live_chat_visitor_name",
    "live_chat_country_name",
    "live_chat_country_code",
    "live_chat_channel_name",
)


def _record_id(value):
    """``value`` as the id of a record, or no id (a hostile RPC argument)."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31:
        return [value]
    return []


def _is_live_chat(channel):
    return channel.channel_type == "live_chat"
