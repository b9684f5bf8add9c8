#!/usr/bin/env bash
# Refresh the translations of the suite: export every translatable text of the four
# addons to <addon>/i18n/<addon>.pot (Odoo's own exporter, from a database with the
# suite installed), then merge each <addon>/i18n/<lang>.po with it (tools/i18n_sync.py:
# translations kept, new texts added untranslated or "fuzzy", texts gone removed).
#
#   tools/i18n.sh [--db NAME] [--no-update] [--add-lang CODE]...
#     --db NAME        database to export from (default: LIVE_CHAT_I18N_DB or
#                      live_chat_i18n, created with the suite when missing). Any
#                      database with the suite installed will do, e.g. a kept test
#                      database or the demo one.
#     --no-update      do not update the suite's modules in it first (faster, right
#                      when no view, field or data file changed since it was updated)
#     --add-lang CODE  create <addon>/i18n/CODE.po (e.g. de, pt_BR) when missing
# Then translate what it lists as "to translate" (untranslated or fuzzy entries);
# the test live_chat/tests/test_i18n.py fails until every .po is complete and current.
# shellcheck source=common.sh
source "$(dirname "$0")/common.sh"

MODULES=(live_chat live_chat_website live_chat_helpdesk live_chat_crm)
DB="${LIVE_CHAT_I18N_DB:-live_chat_i18n}"
UPDATE=1
ADD_LANGS=()
while [ $# -gt 0 ]; do
    case "$1" in
        --db) DB="$2"; shift ;;
        --no-update) UPDATE=0 ;;
        --add-lang) ADD_LANGS+=("$2"); shift ;;
        *) die "unknown option $1 (see the comment at the top of $0)" ;;
    esac
    shift
done
for lang in "${ADD_LANGS[@]}"; do
    [[ "$lang" =~ ^[a-z]{2,3}(_[A-Z]{2})?(@[a-z]+)?$ ]] || die "not a language code: $lang"
done

check_host
ensure_postgres
ensure_venv
modules_csv="$(IFS=,; echo "${MODULES[*]}")"
common=(-d "$DB" --stop-after-init --http-interface=127.0.0.1 --no-http --log-level=warn)

if ! psql -d "$DB" -tAc "select 1" >/dev/null 2>&1; then
    log "creating $DB with the suite (a few minutes, once)"
    createdb "$DB"
    odoo "${common[@]}" -i "$modules_csv" >/dev/null 2>&1 \
        || die "could not install the suite in $DB"
elif ! psql -d "$DB" -tAc "select count(*) from ir_module_module
        where name in ('live_chat', 'live_chat_website', 'live_chat_helpdesk', 'live_chat_crm')
        and state = 'installed'" 2>/dev/null | grep -qx 4; then
    die "$DB does not have the four modules of the suite installed (choose another --db)"
elif [ "$UPDATE" = 1 ]; then
    log "updating the suite in $DB (--no-update skips this)"
    odoo "${common[@]}" -u "$modules_csv" >/dev/null 2>&1 \
        || die "could not update the suite in $DB"
fi

log "exporting from $DB and merging"
LIVE_CHAT_I18N_REPO="$REPO_DIR" LIVE_CHAT_I18N_MODULES="$modules_csv" \
    LIVE_CHAT_I18N_ADD_LANGS="$(IFS=,; echo "${ADD_LANGS[*]}")" \
    "$PY" "$ODOO_SRC/odoo-bin" shell --addons-path="$(addons_path)" --db_host="$PGHOST" \
    --db_port="$PGPORT" --db_user="$PGUSER" --db_password="$PGPASSWORD" \
    -d "$DB" --no-http --log-level=warn <"$REPO_DIR/tools/i18n_sync.py"
