# Shell functions the end-to-end scripts share (deploy/compose-e2e, deploy/kube-e2e): the container
# engine, the service jars and images, free ports, throwaway secrets. Sourced, not run; the script
# that sources it sets `say` and `fail` and runs from the repository root.

# Picks the engine: Docker where a daemon answers; otherwise podman after
# deploy/containers/setup-podman.sh, with the local base images standing in for the public ones (no
# registry is reachable there). Sets `engine` and exports the BATON_*_IMAGE variables.
e2e_engine() {
  if docker info >/dev/null 2>&1; then
    engine=docker
  else
    deploy/containers/setup-podman.sh >/dev/null
    engine=podman
    local base=localhost/baton-base:bookworm
    export BATON_JRE_IMAGE=$base BATON_BUILD_IMAGE=$base BATON_REDIS_IMAGE=$base BATON_RABBITMQ_IMAGE=$base
    export BATON_PROMETHEUS_IMAGE=localhost/baton-prometheus:bookworm
  fi
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
secret() { python3 -c 'import secrets; print(secrets.token_hex(24))'; }

# The three services' jars, unless BATON_E2E_KEEP_JARS=1 (use those in */target as they are).
build_jars() {
  [ "${BATON_E2E_KEEP_JARS:-0}" = 1 ] && return 0
  say "building the service jars"
  local mvn_args=(-q -B -pl memory-service,inference-service,gateway-service -am package -DskipTests)
  ./mvnw -o "${mvn_args[@]}" || ./mvnw "${mvn_args[@]}"
}

# One service image from deploy/containers/Dockerfile: build_image IMAGE SERVICE PORT [ONNXRUNTIME]
build_image() {
  local args=(-f deploy/containers/Dockerfile -t "$1" --build-arg "BATON_SERVICE=$2" --build-arg "BATON_PORT=$3"
              --build-arg "BATON_ONNXRUNTIME=${4:-}")
  [ -n "${BATON_JRE_IMAGE:-}" ] && args+=(--build-arg "BATON_JRE_IMAGE=$BATON_JRE_IMAGE")
  [ -n "${BATON_BUILD_IMAGE:-}" ] && args+=(--build-arg "BATON_BUILD_IMAGE=$BATON_BUILD_IMAGE")
  # podman writes OCI images by default, which drop HEALTHCHECK; the Docker format keeps it.
  [ "$engine" = podman ] && args+=(--format docker)
  $engine build -q "${args[@]}" . >/dev/null
}

# The three service images, each as baton/<service>[:TAG]: build_images [TAG]
build_images() {
  local tag=${1:+:$1}
  say "building the images"
  build_image "baton/memory-service$tag" memory-service 8082
  build_image "baton/inference-service$tag" inference-service 8081 onnxruntime
  build_image "baton/gateway-service$tag" gateway-service 8080
}

# The JSON body of a summary request: the first WORDS words of Moby Dick (data/corpus) and the model.
# summary_body WORDS MODEL OUT-FILE
summary_body() {
  python3 - "$1" "$2" "$3" <<'PY'
import json, re, sys
words, model, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
text = open("data/corpus/moby-dick/moby-dick.txt", encoding="utf-8").read()
cut = [m.end() for m in re.finditer(r"\S+", text)]
assert len(cut) >= words, f"Moby Dick has only {len(cut)} words"
json.dump({"text": text[:cut[words - 1]], "model": model}, open(out, "w"))
PY
}
