#!/usr/bin/env bash
# Run the whole test suite: a fresh database, the suite installed, every test
# (Python, websocket, headless Chromium), and a closing line "N passed, N failed".
#
#   tools/test.sh [--keep] [--tags TAGS]
#     --keep       keep the test database (its name is printed)
#     --tags TAGS  Odoo --test-tags, default: every test of the suite
# Exit status: 0 when every test passed; 1 on a failed test, an install error,
# a warning or error logged while installing the suite, or when no test ran.
# shellcheck source=common.sh
source "$(dirname "$0")/common.sh"

MODULES="live_chat,live_chat_website,live_chat_helpdesk,live_chat_crm"
TAGS="/live_chat,/live_chat_website,/live_chat_helpdesk,/live_chat_crm"
KEEP=0
while [ $# -gt 0 ]; do
    case "$1" in
        --keep) KEEP=1 ;;
        --tags) TAGS="$2"; shift ;;
        *) die "unknown option $1 (see the comment at the top of $0)" ;;
    esac
    shift
done

setup_all
DB="live_chat_test_$$"
LOGDIR="${LIVE_CHAT_LOGDIR:-$REPO_DIR/.test-logs}"
mkdir -p "$LOGDIR"
cleanup() { [ "$KEEP" = 1 ] && log "kept database $DB" || dropdb --if-exists "$DB" 2>/dev/null || true; }
trap cleanup EXIT

# Only what we install ourselves: the host's addons go in first so that any
# warning in the second step is ours.
DEPENDS="$("$PY" - "$REPO_DIR" "$MODULES" <<'PY'
import ast, sys, pathlib
repo, mods = pathlib.Path(sys.argv[1]), sys.argv[2].split(",")
deps = set()
for mod in mods:
    deps |= set(ast.literal_eval((repo / mod / "__manifest__.py").read_text())["depends"])
print(",".join(sorted(deps - set(mods))))
PY
)"
COMMON=(-d "$DB" --stop-after-init --http-interface=127.0.0.1 --http-port="${LIVE_CHAT_TEST_PORT:-8169}" --log-handler=odoo.modules.loading:WARNING)

log "database $DB: installing the host's addons ($DEPENDS)"
createdb "$DB"
odoo "${COMMON[@]}" -i "$DEPENDS" >"$LOGDIR/1-host.log" 2>&1 \
    || { tail -50 "$LOGDIR/1-host.log"; die "installing the host's addons failed"; }

log "installing the suite ($MODULES)"
status=0
odoo "${COMMON[@]}" -i "$MODULES" >"$LOGDIR/2-install.log" 2>&1 || status=$?
# Our install must be clean: any warning or error in this step comes from our modules.
# (The host warns about running as root; that one is the machine's, not ours.)
noise="Running as user 'root'"
if [ "$status" != 0 ] || grep -E " (WARNING|ERROR|CRITICAL) " "$LOGDIR/2-install.log" | grep -vq "$noise"; then
    grep -E -A15 " (WARNING|ERROR|CRITICAL) " "$LOGDIR/2-install.log" | grep -v "$noise" | head -80
    echo "0 passed, 1 failed"
    die "installing the suite was not clean (log: $LOGDIR/2-install.log)"
fi

warm_chromium
log "running the tests ($TAGS)"
set +e
odoo "${COMMON[@]}" -u "$MODULES" --test-enable --test-tags="$TAGS" \
    2>&1 | tee "$LOGDIR/3-tests.log" | grep -E --line-buffered \
    " (ERROR|CRITICAL) |FAIL:|ERROR:|odoo.tests.result|Starting .*\.test_"
status=${PIPESTATUS[0]}
set -e

# Odoo closes with "F failed, E error(s) of N tests when loading database ...".
summary="$(grep -Eo "[0-9]+ failed, [0-9]+ error\(s\) of [0-9]+ tests when loading database" \
    "$LOGDIR/3-tests.log" | tail -1)"
if [ -z "$summary" ]; then
    tail -40 "$LOGDIR/3-tests.log"
    echo "0 passed, 1 failed"
    die "Odoo did not report any test result (log: $LOGDIR/3-tests.log)"
fi
read -r failed errors total <<<"$(sed -E 's/([0-9]+) failed, ([0-9]+) error\(s\) of ([0-9]+) tests.*/\1 \2 \3/' <<<"$summary")"
skipped="$(grep -c " INFO .* skipped " "$LOGDIR/3-tests.log" || true)"
failed=$((failed + errors))
passed=$((total - failed - skipped))
[ "$passed" -lt 0 ] && passed=0
# Errors logged outside any test (a crashed worker, a broken asset bundle) fail the run too.
stray="$(grep -cE " (ERROR|CRITICAL) " "$LOGDIR/3-tests.log" || true)"
if [ "$failed" = 0 ] && [ "$stray" != 0 ]; then
    log "$stray error line(s) in the log outside failed tests"
    failed=1
fi
echo "$passed passed, $failed failed, $skipped skipped"
if [ "$total" = 0 ]; then
    die "no test ran"
fi
if [ "$failed" != 0 ] || [ "$status" != 0 ]; then
    log "failures: see $LOGDIR/3-tests.log"
    exit 1
fi
