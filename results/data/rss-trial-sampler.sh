#!/usr/bin/env bash
# Used for the second series of rss-heap-trials-2026-12-02.tsv: one pipeline bench run, VmRSS every 0.2 s and the heap/other split
# of /proc/PID/smaps every 2 s (heap = mappings inside 0x680000000-0x800000000, where a 6 GB heap sits here), run under flock /work/cpu.lock.
# trial.sh SET LABEL [EXTRA...]: one pipeline bench run with the launcher defaults + EXTRA (or LAUNCHER: JAVA_OPTS unset)
# samples VmRSS every 0.2 s with elapsed time; log lines timestamped.
set -u
set_=$1; label=$2; shift 2; extra="$*"
root=/work/mem-wt
mem_kb=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo); mem_bytes=$(( mem_kb * 1024 ))
defaults="-XX:MaxRAMPercentage=25 -XX:MaxNewSize=64m -Dorg.bytedeco.javacpp.maxbytes=$((mem_bytes / 2)) -Dorg.bytedeco.javacpp.maxphysicalbytes=$((mem_bytes / 10 * 8))"
d=/tmp/mem28/runs/$(date -u +%H%M%S)-$set_-$label; mkdir -p $d/out
if [ "$extra" = LAUNCHER ]; then unset JAVA_OPTS; else export JAVA_OPTS="$defaults $extra"; fi
echo "${JAVA_OPTS:-<unset>}" > $d/java_opts
t0=$(date +%s.%N)
$root/scripts/inception4j bench --pipeline-only --data /work/main/datasets/bench-rss/imagenet-$set_ --data-config $root/configs/data/imagenet.yaml --out $d/out \
  --set data.cache=none --set data.workers=2 --set "model.input=[224,224,3]" --images 20000 > $d/stdout 2> >(while IFS= read -r l; do printf '%.1f %s\n' "$(echo "$(date +%s.%N) - $t0" | bc)" "$l"; done > $d/stderr) &
pid=$!
while kill -0 $pid 2>/dev/null; do
  awk -v t="$(echo "$(date +%s.%N) - $t0" | bc)" '/^VmRSS:/ {r=$2} /^VmHWM:/ {h=$2} END {if (r) printf "%.1f %d %d\n", t, r/1024, h/1024}' /proc/$pid/status 2>/dev/null >> $d/rss
  n=$((${n:-0}+1)); if [ $((n % 10)) = 0 ]; then
    awk -v t="$(echo "$(date +%s.%N) - $t0" | bc)" 'BEGIN{lo=sprintf("%16s","680000000"); hi=sprintf("%16s","800000000")} /^[0-9a-f]+-[0-9a-f]+ / {split($1,a,"-"); s=sprintf("%16s",a[1]); e=sprintf("%16s",a[2]); inheap=(s>=lo && e<=hi)} /^Rss:/ {if (inheap) h+=$2; else o+=$2} END {if (h+o) printf "%.1f heap=%d other=%d\n", t, h/1024, o/1024}' /proc/$pid/smaps 2>/dev/null >> $d/smaps
  fi
  sleep 0.2
done
wait $pid; rc=$?
sleep 0.5
json=$(ls $d/out/pipeline-*.json 2>/dev/null | head -1)
python3 - "$d" "$json" "$set_" "$label" "$rc" <<'PY'
import json, sys
d, js, s, label, rc = sys.argv[1:]
rows = [l.split() for l in open(d + "/rss") if len(l.split()) == 3]
rows = [(float(t), int(r), int(h)) for t, r, h in rows]
peak = max(rows, key=lambda x: x[1])
prep = None
for l in open(d + "/stderr"):
    if "data.cache" in l: prep = float(l.split()[0]); break
j = json.load(open(js)) if js else {}
dp = j.get("data_pipeline", {})
pre = max((r for t, r, h in rows if prep and t <= prep), default=None)
post = max((r for t, r, h in rows if prep and t > prep), default=None)
print("\t".join(map(str, [s, label, rc, j.get("peak_rss_mib"), j.get("steady_rss_mib"), j.get("heap_live_mib"),
      "%.1f" % dp.get("augment_batch_images_per_s", 0), "peak@%.1fs" % peak[0], "prep_end@%s" % prep, "max_rss_pre=%s" % pre,
      "max_rss_post=%s" % post, "end@%.1f" % rows[-1][0], d])))
PY
