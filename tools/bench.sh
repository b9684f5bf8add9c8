#!/usr/bin/env bash
# Benchmarks (scripts, not tests): a database of their own, a production-like
# server on 127.0.0.1, measurements, a report on stdout. The server is stopped
# at the end; its log and the report are kept in .bench/ (LIVE_CHAT_BENCH_DIR).
#
#   tools/bench.sh chat|widget|report [--fresh] [--no-update] [the script's options]
#     chat         visitors and operators chatting in real time (tools/bench/bench_chat.py;
#                  `tools/bench.sh chat --help` lists its options); --cluster: then the
#                  same against a cluster of tools/cluster.sh (two servers, a replica, the
#                  proxy; one of its own, LIVE_CHAT_BENCH_CLUSTER_PORT, 8790, started when
#                  not running), and the main figures of both side by side
#     widget       the visitor's widget on a foreign page, in headless Chromium: bytes and
#                  times before and after the click (tools/bench/bench_widget.py); its
#                  defaults: database live_chat_bench_widget, ports 8869 (the proxy;
#                  Odoo on 8870) / 8872, page 8899
#     init         /live_chat/init under load, the request of every page view: requests/s,
#                  p50/p95/p99, queries per request (tools/bench/bench_init.py); --cluster:
#                  also against tools/cluster.sh's cluster (started when not running),
#                  the figures side by side
#     report       the sessions report over 100,000 sessions: its main groupings timed
#                  in-process, no server (tools/bench/bench_report.py); its database:
#                  live_chat_bench_report, with the Helpdesk bridge
#     --fresh      drop and recreate the benchmark database first
#     --no-update  reuse the database as it is (default: update the suite's modules,
#                  so that the benchmark runs the code of the working tree)
#
# Settings (environment variables, with their defaults), besides common.sh's:
#   LIVE_CHAT_BENCH_DB          benchmark database, created when missing  (live_chat_bench)
#   LIVE_CHAT_BENCH_OPERATORS   operators of the benchmark channel        (4)
#   LIVE_CHAT_BENCH_HTTP_PORT   Odoo's HTTP workers                       (8769)
#   LIVE_CHAT_BENCH_GEVENT_PORT Odoo's websocket (gevent) worker          (8772)
#   LIVE_CHAT_BENCH_WORKERS     HTTP workers                              (2)
#   LIVE_CHAT_BENCH_RATE_LIMIT  the visitors' rate limits, per minute: high enough
#                               to refuse nothing; "default": the product's  (1000000)
# shellcheck source=common.sh
source "$(dirname "$0")/common.sh"

BENCH="${1:-}"
[ -n "$BENCH" ] || die "which benchmark? usage: $0 chat|widget|report [options] (see the top of $0)"
shift
case "$BENCH" in
    chat | init) DEFAULT_DB=live_chat_bench DEFAULT_PORT=8769 ;;
    # A database and ports of its own: it can run while the chat benchmark does.
    widget) DEFAULT_DB=live_chat_bench_widget DEFAULT_PORT=8869 ;;
    # No server: the report's queries run in the script's process.
    report) DEFAULT_DB=live_chat_bench_report DEFAULT_PORT=0 ;;
    *) die "unknown benchmark '$BENCH' (known: chat, widget, init, report)" ;;
esac
MODULES=live_chat
[ "$BENCH" = report ] && MODULES=live_chat,live_chat_helpdesk
SCRIPT="$REPO_DIR/tools/bench/bench_$BENCH.py"

DB="${LIVE_CHAT_BENCH_DB:-$DEFAULT_DB}"
OPERATORS="${LIVE_CHAT_BENCH_OPERATORS:-4}"
HTTP_PORT="${LIVE_CHAT_BENCH_HTTP_PORT:-$DEFAULT_PORT}"
GEVENT_PORT="${LIVE_CHAT_BENCH_GEVENT_PORT:-$((DEFAULT_PORT + 3))}"
WORKERS="${LIVE_CHAT_BENCH_WORKERS:-2}"
RATE_LIMIT="${LIVE_CHAT_BENCH_RATE_LIMIT:-1000000}"
BENCH_DIR="${LIVE_CHAT_BENCH_DIR:-$REPO_DIR/.bench}"
OPERATOR_PASSWORD="bench-operator"
FRESH=0
UPDATE=1
CLUSTER=0
ARGS=()
while [ $# -gt 0 ]; do
    case "$1" in
        --fresh) FRESH=1 ;;
        --no-update) UPDATE=0 ;;
        --cluster) CLUSTER=1 ;;
        -h | --help)
            exec "$PY" "$SCRIPT" --help
            ;;
        *) ARGS+=("$1") ;;
    esac
    shift
