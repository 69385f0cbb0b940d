#!/usr/bin/env bash
# Podman's Docker-compatible API on a socket, for Testcontainers (and the docker client) on a
# machine without a Docker daemon: starts `podman system service` in the background unless the
# socket already answers, then prints the DOCKER_HOST to use. Idempotent. Run as root (or sudo).
# Usage: export DOCKER_HOST=$(deploy/containers/podman-socket.sh) TESTCONTAINERS_RYUK_DISABLED=true
set -euo pipefail
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
socket=${BATON_PODMAN_SOCKET:-/run/podman/podman.sock}
answers() { curl -sf --max-time 3 --unix-socket "$socket" http://d/_ping >/dev/null 2>&1; }
if ! answers; then
  as_root mkdir -p "$(dirname "$socket")"
  # from /: the service outlives this script, and conmon fails ("Failed to get working directory")
  # once the directory it was started in is gone (a CI run's work folder, removed at its end)
  (cd / && as_root nohup podman system service -t 0 "unix://$socket") >/tmp/podman-service.log 2>&1 &
  for _ in $(seq 1 30); do answers && break; sleep 1; done
  answers || { echo "podman-socket: $socket does not answer (see /tmp/podman-service.log)" >&2; exit 1; }
fi
echo "unix://$socket"
