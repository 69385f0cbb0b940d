"""Training over consecutive segments: streams, carried-state validation, exact resume.

Byte-level token data (token id = byte, one byte per token) from the shared corpus and tiny
models keep these fast on the CPU with torch 1.13."""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from models.corpus import moby_dick_bytes
from models.train import IGNORE, RunConfig, Run, Streams, evaluate, lr_factor
from models.train_data import TokenData

TINY = {"jamba": {"hidden_size": 32, "num_hidden_layers": 2, "layer_types": ["mamba", "attention"],
                  "ffn_types": ["mlp", "moe"], "intermediate_size": 32, "memory": 24, "init_std": 0.02},
        "gemma2": {"hidden_size": 32, "layer_types": ["sliding_attention", "full_attention"],
                   "intermediate_size": 32, "sliding_window": 8, "memory": 24, "init_std": 0.02}}


def byte_docs(lengths, offset=0):
    docs, at = [], offset
    for n in lengths:
        docs.append(np.frombuffer(moby_dick_bytes(at, n), dtype=np.uint8).astype(np.int64))
        at += n
    return docs


def token_data(lengths, offset=0):
    return TokenData(byte_docs(lengths, offset), [f"src{i % 2}/d{i}" for i in range(len(lengths))],
                     np.ones(256, dtype=np.int32))


def test_streams_read_each_document_in_consecutive_segments():
    docs = byte_docs([50, 7, 33, 20])
    streams = Streams(docs, batch=2, seq_len=8, seed=1)
    read = {r: [] for r in range(2)}          # per row: the documents it read, as target lists
    dealt = []                                # the documents in the order they were dealt
    for _ in range(12):
        x, y, pos, fresh = streams.next_batch()
        for r in range(2):
            assert fresh[r] == (pos[r][0] == 0), "a stream starts from the zero state exactly at a document start"
            valid = y[r] != IGNORE
            assert np.array_equal(x[r][valid][1:], y[r][valid][:-1]), "targets are the next tokens"
            if fresh[r]:
                read[r].append([x[r][0]])
                dealt.append(read[r][-1])
            read[r][-1].extend(y[r][valid].tolist())
    finished = [doc for r in range(2) for doc in read[r][:-1]]
    assert len(finished) >= 4
    for doc in finished:
        assert any(len(doc) == len(d) and np.array_equal(doc, d) for d in docs), "read whole and in order"
    assert sorted(len(doc) for doc in dealt[:4]) == sorted(len(d) for d in docs), "an epoch deals each once"


def test_lr_warms_up_then_decays_to_the_floor():
    cfg = RunConfig(family="gemma2", steps=100, warmup=10, min_lr_ratio=0.1)
    assert lr_factor(0, cfg) == pytest.approx(0.1)
    assert lr_factor(9, cfg) == pytest.approx(1.0)
    assert lr_factor(55, cfg) == pytest.approx(0.55)
    assert lr_factor(100, cfg) == pytest.approx(0.1) and lr_factor(500, cfg) == pytest.approx(0.1)


@pytest.mark.parametrize("family", sorted(TINY))
def test_carried_evaluation_is_the_whole_document_pass(family, tmp_path):
    """Bits per byte with the state carried over 16-token segments equals the loss of one pass
    over each whole document; with the state reset it differs, over the same tokens."""
    data = token_data([70, 45])
    run = Run(RunConfig(family=family, model=TINY[family]), data, None, tmp_path, torch.device("cpu"))
    carried = evaluate(run.model, data, seq_len=16, batch=2, carried=True, device=torch.device("cpu"))
    reset = evaluate(run.model, data, seq_len=16, batch=2, carried=False, device=torch.device("cpu"))
    nll, n = 0.0, 0
    with torch.no_grad():
        for doc in data.docs:
            ids = torch.as_tensor(doc).unsqueeze(0)
            logits, _ = run.model(ids)
            nll += F.cross_entropy(logits[0, :-1], ids[0, 1:], reduction="sum").item()
            n += len(doc) - 1
    assert carried["tokens"] == reset["tokens"] == n == carried["bytes"]
    assert carried["bpb"] == pytest.approx(nll / math.log(2) / n, rel=1e-5)
    assert abs(carried["bpb"] - reset["bpb"]) > 1e-4
    assert set(carried["by_source"]) == {"src0", "src1"}


