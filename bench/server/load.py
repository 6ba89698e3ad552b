#!/usr/bin/env python3
"""The load rbk serve is measured under (bench/server_load.sh starts it): RUNS dry-runs of
the seed runbooks started at once against fleet-sim, their gates approved as they come,
while readers send RATE API reads a second for SECONDS; a sample of the runs is followed
over Server-Sent Events. At the end every run must have finished with a whole trace
(events numbered 1..N without a gap, ending in run_ended or run_failed) and every
followed stream must hold exactly the stored events. Prints the figures as JSON.

Usage: load.py URL STARTER_TOKEN APPROVER_TOKEN SERVER_PID [RUNS] [RATE] [SECONDS]"""
import http.client
import json
import statistics
import sys
import threading
import time
import urllib.parse

url, starter, approver, pid = sys.argv[1:5]
runs_wanted = int(sys.argv[5]) if len(sys.argv) > 5 else 200
rate = int(sys.argv[6]) if len(sys.argv) > 6 else 1000
seconds = int(sys.argv[7]) if len(sys.argv) > 7 else 60
host = urllib.parse.urlparse(url)

# The seed runbooks a dry-run finishes quickly against fleet-sim, with their parameters.
MIX = [
    ("device_offline", {"device": "sensor-0042", "gateway": "gw-7"}),
    ("data_gap", {"device": "sensor-0010", "gateway": "gw-2"}),
    ("telemetry_spike", {"region": "eu-west"}),
    ("cert_expiry", {"device": "sensor-0042"}),
]

lock = threading.Lock()
latency = {"read": [], "approve": [], "start": []}
errors = []
local = threading.local()


def call(method, path, token, body=None, kind=None):
    """One request on this thread's kept-alive connection; returns (status, parsed body)."""
    if getattr(local, "conn", None) is None:
        local.conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
    headers = {"Authorization": "Bearer " + token}
    data = None
    if body is not None:
        data = json.dumps(body)
        headers["Content-Type"] = "application/json"
    t0 = time.perf_counter()
    try:
        local.conn.request(method, path, data, headers)
        r = local.conn.getresponse()
        raw = r.read()
        status = r.status
    except (OSError, http.client.HTTPException) as e:
        local.conn = None
        with lock:
            errors.append(f"{method} {path}: {e}")
        return 0, None
    ms = (time.perf_counter() - t0) * 1000
    if kind:
        with lock:
            latency[kind].append(ms)
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, raw


def pct(values, p):
    if not values:
        return None
    values = sorted(values)
    return round(values[min(len(values) - 1, int(len(values) * p / 100))], 2)


ids = []


def starter_thread(n):
    for i in range(n):
        name, params = MIX[(len(ids) + i) % len(MIX)]
        status, body = call("POST", "/api/runs", starter,
                            {"runbook": name, "mode": "dry-run", "params": params}, "start")
        if status != 201:
            with lock:
                errors.append(f"start {name}: HTTP {status} {body}")
            continue
        with lock:
            ids.append(body["id"])


stop_reading = threading.Event()
reads_done = [0]


def reader_thread(share):
    paths = ["/api/runs?limit=20", "/api/gates", "/api/runbooks", None]
    interval = 1.0 / share
    next_at = time.perf_counter()
    k = 0
    while not stop_reading.is_set():
        with lock:
            run = ids[k % len(ids)] if ids else None
        path = paths[k % len(paths)] or (f"/api/runs/{run}" if run else "/api/gates")
        status, _ = call("GET", path, starter, kind="read")
        if status != 200:
            with lock:
                errors.append(f"GET {path}: HTTP {status}")
        k += 1
        with lock:
            reads_done[0] += 1
        next_at += interval
        delay = next_at - time.perf_counter()
        if delay > 0:
            time.sleep(delay)


def finished(status):
    return status in ("ended", "failed", "cancelled")


streams = {}


def follow(run):
    """Counts the trace events of RUN's event stream until the stream ends."""
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=600)
    conn.request("GET", f"/api/runs/{run}/events", headers={"Authorization": "Bearer " + starter})
    r = conn.getresponse()
    n = 0
    for line in r:
        if line.startswith(b"event: trace"):
            n += 1
    with lock:
        streams[run] = n


t_start = time.perf_counter()
starters = [threading.Thread(target=starter_thread, args=(runs_wanted // 20,)) for _ in range(20)]
for t in starters:
    t.start()
readers = [threading.Thread(target=reader_thread, args=(rate / 8,)) for _ in range(8)]
for t in readers:
    t.start()
for t in starters:
    t.join()
followers = [threading.Thread(target=follow, args=(run,)) for run in ids[:20]]
for t in followers:
    t.start()

# Approve every gate as it comes, bound to the plan it shows, until all runs have finished.
deadline = time.perf_counter() + seconds + 300
done = set()
while time.perf_counter() < deadline:
    status, body = call("GET", "/api/gates", approver)
    for g in (body or {}).get("gates", []):
        s, b = call("POST", f"/api/runs/{g['id']}/approve", approver,
                    {"plan_hash": g["gate"]["plan_hash"], "comment": "load"}, "approve")
        if s != 200 and s != 409:  # 409: the run went on meanwhile (another approval)
            errors.append(f"approve {g['id']}: HTTP {s} {b}")
    status, body = call("GET", f"/api/runs?limit=1000", approver)
    states = {r["id"]: r["status"] for r in (body or {}).get("runs", [])}
    if all(finished(states.get(i, "")) for i in ids) and time.perf_counter() - t_start > seconds:
        break
    time.sleep(0.2)
runs_seconds = time.perf_counter() - t_start
stop_reading.set()
for t in readers:
    t.join()
for t in followers:
    t.join(timeout=30)

# Every run finished with a whole trace; every followed stream held all of it.
unfinished, broken, lost = [], [], []
outcomes = {}
for run in ids:
    s, r = call("GET", f"/api/runs/{run}", starter)
    if not r or not finished(r["status"]):
        unfinished.append(run)
        continue
    outcomes[r.get("outcome", r["status"])] = outcomes.get(r.get("outcome", r["status"]), 0) + 1
    s, trace = call("GET", f"/api/runs/{run}/trace", starter)
    seqs = [e.get("seq") for e in trace or []]
    if seqs != list(range(1, len(seqs) + 1)) or trace[-1]["event"] not in ("run_ended", "run_failed"):
        broken.append(run)
    if run in streams and streams[run] != len(seqs):
        lost.append(f"{run}: streamed {streams[run]} of {len(seqs)}")

peak = None
with open(f"/proc/{pid}/status") as f:
    for line in f:
        if line.startswith("VmHWM:"):
            peak = round(int(line.split()[1]) / 1024, 1)

print(json.dumps({
    "runs": len(ids), "finished": len(ids) - len(unfinished), "outcomes": outcomes,
    "unfinished": unfinished[:5], "broken_traces": broken[:5], "lost_events": lost[:5],
    "streams_followed": len(streams), "errors": len(errors), "first_errors": errors[:5],
    "seconds": round(runs_seconds, 1), "reads": reads_done[0],
    "reads_per_second": round(reads_done[0] / runs_seconds, 1),
    "read_ms": {"p50": pct(latency["read"], 50), "p99": pct(latency["read"], 99)},
    "approve_ms": {"p50": pct(latency["approve"], 50), "p99": pct(latency["approve"], 99),
                   "count": len(latency["approve"])},
    "start_ms": {"p50": pct(latency["start"], 50), "p99": pct(latency["start"], 99)},
    "server_peak_rss_mib": peak,
}, indent=2))
ok = not unfinished and not broken and not lost and not errors
sys.exit(0 if ok else 1)