done
[ "$WORKERS" -ge 2 ] || die "LIVE_CHAT_BENCH_WORKERS must be 2 or more (websockets need the multi-worker mode)"
[ "$OPERATORS" -ge 1 ] || die "LIVE_CHAT_BENCH_OPERATORS must be 1 or more"
if [ "$BENCH" != report ]; then
    for port in "$HTTP_PORT" "$GEVENT_PORT"; do
        ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || die "port $port is already in use"
    done
fi

setup_all
mkdir -p "$BENCH_DIR"
DB_ARGS=(-d "$DB" --db-filter="^$DB\$" --log-handler=odoo.modules.loading:WARNING)

if [ "$FRESH" = 1 ]; then
    log "dropping database $DB"
    dropdb --if-exists "$DB"
fi
installed="$(psql -d "$DB" -tAc "SELECT 1 FROM ir_module_module
    WHERE name = '${MODULES##*,}' AND state = 'installed'" 2>/dev/null || true)"
if [ "$installed" != 1 ]; then
    log "database $DB: installing $MODULES (a few minutes; log: $BENCH_DIR/install.log)"
    odoo "${DB_ARGS[@]}" --stop-after-init --no-http -i "$MODULES" >"$BENCH_DIR/install.log" 2>&1 \
        || { tail -40 "$BENCH_DIR/install.log"; die "installing $MODULES in $DB failed"; }
elif [ "$UPDATE" = 1 ]; then
    log "database $DB: updating $MODULES (log: $BENCH_DIR/update.log)"
    odoo "${DB_ARGS[@]}" --stop-after-init --no-http -u "$MODULES" >"$BENCH_DIR/update.log" 2>&1 \
        || { tail -40 "$BENCH_DIR/update.log"; die "updating $MODULES in $DB failed"; }
fi

if [ "$BENCH" = report ]; then
    exec "$PY" -W "ignore:pkg_resources is deprecated:UserWarning" "$SCRIPT" \
        --odoo-src "$ODOO_SRC" --addons-path "$(addons_path)" --db "$DB" \
        --db-host "$PGHOST" --db-port "$PGPORT" --db-user "$PGUSER" --db-password "$PGPASSWORD" \
        --out-dir "$BENCH_DIR" "${ARGS[@]}"
fi

