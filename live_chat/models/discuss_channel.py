import secrets

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import consteq, html2plaintext, plaintext2html

from odoo.addons.mail.tools.discuss import Store

# The longest text a visitor may send in one message.
MESSAGE_MAX_LENGTH = 4000


class DiscussChannel(models.Model):
    """A live chat session is a conversation of the host (a ``group`` channel)
    between a visitor (a guest, or a partner when logged in) and an operator."""

    _inherit = "discuss.channel"

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
    live_chat_duration = fields.Float(
        "Duration (minutes)", compute="_compute_live_chat_duration", digits=(16, 1)
    )
    live_chat_transcript = fields.Html(
        "Transcript", compute="_compute_live_chat_transcript", sanitize=False
    )

    # The operator choice counts open sessions per operator: this index keeps that
    # count independent of the length of the history.
    _live_chat_open_operator_idx = models.Index(
        "(live_chat_operator_id) WHERE live_chat_state = 'open'"
    )

    @api.depends("live_chat_start_dt", "live_chat_end_dt")
    def _compute_live_chat_duration(self):
        now = fields.Datetime.now()
        for session in self:
            start = session.live_chat_start_dt
            end = session.live_chat_end_dt or now
            session.live_chat_duration = (end - start).total_seconds() / 60 if start else 0.0

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
            visitor_env = session.with_context(lang=session.live_chat_lang or self.env.lang).env
            session.sudo()._live_chat_close(
                visitor_env._("%s closed the conversation.", self.env.user.name)
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
            guest=guest, mail_create_nosubscribe=True, mail_post_autofollow=False
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
        self.write({"live_chat_state": "closed", "live_chat_end_dt": fields.Datetime.now()})
        self._live_chat_post(
            Markup('<div class="o_mail_notification o_live_chat_closed">%s</div>') % notice,
            "notification",
            by_visitor=by_visitor,
        )
        self._bus_send("live_chat/session_closed", {"id": self.id})
        Store(bus_channel=self).add(self, ["live_chat_state"]).bus_send()
        return True

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
    "live_chat_page_url",
    "live_chat_visitor_name",
    "live_chat_country_name",
    "live_chat_country_code",
    "live_chat_channel_name",
)


def _is_live_chat(channel):
    return bool(channel.live_chat_channel_id)