@pytest.mark.parametrize("family", sorted(TINY))
def test_resume_continues_exactly(family, tmp_path):
    data = token_data([90, 40, 65, 30])
    cfg = RunConfig(family=family, model=TINY[family], batch=2, seq_len=16, steps=8, warmup=2,
                    lr=3e-3, eval_every=0, log_every=2, checkpoint_every=0, dropout=0.2)
    cpu = torch.device("cpu")
    straight = Run(cfg, data, None, tmp_path / "a", cpu)
    straight.fit(6)
    first = Run(cfg, data, None, tmp_path / "b", cpu)
    first.fit(3)
    resumed = Run(cfg, data, None, tmp_path / "b", cpu)
    resumed.load()
    assert resumed.step == 3 and resumed.streams.state_dict() == first.streams.state_dict()
    resumed.fit(6)
    for (name, a), b in zip(straight.model.state_dict().items(), resumed.model.state_dict().values()):
        assert torch.equal(a, b), name
    assert resumed.tokens == straight.tokens
    lines = (tmp_path / "b" / "log.csv").read_text().splitlines()
    assert lines[0].startswith("step,") and [l.split(",")[0] for l in lines[1:]] == ["2", "4", "6"]


def test_init_from_continues_the_schedule_from_weights_alone(tmp_path):
    data = token_data([90, 40, 65, 30])
    cfg = RunConfig(family="jamba", model=TINY["jamba"], batch=2, seq_len=16, steps=12, warmup=2,
                    lr=3e-3, eval_every=0, log_every=2, checkpoint_every=0)
    cpu = torch.device("cpu")
    first = Run(cfg, data, None, tmp_path / "a", cpu)
    first.fit(5)                                            # a leg ends: checkpoint.pt and last-fp16.pt
    weights = tmp_path / "a" / "last-fp16.pt"
    later = Run(cfg, data, None, tmp_path / "b", cpu)       # another machine: the weights alone
    later.init_from(weights, rewarm=4)
    assert (later.step, later.tokens) == (first.step, first.tokens)
    for (name, a), b in zip(first.model.state_dict().items(), later.model.state_dict().values()):
        assert torch.equal(a.half().float() if a.is_floating_point() else a, b), name
    rates = []
    for _ in range(5):
        rates.append(later.lr())
        later.fit(later.step + 1)
    schedule = [cfg.lr * lr_factor(step, cfg) for step in range(5, 10)]
    assert rates[:4] == pytest.approx([schedule[i] * (i + 1) / 4 for i in range(4)]) and rates[4] == pytest.approx(schedule[4])
    assert later.streams.seed == cfg.seed + 5 and later.streams.state_dict() != first.streams.state_dict()
    resumed = Run(cfg, data, None, tmp_path / "b", cpu)    # a leg after it on that machine: --resume
    resumed.load()
    assert resumed.step == 10 and resumed.streams.state_dict() == later.streams.state_dict()
    assert (resumed.rewarm_from, resumed.rewarm) == (5, 4)
    other = RunConfig(family="jamba", model=dict(TINY["jamba"], intermediate_size=48))
    with pytest.raises(ValueError, match="another model"):
        Run(other, data, None, tmp_path / "c", cpu).init_from(weights, rewarm=4)


