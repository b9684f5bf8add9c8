"""The per-worker cache of ``/live_chat/init``: the answer of a page view without a
session (the channel's options, the page's rule, whether an operator is available,
and whatever else the route adds to it), kept a few seconds per process.

``/init`` runs on every page view of every website that embeds the widget. Its answer
depends on the channel (options, rules, operators' presence and hours), on the page
(URL) and on the visitor's country and language, not on who the visitor is: the same
answer serves every visitor of that page for a few seconds, so that a page view
answered from here runs no query of the suite (for a visitor with a session, its
lookup): only the requests that compute an answer count against the per-address
rate limit, which guards the database.

The key: the fields of the request's JSON payload that a page's answer depends on
(``PAGE_FIELDS``: the page's URL, the visitor's time zone), which are also all that
computes it sees (an input read by a new version of the route must be added there,
or it is not seen at all), so that no other field makes a key of its own; plus the
channel, the country (GeoIP), the language, the user and the database.

The visitor's other routes keep here the websites that may embed a channel (its
*Allowed Websites*), which each of them checks, under a key of their own.

Nothing lives only here: the cache holds copies of what PostgreSQL says, for
``live_chat.init_cache_seconds`` (system parameter, default 5 s, 0 turns it off); a
change (a new operator's arrival, a rule) shows in every worker within that time.
"""

import json
import threading
import time

from odoo.modules import module

DEFAULT_TTL = 5
MAX_ENTRIES = 2048
# The fields of the payload that a page's answer depends on (never the visitor's
# own: a session is looked up per request).
PAGE_FIELDS = ("url", "tz")


class InitCache:
    def __init__(self, max_entries=MAX_ENTRIES):
        self._lock = threading.Lock()
        self._entries = {}  # key: (expiry on the monotonic clock, value)
        self.max_entries = max_entries
        # While Odoo runs tests, every request works in the running test's transaction,
        # rolled back at its end: an answer kept across tests would be another test's.
        # A test of the cache itself turns it on (and clears it).
        self.enabled_in_tests = False

    @staticmethod
    def page_inputs(payload):
        """What of ``payload`` a page's answer is computed from (``PAGE_FIELDS``)."""
        return {key: payload[key] for key in PAGE_FIELDS if key in payload}

    @staticmethod
    def make_key(*parts, page):
        """The key of a page's answer: ``parts`` and the page's inputs
        (``page_inputs``)."""
        return (*parts, json.dumps(page, sort_keys=True, ensure_ascii=False))

    def get(self, key, ttl, compute):
        """The value cached under ``key`` for at most ``ttl`` seconds, else
        ``compute()`` (kept unless it raises)."""
        if ttl <= 0 or (module.current_test and not self.enabled_in_tests):
            return compute()
        now = time.monotonic()
        entry = self._entries.get(key)
        if entry and entry[0] > now:
            return entry[1]
        # Computed outside the lock: two requests of a cold key may both compute it.
        value = compute()
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._evict(now)
            self._entries[key] = (now + ttl, value)
        return value

    def _evict(self, now):
        expired = [key for key, (expiry, _value) in self._entries.items() if expiry <= now]
        for key in expired:
            del self._entries[key]
        # Still full (many live pages): the oldest half goes.
        if len(self._entries) >= self.max_entries:
            for key in list(self._entries)[: self.max_entries // 2]:
                del self._entries[key]

    def clear(self):
        with self._lock:
            self._entries.clear()


INIT_CACHE = InitCache()