# The benchmark's operators and its channel "Benchmark" in database $1 (PostgreSQL on
# port $2), served at $3; sets channel_id, history (its sessions so far) and limits.
bench_setup() {
    local db="$1" pgport="$2" base_url="$3" setup_out
    log "database $db: $OPERATORS operators, the channel \"Benchmark\", no open session"
    # Idempotent: the same state however often it runs. Sessions of earlier runs are
    # closed (not deleted): the history grows from run to run, as it does in production.
    setup_out="$(LIVE_CHAT_BENCH_OPERATORS="$OPERATORS" LIVE_CHAT_BENCH_PASSWORD="$OPERATOR_PASSWORD" \
        LIVE_CHAT_BENCH_RATE_LIMIT="$RATE_LIMIT" LIVE_CHAT_BENCH_BASE_URL="$base_url" \
        "$PY" "$ODOO_SRC/odoo-bin" shell --addons-path="$(addons_path)" --db_host="$PGHOST" \
        --db_port="$pgport" --db_user="$PGUSER" --db_password="$PGPASSWORD" \
        -d "$db" --db-filter="^$db\$" --log-handler=odoo.modules.loading:WARNING \
        --no-http --log-level=warn <<'PY'
import os

from odoo import Command

count = int(os.environ["LIVE_CHAT_BENCH_OPERATORS"])
group = env.ref("live_chat.live_chat_group_user")
users = env["res.users"].with_context(active_test=False, no_reset_password=True)
operators = users.browse()
for index in range(1, count + 1):
    login = f"bench_op_{index}"
    values = {
        "name": f"Bench Operator {index}",
        "active": True,
        "password": os.environ["LIVE_CHAT_BENCH_PASSWORD"],
        "group_ids": [Command.link(group.id)],
    }
    user = users.search([("login", "=", login)])
    if user:
        user.write(values)
    else:
        user = users.create({**values, "login": login, "email": f"{login}@example.com"})
    operators |= user
# Operators beyond the count (an earlier run with more) are not in the channel.
channels = env["live_chat.channel"].with_context(active_test=False)
channel = channels.search([("name", "=", "Benchmark")], limit=1)
values = {
    "active": True,
    "user_ids": [Command.set(operators.ids)],
    "max_sessions_per_operator": 0,
}
if channel:
    channel.write(values)
else:
    channel = channels.create({"name": "Benchmark", **values})
open_sessions = env["discuss.channel"].search(
    [("live_chat_channel_id", "=", channel.id), ("live_chat_state", "=", "open")]
)
# Ended as the product ends them, which unpins them for their members: an operator's
# web client never loads the sessions that ended (a plain write of the state left them
# pinned, and the benchmark's operator had hundreds of past sessions in every page).
for session in open_sessions:
    session._live_chat_close("The benchmark ended the conversation.")
# Those that earlier versions of this setup ended by that write: unpinned as well.
for session in (
    env["discuss.channel.member"]
    .search([("channel_id.live_chat_state", "=", "closed"), ("unpin_dt", "=", False)])
    .channel_id
):
    session._live_chat_unpin()
history = env["discuss.channel"].search_count([("live_chat_channel_id", "!=", False)])
# The visitors' rate limits (per minute, system parameters): raised so that they refuse
# nothing (their code still runs), or the product's defaults with "default".
try:
    from odoo.addons.live_chat.models.live_chat_rate_limit import DEFAULT_LIMITS
except ImportError:
    DEFAULT_LIMITS = {}
limit = os.environ["LIVE_CHAT_BENCH_RATE_LIMIT"]
for name in DEFAULT_LIMITS:
    value = False if limit == "default" else limit
    env["ir.config_parameter"].set_param(f"live_chat.rate_limit.{name}", value)
if not DEFAULT_LIMITS:
    limits = "rate limits: none in this version"
elif limit == "default":
    limits = "rate limits: the product's defaults"
else:
    limits = f"rate limits: {', '.join(DEFAULT_LIMITS)} raised to {limit}/min"
# The served address: the widget's loader names it as the chat server.
env["ir.config_parameter"].set_param("web.base.url", os.environ["LIVE_CHAT_BENCH_BASE_URL"])
env["ir.config_parameter"].set_param("web.base.url.freeze", True)
env.cr.commit()
print(f"BENCH_CHANNEL_ID={channel.id} BENCH_HISTORY={history} BENCH_LIMITS={limits}")
PY
)" || die "setting up $db failed"
    channel_id="$(sed -n 's/.*BENCH_CHANNEL_ID=\([0-9]*\).*/\1/p' <<<"$setup_out")"
    history="$(sed -n 's/.*BENCH_HISTORY=\([0-9]*\).*/\1/p' <<<"$setup_out")"
    limits="$(sed -n 's/.*BENCH_LIMITS=//p' <<<"$setup_out")"
    [ -n "$channel_id" ] || die "no channel id in the setup's output: $setup_out"
}

bench_setup "$DB" "$PGPORT" "http://127.0.0.1:$HTTP_PORT"

# tools/cluster.sh's cluster (as its LIVE_CHAT_CLUSTER_* variables set it), started
# unless its proxy answers; stop_cluster stops it only if start_cluster started it.
cluster_started=0
start_cluster() {
    curl -fso /dev/null "http://127.0.0.1:${LIVE_CHAT_CLUSTER_PORT:-8890}/web/login" && return 0
    cluster_started=1
    bash "$REPO_DIR/tools/cluster.sh" start
}
stop_cluster() { [ "$cluster_started" = 0 ] || bash "$REPO_DIR/tools/cluster.sh" stop; }

