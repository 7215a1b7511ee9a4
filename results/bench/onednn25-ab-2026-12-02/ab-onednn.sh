#!/usr/bin/env bash
# A/B: conv backward on oneDNN 2.5 (new) vs libnd4j only, alternating; same JAVA_OPTS otherwise.
cd /work/main
out=/tmp/ab-onednn; mkdir -p $out
CFG=${CFG:-configs/models/googlenet-torchvision.yaml}; S=${S:-224}; B=${B:-32}
for r in 1 2; do
  for side in true false; do
    JAVA_OPTS="-XX:MaxRAMPercentage=25 -XX:MaxNewSize=64m -Dinception4j.onednn25=$side" \
      scripts/inception4j bench $CFG --set "model.input=[$S,$S,3]" --batch $B --warmup 3 --iterations 6 --data-config none \
      > $out/$(basename $CFG .yaml)-$S-$side-$r.log 2>&1
    echo "round $r onednn25=$side: $(grep -iE 'train.*images/s|training' $out/$(basename $CFG .yaml)-$S-$side-$r.log | tail -2 | tr '\n' ' ')"
  done
done
