from odoo import api, fields, models
from odoo.tools import SQL

# Defaults of the limits, per minute; each one is a system parameter
# "live_chat.rate_limit.<name>" (Settings > Technical > System Parameters).
DEFAULT_LIMITS = {
    "init_ip": 600,
    "session_start_ip": 20,
    "session_start_visitor": 5,
    "message_ip": 120,
    "message_session": 40,
    "messages_session": 120,
    # The transcript of an ended chat by email: a few, never a way to send mail in bulk.
    "transcript_ip": 5,
    "transcript_session": 2,
    # Messages left in the offline form: per address and per email of the visitor.
    "offline_ip": 5,
    "offline_email": 3,
}
WINDOW_SECONDS = 60


class LiveChatRateLimit(models.Model):
    """Hits per key and per one-minute window, in PostgreSQL: every worker and every
    server behind the same database counts together, on the database's clock.

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
                limits[f"{name}:{subject}"[:256]] = limit
        if not limits:
            return 0
        # Sorted: concurrent requests lock their rows in the same order.
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO live_chat_rate_limit (key, window_start, hits)
                SELECT key, date_trunc('minute', now() AT TIME ZONE 'UTC'), 1
                  FROM unnest(%s::varchar[]) AS key
                ON CONFLICT (key, window_start)
                DO UPDATE SET hits = live_chat_rate_limit.hits + 1
                RETURNING key, hits, GREATEST(1, CEIL(
                    %s - EXTRACT(EPOCH FROM (now() AT TIME ZONE 'UTC') - window_start)
                ))::int
                """,
                sorted(limits),
                WINDOW_SECONDS,
            ),
            # A conflict with a concurrent request is expected: the host replays it.
            log_exceptions=False,
        )
        rows = self.env.cr.fetchall()
        self.invalidate_model(["hits"])
        return max(
            (retry for key, hits, retry in rows if hits > limits[key]),
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
                "DELETE FROM live_chat_rate_limit"
                " WHERE window_start < (now() AT TIME ZONE 'UTC') - %s * interval '1 second'",
                2 * WINDOW_SECONDS,
            )
        )
