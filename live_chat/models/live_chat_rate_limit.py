import math

from odoo import api, fields, models
from odoo.tools import SQL

# Defaults of the limits, per minute (per day for those of DAILY_LIMITS); each one is a
# system parameter "live_chat.rate_limit.<name>" (Settings > Technical > System
# Parameters).
DEFAULT_LIMITS = {
    "init_ip": 600,
    "session_start_ip": 20,
    "session_start_visitor": 5,
    "message_ip": 120,
    "message_session": 40,
    "messages_session": 120,
    "typing_session": 30,
    "seen_session": 60,
    "upload_session": 10,
    "upload_ip": 30,
    # The files of the sessions' messages, pictures resized on the server included.
    "attachment_ip": 300,
    # The transcript of an ended chat by email: a few, never a way to send mail in
    # bulk; per day, a few per session and per recipient.
    "transcript_ip": 5,
    "transcript_session": 3,
    "transcript_email": 3,
    # Messages left in the offline form: per address, and per day per email of the
    # visitor (who gets a confirmation).
    "offline_ip": 5,
    "offline_email": 5,
}
# The limits that count per day (of the database's clock, UTC); the others per minute.
DAILY_LIMITS = frozenset({"transcript_session", "transcript_email", "offline_email"})
WINDOW_SECONDS = 60
DAY_SECONDS = 86400


class LiveChatRateLimit(models.Model):
    """Hits per key and per window (a minute, or a day for ``DAILY_LIMITS``), in
    PostgreSQL: every worker and every server behind the same database counts
    together, on the database's clock.

    A hit is counted in the transaction of the request it belongs to: a request that
    fails, or that the host replays after a serialization failure, rolls its hits
    back with everything else it did, so that nothing is counted twice and a refused
    request (429) is not counted at all. Requests of one key wait for each other
    from their hit to their end (the row's lock)."""

    _name = "live_chat.rate.limit"
    _description = "Live Chat Rate Limit"
    _log_access = False

    key = fields.Char(required=True)
    window_start = fields.Datetime(required=True)
    hits = fields.Integer(required=True, default=0)

    _key_window_unique = models.UniqueIndex("(key, window_start)")

    @api.model
    def _hit(self, name, subject):
        """Count a hit of ``subject`` (an IP address, a visitor) against limit ``name``.
        Return 0 when allowed, else the seconds until the window ends."""
        return self._hit_all([(name, subject)])

    @api.model
    def _hit_all(self, hits):
        """Count the hits ``[(name, subject), ...]`` of one request, in one statement.
        Return 0 when every limit allows them, else the seconds until the window ends."""
        limits = {}
        for name, subject in hits:
            limit = self._get_limit(name)
            if limit > 0:
                daily = name in DAILY_LIMITS
                limits[f"{name}:{subject}"[:256]] = (
                    limit,
                    "day" if daily else "minute",
                    DAY_SECONDS if daily else WINDOW_SECONDS,
                )
        if not limits:
            return 0
        keys = sorted(limits)
        # Sorted: concurrent requests lock their rows in the same order.
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO live_chat_rate_limit (key, window_start, hits)
                SELECT key, date_trunc(unit, now() AT TIME ZONE 'UTC'), 1
                  FROM unnest(%s::varchar[], %s::text[]) AS hit(key, unit)
                ON CONFLICT (key, window_start)
                DO UPDATE SET hits = live_chat_rate_limit.hits + 1
                RETURNING key, hits,
                          EXTRACT(EPOCH FROM (now() AT TIME ZONE 'UTC') - window_start)
                """,
                keys,
                [limits[key][1] for key in keys],
            ),
            # A conflict with a concurrent request is expected: the host replays it.
            log_exceptions=False,
        )
        rows = self.env.cr.fetchall()
        self.invalidate_model(["hits"])
        return max(
            (
                # The seconds until the window ends.
                max(1, math.ceil(limits[key][2] - float(elapsed)))
                for key, hits, elapsed in rows
                if hits > limits[key][0]
            ),
            default=0,
        )

    @api.model
    def _get_limit(self, name):
        # sudo: ir.config_parameter - reading the limits is part of serving visitors.
        value = self.env["ir.config_parameter"].sudo().get_param(f"live_chat.rate_limit.{name}")
        try:
            return int(value) if value not in (None, False, "") else DEFAULT_LIMITS[name]
        except ValueError:
            return DEFAULT_LIMITS[name]

    @api.autovacuum
    def _gc_windows(self):
        self.env.cr.execute(
            SQL(
                """
                DELETE FROM live_chat_rate_limit
                 WHERE window_start < (now() AT TIME ZONE 'UTC') - %s * interval '1 second'
                   AND (split_part(key, ':', 1) != ALL(%s)
                        OR window_start < (now() AT TIME ZONE 'UTC') - %s * interval '1 second')
                """,
                2 * WINDOW_SECONDS,
                sorted(DAILY_LIMITS),
                2 * DAY_SECONDS,
            )
        )
