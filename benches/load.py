#!/usr/bin/env python3
"""Overload test of `cuentas serve` (issue 11), loopback only and bounded in time.

Starts the server on an existing index with a 2 s request timeout, then for DURATION seconds
runs CLIENTS clients sending heavy queries back to back, while two probes measure what a
portal needs to keep working: `/healthz` and cheap searches. Afterwards it watches the
server's CPU until it is idle. Prints a report and writes it as JSON.

    python3 benches/load.py --bin target/release/cuentas --index DIR [--clients 64]
        [--duration 20] [--timeout-secs 2] [--search-threads N] [--search-queue N]
        [--out results.json]

What is measured (the targets of the issue in brackets):
- status mix of the heavy clients; every 200 within the deadline plus a little, every other
  answer a JSON 429/503 with Retry-After [all of them]; a CSV export that passes its deadline
  is cut (counted as "broken", by design: never a clean short file);
- /healthz latency p50/p95/max [p95 <= 100 ms];
- cheap searches: served or refused within 1 s, share served [all within 1 s, >= half served];
- threads of the server process, sampled from /proc [<= 64];
- CPU of the server after the clients leave, per 0.5 s [< 10 % within 3 s].

Python standard library only.
"""

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time

# Heavy: figure lookups and an export read every matching passage (seconds each on 100 MB).
HEAVY = [
    "/api/figures?min=0&limit=100",
    "/api/figures?q=salud&min=0&limit=100",
    "/api/figures?kind=usd&min=1000&limit=100",
    "/api/figures?q=afiliados&format=csv",
]
CHEAP = [
    "/api/search?q=mora+patronal&limit=10&province=manabi",
    "/api/search?q=%22rendicion+de+cuentas%22&limit=5&year=2021",
    "/api/suggest?q=discap",
    "/api/search?q=ventiladores&limit=10",
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(values, p):
    if not values:
        return None
    values = sorted(values)
    k = min(len(values) - 1, max(0, int(round(p / 100.0 * (len(values) - 1)))))
    return values[k]


def request(conn_holder, port, path, timeout):
    """One GET; returns (status, seconds, headers, body) or (None, seconds, {}, error)."""
    started = time.monotonic()
    try:
        if conn_holder[0] is None:
            conn_holder[0] = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        conn = conn_holder[0]
        conn.request("GET", path)
        res = conn.getresponse()
        headers = {k.lower(): v for k, v in res.getheaders()}
        try:
            body = res.read()
        except (http.client.IncompleteRead, ConnectionError):
            # A streamed export cut by the server: broken on purpose, never a short clean file.
            conn.close()
            conn_holder[0] = None
            return "broken", time.monotonic() - started, headers, b""
        return res.status, time.monotonic() - started, {k.lower(): v for k, v in res.getheaders()}, body
    except Exception as e:  # a cut connection or a client timeout
        if conn_holder[0] is not None:
            conn_holder[0].close()
        conn_holder[0] = None
        return None, time.monotonic() - started, {}, repr(e)


def proc_stat(pid):
    """(utime+stime in clock ticks, threads, rss in kB) of `pid`."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    threads = rss = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("Threads:"):
                threads = int(line.split()[1])
            elif line.startswith("VmRSS:"):
                rss = int(line.split()[1])
    return ticks, threads, rss


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", required=True)
    ap.add_argument("--index", required=True)
    ap.add_argument("--clients", type=int, default=64)
    ap.add_argument("--duration", type=float, default=20.0)
    ap.add_argument("--timeout-secs", type=int, default=2)
    ap.add_argument("--search-threads", type=int, default=0)
    ap.add_argument("--search-queue", type=int, default=0)
    ap.add_argument("--out", default=None)
    args = ap.parse_args()

    port = free_port()
    env = dict(os.environ)
    env["CUENTAS_REQUEST_TIMEOUT_SECS"] = str(args.timeout_secs)
    env["CUENTAS_SEARCH_THREADS"] = str(args.search_threads)
    env["CUENTAS_SEARCH_QUEUE"] = str(args.search_queue)
    env.setdefault("CUENTAS_LOG", "warn")
    server = subprocess.Popen(
        [args.bin, "--index", args.index, "serve", "--addr", f"127.0.0.1:{port}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        report = run(args, port, server.pid)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
    text = json.dumps(report, indent=2, ensure_ascii=False)
    print(text)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text + "\n")


def run(args, port, pid):
    # Wait for the server (bounded).
    holder = [None]
    for _ in range(600):
        status, _, _, _ = request(holder, port, "/readyz", 2)
        if status == 200:
            break
        time.sleep(0.1)
    else:
        raise SystemExit("the server did not become ready in 60 s")
    # Warm the page cache once, so the first seconds do not measure the disk.
    for path in HEAVY + CHEAP:
        request(holder, port, path, 30)
    tick = os.sysconf("SC_CLK_TCK")
    client_timeout = args.timeout_secs + 5
    deadline_ok = args.timeout_secs + 0.5  # the deadline plus a little

    stop = threading.Event()
    lock = threading.Lock()
    heavy = {
        "status": {},
        "ok_latency": [],
        "late_ok": 0,
        "bad_errors": 0,
        "broken_exports": 0,
        "examples": [],
    }
    health, cheap = [], {"served": 0, "refused": 0, "slow": 0, "failed": 0, "latency": []}
    samples = {"threads": [], "rss_kb": []}

    def heavy_client(i):
        holder = [None]
        n = i
        while not stop.is_set():
            path = HEAVY[n % len(HEAVY)]
            n += 1
            status, secs, headers, body = request(holder, port, path, client_timeout)
            with lock:
                key = str(status) if status is not None else "no answer"
                heavy["status"][key] = heavy["status"].get(key, 0) + 1
                if status == "broken":
                    heavy["broken_exports"] += 1
                elif status == 200:
                    heavy["ok_latency"].append(secs)
                    if secs > deadline_ok:
                        heavy["late_ok"] += 1
                else:
                    good = False
                    if status in (429, 503) and "retry-after" in headers:
                        try:
                            good = "code" in json.loads(body)["error"]
                        except (ValueError, KeyError, TypeError):
                            good = False
                    if not good:
                        heavy["bad_errors"] += 1
                        if len(heavy["examples"]) < 5:
                            heavy["examples"].append([key, str(body)[:200]])
            if status in (429, 503):
                time.sleep(0.05)  # a polite client honours Retry-After only a little

    def health_probe():
        holder = [None]
        while not stop.is_set():
            status, secs, _, _ = request(holder, port, "/healthz", 5)
            with lock:
                health.append(secs if status == 200 else float("inf"))
            time.sleep(0.05)

    def cheap_probe():
        holder = [None]
        n = 0
        while not stop.is_set():
            status, secs, _, _ = request(holder, port, CHEAP[n % len(CHEAP)], 5)
            n += 1
            with lock:
                cheap["latency"].append(secs)
                if secs > 1.0:
                    cheap["slow"] += 1
                if status == 200:
                    cheap["served"] += 1
                elif status in (429, 503):
                    cheap["refused"] += 1
                else:
                    cheap["failed"] += 1
            time.sleep(0.1)

    def sampler():
        while not stop.is_set():
            try:
                _, threads, rss = proc_stat(pid)
            except OSError:
                return
            with lock:
                samples["threads"].append(threads)
                samples["rss_kb"].append(rss)
            time.sleep(0.2)

    workers = [threading.Thread(target=heavy_client, args=(i,)) for i in range(args.clients)]
    workers += [threading.Thread(target=f) for f in (health_probe, cheap_probe, sampler)]
    started = time.monotonic()
    for t in workers:
        t.start()
    time.sleep(args.duration)
    stop.set()
    for t in workers:
        t.join(timeout=client_timeout + 5)
    left = time.monotonic()

    # CPU after the clients left, per half second, for 5 s.
    after = []
    prev, _, _ = proc_stat(pid)
    prev_t = time.monotonic()
    for _ in range(10):
        time.sleep(0.5)
        ticks, threads, _ = proc_stat(pid)
        now = time.monotonic()
        after.append(
            {
                "t": round(now - left, 2),
                "cpu_percent": round(100.0 * (ticks - prev) / tick / (now - prev_t), 1),
                "threads": threads,
            }
        )
        prev, prev_t = ticks, now
    idle_at = next((a["t"] for a in after if a["cpu_percent"] < 10.0), None)

    ok = heavy["ok_latency"]
    finite_health = [h for h in health if h != float("inf")]
    total_cheap = cheap["served"] + cheap["refused"] + cheap["failed"]
    return {
        "clients": args.clients,
        "duration_s": args.duration,
        "request_timeout_s": args.timeout_secs,
        "heavy": {
            "requests": sum(heavy["status"].values()),
            "status": heavy["status"],
            "ok_p50_ms": round(1000 * statistics.median(ok), 1) if ok else None,
            "ok_p95_ms": round(1000 * pct(ok, 95), 1) if ok else None,
            "ok_max_ms": round(1000 * max(ok), 1) if ok else None,
            "ok_later_than_deadline_plus_0.5s": heavy["late_ok"],
            "errors_not_json_429_503_with_retry_after": heavy["bad_errors"],
            "exports_cut_at_the_deadline": heavy["broken_exports"],
            "examples": heavy["examples"],
        },
        "healthz": {
            "probes": len(health),
            "failed": len(health) - len(finite_health),
            "p50_ms": round(1000 * pct(finite_health, 50), 1) if finite_health else None,
            "p95_ms": round(1000 * pct(finite_health, 95), 1) if finite_health else None,
            "max_ms": round(1000 * max(finite_health), 1) if finite_health else None,
        },
        "cheap": {
            "requests": total_cheap,
            "served": cheap["served"],
            "refused": cheap["refused"],
            "failed": cheap["failed"],
            "over_1s": cheap["slow"],
            "p95_ms": round(1000 * pct(cheap["latency"], 95), 1) if cheap["latency"] else None,
        },
        "server": {
            "threads_max": max(samples["threads"]) if samples["threads"] else None,
            "rss_max_mb": round(max(samples["rss_kb"]) / 1024, 1) if samples["rss_kb"] else None,
            "cpu_after_clients_left": after,
            "idle_below_10_percent_after_s": idle_at,
        },
        "wall_s": round(left - started, 1),
    }


if __name__ == "__main__":
    sys.exit(main())
