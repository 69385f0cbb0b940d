# The corpus run of session 17 (2026-12-05, issue 17): one model with the whole GPU, every shard.
# Gutenberg shards arrive xz-compressed in two carried folders (gz does not fit two calls of
# 64 MiB with the checkout); the first call only unpacks, the second adds the small sources,
# tokenizes, probes and trains a first leg; later calls resume; the call whose leg ends the
# schedule returns the best float16 weights (corpus.py collect). Every call returns the logs.
# From the repository root, with models/zoo and data/eval moved out of the checkout:
#   bash docs/training/calls/solo.sh unpack .train-carry/a
#   CORPUS_RUNS=jamba-s CORPUS_BATCH=256 ... bash docs/training/calls/solo.sh leg .train-carry/b SECONDS
# SECONDS: this call's training time (the leg's --max-minutes); SOLO_WEIGHTS=1: return the best
# weights even if the schedule has not ended. As run: docs/training.md.
# A schedule begun in an earlier session (its weights committed as tar parts with its plan, e.g.
# models/checkpoints/jamba-l): one call per group of parts that fits beside the checkout,
#   bash docs/training/calls/solo.sh weights models/checkpoints/jamba-l
# (each copies the parts it finds to /tmp/ckpt; the call that completes SHA256SUMS unpacks them, with
# the plan, into /tmp/ckpt/runs), then the shards and the legs with CORPUS_PLAN=/tmp/ckpt/runs/plan.json.
set -x
export PYTHONUNBUFFERED=1
T0=$(date +%s)
verb=$1; C=$2; W=/tmp/train
if [ "$verb" = weights ]; then
  K=/tmp/ckpt; mkdir -p $K
  cp $C/weights.tar.* $C/SHA256SUMS $C/plan.json $K/ 2>/dev/null
  if (cd $K && sha256sum --quiet -c SHA256SUMS 2>/dev/null); then
    cat $K/weights.tar.* | tar x -C $K && cp $K/plan.json $K/runs/plan.json && ls -la $K/runs/*/
  else
    ls $K
  fi
  exit 0
fi
G=$W/corpus/corpus/gutenberg
mkdir -p $G
for f in $C/gutenberg-*.txt.xz; do       # back to the .txt.gz that models.train_data reads (no xz there?)
  [ -e "$f" ] && python3 -c 'import gzip, lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), gzip.open(sys.argv[2], "wb", 1))' \
      "$f" $G/$(basename "$f" .xz).gz &
done
wait
[ -f $C/small.tar.xz ] && python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' $C/small.tar.xz $W/corpus
ls -la $G | tail -3; du -sh $W/corpus
[ "$verb" = unpack ] && exit 0
nvidia-smi --query-gpu=name,memory.total --format=csv
python3 -c "import torch, tokenizers; print(torch.__version__, tokenizers.__version__)"
if [ ! -f $W/tokens-8192.npz ]; then
  python3 -m models.train_data --corpus $W/corpus --tokenizer models/tokenizer/bpe-gutenberg-8192.json \
      --out $W/tokens-8192.npz | tee $OUT/tokens-8192.json
  [ -n "$CORPUS_PLAN" ] || python3 docs/training/calls/corpus.py probe $W | tee $OUT/probe.txt   # a continued plan has its schedule
fi
python3 docs/training/calls/corpus.py leg $W $3 | tee $OUT/leg.txt
nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv
names=$(python3 -c "import json,sys; print(' '.join(json.load(open('$W/plan.json'))))")
done_=$(for n in $names; do [ -f $W/runs/$n/best.json ] && echo $n; done)
[ -n "$SOLO_WEIGHTS" ] && done_=$names      # the last call: the best weights so far, finished or not
python3 docs/training/calls/corpus.py collect $W $OUT $done_
tail -5 $W/logs/*.log
echo "call: $(( $(date +%s) - T0 )) s"
