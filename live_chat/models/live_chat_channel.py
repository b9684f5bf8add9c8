import io
import math
import re
import textwrap
from datetime import UTC, timedelta
from email.utils import formataddr
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, available_timezones

from babel.dates import format_date, get_timezone_location
from markupsafe import Markup
from PIL import Image

from odoo import Command, _, api, fields, models, tools
from odoo.exceptions import AccessError, ValidationError
from odoo.http import root
from odoo.tools import SQL, email_normalize
from odoo.tools.mimetypes import guess_mimetype

from .. import presence_heartbeat
from .discuss_channel import DEFAULT_MISSED_AFTER
from .utils import (
    ACTIVE_FILE_TYPES,
    DECODED_IMAGE_TYPES,
    SUITE_POST,
    WELCOME_POST,
    LiveChatRefusal,
    clean_page_url,
    normalize_visitor_email,
)

# How far ahead the widget looks for the next opening of a channel with working hours.
OPENING_HORIZON_DAYS = 14
# The time zones a visitor's browser may name: the places of the IANA database, not
# its two zones of no place ("Factory", "localtime"), which Babel cannot name.
VISITOR_TIMEZONES = frozenset(available_timezones()) - {"Factory", "localtime"}

HEX_COLOR_RE = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")

DEFAULT_COLORS = {
    "button_background_color": "#2563EB",
    "button_text_color": "#FFFFFF",
    "header_background_color": "#1E3A8A",
    "title_color": "#FFFFFF",
}

# Files the visitors send: the largest (MB) by default and at most, and the types
# allowed by default (pictures, PDF, text and office documents).
DEFAULT_FILE_MAX_SIZE = 10
FILE_MAX_SIZE_LIMIT = 50
DEFAULT_FILE_TYPES = ",".join(
    (
        "image/*",
        "application/pdf",
        "text/plain",
        "text/csv",
        "application/msword",
        "application/vnd.ms-excel",
        "application/vnd.ms-powerpoint",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
    )
)


