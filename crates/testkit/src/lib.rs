//! Shared helpers for the integration tests: locating the real tools, rendering every generated
//! chart with Helm 3 and Helm 4 (once per chart × helm × values case, cached for the whole test
//! binary), splitting and parsing the rendered manifests, and running processes with a bound.
//!
//! A missing tool is a test failure, never a skip: the README test command installs them all.

use std::collections::{BTreeSet, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

/// Printed with every missing-tool failure.
pub const INSTALL_HINT: &str = "run scripts/test.sh (it installs the test tools)";

/// Release name and namespace used for every render, so that object names are predictable.
pub const RELEASE: &str = "rel";
pub const NAMESPACE: &str = "default";

/// Upper bound for one helm / validator / shellcheck process.
pub const TOOL_TIMEOUT: Duration = Duration::from_secs(60);

/// The repository root (this package lives in `crates/testkit`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Real users' values files, vendored with their provenance (tests/fixtures/realworld/SOURCES.md).
pub fn realworld_dir() -> PathBuf {
    repo_root().join("tests/fixtures/realworld")
}

/// The sized variants' names, as chart-src/variants.yaml declares them (read by the generator's
/// own spec reader, so a new variant is tested without editing any test).
pub fn variant_names() -> Vec<String> {
    let path = repo_root().join("chart-src/variants.yaml");
    let spec = generator::spec::load(&path).unwrap_or_else(|e| panic!("{e}"));
    spec.variants.into_iter().map(|v| v.name).collect()
}

/// The integration tests' fixtures directory (`tests/fixtures`).
pub fn fixtures_dir() -> PathBuf {
    repo_root().join("tests/fixtures")
}

// ---------------------------------------------------------------------------------------------
// Tools
// ---------------------------------------------------------------------------------------------

/// Every external program the suite runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tool {
    Helm3,
    Helm4,
    KubernetesValidate,
    Shellcheck,
    Dash,
    RedisServer,
    RedisSentinel,
    Haproxy,
    Promtool,
    /// Debian's prometheus-redis-exporter (redis_exporter 1.45).
    RedisExporter,
    /// Node.js, for the npm packages that carry CRD schemas.
    Node,
    /// Debian's Prometheus server 2.42.
    Prometheus,
    Yamllint,
    PreCommit,
    Git,
    Checkov,
    Helmfile,
    DockerRegistry,
}

impl Tool {
    fn program(self) -> &'static str {
        match self {
            Tool::Helm3 => "helm3",
            Tool::Helm4 => "helm4",
            Tool::KubernetesValidate => "kubernetes-validate",
            Tool::Shellcheck => "shellcheck",
            Tool::Dash => "dash",
            Tool::RedisServer => "redis-server",
            Tool::RedisSentinel => "redis-sentinel",
            Tool::Haproxy => "haproxy",
            Tool::Promtool => "promtool",
            Tool::RedisExporter => "prometheus-redis-exporter",
            Tool::Node => "node",
            Tool::Prometheus => "prometheus",
            Tool::Yamllint => "yamllint",
            Tool::PreCommit => "pre-commit",
            Tool::Git => "git",
            Tool::Checkov => "checkov",
            Tool::Helmfile => "helmfile",
            Tool::DockerRegistry => "docker-registry",
        }
    }

    /// Helm, helmfile, kubernetes-validate, pre-commit and checkov live in the repository's git-ignored
    /// `.tools/bin`.
    fn in_repo_tools(self) -> bool {
        matches!(
            self,
            Tool::Helm3
                | Tool::Helm4
                | Tool::KubernetesValidate
                | Tool::PreCommit
                | Tool::Checkov
                | Tool::Helmfile
        )
    }
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

/// Absolute path of a tool, or a test failure that says how to install it.
pub fn tool(t: Tool) -> PathBuf {
    if t.in_repo_tools() {
        let p = repo_root().join(".tools").join("bin").join(t.program());
        assert!(
            is_executable(&p),
            "required tool {} not found at {}: {INSTALL_HINT}",
            t.program(),
            p.display()
        );
        return p;
    }
    let path_var = std::env::var_os("PATH").unwrap_or_default();
    // Debian puts haproxy in /usr/sbin, which a non-login PATH may lack.
    let extra = [PathBuf::from("/usr/sbin"), PathBuf::from("/sbin")];
    let found = std::env::split_paths(&path_var)
        .chain(extra)
        .map(|d| d.join(t.program()))
        .find(|p| is_executable(p));
    match found {
        Some(p) => p,
        None => panic!(
            "required tool {} not found on PATH: {INSTALL_HINT}",
            t.program()
        ),
    }
}

