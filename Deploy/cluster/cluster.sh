#!/usr/bin/env bash
# A Herald cluster on one machine: every host a Linux network namespace with
# its own address on one bridge, one `herald run` per host. Plain bash, `ip`,
# `nft` and `herald`, so that every step can be run by hand. Needs root.
#
#   cluster.sh up N           N hosts (10.77.0.1 ... 10.77.0.N), the first G genesis validators
#   cluster.sh down           remove everything `up` made: processes, namespaces, links, files
#   cluster.sh cut HOST       isolate HOST from the bridge          heal HOST   and back
#   cluster.sh loss HOST PCT  drop PCT% of HOST's incoming packets  (loss HOST 0: none)
#   cluster.sh kill HOST      SIGKILL its agent     stop HOST   SIGTERM, and wait for it to exit
#   cluster.sh start HOST     start its agent again, with the same data
#   cluster.sh herald HOST ARGS...   run `herald ARGS --config <HOST's agent.yaml>` inside HOST
#   cluster.sh exec HOST CMD...      run any command inside HOST's namespace
#   cluster.sh enode HOST | status | hosts
#
# HOST is a number, 1 ... N. Settings (environment, read by `up`):
#   HERALD_BIN                  the herald binary (default: `herald` on PATH, else .build/debug/herald)
#   HERALD_CLUSTER_DIR          where data, logs and state live (default /tmp/herald-cluster)
#   HERALD_CLUSTER_GENESIS      genesis validators G (default: 3, at most N)
#   HERALD_CLUSTER_APPROVALS    approvals to admit or remove a node (default 2)
#   HERALD_CLUSTER_GIVE_UP      the policy's delivery.give-up-after (default 1h)
#   HERALD_CLUSTER_RETRY        the policy's delivery.retry-backoff (default "{base: 1s, max: 5s}")
#   HERALD_CLUSTER_ANTI_ENTROPY_MS   each agent's anti-entropy-interval-ms (default 30000)
# Addresses are used only inside the namespaces this script makes.
set -euo pipefail

repo="$(cd "$(dirname "$0")/../.." && pwd)"
dir="${HERALD_CLUSTER_DIR:-/tmp/herald-cluster}"
# Namespace names carry a tag of the state directory, so that two clusters never meet.
tag="hc$(printf '%s' "$dir" | cksum | cut -c1-5)"
bridge_ns="$tag-br"
net=10.77.0
port=30310

if [ -n "${HERALD_BIN:-}" ]; then herald="$HERALD_BIN"
elif command -v herald >/dev/null; then herald="$(command -v herald)"
else herald="$repo/.build/debug/herald"; fi

