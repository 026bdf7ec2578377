#!/usr/bin/env bash
# make demo: three Herald agents on 127.0.0.1 admit a fourth node.
#
# Builds herald (or uses $HERALD_BIN), creates four agents in a temporary
# directory (three genesis validators from Policies/demo-local.template.yaml
# and the joiner), starts them, announces the joiner on agent 1, approves it
# on agent 2, waits for every acknowledgement, prints each agent's member
# list digest and the permissioned-nodes.json agent 1's adapter wrote, and
# stops every process it started.
#
# Agent 1 serves its status page (and /metrics) on a free 127.0.0.1 port; the
# URL is printed. With HERALD_DEMO_PAUSE=1 the demo waits for Enter before it
# stops the agents, so the page can be opened in a browser.
set -euo pipefail

repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"

if [ -n "${HERALD_BIN:-}" ]; then
  herald="$HERALD_BIN"
else
  echo "== building herald"
  swift build --product herald
  herald="$(swift build --show-bin-path)/herald"
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/herald-demo.XXXXXX")"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

base_port=$((31000 + RANDOM % 2000))

# A 127.0.0.1 port nothing answers on (bash's /dev/tcp: a refused connect means free).
free_port() {
  local port
  for _ in $(seq 50); do
    port=$((40000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return 0; fi
  done
  echo "no free 127.0.0.1 port found for the status page" >&2
  return 1
}
metrics_port="$(free_port)"
echo "== creating 4 agents in $work (RLPx ports $((base_port + 1))-$((base_port + 4)))"
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$work/consortium.key"
chmod 600 "$work/consortium.key"
declare -a enodes
for i in 1 2 3 4; do
  port=$((base_port + i))
  # A valid placeholder policy to create the key; replaced below once every enode is known.
  peers=()
  for ((j = 1; j < i; j++)); do peers+=(--peer "${enodes[$j]}"); done
  # Only agent 1 serves metrics and the status page, on 127.0.0.1 only: it must not face the internet.
  if [ "$i" = 1 ]; then peers+=(--metrics "127.0.0.1:$metrics_port"); fi
  enodes[$i]="$("$herald" init --data-dir "$work/agent$i" --policy Policies/two-of-three-admission.yaml \
      --listen "127.0.0.1:$port" --consortium-key "file:$work/consortium.key" \
      --permissioned-nodes "$work/agent$i/permissioned-nodes.json" "${peers[@]}")"
  echo "agent $i: ${enodes[$i]}"
done

# The demo policy: agents 1-3 are genesis validators (their node enode is the agent's, port 30303 + i).
identities="identities:"
for i in 1 2 3; do
  id="${enodes[$i]#enode://}"; id="${id%@*}"
  identities="$identities
  - {name: validator-$i, organisation: Org$i, enode: \"enode://$id@127.0.0.1:$((30302 + i))\", roles: [validator], genesis: true}"
done
policy="$work/policy.yaml"
awk -v ids="$identities" '/^identities: \[\]/ { print ids; next } { print }' Policies/demo-local.template.yaml > "$policy"
"$herald" policy check "$policy"
for i in 1 2 3 4; do cp "$policy" "$work/agent$i/policy.yaml"; done

echo "== starting agents"
for i in 1 2 3 4; do
  "$herald" run --config "$work/agent$i/agent.yaml" 2> "$work/agent$i.log" &
  pids+=($!)
done
for i in 1 2 3 4; do
  for _ in $(seq 100); do [ -S "$work/agent$i/herald.sock" ] && break; sleep 0.1; done
done
for _ in $(seq 100); do
  connected="$("$herald" peers --config "$work/agent1/agent.yaml" | tail -1)"
  [ "$connected" = "peers: 2" ] && break; sleep 0.1
done
echo "agent 1 $connected"
status_url="http://127.0.0.1:$metrics_port/"
echo "agent 1 status page: $status_url (status.json, healthz, readyz and metrics beside it)"

joiner_id="${enodes[4]#enode://}"; joiner_id="${joiner_id%@*}"
echo "== agent 1 announces the join of node 4 (needs 2 validator approvals: agent 1's counts)"
announcement="$("$herald" announce join --config "$work/agent1/agent.yaml" \
    --enode "enode://$joiner_id@127.0.0.1:30310" --role observer --agent-endpoint "127.0.0.1:$((base_port + 4))" \
    --wait --timeout 30)"
echo "$announcement"
id="$(echo "$announcement" | head -1 | cut -d' ' -f1)"

echo "== agent 2 approves it"
"$herald" approve "$id" --config "$work/agent2/agent.yaml" --wait --timeout 30

echo "== delivery of the announcement, as agent 1 sees it"
"$herald" status "$id" --config "$work/agent1/agent.yaml"

echo "== member list digests (all equal)"
for _ in $(seq 100); do
  digests="$(for i in 1 2 3 4; do "$herald" members --digest --config "$work/agent$i/agent.yaml"; done)"
  [ "$(echo "$digests" | sort -u | wc -l)" = 1 ] && break; sleep 0.1
done
for i in 1 2 3 4; do echo "agent $i: $("$herald" members --digest --config "$work/agent$i/agent.yaml")"; done
[ "$(echo "$digests" | sort -u | wc -l)" = 1 ] || { echo "digests differ" >&2; exit 1; }

echo "== agent 1 members"
"$herald" members --config "$work/agent1/agent.yaml"

echo "== $work/agent1/permissioned-nodes.json (written by agent 1's goquorum-files adapter)"
cat "$work/agent1/permissioned-nodes.json"
echo
if [ "${HERALD_DEMO_PAUSE:-}" = 1 ]; then
  echo "== agent 1's status page: $status_url"
  read -r -p "press Enter to stop the agents " _ || true
fi
echo "== stopping agents"
