#!/usr/bin/env bash
# Runs Hotline on this machine: the server on its embedded LiteDB default (or PostgreSQL, below), and a console
# connected to it. Quitting the console (q) stops the server too. After a lockdown the server
# exits and this script starts it again, locked, until someone runs `unlock`.
# When a server already serves this data directory (another ./run.sh, or one started by hand),
# this opens only a console against it and leaves that server alone, so a second person can
# work the same queue: ./run.sh --operator anna
#   HOTLINE_DATA_DIR  where the database lives (default ~/.local/share/hotline)
#   HOTLINE_LISTEN    the server address (default http://127.0.0.1:5171)
#   HOTLINE_MASTER_KEY_FILE  the master key, created on first run if missing
#                     (default ~/.config/hotline/master.key, owner-only, outside the data directory);
#                     or set HOTLINE_MASTER_KEY to the key itself instead
# Arguments are passed to the console (try --help), except --operator ID: the console then
# works as ID, an operator account this script creates on first use.
# The console signs in with a token: on first use this script creates the account (`dev`, an
# admin, unless --operator says otherwise) with the server's admin command line and keeps its
# token in an owner-only file under ~/.config/hotline/, one folder per data directory. With
# --demo it also creates `web-form`, an intake account, whose token the demo submits with.
# With --postgres (or HOTLINE_STORE=postgres) the server keeps its data in PostgreSQL instead:
#   HOTLINE_POSTGRES  the connection string of a database to use; without it, this script makes a
#                     throwaway cluster (initdb + pg_ctl from /usr/lib/postgresql/*/bin, listening
#                     only on a Unix socket in a private directory), and stops and deletes it on exit
# For tests: HOTLINE_SKIP_BUILD=1 uses the binaries already built, HOTLINE_CONFIGURATION picks
# their configuration (default Release), HOTLINE_CONSOLE replaces the console command.
set -euo pipefail
cd "$(dirname "$0")"

original_args=("$@")
operator=dev
demo=false
postgres=false
[[ ${HOTLINE_STORE:-litedb} == postgres ]] && postgres=true
console_args=()
while (($#)); do
    case "$1" in
        --operator) operator="${2:?--operator needs an id}"; shift 2 ;;
        --operator=*) operator="${1#--operator=}"; shift ;;
        --demo) demo=true; console_args+=("$1"); shift ;;
        --postgres) postgres=true; shift ;;
        *) console_args+=("$1"); shift ;;
    esac
done

listen="${HOTLINE_LISTEN:-http://127.0.0.1:5171}"
data="${HOTLINE_DATA_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/hotline}"
configuration="${HOTLINE_CONFIGURATION:-Release}"
server_dll="server/Hotline.Server/bin/$configuration/net10.0/Hotline.Server.dll"

# A running server keeps an exclusive lock on hotline.lock in its data directory (released by
# the kernel if it dies). Probed with a shared lock that is dropped at once; without flock(1),
# the admin socket it serves there is the sign.
data_dir_held() {
    local lock="$data/hotline.lock"
    [[ -e $lock ]] || return 1
    if command -v flock >/dev/null 2>&1; then
        local status=0
        flock --nonblock --shared --conflict-exit-code 75 "$lock" true 2>/dev/null || status=$?
        ((status == 75))
    else
        [[ -S $data/admin.sock ]]
    fi
}