/// The npm package `@kubernetes-models/argo-cd` (the ApplicationSet CRD schema), installed under
/// `.tools/argo-cd`: the directory to run `node` in so that it resolves the package.
pub fn argo_cd_models() -> PathBuf {
    let dir = repo_root().join(".tools/argo-cd");
    assert!(
        dir.join("node_modules/@kubernetes-models/argo-cd/package.json")
            .is_file(),
        "required npm package @kubernetes-models/argo-cd not found under {}: {INSTALL_HINT}",
        dir.display()
    );
    dir
}

// ---------------------------------------------------------------------------------------------
// Processes
// ---------------------------------------------------------------------------------------------

/// Result of a bounded process run.
#[derive(Debug, Clone)]
pub struct Output {
    /// Exit code; `None` when killed by a signal (including our own timeout kill).
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub timed_out: bool,
    /// The command line, for failure messages.
    pub command: String,
}

impl Output {
    pub fn success(&self) -> bool {
        self.code == Some(0) && !self.timed_out
    }

    /// A one-paragraph description for assertion messages.
    pub fn describe(&self) -> String {
        format!(
            "`{}` exited with {:?}{}\n--- stderr ---\n{}\n--- stdout (first 1500 chars) ---\n{}",
            self.command,
            self.code,
            if self.timed_out {
                " (timed out, killed)"
            } else {
                ""
            },
            self.stderr,
            self.stdout.chars().take(1500).collect::<String>()
        )
    }
}

fn command_line(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for a in cmd.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}

fn drain<R: Read + Send + 'static>(r: Option<R>) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut r) = r {
            // A read error just truncates what we report.
            let _ = r.read_to_end(&mut buf);
        }
        String::from_utf8_lossy(&buf).into_owned()
    })
}

/// Wait for `child` to exit, killing it (by its PID, through `Child::kill`) when `timeout`
/// elapses. Returns the exit status and whether the timeout fired.
pub fn wait_bounded(child: &mut Child, timeout: Duration) -> (Option<ExitStatus>, bool) {
    let deadline = Instant::now() + timeout;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return (Some(status), false),
            Ok(None) => {}
            Err(_) => return (None, false),
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let status = child.wait().ok();
            return (status, true);
        }
        // Polling interval of the exit check, not a readiness wait.
        thread::sleep(Duration::from_millis(5));
    }
}

/// Run a command to completion (stdin closed), capturing output, bounded by `timeout`.
pub fn run(cmd: &mut Command, timeout: Duration) -> Output {
    let command = command_line(cmd);
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => panic!("cannot start `{command}`: {e} ({INSTALL_HINT})"),
    };
    let out = drain(child.stdout.take());
    let err = drain(child.stderr.take());
    let (status, timed_out) = wait_bounded(&mut child, timeout);
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    Output {
        code: status.and_then(|s| s.code()),
        stdout,
        stderr,
        timed_out,
        command,
    }
}

/// Map `f` over `items` on `workers` threads (rayon), keeping the input order in the result.
/// The items are mostly runs of external tools, so there are more workers than cores.
pub fn par_map<T: Sync, R: Send>(
    items: &[T],
    workers: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    use rayon::prelude::*;
    match rayon::ThreadPoolBuilder::new()
        .num_threads(workers.max(1))
        .build()
    {
        Ok(pool) => pool.install(|| items.par_iter().map(&f).collect()),
        // No thread could be started: run them here, one by one.
        Err(_) => items.iter().map(f).collect(),
    }
}

/// Worker threads for independent tool runs (the machine has 2 shared cores).
pub const WORKERS: usize = 3;

// ---------------------------------------------------------------------------------------------
// Charts, helm versions and values cases
// ---------------------------------------------------------------------------------------------

/// One chart directory under `generated-charts/`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Chart {
    pub name: String,
    pub dir: PathBuf,
}

