"""The bus's NOTIFY on a connection kept open.

After each transaction that sent bus notifications, the host tells the websocket
workers with a NOTIFY on the ``postgres`` database, through a new connection every
time: the connection pool never keeps connections to ``postgres``. Opening one (a
PostgreSQL backend started, the password checked) costs 3 to 35 ms on a 2-core
machine, paid by every message twice (in the request, which runs the postcommit
before answering, and in the delivery); the NOTIFY itself costs 0.1 ms. Each process
keeps one connection to ``postgres`` for it instead (autocommit, re-opened after an
error); when it cannot, the host's own NOTIFY runs as before.
"""

import logging
import os
import threading

import psycopg2

from odoo import models, sql_db
from odoo.tools import SQL

from odoo.addons.bus.models.bus import ODOO_NOTIFY_FUNCTION, get_notify_payloads

_logger = logging.getLogger(__name__)


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

    def _ensure_hooks(self):
        postcommit = self.env.cr.postcommit
        fresh = "bus.bus.channels" not in postcommit.data
        super()._ensure_hooks()
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
