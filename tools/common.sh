# shellcheck shell=bash
# Shared by tools/run.sh and tools/test.sh: find the Odoo 19 host, make the
# virtualenv, start PostgreSQL. Sourced, never run on its own.
#
# Settings (environment variables, with their defaults):
#   ODOO_SRC          Odoo 19.0 community source tree (odoo-bin, odoo/, addons/)
#                     default: /opt/odoo-19.0
#   LIVE_CHAT_VENV    virtualenv holding the host's requirements and ours
#                     default: /opt/odoo-19.0-venv
#   LIVE_CHAT_PGPORT  port of the PostgreSQL cluster the scripts use (default 5432)
set -euo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ODOO_SRC="${ODOO_SRC:-/opt/odoo-19.0}"
LIVE_CHAT_VENV="${LIVE_CHAT_VENV:-/opt/odoo-19.0-venv}"
export PGHOST="${PGHOST:-127.0.0.1}"
export PGPORT="${LIVE_CHAT_PGPORT:-5432}"
export PGUSER="${PGUSER:-odoo}"
export PGPASSWORD="${PGPASSWORD:-odoo}"
PY="$LIVE_CHAT_VENV/bin/python"

log() { printf '\033[1m[live_chat]\033[0m %s\n' "$*" >&2; }
die() { log "error: $*"; exit 2; }

apt_install() {
    # Debian packages, installed only when missing (the scripts run as root on CI).
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "installing Debian packages: ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}" >/dev/null
}