if [ "$BENCH" = init ]; then
    # The single server as bench_chat.py starts it (without --db-filter, which costs a
    # query of the database list per request: -d alone names the database, as in the
    # cluster); the cluster as tools/cluster.sh does.
    server_log="$BENCH_DIR/init-server.log"
    : >"$server_log"
    "$PY" -W "ignore:pkg_resources is deprecated:UserWarning" "$ODOO_SRC/odoo-bin" \
        --addons-path="$(addons_path)" --db_host="$PGHOST" --db_port="$PGPORT" \
        --db_user="$PGUSER" --db_password="$PGPASSWORD" -d "$DB" \
        --log-handler=odoo.modules.loading:WARNING \
        --http-interface=127.0.0.1 --http-port="$HTTP_PORT" --gevent-port="$GEVENT_PORT" \
        --workers="$WORKERS" --max-cron-threads=0 --proxy-mode --logfile="$server_log" &
    server_pid=$!
    # shellcheck disable=SC2329 # run by the trap below
    cleanup_init() {
        kill "$server_pid" 2>/dev/null || true
        stop_cluster || true
    }
    trap cleanup_init EXIT
    for _ in $(seq 120); do curl -fso /dev/null "http://127.0.0.1:$HTTP_PORT/web/login" && break; sleep 1; done
    targets=(--target "single server,http://127.0.0.1:$HTTP_PORT,$DB,$server_log")
    if [ "$CLUSTER" = 1 ]; then
        cport="${LIVE_CHAT_CLUSTER_PORT:-8890}"
        cdir="${LIVE_CHAT_CLUSTER_DIR:-/tmp/live_chat_cluster-$cport}"
        start_cluster
        targets+=(--target "cluster (proxy),http://127.0.0.1:$cport,${LIVE_CHAT_CLUSTER_DB:-live_chat_cluster},$cdir/logs/a.log,$cdir/logs/b.log")
    fi
    "$PY" -W "ignore:pkg_resources is deprecated:UserWarning" "$REPO_DIR/tools/bench/bench_init.py" \
        "${targets[@]}" --out "$BENCH_DIR/init-report.txt" "${ARGS[@]}"
    exit 0
fi

operators_arg="$(seq -f "bench_op_%g" -s, 1 "$OPERATORS")"
run_script() { # the benchmark's script on database $1 (the channel of the last bench_setup)
    local db="$1"
    shift
    "$PY" -W "ignore:pkg_resources is deprecated:UserWarning" \
        "$SCRIPT" \
        --odoo-bin "$ODOO_SRC/odoo-bin" --addons-path "$(addons_path)" \
        --db "$db" --channel-id "$channel_id" --history "${history:-0}" --rate-limits "$limits" \
        --operators "$operators_arg" --password "$OPERATOR_PASSWORD" \
        --http-port "$HTTP_PORT" --gevent-port "$GEVENT_PORT" --workers "$WORKERS" \
        --out-dir "$BENCH_DIR" "$@" "${ARGS[@]}"
}
[ "$BENCH" = chat ] && [ "$CLUSTER" = 1 ] || {
    run_script "$DB"
    exit $?
}

# chat --cluster: the single server, then a cluster of tools/cluster.sh of the benchmark's
# own (not the one of `tools/cluster.sh check`, whose database it would change), started
# unless it runs, stopped after if started here; then both runs' figures side by side.
run_script "$DB" --summary-out "$BENCH_DIR/chat-summary.json" || exit $?
export LIVE_CHAT_CLUSTER_PORT="${LIVE_CHAT_BENCH_CLUSTER_PORT:-8790}"
export LIVE_CHAT_CLUSTER_DIR="${LIVE_CHAT_BENCH_CLUSTER_DIR:-/tmp/live_chat_bench_cluster-$LIVE_CHAT_CLUSTER_PORT}"
export LIVE_CHAT_CLUSTER_DB="${LIVE_CHAT_BENCH_CLUSTER_DB:-live_chat_bench_cluster}"
export LIVE_CHAT_CLUSTER_PGPORT="${LIVE_CHAT_BENCH_CLUSTER_PGPORT:-$((LIVE_CHAT_CLUSTER_PORT + 9))}"
export LIVE_CHAT_REPLICA_PGPORT="${LIVE_CHAT_BENCH_REPLICA_PGPORT:-$((LIVE_CHAT_CLUSTER_PORT + 8))}"
export LIVE_CHAT_CLUSTER_WORKERS="$WORKERS"
proxy_url="http://127.0.0.1:$LIVE_CHAT_CLUSTER_PORT"
trap stop_cluster EXIT
start_cluster
bench_setup "$LIVE_CHAT_CLUSTER_DB" "$LIVE_CHAT_CLUSTER_PGPORT" "$proxy_url"
run_script "$LIVE_CHAT_CLUSTER_DB" --cluster-dir "$LIVE_CHAT_CLUSTER_DIR" --proxy-url "$proxy_url" \
    --summary-out "$BENCH_DIR/chat-cluster-summary.json" || exit $?
"$PY" "$SCRIPT" compare "$BENCH_DIR/chat-summary.json" "$BENCH_DIR/chat-cluster-summary.json" \
    | tee "$BENCH_DIR/chat-side-by-side.txt"
