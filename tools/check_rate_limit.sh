#!/usr/bin/env bash
# A check (not a test) of the visitors' rate limits under real concurrency, against
# a running demo server (tools/run.sh: several HTTP workers behind its proxy, each
# request in a transaction of its own). The test suite cannot do this over HTTP: its
# server runs every request in the test's one transaction, one at a time.
#
#   tools/check_rate_limit.sh [REQUESTS] [LIMIT]    (default: 30 and 10)
#
# Sets live_chat.rate_limit.message_session to LIMIT (message_ip off), starts a session
# on the channel "Website Chat" with the demo's operator online, fires REQUESTS posts
# in that session at once (one thread each), and checks that exactly LIMIT of them
# passed (200), the others were refused (429), the session holds exactly LIMIT more
# messages and the counter says LIMIT. Restores both limits at the end.
# Exit status 0 when all of this holds.
#
# Settings: LIVE_CHAT_DB (live_chat_demo) and LIVE_CHAT_PORT (8069), as for run.sh.
# shellcheck source=common.sh
source "$(dirname "$0")/common.sh"

DB="${LIVE_CHAT_DB:-live_chat_demo}"
PORT="${LIVE_CHAT_PORT:-8069}"
REQUESTS="${1:-30}"
LIMIT="${2:-10}"
URL="http://127.0.0.1:$PORT"
curl -fso /dev/null "$URL/web/login" || die "no demo server on $URL (start tools/run.sh first)"

odoo_shell() {
    "$PY" "$ODOO_SRC/odoo-bin" shell --addons-path="$(addons_path)" --db_host="$PGHOST" \
        --db_port="$PGPORT" --db_user="$PGUSER" --db_password="$PGPASSWORD" -d "$DB" \
        --no-http --log-level=warn
}

# Limits set (and later restored) through the ORM: the server's workers learn it
# from the registry's signaling, as they would from the Settings.
set_limits() {
    LIVE_CHAT_LIMITS="$1" odoo_shell <<'PY' >/dev/null
import json, os

from odoo import fields

for name, value in json.loads(os.environ["LIVE_CHAT_LIMITS"]).items():
    env["ir.config_parameter"].set_param(f"live_chat.rate_limit.{name}", value)
operator = env["res.users"].search([("login", "=", "operator")])
presence = env["mail.presence"].search([("user_id", "=", operator.id)])
values = {"status": "online", "last_poll": fields.Datetime.now()}
presence.write(values) if presence else presence.create({"user_id": operator.id, **values})
env.cr.commit()
env.registry.signal_changes()
PY
}
saved="$(odoo_shell <<'PY' 2>/dev/null | tail -1
import json
params = env["ir.config_parameter"]
print(json.dumps({name: params.get_param(f"live_chat.rate_limit.{name}") for name in ("message_session", "message_ip")}))
PY
)"
[ -n "$saved" ] || die "cannot read the rate limits of $DB"
channel_id="$(psql -d "$DB" -tAc "SELECT res_id FROM ir_model_data
    WHERE module = 'live_chat' AND name = 'live_chat_channel_default'")"
[ -n "$channel_id" ] || die "no default channel in $DB"
set_limits "{\"message_session\": \"$LIMIT\", \"message_ip\": \"0\"}"
trap 'set_limits "$saved"' EXIT

"$PY" - "$URL" "$channel_id" "$REQUESTS" "$LIMIT" "$DB" <<'PY'
import collections
import json
import sys
import threading
import time

import psycopg2
import requests

url, channel_id, count, limit, db = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]


def post(path, payload):
    return requests.post(
        url + path, data=json.dumps(payload), headers={"Content-Type": "text/plain"}, timeout=120
    )


# All the posts in one window of the database's clock: not in a minute's last seconds.
with psycopg2.connect(dbname=db) as cnx, cnx.cursor() as cr:
    cr.execute("SELECT EXTRACT(SECOND FROM clock_timestamp())")
    second = float(cr.fetchone()[0])
if second > 40:
    time.sleep(61 - second)

started = post("/live_chat/session/start", {"channel_id": channel_id, "body": "Rate limit check"})
if started.status_code != 200:
    sys.exit(f"starting a session failed: {started.status_code} {started.text[:300]}")
started = started.json()
session = {"session_id": started["session"]["id"], "token": started["token"]}
barrier = threading.Barrier(count)
statuses = []


def send(index):
    barrier.wait()
    statuses.append(post("/live_chat/session/post", {**session, "body": f"parallel {index}"}).status_code)


threads = [threading.Thread(target=send, args=(index,)) for index in range(count)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
post("/live_chat/session/close", session)

with psycopg2.connect(dbname=db) as cnx, cnx.cursor() as cr:
    cr.execute(
        "SELECT count(*) FROM mail_message WHERE model = 'discuss.channel' AND res_id = %s"
        " AND body LIKE %s",
        [session["session_id"], "%parallel %"],
    )
    stored = cr.fetchone()[0]
    cr.execute(
        "SELECT sum(hits) FROM live_chat_rate_limit WHERE key = %s",
        [f"message_session:{session['session_id']}"],
    )
    counted = cr.fetchone()[0]
by_status = dict(collections.Counter(statuses))
print(f"{count} parallel posts, limit {limit}: answers {by_status}; "
      f"messages stored {stored}; counter {counted}")
ok = by_status == {200: limit, 429: count - limit} and stored == limit and counted == limit
print("OK" if ok else "FAILED")
sys.exit(0 if ok else 1)
PY