class LiveChatChannel(models.Model):
    _name = "live_chat.channel"
    _description = "Live Chat Channel"
    _order = "sequence, id"

    def _default_user_ids(self):
        return [fields.Command.link(self.env.uid)]

    name = fields.Char("Channel Name", required=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
    user_ids = fields.Many2many(
        "res.users",
        "live_chat_channel_res_users_rel",
        "channel_id",
        "user_id",
        string="Operators",
        default=_default_user_ids,
        domain=lambda self: [("share", "=", False)],
    )
    is_member = fields.Boolean(
        "Are you an operator?",
        compute="_compute_is_member",
        search="_search_is_member",
    )
    # Options: the button
    button_text = fields.Char(
        "Notification text",
        translate=True,
        default=lambda self: self.env._("Questions? Chat with us."),
        help="Shown in a bubble next to the chat button.",
    )
    button_background_color = fields.Char(
        "Livechat Button Color",
        default=DEFAULT_COLORS["button_background_color"],
        required=True,
    )
    button_text_color = fields.Char(
        default=DEFAULT_COLORS["button_text_color"],
        required=True,
    )
    # Options: the window
    default_message = fields.Char(
        "Welcome Message",
        translate=True,
        default=lambda self: self.env._("Hello! How can we help you today?"),
        help="Shown to the visitor as the operator's first message.",
    )
    input_placeholder = fields.Char(
        "Chat Input Placeholder",
        translate=True,
        default=lambda self: self.env._("Say something..."),
    )
    header_background_color = fields.Char(
        "Channel Header Color",
        default=DEFAULT_COLORS["header_background_color"],
        required=True,
    )
    title_color = fields.Char(
        default=DEFAULT_COLORS["title_color"],
        required=True,
    )
    max_sessions_per_operator = fields.Integer(
        "Sessions per operator",
        default=5,
        help="The most sessions an operator handles at once. 0: no limit.",
    )
    allowed_origins = fields.Text(
        "Allowed Websites",
        help="The websites that may embed this channel's widget, one origin a line "
        "(e.g. https://www.example.com). Empty: any website. This database's own "
        "address is always allowed.",
    )
    # Options: the addresses of the visitors' pages
    keep_url_query = fields.Boolean(
        "Keep URL query strings",
        help="Keep the query string (after “?”) of the pages visitors chat from. Off: only "
        "the address of the page is kept; query strings may hold search terms, "
        "identifiers or tokens of the visitor.",
    )
    geoip_available = fields.Boolean("GeoIP available", compute="_compute_geoip_available")
    rule_ids = fields.One2many("live_chat.channel.rule", "channel_id", "Rules", copy=True)
    session_ids = fields.One2many("discuss.channel", "live_chat_channel_id", "Sessions")
    session_count = fields.Integer("Number of Sessions", compute="_compute_session_count")
    # Privacy: how long the visitors' personal data of closed sessions is kept
    anonymize_after_days = fields.Integer(
        "Anonymise closed sessions after (days)",
        default=0,
        help="Closed sessions older than this are anonymised every night: the visitor's "
        "name, country, language, pages and guest identity are removed. 0: never.",
    )
    anonymize_transcript = fields.Selection(
        [
            ("keep", "Keep the transcript without personal data"),
            ("delete", "Delete the transcript"),
        ],
        "Transcript of anonymised sessions",
        default="keep",
        required=True,
        help="Keep: the messages stay, those of the visitor without their author. "
        "Delete: every message of the session is deleted.",
    )
    # Options: missed chats
    missed_after = fields.Integer(
        "Missed after (minutes)",
        default=DEFAULT_MISSED_AFTER,
        required=True,
        help="A session that no operator answered within this time counts as missed "
        "in the reports, as does one that ended before any answer.",
    )
    # Dashboard: the figures of the channel's report (for those who may read it)
    report_visible = fields.Boolean(compute="_compute_report_visible")
    today_session_count = fields.Integer("Sessions Today", compute="_compute_report_figures")
    week_answer_time = fields.Float(
        "Time to Answer, Last 7 Days (seconds)", compute="_compute_report_figures"
    )
    week_answer_time_display = fields.Char(
        "Time to Answer, Last 7 Days", compute="_compute_report_figures"
    )
    week_rating = fields.Float("Rating, Last 7 Days", compute="_compute_report_figures")
    week_rating_display = fields.Char(
        "Rating, Last 7 Days (text)", compute="_compute_report_figures"
    )
    # Widget
    script_url = fields.Char("Script URL", compute="_compute_widget")
    support_url = fields.Char("Direct chat link", compute="_compute_widget")
    # Char, not Text: one line, shown with the Copy button of CopyClipboardChar.
    script_snippet = fields.Char("Widget code", compute="_compute_widget")
    # Options: the life cycle of sessions
    inactivity_timeout = fields.Integer(
        "Close inactive sessions after (minutes)",
        default=5,
        help="A session whose visitor gave no sign of life for this long (the chat "
        "window closed, no message, no page of the site open) is closed, with a notice "
        "to the operator. 0: never.",
    )
    # Options: availability (working hours, and what the visitors get when nobody answers)
    resource_calendar_id = fields.Many2one(
        "resource.calendar",
        "Working Hours",
        help="When the channel takes chats, in the working hours' time zone; their public "
        "holidays (global time off) close it. Empty: whenever an operator is online.",
    )
    follow_time_off = fields.Boolean(
        "Follow the operators' time off",
        default=True,
        help="An operator on time off (the time off of their resource, where this database "
        "records it) gets no new chat, even when online.",
    )
    offline_mode = fields.Selection(
        [
            ("hide", "Hide the chat button"),
            ("form", "Offer a form to leave a message"),
        ],
        "When nobody is available",
        default="hide",
        required=True,
        help="Outside the working hours, or when no operator is online.",
    )
    offline_destination = fields.Selection(
        [("email", "An email to the channel's address")],
        "Messages left become",
        default="email",
        required=True,
    )
    offline_email = fields.Char(
        "Channel's email address",
        help="Where the messages that visitors leave are sent. Empty: to the operators.",
    )
    offline_reply_time = fields.Char(
        "Promised reply time",
        translate=True,
        default=lambda self: self.env._("within one business day"),
        help="Told to visitors who leave a message: “We will reply within one business day.”",
    )

    # Options: files the visitors send
    file_max_size = fields.Integer(
        "Largest File (MB)",
        default=DEFAULT_FILE_MAX_SIZE,
        help="The largest file a visitor may send in the chat, in megabytes (at most "
        "50). 0: visitors cannot send files.",
    )
    file_allowed_types = fields.Char(
        "Allowed File Types",
        default=DEFAULT_FILE_TYPES,
        help="The types of files visitors may send (MIME types, separated by commas; "
        "“image/*” for every kind of picture). Each file's type is read from its "
        "content, whatever its name says. Web pages and scripts are always refused.",
    )

    _max_sessions_positive = models.Constraint(
        "CHECK(max_sessions_per_operator >= 0)",
        "The number of sessions per operator cannot be negative.",
    )
    # The visitor's window signals itself every minute: less than 2 minutes would
    # close the sessions of visitors who are still there.
    _inactivity_timeout_valid = models.Constraint(
        "CHECK(inactivity_timeout = 0 OR inactivity_timeout >= 2)",
        "Inactive sessions are closed after 2 minutes at the least (or never: 0).",
    )
    _anonymize_after_days_positive = models.Constraint(
        "CHECK(anonymize_after_days >= 0)",
        "The number of days after which sessions are anonymised cannot be negative.",
    )
    _missed_after_positive = models.Constraint(
        "CHECK(missed_after > 0)",
        "A chat is missed after one minute or more without an answer.",
    )
    _file_max_size_valid = models.Constraint(
        f"CHECK(file_max_size >= 0 AND file_max_size <= {FILE_MAX_SIZE_LIMIT})",
        "The largest file a visitor may send is between 0 and 50 MB.",
    )

    @api.constrains(*DEFAULT_COLORS)
    def _check_colors(self):
        for channel in self:
            for fname in DEFAULT_COLORS:
                value = channel[fname]
                if value and not HEX_COLOR_RE.match(value):
                    raise ValidationError(
                        self.env._(
                            "%(field)s: “%(value)s” is not a colour. "
                            "Use a hexadecimal code such as #2563EB.",
                            field=self._fields[fname].get_description(self.env)["string"],
                            value=value,
                        )
                    )

    @api.constrains("offline_email")
    def _check_offline_email(self):
        for channel in self:
            if channel.offline_email and not email_normalize(channel.offline_email):
                raise ValidationError(
                    self.env._("“%s” is not an email address.", channel.offline_email)
                )

    @api.constrains("allowed_origins")
    def _check_allowed_origins(self):
        for channel in self:
            for origin in channel._get_allowed_origins():
                parts = urlsplit(origin)
                if parts.scheme not in ("http", "https") or not parts.netloc or parts.path:
                    raise ValidationError(
                        self.env._(
                            "“%s” is not a website origin: write it as "
                            "https://www.example.com (scheme and host, no path).",
                            origin,
                        )
                    )

    @api.constrains("user_ids")
    def _check_operators(self):
        # Operators become Live Chat users (see _grant_operator_group), a group that
        # implies Internal User: never for a portal or public user.
        for channel in self.with_context(active_test=False):
            external = channel.user_ids.filtered("share")
            if external:
                raise ValidationError(
                    self.env._(
                        "Only internal users can be operators: %s.",
                        ", ".join(external.mapped("name")),
                    )
                )

    @api.depends("user_ids")
    @api.depends_context("uid")
    def _compute_is_member(self):
        for channel in self:
            channel.is_member = self.env.user in channel.user_ids

    def _search_is_member(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise NotImplementedError(_("Unsupported search on “Are you an operator?”"))
        positive = (operator == "=") == value
        return [("user_ids", "in" if positive else "not in", self.env.uid)]

    def _compute_geoip_available(self):
        available = False
        for database in ("geoip_country_db", "geoip_city_db"):
            try:
                available = bool(getattr(root, database))
            except Exception:  # noqa: BLE001 - the host raises OSError, InvalidDatabaseError...
                continue
            if available:
                break
        for channel in self:
            channel.geoip_available = available

    def _compute_session_count(self):
        counts = dict(
            self.env["discuss.channel"]._read_group(
                [("live_chat_channel_id", "in", self.ids)],
                ["live_chat_channel_id"],
                ["__count"],
            )
        )
        for channel in self:
            channel.session_count = counts.get(channel, 0)

    @api.depends("user_ids")
    @api.depends_context("uid")
    def _compute_report_visible(self):
        is_manager = self.env.user.has_group("live_chat.live_chat_group_manager")
        for channel in self:
            channel.report_visible = is_manager or self.env.user in channel.user_ids

    @api.depends_context("uid", "tz")
    def _compute_report_figures(self):
        """The dashboard's figures, from the report (with the user's access to it): two
        grouped reads for all the channels on screen, not one per card."""
        Report = self.env["live_chat.session.report"]
        if not Report.has_access("read"):
            # Who reads a channel without the Live Chat group (a Helpdesk team's form).
            self.today_session_count = self.week_answer_time = self.week_rating = 0
            self.week_answer_time_display = self.week_rating_display = "–"
            return
        now = fields.Datetime.now()
        today = Report._start_of_today()
        channel_domain = [("channel_id", "in", self.ids)]
        today_counts = dict(
            Report._read_group(
                [*channel_domain, ("start_dt", ">=", today)], ["channel_id"], ["__count"]
            )
        )
        week = {
            channel: (answer_time, rating)
            for channel, answer_time, rating in Report._read_group(
                [*channel_domain, ("start_dt", ">=", now - timedelta(days=7))],
                ["channel_id"],
                ["answer_time:avg", "rating:avg"],
            )
        }
        for channel in self:
            # The average of no value (no session answered, none rated) is False; an
            # average of 0.0 (every answer within the second) is a time to show.
            answer_time, rating = week.get(channel, (False, False))
            channel.today_session_count = today_counts.get(channel, 0)
            channel.week_answer_time = answer_time or 0.0
            channel.week_answer_time_display = (
                self._format_answer_time(answer_time) if answer_time is not False else "–"
            )
            channel.week_rating = rating or 0.0
            channel.week_rating_display = (
                self.env._("%(rating).1f / 5", rating=rating) if rating else "–"
            )

    @api.depends_context("uid")
    def _compute_widget(self):
        for channel in self:
            if not channel.id:
                channel.script_url = channel.support_url = channel.script_snippet = False
                continue
            base_url = channel.get_base_url()
            channel.script_url = f"{base_url}/live_chat/loader/{channel.id}"
            channel.support_url = f"{base_url}/live_chat/support/{channel.id}"
            channel.script_snippet = Markup('<script src="%s" async></script>') % (
                channel.script_url
            )

    @api.model_create_multi
    def create(self, vals_list):
        channels = super().create(vals_list)
        channels._grant_operator_group()
        return channels

    def write(self, vals):
        operators_before = (
            {channel: channel.user_ids for channel in self} if "user_ids" in vals else {}
        )
        res = super().write(vals)
        if "user_ids" in vals:
            self._grant_operator_group()
            for channel in self:
                removed = operators_before[channel] - channel.user_ids
                if removed:
                    channel._hand_over_sessions_of(removed)
        return res

    def action_join(self):
        self._check_operator_access()
        # Operators may not write on channels: adding oneself is the one change
        # a Live Chat / User may make, checked just above.
        self.sudo().user_ids = [fields.Command.link(self.env.uid)]
        return True

    def action_leave(self):
        self._check_operator_access()
        # Same as action_join: removing oneself only.
        self.sudo().user_ids = [fields.Command.unlink(self.env.uid)]
        return True

    def action_reset_button_colors(self):
        self.write(
            {
                fname: DEFAULT_COLORS[fname]
                for fname in ("button_background_color", "button_text_color")
            }
        )
        return True

    def action_reset_header_colors(self):
        self.write(
            {fname: DEFAULT_COLORS[fname] for fname in ("header_background_color", "title_color")}
        )
        return True

    def action_view_sessions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("live_chat.live_chat_session_action")
        action["domain"] = [("live_chat_channel_id", "=", self.id)]
        action["context"] = {"default_live_chat_channel_id": self.id}
        return action

    def action_view_report(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "live_chat.live_chat_session_report_action"
        )
        action["context"] = {
            "search_default_channel_id": self.id,
            "search_default_last_30_days": 1,
        }
        return action

    def _format_answer_time(self, seconds):
        """A time to answer as people say it: "45 s", "3 min 5 s", "1 h 10 min"."""
        seconds = round(seconds)
        if seconds < 60:
            return self.env._("%(seconds)s s", seconds=seconds)
        minutes, seconds = divmod(seconds, 60)
        if minutes < 60:
            return self.env._("%(minutes)s min %(seconds)s s", minutes=minutes, seconds=seconds)
        hours, minutes = divmod(minutes, 60)
        return self.env._("%(hours)s h %(minutes)s min", hours=hours, minutes=minutes)

    def _check_operator_access(self):
        if not self.env.user.has_group("live_chat.live_chat_group_user"):
            raise AccessError(self.env._("Only Live Chat users can join or leave a channel."))
        self.check_access("read")

    # ------------------------------------------------------------
    # Operators
    # ------------------------------------------------------------

    def _grant_operator_group(self):
        """Make the channels' operators Live Chat users: what they need to work their
        sessions (see them, close them) and to be offered new ones."""
        group = self.env.ref("live_chat.live_chat_group_user")
        # sudo: res.users - reading the operators' groups.
        users = self.sudo().user_ids.filtered(lambda user: group not in user.all_group_ids)
        if users:
            # sudo: res.users - whoever may set a channel's operators (create/write on the
            # channel, checked by the ORM before this) gives them this one group, and only
            # to internal users (_check_operators): no other right is granted.
            users.sudo().write({"group_ids": [Command.link(group.id)]})

    def _hand_over_sessions_of(self, users):
        """``users`` are no longer operators of these channels: their open sessions of
        these channels go to other operators (see discuss.channel)."""
        # sudo: discuss.channel - the sessions of the channels whose operators change.
        sessions = (
            self.env["discuss.channel"]
            .sudo()
            .search(
                [
                    ("live_chat_channel_id", "in", self.ids),
                    ("live_chat_state", "=", "open"),
                    ("live_chat_operator_id", "in", users.ids),
                ]
            )
        )
        sessions._live_chat_hand_over()

    # ------------------------------------------------------------
    # Sessions
    # ------------------------------------------------------------

    def _get_available_operator(self, lang=None, guest=None, partner=None, exclude=None):
        """The operator for a new session, or an empty recordset.

        None outside the channel's working hours. Among the channel's operators who are
        available (``_live_chat_operator_available_sql``), except ``exclude``, and
        below the channel's limit of open sessions: the
        visitor's previous operator, then one whose language is the visitor's, then the
        least busy. One query, whose cost depends on the open sessions only (partial
        index), not on the history.
        """
        self.ensure_one()
        now = self._live_chat_now()
        if self.resource_calendar_id and not self._live_chat_is_open(now):
            return self.env["res.users"]
        if guest:
            previous = SQL(
                "SELECT live_chat_operator_id FROM discuss_channel"
                " WHERE live_chat_visitor_guest_id = %s AND live_chat_operator_id IS NOT NULL"
                " ORDER BY id DESC LIMIT 1",
                guest.id,
            )
        elif partner:
            previous = SQL(
                "SELECT live_chat_operator_id FROM discuss_channel"
                " WHERE live_chat_visitor_partner_id = %s AND live_chat_operator_id IS NOT NULL"
                " ORDER BY id DESC LIMIT 1",
                partner.id,
            )
        else:
            previous = SQL("SELECT NULL::int")
        limit = self.max_sessions_per_operator or None
        # Raw SQL: the changes of this transaction (presence, sessions, groups) first.
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT rel.user_id
                  FROM live_chat_channel_res_users_rel rel
                  JOIN res_users u ON u.id = rel.user_id
                  JOIN res_partner p ON p.id = u.partner_id
                  CROSS JOIN LATERAL (
                        SELECT count(*) AS n FROM discuss_channel s
                         WHERE s.live_chat_operator_id = u.id AND s.live_chat_state = 'open'
                  ) AS load
                 WHERE rel.channel_id = %(channel)s
                   AND rel.user_id != ALL(%(exclude)s::int[])
                   AND %(available)s
                   AND (%(limit)s::int IS NULL OR load.n < %(limit)s::int)
                 ORDER BY u.id IS NOT DISTINCT FROM (%(previous)s) DESC,
                          p.lang IS NOT DISTINCT FROM %(lang)s DESC,
                          load.n, random()
                 LIMIT 1
                """,
                channel=self.id,
                exclude=list(exclude.ids) if exclude else [],
                # The channel's option as a constant: a shorter plan (planning is most
                # of this query's time).
                available=self._live_chat_operator_available_sql(now, self.follow_time_off),
                limit=limit,
                previous=previous,
                lang=lang or None,
            )
        )
        row = self.env.cr.fetchone()
        return self.env["res.users"].browse(row[0] if row else [])

    @api.model
    def _live_chat_operator_available_sql(self, now, follow_time_off):
        """The one definition of an operator available at ``now``, as SQL on the user
        ``u`` (res_users) of a channel whose *Follow the operators' time off* is
        ``follow_time_off`` (a boolean, or SQL such as ``c.follow_time_off``): an active Live Chat
        user (or of a group that implies it) whose presence the host says is online
        (the web client sends its presence when it connects and when the user goes
        away or comes back, and the host sets it offline when the websocket closes or
        the user logs out) and whose socket a server holds: a last poll of the last
        minutes, which the server holding it writes every minute (presence_heartbeat.py;
        a presence left online by a server that stopped is not), not on time off when
        the channel follows it. Whatever else chooses an operator
        (a new session, the queue, a transfer) adds its own criteria to this one."""
        return SQL(
            """
            u.active
            AND EXISTS (
                SELECT 1 FROM mail_presence pr
                 WHERE pr.user_id = u.id AND pr.status = 'online'
                   AND pr.last_poll > (now() AT TIME ZONE 'UTC') - %(stale)s * interval '1 second'
            )
            AND EXISTS (
                SELECT 1 FROM res_groups_users_rel member
                 WHERE member.uid = u.id AND member.gid = ANY(%(groups)s)
            )
            AND NOT (%(follow_time_off)s AND EXISTS (
                SELECT 1 FROM resource_calendar_leaves leave
                  JOIN resource_resource r ON r.id = leave.resource_id
                 WHERE r.user_id = u.id AND leave.time_type = 'leave'
                   AND leave.date_from <= %(now)s AND leave.date_to > %(now)s
            ))
            """,
            now=now,
            follow_time_off=follow_time_off,
            groups=self._live_chat_operator_group_ids(),
            stale=presence_heartbeat.STALE_SECONDS,
        )

    @api.model
    def _live_chat_operator_group_ids(self):
        """The Live Chat user group and every group that implies it (Live Chat
        administrator...), from the host's definitions of the groups, which each
        worker keeps until a group changes anywhere (no query, and a shorter plan for
        the operator's choice than finding them in SQL)."""
        definitions = self.env["res.groups"]._get_group_definitions()
        group_id = definitions.get_id("live_chat.live_chat_group_user")
        if group_id is None:  # while the suite installs
            return []
        return [group_id, *definitions.get_subset_ids([group_id])]

    def _live_chat_online_operators(self):
        """The operators of these channels available now, whatever their load
        (``_live_chat_operator_available_sql``; working hours aside)."""
        if not self:
            return self.env["res.users"]
        # Raw SQL: the changes of this transaction (presence, groups, leaves) first.
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT rel.user_id
                  FROM live_chat_channel_res_users_rel rel
                  JOIN live_chat_channel c ON c.id = rel.channel_id
                  JOIN res_users u ON u.id = rel.user_id
                 WHERE rel.channel_id = ANY(%s) AND %s
                """,
                list(self.ids),
                self._live_chat_operator_available_sql(
                    self._live_chat_now(), SQL("c.follow_time_off")
                ),
            )
        )
        return self.env["res.users"].browse(row[0] for row in self.env.cr.fetchall())

    def _start_visitor_session(self, *, name=None, timezone=None, **values):
        """A visitor's first message: the operator chosen, the guest of a new visitor
        made (named ``name``, in ``timezone``), the session started (``values``: those
        of ``_start_session``; without an operator when the visitor may wait for one,
        see ``_live_chat_may_wait``). Returns (session, guest)."""
        self.ensure_one()
        partner, guest = values.pop("partner", None), values.pop("guest", None)
        lang, country = values.get("lang"), values.get("country")
        operator = self._get_available_operator(lang=lang, guest=guest, partner=partner)
        if not operator and not self._live_chat_may_wait():
            raise LiveChatRefusal(
                self.env._("No operator is available right now. Please try again later."),
                "no_operator",
                status=503,
            )
        if not partner and not guest:
            guest = self.env["discuss.channel"]._live_chat_create_guest(
                name, country, lang, timezone
            )
        session = self._start_session(operator, partner=partner, guest=guest, **values)
        return session, guest

    def _live_chat_may_wait(self):
        """Whether a new visitor whom no operator can take at once may still start a
        session, without an operator (the queue says so): not here."""
        return False

    def _start_session(
        self,
        operator,
        *,
        text,
        guest=None,
        partner=None,
        country=None,
        lang=None,
        page_url=None,
        start_key=None,
    ):
        """Create the session of a visitor's first message, as the host's conversation
        between the operator and the visitor; post the welcome message and ``text``.
        ``page_url`` is kept as the channel's privacy settings allow (clean_page_url);
        ``start_key``: the widget's key of this start (the same start sent twice)."""
        self.ensure_one()
        visitor_name = partner.name if partner else guest.name
        session = self.env["discuss.channel"]._live_chat_create_session(
            {
                "name": visitor_name,
                "channel_type": "live_chat",
                "live_chat_channel_id": self.id,
                "live_chat_operator_id": operator.id,
                "live_chat_visitor_guest_id": guest.id if guest else False,
                "live_chat_visitor_partner_id": partner.id if partner else False,
                "live_chat_visitor_name": visitor_name,
                "live_chat_country_id": country.id if country else False,
                "live_chat_lang": lang or False,
                "live_chat_page_url": clean_page_url(page_url, keep_query=self.keep_url_query),
                "live_chat_start_dt": fields.Datetime.now(),
                # Its value until the end (given: no UPDATE to compute it after the INSERT).
                "live_chat_duration": 0.0,
                # No operator: the visitor waits in the queue (live_chat_channel_queue.py).
                "live_chat_state": "open" if operator else "waiting",
                "live_chat_visitor_token": self.env["discuss.channel"]._live_chat_new_token(),
                "live_chat_start_key": start_key or False,
                **self._prepare_session_origin_values(),
            }
        )
        joining_guests = guest or self.env["mail.guest"]
        if guest and not partner:
            # A guest visitor's member, without the host's "joined" notice to the
            # guest's bus channel, which the widget does not listen to (it listens to
            # the session's own, _live_chat_bus_channel): the whole channel's payload
            # built for nobody, at each start. The operator's "joined" below has it.
            self.env["discuss.channel.member"].create(
                {"channel_id": session.id, "guest_id": guest.id}
            )
            joining_guests = self.env["mail.guest"]
        session._add_members(
            partners=operator.partner_id | (partner or self.env["res.partner"]),
            guests=joining_guests,
            post_joined_message=False,
        )
        if self.default_message and operator:
            # live_chat_welcome: the welcome message is not the operator's first answer.
            session.with_context(
                mail_create_nosubscribe=True,
                live_chat_post=SUITE_POST,
                live_chat_welcome=WELCOME_POST,
            ).message_post(
                body=Markup("<p>%s</p>") % self.default_message,
                author_id=operator.partner_id.id,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        session._live_chat_post_visitor_message(text)
        return session

    def _prepare_session_origin_values(self):
        """Values of a new session that say where the visitor comes from, beyond what
        the widget sends. None here: the bridges add theirs (the website visitor)."""
        self.ensure_one()
        return {}

    def _get_allowed_origins(self):
        self.ensure_one()
        return [
            line.strip().rstrip("/").lower()
            for line in (self.allowed_origins or "").splitlines()
            if line.strip()
        ]

    def _live_chat_file_max_bytes(self):
        """The largest file a visitor may send, in bytes (0: none)."""
        self.ensure_one()
        return self.file_max_size * 1024 * 1024

    def _get_page_action(self, url, country=None):
        """How the widget shows on a page view: (action, timer seconds)."""
        self.ensure_one()
        rule = self.rule_ids._match(url, country)
        if not rule:
            return "show", 0
        return rule.action, rule.auto_open_timer if rule.action == "auto_open" else 0

    def _widget_options(self):
        """The channel's look and texts, as the visitor's widget uses them."""
        self.ensure_one()
        return {
            "id": self.id,
            "name": self.name,
            "button_text": self.button_text or "",
            "button_background_color": self.button_background_color,
            "button_text_color": self.button_text_color,
            "header_background_color": self.header_background_color,
            "title_color": self.title_color,
            "default_message": self.default_message or "",
            "input_placeholder": self.input_placeholder or "",
            "lang": (self.env.lang or "en_US").replace("_", "-"),
            "talk": self._live_chat_talk_options(),
            "texts": {
                "end_chat": self.env._("End chat"),
                "minimize": self.env._("Minimize the chat"),
                "message": self.env._("Message"),
                "send": self.env._("Send"),
                "new_chat": self.env._("Start a new chat"),
                "reconnecting": self.env._("Reconnecting…"),
                "retry": self.env._("Not sent. Retry"),
                "load_older": self.env._("Load older messages"),
                "unreachable": self.env._("The chat cannot be reached. Please try again."),
                "rate_question": self.env._("How was this chat?"),
                "rate_5": self.env._("Happy"),
                "rate_3": self.env._("Neutral"),
                "rate_1": self.env._("Unhappy"),
                "rate_comment": self.env._("Tell us more (optional)"),
                "rate_send": self.env._("Send my rating"),
                "rate_thanks": self.env._("Thank you for your rating!"),
                "open_chat": self.env._("Open chat"),
                "close_chat": self.env._("Close chat"),
                "emoji": self.env._("Insert an emoji"),
                "loading": self.env._("Loading…"),
                "new_messages": self.env._("New messages"),
                "end_question": self.env._("End this chat?"),
                "cancel": self.env._("Cancel"),
                "chars_left": self.env._("%s characters left"),
                "chars_over": self.env._("%s characters too many"),
                "waiting": self.env._("Too many messages: sending again in a moment…"),
                "transcript_ask": self.env._("Email me the conversation"),
                "transcript_email": self.env._("Your email address"),
                "transcript_send": self.env._("Send the conversation"),
                "transcript_sent": self.env._("The conversation is on its way to your inbox."),
                **self._widget_offline_texts(),
            },
        }

    # ------------------------------------------------------------
    # Files the visitors send
    # ------------------------------------------------------------

    def _live_chat_file_types(self):
        """The channel's allowed MIME types (``type/*``: every subtype)."""
        self.ensure_one()
        return [
            kind.strip().lower()
            for kind in (self.file_allowed_types or "").split(",")
            if kind.strip()
        ]

    def _live_chat_talk_options(self):
        """What the widget's typing, seen and files know: the largest file it may send
        (bytes, 0: none), their types, and the texts it shows."""
        self.ensure_one()
        return {
            "max_size": self._live_chat_file_max_bytes(),
            "accept": ",".join(self._live_chat_file_types()),
            "texts": {
                "attach": self.env._("Attach a file"),
                "sending": self.env._("Sending the file…"),
                "too_large": self.env._(
                    "This file is too large: at most %s MB.", self.file_max_size
                ),
                "typing": self.env._("%s is typing…"),
                "seen": self.env._("Seen"),
                "first_message": self.env._("Write a message first, then send the file."),
                # A file's size in its link (the number in the visitor's browser's format).
                "size_mb": self.env._("%s MB"),
                "size_kb": self.env._("%s KB"),
            },
        }

    def _live_chat_check_file(self, name, data):
        """Refuse a visitor's file that the channel does not take (size, type, read
        from the content); return its MIME type."""
        self.ensure_one()
        if not self.file_max_size:
            raise LiveChatRefusal(
                self.env._("Files cannot be sent in this chat."), "files_disabled", 403
            )
        if not data:
            raise LiveChatRefusal(self.env._("The file is empty."), "empty_file", 422)
        if len(data) > self._live_chat_file_max_bytes():
            raise LiveChatRefusal(
                self.env._("This file is too large: at most %s MB.", self.file_max_size),
                "file_too_large",
                413,
            )
        mimetype = guess_mimetype(data, default="application/octet-stream")
        if mimetype == "text/plain" and (name or "").lower().endswith(".csv"):
            mimetype = "text/csv"
        allowed = self._live_chat_file_types()
        if mimetype in ACTIVE_FILE_TYPES or not (
            mimetype in allowed or f"{mimetype.split('/')[0]}/*" in allowed
        ):
            raise LiveChatRefusal(
                self.env._("Files of this type cannot be sent in this chat."),
                "file_type_refused",
                415,
            )
        if mimetype in DECODED_IMAGE_TYPES:
            self._live_chat_check_picture(data)
        return mimetype

    def _live_chat_check_picture(self, data):
        """Refuse a picture that the server could not decode, or only at a cost out of
        proportion to its file: a header of a few bytes may claim billions of pixels,
        which its thumbnail (and the host's resizing) would decode. Only its header is
        read here. The limit is Pillow's, above which it takes a picture for a
        decompression bomb (89 million pixels: the photos of a 64-megapixel camera
        pass; the host fails on pictures of twice as many)."""
        try:
            with Image.open(io.BytesIO(data)) as picture:
                pixels = picture.width * picture.height
        except Image.DecompressionBombError:  # above Pillow's own limit, far above ours
            pixels = math.inf
        except (OSError, SyntaxError, ValueError):
            raise LiveChatRefusal(
                self.env._("This picture cannot be read."), "bad_picture", 422
            ) from None
        if pixels > Image.MAX_IMAGE_PIXELS:
            raise LiveChatRefusal(
                self.env._(
                    "This picture is too large: at most %s million pixels.",
                    Image.MAX_IMAGE_PIXELS // 1_000_000,
                ),
                "picture_too_large",
                413,
            )

    # ------------------------------------------------------------
    # Availability: working hours, time off, and the offline form
    # ------------------------------------------------------------

    @api.model
    def _live_chat_now(self):
        """The clock of the channels' availability (naive UTC). Tests fix it."""
        return fields.Datetime.now()

    def _live_chat_work_intervals(self, now, days=OPENING_HORIZON_DAYS):
        """The channel's working intervals from ``now`` (naive UTC) on, public holidays
        (the calendar's global time off) left out: [(start, stop)] in aware UTC."""
        self.ensure_one()
        start = now.replace(tzinfo=UTC)
        # sudo: resource.calendar - the hours of the channel serve every visitor.
        calendar = self.resource_calendar_id.sudo()
        intervals = calendar._work_intervals_batch(start, start + timedelta(days=days))[False]
        return [(begin.astimezone(UTC), stop.astimezone(UTC)) for begin, stop, _rec in intervals]

    def _live_chat_is_open(self, now=None):
        """Whether the channel is within its working hours (always, without hours)."""
        self.ensure_one()
        if not self.resource_calendar_id:
            return True
        now = now or self._live_chat_now()
        aware = now.replace(tzinfo=UTC)
        return any(begin <= aware < stop for begin, stop in self._live_chat_work_intervals(now, 1))

    def _live_chat_next_opening(self, now=None):
        """When the channel's working hours start again (aware UTC), or None: no hours,
        open now, or no opening within the horizon."""
        self.ensure_one()
        if not self.resource_calendar_id:
            return None
        now = now or self._live_chat_now()
        aware = now.replace(tzinfo=UTC)
        for begin, stop in self._live_chat_work_intervals(now):
            if stop > aware:
                return None if begin <= aware else begin
        return None

    def _live_chat_offline_info(self, visitor_tz=None):
        """What the widget shows when nobody takes chats: ``mode`` (hide the button or
        offer the form) and ``back_at`` (when the team is back, in words, in the
        visitor's time zone when known, else the channel's), or None when unknown."""
        self.ensure_one()
        now = self._live_chat_now()
        opening = self._live_chat_next_opening(now)
        return {
            "mode": self.offline_mode,
            "back_at": self._live_chat_format_opening(opening, now, visitor_tz)
            if opening
            else None,
        }

    def _live_chat_format_opening(self, opening, now, visitor_tz=None):
        """“We reply from 09:00, Kyiv time”, or from another day: its name."""
        self.ensure_one()
        tz_name = (
            visitor_tz if visitor_tz in VISITOR_TIMEZONES else self.resource_calendar_id.tz or "UTC"
        )
        zone = ZoneInfo(tz_name)
        local = opening.astimezone(zone)
        locale = self.env.lang or "en_US"
        place = get_timezone_location(zone.key, locale=locale, return_city=True)
        time = local.strftime("%H:%M")
        if local.date() == now.replace(tzinfo=UTC).astimezone(zone).date():
            return self.env._("We reply from %(time)s, %(place)s time", time=time, place=place)
        return self.env._(
            "We reply from %(day)s %(time)s, %(place)s time",
            day=format_date(local.date(), "EEEE d MMMM", locale=locale),
            time=time,
            place=place,
        )

    def _widget_offline_texts(self):
        """The texts of the widget's offline form."""
        return {
            "offline_title": self.env._("Leave us a message"),
            "offline_intro": self.env._(
                "Nobody can answer right now. Leave us a message and we will reply by email."
            ),
            "offline_intro_queue": self.env._(
                "Everybody is busy. Leave us a message instead of waiting, and we will "
                "reply by email."
            ),
            "offline_intro_unanswered": self.env._(
                "Sorry, nobody could answer in time. Leave us a message and we will reply by email."
            ),
            "offline_name": self.env._("Your name"),
            "offline_email": self.env._("Your email"),
            "offline_message": self.env._("Your message"),
            "offline_send": self.env._("Send my message"),
            "offline_required": self.env._("Please fill in your name and message."),
            "offline_bad_email": self.env._("Please enter a valid email address."),
        }

    def _live_chat_leave_message(
        self, *, name, email, message, reason="offline", page_url=None, session=None
    ):
        """A visitor's message left in the offline form: it becomes what the channel
        says (``offline_destination``: ``_live_chat_offline_to_<destination>``) and the
        visitor gets a confirmation by email. ``session``: the visitor's own, when the
        queue or an unanswered chat offered the form. Returns the confirmation's text."""
        self.ensure_one()
        values = {
            "name": name,
            # The suite's one check of a visitor's address (utils.py).
            "email": normalize_visitor_email(email),
            "message": message,
            "reason": reason,
            "page_url": clean_page_url(page_url, keep_query=self.keep_url_query),
            "lang": self.env.lang,
        }
        if not self._live_chat_takes_message(reason, session):
            raise LiveChatRefusal(
                self.env._("This channel cannot take messages right now."),
                "no_offline_form",
                status=409,
            )
        if not values["email"]:
            raise LiveChatRefusal(
                self.env._("Please enter a valid email address."), "bad_email", status=422
            )
        getattr(self, f"_live_chat_offline_to_{self.offline_destination}")(values)
        confirmation = self._live_chat_offline_confirmation()
        self._live_chat_offline_send_confirmation(values, confirmation)
        return confirmation

    def _live_chat_for_team(self):
        """The channel in its team's language: the one most of its operators use, else
        the company's. The texts that a visitor's request writes for the team (a
        message left: its email, its ticket's or lead's text) are in it; what the
        visitor reads stays in theirs (the request's)."""
        self.ensure_one()
        # sudo: res.users - the operators' languages, whoever the visitor is.
        langs = [lang for lang in self.sudo().user_ids.mapped("lang") if lang]
        if langs:
            lang = max(sorted(set(langs)), key=langs.count)
        else:
            lang = self.env.company.sudo().partner_id.lang or self.env.lang
        return self.with_context(lang=lang)

    def _live_chat_takes_message(self, reason, session):
        """Whether a message left for ``reason`` is taken: the queue ("queue") and an
        unanswered chat ("unanswered") offer the form whatever the channel's setting,
        to the visitor of a session that is in that state only; anything else, when
        the channel offers its form."""
        if session and session.live_chat_channel_id == self:
            if reason == "queue" and session.live_chat_state == "waiting":
                return True
            if (
                reason == "unanswered"
                and session.live_chat_state == "open"
                and session.live_chat_unanswered_dt
            ):
                return True
        return self.offline_mode == "form"

    def _live_chat_offline_confirmation(self):
        self.ensure_one()
        if self.offline_reply_time:
            return self.env._(
                "Thank you! We have your message and will reply %(when)s.",
                when=self.offline_reply_time,
            )
        return self.env._("Thank you! We have your message and will reply soon.")

    def _live_chat_offline_body(self, values):
        """The visitor's message as HTML, every text escaped, for the team (in its
        language)."""
        self.ensure_one()
        team = self._live_chat_for_team()
        lines = [
            Markup("<p><strong>%s</strong> %s &lt;%s&gt;</p>")
            % (team.env._("From:"), values["name"], values["email"]),
        ]
        why = {
            "queue": team.env._("Left instead of waiting in the queue."),
            "unanswered": team.env._("Left after a chat that nobody answered in time."),
        }.get(values.get("reason"))
        if why:
            lines.append(Markup("<p><em>%s</em></p>") % why)
        if values.get("page_url"):
            lines.append(
                Markup('<p><strong>%s</strong> <a href="%s">%s</a></p>')
                % (team.env._("Page:"), values["page_url"], values["page_url"])
            )
        lines.append(Markup("<p>%s</p>") % Markup("<br/>").join(values["message"].splitlines()))
        return Markup("").join(lines)

    def _live_chat_offline_subject(self, values):
        """The subject of a message left's email to the team (in its language)."""
        self.ensure_one()
        team = self._live_chat_for_team()
        return team.env._(
            "%(channel)s: a message from %(name)s", channel=team.name, name=values["name"]
        )

    def _live_chat_email_from(self):
        """The sender of the channel's emails (the offline form's, the transcripts):
        the channel's name at the company's address, else at the host's default
        sender (the alias domain's); neither: False, the host's own default."""
        self.ensure_one()
        # sudo: res.company - the company's address sends the channel's emails.
        company = self.env.company.sudo()
        address = company.email or self.env["ir.mail_server"]._get_default_from_address()
        if not address:
            return False
        # The host's form of an address (the name quoted, as the mails it sends).
        return tools.formataddr((self.name or company.name, address))

    def _live_chat_offline_to_email(self, values):
        """The visitor's message, emailed to the channel's address (else to its
        operators) through the mail queue; answering it answers the visitor."""
        self.ensure_one()
        recipients = self.offline_email or ",".join(
            # sudo: res.users - the operators' addresses, for the channel's email.
            self.sudo().user_ids.partner_id.filtered("email").mapped("email_formatted")
        )
        if not recipients:
            raise LiveChatRefusal(
                self.env._("This channel cannot take messages right now."),
                "no_destination",
                status=503,
            )
        # sudo: mail.mail - queued for the host's mail cron; the visitor's texts are
        # escaped in the body and the addresses were validated.
        return (
            self.env["mail.mail"]
            .sudo()
            .create(
                {
                    "subject": self._live_chat_offline_subject(values),
                    "body_html": self._live_chat_offline_body(values),
                    "email_from": self._live_chat_email_from(),
                    "email_to": recipients,
                    "reply_to": formataddr((values["name"], values["email"])),
                    "auto_delete": True,
                }
            )
        )

    def _live_chat_offline_send_confirmation(self, values, confirmation):
        """The visitor's copy: the confirmation with the promised reply time and their
        message, in their language, through the mail queue."""
        self.ensure_one()
        body = self.env["ir.qweb"]._render(
            "live_chat.offline_confirmation_email",
            {
                "channel_name": self.name,
                "visitor_name": values["name"],
                "confirmation": confirmation,
                "message": values["message"],
            },
        )
        # sudo: mail.mail - see _live_chat_offline_to_email.
        self.env["mail.mail"].sudo().create(
            {
                "subject": self.env._("%s: we have your message", self.name),
                "body_html": body,
                "email_from": self._live_chat_email_from(),
                "email_to": formataddr((values["name"], values["email"])),
                "auto_delete": True,
            }
        )

    def _live_chat_offline_title(self, values, length=80):
        """A short title of a message left: its first words."""
        text = " ".join(values["message"].split())
        return textwrap.shorten(text, length, placeholder="…") or values["name"]
