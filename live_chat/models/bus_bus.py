"""The bus: its NOTIFY on a connection kept open, and its poll in one plain query.

After each transaction that sent bus notifications, the host tells the websocket
workers with a NOTIFY on the ``postgres`` database, through a new connection every
time: the connection pool never keeps connections to ``postgres``. Opening one (a
PostgreSQL backend started, the password checked) costs 3 to 35 ms on a 2-core
machine, paid by every message twice (in the request, which runs the postcommit
before answering, and in the delivery); the NOTIFY itself costs 0.1 ms. Each process
keeps one connection to ``postgres`` for it instead (autocommit, re-opened after an
error); when it cannot, the host's own NOTIFY runs as before.

Before the commit, the host writes the transaction's notifications with the ORM's
create (``create_bus``); when the bus rows have only the host's columns, the suite
writes the same rows in one INSERT.

Each websocket that a NOTIFY concerns then polls the bus (``_poll``) in the websocket
worker: for every message, the visitor's socket and the operator's. The host builds
that query through the ORM's domain (its optimization, an ``id NOT IN`` list of every
notification the socket got in the last seconds, a ``search_read``): most of the
worker's time at a few dozen messages per second. The suite runs the same query as
plain SQL and returns the same list.

The host's table has no index but its primary key: a poll reads every row newer than
the socket's last id (which trails the newest by the seconds of its history, longer
for a socket that got nothing for a while) and keeps its channels' ones; a first poll
(no last id) reads the whole table, a day of notifications. At a hundred messages per
second that is thousands of rows per poll, and most of PostgreSQL's time per
message. The suite adds an index on (channel, id): a poll reads its channels' rows.
With one condition ``channel = ANY(<the socket's channels>)``, the planner prices
that index by its number of channels (an operator's socket has two per open session)
and takes the primary key again past a few channels, reading the thousands of rows;
it also weighs each channel against the column's statistics on every plan. The poll
reads each channel's own rows instead (a lateral subquery per channel, on the index
whatever the number of channels): 0.4 ms of PostgreSQL instead of 2 for an
operator's socket with 45 channels, 3,000 rows behind the newest; its first poll
(the last seconds, by date) 4 ms instead of 380.
"""

import datetime
import logging
import os
import threading

import psycopg2

from odoo import api, fields, models, sql_db
from odoo.tools import SQL

from odoo.addons.bus.models.bus import (
    ODOO_NOTIFY_FUNCTION,
    TIMEOUT,
    channel_with_db,
    get_notify_payloads,
    json_dump,
)
from odoo.addons.bus.tools import orjson

_logger = logging.getLogger(__name__)

# The stored fields of the host's bus rows.
BUS_COLUMNS = {"id", "channel", "message", "create_uid", "create_date", "write_uid", "write_date"}


class _NotifyConnection:
    """One connection to ``postgres`` per process, for the bus's NOTIFY."""

    def __init__(self):
        self._lock = threading.Lock()  # gevent's in the websocket worker (patched)
        self._cnx = None
        self._pid = None

    def notify(self, payloads):
        """NOTIFY imbus with ``payloads``; False when it could not."""
        with self._lock:
            try:
                if self._cnx is None or self._cnx.closed or self._pid != os.getpid():
                    # A connection of the parent process (before a fork) is not ours
                    # to close: forget it.
                    self._cnx = None
                    _dbname, params = sql_db.connection_info_for("postgres")
                    self._cnx = psycopg2.connect(**params)
                    self._cnx.autocommit = True
                    self._pid = os.getpid()
                with self._cnx.cursor() as cr:
                    for payload in payloads:
                        query = SQL(
                            "SELECT %s('imbus', %s)", SQL.identifier(ODOO_NOTIFY_FUNCTION), payload
                        )
                        cr.execute(query.code, query.params)
                return True
            except psycopg2.Error:
                _logger.warning("bus NOTIFY on the kept connection failed", exc_info=True)
                if self._cnx is not None and not self._cnx.closed:
                    self._cnx.close()
                self._cnx = None
                return False


