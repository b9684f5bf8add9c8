#!/usr/bin/env bash
# Run a demo server: a database with the suite installed and an operator ready,
# then Odoo in multi-worker mode (with its websocket worker) on 127.0.0.1.
#
#   tools/run.sh [--update]
#     --update   update the suite's modules in the database before starting
#
# Settings (environment variables, with their defaults), besides common.sh's:
#   LIVE_CHAT_DB           demo database, created when missing   (live_chat_demo)
#   LIVE_CHAT_PORT         port of the served URL                (8069)
#   LIVE_CHAT_HTTP_PORT    Odoo's HTTP workers, internal         (LIVE_CHAT_PORT + 10000)
#   LIVE_CHAT_GEVENT_PORT  Odoo's websocket worker, internal     (LIVE_CHAT_PORT + 20000)
#   LIVE_CHAT_WORKERS      HTTP workers, at least 2              (2)
#   LIVE_CHAT_LOGDIR       install logs                          (.test-logs)
#
# Odoo's workers serve HTTP; websockets are served only by the gevent worker, on
# its own port. A small front (tools/demo_proxy.py) listens on LIVE_CHAT_PORT and
# sends /websocket to the gevent port, everything else to the HTTP workers: the
# routing a reverse proxy does in production.
# shellcheck source=common.sh
source "$(dirname "$0")/common.sh"

MODULES="website,helpdesk_mgmt,crm,live_chat,live_chat_website,live_chat_helpdesk,live_chat_crm"
SUITE="live_chat,live_chat_website,live_chat_helpdesk,live_chat_crm"
DB="${LIVE_CHAT_DB:-live_chat_demo}"
PORT="${LIVE_CHAT_PORT:-8069}"
HTTP_PORT="${LIVE_CHAT_HTTP_PORT:-$((PORT + 10000))}"
GEVENT_PORT="${LIVE_CHAT_GEVENT_PORT:-$((PORT + 20000))}"
WORKERS="${LIVE_CHAT_WORKERS:-2}"
URL="http://127.0.0.1:$PORT"
ADMIN_PASSWORD="admin"
UPDATE=0
while [ $# -gt 0 ]; do
    case "$1" in
        --update) UPDATE=1 ;;
        *) die "unknown option $1 (see the comment at the top of $0)" ;;
    esac
    shift
done
[ "$WORKERS" -ge 2 ] || die "LIVE_CHAT_WORKERS must be 2 or more (websockets need the multi-worker mode)"
for port in "$PORT" "$HTTP_PORT" "$GEVENT_PORT"; do
    { [ "$port" -gt 0 ] && [ "$port" -lt 65536 ]; } || die "port $port is out of range"
    ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || die "port $port is already in use"
done

setup_all
LOGDIR="${LIVE_CHAT_LOGDIR:-$REPO_DIR/.test-logs}"
mkdir -p "$LOGDIR"

DB_ARGS=(-d "$DB" --db-filter="^$DB\$" --log-handler=odoo.modules.loading:WARNING)
ODOO_BIN=("$PY" "$ODOO_SRC/odoo-bin")
CONN=(--addons-path="$(addons_path)" --db_host="$PGHOST" --db_port="$PGPORT"
    --db_user="$PGUSER" --db_password="$PGPASSWORD")

# Install what is missing: everything in a new database, the suite after a pull.
to_install="$(psql -d "$DB" -tAc "SELECT string_agg(name, ',') FROM (
    SELECT unnest(string_to_array('$MODULES', ',')) AS name
    EXCEPT SELECT name FROM ir_module_module WHERE state = 'installed') AS m" 2>/dev/null \
    || echo "$MODULES")"
if [ -n "$to_install" ]; then
    log "database $DB: installing $to_install (a few minutes the first time; log: $LOGDIR/demo-install.log)"
    odoo "${DB_ARGS[@]}" --stop-after-init --no-http -i "$to_install" >"$LOGDIR/demo-install.log" 2>&1 \
        || { tail -40 "$LOGDIR/demo-install.log"; die "installing $to_install in $DB failed"; }
fi
if [ "$UPDATE" = 1 ]; then
    log "database $DB: updating $SUITE (log: $LOGDIR/demo-update.log)"
    odoo "${DB_ARGS[@]}" --stop-after-init --no-http -u "$SUITE" >"$LOGDIR/demo-update.log" 2>&1 \
        || { tail -40 "$LOGDIR/demo-update.log"; die "updating $SUITE failed"; }
fi

log "database $DB: admin password, operator, Helpdesk team, customer, web.base.url"
# Idempotent: the same state however often it runs.
LIVE_CHAT_URL="$URL" LIVE_CHAT_ADMIN_PASSWORD="$ADMIN_PASSWORD" \
    "${ODOO_BIN[@]}" shell "${CONN[@]}" "${DB_ARGS[@]}" --no-http --log-level=warn <<'PY' || die "setting up $DB failed"
import os

from odoo import Command

env.ref("base.user_admin").password = os.environ["LIVE_CHAT_ADMIN_PASSWORD"]
group = env.ref("live_chat.live_chat_group_user")
users = env["res.users"].with_context(active_test=False, no_reset_password=True)
operator = users.search([("login", "=", "operator")])
values = {
    "name": "Operator",
    "active": True,
    "password": "operator",
    "group_ids": [Command.link(group.id)],
}
if operator:
    operator.write(values)
else:
    operator = users.create({**values, "login": "operator", "email": "operator@example.com"})
