#!/usr/bin/env bash
# A scaled-out suite on one machine: two Odoo servers (each with its HTTP workers and
# its websocket worker) on one database, behind the demo proxy (tools/demo_proxy.py,
# balancing between them, websockets included), a PostgreSQL primary of its own and
# a streaming replica of it, from which Odoo serves its read-only routes
# (--db_replica_host: /live_chat/init, the catch-up /live_chat/session/messages).
#
#   tools/cluster.sh start     start what is not running (install the database once)
#   tools/cluster.sh stop      stop the servers, the proxy and both PostgreSQL servers
#   tools/cluster.sh status    what runs
#   tools/cluster.sh check     start, run tools/cluster_check.py (visitor and operator on
#                              different servers, rate limits across them, /init while the
#                              primary restarts), stop; closes with "cluster: N passed, N failed"
#   tools/cluster.sh destroy   stop, and delete the PostgreSQL data and the logs
#
# Its own PostgreSQL servers (initdb, pg_basebackup, pg_ctl; as the postgres system
# user when run as root, which PostgreSQL refuses): the check restarts the primary,
# which must not be a server that others use. Data and logs in LIVE_CHAT_CLUSTER_DIR.
#
# Settings (environment variables, with their defaults):
#   LIVE_CHAT_CLUSTER_DIR      data directories, logs, pids  (/tmp/live_chat_cluster-<proxy port>)
#   LIVE_CHAT_CLUSTER_DB       database                      (live_chat_cluster)
#   LIVE_CHAT_CLUSTER_PORT     the proxy, the served URL     (8890); the servers take the
#                              next four ports: A HTTP +1, A websocket +2, B HTTP +3, B websocket +4
#   LIVE_CHAT_CLUSTER_PGPORT   PostgreSQL primary            (LIVE_CHAT_CLUSTER_PORT + 9)
#   LIVE_CHAT_REPLICA_PGPORT   PostgreSQL replica            (5442)
#   LIVE_CHAT_CLUSTER_WORKERS  HTTP workers per server       (2)
# shellcheck source=common.sh
source "$(dirname "$0")/common.sh"

ACTION="${1:-}"
PROXY_PORT="${LIVE_CHAT_CLUSTER_PORT:-8890}"
DIR="${LIVE_CHAT_CLUSTER_DIR:-/tmp/live_chat_cluster-$PROXY_PORT}"
CDB="${LIVE_CHAT_CLUSTER_DB:-live_chat_cluster}"
PRIMARY_PORT="${LIVE_CHAT_CLUSTER_PGPORT:-$((PROXY_PORT + 9))}"
REPLICA_PORT="${LIVE_CHAT_REPLICA_PGPORT:-5442}"
WORKERS="${LIVE_CHAT_CLUSTER_WORKERS:-2}"
A_HTTP=$((PROXY_PORT + 1)) A_GEVENT=$((PROXY_PORT + 2))
B_HTTP=$((PROXY_PORT + 3)) B_GEVENT=$((PROXY_PORT + 4))
URL="http://127.0.0.1:$PROXY_PORT"
PG_PASSWORD="odoo"

