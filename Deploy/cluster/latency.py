#!/usr/bin/env python3
"""Announce -> all members acknowledged, across real `herald run` processes,
each on a host of its own (Deploy/cluster/cluster.sh), with and without loss.

For N in 4, 8 and 16 hosts (all genesis validators) and packet loss of 0% and
5% on every host, host 1 announces joins of nodes that run no agent, one at a
time; each sample is the time from sending `announce` on host 1's control
socket until `status` there shows every member's ack (polled every 0.5 ms).
Prints p50 and p99 per row. Run by `make bench`; needs root. Usage:
    latency.py [--samples 50] [--hosts 4,8,16] [--loss 0,5]
"""
import argparse, json, os, socket, statistics, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
CLUSTER = os.path.join(HERE, "cluster.sh")


class Agent:
    """One JSON request per line over an agent's control socket."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.reader = self.sock.makefile("rb")

    def ask(self, request):
        self.sock.sendall(json.dumps(request).encode() + b"\n")
        response = json.loads(self.reader.readline())
        if response.get("error"):
            raise RuntimeError(response["error"])
        return response


def cluster(env, *args):
    return subprocess.run(["bash", CLUSTER, *args], env=env, check=True, capture_output=True, text=True).stdout


def measure(hosts, loss, samples, herald):
    directory = tempfile.mkdtemp(prefix="herald-latency-")
    env = dict(os.environ, HERALD_BIN=herald, HERALD_CLUSTER_DIR=directory + "/cluster",
               HERALD_CLUSTER_GENESIS=str(hosts), HERALD_CLUSTER_APPROVALS="2")
    try:
        cluster(env, "up", str(hosts))
        agent_dir = directory + "/cluster/host1"
        deadline = time.time() + 60
        while int(cluster(env, "herald", "1", "peers").strip().split()[-1]) < hosts - 1:
            if time.time() > deadline:
                raise RuntimeError("host 1 did not link to every other host")
            time.sleep(0.2)
        for h in range(1, hosts + 1):
            if loss:
                cluster(env, "loss", str(h), str(loss))
        agent = Agent(agent_dir + "/herald.sock")
        times = []
        for i in range(samples + 3):  # the first three warm up
            enode = subjects[i]
            start = time.perf_counter()
            status = agent.ask({"command": "announce", "announce": {"kind": "join", "enode": enode, "roles": ["observer"]}})["status"]
            while True:
                members = [r for r in status["recipients"] if not r.get("joiner")]
                if members and all(r["acked"] for r in members):
                    break
                time.sleep(0.0005)
                status = agent.ask({"command": "status", "id": status["id"]})["status"]
            if i >= 3:
                times.append((time.perf_counter() - start) * 1000)
        return times
    finally:
        subprocess.run(["bash", CLUSTER, "down"], env=env, capture_output=True)
        subprocess.run(["rm", "-rf", directory])


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=50)
    parser.add_argument("--hosts", default="4,8,16")
    parser.add_argument("--loss", default="0,5")
    parser.add_argument("--herald", default=os.environ.get("HERALD_BIN", os.path.join(HERE, "../../.build/debug/herald")))
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("latency.py: needs root (network namespaces)")
    # Subjects: enode URLs of nodes without agents, from keys herald itself makes (init writes a node key).
    subjects = []
    with tempfile.TemporaryDirectory() as keys:
        for i in range(args.samples + 3):
            out = subprocess.run([args.herald, "init", "--data-dir", f"{keys}/{i}", "--policy",
                                  os.path.join(HERE, "../../Policies/two-of-three-admission.yaml"), "--listen", "10.77.1.1:30303"],
                                 check=True, capture_output=True, text=True).stdout.strip()
            subjects.append(out.replace("10.77.1.1:30303", f"10.77.0.{200 + i % 50}:30303"))
    print(f"announce -> all members acked, real `herald run` processes on namespaced hosts ({args.herald})")
    print(f"{'hosts':>5} {'loss':>5} {'samples':>7} {'p50 ms':>8} {'p99 ms':>8}")
    for hosts in [int(h) for h in args.hosts.split(",")]:
        for loss in [int(p) for p in args.loss.split(",")]:
            times = measure(hosts, loss, args.samples, args.herald)
            print(f"{hosts:>5} {loss:>4}% {len(times):>7} {percentile(times, 50):>8.1f} {percentile(times, 99):>8.1f}", flush=True)
