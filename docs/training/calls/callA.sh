# Call A: tokenizer, tokens, golden ids, a 2-minute learning-rate probe of both families.
set -x
export PYTHONUNBUFFERED=1
cd "$(dirname "$0")"
nvidia-smi --query-gpu=name,memory.total --format=csv
python3 -c "import torch, tokenizers, onnx, onnxruntime; print(torch.__version__, tokenizers.__version__, onnx.__version__, onnxruntime.__version__)"
python3 -m models.train_tokenizer --text text.json.gz --vocab 4096 --out tokenizer.json || exit 1
cp tokenizer.json $OUT/
python3 -m models.train_data --tokenize text.json.gz --tokenizer tokenizer.json --out tokens.npz | tee $OUT/tokens.json || exit 1
python3 - <<'PY' > $OUT/golden_ids.json
import json
from models.train_data import read_packed, golden_token_ids
moby = dict(read_packed("text.json.gz")["train"])["moby-dick"].encode("utf-8")
print(json.dumps({"source": "corpus/moby-dick/moby-dick.txt", "byte_offset": 50000,
                  "ids": golden_token_ids("tokenizer.json", moby[50000:60000], 256)}))
PY
J='--set vocab_size=4096 --set hidden_size=256 --set num_hidden_layers=6 --set layer_types=["mamba","mamba","attention","mamba","mamba","attention"] --set ffn_types=["mlp","moe","mlp","mlp","moe","mlp"] --set num_attention_heads=4 --set num_key_value_heads=2 --set intermediate_size=384 --set num_experts=4 --set memory=256 --set mamba_headdim=64 --set init_std=0.02'
G='--set vocab_size=4096 --set hidden_size=256 --set layer_types=["sliding_attention","full_attention","sliding_attention","full_attention","sliding_attention","full_attention","sliding_attention","full_attention"] --set num_attention_heads=4 --set num_key_value_heads=2 --set intermediate_size=768 --set sliding_window=128 --set memory=512 --set init_std=0.02'
COMMON="--tokens tokens.npz --batch 64 --seq-len 256 --steps 4000 --warmup 100 --eval-every 200 --max-minutes 2"
set -f
for lr in 2e-3 4e-3; do
  python3 -m models.train --family jamba $J $COMMON --lr $lr --run-dir runs/jamba-$lr > $OUT/jamba-$lr.log 2>&1 &
  python3 -m models.train --family gemma2 $G $COMMON --lr $lr --run-dir runs/gemma2-$lr > $OUT/gemma2-$lr.log 2>&1 &
done
sleep 60; nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv
wait
set +f
tar czf $OUT/probe.tgz runs/*/log.csv runs/*/eval.jsonl runs/*/best.json runs/*/run_config.json
ls -la runs/*
