"""The sessions' side of the queue and of unanswered chats (see
live_chat_channel_queue.py): a visitor who waits has a session of state "waiting",
without operator, that takes their messages; the first operator with a free place
gets it, its messages and its window. A session its operator does not answer in time
goes to the next available operator. Every state is in PostgreSQL.

A file of its own beside discuss_channel.py: the feature reads as one piece."""
# pylint: disable=consider-merging-classes-inherited

from odoo import api, fields, models
from odoo.tools import SQL

# Unanswered sessions handed over by one call of the cron (it calls again while some remain).
UNANSWERED_BATCH_SIZE = 50


class DiscussChannel(models.Model):
    _inherit = "discuss.channel"

    # Before "In progress": the order of a session's life (its form's status bar).
    live_chat_state = fields.Selection(
        selection_add=[("waiting", "Waiting in the queue"), ("open",)]
    )
    live_chat_assigned_dt = fields.Datetime(
        "Operator Since",
        readonly=True,
        help="When the current operator got the session (its start, or a hand-over).",
    )
    live_chat_offered_user_ids = fields.Many2many(
        "res.users",
        "discuss_channel_live_chat_offered_rel",
        "channel_id",
        "user_id",
        string="Offered To",
        readonly=True,
        help="The operators who were offered this session and did not answer in time.",
    )
    live_chat_unanswered_dt = fields.Datetime(
        "Left Unanswered",
        readonly=True,
        help="When every available operator had been offered the session without "
        "answering: the visitor was offered to leave a message.",
    )

    # The queue of a channel: its waiting sessions, first come first served.
    _live_chat_waiting_idx = models.Index(
        "(live_chat_channel_id, id) WHERE live_chat_state = 'waiting'"
    )
    # The unanswered sessions, for the cron that offers them to another operator.
    _live_chat_unanswered_idx = models.Index(
        "(live_chat_channel_id) WHERE live_chat_state = 'open'"
        " AND live_chat_first_answer_dt IS NULL AND live_chat_unanswered_dt IS NULL"
    )

    # ------------------------------------------------------------
    # The visitor's side
    # ------------------------------------------------------------

    def _live_chat_queue_place(self):
        """The visitor's place in the queue: {session_id, position, wait_minutes}
        (position 0 once the session is no longer waiting)."""
        self.ensure_one()
        place = 0
        if self.live_chat_state == "waiting":
            place = self.live_chat_channel_id._live_chat_queue_places().get(self.id, 0)
        return {
            "session_id": self.id,
            "position": place,
            "wait_minutes": (
                self.live_chat_channel_id._live_chat_queue_wait_minutes(place) if place else 0
            ),
        }

    def _live_chat_queue_send_place(self):
        self.ensure_one()
        self._live_chat_bus_send("live_chat/queue", self._live_chat_queue_place())

    def _live_chat_visitor_info(self):
        info = super()._live_chat_visitor_info()
        if self.live_chat_state == "waiting":
            info["queue"] = self._live_chat_queue_place()
        if self.live_chat_unanswered_dt and self.live_chat_state in ("open", "waiting"):
            info["offline_form"] = "unanswered" if self.live_chat_state == "open" else "queue"
        return info

    def _live_chat_ping(self):
        """A waiting visitor's ping also moves the queue on when a place is free (an
        operator came online): without waiting for another transaction at it."""
        result = super()._live_chat_ping()
        if self.live_chat_state == "waiting":
            self.live_chat_channel_id._live_chat_queue_dispatch(wait=False)
            result["state"] = self.live_chat_state
            if self.live_chat_state == "waiting":
                result["queue"] = self._live_chat_queue_place()
        return result

    def _live_chat_close(self, notice, by_visitor=False):
        """A session that ends frees its operator's place (the queue moves on); a
        waiting one that ends leaves the queue (the places behind it move up). Returns
        what the base returns (the closing notice)."""
        was_waiting = self.live_chat_state == "waiting"
        closed = super()._live_chat_close(notice, by_visitor=by_visitor)
        channel = self.live_chat_channel_id
        if closed and channel:
            if was_waiting:
                channel._live_chat_queue_send_places()
            else:
                channel.sudo()._live_chat_queue_dispatch()
        return closed

    def _live_chat_queue_leave_for_message(self):
        """The waiting visitor left a message instead of waiting: their session ends
        and leaves the queue (the places behind it move up). Whether it ended."""
        self.ensure_one()
        if self.live_chat_state != "waiting":
            return False
        notice = self._live_chat_visitor_env()._(
            "%s left a message instead of waiting: the session has ended.",
            self.live_chat_visitor_name,
        )
        return self._live_chat_close(notice, by_visitor=True)

    def _live_chat_give_to(self, operator, leaving=None, keep_previous=False):
        """The place of the operator who leaves is free: the queue moves on."""
        result = super()._live_chat_give_to(operator, leaving=leaving, keep_previous=keep_previous)
        self.live_chat_assigned_dt = fields.Datetime.now()
        if not keep_previous:
            self.live_chat_channel_id.sudo()._live_chat_queue_dispatch()
        return result

    def _live_chat_queue_connect(self, operator):
        """The waiting session gets ``operator``: it becomes a session like any other,
        which opens in the operator's chat window with the visitor's messages."""
        self.ensure_one()
        self.write(
            {
                "live_chat_state": "open",
                "live_chat_operator_id": operator.id,
                "live_chat_assigned_dt": fields.Datetime.now(),
                # Offered the offline form while waiting: no longer.
                "live_chat_unanswered_dt": False,
            }
        )
        # It opens in the operator's chat window; the visitor is told who joined.
        self._live_chat_join(operator)

    # ------------------------------------------------------------
    # Unanswered chats move on
    # ------------------------------------------------------------

    @api.model
    def _cron_live_chat_queue(self):
        """Cron (every minute): unanswered sessions go to the next operator, and the
        queues move on where a place is free (an operator came online)."""
        self._live_chat_move_unanswered()
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT DISTINCT live_chat_channel_id FROM discuss_channel"
                " WHERE live_chat_state = 'waiting'"
            )
        )
        channel_ids = [row[0] for row in self.env.cr.fetchall()]
        # sudo: live_chat.channel - the cron moves the queues of every channel.
        channels = self.env["live_chat.channel"].sudo().browse(channel_ids)
        channels._live_chat_queue_dispatch(wait=False)
        for channel in channels:
            if not channel._live_chat_online_operator_count():
                channel._live_chat_queue_nobody_left()

    @api.model
    def _live_chat_move_unanswered(self, batch_size=UNANSWERED_BATCH_SIZE):
        """Offer each open session that its operator left unanswered longer than its
        channel's ``unanswered_timeout`` to the next available operator who has not
        been offered it; the first keeps the window, with a notice. When nobody is
        left, the visitor is offered to leave a message instead (once)."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT s.id
                  FROM discuss_channel s
                  JOIN live_chat_channel c ON c.id = s.live_chat_channel_id
                 WHERE s.live_chat_state = 'open'
                   AND s.live_chat_first_answer_dt IS NULL
                   AND s.live_chat_unanswered_dt IS NULL
                   AND c.unanswered_timeout > 0
                   AND COALESCE(s.live_chat_assigned_dt, s.live_chat_start_dt)
                       < %(now)s - make_interval(secs => c.unanswered_timeout)
                 ORDER BY s.id
                 LIMIT %(limit)s
                   FOR UPDATE OF s SKIP LOCKED
                """,
                now=fields.Datetime.now(),
                limit=batch_size + 1,
            )
        )
        # sudo: discuss.channel - the cron hands over the sessions of every channel.
        sessions = self.sudo().browse(row[0] for row in self.env.cr.fetchall())
        for session in sessions[:batch_size]:
            session._live_chat_offer_to_next()
        if len(sessions) > batch_size:
            self.env.ref("live_chat.ir_cron_live_chat_queue")._trigger()
        return sessions[:batch_size]

    def _live_chat_offer_to_next(self):
        self.ensure_one()
        current = self.live_chat_operator_id
        offered = self.live_chat_offered_user_ids | current
        partner, guest = self._live_chat_visitor_author()
        operator = self.live_chat_channel_id._get_available_operator(
            lang=self.live_chat_lang, guest=guest, partner=partner, exclude=offered
        )
        self.live_chat_offered_user_ids = offered
        if operator:
            if current:
                # Both sides read it: in the visitor's language, as the other notices.
                notice = self._live_chat_visitor_env()._(
                    "Not answered in time: this chat is offered to %s too.",
                    operator._live_chat_public_name(),
                )
                # sudo: discuss.channel - the notice is the first operator's, about them.
                self.with_user(current).sudo()._live_chat_post_notice(
                    notice, "o_live_chat_unanswered"
                )
            self._live_chat_give_to(operator, keep_previous=True)
            return operator
        self._live_chat_offer_offline_form(
            "unanswered",
            self._live_chat_visitor_env()._(
                "Sorry, no operator could answer you yet. You can leave us a message and "
                "we will get back to you."
            ),
        )
        return operator

    def _live_chat_offer_offline_form(self, reason, notice):
        """Nobody can answer the visitor for now: tell them (``notice``, in their
        language) and offer them to leave a message (``reason``: "queue" or
        "unanswered"), once."""
        self.ensure_one()
        self.live_chat_unanswered_dt = fields.Datetime.now()
        self._live_chat_post_notice(notice, "o_live_chat_unanswered")
        self._live_chat_bus_send(
            "live_chat/offline_form", {"session_id": self.id, "reason": reason}
        )
