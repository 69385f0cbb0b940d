#!/usr/bin/env python3
"""The rendered Kubernetes overlay as podman 4.3's `play kube` runs it (deploy/kube-e2e).

  kube-podman.py split RENDERED.yaml OUT-DIR PREFIX GATEWAY-PORT REDIS-UID RABBITMQ-UID
      Writes one file per workload (the ConfigMaps and the workload), one per Secret, and
      OUT-DIR/plan.json (per workload: its file, pod name, network aliases, volumes, readiness
      probes). Prints every change made to the rendered objects and every object dropped: the gap
      between this run and a cluster (docs/deployment.md#running-the-cpu-overlay-with-podman-play-kube).
  kube-podman.py ready PLAN.json SECONDS
      Runs each container's readinessProbe as written in the manifest (httpGet and tcpSocket from
      the host to the pod's address, exec inside the container) until all pass, like the kubelet.

podman 4.3 plays Pods, Deployments, PersistentVolumeClaims and the ConfigMaps beside them; a
Service, a StatefulSet, a NetworkPolicy or an autoscaler it does not run.
"""
import base64
import json
import re
import socket
import subprocess
import sys
import time
import urllib.request

import yaml

# Not run by podman; what stands for them here is said where each is handled.
DROPPED = {
    "Namespace": "one podman network per run stands for the namespace",
    "Service": "each Service's name is a DNS alias of the pods it selects on the run's network (no virtual IP, no load balancing)",
    "PodDisruptionBudget": "no voluntary disruptions here",
    "HorizontalPodAutoscaler": "one replica of each",
    "ScaledObject": "no KEDA: one replica of each",
    "TriggerAuthentication": "no KEDA",
    "ServiceMonitor": "no Prometheus Operator",
    "PrometheusRule": "no Prometheus Operator",
    "NetworkPolicy": "not enforced: every pod on the run's network reaches every other",
}
WORKLOADS = ("Deployment", "StatefulSet")
STAND_IN_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def change(what):
    print(f"  - {what}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def strip_prefix(name, prefix):
    return name[len(prefix):] if name.startswith(prefix) else name


def secret_values(secrets):
    return {s["metadata"]["name"]: {k: base64.b64decode(v).decode() for k, v in s.get("data", {}).items()}
            for s in secrets}


def config_values(configmaps):
    return {c["metadata"]["name"]: dict(c.get("data", {})) for c in configmaps}


def expand_references(workload, container, secrets, configs):
    """$(VAR) in env values, command and args, as the kubelet expands them (podman 4.3 does not:
    containers/podman#15983, #24181). Only variables of the container's own env and envFrom."""
    known = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            known.update(configs[source["configMapRef"]["name"]])
        if "secretRef" in source:
            known.update(secrets[source["secretRef"]["name"]])
    pattern = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")
    expanded = []

    def expand(text):
        result = pattern.sub(lambda m: known.get(m.group(1), m.group(0)), text)
        if result != text:
            expanded.extend(sorted(set(pattern.findall(text))))
        return result

    for env in container.get("env", []):
        if "value" in env:
            env["value"] = expand(env["value"])
            known[env["name"]] = env["value"]
        elif "secretKeyRef" in env.get("valueFrom", {}):
            ref = env["valueFrom"]["secretKeyRef"]
            known[env["name"]] = secrets[ref["name"]][ref["key"]]
        elif "configMapKeyRef" in env.get("valueFrom", {}):
            ref = env["valueFrom"]["configMapKeyRef"]
            known[env["name"]] = configs[ref["name"]][ref["key"]]
    for key in ("command", "args"):
        if key in container:
            container[key] = [expand(a) for a in container[key]]
    if expanded:
        change(f"{workload}/{container['name']}: expanded {', '.join('$(%s)' % v for v in sorted(set(expanded)))} "
               "in env, command and args (the kubelet does it; podman 4.3 passes them on literally)")


def container_port(container, port):
    if isinstance(port, int):
        return port
    for p in container.get("ports", []):
        if p.get("name") == port:
            return p["containerPort"]
    raise SystemExit(f"{container['name']}: no port named {port}")


def readiness(container):
    probe = container.get("readinessProbe")
    if not probe:
        raise SystemExit(f"{container['name']}: no readinessProbe")
    if "httpGet" in probe:
        return {"httpGet": {"path": probe["httpGet"].get("path", "/"),
                            "port": container_port(container, probe["httpGet"]["port"])}}
    if "tcpSocket" in probe:
        return {"tcpSocket": {"port": container_port(container, probe["tcpSocket"]["port"])}}
    return {"exec": probe["exec"]["command"]}


def split(rendered, out, prefix, gateway_port, redis_uid, rabbitmq_uid):
    docs = [d for d in yaml.safe_load_all(open(rendered)) if d]
    by_kind = {}
    for d in docs:
        by_kind.setdefault(d["kind"], []).append(d)
    configmaps, secrets = by_kind.get("ConfigMap", []), by_kind.get("Secret", [])
    secret_data, config_data = secret_values(secrets), config_values(configmaps)
    services = by_kind.get("Service", [])

    print("changes to the rendered objects (the gap between this run and a cluster):")
    for kind, objects in sorted(by_kind.items()):
        if kind in DROPPED:
            names = ", ".join(strip_prefix(o["metadata"]["name"], prefix) for o in objects)
            change(f"dropped {len(objects)} {kind} ({names}): {DROPPED[kind]}")
        elif kind not in WORKLOADS + ("ConfigMap", "Secret"):
            raise SystemExit(f"rendered kind {kind} is not handled: say what stands for it here")
    change(f"{len(secrets)} Secrets (throwaway values made for this run) become podman secrets of the same "
           "names (podman secret create), which secretKeyRef and envFrom read")

    plan = {"workloads": [], "secrets": [], "volumes": []}
    for s in secrets:
        # podman 4.3 reads the secret a secretKeyRef names as a JSON object of base64 values: the
        # Secret's data alone (a whole Secret object it refuses).
        path = f"{out}/secret-{s['metadata']['name']}.json"
        json.dump(s["data"], open(path, "w"))
        plan["secrets"].append({"name": s["metadata"]["name"], "file": path})

    # Played in the order a reader expects (Kubernetes starts them all at once; so could this).
    order = ["redis", "rabbitmq", "memory", "inference", "gateway", "gateway-jobs"]
    workloads = sorted(by_kind.get("StatefulSet", []) + by_kind.get("Deployment", []),
                       key=lambda w: order.index(strip_prefix(w["metadata"]["name"], prefix))
                       if strip_prefix(w["metadata"]["name"], prefix) in order else len(order))
    for w in workloads:
        name = w["metadata"]["name"]
        short = strip_prefix(name, prefix)
        spec, pod = w["spec"], w["spec"]["template"]["spec"]
        labels = w["spec"]["template"]["metadata"]["labels"]
        volumes = []
        if w["kind"] == "StatefulSet":
            change(f"{short}: StatefulSet played as a Deployment of 1 pod (podman 4.3 plays Pods and Deployments)")
            for claim in spec.pop("volumeClaimTemplates", []):
                volume = f"{name}-{claim['metadata']['name']}"
                pod.setdefault("volumes", []).append(
                    {"name": claim["metadata"]["name"], "persistentVolumeClaim": {"claimName": volume}})
                volumes.append(volume)
                change(f"{short}: volumeClaimTemplate {claim['metadata']['name']} "
                       f"({claim['spec']['resources']['requests']['storage']}) is the podman volume {volume}, "
                       "made before the play and owned by the pod's user (podman applies no fsGroup)")
            for key in ("serviceName", "podManagementPolicy", "updateStrategy"):
                spec.pop(key, None)
            w["kind"] = "Deployment"
        spec["replicas"] = 1
        if pod.pop("topologySpreadConstraints", None):
            change(f"{short}: topologySpreadConstraints dropped (one host)")

        for c in pod["containers"]:
            expand_references(short, c, secret_data, config_data)
            if short in ("redis", "rabbitmq"):
                uid = redis_uid if short == "redis" else rabbitmq_uid
                old = (pod["securityContext"].get("runAsUser"), pod["securityContext"].get("runAsGroup"))
                pod["securityContext"].update(runAsUser=uid, runAsGroup=uid, fsGroup=uid)
                # The imported stand-in image sets no PATH, and podman 4.3's play kube adds none.
                # RabbitMQ's own scripts first, as in the official image: Debian's wrappers in
                # /usr/sbin write /var/log/rabbitmq/startup_log, on the read-only root filesystem.
                path = ("/usr/lib/rabbitmq/bin:" if short == "rabbitmq" else "") + STAND_IN_PATH
                c.setdefault("env", []).append({"name": "PATH", "value": path})
                change(f"{short}: env PATH={path} (the stand-in image has no PATH; the official one has"
                       + (", with RabbitMQ's scripts, not Debian's wrappers that write to /var/log" if short == "rabbitmq" else "")
                       + ")")
                if not c.get("command"):
                    c["command"] = [f"{short}-server"]
                    change(f"{short}: command [{short}-server] (the official image's entrypoint; the stand-in "
                           "image has none)")
                change(f"{short}: runAsUser/runAsGroup {old[0]}/{old[1]} -> {uid}/{uid}, the {short} user of "
                       "the stand-in image localhost/baton-base:bookworm (999 in the official image)")
            for m in c.get("volumeMounts", []):
                if "subPath" in m:
                    # podman 4.3 ignores subPath: it mounts the whole ConfigMap as a directory
                    # named like the file. The ConfigMap's folder instead, where that is the file's.
                    if not m["mountPath"].endswith("/" + m.pop("subPath")):
                        raise SystemExit(f"{short}: a subPath mount that is not the file's own name")
                    change(f"{short}/{c['name']}: {m['mountPath']} mounted by subPath -> the whole ConfigMap "
                           f"at {m['mountPath'].rsplit('/', 1)[0]} (podman 4.3 ignores subPath and mounts a "
                           "directory in the file's place)")
                    m["mountPath"] = m["mountPath"].rsplit("/", 1)[0]
            if c.pop("startupProbe", None):
                change(f"{short}/{c['name']}: startupProbe dropped (podman 4.3 ignores it); the script waits "
                       "on the readinessProbe itself")
            if c.get("lifecycle", {}).get("preStop", {}).get("sleep"):
                del c["lifecycle"]
                change(f"{short}/{c['name']}: preStop sleep dropped (podman 4.3 has no sleep action)")
        # podman 4.3 publishes every containerPort on the host, at the same number when no hostPort
        # is given (and the host's own Redis or a second run has it): a free one each, on loopback.
        for c in pod["containers"]:
            for p in c.get("ports", []):
                if short == "gateway" and p.get("name") == "http":
                    p.update(hostPort=gateway_port, hostIP="127.0.0.1")
                    change(f"{short}: hostPort {gateway_port} on 127.0.0.1 for its http port (no Service or "
                           "Ingress reaches it from outside)")
                else:
                    p.update(hostPort=free_port(), hostIP="127.0.0.1")
                    change(f"{short}/{c['name']}: port {p['containerPort']} gets a free hostPort {p['hostPort']} "
                           "on 127.0.0.1 (podman 4.3 publishes every containerPort on the host, at its own "
                           "number when no hostPort is given)")

        aliases = []
        for s in services:
            selector = s["spec"].get("selector", {})
            if selector and all(labels.get(k) == v for k, v in selector.items()):
                for p in s["spec"]["ports"]:
                    target = container_port(pod["containers"][0], p.get("targetPort", p["port"]))
                    if target != p["port"]:
                        raise SystemExit(f"Service {s['metadata']['name']} maps {p['port']} to {target}: "
                                         "an alias cannot; add the port mapping here")
                aliases.append(strip_prefix(s["metadata"]["name"], prefix))

        path = f"{out}/{short}.yaml"
        yaml.safe_dump_all(configmaps + [w], open(path, "w"))
        plan["workloads"].append({
            "name": short, "file": path, "pod": f"{name}-pod-0", "aliases": aliases, "volumes": volumes,
            "containers": [{"name": c["name"], "readiness": readiness(c)} for c in pod["containers"]],
        })
        plan["volumes"].extend(volumes)
        print(f"  = {short}: pod {name}-pod-0, DNS names {', '.join(aliases) or '(none)'}")
    json.dump(plan, open(f"{out}/plan.json", "w"), indent=1)


def podman(*args):
    return subprocess.run(["podman", *args], capture_output=True, text=True)


def pod_address(pod):
    infra = podman("pod", "inspect", "-f", "{{.InfraContainerID}}", pod).stdout.strip()
    nets = json.loads(podman("inspect", "-f", "{{json .NetworkSettings.Networks}}", infra).stdout or "{}")
    return next((n["IPAddress"] for n in nets.values() if n.get("IPAddress")), None)


def probe(pod, container, check):
    if "exec" in check:
        return podman("exec", f"{pod}-{container}", *check["exec"]).returncode == 0
    address = pod_address(pod)
    if not address:
        return False
    try:
        if "tcpSocket" in check:
            socket.create_connection((address, check["tcpSocket"]["port"]), timeout=3).close()
            return True
        url = f"http://{address}:{check['httpGet']['port']}{check['httpGet']['path']}"
        with urllib.request.urlopen(url, timeout=3) as answer:
            return 200 <= answer.status < 400
    except OSError:
        return False


def ready(plan_file, seconds):
    plan = json.load(open(plan_file))
    start = time.time()
    waiting = {(w["name"], w["pod"], c["name"]): c["readiness"] for w in plan["workloads"] for c in w["containers"]}
    while waiting:
        for key in list(waiting):
            name, pod, container = key
            state = podman("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", f"{pod}-{container}").stdout.strip()
            if state.startswith("exited"):
                print(f"{name}/{container} exited ({state}) before it was ready", file=sys.stderr)
                return 1
            if probe(pod, container, waiting[key]):
                print(f"kube-e2e: {name}/{container} ready after {time.time() - start:.0f} s "
                      f"({json.dumps(waiting.pop(key))})", file=sys.stderr)
        if waiting and time.time() - start > seconds:
            print(f"not ready within {seconds} s: {', '.join('/'.join(k[::2]) for k in waiting)}", file=sys.stderr)
            return 1
        time.sleep(2)
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "split":
        split(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7]))
    elif sys.argv[1] == "ready":
        sys.exit(ready(sys.argv[2], int(sys.argv[3])))
    else:
        raise SystemExit(__doc__)