notify_connection = _NotifyConnection()


class BusBus(models.Model):
    _inherit = "bus.bus"

    # The polls: a socket's channels, newer than its last id (see the module's docstring).
    _live_chat_channel_id_idx = models.Index("(channel, id)")

    def _ensure_hooks(self):
        precommit, postcommit = self.env.cr.precommit, self.env.cr.postcommit
        fresh_rows = "bus.bus.values" not in precommit.data
        fresh = "bus.bus.channels" not in postcommit.data
        super()._ensure_hooks()
        host_create = precommit._funcs[-1] if fresh_rows and precommit._funcs else None
        if host_create and host_create.__name__ == "create_bus" and self._bus_plain_insert():
            precommit._funcs[-1] = self._bus_insert_rows
        host_notify = postcommit._funcs[-1] if fresh and postcommit._funcs else None
        if not host_notify or host_notify.__name__ != "notify":
            return

        def notify():
            channels = postcommit.data.get("bus.bus.channels")
            if notify_connection.notify(get_notify_payloads(list(channels or ()))):
                postcommit.data.pop("bus.bus.channels", None)
            else:
                host_notify()

        postcommit._funcs[-1] = notify

    def _bus_plain_insert(self):
        """Whether the bus's rows are only the host's columns (no module added a
        stored field to them): then one INSERT writes them, as the ORM would."""
        stored = {name for name, field in self._fields.items() if field.store}
        return stored == BUS_COLUMNS

    def _bus_insert_rows(self):
        """The host's precommit (``create_bus``) in one plain INSERT: the same rows
        (channel, message, author, the transaction's time as their dates), without the ORM's
        create of records nobody reads in this transaction."""
        rows = self.env.cr.precommit.data.pop("bus.bus.values")
        if not rows:
            return
        self.env.cr.execute(
            SQL(
                """INSERT INTO bus_bus (channel, message, create_uid, create_date,
                                        write_uid, write_date)
                   SELECT channel, message, %(uid)s, now() AT TIME ZONE 'UTC',
                          %(uid)s, now() AT TIME ZONE 'UTC'
                     FROM unnest(%(channels)s::varchar[], %(messages)s::varchar[])
                          WITH ORDINALITY AS row(channel, message, position)
                    ORDER BY position""",
                uid=self.env.uid,
                channels=[row["channel"] for row in rows],
                messages=[row["message"] for row in rows],
            )
        )

    @api.model
    def _poll(self, channels, last=0, ignore_ids=None):
        """The host's poll (the same notifications, in the same order, with the
        same filters: newer than ``last``, or of the last ``TIMEOUT`` seconds on a
        first poll; none of ``ignore_ids``), in one plain query."""
        self.flush_model(["channel", "message", "create_date"])
        dbname = self.env.cr.dbname
        # Each channel once (the lateral subquery below would read a repeated one twice).
        names = list(dict.fromkeys(json_dump(channel_with_db(dbname, c)) for c in channels))
        if last == 0:
            since = fields.Datetime.now() - datetime.timedelta(seconds=TIMEOUT)
            newer = SQL("create_date > %s", since)
        else:
            newer = SQL("id > %s", last)
        # OFFSET 0: the subquery stays one per channel (not merged into one scan).
        self.env.cr.execute(
            SQL(
                """SELECT bus.id, bus.message
                     FROM unnest(%s::varchar[]) AS socket(channel)
                    CROSS JOIN LATERAL (
                          SELECT id, message FROM bus_bus
                           WHERE bus_bus.channel = socket.channel AND %s
                             AND NOT (id = ANY(%s))
                          OFFSET 0) AS bus
                    ORDER BY bus.id""",
                names,
                newer,
                list(ignore_ids or ()),
            )
        )
        return [
            {"id": id_, "message": orjson.loads(message)} for id_, message in self.env.cr.fetchall()
        ]
