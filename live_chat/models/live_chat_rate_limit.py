import time
from datetime import UTC, datetime, timedelta

from odoo import api, fields, models
from odoo.tools import SQL

# Defaults of the limits, per minute; each one is a system parameter
# "live_chat.rate_limit.<name>" (Settings > Technical > System Parameters).
DEFAULT_LIMITS = {
    "session_start_ip": 20,
    "session_start_visitor": 5,
    "message_ip": 120,
    "message_session": 40,
}
WINDOW_SECONDS = 60


class LiveChatRateLimit(models.Model):
    """Hits per key and per one-minute window, in PostgreSQL: every worker and every
    server behind the same database counts together."""

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
        limit = self._get_limit(name)
        if limit <= 0:
            return 0
        epoch = int(time.time())
        window = datetime.fromtimestamp(epoch - epoch % WINDOW_SECONDS, UTC).replace(tzinfo=None)
        # In a transaction of its own, committed at once: the row of a busy key (an
        # office behind one address) is locked for an instant, not for the request.
        with self.env.registry.cursor() as cr:
            cr.execute(
                SQL(
                    """
                    INSERT INTO live_chat_rate_limit (key, window_start, hits)
                    VALUES (%s, %s, 1)
                    ON CONFLICT (key, window_start)
                    DO UPDATE SET hits = live_chat_rate_limit.hits + 1
                    RETURNING hits
                    """,
                    f"{name}:{subject}"[:256],
                    window,
                )
            )
            hits = cr.fetchone()[0]
        if hits <= limit:
            return 0
        return max(1, WINDOW_SECONDS - epoch % WINDOW_SECONDS)

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
                "DELETE FROM live_chat_rate_limit WHERE window_start < %s",
                fields.Datetime.now() - timedelta(seconds=2 * WINDOW_SECONDS),
            )
        )