pg_bin() {
    local ver
    ver="$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | sort -n | tail -1)"
    if [ -n "$ver" ]; then echo "/usr/lib/postgresql/$ver/bin"; else dirname "$(command -v pg_ctl)"; fi
}
PG_BIN="$(pg_bin)"
# PostgreSQL refuses to run as root: as the postgres system user then.
as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
pg_running() { as_pg "$PG_BIN/pg_ctl" -D "$1" status >/dev/null 2>&1; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start_primary() {
    local data="$DIR/primary"
    if [ ! -f "$data/PG_VERSION" ]; then
        log "PostgreSQL primary: initdb in $data (port $PRIMARY_PORT)"
        mkdir -p "$data"
        [ "$(id -u)" = 0 ] && chown postgres: "$data"
        chmod 700 "$data"
        local pwfile="$DIR/pwfile"
        echo "$PG_PASSWORD" >"$pwfile"
        [ "$(id -u)" = 0 ] && chown postgres: "$pwfile"
        as_pg "$PG_BIN/initdb" -D "$data" -U "$PGUSER" --pwfile="$pwfile" \
            --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$DIR/logs/initdb.log"
        rm -f "$pwfile"
        cat >>"$data/postgresql.conf" <<EOF
# tools/cluster.sh
port = $PRIMARY_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$DIR/run'
max_connections = 200
wal_level = replica
max_wal_senders = 4
wal_keep_size = 256MB
EOF
    fi
    pg_running "$data" || {
        log "PostgreSQL primary: starting on port $PRIMARY_PORT"
        as_pg "$PG_BIN/pg_ctl" -D "$data" -l "$DIR/logs/primary.log" -w start >/dev/null
    }
}

start_replica() {
    local data="$DIR/replica"
    if [ ! -f "$data/PG_VERSION" ]; then
        log "PostgreSQL replica: pg_basebackup of the primary into $data (port $REPLICA_PORT)"
        mkdir -p "$data"
        [ "$(id -u)" = 0 ] && chown postgres: "$data"
        chmod 700 "$data"
        # -R: standby.signal and the primary's address; -X stream: the WAL of the copy.
        as_pg env PGPASSWORD="$PG_PASSWORD" "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" \
            -U "$PGUSER" -D "$data" -R -X stream -c fast
        cat >>"$data/postgresql.conf" <<EOF
# tools/cluster.sh: the replica
port = $REPLICA_PORT
hot_standby = on
hot_standby_feedback = on
EOF
    fi
    pg_running "$data" || {
        log "PostgreSQL replica: starting on port $REPLICA_PORT"
        as_pg "$PG_BIN/pg_ctl" -D "$data" -l "$DIR/logs/replica.log" -w start >/dev/null
    }
}

CONN=(--addons-path="$(addons_path)" --db_host=127.0.0.1 --db_port="$PRIMARY_PORT"
    --db_user="$PGUSER" --db_password="$PG_PASSWORD" -d "$CDB"
    --log-handler=odoo.modules.loading:WARNING)
# No --db-filter: with one, Odoo lists the databases on the primary for every request
# and serves none while the primary restarts; -d alone names the database.

ensure_database() {
    local installed
    installed="$(PGPASSWORD="$PG_PASSWORD" psql -h 127.0.0.1 -p "$PRIMARY_PORT" -U "$PGUSER" -d "$CDB" \
        -tAc "SELECT 1 FROM ir_module_module WHERE name = 'live_chat' AND state = 'installed'" \
        2>/dev/null || true)"
    if [ "$installed" != 1 ]; then
        log "database $CDB: installing live_chat (a minute or two, once; log: $DIR/logs/install.log)"
        "$PY" "$ODOO_SRC/odoo-bin" "${CONN[@]}" --stop-after-init --no-http -i live_chat \
            >"$DIR/logs/install.log" 2>&1 || { tail -30 "$DIR/logs/install.log"; die "installing failed"; }
    else
        log "database $CDB: updating live_chat (log: $DIR/logs/install.log)"
        "$PY" "$ODOO_SRC/odoo-bin" "${CONN[@]}" --stop-after-init --no-http -u live_chat \
            >"$DIR/logs/install.log" 2>&1 || { tail -30 "$DIR/logs/install.log"; die "updating failed"; }
    fi
    # The served address: the widget's loader names it.
    PGPASSWORD="$PG_PASSWORD" psql -q -h 127.0.0.1 -p "$PRIMARY_PORT" -U "$PGUSER" -d "$CDB" -c "
        INSERT INTO ir_config_parameter (key, value) VALUES ('web.base.url', '$URL'),
            ('web.base.url.freeze', 'True')
        ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value"
}

# One Odoo server, started again when it exits. Its pid file holds the supervising
# shell's pid. The HTTP servers run no cron: Odoo's prefork master dies when it must
# start a worker while PostgreSQL is down (it checks the registries first), and a cron
# worker exits on the first database error; the crons run in a process of their own.
# Each logs its collections of the older generations of garbage (gc:DEBUG), which the
# benchmark's warm-up waits for (tools/bench/bench_chat.py, Bench.settle).
start_server() {
    local name="$1" http="$2" gevent="$3" crons="$4"
    [ -f "$DIR/$name.pid" ] && kill -0 "$(cat "$DIR/$name.pid")" 2>/dev/null && return 0
    log "Odoo server $name: HTTP $http, websocket $gevent, $WORKERS workers, replica $REPLICA_PORT"
    (
        trap 'kill "$child" 2>/dev/null; wait "$child"; exit 0' TERM INT
        while :; do
            "$PY" -W "ignore:pkg_resources is deprecated:UserWarning" "$ODOO_SRC/odoo-bin" "${CONN[@]}" \
                --db_replica_host=127.0.0.1 --db_replica_port="$REPLICA_PORT" \
                --http-interface=127.0.0.1 --http-port="$http" --gevent-port="$gevent" \
                --workers="$WORKERS" --max-cron-threads="$crons" --proxy-mode \
                --log-handler=gc:DEBUG --logfile="$DIR/logs/$name.log" &
            child=$!
            wait "$child" || true
            sleep 2
            # Its workers may outlive it for a moment.
            for _ in $(seq 30); do port_open "$http" || port_open "$gevent" || break; sleep 1; done
        done
    ) </dev/null >/dev/null 2>&1 &
    echo $! >"$DIR/$name.pid"
}

# The crons: one threaded Odoo process without HTTP (its threads wait for the database
# to come back instead of exiting), started again if it exits.
start_crons() {
    [ -f "$DIR/crons.pid" ] && kill -0 "$(cat "$DIR/crons.pid")" 2>/dev/null && return 0
    log "Odoo crons: one threaded process, no HTTP"
    (
        trap 'kill "$cron_pid" 2>/dev/null; wait "$cron_pid"; exit 0' TERM INT
        while :; do
            "$PY" -W "ignore:pkg_resources is deprecated:UserWarning" "$ODOO_SRC/odoo-bin" "${CONN[@]}" \
                --no-http --workers=0 --max-cron-threads=1 --logfile="$DIR/logs/crons.log" &
            cron_pid=$!
            wait "$cron_pid" || true
            sleep 2
        done
    ) </dev/null >/dev/null 2>&1 &
    echo $! >"$DIR/crons.pid"
}

start_proxy() {
    [ -f "$DIR/proxy.pid" ] && kill -0 "$(cat "$DIR/proxy.pid")" 2>/dev/null && return 0
    "$PY" -W "ignore:pkg_resources is deprecated:UserWarning" "$REPO_DIR/tools/demo_proxy.py" \
        "$PROXY_PORT" "$A_HTTP" "$A_GEVENT" "$B_HTTP" "$B_GEVENT" </dev/null \
        >"$DIR/logs/proxy.log" 2>&1 &
    echo $! >"$DIR/proxy.pid"
}

wait_ready() {
    for _ in $(seq 120); do
        curl -fso /dev/null "http://127.0.0.1:$A_HTTP/web/login" \
            && curl -fso /dev/null "http://127.0.0.1:$B_HTTP/web/login" \
            && port_open "$A_GEVENT" && port_open "$B_GEVENT" && return 0
        sleep 1
    done
    die "the Odoo servers do not answer (logs: $DIR/logs/)"
}

start() {
    setup_all
    mkdir -p "$DIR/logs" "$DIR/run"
    # PostgreSQL writes its logs there and its socket in run/.
    [ "$(id -u)" = 0 ] && chown postgres: "$DIR/run" "$DIR/logs"
    start_primary
    ensure_database
    start_replica
    start_server a "$A_HTTP" "$A_GEVENT" 0
    start_server b "$B_HTTP" "$B_GEVENT" 0
    start_crons
    start_proxy
    wait_ready
    cat >&2 <<EOF

  Live Chat cluster: $URL   (database $CDB, administrator admin / admin)
    server A   HTTP http://127.0.0.1:$A_HTTP, websocket $A_GEVENT
    server B   HTTP http://127.0.0.1:$B_HTTP, websocket $B_GEVENT
    PostgreSQL primary 127.0.0.1:$PRIMARY_PORT, streaming replica 127.0.0.1:$REPLICA_PORT
    logs: $DIR/logs/     stop: tools/cluster.sh stop

EOF
}

stop_pid() {
    local file="$DIR/$1.pid"
    if [ -f "$file" ]; then
        local pid
        pid="$(cat "$file")"
        if kill "$pid" 2>/dev/null; then
            for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
        fi
        rm -f "$file"
    fi
}

stop() {
    stop_pid proxy
    stop_pid a
    stop_pid b
    stop_pid crons
    for data in "$DIR/replica" "$DIR/primary"; do
        [ -f "$data/PG_VERSION" ] && pg_running "$data" \
            && as_pg "$PG_BIN/pg_ctl" -D "$data" -m fast -w stop >/dev/null
    done
    log "cluster stopped"
}

status() {
    for name in proxy a b crons; do
        if [ -f "$DIR/$name.pid" ] && kill -0 "$(cat "$DIR/$name.pid")" 2>/dev/null; then
            echo "$name: running (pid $(cat "$DIR/$name.pid"))"
        else
            echo "$name: stopped"
        fi
    done
    for data in primary replica; do
        if [ -f "$DIR/$data/PG_VERSION" ] && pg_running "$DIR/$data"; then
            echo "PostgreSQL $data: running"
        else
            echo "PostgreSQL $data: stopped"
        fi
    done
}

case "$ACTION" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    destroy)
        stop
        rm -rf "$DIR"
        ;;
    check)
        start
        set +e
        "$PY" -W "ignore:pkg_resources is deprecated:UserWarning" "$REPO_DIR/tools/cluster_check.py" \
            --db "$CDB" --proxy "$URL" \
            --server "http://127.0.0.1:$A_HTTP,ws://127.0.0.1:$A_GEVENT/websocket" \
            --server "http://127.0.0.1:$B_HTTP,ws://127.0.0.1:$B_GEVENT/websocket" \
            --primary-port "$PRIMARY_PORT" --replica-port "$REPLICA_PORT" --pg-password "$PG_PASSWORD" \
            --restart-primary "$REPO_DIR/tools/cluster.sh restart-primary" \
            --logs "$DIR/logs"
        status=$?
        set -e
        stop
        exit "$status"
        ;;
    restart-primary)
        # Used by the check: a real restart of the primary (fast shutdown: connections
        # cut), down for 2 s.
        as_pg "$PG_BIN/pg_ctl" -D "$DIR/primary" -m fast -w stop >/dev/null
        sleep 2
        as_pg "$PG_BIN/pg_ctl" -D "$DIR/primary" -l "$DIR/logs/primary.log" -w start >/dev/null
        ;;
    *) die "usage: $0 start|stop|status|check|destroy (see the top of $0)" ;;
esac
