"""Our own rules for deploy/, beyond what hadolint, compose and kubeconform check.

    policy.py dockerfile FILE...      every runnable stage: non-root USER and a HEALTHCHECK;
                                      every base image pinned to a tag (never latest)
    policy.py compose CONFIG.json     `docker compose config --format json` output: non-root,
                                      read-only, no capabilities; only loopback ports; the
                                      connectors' network internal; no CA key in connectors
    policy.py k8s FILE...             non-root, read-only, no capabilities, requests and limits,
                                      probes; only the host reaches connectors (NetworkPolicy);
                                      the host config's endpoints are the connector Services
    policy.py secrets SECRETS FILE... the Secrets `ecma2 certs init --k8s` wrote are the ones the
                                      manifests mount, with tls.crt, tls.key and ca.crt
    policy.py host-toml CONFIGMAP     prints host.toml from the host ConfigMap

Each prints one line per problem and exits 1 when there is any.
"""

from __future__ import annotations

import json
import re
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from dockerfile_parse import DockerfileParser

problems: list[str] = []


def problem(where: str, text: str) -> None:
    problems.append(f"{where}: {text}")


# --- Dockerfiles ------------------------------------------------------------------------------


def dockerfile(path: Path) -> None:
    with path.open("rb") as f:
        parser = DockerfileParser(fileobj=f)
        structure = parser.structure
    args: dict[str, str] = {}
    stages: list[dict[str, Any]] = []
    for ins in structure:
        kind, value = ins["instruction"], ins["value"]
        if kind == "ARG" and not stages:
            name, _, default = value.partition("=")
            args[name.strip()] = default.strip()
        elif kind == "FROM":
            words = value.split()
            image = re.sub(r"\$\{?(\w+)\}?", lambda m: args.get(m.group(1), m.group(0)), words[0])
            name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
            stages.append({"image": image, "name": name, "line": ins["startline"] + 1, "ins": []})
        elif stages:
            stages[-1]["ins"].append((kind, value))
    names = {s["name"] for s in stages if s["name"]}
    if not stages:
        problem(str(path), "no FROM")
    for stage in stages:
        where = f"{path}:{stage['line']}"
        image = stage["image"]
        if image not in names and image != "scratch":
            repo, _, tag = image.rpartition(":") if ":" in image.split("/")[-1] else (image, "", "")
            if "@sha256:" not in image and (not tag or tag == "latest" or "$" in tag):
                problem(where, f"base image {image!r} is not pinned to a version tag or digest")
        kinds = [k for k, _ in stage["ins"]]
        if "ENTRYPOINT" not in kinds and "CMD" not in kinds:
            continue  # a build stage
        label = stage["name"] or "final stage"
        users = [v for k, v in stage["ins"] if k == "USER"]
        if not users:
            problem(where, f"{label} runs as root: no USER")
        else:
            user = users[-1].split(":")[0]
            if user in {"root", "0"} or not user.isdigit():
                problem(where, f"{label}: USER {users[-1]!r} is not a numeric non-root uid")
        checks = [v for k, v in stage["ins"] if k == "HEALTHCHECK"]
        if not checks or checks[-1].strip().upper() == "NONE":
            problem(where, f"{label} has no HEALTHCHECK")


# --- compose ----------------------------------------------------------------------------------


