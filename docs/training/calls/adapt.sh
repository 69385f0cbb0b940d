# A trained model continued on text of SQuALITY's kind (issue 17, session 22): models.domain_select's
# packed text and the exported model's weights (models.reexport --training-weights), carried in two
# folders; a new short schedule from those weights, the best weights chosen on held-out SQuALITY
# training stories (source squality-held), never on SQuALITY dev. From the repository root:
#   bash docs/training/calls/adapt.sh weights .train-carry/aw1          # part 00 of init-fp16.pt
#   ADAPT_LR=5e-4 ADAPT_STEPS=400 bash docs/training/calls/adapt.sh run .train-carry/aw2 NAME
# (aw2: the last part, SHA256SUMS, adapt.json.gz); later runs on the same machine need no folder:
#   ADAPT_LR=... bash docs/training/calls/adapt.sh run /nonexistent NAME
# Each run returns its logs (NAME-logs.tgz) and its best float16 weights in 15 MiB parts (NAME-best.tar.NN).
set -x
export PYTHONUNBUFFERED=1 PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True
T0=$(date +%s)
verb=$1; C=$2; W=/tmp/adapt
mkdir -p $W
cp $C/init-fp16.pt.* $C/SHA256SUMS $C/adapt.json.gz $W/ 2>/dev/null
[ "$verb" = weights ] && { ls -la $W; exit 0; }
if [ ! -f $W/init-fp16.pt ]; then
  (cd $W && cat init-fp16.pt.* > init-fp16.pt && sha256sum -c SHA256SUMS) || exit 1
fi
if [ ! -f $W/tokens.npz ]; then
  python3 -m models.train_data --tokenize $W/adapt.json.gz --tokenizer models/tokenizer/bpe-gutenberg-8192.json \
      --out $W/tokens.npz | tee $OUT/tokens.json
fi
if [ ! -f $W/baseline.json ]; then    # the weights as exported, evaluated once per machine
  python3 -c "
import json, sys, torch
from models.train import evaluate, make_model, RunConfig
from models.train_data import TokenData
saved = torch.load('$W/init-fp16.pt', map_location='cpu')
cfg = RunConfig(**{k: v for k, v in saved['run_config'].items() if k != 'betas'})
dev = torch.device('cuda' if torch.cuda.is_available() else 'cpu')
model = make_model(cfg, saved['vocab_size']).to(dev)
model.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in saved['model'].items()})
val = TokenData.load('$W/tokens.npz', 'val')
row = {m: evaluate(model, val, cfg.seq_len, 64, m == 'carried', dev) for m in ('carried', 'reset')}
print(json.dumps(row))" > $W/baseline.json
fi
cp $W/baseline.json $OUT/ && cat $W/baseline.json
name=$3
sets=$(python3 -c "
import json, torch
config = torch.load('$W/init-fp16.pt', map_location='cpu')['run_config']['model']
print(' '.join('--set %s=%s' % (k, json.dumps(v, separators=(',', ':'))) for k, v in config.items()))")
python3 -m models.train --family jamba --tokens $W/tokens.npz --run-dir $W/runs/$name $sets \
    --batch ${ADAPT_BATCH:-192} --seq-len 256 --steps ${ADAPT_STEPS:-400} --warmup ${ADAPT_WARMUP:-40} \
    --lr ${ADAPT_LR:-5e-4} --min-lr-ratio 0.1 --weight-decay 0.1 --eval-every ${ADAPT_EVAL_EVERY:-100} \
    --eval-batch 64 --log-every 10 --checkpoint-every 0 --best-source squality-held \
    --init-from $W/init-fp16.pt --rewarm 1 2>&1 | tee $W/$name.log
nvidia-smi --query-gpu=name,utilization.gpu,memory.used --format=csv
tar czf $OUT/$name-logs.tgz -C $W $name.log runs/$name/eval.jsonl runs/$name/log.csv runs/$name/best.json \
    runs/$name/run_config.json
(cd $W/runs/$name && tar cf - best-fp16.pt | split -b 15m -d -a 2 - $OUT/$name-best.tar.)
grep -h '"step"' $W/runs/$name/eval.jsonl | python3 -c "
import json, sys
for line in sys.stdin:
    r = json.loads(line); c, z = r['carried'], r['reset']
    print(r['step'], r['tokens'], 'all %.4f/%.4f' % (c['bpb'], z['bpb']),
          ' '.join('%s %.4f/%.4f' % (s, c['by_source'][s], z['by_source'][s]) for s in sorted(c['by_source'])))"
echo "call: $(( $(date +%s) - T0 )) s"
