#!/usr/bin/env bash
# Runs Hotline on this machine: the server on its embedded LiteDB default, and a console
# connected to it. Quitting the console (q) stops the server too.
#   HOTLINE_DATA_DIR  where the database lives (default ~/.local/share/hotline)
#   HOTLINE_LISTEN    the server address (default http://127.0.0.1:5171)
#   HOTLINE_MASTER_KEY_FILE  the master key, created on first run if missing
#                     (default ~/.config/hotline/master.key, owner-only, outside the data directory);
#                     or set HOTLINE_MASTER_KEY to the key itself instead
# Arguments are passed to the console (try --help).
set -euo pipefail
cd "$(dirname "$0")"

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

HOTLINE_SERVER="$listen" dotnet tui/Hotline.Console/bin/Release/net10.0/hotline-console.dll "$@"