@pytest.mark.parametrize("family", sorted(TINY))
def test_residual_dropout_acts_in_training_only(family, tmp_path):
    data = token_data([40])
    run = Run(RunConfig(family=family, model=TINY[family], dropout=0.5), data, None, tmp_path, torch.device("cpu"))
    plain = Run(RunConfig(family=family, model=TINY[family]), data, None, tmp_path, torch.device("cpu"))
    assert run.dropout_sites >= 2 * len(run.model.layers) and plain.dropout_sites == 0
    ids = torch.as_tensor(data.docs[0]).unsqueeze(0)
    run.model.eval()
    with torch.no_grad():
        assert torch.equal(run.model(ids)[0], plain.model.eval()(ids)[0])
    run.model.train()
    with torch.no_grad():
        assert not torch.equal(run.model(ids)[0], plain.model(ids)[0])


def test_training_lowers_the_held_out_loss(tmp_path):
    train, val = token_data([400] * 6), token_data([200, 200], offset=5_000)
    cfg = RunConfig(family="gemma2", model=TINY["gemma2"], batch=4, seq_len=32, steps=60, warmup=5,
                    lr=1e-2, eval_every=0, checkpoint_every=0, eval_batch=2)
    run = Run(cfg, train, val, tmp_path, torch.device("cpu"))
    before = run.run_eval()["carried"]["bpb"]
    run.fit(60)
    after = run.run_eval()
    assert after["carried"]["bpb"] < before - 1.0, (before, after)
    assert (tmp_path / "checkpoint.pt").exists() and len((tmp_path / "eval.jsonl").read_text().splitlines()) == 2


def test_best_weights_can_be_chosen_on_one_source(tmp_path):
    """With ``best_source`` the best weights are those best on that source, not on all of the text:
    two evaluations whose sources disagree keep different weights."""
    data = token_data([90, 40, 65, 30])
    cfg = RunConfig(family="jamba", model=TINY["jamba"], batch=2, seq_len=16, steps=4, warmup=1,
                    lr=3e-3, eval_every=0, log_every=2, checkpoint_every=0, best_source="src1")
    run = Run(cfg, data, None, tmp_path, torch.device("cpu"))
    worse_overall = {"carried": {"bpb": 2.0, "by_source": {"src0": 3.0, "src1": 1.0}}}
    better_overall = {"carried": {"bpb": 1.5, "by_source": {"src0": 1.0, "src1": 2.0}}}
    assert run.choice(worse_overall) < run.choice(better_overall)
    run.cfg = RunConfig(**{**run.cfg.__dict__, "best_source": ""})
    assert run.choice(better_overall) < run.choice(worse_overall)


def test_the_best_weights_file_follows_the_best_evaluation_also_across_a_resumed_run(tmp_path, monkeypatch):
    """``best-fp16.pt`` is rewritten only by an evaluation better than every earlier one, those of the run a
    resumed ``Run`` continues included (read once from the file, then remembered)."""
    scores = iter([2.0, 2.0, 1.5, 1.5, 1.8, 1.8, 1.7, 1.7, 1.4, 1.4])      # carried, reset per evaluation
    monkeypatch.setattr("models.train.evaluate", lambda *args: {"bpb": next(scores), "by_source": {}})
    data = token_data([90, 40, 65, 30])
    cfg = RunConfig(family="jamba", model=TINY["jamba"], batch=2, seq_len=16, steps=4, warmup=1,
                    eval_every=0, log_every=2, checkpoint_every=0)
    best = tmp_path / "best-fp16.pt"

    def best_bpb():
        return torch.load(best)["eval"]["carried"]["bpb"]

    run = Run(cfg, data, data, tmp_path, torch.device("cpu"))
    for expected in (2.0, 1.5, 1.5):
        run.run_eval()
        assert best_bpb() == expected
    resumed = Run(cfg, data, data, tmp_path, torch.device("cpu"))
    written = best.stat().st_mtime_ns
    resumed.run_eval()                       # 1.7: worse than the file's 1.5
    assert best_bpb() == 1.5 and best.stat().st_mtime_ns == written
    resumed.run_eval()                       # 1.4
    assert best_bpb() == 1.4
