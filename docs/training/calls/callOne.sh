# The training call of 2026-12-05 (issue 17) when the session's device time allows only a few
# calls: Gutenberg shards 08-13 and 19 arrive here with the small sources (shards 00-07 came in
# the call before, into /tmp/train/corpus), token ids under both retrained tokenizers, a 30-second
# probe of every run at once, then the first leg. SECOND_LEG_SECONDS (default 0) is the training
# time a later call will add: 0 plans every schedule to end in this call, which then returns the
# GPU-size run's best weights in 15 MiB parts; every call returns every run's logs.
# As run: docs/training.md, "Corpus runs" (the exact calls, and what went wrong).
# From the repository root, carrying .train-carry/one: bash docs/training/calls/callOne.sh
set -x
export PYTHONUNBUFFERED=1
T0=$(date +%s)
C=.train-carry/one; W=/tmp/train
mkdir -p $W/corpus/corpus/gutenberg
cp $C/gutenberg-*.txt.gz $W/corpus/corpus/gutenberg/
tar xzf $C/small.tgz -C $W/corpus
ls $W/corpus/corpus/gutenberg
nvidia-smi --query-gpu=name,memory.total --format=csv
python3 -c "import torch, tokenizers; print(torch.__version__, tokenizers.__version__)"
for v in 4096 8192; do
  python3 -m models.train_data --corpus $W/corpus --tokenizer $C/bpe-$v.json --out $W/tokens-$v.npz > $OUT/tokens-$v.json 2>&1 &
done
wait
cat $OUT/tokens-*.json
python3 docs/training/calls/corpus.py probe $W | tee $OUT/probe.txt
left=$(( 575 - ($(date +%s) - T0) - 100 ))    # the runs' start, final evaluations, the trip back
export CORPUS_PLANNED_SECONDS=$(( left + ${SECOND_LEG_SECONDS:-0} ))
python3 docs/training/calls/corpus.py leg $W $left | tee $OUT/leg1.txt
nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv
if [ "${SECOND_LEG_SECONDS:-0}" = 0 ]; then
  python3 docs/training/calls/corpus.py collect $W $OUT gemma2-l
else
  python3 docs/training/calls/corpus.py collect $W $OUT
fi
echo "call one: $(( $(date +%s) - T0 )) s"
