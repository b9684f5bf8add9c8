"""Real-time delivery comes back within seconds after PostgreSQL restarts.

The host's bus listener (one per websocket worker) waits 50 seconds after losing its
PostgreSQL connection before it listens again, and the notifications sent meanwhile
reach a socket only when a newer one wakes it up: a visitor's message could wait on
the operator's side until something else happened. The suite shortens that wait and,
once the listener is back, wakes every socket of the worker so that each fetches
what it missed since its last bus id (the bus table, in PostgreSQL, holds them).
"""

import threading
import time

from odoo.addons.bus.models import bus as host_bus

RECONNECT_DELAY = 2  # seconds


def wake_websockets():
    """Make every websocket of this worker fetch its pending notifications."""
    sockets = {ws for wss in list(host_bus.dispatch._channels_to_ws.values()) for ws in wss}
    for ws in sockets:
        ws.trigger_notification_dispatching()


class _ListenerClock:
    """The ``time`` module as the host's bus listener sees it (it only sleeps after
    an error): a shorter sleep, then a wake-up of the sockets once it listens again."""

    def __getattr__(self, name):
        return getattr(time, name)

    @staticmethod
    def sleep(seconds):
        time.sleep(min(seconds, RECONNECT_DELAY))
        timer = threading.Timer(RECONNECT_DELAY, wake_websockets)
        timer.daemon = True
        timer.start()


host_bus.time = _ListenerClock()