/// Every generated chart (directories of `generated-charts/` holding a Chart.yaml), sorted.
/// `IT_CHARTS_DIR` may point at another directory of charts (development against a scratch
/// chart); the committed tests run against `generated-charts/`.
pub fn charts() -> Vec<Chart> {
    let base = std::env::var_os("IT_CHARTS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("generated-charts"));
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(&base) {
        for e in entries.flatten() {
            let dir = e.path();
            if dir.join("Chart.yaml").is_file() {
                out.push(Chart {
                    name: e.file_name().to_string_lossy().into_owned(),
                    dir,
                });
            }
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    assert!(
        !out.is_empty(),
        "no chart under {}: run `cargo run -p chartgen` to generate them",
        base.display()
    );
    out
}

/// The base chart (`redis-ha`), whose rendered objects must equal the public chart's.
pub fn base_chart() -> Chart {
    chart_named("redis-ha")
}

/// One generated chart by name, or a failure listing the charts there are.
pub fn chart_named(name: &str) -> Chart {
    let all = charts();
    match all.iter().find(|c| c.name == name) {
        Some(c) => c.clone(),
        None => panic!(
            "generated-charts/{name} is missing (have: {:?}): run `cargo run -p chartgen`",
            all.iter().map(|c| &c.name).collect::<Vec<_>>()
        ),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Helm {
    V3,
    V4,
}

impl Helm {
    pub const ALL: [Helm; 2] = [Helm::V3, Helm::V4];

    pub fn binary(self) -> PathBuf {
        match self {
            Helm::V3 => tool(Tool::Helm3),
            Helm::V4 => tool(Tool::Helm4),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Helm::V3 => "helm3",
            Helm::V4 => "helm4",
        }
    }
}

/// A values input: the chart defaults or one values file, plus the API versions to announce.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Case {
    pub name: String,
    pub values: Option<PathBuf>,
    pub api_versions: Vec<String>,
}

impl Case {
    pub fn defaults() -> Case {
        Case {
            name: "defaults".into(),
            values: None,
            api_versions: Vec::new(),
        }
    }

    pub fn file(name: &str, path: PathBuf) -> Case {
        Case {
            name: name.into(),
            values: Some(path),
            api_versions: Vec::new(),
        }
    }

    /// The kitchen-sink fixture, rendered with the Prometheus operator API announced.
    pub fn kitchen_sink() -> Case {
        Case {
            name: "kitchen-sink".into(),
            values: Some(fixtures_dir().join("kitchen-sink.yaml")),
            api_versions: vec!["monitoring.coreos.com/v1".into()],
        }
    }

    /// The chart defaults, rendered with the Prometheus operator API announced (the sized
    /// variants render their PrometheusRule and ServiceMonitors only then).
    pub fn monitoring_api() -> Case {
        Case {
            name: "monitoring-api".into(),
            values: None,
            api_versions: vec!["monitoring.coreos.com/v1".into()],
        }
    }

    /// One top-level realworld file by its stem.
    pub fn realworld(stem: &str) -> Case {
        let path = realworld_dir().join(format!("{stem}.yaml"));
        assert!(
            path.is_file(),
            "realworld file {} is missing",
            path.display()
        );
        Case::file(stem, path)
    }

    /// `-f` / `--api-versions` arguments for helm.
    pub fn helm_args(&self) -> Vec<String> {
        let mut a = Vec::new();
        if let Some(v) = &self.values {
            a.push("-f".into());
            a.push(v.to_string_lossy().into_owned());
        }
        for api in &self.api_versions {
            a.push("--api-versions".into());
            a.push(api.clone());
        }
        a
    }
}

fn yaml_files_in(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Top-level realworld values files (which must render), sorted.
pub fn realworld_cases() -> Vec<Case> {
    let files = yaml_files_in(&realworld_dir());
    assert!(
        !files.is_empty(),
        "no values files in {}",
        realworld_dir().display()
    );
    files
        .into_iter()
        .map(|p| {
            let stem = p
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            Case::file(&stem, p)
        })
        .collect()
}

/// Files under realworld/invalid (which must be refused).
pub fn invalid_files() -> Vec<PathBuf> {
    let files = yaml_files_in(&realworld_dir().join("invalid"));
    assert!(!files.is_empty(), "no files in realworld/invalid");
    files
}

/// Defaults, every top-level realworld file, and the kitchen sink.
pub fn standard_cases() -> Vec<Case> {
    let mut v = vec![Case::defaults()];
    v.extend(realworld_cases());
    v.push(Case::kitchen_sink());
    v
}

// ---------------------------------------------------------------------------------------------
// Helm
// ---------------------------------------------------------------------------------------------

/// `helm template rel <chart> --namespace default <extra...>`.
pub fn helm_template(helm: Helm, chart: &Chart, extra: &[String]) -> Output {
    let mut cmd = Command::new(helm.binary());
    cmd.arg("template")
        .arg(RELEASE)
        .arg(&chart.dir)
        .arg("--namespace")
        .arg(NAMESPACE)
        .args(extra);
    isolate_helm_env(&mut cmd);
    run(&mut cmd, TOOL_TIMEOUT)
}

/// `helm lint --strict <chart> --namespace default <extra...>`.
pub fn helm_lint(helm: Helm, chart: &Chart, extra: &[String]) -> Output {
    let mut cmd = Command::new(helm.binary());
    cmd.arg("lint")
        .arg("--strict")
        .arg(&chart.dir)
        .arg("--namespace")
        .arg(NAMESPACE)
        .args(extra);
    isolate_helm_env(&mut cmd);
    run(&mut cmd, TOOL_TIMEOUT)
}

/// Keep helm away from any kubeconfig of the machine: a `lookup` must see no cluster.
fn isolate_helm_env(cmd: &mut Command) {
    cmd.env("KUBECONFIG", "/dev/null")
        .env("HELM_NO_PLUGINS", "1");
}

/// One parsed document of a rendered manifest.
#[derive(Debug, Clone)]
pub struct Doc {
    /// The `# Source: ...` template path, when helm printed one.
    pub source: Option<String>,
    /// The document text as rendered (without the `---` separator).
    pub text: String,
    pub value: Value,
}

impl Doc {
    pub fn kind(&self) -> &str {
        self.value.get("kind").and_then(Value::as_str).unwrap_or("")
    }

    pub fn name(&self) -> &str {
        self.value
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    /// `Kind/name`, the way the tests list objects.
    pub fn id(&self) -> String {
        format!("{}/{}", self.kind(), self.name())
    }
}

fn is_blank_or_comment(text: &str) -> bool {
    text.lines().all(|l| {
        let t = l.trim();
        t.is_empty() || t.starts_with('#')
    })
}

/// Split helm's multi-document output into parsed documents (empty documents dropped).
pub fn split_docs(manifest: &str) -> Result<Vec<Doc>, String> {
    let mut chunks: Vec<String> = vec![String::new()];
    for line in manifest.lines() {
        if line.trim_end() == "---" {
            chunks.push(String::new());
        } else if let Some(last) = chunks.last_mut() {
            last.push_str(line);
            last.push('\n');
        }
    }
    let mut docs = Vec::new();
    for text in chunks {
        if is_blank_or_comment(&text) {
            continue;
        }
        let source = text
            .lines()
            .find_map(|l| l.strip_prefix("# Source: ").map(str::to_string));
        // Kubernetes reads manifests with Helm's YAML 1.1 typing (a file mode `0755` is 493).
        let name = source.as_deref().unwrap_or("?");
        let value: Value = helm_values::json::load(name, &text)
            .map_err(|e| format!("rendered document is not valid YAML: {e}\n{text}"))?;
        if value.is_null() {
            continue;
        }
        docs.push(Doc {
            source,
            text,
            value,
        });
    }
    Ok(docs)
}

/// A successful render, split into documents.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub manifest: String,
    pub docs: Vec<Doc>,
}

impl Rendered {
    /// Sorted `Kind/name` list.
    pub fn ids(&self) -> Vec<String> {
        let mut v: Vec<String> = self.docs.iter().map(Doc::id).collect();
        v.sort();
        v
    }

    pub fn find(&self, kind: &str, name: &str) -> Option<&Doc> {
        self.docs
            .iter()
            .find(|d| d.kind() == kind && d.name() == name)
    }

    /// The object, or a failure listing what was rendered.
    pub fn get(&self, kind: &str, name: &str) -> &Doc {
        match self.find(kind, name) {
            Some(d) => d,
            None => panic!("no {kind}/{name} rendered; objects: {:#?}", self.ids()),
        }
    }

    /// One key of a ConfigMap's `data`.
    pub fn configmap_key(&self, name: &str, key: &str) -> &str {
        let doc = self.get("ConfigMap", name);
        match doc.value.pointer(&format!("/data/{}", escape_pointer(key))) {
            Some(Value::String(s)) => s,
            other => panic!(
                "ConfigMap {name} has no string key {key:?} (got {other:?}); keys: {:?}",
                doc.value
                    .get("data")
                    .and_then(Value::as_object)
                    .map(|m| m.keys().cloned().collect::<Vec<_>>())
            ),
        }
    }
}

/// JSON-pointer escaping of one path segment.
pub fn escape_pointer(seg: &str) -> String {
    seg.replace('~', "~0").replace('/', "~1")
}

type RenderKey = (PathBuf, Helm, Case);
type RenderSlot = Arc<OnceLock<Result<Arc<Rendered>, String>>>;

fn render_cache() -> &'static Mutex<HashMap<RenderKey, RenderSlot>> {
    static CACHE: OnceLock<Mutex<HashMap<RenderKey, RenderSlot>>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

/// `helm template` of one case, rendered once per test binary and shared by every test.
/// Err carries the helm failure description.
pub fn try_render(helm: Helm, chart: &Chart, case: &Case) -> Result<Arc<Rendered>, String> {
    let slot = {
        let mut cache = render_cache().lock().unwrap_or_else(|p| p.into_inner());
        cache
            .entry((chart.dir.clone(), helm, case.clone()))
            .or_default()
            .clone()
    };
    slot.get_or_init(|| render_uncached(helm, chart, case, &[]))
        .clone()
}

/// Like [`try_render`] but a failure is a test failure.
pub fn render(helm: Helm, chart: &Chart, case: &Case) -> Arc<Rendered> {
    match try_render(helm, chart, case) {
        Ok(r) => r,
        Err(e) => panic!("{}: {} / {}: {e}", helm.label(), chart.name, case.name),
    }
}

/// Render without the cache, with extra helm arguments (e.g. `--set`).
pub fn render_uncached(
    helm: Helm,
    chart: &Chart,
    case: &Case,
    extra: &[String],
) -> Result<Arc<Rendered>, String> {
    let mut args = case.helm_args();
    args.extend(extra.iter().cloned());
    let out = helm_template(helm, chart, &args);
    if !out.success() {
        return Err(out.describe());
    }
    let docs = split_docs(&out.stdout)?;
    Ok(Arc::new(Rendered {
        manifest: out.stdout,
        docs,
    }))
}

/// Render a values document given as YAML text (written to a temp file) with helm4.
pub fn render_values(
    chart: &Chart,
    values_yaml: &str,
    extra: &[&str],
) -> Result<Arc<Rendered>, String> {
    let dir = temp_dir();
    let path = write_file(dir.path(), "values.yaml", values_yaml);
    let case = Case::file("inline", path);
    let extra: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
    render_uncached(Helm::V4, chart, &case, &extra)
}

// ---------------------------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------------------------

/// A fresh temporary directory (removed on drop).
pub fn temp_dir() -> tempfile::TempDir {
    match tempfile::Builder::new().prefix("redis-ha-it-").tempdir() {
        Ok(d) => d,
        Err(e) => panic!("cannot create a temp dir: {e}"),
    }
}

/// Write `content` to `dir/name` and return the path.
pub fn write_file(dir: &Path, name: &str, content: &str) -> PathBuf {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        if let Err(e) = std::fs::create_dir_all(parent) {
            panic!("cannot create {}: {e}", parent.display());
        }
    }
    if let Err(e) = std::fs::write(&p, content) {
        panic!("cannot write {}: {e}", p.display());
    }
    p
}

/// Parse a values file the way Helm reads it (`helm_values`: YAML 1.1 typing, a later duplicate
/// key wins, an empty document is an empty map).
pub fn parse_values(text: &str) -> Result<Value, String> {
    helm_values::json::load("values", text).map_err(|e| e.to_string())
}

/// Collect failure messages and fail once with all of them.
#[derive(Debug, Default)]
pub struct Failures(Vec<String>);

impl Failures {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, msg: impl Into<String>) {
        self.0.push(msg.into());
    }

    pub fn check(&mut self, ok: bool, msg: impl FnOnce() -> String) {
        if !ok {
            self.0.push(msg());
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Panic with every collected failure.
    pub fn assert_none(self, what: &str) {
        if !self.0.is_empty() {
            panic!(
                "{what}: {} failure(s)\n\n{}",
                self.0.len(),
                self.0.join("\n\n==========\n\n")
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Local redis / sentinel processes
// ---------------------------------------------------------------------------------------------

/// A free TCP port on 127.0.0.1 (bound then released), never one this process was given
/// before: a process spawned on an earlier port may not have bound it yet, and the kernel can
/// hand the same port out again meanwhile (an exporter and HAProxy once raced for one).
pub fn free_port() -> u16 {
    static GIVEN: Mutex<BTreeSet<u16>> = Mutex::new(BTreeSet::new());
    let mut given = GIVEN.lock().unwrap_or_else(|p| p.into_inner());
    for _ in 0..1000 {
        match std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()) {
            Ok(a) if given.insert(a.port()) => return a.port(),
            Ok(_) => continue,
            Err(e) => panic!("cannot find a free port: {e}"),
        }
    }
    panic!("no free port this process has not used already after 1000 tries");
}

/// A long-running server started by a test; killed (by its PID) and reaped on drop.
pub struct ServerProcess {
    child: Child,
    log: Arc<Mutex<String>>,
    pub port: u16,
}

impl ServerProcess {
    /// Start `cmd` and wait (bounded) until a line of its stdout contains `ready`. Fails with
    /// the process output if it exits or the deadline passes first.
    pub fn start(mut cmd: Command, port: u16, ready: &str, timeout: Duration) -> ServerProcess {
        use std::io::BufRead;
        let command = command_line(&cmd);
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = match cmd.spawn() {
            Ok(c) => c,
            Err(e) => panic!("cannot start `{command}`: {e} ({INSTALL_HINT})"),
        };
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        for stream in [
            child
                .stdout
                .take()
                .map(|s| Box::new(s) as Box<dyn Read + Send>),
            child
                .stderr
                .take()
                .map(|s| Box::new(s) as Box<dyn Read + Send>),
        ]
        .into_iter()
        .flatten()
        {
            let log = Arc::clone(&log);
            let tx = tx.clone();
            let ready = ready.to_string();
            thread::spawn(move || {
                for line in std::io::BufReader::new(stream).lines() {
                    let Ok(line) = line else { break };
                    let hit = line.contains(&ready);
                    if let Ok(mut l) = log.lock() {
                        l.push_str(&line);
                        l.push('\n');
                    }
                    if hit {
                        let _ = tx.send(());
                    }
                }
            });
        }
        drop(tx);
        let mut server = ServerProcess { child, log, port };
        match rx.recv_timeout(timeout) {
            Ok(()) => server,
            Err(e) => {
                let status = server.child.try_wait().ok().flatten();
                let _ = server.child.kill();
                let _ = server.child.wait();
                panic!(
                    "`{command}` did not log {ready:?} ({e:?}; exit status {status:?}):\n{}",
                    server.log()
                );
            }
        }
    }

    /// Start `cmd` without waiting for anything (the caller has its own readiness check).
    pub fn spawn(mut cmd: Command) -> ServerProcess {
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let command = command_line(&cmd);
        let mut child = match cmd.spawn() {
            Ok(c) => c,
            Err(e) => panic!("cannot start `{command}`: {e} ({INSTALL_HINT})"),
        };
        let log = Arc::new(Mutex::new(String::new()));
        for stream in [
            child
                .stdout
                .take()
                .map(|s| Box::new(s) as Box<dyn Read + Send>),
            child
                .stderr
                .take()
                .map(|s| Box::new(s) as Box<dyn Read + Send>),
        ]
        .into_iter()
        .flatten()
        {
            let log = Arc::clone(&log);
            thread::spawn(move || {
                let mut r = stream;
                let mut buf = [0u8; 4096];
                while let Ok(n) = r.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    if let Ok(mut l) = log.lock() {
                        l.push_str(&String::from_utf8_lossy(&buf[..n]));
                    }
                }
            });
        }
        ServerProcess {
            child,
            log,
            port: 0,
        }
    }

    /// Everything the process printed so far.
    pub fn log(&self) -> String {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A RESP reply: podsim's client, the one the workspace has.
pub use podsim::resp::Reply as Resp;

/// Send one command to 127.0.0.1:`port` and read the reply (5 s socket timeouts).
pub fn resp_command(port: u16, args: &[&str]) -> Result<Resp, String> {
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    podsim::resp::once(addr, None, args, Duration::from_secs(5)).map_err(|e| e.to_string())
}