def compose(path: Path) -> None:
    config = json.loads(path.read_text())
    services: dict[str, Any] = config.get("services", {})
    networks: dict[str, Any] = config.get("networks", {})
    for name, svc in services.items():
        where = f"compose service {name}"
        user = str(svc.get("user", "")).split(":")[0]
        if not user.isdigit() or user == "0":
            problem(where, f"user {svc.get('user')!r} is not a numeric non-root uid")
        if not svc.get("read_only"):
            problem(where, "root filesystem is not read_only")
        if "ALL" not in (svc.get("cap_drop") or []):
            problem(where, "cap_drop does not drop ALL")
        if svc.get("cap_add"):
            problem(where, f"cap_add {svc['cap_add']}")
        if svc.get("privileged"):
            problem(where, "privileged")
        if "no-new-privileges:true" not in (svc.get("security_opt") or []):
            problem(where, "security_opt lacks no-new-privileges:true")
        if svc.get("network_mode") == "host":
            problem(where, "network_mode host")
        for port in svc.get("ports") or []:
            if port.get("published") and port.get("host_ip") not in {"127.0.0.1", "::1"}:
                problem(where, f"port {port.get('published')} is published beyond loopback")
        dockerfile_name = str((svc.get("build") or {}).get("dockerfile", ""))
        is_connector = dockerfile_name.endswith(("Dockerfile.demo", "Dockerfile.hr-python"))
        if is_connector:
            if svc.get("ports"):
                problem(where, "a connector publishes ports")
            for net in svc.get("networks") or {}:
                if not networks.get(net, {}).get("internal"):
                    problem(where, f"a connector on network {net!r}, which is not internal")
            for vol in svc.get("volumes") or []:
                sub = (vol.get("volume") or {}).get("subpath")
                if vol.get("source") == "pki" and sub in {None, "", "ca", "host"}:
                    problem(where, f"mounts pki subpath {sub!r}: more than its own certificate")
                if vol.get("source") == "pki" and not vol.get("read_only"):
                    problem(where, "mounts its certificate read-write")
    published = [n for n, s in services.items() if s.get("ports")]
    if len(published) != 1:
        problem("compose", f"expected exactly one service publishing the engine, got {published}")
    host = services.get("host", {})
    if host.get("ports"):
        problem("compose service host", "publishes ports itself")


# --- Kubernetes -------------------------------------------------------------------------------


def documents(paths: list[Path]) -> Iterator[tuple[Path, dict[str, Any]]]:
    for path in paths:
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                yield path, doc


def k8s(paths: list[Path]) -> None:
    docs = list(documents(paths))
    by_kind: dict[str, list[tuple[Path, dict[str, Any]]]] = {}
    for path, doc in docs:
        by_kind.setdefault(doc.get("kind", ""), []).append((path, doc))
    connector_labels: list[dict[str, str]] = []
    host_labels: dict[str, str] = {}
    for path, doc in by_kind.get("Deployment", []):
        name = doc["metadata"]["name"]
        where = f"{path.name} Deployment {name}"
        pod = doc["spec"]["template"]["spec"]
        labels = doc["spec"]["template"]["metadata"].get("labels", {})
        component = labels.get("app.kubernetes.io/component")
        if component == "connector":
            connector_labels.append(labels)
        elif component == "host":
            host_labels = labels
        else:
            problem(where, "no app.kubernetes.io/component label (host or connector)")
        psc = pod.get("securityContext", {})
        if psc.get("runAsNonRoot") is not True:
            problem(where, "pod securityContext.runAsNonRoot is not true")
        if psc.get("seccompProfile", {}).get("type") != "RuntimeDefault":
            problem(where, "pod seccompProfile is not RuntimeDefault")
        if pod.get("automountServiceAccountToken") is not False:
            problem(where, "automountServiceAccountToken is not false")
        containers = pod.get("containers", [])
        for c in pod.get("initContainers", []) + containers:
            cw = f"{where} container {c['name']}"
            sc = c.get("securityContext", {})
            if sc.get("readOnlyRootFilesystem") is not True:
                problem(cw, "readOnlyRootFilesystem is not true")
            if sc.get("allowPrivilegeEscalation") is not False:
                problem(cw, "allowPrivilegeEscalation is not false")
            if "ALL" not in sc.get("capabilities", {}).get("drop", []):
                problem(cw, "capabilities do not drop ALL")
            res = c.get("resources", {})
            for part in ("requests", "limits"):
                for what in ("cpu", "memory"):
                    if what not in res.get(part, {}):
                        problem(cw, f"no resources.{part}.{what}")
            if ":" in c.get("image", "") and c["image"].endswith(":latest"):
                problem(cw, "image tag latest")
        for c in containers:
            cw = f"{where} container {c['name']}"
            for probe in ("readinessProbe", "livenessProbe"):
                spec = c.get(probe)
                if not spec:
                    problem(cw, f"no {probe}")
                elif component == "connector" and "grpc" not in spec:
                    problem(cw, f"{probe} is not a grpc: probe")
                elif component == "host" and "ecma2-probe" not in json.dumps(spec):
                    problem(cw, f"{probe} does not ask grpc.health.v1 through ecma2-probe")
    if not connector_labels or not host_labels:
        problem("k8s", "expected a host Deployment and connector Deployments")

    # Only the host reaches connectors, on the TLS port only.
    guarded = False
    for path, doc in by_kind.get("NetworkPolicy", []):
        spec = doc["spec"]
        selector = spec.get("podSelector", {}).get("matchLabels", {})
        if selector.get("app.kubernetes.io/component") != "connector":
            continue
        guarded = "Ingress" in spec.get("policyTypes", [])
        for rule in spec.get("ingress", []):
            peers = rule.get("from", [])
            if not peers:
                problem(f"{path.name}", "a connector ingress rule without `from` admits anyone")
            for peer in peers:
                labels = peer.get("podSelector", {}).get("matchLabels")
                if peer.get("ipBlock") or peer.get("namespaceSelector") or labels is None:
                    problem(f"{path.name}", f"connector ingress from {peer} is not the host")
                elif any(host_labels.get(k) != v for k, v in labels.items()):
                    problem(f"{path.name}", f"connector ingress from {labels}: not the host")
            ports = [p.get("port") for p in rule.get("ports", [])]
            if ports != [7000]:
                problem(f"{path.name}", f"connector ingress ports {ports}, expected [7000]")
    if not guarded:
        problem("k8s", "no NetworkPolicy restricts ingress to connector pods")

    # The host's configuration reaches the connector Services over mutual TLS.
    services = {
        (d["metadata"]["name"], d["metadata"].get("namespace", "default")): d
        for _, d in by_kind.get("Service", [])
    }
    for path, doc in by_kind.get("ConfigMap", []):
        if "host.toml" not in doc.get("data", {}):
            continue
        config = tomllib.loads(doc["data"]["host.toml"])
        for c in config.get("connector", []):
            where = f"{path.name} host.toml connector {c.get('name')}"
            tls = c.get("tls", {})
            if not {"ca", "cert", "key"} <= tls.keys():
                problem(where, "not mutual TLS: [connector.tls] needs ca, cert and key")
            m = re.fullmatch(r"tcp:([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.cluster\.local:(\d+)", c.get("endpoint", ""))
            if not m:
                problem(where, f"endpoint {c.get('endpoint')!r} is not a cluster Service name")
                continue
            svc = services.get((m.group(1), m.group(2)))
            if svc is None:
                problem(where, f"no Service {m.group(1)} in namespace {m.group(2)}")
            elif int(m.group(3)) not in [p["port"] for p in svc["spec"]["ports"]]:
                problem(where, f"Service {m.group(1)} has no port {m.group(3)}")
    for (name, _), svc in services.items():
        for port in svc["spec"]["ports"]:
            if port["port"] != 7000:
                problem(f"Service {name}", f"exposes port {port['port']}; only 7000 (TLS) is meant")


