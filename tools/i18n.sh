#!/usr/bin/env bash
# Export the translatable texts of the suite to <module>/i18n/<module>.pot, from a
# database with the suite installed (created when missing).
#   tools/i18n.sh            LIVE_CHAT_I18N_DB (default live_chat_i18n)
# shellcheck source=common.sh
source "$(dirname "$0")/common.sh"

MODULES=(live_chat live_chat_website live_chat_helpdesk)
DB="${LIVE_CHAT_I18N_DB:-live_chat_i18n}"
setup_all
if ! psql -d "$DB" -tAc "select 1 from ir_module_module where name='live_chat' and state='installed'" 2>/dev/null | grep -q 1; then
    log "creating $DB with the suite"
    dropdb --if-exists "$DB"
    createdb "$DB"
    odoo -d "$DB" -i "$(IFS=,; echo "${MODULES[*]}")" --stop-after-init --http-interface=127.0.0.1 \
        >/dev/null 2>&1 || die "could not install the suite in $DB"
else
    odoo -d "$DB" -u "$(IFS=,; echo "${MODULES[*]}")" --stop-after-init --http-interface=127.0.0.1 \
        >/dev/null 2>&1 || die "could not update the suite in $DB"
fi
conf="$(mktemp)"
trap 'rm -f "$conf"' EXIT
cat >"$conf" <<CONF
[options]
addons_path = $(addons_path)
db_host = $PGHOST
db_port = $PGPORT
db_user = $PGUSER
db_password = $PGPASSWORD
CONF
for module in "${MODULES[@]}"; do
    mkdir -p "$REPO_DIR/$module/i18n"
    "$PY" "$ODOO_SRC/odoo-bin" i18n export -c "$conf" -d "$DB" -o "$REPO_DIR/$module/i18n/$module.pot" "$module"
    log "$module/i18n/$module.pot: $(grep -c '^msgid' "$REPO_DIR/$module/i18n/$module.pot") texts"
done
