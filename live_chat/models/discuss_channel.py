import secrets
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, consteq, html2plaintext, plaintext2html

from odoo.addons.mail.tools.discuss import Store

# The longest text a visitor may send in one message.
MESSAGE_MAX_LENGTH = 4000
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
        help="No operator answered within the channel's time (Missed after).",
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

    # The operator choice counts open sessions per operator: this index keeps that
    # count independent of the length of the history.
    _live_chat_open_operator_idx = models.Index(
        "(live_chat_operator_id) WHERE live_chat_state = 'open'"
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

    def _live_chat_transcript_html(self):
        """The conversation as HTML: every text escaped, authors and times shown."""
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
                message.author_id.name or message.author_guest_id.name or "",
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
                Store.Attr(field, predicate=_is_live_chat, sudo=True) for field in _STORE_FIELDS
            ]
        return res

    # ------------------------------------------------------------
    # The host's conversation rules, for sessions
    # ------------------------------------------------------------

    def _compute_is_member(self):
        res = super()._compute_is_member()
        for session in self.filtered(lambda c: c.is_member and _is_live_chat(c)):
            if session._live_chat_is_visitor():
                session.is_member = False
        return res

    def _search_is_member(self, operator, operand):
        """The channels of the current user or guest, in one query whose result does
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
        self.env.cr.execute(
            SQL(
                """
                SELECT m.channel_id
                  FROM discuss_channel_member m
                  JOIN discuss_channel c ON c.id = m.channel_id
                 WHERE %s AND (c.active OR NOT %s)
                   AND c.live_chat_state IS DISTINCT FROM 'closed'
                """,
                persona,
                self.env.context.get("active_test", True),
            )
        )
        return [("id", "in", [row[0] for row in self.env.cr.fetchall()])]

    def _types_allowing_unfollow(self):
        # The host's /leave leaves a session (and the suite hands it over).
        return [*super()._types_allowing_unfollow(), "live_chat"]

    def _types_allowing_seen_infos(self):
        return [*super()._types_allowing_seen_infos(), "live_chat"]

    def message_post(self, **kwargs):
        for session in self.filtered(_is_live_chat):
            session._live_chat_check_post()
        message = super().message_post(**kwargs)
        if _is_live_chat(self):
            self._live_chat_note_answer(message)
        return message

    def _live_chat_check_post(self):
        """Refuse a message that does not come through the suite: into a closed
        session (from anyone), or from the visitor by one of the host's routes."""
        self.ensure_one()
        if self.env.context.get("live_chat_post"):
            return
        if self.live_chat_state != "open":
            raise UserError(self.env._("This chat has ended: no message can be added to it."))
        if self._live_chat_is_visitor():
            raise AccessError(self.env._("A visitor writes in the chat window only."))

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
            if message.author_guest_id or message.author_id == self.live_chat_visitor_partner_id:
                raise UserError(self.env._("A visitor's message cannot be changed."))
        return super()._check_can_update_message_content(message)

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
            session.sudo()._live_chat_close(
                self.env._("%s closed the conversation.", self.env.user.name)
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
        ):
            return self.browse()
        # sudo: discuss.channel - reading the token to compare it with the visitor's.
        session = self.sudo().browse(session_id).exists()
        if (
            not session.live_chat_channel_id
            or not session.live_chat_visitor_token
            or not consteq(session.live_chat_visitor_token, token)
        ):
            return self.browse()
        return session

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
        public_user = self.env.ref("base.public_user")
        return self.with_user(public_user).sudo(self.env.su).with_context(guest=guest)

    def _live_chat_post_visitor_message(self, text):
        """Post a visitor's text (plain text, escaped here) in the session."""
        self.ensure_one()
        body = plaintext2html(text[:MESSAGE_MAX_LENGTH])
        return self._live_chat_post(body, "comment", by_visitor=True)

    def _live_chat_post(self, body, message_type, by_visitor=False):
        """Post ``body`` as the session's visitor, or else as the current user."""
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
            live_chat_post=True,
        ).message_post(
            body=body,
            author_id=partner.id or False,
            author_guest_id=guest.id if not partner else False,
            message_type=message_type,
            subtype_xmlid="mail.mt_comment",
        )

    def _live_chat_close(self, notice, by_visitor=False):
        """End the session, tell both sides. ``notice`` is already translated."""
        self.ensure_one()
        if self.live_chat_state != "open":
            return False
        self.write(
            {
                "live_chat_state": "closed",
                "live_chat_end_dt": fields.Datetime.now(),
                **self._live_chat_closing_figures(),
            }
        )
        self._live_chat_post(
            Markup('<div class="o_mail_notification o_live_chat_closed">%s</div>') % notice,
            "notification",
            by_visitor=by_visitor,
        )
        self._bus_send("live_chat/session_closed", {"id": self.id})
        Store(bus_channel=self).add(self, ["live_chat_state"]).bus_send()
        self._live_chat_unpin()
        return True

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
            or self.env.context.get("live_chat_welcome")
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
        host's rating of the session. The visitor's route checks that the session has
        ended and is not rated yet; two ratings sent at the same time both write the
        session's row, and the database lets one of them through."""
        self.ensure_one()
        if value not in RATING_VALUES:
            raise UserError(self.env._("A rating is 1, 3 or 5."))
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

    def _live_chat_messages(self, after_id=0, limit=200):
        """The session's messages as the visitor's widget shows them, oldest first."""
        self.ensure_one()
        messages = self._live_chat_message_records(after_id=after_id, limit=limit)
        return [self._live_chat_message_format(message) for message in messages]

    def _live_chat_message_records(self, after_id=0, limit=None):
        """The session's messages that people see (no tracking, no system notes)."""
        self.ensure_one()
        return self.env["mail.message"].search(
            [
                ("model", "=", "discuss.channel"),
                ("res_id", "=", self.id),
                ("id", ">", after_id),
                ("message_type", "in", ("comment", "notification")),
            ],
            order="id asc",
            limit=limit,
        )

    def _live_chat_message_format(self, message):
        self.ensure_one()
        partner, guest = self._live_chat_visitor_author()
        from_visitor = bool(
            (partner and message.author_id == partner)
            or (guest and message.author_guest_id == guest)
        )
        return {
            "id": message.id,
            "body": str(message.body or ""),
            "author": message.author_id.name or message.author_guest_id.name or "",
            "from_visitor": from_visitor,
            "notification": message.message_type == "notification",
            "date": fields.Datetime.to_string(message.date),
        }

    def _live_chat_visitor_info(self):
        """What the visitor's widget needs to resume the session."""
        self.ensure_one()
        return {
            "id": self.id,
            "state": self.live_chat_state,
            "operator": {
                "name": self.live_chat_operator_id.partner_id.name or "",
                "partner_id": self.live_chat_operator_id.partner_id.id,
            },
            "guest_id": self.live_chat_visitor_guest_id.id or False,
            "visitor_partner_id": self.live_chat_visitor_partner_id.id or False,
            # The widget asks for a rating once the chat has ended, unless given.
            "rating": int(self.live_chat_rating) if self.live_chat_rating else False,
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


# What the operators' web client knows of a session (see static/src/backend).
_STORE_FIELDS = (
    "live_chat_state",
    "live_chat_rating",
    "live_chat_rating_comment",
    "live_chat_page_url",
    "live_chat_visitor_name",
    "live_chat_country_name",
    "live_chat_country_code",
    "live_chat_channel_name",
)


def _is_live_chat(channel):
    return channel.channel_type == "live_chat"
