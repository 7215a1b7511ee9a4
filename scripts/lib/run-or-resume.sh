# Sourced by scripts/train-googlenet-seeds and scripts/train-family (which set $root).
# run_or_resume RUNS_DIR LABEL [options for a new run...]: the newest run under RUNS_DIR is left alone if it
# finished (it has test-metrics.json), continued with `train --resume` if it has a checkpoint, and otherwise
# a new run starts there with the given options. The array $both (e.g. --ui=9000) goes to either command.
both=()
run_or_resume() {
  local runs="$1" label="$2"; shift 2
  local run; run="$(ls -d "$runs"/*/ 2>/dev/null | tail -1)"
  if [ -n "$run" ] && [ -f "$run/test-metrics.json" ]; then echo "$label: done ($run)"; return 0; fi
  if [ -n "$run" ] && ls "$run"/checkpoints/*.zip >/dev/null 2>&1; then
    echo "$label: resuming $run"
    "$root/scripts/inception4j" train --resume "$run" "${both[@]}"
  else
    echo "$label: starting"
    "$root/scripts/inception4j" train --runs "$runs" "$@" "${both[@]}"
  fi
}
