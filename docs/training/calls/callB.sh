# Call B: 4 runs in parallel with a full cosine schedule (1600 steps); jamba-a in two legs (resume).
set -x
export PYTHONUNBUFFERED=1
cd "$(dirname "$0")"
python3 -m models.train_data --tokenize text.json.gz --tokenizer tokenizer.json --out tokens.npz || exit 1
J='--set vocab_size=4096 --set hidden_size=256 --set num_hidden_layers=6 --set layer_types=["mamba","mamba","attention","mamba","mamba","attention"] --set ffn_types=["mlp","moe","mlp","mlp","moe","mlp"] --set num_attention_heads=4 --set num_key_value_heads=2 --set intermediate_size=384 --set num_experts=4 --set memory=256 --set mamba_headdim=64 --set init_std=0.02'
G='--set vocab_size=4096 --set hidden_size=256 --set layer_types=["sliding_attention","full_attention","sliding_attention","full_attention","sliding_attention","full_attention","sliding_attention","full_attention"] --set num_attention_heads=4 --set num_key_value_heads=2 --set intermediate_size=768 --set sliding_window=128 --set memory=512 --set init_std=0.02'
C="--tokens tokens.npz --batch 64 --seq-len 256 --steps 1600 --warmup 100 --eval-every 200 --checkpoint-every 400"
set -f
( python3 -m models.train --family jamba $J $C --lr 2e-3 --run-dir runs/jamba-a --until 800 --max-minutes 2.4 > $OUT/jamba-a.log 2>&1;
  python3 -m models.train --family jamba $J $C --lr 2e-3 --run-dir runs/jamba-a --resume --max-minutes 2.4 >> $OUT/jamba-a.log 2>&1 ) &
python3 -m models.train --family jamba $J $C --lr 4e-3 --run-dir runs/jamba-b --max-minutes 4.8 > $OUT/jamba-b.log 2>&1 &
python3 -m models.train --family gemma2 $G $C --lr 3e-3 --run-dir runs/gemma2-a --max-minutes 4.8 > $OUT/gemma2-a.log 2>&1 &
python3 -m models.train --family gemma2 $G $C --lr 3e-3 --weight-decay 0.3 --run-dir runs/gemma2-b --max-minutes 4.8 > $OUT/gemma2-b.log 2>&1 &
sleep 90; nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv
wait
set +f
tar czf $OUT/runsB.tgz runs/*/log.csv runs/*/eval.jsonl runs/*/best.json runs/*/run_config.json
python3 - <<'PY'
import json, shutil, os
from pathlib import Path
for fam in ("jamba", "gemma2"):
    runs = [p for p in Path("runs").glob(fam + "-*") if (p / "best.json").exists()]
    best = min(runs, key=lambda p: json.loads((p / "best.json").read_text())["fp16_weights"]["carried"]["bpb"])
    print(fam, "best run", best)
    shutil.copy(best / "best-fp16.pt", Path(os.environ["OUT"]) / f"{fam}-best-fp16.pt")
PY
ls -la runs/* $OUT