# True when something accepts TCP connections at the listen address.
answers() {
    local rest="${listen#*://}" host port
    rest="${rest%%/*}"
    if [[ $rest =~ ^\[(.*)\]:([0-9]+)$ || $rest =~ ^([^:]+):([0-9]+)$ ]]; then
        host="${BASH_REMATCH[1]}" port="${BASH_REMATCH[2]}"
    else
        host="$rest" port=$([[ $listen == https://* ]] && echo 443 || echo 80)
    fi
    timeout 3 bash -c ': <>"/dev/tcp/$1/$2"' _ "$host" "$port" 2>/dev/null
}

attach=false
if data_dir_held; then
    if ! answers; then
        echo "run.sh: a Hotline server holds $data, but nothing answers at $listen." >&2
        echo "run.sh: if it listens elsewhere, set HOTLINE_LISTEN to its address; if it is an admin command, try again when it ends." >&2
        exit 1
    fi
    attach=true
fi

if [[ ${HOTLINE_SKIP_BUILD:-} != 1 ]]; then
    if $attach; then
        # Rebuilding the server would rewrite the binaries the running server was loaded from.
        dotnet build tui/Hotline.Console -c "$configuration" --nologo -v quiet -clp:ErrorsOnly
    else
        dotnet build Hotline.sln -c "$configuration" --nologo -v quiet -clp:ErrorsOnly
    fi
fi

# The throwaway PostgreSQL cluster of --postgres without HOTLINE_POSTGRES. PostgreSQL refuses to
# run as root; then it runs as the `postgres` account (Debian's package makes it), in a directory
# of its own outside the data directory, which that account could not enter.
cluster=""
pg_tool() {
    local tool=$1
    shift
    if ((EUID == 0)); then (cd / && runuser -u postgres -- "$pg_bin/$tool" "$@"); else "$pg_bin/$tool" "$@"; fi
}
start_cluster() {
    pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
    if [[ -z $pg_bin || ! -x $pg_bin/initdb ]]; then
        echo "run.sh: --postgres needs PostgreSQL's server programs (initdb, pg_ctl): apt-get install postgresql," >&2
        echo "run.sh: or set HOTLINE_POSTGRES to the connection string of a database to use." >&2
        exit 1
    fi
    if ((EUID == 0)); then
        cluster="$(mktemp -d -t hotline-postgres.XXXXXX)"
        chown postgres:postgres "$cluster"
    else
        mkdir -p -m 700 "$data"
        cluster="$data/postgres"
        if [[ -f $cluster/data/postmaster.pid ]]; then
            # Left running by a run.sh that was killed: it was throwaway too.
            pg_tool pg_ctl -D "$cluster/data" -m immediate -w stop >/dev/null 2>&1 || true
        fi
        rm -rf "$cluster"
        mkdir -m 700 "$cluster"
    fi
    trap stop_cluster EXIT
    # Trust is safe here: the server listens on no TCP port, only on a socket in an owner-only directory.
    pg_tool initdb -D "$cluster/data" -U hotline -A trust -E UTF8 --no-locale >"$cluster/initdb.log" 2>&1 \
        || { cat "$cluster/initdb.log" >&2; exit 1; }
    pg_tool pg_ctl -D "$cluster/data" -l "$cluster/server.log" -w -t 60 start \
        -o "-c listen_addresses='' -k $cluster -p 5432" >/dev/null
    pg_tool createdb -h "$cluster" -p 5432 -U hotline hotline
    HOTLINE_POSTGRES="Host=$cluster;Port=5432;Username=hotline;Database=hotline"
    echo "run.sh: a throwaway PostgreSQL cluster runs in $cluster; it is stopped and deleted when this script ends." >&2
}
stop_cluster() {
    [[ -n $cluster ]] || return 0
    pg_tool pg_ctl -D "$cluster/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$cluster"
    cluster=""
}

key_args=()
store_env=()
if $postgres && ! $attach; then
    [[ -n ${HOTLINE_POSTGRES:-} ]] || start_cluster
    # Through the environment, not the command line, where any user could read a password in it.
    store_env=(Hotline__Store=postgres "Hotline__Postgres__ConnectionString=$HOTLINE_POSTGRES")
fi
if $attach; then
    echo "run.sh: a Hotline server already serves $data at $listen; opening a console only." >&2
    echo "run.sh: that server keeps running when this console quits (whoever started it stops it)." >&2
else
    if [[ -z ${HOTLINE_MASTER_KEY:-} ]]; then
        key="${HOTLINE_MASTER_KEY_FILE:-${XDG_CONFIG_HOME:-$HOME/.config}/hotline/master.key}"
        if [[ ! -e $key ]]; then
            # Losing this file loses the data: the server prints where it is; keep a copy offline.
            dotnet "$server_dll" keygen --out "$key"
        fi
        key_args=(--Hotline:MasterKeyFile "$key")
    fi
    log="$(mktemp -t hotline-server.XXXXXX)"
    # A small supervisor: after a lockdown the server exits with 10, so that nothing it read stays
    # in its memory, and is started again here; it comes up locked and waits for `unlock`, and the
    # consoles reconnect to it. Any other exit ends the loop with the server's own status. TERM is
    # passed on to the server, which then shuts down gracefully.
    supervise() {
        local child=0 status
        trap 'kill -TERM "$child" 2>/dev/null || true; wait "$child" 2>/dev/null; exit $?' TERM
        while :; do
            # No diagnostics socket: it would let any process of this user dump the server's memory, keys included.
            env "${store_env[@]}" DOTNET_EnableDiagnostics=0 dotnet "$server_dll" --listen "$listen" --data-dir "$data" "${key_args[@]}" &
            child=$!
            status=0
            wait "$child" || status=$?
            ((status == 10)) || exit "$status"
            echo "run.sh: the server exited after a lockdown; starting it again, locked (it waits for unlock)"
        done
    }
    supervise >"$log" 2>&1 &
    server=$!
    stop_server() {
        kill -TERM "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
        echo "server stopped; its log is $log"
        stop_cluster
    }
    trap stop_server EXIT

    for _ in $(seq 1 100); do
        if grep -q "Hotline listening on" "$log"; then break; fi
        if ! kill -0 "$server" 2>/dev/null; then
            status=0
            wait "$server" || status=$?
            trap - EXIT
            stop_cluster
            if ((status == 3)) && [[ -z ${HOTLINE_RUN_JOINING:-} ]]; then
                # Another server took the data directory since the check above: join it instead.
                HOTLINE_RUN_JOINING=1 HOTLINE_SKIP_BUILD=1 exec ./run.sh "${original_args[@]}"
            fi
            cat "$log" >&2
            exit 1
        fi
        sleep 0.2
    done
    grep -q "Hotline listening on" "$log" || { echo "server did not start within 20 s; see $log" >&2; exit 1; }
fi

# Tokens of different data directories must not mix: one folder for each.
data_key="$(printf '%s' "$(cd "$data" && pwd -P)" | sha256sum | cut -c1-16)"
token_dir="${XDG_CONFIG_HOME:-$HOME/.config}/hotline/$data_key"
admin() { env "${store_env[@]}" dotnet "$server_dll" "$@" --data-dir "$data" "${key_args[@]}"; }
accounts="$(admin operators list)"
# Creates the account on first use; a new token only when its file is gone (that ends the old token's streams).
ensure_account() {
    local id=$1 name=$2 role=$3 file=$4
    if ! grep -q "^operators/$id " <<<"$accounts"; then
        admin operators add "$id" --name "$name" --role "$role" --token-file "$file"
    elif [[ ! -s $file ]]; then
        admin operators rotate "$id" --token-file "$file"
    fi
}
role=operator
if [[ $operator == dev ]]; then role=admin; fi
# The display name is the id: consoles show "name (id)", and "dev (dev)" would say it twice.
ensure_account "$operator" "$operator" "$role" "$token_dir/$operator.token"
export HOTLINE_TOKEN_FILE="$token_dir/$operator.token"
if $demo; then
    # The demo plays a web form, so its requests are submitted, and audited, as one.
    ensure_account web-form "Web form" intake "$token_dir/web-form.token"
    export HOTLINE_DEMO_TOKEN_FILE="$token_dir/web-form.token"
fi

export HOTLINE_SERVER="$listen"
if [[ -n ${HOTLINE_CONSOLE:-} ]]; then
    $HOTLINE_CONSOLE "${console_args[@]}"
else
    dotnet "tui/Hotline.Console/bin/$configuration/net10.0/hotline-console.dll" "${console_args[@]}"
fi
