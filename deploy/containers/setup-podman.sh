#!/usr/bin/env bash
# Makes containers work on a machine without a Docker daemon and without an image registry (the CI
# machines): installs podman with the runc runtime and podman-compose from Debian, sets the two
# settings such machines need, and builds the local images that stand in for the public ones:
#   localhost/baton-base:bookworm        Debian bookworm minbase + openjdk-17-jre-headless,
#                                        redis-server, rabbitmq-server, curl, ca-certificates
#                                        (the JRE, build, Redis and RabbitMQ image)
#   localhost/baton-prometheus:bookworm  the base + Debian's prometheus binary (the Prometheus image)
# Idempotent: a few minutes the first time (debootstrap), about a second after. Run as root (or
# with sudo). Prints the base image's name last.
# Usage: deploy/containers/setup-podman.sh
set -euo pipefail
say() { echo "containers: $*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
BASE=localhost/baton-base:bookworm
PROMETHEUS=localhost/baton-prometheus:bookworm

need=(podman runc catatonit podman-compose golang-github-containernetworking-plugin-dnsname
      dnsmasq-base uidmap slirp4netns fuse-overlayfs debootstrap)
missing=()
for p in "${need[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Root on these machines lacks CAP_SYS_RESOURCE (the runtime cannot set podman's default rlimits:
# "setrlimit RLIMIT_NOFILE: Operation not permitted"), and cgroups are v1 with a hybrid v2 mount,
# which crun refuses ("cgroups in hybrid mode not supported") and runc runs.
conf=/etc/containers/containers.conf
if ! grep -q 'runtime = "runc"' "$conf" 2>/dev/null; then
  say "writing $conf (default_ulimits = [], runtime = runc)"
  as_root mkdir -p /etc/containers
  printf '[containers]\ndefault_ulimits = []\n\n[engine]\nruntime = "runc"\n' | as_root tee "$conf" >/dev/null
fi

mirror() {
  local m
  m=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  [ -n "$m" ] || m=$(awk '/^deb / {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  echo "${m:-http://deb.debian.org/debian}"
}

if ! as_root podman image exists "$BASE"; then
  root=$(mktemp -d /tmp/baton-base.XXXXXX)
  say "building $BASE with debootstrap from $(mirror) (a few minutes)"
  as_root debootstrap --variant=minbase \
    --include=openjdk-17-jre-headless,ca-certificates,curl,redis-server,rabbitmq-server \
    bookworm "$root" "$(mirror)" >/tmp/baton-base-debootstrap.log 2>&1 \
    || { say "debootstrap failed: see /tmp/baton-base-debootstrap.log"; exit 1; }
  as_root tar -C "$root" -c . | as_root podman import -q - "$BASE" >/dev/null
  as_root rm -rf "$root"
fi

if ! as_root podman image exists "$PROMETHEUS"; then
  say "building $PROMETHEUS from Debian's prometheus package"
  work=$(mktemp -d /tmp/baton-prometheus.XXXXXX)
  (cd "$work" && apt-get download prometheus >/dev/null 2>&1) \
    || { as_root apt-get update -qq && (cd "$work" && apt-get download prometheus >/dev/null); }
  dpkg-deb -x "$work"/prometheus_*.deb "$work/root"
  cp "$work/root/usr/bin/prometheus" "$work/prometheus"
  printf 'FROM %s\nCOPY prometheus /usr/bin/prometheus\nENTRYPOINT ["/usr/bin/prometheus"]\n' "$BASE" > "$work/Containerfile"
  as_root podman build -q --format docker -t "$PROMETHEUS" "$work" >/dev/null
  rm -rf "$work"
fi
say "ready: podman $(podman --version | awk '{print $3}'), podman-compose, images $PROMETHEUS and:"
echo "$BASE"
