#!/usr/bin/env bash
# Scale-out check: two `windmill-mcp serve --stateless` replicas behind nginx on loopback, loaded
# by `cargo bench --bench load` through nginx, with the split of requests between the replicas.
#
#   scripts/scale-out.sh                      # 200 sessions x 100 requests (the load bench's default)
#   LOAD_SESSIONS=50 LOAD_REQUESTS=20 scripts/scale-out.sh
#
# What it does:
# 1. installs nginx from Debian's packages when it is missing (`apt-get install -y nginx`);
# 2. builds the release binaries (windmill-mcp and the runnable fake Windmill);
# 3. starts the fake Windmill, two stateless replicas, and nginx (its own config, pid file and logs
#    under target/scale-out/) with a round-robin upstream of the two replicas;
# 4. runs the load bench against nginx (`LOAD_URL=http://127.0.0.1:<nginx>/api/mcp/w/demo/mcp`);
# 5. counts, from nginx's access log (which logs `$upstream_addr`), the requests each replica served.
#
# Exits non-zero when the load bench reports an error, when nginx logged an answer that is not 2xx,
# or when a replica served no request. Every process it started is stopped on exit.
#
# Environment: LOAD_SESSIONS, LOAD_REQUESTS (passed to the bench), NICE (default `nice -n 10`,
# the prefix of the cargo commands; empty for none), SCALE_OUT_PORTS="P0 P1 P2" (nginx, replica 1,
# replica 2; default: free ports).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/target/scale-out
NICE=${NICE-nice -n 10}
mkdir -p "$OUT/tmp"
rm -f "$OUT"/*.log "$OUT"/fake.out "$OUT"/nginx.pid

log() { printf '[scale-out] %s\n' "$*" >&2; }

# --- 1. nginx -------------------------------------------------------------------------------------
NGINX=$(command -v nginx || true)
[ -z "$NGINX" ] && [ -x /usr/sbin/nginx ] && NGINX=/usr/sbin/nginx
if [ -z "$NGINX" ]; then
    log "nginx is missing: installing it from Debian's packages"
    SUDO=
    [ "$(id -u)" -ne 0 ] && SUDO=sudo
    export DEBIAN_FRONTEND=noninteractive
    if ! $SUDO apt-get install -y --no-install-recommends nginx; then
        $SUDO apt-get update
        $SUDO apt-get install -y --no-install-recommends nginx
    fi
    NGINX=$(command -v nginx || echo /usr/sbin/nginx)
fi
log "nginx: $("$NGINX" -v 2>&1)"

# --- 2. binaries ----------------------------------------------------------------------------------
log "building release binaries"
$NICE cargo build --release --bin windmill-mcp --example fake_windmill
BIN=$ROOT/target/release/windmill-mcp
FAKE_BIN=$ROOT/target/release/examples/fake_windmill

# --- 3. processes ---------------------------------------------------------------------------------
PIDS=()
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    for p in "${PIDS[@]}"; do
        kill "$p" 2>/dev/null || true
    done
    for p in "${PIDS[@]}"; do
        wait "$p" 2>/dev/null || true
    done
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_ports() {
    python3 - <<'EOF'
import socket
socks = [socket.socket() for _ in range(3)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
}
read -r P0 P1 P2 <<<"${SCALE_OUT_PORTS:-$(free_ports)}"

wait_http() { # url what
    local i
    for i in $(seq 1 200); do
        if curl -fsS -o /dev/null "$1" 2>/dev/null; then
            return 0
        fi
        sleep 0.1
    done
    log "$2 did not answer at $1"
    return 1
}

"$FAKE_BIN" --no-stdin >"$OUT/fake.out" 2>"$OUT/fake.log" </dev/null &
PIDS+=($!)
FAKE_URL=
for _ in $(seq 1 200); do
    FAKE_URL=$(sed -n 's/^FAKE_WINDMILL_URL=//p' "$OUT/fake.out" 2>/dev/null || true)
    [ -n "$FAKE_URL" ] && break
    sleep 0.1
done
[ -n "$FAKE_URL" ] || { log "the fake Windmill printed no URL"; cat "$OUT/fake.log" >&2; exit 1; }
log "fake Windmill at $FAKE_URL"

REPLICA_PIDS=()
for i in 1 2; do
    port_var=P$i
    port=${!port_var}
    RUST_LOG=${RUST_LOG:-warn} "$BIN" serve --stateless --base-url "$FAKE_URL" \
        --listen "127.0.0.1:$port" >"$OUT/replica$i.log" 2>&1 </dev/null &
    PIDS+=($!)
    REPLICA_PIDS+=($!)
    wait_http "http://127.0.0.1:$port/health" "replica $i"
    log "replica $i: pid ${REPLICA_PIDS[-1]}, 127.0.0.1:$port"
done

cat >"$OUT/nginx.conf" <<EOF
# Written by scripts/scale-out.sh; run with: nginx -p $OUT -c $OUT/nginx.conf
daemon off;
master_process on;
worker_processes 1;
pid $OUT/nginx.pid;
error_log $OUT/error.log warn;

events {
    worker_connections 4096;
}

http {
    client_body_temp_path $OUT/tmp/body;
    proxy_temp_path $OUT/tmp/proxy;
    fastcgi_temp_path $OUT/tmp/fastcgi;
    uwsgi_temp_path $OUT/tmp/uwsgi;
    scgi_temp_path $OUT/tmp/scgi;

    log_format upstream '\$remote_addr [\$time_local] "\$request" \$status \$body_bytes_sent '
                        'upstream=\$upstream_addr upstream_status=\$upstream_status '
                        'rt=\$request_time urt=\$upstream_response_time';
    access_log $OUT/access.log upstream;

    # Round robin (nginx's default) over the two stateless replicas, with kept-alive connections.
    upstream windmill_mcp {
        server 127.0.0.1:$P1;
        server 127.0.0.1:$P2;
        keepalive 64;
    }

    server {
        listen 127.0.0.1:$P0;

        location / {
            proxy_pass http://windmill_mcp;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            # The replicas accept only loopback Host headers (DNS-rebinding protection).
            proxy_set_header Host 127.0.0.1;
            proxy_buffering off;
            proxy_request_buffering off;
            proxy_read_timeout 300s;
            # A failed request is reported, not silently sent again to the other replica.
            proxy_next_upstream off;
        }
    }
}
EOF
"$NGINX" -t -q -p "$OUT" -c "$OUT/nginx.conf" -e "$OUT/error.log"
"$NGINX" -p "$OUT" -c "$OUT/nginx.conf" -e "$OUT/error.log" </dev/null &
PIDS+=($!)
NGINX_PID=$!
wait_http "http://127.0.0.1:$P0/health" "nginx"
sleep 0.2
: >"$OUT/access.log" # the health checks are not part of the split (only MCP requests are counted)
log "nginx: pid $NGINX_PID, 127.0.0.1:$P0 -> 127.0.0.1:$P1, 127.0.0.1:$P2"

# --- 4. load --------------------------------------------------------------------------------------
URL="http://127.0.0.1:$P0/api/mcp/w/demo/mcp"
log "load average: $(cut -d' ' -f1-3 /proc/loadavg); running the load bench against $URL"
status=0
LOAD_URL=$URL LOAD_SERVER_PIDS="${REPLICA_PIDS[0]},${REPLICA_PIDS[1]}" \
    $NICE cargo bench --bench load || status=$?

# --- 5. split -------------------------------------------------------------------------------------
sleep 0.5 # let nginx write its last lines
echo
echo "nginx access log ($OUT/access.log): MCP requests per replica"
MCP_LOG=$OUT/access-mcp.log
grep -F ' /api/mcp/w/demo/mcp ' "$OUT/access.log" >"$MCP_LOG" || true
total=$(wc -l <"$MCP_LOG")
fail=0
for i in 1 2; do
    port_var=P$i
    n=$(grep -c "upstream=127.0.0.1:${!port_var} " "$MCP_LOG" || true)
    pct=$(awk -v n="$n" -v t="$total" 'BEGIN { printf "%.1f", t ? 100 * n / t : 0 }')
    printf '  replica %d (127.0.0.1:%s)  %7d requests  %5s%%\n' "$i" "${!port_var}" "$n" "$pct"
    if [ "$n" -eq 0 ]; then
        log "replica $i served no request"
        fail=1
    fi
done
echo "  total                     $(printf '%7d' "$total") requests"
echo "  by status:"
# The status is the field after the quoted request line.
sed -E 's/^[^"]*"[^"]*" ([0-9]{3}) .*/\1/' "$MCP_LOG" | sort | uniq -c | sed 's/^/    /'
bad=$(sed -E 's/^[^"]*"[^"]*" ([0-9]{3}) .*/\1/' "$OUT/access.log" | grep -vc '^2' || true)
if [ "$bad" -ne 0 ]; then
    log "nginx logged $bad answers that are not 2xx"
    fail=1
fi
for i in 1 2; do
    w=$(grep -ciE ' (WARN|ERROR) |panicked' "$OUT/replica$i.log" || true)
    echo "  replica $i log: $w warning/error lines ($OUT/replica$i.log)"
done
if [ -s "$OUT/error.log" ]; then
    echo "  nginx error log: $(wc -l <"$OUT/error.log") lines ($OUT/error.log)"
fi

if [ "$status" -ne 0 ]; then
    log "the load bench failed (exit status $status)"
    exit "$status"
fi
[ "$fail" -eq 0 ] || exit 1
log "ok: zero errors, both replicas served requests"