check_host() {
    [ -f "$ODOO_SRC/odoo-bin" ] && [ -f "$ODOO_SRC/odoo/release.py" ] \
        || die "no Odoo source tree at ODOO_SRC=$ODOO_SRC. Get Odoo 19.0 community
    (git clone --depth 1 -b 19.0 https://github.com/odoo/odoo \"$ODOO_SRC\")
    or point ODOO_SRC at an existing tree."
    grep -q "version_info = (19, 0" "$ODOO_SRC/odoo/release.py" \
        || die "$ODOO_SRC is not Odoo 19.0 (see $ODOO_SRC/odoo/release.py)"
}

ensure_venv() {
    # The host's requirements, then ours (requirements.txt at the repository root).
    local stamp="$LIVE_CHAT_VENV/.live_chat-stamp"
    local want
    # The recipe below is part of the stamp: changing it re-runs it on existing venvs.
    want="$({ cat "$ODOO_SRC/requirements.txt" "$REPO_DIR/requirements.txt"; declare -f ensure_venv; } \
        | sha1sum | cut -c1-40)"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        return 0
    fi
    apt_install python3-venv libpq-dev libldap2-dev libsasl2-dev build-essential
    [ -x "$PY" ] || python3 -m venv "$LIVE_CHAT_VENV"
    log "installing Odoo's requirements into $LIVE_CHAT_VENV (a few minutes, once)"
    local constraints="$LIVE_CHAT_VENV/build-constraints.txt"
    # cbor2's build and gevent's websocket worker still import pkg_resources, and
    # only a recent one finds zope.interface (gevent's monkey-patching plugins):
    # the setuptools 65 that venv ships makes the websocket worker crash at start.
    echo "setuptools<81" >"$constraints"
    export PIP_CONSTRAINT="$constraints" PIP_DISABLE_PIP_VERSION_CHECK=1
    "$PY" -m pip install -q --upgrade "setuptools<81" wheel
    "$PY" -m pip install -q -r "$ODOO_SRC/requirements.txt"
    # OCA addons from PyPI declare "odoo==19.0.*", which pip cannot see in a source
    # tree: install them without dependencies (their Odoo dependencies are addons).
    grep -v '^odoo-addon-' "$REPO_DIR/requirements.txt" >"$LIVE_CHAT_VENV/extra.txt"
    "$PY" -m pip install -q -r "$LIVE_CHAT_VENV/extra.txt"
    grep '^odoo-addon-' "$REPO_DIR/requirements.txt" >"$LIVE_CHAT_VENV/oca.txt" || true
    [ -s "$LIVE_CHAT_VENV/oca.txt" ] && "$PY" -m pip install -q --no-deps -r "$LIVE_CHAT_VENV/oca.txt"
    unset PIP_CONSTRAINT
    echo "$want" >"$stamp"
}

addons_path() {
    local site
    site="$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
    local path="$ODOO_SRC/addons,$REPO_DIR"
    [ -d "$site/odoo/addons" ] && path="$path,$site/odoo/addons"
    echo "$path"
}

ensure_chromium() {
    command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
        || apt_install chromium
}

warm_chromium() {
    # Odoo's browser tests are skipped, not failed, when Chromium does not open its
    # DevTools port within 10 s; its first start on a cold machine (its files read
    # from disk) can take longer. One headless start before the tests.
    local bin profile
    bin="$(command -v chromium || command -v chromium-browser)" || return 0
    profile="$(mktemp -d)"
    timeout 60 "$bin" --headless --no-sandbox --disable-gpu --user-data-dir="$profile" \
        --dump-dom about:blank >/dev/null 2>&1 || log "Chromium's warm-up start failed"
    rm -rf "$profile"
}

ensure_postgres() {
    # A local PostgreSQL cluster, started if it is not answering, with a role for Odoo.
    if ! command -v pg_lsclusters >/dev/null 2>&1; then
        apt_install postgresql
    fi
    if ! pg_isready -q -h "$PGHOST" -p "$PGPORT"; then
        local cluster
        cluster="$(pg_lsclusters -h | awk -v p="$PGPORT" '$3 == p {print $1" "$2; exit}')"
        if [ -z "$cluster" ]; then
            local ver
            ver="$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -n | tail -1)"
            log "creating PostgreSQL $ver cluster 'live_chat' on port $PGPORT"
            pg_createcluster -p "$PGPORT" "$ver" live_chat >/dev/null
            cluster="$ver live_chat"
        fi
        log "starting PostgreSQL cluster $cluster"
        # shellcheck disable=SC2086
        pg_ctlcluster $cluster start
        for _ in $(seq 30); do pg_isready -q -h "$PGHOST" -p "$PGPORT" && break; sleep 1; done
    fi
    if ! psql -d postgres -tAc "select 1" >/dev/null 2>&1; then
        log "creating PostgreSQL role $PGUSER"
        local as_pg=(runuser -u postgres -- env -u PGHOST -u PGUSER -u PGPASSWORD psql -p "$PGPORT" -q -c)
        "${as_pg[@]}" "CREATE ROLE $PGUSER LOGIN CREATEDB PASSWORD '$PGPASSWORD'" 2>/dev/null \
            || "${as_pg[@]}" "ALTER ROLE $PGUSER LOGIN CREATEDB PASSWORD '$PGPASSWORD'"
    fi
}

# axe-core, the accessibility engine that the browser tests load into the visitor's
# page (never the widget): fetched from the npm registry into a cache, not committed.
AXE_VERSION=4.14.1
export LIVE_CHAT_AXE_JS="${LIVE_CHAT_AXE_JS:-${XDG_CACHE_HOME:-$HOME/.cache}/live_chat/axe-core-$AXE_VERSION/axe.min.js}"

ensure_axe() {
    [ -s "$LIVE_CHAT_AXE_JS" ] && return 0
    command -v npm >/dev/null 2>&1 || apt_install npm || true
    local tmp
    tmp="$(mktemp -d)"
    if (cd "$tmp" && npm pack --silent "axe-core@$AXE_VERSION" >/dev/null 2>&1) \
        && tar -xzf "$tmp/axe-core-$AXE_VERSION.tgz" -C "$tmp" package/axe.min.js; then
        mkdir -p "$(dirname "$LIVE_CHAT_AXE_JS")"
        mv "$tmp/package/axe.min.js" "$LIVE_CHAT_AXE_JS"
    else
        log "could not fetch axe-core $AXE_VERSION: the accessibility audits will be skipped"
    fi
    rm -rf "$tmp"
}

odoo() {
    "$PY" "$ODOO_SRC/odoo-bin" --addons-path="$(addons_path)" \
        --db_host="$PGHOST" --db_port="$PGPORT" --db_user="$PGUSER" --db_password="$PGPASSWORD" \
        "$@"
}

setup_all() {
    check_host
    ensure_postgres
    ensure_venv
    ensure_chromium
    ensure_axe
}
