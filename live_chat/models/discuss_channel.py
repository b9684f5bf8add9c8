import re
import secrets
from collections import defaultdict

import lxml.html
from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, consteq, html2plaintext, plaintext2html

from odoo.addons.mail.tools.discuss import Store

# The longest text a visitor may send in one message.
MESSAGE_MAX_LENGTH = 4000
# Sessions anonymised per run of the retention cron (it runs again while some remain).
ANONYMIZE_BATCH_SIZE = 500


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
    # Privacy (see "Privacy" below)
    live_chat_anonymized_dt = fields.Datetime("Anonymised on", readonly=True, copy=False)

    # The operator choice counts open sessions per operator: this index keeps that
    # count independent of the length of the history.
    _live_chat_open_operator_idx = models.Index(
        "(live_chat_operator_id) WHERE live_chat_state = 'open'"
    )
    # The retention cron looks for the closed sessions not anonymised yet, per channel.
    _live_chat_to_anonymize_idx = models.Index(
        "(live_chat_channel_id)"
        " WHERE live_chat_state = 'closed' AND live_chat_anonymized_dt IS NULL"
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
                # No author: a visitor's message in an anonymised session.
                message.author_id.name
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
            if (
                message.author_guest_id
                and message.author_guest_id == session.live_chat_visitor_guest_id
            ) or (message.author_id and message.author_id == session.live_chat_visitor_partner_id):
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
    "live_chat_page_url",
    "live_chat_visitor_name",
    "live_chat_country_name",
    "live_chat_country_code",
    "live_chat_channel_name",
)


def _is_live_chat(channel):
    return bool(channel.live_chat_channel_id)
