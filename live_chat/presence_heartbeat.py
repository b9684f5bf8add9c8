"""An operator is offered chats only while a server holds their websocket.

The host's presence says "online" from the web client's first message on its socket
until the socket closes, when the host's close handler sets it offline. When the
process that serves the sockets stops without running that handler (a restart, an
upgrade, a crash: Odoo's "Stopping workers gracefully" closes no socket), the
presence stays "online" with nobody behind it if the browser does not come back, and
the host forgets it only after 12 hours: visitors would be given to an operator who
has gone home.

So each process that serves websockets writes, every ``HEARTBEAT_SECONDS``, the
``last_poll`` of the users whose socket it holds (one statement per database), and an
operator counts as available only with a ``last_poll`` of the last ``STALE_SECONDS``
(``live_chat.channel._live_chat_operator_available_sql``). A server that stops stops
writing: its operators leave the choice within ``STALE_SECONDS``, unless their
browser reconnects (to it or to another server), which the host's web client does
by itself; a new socket's user is polled at once (after a restart, the host's web
client reconnects without sending its presence again). An idle tab keeps its
socket (the host pings it), so hours without a click change nothing; the host's
close handler still sets a closed socket's user offline at once. The state is in
PostgreSQL: the sockets of every server count, on one database. The heartbeat does
not run in tests (it would write in the test's transaction at any moment): they
call ``beat()`` or ``write_polls()``.
"""

import logging
import threading
import time
import weakref
from collections import defaultdict

from odoo import modules
from odoo.modules.registry import Registry
from odoo.tools import SQL

from odoo.addons.bus.websocket import ConnectionState

_logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 60
# A few heartbeats missed (a busy server) before an operator leaves the choice.
STALE_SECONDS = 5 * 60

# The sockets of this process with a signed-in user: websocket -> (database, uid).
_sockets = weakref.WeakKeyDictionary()
_lock = threading.Lock()
_thread = None


def track(websocket, dbname, uid):
    """``websocket`` (open, subscribed) belongs to user ``uid`` of ``dbname``; the
    heartbeat of this process runs from now on (not while tests run). Whether the
    socket is new here (its first subscription)."""
    global _thread  # noqa: PLW0603 - one heartbeat per process
    with _lock:
        new = _sockets.get(websocket) != (dbname, uid)
        _sockets[websocket] = (dbname, uid)
        if not modules.module.current_test and (_thread is None or not _thread.is_alive()):
            _thread = threading.Thread(
                target=_run, name="live_chat.presence_heartbeat", daemon=True
            )
            _thread.start()
    return new


def held_users():
    """{database: user ids} of the open sockets of this process."""
    with _lock:
        sockets = list(_sockets.items())
    users = defaultdict(set)
    for websocket, (dbname, uid) in sockets:
        if websocket.state == ConnectionState.OPEN:
            users[dbname].add(uid)
    return users


def beat():
    """One heartbeat: the last poll of the users whose socket this process holds, now
    (a cursor per database)."""
    for dbname, uids in held_users().items():
        try:
            with Registry(dbname).cursor() as cr:
                write_polls(cr, uids)
        except Exception:  # noqa: BLE001 - the next heartbeat tries again
            _logger.warning("live chat: the presence heartbeat of %s failed", dbname, exc_info=True)


def write_polls(cr, uids):
    """The last poll of the presences of users ``uids``, now. A presence being written
    by another transaction (the host's update) is left to it: that one writes
    ``last_poll`` too."""
    cr.execute(
        SQL(
            """UPDATE mail_presence SET last_poll = now() AT TIME ZONE 'UTC'
                WHERE id IN (SELECT id FROM mail_presence
                              WHERE user_id = ANY(%s)
                              ORDER BY id FOR UPDATE SKIP LOCKED)""",
            sorted(uids),
        )
    )


def _run():
    while True:
        time.sleep(HEARTBEAT_SECONDS)
        beat()
