#!/usr/bin/env bash
# Runs Hotline on this machine: the server on its embedded LiteDB default, and a console
# connected to it. Quitting the console (q) stops the server too.
#   HOTLINE_DATA_DIR  where the database lives (default ~/.local/share/hotline)
#   HOTLINE_LISTEN    the server address (default http://127.0.0.1:5171)
#   HOTLINE_MASTER_KEY_FILE  the master key, created on first run if missing
#                     (default ~/.config/hotline/master.key, owner-only, outside the data directory);
#                     or set HOTLINE_MASTER_KEY to the key itself instead
# Arguments are passed to the console (try --help), except --operator ID: the console then
# works as ID, an operator account this script creates on first use.
# The console signs in with a token: on first use this script creates the account (`dev`, an
# admin, unless --operator says otherwise) with the server's admin command line and keeps its
# token in an owner-only file under ~/.config/hotline/, one folder per data directory.
set -euo pipefail
cd "$(dirname "$0")"

operator=dev
console_args=()
while (($#)); do
    case "$1" in
        --operator) operator="${2:?--operator needs an id}"; shift 2 ;;
        --operator=*) operator="${1#--operator=}"; shift ;;
        *) console_args+=("$1"); shift ;;
    esac
done

dotnet build Hotline.sln -c Release --nologo -v quiet -clp:ErrorsOnly

listen="${HOTLINE_LISTEN:-http://127.0.0.1:5171}"
data="${HOTLINE_DATA_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/hotline}"
server_dll=server/Hotline.Server/bin/Release/net10.0/Hotline.Server.dll
key_args=()
if [[ -z ${HOTLINE_MASTER_KEY:-} ]]; then
    key="${HOTLINE_MASTER_KEY_FILE:-${XDG_CONFIG_HOME:-$HOME/.config}/hotline/master.key}"
    if [[ ! -e $key ]]; then
        # Losing this file loses the data: the server prints where it is; keep a copy offline.
        dotnet "$server_dll" keygen --out "$key"
    fi
    key_args=(--Hotline:MasterKeyFile "$key")
fi
log="$(mktemp -t hotline-server.XXXXXX)"
dotnet "$server_dll" --listen "$listen" --data-dir "$data" "${key_args[@]}" >"$log" 2>&1 &
server=$!
stop_server() {
    kill -TERM "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    echo "server stopped; its log is $log"
}
trap stop_server EXIT

for _ in $(seq 1 100); do
    if grep -q "Hotline listening on" "$log"; then break; fi
    if ! kill -0 "$server" 2>/dev/null; then
        cat "$log" >&2
        exit 1
    fi
    sleep 0.2
done
grep -q "Hotline listening on" "$log" || { echo "server did not start within 20 s; see $log" >&2; exit 1; }

# Tokens of different data directories must not mix: one folder for each.
data_key="$(printf '%s' "$(cd "$data" && pwd -P)" | sha256sum | cut -c1-16)"
token_dir="${XDG_CONFIG_HOME:-$HOME/.config}/hotline/$data_key"
token_file="$token_dir/$operator.token"
admin() { dotnet "$server_dll" "$@" --data-dir "$data" "${key_args[@]}"; }
if ! admin operators list | grep -q "^operators/$operator "; then
    role=operator
    if [[ $operator == dev ]]; then role=admin; fi
    admin operators add "$operator" --name "$operator (development)" --role "$role" --token-file "$token_file"
elif [[ ! -s $token_file ]]; then
    admin operators rotate "$operator" --token-file "$token_file"
fi

export HOTLINE_TOKEN_FILE="$token_file"
HOTLINE_SERVER="$listen" dotnet tui/Hotline.Console/bin/Release/net10.0/hotline-console.dll "${console_args[@]}"
