"""What a channel does when nobody can take a new visitor at once: the queue of the
visitors who wait for an operator to free a place, and the operators who do not
answer (see also discuss_channel_queue.py, the sessions' side)."""

import math
from datetime import timedelta

from psycopg2 import errors

from odoo import fields, models
from odoo.tools import SQL

# The estimate of the wait: the average length of the channel's latest sessions...
WAIT_SAMPLE_SIZE = 20
WAIT_SAMPLE_DAYS = 7
# ... or this many minutes when the channel has no recent session.
DEFAULT_SESSION_MINUTES = 5


class LiveChatChannel(models.Model):
    _inherit = "live_chat.channel"

    # Options: when every operator is busy, or does not answer
    queue_enabled = fields.Boolean(
        "Queue visitors when operators are busy",
        default=True,
        help="When every online operator has reached their number of sessions, a new "
        "visitor waits in a queue (seeing their place and the expected wait) and is "
        "connected as soon as an operator is free. Off: the chat is unavailable then.",
    )
    unanswered_timeout = fields.Integer(
        "Offer unanswered chats to another operator after (seconds)",
        default=0,
        help="A session whose operator has not answered the visitor within this time "
        "is offered to the next available operator (the first one keeps the window); "
        "when nobody else is available, the visitor is offered to leave a message. "
        "0: never.",
    )

    _unanswered_timeout_valid = models.Constraint(
        "CHECK(unanswered_timeout = 0 OR unanswered_timeout >= 30)",
        "An unanswered chat is offered to another operator after 30 seconds at the "
        "least (or never: 0).",
    )

    # ------------------------------------------------------------
    # Joining the queue (a visitor's first message while everyone is busy)
    # ------------------------------------------------------------

    def _start_visitor_session(self, *, name=None, timezone=None, **values):
        """No operator with a free place, but some online: the visitor waits in the
        queue, in a session without operator (state "waiting", see _start_session)
        that takes their messages, and is told their place."""
        session, guest = super()._start_visitor_session(name=name, timezone=timezone, **values)
        if not session.live_chat_operator_id:
            session._live_chat_queue_send_place()
        return session, guest

    def _live_chat_may_wait(self):
        return super()._live_chat_may_wait() or self._live_chat_queue_is_open()

    def _live_chat_queue_is_open(self):
        """Whether a new visitor may wait: the queue is on and an operator is online
        (all of them busy). Only asked when nobody can take the visitor at once."""
        self.ensure_one()
        return (
            self.queue_enabled
            and self._live_chat_is_open()  # within the working hours
            and bool(self._live_chat_online_operator_count())
        )

    def _live_chat_online_operator_count(self):
        """The channel's operators available now, whatever their load."""
        self.ensure_one()
        return len(self._live_chat_online_operators())

    def _widget_options(self):
        options = super()._widget_options()
        options["texts"].update(
            {
                # The widget puts the numbers in place of the placeholders.
                "queue_position": self.env._(
                    "Every operator is busy: you are number %(position)s in the queue."
                ),
                "queue_wait": self.env._("Estimated wait: about %(minutes)s min."),
                "queue_leave_message": self.env._("Leave a message instead"),
            }
        )
        return options

    # ------------------------------------------------------------
    # Places and estimated waits
    # ------------------------------------------------------------

    def _live_chat_queue_places(self):
        """{session id: place (1: next)} of the channel's waiting sessions."""
        self.ensure_one()
        self.env["discuss.channel"].flush_model(["live_chat_state", "live_chat_channel_id"])
        self.env.cr.execute(
            SQL(
                """
                SELECT id, row_number() OVER (ORDER BY id)
                  FROM discuss_channel
                 WHERE live_chat_channel_id = %s AND live_chat_state = 'waiting'
                """,
                self.id,
            )
        )
        return dict(self.env.cr.fetchall())

    def _live_chat_queue_minutes_per_place(self):
        """How long, in minutes, a place of the queue takes to move on: the average
        length of the channel's latest sessions, shared by every operator's places."""
        self.ensure_one()
        self.env["discuss.channel"].flush_model(
            ["live_chat_duration", "live_chat_state", "live_chat_end_dt"]
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT avg(live_chat_duration) FROM (
                    SELECT live_chat_duration FROM discuss_channel
                     WHERE live_chat_channel_id = %(channel)s
                       AND live_chat_state = 'closed'
                       AND live_chat_operator_id IS NOT NULL
                       AND live_chat_end_dt > %(since)s
                     ORDER BY live_chat_end_dt DESC
                     LIMIT %(limit)s
                ) latest
                """,
                channel=self.id,
                since=fields.Datetime.now() - timedelta(days=WAIT_SAMPLE_DAYS),
                limit=WAIT_SAMPLE_SIZE,
            )
        )
        minutes = self.env.cr.fetchone()[0] or DEFAULT_SESSION_MINUTES
        places = self._live_chat_online_operator_count() * (self.max_sessions_per_operator or 1)
        return minutes / max(places, 1)

    def _live_chat_queue_wait_minutes(self, place, minutes_per_place=None):
        if minutes_per_place is None:
            minutes_per_place = self._live_chat_queue_minutes_per_place()
        return max(1, math.ceil(place * minutes_per_place))

    def _live_chat_queue_send_places(self):
        """Tell every waiting visitor of the channel their place and wait."""
        self.ensure_one()
        places = self._live_chat_queue_places()
        if not places:
            return
        minutes_per_place = self._live_chat_queue_minutes_per_place()
        # sudo: discuss.channel - each visitor's own place, on their own bus channel.
        for session in self.env["discuss.channel"].sudo().browse(places):
            place = places[session.id]
            session._live_chat_bus_send(
                "live_chat/queue",
                {
                    "session_id": session.id,
                    "position": place,
                    "wait_minutes": self._live_chat_queue_wait_minutes(place, minutes_per_place),
                },
            )

    # ------------------------------------------------------------
    # Leaving the queue: an operator has a free place
    # ------------------------------------------------------------

    def _live_chat_queue_dispatch(self, wait=True):
        """Connect the first waiting visitors of these channels to the operators who
        have a free place, first come first served. Safe across workers and servers:
        the first waiting session is locked (``FOR UPDATE``) before an operator is
        chosen for it, so two transactions never give out the same place: the second
        waits for the first, and then sees the session taken (a serialization failure
        under the host's isolation: its request is replayed with the new state).
        ``wait=False``: give up at once when another transaction is at it (a ping, the
        cron). Return the sessions connected."""
        connected = self.env["discuss.channel"]
        for channel in self:
            moved = False
            while head := channel._live_chat_queue_lock_head(wait):
                partner, guest = head._live_chat_visitor_author()
                operator = channel._get_available_operator(
                    lang=head.live_chat_lang, guest=guest, partner=partner
                )
                if not operator:
                    break
                head._live_chat_queue_connect(operator)
                connected |= head
                moved = True
            if moved:
                channel._live_chat_queue_send_places()
        return connected

    def _live_chat_queue_nobody_left(self):
        """The channel's last operator went offline while visitors wait: each of
        them is told and offered to leave a message, once (they may wait on)."""
        self.ensure_one()
        # sudo: discuss.channel - the cron tells every waiting visitor of the channel.
        waiting = (
            self.env["discuss.channel"]
            .sudo()
            .search(
                [
                    ("live_chat_channel_id", "=", self.id),
                    ("live_chat_state", "=", "waiting"),
                    ("live_chat_unanswered_dt", "=", False),
                ]
            )
        )
        for session in waiting:
            session._live_chat_offer_offline_form(
                "queue",
                session._live_chat_visitor_env()._(
                    "Sorry, no operator is online any more. You can leave us a message "
                    "and we will get back to you, or wait for an operator."
                ),
            )

    def _live_chat_queue_lock_head(self, wait=True):
        """The channel's first waiting session, locked; empty when there is none (or,
        without ``wait``, when another transaction holds it or took it meanwhile)."""
        self.ensure_one()
        self.env.flush_all()
        query = SQL(
            """
            SELECT id FROM discuss_channel
             WHERE live_chat_channel_id = %s AND live_chat_state = 'waiting'
             ORDER BY id LIMIT 1
               FOR UPDATE%s
            """,
            self.id,
            SQL("") if wait else SQL(" NOWAIT"),
        )
        if wait:
            # A serialization failure here is expected (the head taken meanwhile): the
            # host replays the request, no error to log.
            self.env.cr.execute(query, log_exceptions=False)
            row = self.env.cr.fetchone()
        else:
            try:
                with self.env.cr.savepoint():
                    self.env.cr.execute(query, log_exceptions=False)
                    row = self.env.cr.fetchone()
            except (errors.LockNotAvailable, errors.SerializationFailure):
                return self.env["discuss.channel"]
        # sudo: discuss.channel - the queue moves on for every visitor, whoever frees the
        # place (an operator closing a chat, the visitor's ping, the cron).
        session = self.env["discuss.channel"].sudo().browse(row[0] if row else [])
        session.invalidate_recordset(["live_chat_state", "live_chat_operator_id"])
        return session
