#!/usr/bin/env bash
# Benchmark of cuentas against the SQLite FTS5 peer on the shared synthetic corpus.
#
#   bash benches/run.sh                 # 100 MB and 1 GB (long: about an hour on 2 cores)
#   bash benches/run.sh --sizes "100"   # sizes in MB of generated text
#   bash benches/run.sh --rounds 3      # index and query cuentas and the peer in turn, 3 times;
#                                       # medians of the rounds (this machine's speed drifts)
#   bash benches/run.sh --smoke         # 5 MB, short runs: what CI runs so this script cannot rot
#   bash benches/run.sh --sample        # HTTP load over the bundled sample reports only (30 s, 32 connections)
#
# With TANTIVY_CLI set to a tantivy-cli binary (cargo install tantivy-cli --root DIR; not a
# dependency of cuentas), plain tantivy is measured in the same run too: its index of the same
# passages (default tokenizer, no Spanish analysis) and `tantivy serve` under the same load.
#
# Needs ../shared/bench (generator, queries, peer) beside the repository, python3, and wrk
# (installed from Debian's packages when missing). Data goes to $BENCH_DATA (default
# /tmp/cuentas-bench), never into the repository. Prints a table and writes
# $BENCH_DATA/results-<size>.json. Figures belong in BENCHMARKS.md with this command.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
SHARED=${SHARED:-$REPO/../shared/bench}
DATA=${BENCH_DATA:-/tmp/cuentas-bench}
SIZES="100 1000"
SMOKE=0
SAMPLE=0
DURATION=30
REPS=5
ROUNDS=1
while [ $# -gt 0 ]; do
    case "$1" in
        --smoke) SMOKE=1; SIZES="5"; DURATION=3; REPS=1 ;;
        --sample) SAMPLE=1 ;;
        --sizes) SIZES="$2"; shift ;;
        --duration) DURATION="$2"; shift ;;
        --rounds) ROUNDS="$2"; shift ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
[ -f "$SHARED/gen_corpus.py" ] || { echo "benches/run.sh: $SHARED not found (../shared/bench)" >&2; exit 2; }
mkdir -p "$DATA"

if ! command -v wrk >/dev/null 2>&1; then
    echo "installing wrk (Debian package)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null 2>&1 \
        || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
fi

echo "building the release binary"
cargo build --release --locked --quiet
BIN=$REPO/target/release/cuentas
QUERIES=$SHARED/queries.txt

# wrk script: each request takes the next query of the set.
LUA=$DATA/queries.lua
python3 - "$QUERIES" "$LUA" <<'PY'
import sys, urllib.parse
qs = []
for line in open(sys.argv[1], encoding="utf-8"):
    if not line.strip() or line.startswith("#"):
        continue
    qs.append(line.split("\t")[0].strip())
with open(sys.argv[2], "w", encoding="utf-8") as f:
    f.write("local paths = {\n")
    for q in qs:
        f.write('  "/api/search?q=%s",\n' % urllib.parse.quote_plus(q))
    f.write("}\nlocal i = 0\nrequest = function()\n  i = i %% #paths + 1\n  return wrk.format(\"GET\", paths[i])\nend\n".replace("%%", "%"))
    f.write("done = function(summary, latency, requests)\n"
            "  io.write(string.format(\"RESULT %d %d %.3f %.3f %d\\n\", summary.requests, summary.duration,"
            " latency:percentile(50) / 1000, latency:percentile(99) / 1000,"
            " summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout))\n"
            "end\n")
PY

if [ "$SAMPLE" = 1 ]; then
    # The sample index: 30 s at 32 connections, the whole query set in turn.
    INDEX=$DATA/idx-sample
    rm -rf "$INDEX"
    "$BIN" --index "$INDEX" index --corpus "$REPO/corpus" 2>/dev/null
    PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    CUENTAS_LOG=warn "$BIN" --index "$INDEX" serve --addr "127.0.0.1:$PORT" --search-queue 128 2>"$DATA/serve-sample.log" &
    SERVER=$!
    trap 'kill $SERVER 2>/dev/null || true' EXIT
    for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break; sleep 0.05; done
    wrk -t2 -c32 -d"${DURATION}s" --latency -s "$LUA" "http://127.0.0.1:$PORT" | grep -v '^RESULT'
    exit 0
fi

