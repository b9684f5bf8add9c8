from datetime import datetime, time

import pytz

from odoo import api, fields, models
from odoo.tools import SQL

from ..models.discuss_channel import RATING_SELECTION


class LiveChatSessionReport(models.Model):
    """One row per live chat session, of values stored on the session (first answer,
    end, message counts, rating, missed): the report sums, averages and groups them
    without reading a single message. Operators see the rows of the channels they
    answer, administrators all (record rules)."""

    _name = "live_chat.session.report"
    _description = "Live Chat Session Report"
    _auto = False
    _order = "start_dt desc, id desc"
    _rec_name = "visitor_name"
    # What the query reads: flushed before the report is read.
    _depends = {
        "discuss.channel": [
            "channel_type",
            "live_chat_channel_id",
            "live_chat_operator_id",
            "live_chat_visitor_name",
            "live_chat_country_id",
            "live_chat_lang",
            "live_chat_start_dt",
            "live_chat_end_dt",
            "live_chat_state",
            "live_chat_first_answer_dt",
            "live_chat_duration",
            "live_chat_visitor_message_count",
            "live_chat_operator_message_count",
            "live_chat_rating",
            "live_chat_missed",
        ],
        "res.lang": ["code"],
    }

    session_id = fields.Many2one("discuss.channel", readonly=True)
    channel_id = fields.Many2one("live_chat.channel", readonly=True)
    operator_id = fields.Many2one("res.users", readonly=True)
    visitor_name = fields.Char("Visitor", readonly=True)
    country_id = fields.Many2one("res.country", "Visitor Country", readonly=True)
    lang_id = fields.Many2one("res.lang", "Visitor Language", readonly=True)
    start_dt = fields.Datetime("Started", readonly=True)
    end_dt = fields.Datetime("Ended", readonly=True)
    state = fields.Selection(
        [("waiting", "Waiting in the queue"), ("open", "In progress"), ("closed", "Closed")],
        "Status",
        readonly=True,
    )
    answer_time = fields.Float(
        "Time to Answer (seconds)",
        digits=(16, 1),
        aggregator="avg",
        readonly=True,
        help="From the visitor's first message to the operator's first answer. "
        "Empty while nobody has answered.",
    )
    duration = fields.Float(
        "Duration (minutes)",
        digits=(16, 1),
        aggregator="avg",
        readonly=True,
        help="From the visitor's first message to the end of the chat. Empty while it lasts.",
    )
    visitor_message_count = fields.Integer(
        "Visitor Messages", aggregator="sum", readonly=True, help="Counted when the chat ends."
    )
    operator_message_count = fields.Integer(
        "Operator Messages", aggregator="sum", readonly=True, help="Counted when the chat ends."
    )
    rating = fields.Float(
        "Rating (1 to 5)",
        digits=(16, 2),
        aggregator="avg",
        readonly=True,
        help="The visitor's rating: 1 unhappy, 3 neutral, 5 happy. Empty when not rated.",
    )
    rating_text = fields.Selection(RATING_SELECTION, "Rating", readonly=True)
    missed = fields.Boolean(
        readonly=True,
        help="No operator answered: within the channel's time (Missed after), or "
        "before the chat ended.",
    )
    missed_count = fields.Integer("Missed Chats", aggregator="sum", readonly=True)

    @property
    def _table_query(self):
        return SQL("SELECT %s FROM %s WHERE %s", self._select(), self._from(), self._where())

    def _select(self):
        """The report's columns. The bridges add theirs (``SQL("%s, ...", super()...)``).
        Floats (date_part, float8) rather than numerics: averaging them is cheaper."""
        return SQL(
            """
            s.id AS id,
            s.id AS session_id,
            s.live_chat_channel_id AS channel_id,
            s.live_chat_operator_id AS operator_id,
            s.live_chat_visitor_name AS visitor_name,
            s.live_chat_country_id AS country_id,
            lang.id AS lang_id,
            s.live_chat_start_dt AS start_dt,
            s.live_chat_end_dt AS end_dt,
            s.live_chat_state AS state,
            date_part('epoch', s.live_chat_first_answer_dt - s.live_chat_start_dt) AS answer_time,
            CASE WHEN s.live_chat_end_dt IS NOT NULL
                 THEN s.live_chat_duration::float8 END AS duration,
            CASE WHEN s.live_chat_state = 'closed'
                 THEN s.live_chat_visitor_message_count END AS visitor_message_count,
            CASE WHEN s.live_chat_state = 'closed'
                 THEN s.live_chat_operator_message_count END AS operator_message_count,
            s.live_chat_rating::float AS rating,
            s.live_chat_rating AS rating_text,
            s.live_chat_missed IS TRUE AS missed,
            CASE WHEN s.live_chat_missed THEN 1 ELSE 0 END AS missed_count
            """
        )

    def _from(self):
        # res_lang.code is unique: PostgreSQL leaves the join out when the language
        # is not asked for.
        return SQL(
            """
            discuss_channel s
            LEFT JOIN res_lang lang ON lang.code = s.live_chat_lang
            """
        )

    def _where(self):
        # Matches the predicate of the sessions' report index.
        return SQL("s.channel_type = 'live_chat'")

    @api.model
    def _start_of_today(self):
        """Midnight of the user's today, as the database's (UTC) time."""
        tz = self.env.tz
        midnight = datetime.combine(datetime.now(tz).date(), time.min)
        return tz.localize(midnight).astimezone(pytz.utc).replace(tzinfo=None)

    def action_open_session(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "discuss.channel",
            "res_id": self.session_id.id,
            "views": [(self.env.ref("live_chat.discuss_channel_view_form_live_chat").id, "form")],
            "target": "current",
        }
