#!/usr/bin/env bash
# A real OpenSearch cluster on this machine, for development and the tests of the OpenSearch backend.
#
#   bash scripts/opensearch.sh start [--nodes N] [--heap 512m]   # N nodes (default 2) form one cluster
#   bash scripts/opensearch.sh status                              # health and nodes; exit 1 if none runs
#   bash scripts/opensearch.sh stop [--clean]                      # by recorded PID; --clean drops the data
#
# The jars come from Maven Central through Maven (cached in ~/.m2 and, with the compiled launcher
# scripts/opensearch/Node.java, in $XDG_CACHE_HOME/twinsearch/opensearch-VERSION). Node n (1..N) listens on
# 127.0.0.1 only: HTTP 9200+n-1, transport 9300+n-1 (OPENSEARCH_HTTP_PORT / OPENSEARCH_TRANSPORT_PORT move
# the bases); data, logs and PIDs are in $TWINSEARCH_OPENSEARCH_HOME (default $TMPDIR/twinsearch-opensearch).
# Production users point twinsearch at their own cluster instead (README, "Scaling out").
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
VERSION=2.19.6
STATE=${TWINSEARCH_OPENSEARCH_HOME:-${TMPDIR:-/tmp}/twinsearch-opensearch}
HTTP_BASE=${OPENSEARCH_HTTP_PORT:-9200}
TRANSPORT_BASE=${OPENSEARCH_TRANSPORT_PORT:-9300}
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
say() { echo "opensearch: $*"; }
fail() { echo "opensearch: $*" >&2; exit 1; }

# The jars and the compiled launcher, once per version of pom.xml and Node.java.
prepare() {
    command -v mvn >/dev/null || fail "Maven (mvn) is needed to fetch OpenSearch's jars from Maven Central"
    command -v javac >/dev/null || fail "a JDK 17 or later (javac) is needed to compile scripts/opensearch/Node.java"
    local key
    key=$(cat "$HERE/opensearch/pom.xml" "$HERE/opensearch/Node.java" | sha1sum | cut -c1-12)
    CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/twinsearch/opensearch-$VERSION-$key
    [ -f "$CACHE/ready" ] && return 0
    say "fetching OpenSearch $VERSION's jars with Maven (once) into $CACHE"
    rm -rf "$CACHE" && mkdir -p "$CACHE/classes"
    mvn -B -q -f "$HERE/opensearch/pom.xml" org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies \
        -DoutputDirectory="$CACHE/lib" -DincludeScope=runtime >"$CACHE/maven.log" 2>&1 \
        || { tail -20 "$CACHE/maven.log" >&2; fail "Maven could not fetch the jars (log: $CACHE/maven.log)"; }
    javac -cp "$CACHE/lib/*" -d "$CACHE/classes" "$HERE/opensearch/Node.java"
    touch "$CACHE/ready"
}

running() {  # the PIDs of live nodes
    local f
    for f in "$STATE"/n*/pid; do
        [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null && cat "$f"
    done
    return 0
}

health() { curl -sf --max-time 2 "http://127.0.0.1:$HTTP_BASE/_cluster/health${1:-}"; }

start() {
    local nodes=2 heap=512m
    while [ $# -gt 0 ]; do
        case $1 in
            --nodes) nodes=$2; shift 2 ;;
            --heap) heap=$2; shift 2 ;;
            *) fail "unknown option $1 (start [--nodes N] [--heap 512m])" ;;
        esac
    done
    [[ $nodes =~ ^[1-9][0-9]?$ ]] || fail "--nodes must be a number from 1 to 99, not $nodes"
    if [ -n "$(running)" ]; then
        say "already running ($(running | wc -l) node(s)); stop it first to start another"
        health >/dev/null && exit 0 || fail "nodes are running but do not answer on port $HTTP_BASE"
    fi
    prepare
    local i port
    for i in $(seq 1 "$nodes"); do
        for port in $((HTTP_BASE + i - 1)) $((TRANSPORT_BASE + i - 1)); do
            (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && fail "port $port is in use (another OpenSearch?)"
        done
    done
    local seeds masters started
    seeds=$(seq -s, -f "127.0.0.1:%g" "$TRANSPORT_BASE" $((TRANSPORT_BASE + nodes - 1)))
    masters=$(seq -s, -f "n%g" 1 "$nodes")
    started=$(date +%s)
    for i in $(seq 1 "$nodes"); do
        mkdir -p "$STATE/n$i"
        setsid "$JAVA" -Xms"$heap" -Xmx"$heap" -XX:+UseG1GC -Djava.awt.headless=true -Dfile.encoding=UTF-8 \
            -Djava.locale.providers=SPI,COMPAT -Dlog4j2.configurationFile="$HERE/opensearch/log4j2.properties" \
            -Dlog4j.shutdownHookEnabled=false -Dio.netty.allocator.numDirectArenas=0 \
            -cp "$CACHE/classes:$CACHE/lib/*" Node node.name="n$i" path.home="$STATE/n$i" \
            http.port=$((HTTP_BASE + i - 1)) transport.port=$((TRANSPORT_BASE + i - 1)) \
            discovery.seed_hosts="$seeds" cluster.initial_cluster_manager_nodes="$masters" \
            >"$STATE/n$i/node.log" 2>&1 < /dev/null &
        echo $! >"$STATE/n$i/pid"
    done
    for _ in $(seq 1 240); do
        if [ "$(running | wc -l)" != "$nodes" ]; then  # a node died: a bad setting, or a port taken meanwhile
            break
        fi
        if health "?wait_for_nodes=$nodes&wait_for_status=green&timeout=1s" | grep -q '"status":"green"'; then
            say "cluster green: $nodes node(s) at http://127.0.0.1:$HTTP_BASE after $(( $(date +%s) - started )) s"
            return 0
        fi
        sleep 0.5
    done
    for i in $(seq 1 "$nodes"); do tail -5 "$STATE/n$i/node.log" >&2 || true; done
    stop
    fail "the cluster did not turn green (a node stopped, or 2 minutes passed; logs: $STATE/n*/node.log)"
}

stop() {
    local clean=${1:-} f pid
    for f in "$STATE"/n*/pid; do
        [ -f "$f" ] || continue
        pid=$(cat "$f")
        if kill -TERM "$pid" 2>/dev/null; then
            for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
            kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
            say "stopped $(basename "$(dirname "$f")") (pid $pid)"
        fi
        rm -f "$f"
    done
    if [ "$clean" = --clean ]; then rm -rf "$STATE"; fi
    return 0
}

status() {
    [ -n "$(running)" ] || { say "not running"; exit 1; }
    health "?pretty" || fail "nodes are running ($(running | tr '\n' ' ')) but do not answer on port $HTTP_BASE"
    curl -sf --max-time 2 "http://127.0.0.1:$HTTP_BASE/_cat/nodes?v&h=name,ip,http_address,heap.percent,node.role"
}

case ${1:-} in
    start) shift; start "$@" ;;
    stop) shift; [ $# -le 1 ] && [ "${1:---clean}" = --clean ] || fail "stop [--clean]"; stop "${1:-}" ;;
    status) status ;;
    -h|--help|"") sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' ;;
    *) fail "unknown command $1 (start, stop, status)" ;;
esac