env.ref("live_chat.live_chat_channel_default").user_ids = [Command.link(operator.id)]
# Helpdesk: the operator is a Helpdesk user (tickets from chats) and a member of a
# team whose Live Chat box the administrator can tick (kept as it is once there).
operator.group_ids = [Command.link(env.ref("helpdesk_mgmt.group_helpdesk_user").id)]
# A website designer: may read the website's visitor tracking, so that the demo shows
# the pages a visitor viewed in the operator's chat window.
operator.group_ids = [Command.link(env.ref("website.group_website_designer").id)]
team = env["helpdesk.ticket.team"].with_context(active_test=False).search(
    [("name", "=", "Customer Care")], limit=1
) or env["helpdesk.ticket.team"].create({"name": "Customer Care"})
team.write({"active": True, "user_ids": [Command.link(operator.id)]})
# A customer who logs in on the website: their chats' tickets are theirs.
customer = users.search([("login", "=", "customer")])
customer_values = {"name": "Chloe Customer", "active": True, "password": "customer"}
if customer:
    customer.write(customer_values)
else:
    users.create(
        {
            **customer_values,
            "login": "customer",
            "email": "customer@example.com",
            "group_ids": [Command.set([env.ref("base.group_portal").id])],
        }
    )
params = env["ir.config_parameter"]
# The website shows the chat button from the start (once: the administrator's later
# choice in Website settings is kept).
if not params.get_param("live_chat.demo_website_chat"):
    env["website"].search([], limit=1).live_chat_channel_id = env.ref(
        "live_chat.live_chat_channel_default"
    )
    params.set_param("live_chat.demo_website_chat", "1")
params.set_param("web.base.url", os.environ["LIVE_CHAT_URL"])
# Logging in as admin would otherwise reset it to whatever URL the browser used.
params.set_param("web.base.url.freeze", "True")
env.cr.commit()
PY

# Odoo behind the proxy: --proxy-mode takes the visitor's address, host and scheme
# from the proxy's X-Forwarded-* headers. Supervised: when Odoo fails (it exits when
# PostgreSQL restarts and its cron worker cannot come back), it is started again;
# Ctrl-C (or SIGTERM to this script, or stopping Odoo itself) stops everything.
proxy_pid=""
odoo_pid=""
stopping=0
stop() {
    stopping=1
    trap - INT TERM
    for pid in "$odoo_pid" "$proxy_pid"; do
        [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    done
}
trap stop INT TERM
trap 'stop; wait 2>/dev/null || true' EXIT

"$PY" -W "ignore:pkg_resources is deprecated:UserWarning" \
    "$REPO_DIR/tools/demo_proxy.py" "$PORT" "$HTTP_PORT" "$GEVENT_PORT" &
proxy_pid=$!
start_odoo() {
    "${ODOO_BIN[@]}" "${CONN[@]}" "${DB_ARGS[@]}" --http-interface=127.0.0.1 \
        --http-port="$HTTP_PORT" --gevent-port="$GEVENT_PORT" --workers="$WORKERS" \
        --max-cron-threads=1 --proxy-mode &
    odoo_pid=$!
    started_at=$SECONDS
}
start_odoo

# Ready when the HTTP workers answer and the websocket worker listens.
for _ in $(seq 120); do
    curl -fso /dev/null "$URL/web/login" && (exec 3<>"/dev/tcp/127.0.0.1/$GEVENT_PORT") 2>/dev/null \
        && break
    sleep 1
done
cat >&2 <<EOF

  Live Chat demo: $URL   (database $DB)
    administrator   admin / $ADMIN_PASSWORD
    operator        operator / operator   (operator of the channel "Website Chat",
                                           member of the Helpdesk team "Customer Care",
                                           website designer: sees visitors' pages)
    customer        customer / customer   (a portal user, to chat logged in)
  The website shows the chat button of "Website Chat" (Website > Configuration >
  Settings > Email & Marketing > Live Chat changes or removes it); Helpdesk > Configuration > Teams > Customer Care > Live Chat gives
  the team its channel. The operator must be logged in for the chat button to show.
  Ctrl-C stops the server. Odoo is started again when it exits on its own (a
  PostgreSQL restart); the log says so.

EOF
quick_exits=0
while [ "$stopping" = 0 ]; do
    status=0
    wait -n "$odoo_pid" "$proxy_pid" || status=$?
    [ "$stopping" = 1 ] && break
    kill -0 "$proxy_pid" 2>/dev/null || die "the proxy (tools/demo_proxy.py) exited"
    kill -0 "$odoo_pid" 2>/dev/null && continue # a signal ended the wait, not Odoo
    # Status 0: Odoo was stopped on purpose (a signal of its own); that stops the demo.
    [ "$status" = 0 ] && { log "Odoo stopped"; break; }
    # Odoo exiting again and again right after its start: not something a restart cures.
    if [ $((SECONDS - started_at)) -lt 30 ]; then
        quick_exits=$((quick_exits + 1))
        [ "$quick_exits" -lt 5 ] || die "Odoo exited 5 times in a row within 30 s of its start (status $status)"
    else
        quick_exits=0
    fi
    log "Odoo exited (status $status): starting it again in 3 s"
    sleep 3
    # Its workers may outlive it for a moment: wait for its ports to be free.
    for _ in $(seq 30); do
        (exec 3<>"/dev/tcp/127.0.0.1/$HTTP_PORT") 2>/dev/null \
            || (exec 3<>"/dev/tcp/127.0.0.1/$GEVENT_PORT") 2>/dev/null || break
        sleep 1
    done
    [ "$stopping" = 1 ] || start_odoo
done
