#!/bin/bash
# queue.sh ARCH SEED... : train each seed in turn from the frozen checkout, resuming a run that has state
arch=$1; shift
cd /work/runs/checkout
for s in "$@"; do
  out=/work/runs/$arch-seed$s
  [ -f $out/done.json ] && continue
  extra=""
  [ -f $out/state.pt ] && extra="--resume"
  OMP_NUM_THREADS=1 /work/runs/venv/bin/navdecode train --arch $arch --seed $s --torch-threads 1 --quiet --out $out $extra >> /work/runs/$arch-seed$s.log 2>&1
done