def secrets(secrets_file: Path, manifests: list[Path]) -> None:
    made = {}
    for _, doc in documents([secrets_file]):
        if doc.get("type") != "kubernetes.io/tls":
            problem(str(secrets_file), f"{doc['metadata']['name']} is not kubernetes.io/tls")
        keys = set((doc.get("stringData") or doc.get("data") or {}).keys())
        if keys != {"tls.crt", "tls.key", "ca.crt"}:
            problem(str(secrets_file), f"{doc['metadata']['name']} has keys {sorted(keys)}")
        made[doc["metadata"]["name"]] = doc
    for path, doc in documents(manifests):
        if doc.get("kind") != "Deployment":
            continue
        for vol in doc["spec"]["template"]["spec"].get("volumes", []):
            secret = vol.get("secret")
            if secret and not secret.get("optional") and secret["secretName"] not in made:
                problem(f"{path.name}", f"mounts secret {secret['secretName']}, not made by certs")


def host_toml(configmap: Path) -> None:
    for _, doc in documents([configmap]):
        if "host.toml" in doc.get("data", {}):
            sys.stdout.write(doc["data"]["host.toml"])
            return
    problem(str(configmap), "no host.toml in it")


def main() -> int:
    command, *args = sys.argv[1:]
    paths = [Path(a) for a in args]
    if command == "dockerfile":
        for p in paths:
            dockerfile(p)
    elif command == "compose":
        compose(paths[0])
    elif command == "k8s":
        k8s(paths)
    elif command == "secrets":
        secrets(paths[0], paths[1:])
    elif command == "host-toml":
        host_toml(paths[0])
    else:
        print(f"unknown command {command}", file=sys.stderr)
        return 2
    for line in problems:
        print(f"  {line}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