die() { echo "cluster.sh: $*" >&2; exit 1; }
ns() { echo "$tag-h$1"; }
count() { cat "$dir/hosts" 2>/dev/null || echo 0; }
host_dir() { echo "$dir/host$1"; }
check_host() {
  [[ "$1" =~ ^[0-9]+$ ]] && [ "$1" -ge 1 ] && [ "$1" -le "$(count)" ] || die "no host '$1' (hosts: 1-$(count))"
}
pid_of() { cat "$(host_dir "$1")/pid" 2>/dev/null || true; }
running() { local pid; pid="$(pid_of "$1")"; [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }

start_agent() {  # start HOST
  local h="$1" d; d="$(host_dir "$1")"
  running "$h" && die "host $h: agent already running (pid $(pid_of "$h"))"
  rm -f "$d/herald.sock"
  ip netns exec "$(ns "$h")" setsid "$herald" run --config "$d/agent.yaml" >> "$d/agent.log" 2>&1 < /dev/null &
  echo $! > "$d/pid"
  for _ in $(seq 100); do [ -S "$d/herald.sock" ] && return 0; running "$h" || break; sleep 0.1; done
  tail -5 "$d/agent.log" >&2
  die "host $h: agent did not start (log: $d/agent.log)"
}

stop_agent() {  # stop_agent HOST SIGNAL
  local h="$1" pid; pid="$(pid_of "$1")"
  [ -n "$pid" ] || return 0
  kill "-$2" "$pid" 2>/dev/null || true
  for _ in $(seq 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && die "host $h: agent $pid did not exit after SIG$2"
  rm -f "$(host_dir "$h")/pid"
}

up() {
  local n="$1" genesis approvals i j
  [[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -ge 1 ] && [ "$n" -le 200 ] || die "up: N must be 1-200"
  [ "$(id -u)" = 0 ] || die "up: needs root (network namespaces)"
  [ -e "$dir/hosts" ] && die "a cluster is already up in $dir (cluster.sh down first)"
  [ -x "$herald" ] || die "no herald binary at $herald (set HERALD_BIN)"
  genesis="${HERALD_CLUSTER_GENESIS:-3}"; [ "$genesis" -le "$n" ] || genesis="$n"
  approvals="${HERALD_CLUSTER_APPROVALS:-2}"
  local retry='{base: 1s, max: 5s}'
  retry="${HERALD_CLUSTER_RETRY:-$retry}"
  mkdir -p "$dir"; echo "$n" > "$dir/hosts"

  # One bridge in a namespace of its own; each host's eth0 is one end of a veth pair, the
  # other end (p<HOST>) is a port of the bridge.
  ip netns add "$bridge_ns"
  ip -n "$bridge_ns" link add br0 type bridge
  ip -n "$bridge_ns" link set br0 up
  for ((i = 1; i <= n; i++)); do
    ip netns add "$(ns "$i")"
    ip link add eth0 netns "$(ns "$i")" type veth peer name "p$i" netns "$bridge_ns"
    ip -n "$bridge_ns" link set "p$i" master br0 up
    ip -n "$(ns "$i")" addr add "$net.$i/24" dev eth0
    ip -n "$(ns "$i")" link set eth0 up
    ip -n "$(ns "$i")" link set lo up
  done

  head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$dir/consortium.key"
  chmod 600 "$dir/consortium.key"
  # A placeholder policy lets `init` run before the enodes are known; the real one replaces it.
  local placeholder="$repo/Policies/two-of-three-admission.yaml"
  declare -a enodes
  for ((i = 1; i <= n; i++)); do
    enodes[i]="$(ip netns exec "$(ns "$i")" "$herald" init --data-dir "$(host_dir "$i")" --policy "$placeholder" \
        --listen "$net.$i:$port" --consortium-key "file:$dir/consortium.key" \
        --permissioned-nodes "$(host_dir "$i")/permissioned-nodes.json")"
  done

  {
    echo "# Written by Deploy/cluster/cluster.sh: hosts 1-$genesis are the genesis validators."
    echo "version: 1"
    echo "consortium: {name: herald-cluster, key: \"file:$dir/consortium.key\"}"
    echo "identities:"
    for ((i = 1; i <= n; i++)); do
      local id="${enodes[i]#enode://}"; id="${id%@*}"
      local is_genesis=false; [ "$i" -le "$genesis" ] && is_genesis=true
      echo "  - {name: host-$i, organisation: Org$i, enode: \"enode://$id@$net.$i:30303\", roles: [validator], genesis: $is_genesis}"
    done
    echo "rules:"
    echo "  self-join: true"
    echo "  self-leave: true"
    echo "  admission: {approvals: $approvals, approver-roles: [validator]}"
    echo "  removal: {approvals: $approvals, approver-roles: [validator]}"
    echo "endpoints: {networks: [$net.0/24]}"
    echo "limits: {min-validators: 1}"
    echo "delivery:"
    echo "  retry-backoff: $retry"
    echo "  give-up-after: ${HERALD_CLUSTER_GIVE_UP:-1h}"
  } > "$dir/policy.yaml"
  "$herald" policy check "$dir/policy.yaml" > /dev/null

  for ((i = 1; i <= n; i++)); do
    local d; d="$(host_dir "$i")"
    cp "$dir/policy.yaml" "$d/policy.yaml"
    # Every agent dials every other; the same list an operator gives with --peer.
    {
      grep -v '^peers:' "$d/agent.yaml" | grep -v '^anti-entropy-interval-ms:'
      echo "anti-entropy-interval-ms: ${HERALD_CLUSTER_ANTI_ENTROPY_MS:-30000}"
      echo "peers:"
      for ((j = 1; j <= n; j++)); do [ "$j" = "$i" ] || echo "- ${enodes[j]}"; done
    } > "$d/agent.yaml.new"
    mv "$d/agent.yaml.new" "$d/agent.yaml"
    echo "${enodes[i]}" > "$d/enode"
  done
  for ((i = 1; i <= n; i++)); do start_agent "$i"; done
  for ((i = 1; i <= n; i++)); do echo "host $i ($(ns "$i"), $net.$i): ${enodes[i]}"; done
}

down() {
  local i pid
  for ((i = 1; i <= $(count); i++)); do
    pid="$(pid_of "$i")"; [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
  done
  # Whatever else still runs in the namespaces (also after a crash of this script), then them.
  for namespace in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$tag-" || true); do
    for pid in $(ip netns pids "$namespace" 2>/dev/null || true); do kill -9 "$pid" 2>/dev/null || true; done
    ip netns del "$namespace" 2>/dev/null || true
  done
  rm -rf "$dir"
}

loss() {  # loss HOST PCT
  local h="$1" pct="$2"
  [[ "$pct" =~ ^[0-9]+$ ]] && [ "$pct" -le 100 ] || die "loss: PCT must be 0-100"
  ip netns exec "$(ns "$h")" nft delete table inet herald_loss 2>/dev/null || true
  [ "$pct" = 0 ] && return 0
  ip netns exec "$(ns "$h")" nft -f - <<NFT
table inet herald_loss {
  chain input {
    type filter hook input priority 0; policy accept;
    iifname "eth0" numgen random mod 100 < $pct drop
  }
}
NFT
}

verb="${1:-}"; shift || true
case "$verb" in
  up)     [ $# = 1 ] || die "usage: cluster.sh up N"; up "$1" ;;
  down)   down ;;
  cut)    check_host "${1:-}"; ip -n "$bridge_ns" link set "p$1" down ;;
  heal)   check_host "${1:-}"; ip -n "$bridge_ns" link set "p$1" up ;;
  loss)   check_host "${1:-}"; [ $# = 2 ] || die "usage: cluster.sh loss HOST PCT"; loss "$1" "$2" ;;
  kill)   check_host "${1:-}"; stop_agent "$1" KILL ;;
  stop)   check_host "${1:-}"; stop_agent "$1" TERM ;;
  start)  check_host "${1:-}"; start_agent "$1" ;;
  herald) check_host "${1:-}"; h="$1"; shift
          exec ip netns exec "$(ns "$h")" "$herald" "$@" --config "$(host_dir "$h")/agent.yaml" ;;
  exec)   check_host "${1:-}"; h="$1"; shift; exec ip netns exec "$(ns "$h")" "$@" ;;
  enode)  check_host "${1:-}"; cat "$(host_dir "$1")/enode" ;;
  hosts)  count ;;
  status)
    for ((i = 1; i <= $(count); i++)); do
      state=stopped; running "$i" && state="running (pid $(pid_of "$i"))"
      link="$(ip -n "$bridge_ns" -o link show "p$i" 2>/dev/null | grep -q 'state UP' && echo linked || echo cut)"
      echo "host $i $net.$i: $state, $link, log $(host_dir "$i")/agent.log"
    done ;;
  *) sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//'; [ -z "$verb" ] || exit 2 ;;
esac
