"""CPU time per process and thread group, sampled from /proc, for a benchmark on a shared machine.

    python3 bench/proc_cpu.py record OUT.tsv [interval-seconds]   # until killed (SIGTERM/SIGINT)
    python3 bench/proc_cpu.py summary OUT.tsv START END            # cores used per group in [START, END] (epoch s)
    python3 bench/proc_cpu.py gc START END GC-LOG...                # each JVM's GC pauses in [START, END]

`record` writes, every interval, one line per (process, thread group) with the cumulative CPU seconds
(user + system) of that group's threads: `time  process  group  seconds`, plus a line `time  machine
busy  seconds` with the machine's busy time from /proc/stat (all cores). A process is named by role:
`memory-service` (a java run as `-jar .../memory-service.jar`), `java` (any other JVM, the
benchmark's with the inference service in it), `redis-server`, `python3`; a thread group is the
thread's name with digits replaced by '#' ("reactor-http-epoll-#", "baton-encoding-#"), so a pool's
threads add up. Threads that end between samples lose their last interval (pools here live long).

`summary` prints the cores each group used between two times (the difference of the cumulative
seconds at the samples nearest to them, divided by the time between those samples), largest first.

`gc` reads unified GC logs written with `-Xlog:gc,gc+init:file=gc-%p.log:timemillis` and prints, per log, the
JVM's maximum heap, and the count, total and longest of its pauses that began in [START, END].
"""
import os
import re
import signal
import sys
import time

TICK = os.sysconf("SC_CLK_TCK")
ROLES = ("java", "redis-server", "python3")


def role(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            comm = f.read().strip()
        if comm not in ROLES:
            return None
        if comm == "java":
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                args = f.read().split(b"\0")
            # the memory service runs from its jar (java ... -jar .../memory-service.jar); the benchmark's JVM
            # only names that jar in a system property
            if b"-jar" in args and args.index(b"-jar") + 1 < len(args) \
                    and args[args.index(b"-jar") + 1].endswith(b"memory-service.jar"):
                return "memory-service"
        return comm
    except OSError:
        return None


def thread_seconds(pid):
    groups = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return groups
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        seconds = (int(fields[11]) + int(fields[12])) / TICK  # utime, stime
        group = re.sub(r"\d+", "#", name)
        groups[group] = groups.get(group, 0.0) + seconds
    return groups


def machine_busy():
    with open("/proc/stat") as f:
        cpu = f.readline().split()[1:]
    values = [int(v) for v in cpu]
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values[:8]) - idle) / TICK


def record(path, interval):
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    # a thread that ended keeps counting at its last value, so pools that shrink do not go backwards
    last = {}
    with open(path, "w") as out:
        while not stop:
            now = time.time()
            seen = {}
            for pid in filter(str.isdigit, os.listdir("/proc")):
                r = role(pid)
                if r is None:
                    continue
                for group, seconds in thread_seconds(pid).items():
                    key = (r, pid, group)
                    seen[key] = max(seconds, last.get(key, 0.0))
            last.update(seen)
            totals = {}
            for (r, _pid, group), seconds in last.items():
                totals[(r, group)] = totals.get((r, group), 0.0) + seconds
            for (r, group), seconds in sorted(totals.items()):
                out.write(f"{now:.3f}\t{r}\t{group}\t{seconds:.2f}\n")
            out.write(f"{now:.3f}\tmachine\tbusy\t{machine_busy():.2f}\n")
            out.flush()
            time.sleep(interval)


def summary(path, start, end):
    samples = {}
    for line in open(path):
        t, r, group, seconds = line.rstrip("\n").split("\t")
        samples.setdefault(float(t), {})[(r, group)] = float(seconds)
    times = sorted(samples)
    t0 = min(times, key=lambda t: abs(t - start))
    t1 = min(times, key=lambda t: abs(t - end))
    if t1 <= t0:
        sys.exit(f"no samples between {start} and {end}")
    span = t1 - t0
    used = {key: (samples[t1].get(key, 0.0) - samples[t0].get(key, 0.0)) / span for key in samples[t1]}
    by_process = {}
    for (r, group), cores in used.items():
        if r != "machine":
            by_process[r] = by_process.get(r, 0.0) + cores
    print(f"# {span:.1f} s from {t0:.1f} to {t1:.1f}; cores used (CPU seconds per second)")
    print(f"machine busy: {used.get(('machine', 'busy'), 0.0):.2f}")
    for r, cores in sorted(by_process.items(), key=lambda kv: -kv[1]):
        print(f"{r}: {cores:.2f}")
        for (rr, group), c in sorted(used.items(), key=lambda kv: -kv[1]):
            if rr == r and c >= 0.02:
                print(f"    {group}: {c:.2f}")


def gc(start, end, logs):
    for log in logs:
        heap, pauses = "?", []
        for line in open(log):
            m = re.match(r"\[(\d+)ms\]\s*(.*)", line)
            if not m:
                continue
            at, text = int(m.group(1)) / 1000, m.group(2)
            h = re.search(r"Heap Max Capacity: (\S+)", text)
            if h:
                heap = h.group(1)
            p = re.search(r"Pause.* ([0-9.]+)ms$", text)
            if p and start <= at <= end:
                pauses.append(float(p.group(1)))
        print(f"{os.path.basename(log)} (heap {heap}): {len(pauses)} pauses, {sum(pauses):.1f} ms in all, "
              f"longest {max(pauses, default=0):.1f} ms, {sum(pauses) / 1000 / (end - start) * 100:.1f} % of the time")


if __name__ == "__main__":
    if sys.argv[1] == "record":
        record(sys.argv[2], float(sys.argv[3]) if len(sys.argv) > 3 else 1.0)
    elif sys.argv[1] == "gc":
        gc(float(sys.argv[2]), float(sys.argv[3]), sys.argv[4:])
    elif sys.argv[1] == "summary":
        summary(sys.argv[2], float(sys.argv[3]), float(sys.argv[4]))
    else:
        sys.exit(__doc__)
