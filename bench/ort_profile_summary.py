"""Where an ONNX Runtime profile's time goes: the node events of a profile written with
session option enable_profiling (BatchThroughput's -Dbaton.bench.ort-profile=PREFIX), summed
per operator type and per execution provider, largest first.

Usage: python3 bench/ort_profile_summary.py PROFILE.json [top]
With CUDA_LAUNCH_BLOCKING=1 a CUDA node's time is that of its kernels; without it, only the
time to launch them."""
import collections
import json
import sys


def main() -> None:
    events = json.load(open(sys.argv[1]))
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    by_op, by_provider, count = collections.Counter(), collections.Counter(), collections.Counter()
    runs = [e["dur"] for e in events if e.get("cat") == "Session" and e.get("name") == "model_run"]
    for e in events:
        if e.get("cat") == "Node" and e.get("name", "").endswith("_kernel_time"):
            op = e["args"].get("op_name", "?")
            provider = e["args"].get("provider", "?")
            by_op[(op, provider)] += e["dur"]
            by_provider[provider] += e["dur"]
            count[(op, provider)] += 1
    total = sum(by_op.values()) or 1
    print(f"{len(runs)} runs, median {sorted(runs)[len(runs) // 2] / 1e3:.2f} ms per run" if runs else "no model_run events")
    print("| provider | node time (ms) | share |")
    print("|---|---:|---:|")
    for provider, us in by_provider.most_common():
        print(f"| {provider} | {us / 1e3:.1f} | {100 * us / total:.1f} % |")
    print()
    print("| operator | provider | nodes run | time (ms) | share |")
    print("|---|---|---:|---:|---:|")
    for (op, provider), us in by_op.most_common(top):
        print(f"| {op} | {provider} | {count[(op, provider)]} | {us / 1e3:.1f} | {100 * us / total:.1f} % |")


if __name__ == "__main__":
    main()