for SIZE in $SIZES; do
    echo
    echo "=== ${SIZE} MB ==="
    CORPUS=$DATA/c$SIZE
    if [ ! -f "$CORPUS/MANIFEST.tsv" ]; then
        python3 "$SHARED/gen_corpus.py" --target-mb "$SIZE" --seed 42 --out "$CORPUS" --jobs 2 >/dev/null
    fi
    TEXT_BYTES=$(find "$CORPUS" -name '*.txt' -printf '%s\n' | awk '{s+=$1} END {print s}')
    INDEX=$DATA/idx$SIZE
    PASSAGES=$DATA/p$SIZE.jsonl
    [ -f "$PASSAGES" ] || python3 "$SHARED/make_passages.py" "$CORPUS" "$PASSAGES" >/dev/null
    ROUNDS_FILE=$DATA/rounds-$SIZE.jsonl
    : > "$ROUNDS_FILE"

    # Each round indexes and queries with cuentas, then with the peer on the same passages, so
    # that the two share the machine's speed of the moment; the table gives medians of rounds.
    for ROUND in $(seq 1 "$ROUNDS"); do
        rm -rf "$INDEX"
        # Index, end to end from the files.
        /usr/bin/time -v "$BIN" --index "$INDEX" index --corpus "$CORPUS" 2>"$DATA/index-$SIZE.log" >/dev/null
        INDEX_SECS=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,t,":"); s=0; for(i=1;i<=n;i++) s=s*60+t[i]; print s}' "$DATA/index-$SIZE.log")
        PEAK_KB=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$DATA/index-$SIZE.log")
        # Queries through the core (facets and snippets), single thread.
        CORE=$("$BIN" --index "$INDEX" bench-queries --queries "$QUERIES" --reps "$REPS")
        python3 "$SHARED/peer_sqlite_fts5.py" --passages "$PASSAGES" --db "$DATA/fts5-$SIZE.db" \
            --label "${SIZE}MB" --reps "$REPS" --out "$DATA/fts5-$SIZE-r$ROUND.json" >/dev/null
        python3 -c 'import json, sys; print(json.dumps({"index_seconds": float(sys.argv[1]), "peak_kb": int(sys.argv[2]), "core": json.loads(sys.argv[3]), "peer": json.load(open(sys.argv[4]))}))' \
            "$INDEX_SECS" "$PEAK_KB" "$CORE" "$DATA/fts5-$SIZE-r$ROUND.json" >> "$ROUNDS_FILE"
        [ "$ROUNDS" = 1 ] || echo "round $ROUND: indexed in $INDEX_SECS s"
    done
    INDEX_BYTES=$(du -sb "$INDEX" | cut -f1)

    # Metadata read from the text, against the generator's manifest.
    "$BIN" --index "$INDEX" reports --json > "$DATA/reports-$SIZE.json"
    python3 "$REPO/benches/metadata_eval.py" "$CORPUS" "$DATA/reports-$SIZE.json" > "$DATA/metadata-$SIZE.json"
    echo "metadata $(cat "$DATA/metadata-$SIZE.json")"

    # Figure queries a journalist starts with: the first 100 figures and the total, through the
    # core (`took_ms` of the JSON), one warm-up then the median of three runs each.
    FIGS=$(
        for ARGS in "--min 0" "--kind usd --min 1000000" "--kind percent" "servicio OR atencion" "salud --min 0"; do
            # shellcheck disable=SC2086
            for _ in 1 2 3 4; do "$BIN" --index "$INDEX" figures $ARGS --limit 100 --format json; done \
                | python3 -c 'import json, sys
text, dec, runs, i = sys.stdin.read(), json.JSONDecoder(), [], 0
while text[i:].strip():
    while text[i].isspace():
        i += 1
    run, i = dec.raw_decode(text, i)
    runs.append(run)
runs = runs[1:]
ms = sorted(r["took_ms"] for r in runs)
print(json.dumps({"query": sys.argv[1], "total": runs[0]["total"], "ms": round(ms[len(ms) // 2], 1)}))' "$ARGS"
        done | python3 -c 'import json, sys; print(json.dumps([json.loads(l) for l in sys.stdin]))'
    )

    # HTTP load at 1, 8 and 32 connections; wrk shares the 2 cores with the server. The search
    # queue holds a request of every connection, so this measures capacity, not load shedding
    # (benches/load.py measures that). The result cache is off: the 285 queries come round
    # again every 285 requests, so with it every request after the first round would be a
    # lookup. One more run at 32 connections has it on (the default of `serve`), and says what
    # a portal whose visitors repeat each other's searches gets.
    HTTP=""
    for CACHE in 0 32; do
        PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
        CUENTAS_LOG=warn "$BIN" --index "$INDEX" serve --addr "127.0.0.1:$PORT" --search-queue 128 \
            --result-cache-mb "$CACHE" 2>"$DATA/serve-$SIZE.log" &
        SERVER=$!
        trap 'kill $SERVER 2>/dev/null || true' EXIT
        READY_START=$(date +%s.%N)
        for _ in $(seq 1 100); do
            curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
            sleep 0.05
        done
        if [ "$CACHE" = 0 ]; then
            READY_SECS=$(python3 -c "import time; print(round(time.time() - $READY_START, 2))")
            RUNS="1 8 32"
        else
            RUNS="32"
        fi
        for C in $RUNS; do
            T=$(( C < 2 ? 1 : 2 ))
            OUT=$(wrk -t"$T" -c"$C" -d"${DURATION}s" -s "$LUA" "http://127.0.0.1:$PORT" 2>&1 | awk '/^RESULT/ {print $2 "," $3 "," $4 "," $5 "," $6}')
            if [ "$CACHE" = 0 ]; then HTTP="$HTTP $C:$OUT"; else HTTP="$HTTP ${C}-cached:$OUT"; fi
        done
        if [ "$CACHE" = 0 ]; then
            SERVE_RSS_KB=$(awk '/VmHWM/ {print $2}' /proc/$SERVER/status 2>/dev/null || echo 0)
        fi
        kill "$SERVER" 2>/dev/null || true
        wait "$SERVER" 2>/dev/null || true
        trap - EXIT
    done

    # Plain tantivy (tantivy-cli), when given: same passages, same query load over HTTP.
    TCLI=""
    if [ -n "${TANTIVY_CLI:-}" ] && [ -x "$TANTIVY_CLI" ]; then
        TIDX=$DATA/tantivy-$SIZE
        rm -rf "$TIDX" && mkdir -p "$TIDX"
        python3 - "$TIDX/meta.json" <<'PY'
import json, sys
text = lambda name, tok, record: {"name": name, "type": "text", "options": {"indexing": {"record": record, "fieldnorms": True, "tokenizer": tok}, "stored": True, "fast": False}}
schema = [{"name": "id", "type": "u64", "options": {"indexed": True, "fieldnorms": False, "fast": False, "stored": True}},
          text("doc", "raw", "basic"), text("province", "raw", "basic"), text("unit", "raw", "basic"),
          {"name": "year", "type": "u64", "options": {"indexed": True, "fieldnorms": False, "fast": True, "stored": True}},
          text("body", "default", "position")]
json.dump({"index_settings": {"docstore_compression": "lz4", "docstore_blocksize": 16384}, "segments": [],
           "schema": schema, "opstamp": 0}, open(sys.argv[1], "w"))
PY
        T0=$(date +%s.%N)
        "$TANTIVY_CLI" index -i "$TIDX" < "$PASSAGES" >/dev/null 2>&1
        TSECS=$(python3 -c "import time; print(round(time.time() - $T0, 2))")
        TPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
        "$TANTIVY_CLI" serve -i "$TIDX" --host 127.0.0.1 -p "$TPORT" >/dev/null 2>&1 &
        TSERVER=$!
        for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$TPORT/api/?q=salud&nhits=10" >/dev/null 2>&1 && break; sleep 0.1; done
        TLUA=$DATA/queries-tantivy.lua
        sed -e 's#"/api/search?q=#"/api/?nhits=10\&q=#' "$LUA" > "$TLUA"
        for C in 1 8 32; do
            T=$(( C < 2 ? 1 : 2 ))
            OUT=$(wrk -t"$T" -c"$C" -d"${DURATION}s" -s "$TLUA" "http://127.0.0.1:$TPORT" 2>&1 | awk '/^RESULT/ {print $2 "," $3 "," $4 "," $5 "," $6}')
            TCLI="$TCLI $C:$OUT"
        done
        kill "$TSERVER" 2>/dev/null || true
        wait "$TSERVER" 2>/dev/null || true
        TCLI="index:$TSECS $TCLI"
    fi

    python3 - "$SIZE" "$TEXT_BYTES" "$ROUNDS_FILE" "$INDEX_BYTES" "$HTTP" \
        "$READY_SECS" "$SERVE_RSS_KB" "$DATA/results-$SIZE.json" "$TCLI" "$FIGS" <<'PY'
import json, statistics, sys
size, text_bytes, rounds_path, index_bytes, http, ready, rss_kb, out, tcli, figs = sys.argv[1:]
text_mb = int(text_bytes) / 1e6
rounds = [json.loads(line) for line in open(rounds_path) if line.strip()]
median = lambda xs: statistics.median(x for x in xs if x is not None) if any(x is not None for x in xs) else None
# One round: its own figures. Several: the median of each figure over the rounds, and of each
# ratio between cuentas and the peer taken within a round.
core = {k: median([r["core"].get(k) for r in rounds]) for k in ("mean_ms", "p50_ms", "p95_ms", "p99_ms", "qps")}
core.update({k: rounds[-1]["core"][k] for k in rounds[-1]["core"] if k not in core})
def peer_median(part):
    keys = ("p50_ms", "p95_ms", "p99_ms", "mean_ms", "qps")
    return {k: median([r["peer"].get(part, {}).get(k) for r in rounds]) for k in keys
            if any(k in r["peer"].get(part, {}) for r in rounds)}
peer = {"index": {"mb_per_s": median([r["peer"].get("index", {}).get("mb_per_s") for r in rounds]),
                  "size_bytes": rounds[-1]["peer"].get("index", {}).get("size_bytes", 0)},
        "query_top10": peer_median("query_top10"), "query_top10_snippet": peer_median("query_top10_snippet")}
secs = median([r["index_seconds"] for r in rounds])
peak_kb = max(r["peak_kb"] for r in rounds)
per_round = [{"index_mb_per_s": round(text_mb / r["index_seconds"], 1),
              "peer_index_mb_per_s": r["peer"].get("index", {}).get("mb_per_s"),
              "core_p50_ms": round(r["core"]["p50_ms"], 3), "core_qps": round(r["core"]["qps"], 1),
              "peer_p50_ms": round(r["peer"].get("query_top10", {}).get("p50_ms", 0), 3),
              "peer_qps": round(r["peer"].get("query_top10", {}).get("qps", 0), 1)} for r in rounds]
for r in per_round:
    r["index_ratio"] = round(r["index_mb_per_s"] / r["peer_index_mb_per_s"], 2) if r["peer_index_mb_per_s"] else None
    r["qps_ratio"] = round(r["core_qps"] / r["peer_qps"], 2) if r["peer_qps"] else None
def find(d, *keys):
    for k in keys:
        if isinstance(d, dict) and k in d:
            return d[k]
    return None
peer_mbs = peer.get("index", {}).get("mb_per_s")
pq = peer.get("query_top10", {})
peer_q = {k: round(pq[k], 3) for k in ("p50_ms", "p95_ms", "p99_ms", "qps") if k in pq}
ps = peer.get("query_top10_snippet", {})
peer_snip = {k: round(ps[k], 3) for k in ("p50_ms", "p95_ms", "p99_ms", "qps") if k in ps}
res = {
    "size_mb": int(size), "text_mb": round(text_mb, 1),
    "index": {"seconds": float(secs), "mb_per_s": round(text_mb / float(secs), 1),
              "peak_rss_mb": round(int(peak_kb) / 1024, 1), "size_mb": round(int(index_bytes) / 1e6, 1),
              "size_ratio": round(int(index_bytes) / int(text_bytes), 2)},
    "core": core, "figures": json.loads(figs), "http": {}, "ready_seconds": float(ready), "serve_peak_rss_mb": round(int(rss_kb) / 1024, 1),
    "peer": {"index_mb_per_s": peer_mbs, "index_size_mb": round(peer.get("index", {}).get("size_bytes", 0) / 1e6, 1),
             "queries": peer_q, "queries_with_snippets": peer_snip},
    "rounds": per_round,
    "ratios": {"index": median([r["index_ratio"] for r in per_round]),
               "qps": median([r["qps_ratio"] for r in per_round])},
}
for part in http.split():
    c, rest = part.split(":", 1)
    vals = rest.split(",") if "," in rest else rest.split()
    if len(vals) >= 5:
        n, dur_us, p50, p99, errors = vals[:5]
        res["http"][c] = {"req_per_s": round(int(n) / (int(dur_us) / 1e6), 0), "p50_ms": float(p50),
                          "p99_ms": float(p99), "errors": int(errors)}
def load(parts):
    runs = {}
    for part in parts:
        c, rest = part.split(":", 1)
        vals = rest.split(",")
        if len(vals) >= 5:
            n, dur_us, p50, p99, errors = vals[:5]
            runs[c] = {"req_per_s": round(int(n) / (int(dur_us) / 1e6), 0), "p50_ms": float(p50),
                       "p99_ms": float(p99), "errors": int(errors)}
    return runs
if tcli.strip():
    parts = tcli.split()
    tsecs = float(parts[0].split(":", 1)[1])
    res["tantivy_cli"] = {"index_mb_per_s": round(text_mb / tsecs, 1), "http": load(parts[1:])}
json.dump(res, open(out, "w"), indent=2)
print(f"text {text_mb:.1f} MB")
if len(rounds) > 1:
    for i, r in enumerate(per_round, 1):
        print(f"round {i}: index {r['index_mb_per_s']} MB/s, peer {r['peer_index_mb_per_s']} ({r['index_ratio']}x); "
              f"core p50 {r['core_p50_ms']} ms, {r['core_qps']:.0f} QPS, peer {r['peer_qps']:.0f} ({r['qps_ratio']}x)")
    print(f"medians of {len(rounds)} rounds; ratios are medians of each round's ratio:")
ratio = lambda a, b: f"{a / b:.1f}x" if a and b else "n/a"
print(f"index   {res['index']['mb_per_s']} MB/s  peak RSS {res['index']['peak_rss_mb']} MB  "
      f"size {res['index']['size_mb']} MB ({res['index']['size_ratio']}x text)  "
      f"peer {peer_mbs} MB/s  ratio {res['ratios']['index']}x")
print(f"core    p50 {core['p50_ms']:.2f} ms  p95 {core['p95_ms']:.2f} ms  p99 {core['p99_ms']:.2f} ms  "
      f"{core['qps']:.0f} QPS")
print(f"peer    p50 {peer_q.get('p50_ms')} ms  p95 {peer_q.get('p95_ms')} ms  p99 {peer_q.get('p99_ms')} ms  "
      f"{peer_q.get('qps', 0):.0f} QPS   QPS ratio {res['ratios']['qps']}x  "
      f"p50 ratio (peer/cuentas) {ratio(peer_q.get('p50_ms'), core['p50_ms'])}")
print(f"peer+snippets p50 {peer_snip.get('p50_ms')} ms  p99 {peer_snip.get('p99_ms')} ms  "
      f"{peer_snip.get('qps', 0):.0f} QPS   QPS ratio {ratio(core['qps'], peer_snip.get('qps'))}")
for fq in res["figures"]:
    print(f"figures {fq['query']:<28} {fq['ms']:>8.1f} ms  total {fq['total']}")
for c, h in res["http"].items():
    label = f"c={c:>2}" if c.isdigit() else f"c={c.split('-')[0]} result cache on, queries repeating"
    print(f"http {label}  {h['req_per_s']:.0f} req/s  p50 {h['p50_ms']:.2f} ms  p99 {h['p99_ms']:.2f} ms  errors {h['errors']}")
print(f"serve ready in {ready} s, peak RSS {res['serve_peak_rss_mb']} MB")
if "tantivy_cli" in res:
    t = res["tantivy_cli"]
    print(f"tantivy-cli index {t['index_mb_per_s']} MB/s (no Spanish analysis, no extraction)")
    for c, h in t["http"].items():
        ours = res["http"].get(c, {}).get("req_per_s")
        print(f"tantivy-cli http c={c:>2}  {h['req_per_s']:.0f} req/s  p50 {h['p50_ms']:.2f} ms  p99 {h['p99_ms']:.2f} ms  "
              f"errors {h['errors']}   cuentas/tantivy {ratio(ours, h['req_per_s'])}")
if any(h["errors"] for h in res["http"].values()):
    sys.exit("HTTP errors during the load run")
PY
done
