//! Reads `helm template` output and turns the StatefulSet / Deployment pod templates into
//! concrete pod plans: containers with their argv, resolved env and volume mounts.

use crate::error::{Error, Result};
use serde_json::Value;
use std::collections::BTreeMap;

/// All objects of a rendered chart, by kind.
#[derive(Debug, Default)]
pub struct Manifest {
    pub namespace: String,
    pub config_maps: BTreeMap<String, BTreeMap<String, String>>,
    pub secrets: BTreeMap<String, BTreeMap<String, Vec<u8>>>,
    pub services: Vec<Service>,
    pub workloads: Vec<Workload>,
    /// NetworkPolicy objects as rendered (enforced by `crate::netpol`).
    pub network_policies: Vec<Value>,
    /// ServiceMonitor objects as rendered (`crate::monitoring` turns them into scrape jobs).
    pub service_monitors: Vec<Value>,
    /// PrometheusRule objects as rendered (`crate::monitoring` loads them as rule files).
    pub prometheus_rules: Vec<Value>,
}

#[derive(Debug, Clone)]
pub struct Service {
    pub name: String,
    pub headless: bool,
    pub publish_not_ready: bool,
    pub selector: BTreeMap<String, String>,
    /// The Service's own labels (what a ServiceMonitor selects).
    pub labels: BTreeMap<String, String>,
    pub ports: Vec<ServicePort>,
}

#[derive(Debug, Clone)]
pub struct ServicePort {
    /// The port's name (what a ServiceMonitor endpoint names); empty when unnamed.
    pub name: String,
    pub port: u16,
    /// Target port: a number or a container port name.
    pub target: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkloadKind {
    StatefulSet,
    Deployment,
}

#[derive(Debug, Clone)]
pub struct Workload {
    pub kind: WorkloadKind,
    pub name: String,
    pub replicas: u32,
    /// Pod template (`spec.template`).
    pub template: Value,
    /// Names of volumeClaimTemplates (persistent per-pod volumes).
    pub claims: Vec<String>,
}

impl Manifest {
    pub fn parse(yaml: &str) -> Result<Manifest> {
        // Kubernetes' YAML typing (YAML 1.1: `0755` is 493), the one loader the workspace has.
        let docs = helm_values::json::load_all("helm template output", yaml)
            .map_err(|e| Error::Manifest(format!("YAML: {e}")))?;
        let mut m = Manifest::default();
        for d in docs.into_iter().filter(|d| d.is_object()) {
            let kind = str_at(&d, &["kind"]).unwrap_or_default();
            let name = str_at(&d, &["metadata", "name"]).unwrap_or_default();
            if let Some(ns) = str_at(&d, &["metadata", "namespace"]) {
                m.namespace = ns;
            }
            match kind.as_str() {
                "ConfigMap" => {
                    let data = string_map(d.get("data"));
                    m.config_maps.insert(name, data);
                }
                "Secret" => {
                    let mut data: BTreeMap<String, Vec<u8>> = BTreeMap::new();
                    for (k, v) in string_map(d.get("data")) {
                        data.insert(k, base64_decode(&v)?);
                    }
                    for (k, v) in string_map(d.get("stringData")) {
                        data.insert(k, v.into_bytes());
                    }
                    m.secrets.insert(name, data);
                }
                "Service" => {
                    let spec = d.get("spec").cloned().unwrap_or(Value::Null);
                    let ports = spec
                        .get("ports")
                        .and_then(Value::as_array)
                        .map(|ps| {
                            ps.iter()
                                .filter_map(|p| {
                                    let port = as_uint(p.get("port")?)? as u16;
                                    let target = match p.get("targetPort") {
                                        Some(Value::String(s)) => s.clone(),
                                        Some(Value::Number(n)) => n.to_string(),
                                        _ => port.to_string(),
                                    };
                                    Some(ServicePort {
                                        name: str_at(p, &["name"]).unwrap_or_default(),
                                        port,
                                        target,
                                    })
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    m.services.push(Service {
                        name,
                        headless: str_at(&spec, &["clusterIP"]).as_deref() == Some("None"),
                        publish_not_ready: spec
                            .get("publishNotReadyAddresses")
                            .and_then(Value::as_bool)
                            .unwrap_or(false),
                        selector: string_map(spec.get("selector")),
                        labels: string_map(d.pointer("/metadata/labels")),
                        ports,
                    });
                }
                "NetworkPolicy" => m.network_policies.push(d.clone()),
                "ServiceMonitor" => m.service_monitors.push(d.clone()),
                "PrometheusRule" => m.prometheus_rules.push(d.clone()),
                "StatefulSet" | "Deployment" => {
                    let spec = d.get("spec").cloned().unwrap_or(Value::Null);
                    let claims = spec
                        .get("volumeClaimTemplates")
                        .and_then(Value::as_array)
                        .map(|a| {
                            a.iter()
                                .filter_map(|c| str_at(c, &["metadata", "name"]))
                                .collect()
                        })
                        .unwrap_or_default();
                    m.workloads.push(Workload {
                        kind: if kind == "StatefulSet" {
                            WorkloadKind::StatefulSet
                        } else {
                            WorkloadKind::Deployment
                        },
                        name,
                        replicas: spec.get("replicas").and_then(as_uint).unwrap_or(1) as u32,
                        template: spec.get("template").cloned().unwrap_or(Value::Null),
                        claims,
                    });
                }
                _ => {}
            }
        }
        if m.namespace.is_empty() {
            m.namespace = "default".into();
        }
        Ok(m)
    }

    pub fn statefulset(&self) -> Result<&Workload> {
        self.workloads
            .iter()
            .find(|w| w.kind == WorkloadKind::StatefulSet)
            .ok_or_else(|| Error::Manifest("no StatefulSet in the rendered chart".into()))
    }

    pub fn haproxy(&self) -> Option<&Workload> {
        self.workloads
            .iter()
            .find(|w| w.kind == WorkloadKind::Deployment && w.name.ends_with("-haproxy"))
    }

    /// Grafana dashboards: every ConfigMap key ending in `.json` whose JSON has `panels`, as
    /// (ConfigMap name/key, dashboard).
    pub fn dashboards(&self) -> Vec<(String, Value)> {
        let mut out = Vec::new();
        for (name, data) in &self.config_maps {
            for (key, text) in data {
                if !key.ends_with(".json") {
                    continue;
                }
                if let Ok(v) = serde_json::from_str::<Value>(text) {
                    if v.get("panels").is_some_and(Value::is_array) {
                        out.push((format!("{name}/{key}"), v));
                    }
                }
            }
        }
        out
    }

    /// Value of a Secret key as text.
    pub fn secret_text(&self, name: &str, key: &str) -> Option<String> {
        self.secrets
            .get(name)
            .and_then(|d| d.get(key))
            .map(|b| String::from_utf8_lossy(b).into_owned())
    }
}

/// A whole number, also when the YAML parser produced an integral float (`0755` -> 755.0).
pub fn as_uint(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && *f >= 0.0)
                .map(|f| f as u64)
        }),
        _ => None,
    }
}

pub fn str_at(v: &Value, path: &[&str]) -> Option<String> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p)?;
    }
    match cur {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn string_map(v: Option<&Value>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if let Some(Value::Object(o)) = v {
        for (k, v) in o {
            let s = match v {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                other => other.to_string(),
            };
            out.insert(k.clone(), s);
        }
    }
    out
}

fn base64_decode(s: &str) -> Result<Vec<u8>> {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let mut acc: u32 = 0;
    let mut bits = 0;
    for c in s.bytes().filter(|c| !c.is_ascii_whitespace() && *c != b'=') {
        let v = T
            .iter()
            .position(|t| *t == c)
            .ok_or_else(|| Error::Manifest(format!("bad base64 in Secret: {s:?}")))?
            as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Ok(out)
}

/// One container of a pod plan.
#[derive(Debug, Clone)]
pub struct ContainerPlan {
    pub name: String,
    pub image: String,
    pub argv: Vec<String>,
    pub env: Vec<(String, String)>,
    /// (volume name, mountPath, readOnly, subPath)
    pub mounts: Vec<(String, String, bool, Option<String>)>,
    pub working_dir: Option<String>,
    pub readiness: Option<Probe>,
    /// startupProbe and livenessProbe with their timings (kubelet restarts the container when
    /// one fails failureThreshold times in a row).
    pub startup: Option<TimedProbe>,
    pub liveness: Option<TimedProbe>,
    pub pre_stop: Option<Vec<String>>,
    /// containerPort by name
    pub ports: BTreeMap<String, u16>,
}

#[derive(Debug, Clone)]
pub enum Probe {
    Exec(Vec<String>),
    Http { port: u16, path: String },
    Tcp(u16),
}

/// A probe with the timings kubelet applies to it.
#[derive(Debug, Clone)]
pub struct TimedProbe {
    pub probe: Probe,
    pub initial_delay_s: u64,
    pub period_s: u64,
    pub timeout_s: u64,
    pub failure_threshold: u64,
}

/// Default command of the images the chart uses, when a container has no `command`.
fn image_default(image: &str) -> Option<Vec<String>> {
    let base = image.rsplit('/').next().unwrap_or(image);
    if base.starts_with("redis_exporter") {
        // The image's entrypoint is /redis_exporter; podsim's shim of that name is on PATH.
        Some(vec!["redis_exporter".into()])
    } else if base.starts_with("haproxy") {
        // The haproxy image's entrypoint runs `haproxy -W -db -f /usr/local/etc/haproxy/haproxy.cfg`.
        Some(
            [
                "haproxy",
                "-W",
                "-db",
                "-f",
                "/usr/local/etc/haproxy/haproxy.cfg",
            ]
            .map(String::from)
            .to_vec(),
        )
    } else if base.starts_with("redis") {
        Some(vec!["redis-server".into()])
    } else {
        None
    }
}

/// Expands Kubernetes `$(VAR)` references from the container's env.
fn expand(s: &str, env: &[(String, String)]) -> String {
    let mut out = s.to_string();
    for (k, v) in env {
        out = out.replace(&format!("$({k})"), v);
    }
    out
}

/// Builds a container plan from its spec; `pod_name`/`pod_ip` serve fieldRef env.
pub fn container_plan(
    m: &Manifest,
    c: &Value,
    pod_name: &str,
    pod_ip: &str,
) -> Result<ContainerPlan> {
    let name = str_at(c, &["name"]).unwrap_or_default();
    let image = str_at(c, &["image"]).unwrap_or_default();
    let mut env: Vec<(String, String)> = Vec::new();
    for e in c.get("env").and_then(Value::as_array).into_iter().flatten() {
        let k = str_at(e, &["name"]).unwrap_or_default();
        let v = if let Some(v) = e.get("value") {
            match v {
                Value::String(s) => expand(s, &env),
                other => other.to_string(),
            }
        } else if let Some(r) = e.get("valueFrom").and_then(|f| f.get("secretKeyRef")) {
            let sname = str_at(r, &["name"]).unwrap_or_default();
            let key = str_at(r, &["key"]).unwrap_or_default();
            match m.secret_text(&sname, &key) {
                Some(v) => v,
                None if r.get("optional").and_then(Value::as_bool) == Some(true) => continue,
                None => {
                    return Err(Error::Manifest(format!(
                        "container {name}: env {k} refers to Secret {sname} key {key}, which the rendered chart does not contain"
                    )))
                }
            }
        } else if let Some(r) = e.get("valueFrom").and_then(|f| f.get("configMapKeyRef")) {
            let cname = str_at(r, &["name"]).unwrap_or_default();
            let key = str_at(r, &["key"]).unwrap_or_default();
            m.config_maps
                .get(&cname)
                .and_then(|d| d.get(&key))
                .cloned()
                .unwrap_or_default()
        } else if let Some(f) = e.get("valueFrom").and_then(|f| f.get("fieldRef")) {
            match str_at(f, &["fieldPath"]).as_deref() {
                Some("metadata.name") => pod_name.to_string(),
                Some("metadata.namespace") => m.namespace.clone(),
                Some("status.podIP") => pod_ip.to_string(),
                other => return Err(Error::Manifest(format!("unsupported fieldRef {other:?}"))),
            }
        } else {
            String::new()
        };
        env.push((k, v));
    }
    let strings = |v: Option<&Value>| -> Vec<String> {
        v.and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(|s| expand(s, &env)))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut argv = strings(c.get("command"));
    if argv.is_empty() {
        argv = image_default(&image).ok_or_else(|| {
            Error::Manifest(format!(
                "container {name}: no command and unknown image {image}"
            ))
        })?;
    }
    argv.extend(strings(c.get("args")));
    let mut ports = BTreeMap::new();
    for p in c
        .get("ports")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let (Some(n), Some(cp)) = (
            str_at(p, &["name"]),
            p.get("containerPort").and_then(as_uint),
        ) {
            ports.insert(n, cp as u16);
        }
    }
    let port_of = |v: Option<&Value>| -> Option<u16> {
        match v? {
            n @ Value::Number(_) => as_uint(n).map(|n| n as u16),
            Value::String(s) => ports.get(s).copied().or_else(|| s.parse().ok()),
            _ => None,
        }
    };
    let probe = |p: &Value| -> Option<Probe> {
        if let Some(e) = p.get("exec") {
            Some(Probe::Exec(strings(e.get("command"))))
        } else if let Some(h) = p.get("httpGet") {
            Some(Probe::Http {
                port: port_of(h.get("port"))?,
                path: str_at(h, &["path"]).unwrap_or_else(|| "/".into()),
            })
        } else {
            p.get("tcpSocket")
                .and_then(|t| port_of(t.get("port")))
                .map(Probe::Tcp)
        }
    };
    // Kubernetes defaults: period 10 s, timeout 1 s, failureThreshold 3.
    let timed = |key: &str| -> Option<TimedProbe> {
        let p = c.get(key)?;
        let num = |k: &str, d: u64| p.get(k).and_then(as_uint).unwrap_or(d);
        Some(TimedProbe {
            probe: probe(p)?,
            initial_delay_s: num("initialDelaySeconds", 0),
            period_s: num("periodSeconds", 10).max(1),
            timeout_s: num("timeoutSeconds", 1).max(1),
            failure_threshold: num("failureThreshold", 3).max(1),
        })
    };
    let readiness = c.get("readinessProbe").and_then(probe);
    let startup = timed("startupProbe");
    let liveness = timed("livenessProbe");
    let pre_stop = c
        .get("lifecycle")
        .and_then(|l| l.get("preStop"))
        .and_then(|p| p.get("exec"))
        .map(|e| strings(e.get("command")));
    let mounts = c
        .get("volumeMounts")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|vm| {
                    (
                        str_at(vm, &["name"]).unwrap_or_default(),
                        str_at(vm, &["mountPath"]).unwrap_or_default(),
                        vm.get("readOnly").and_then(Value::as_bool).unwrap_or(false),
                        str_at(vm, &["subPath"]),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(ContainerPlan {
        name,
        image,
        argv,
        env,
        mounts,
        working_dir: str_at(c, &["workingDir"]),
        readiness,
        startup,
        liveness,
        pre_stop,
        ports,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn secret_base64_decodes() {
        assert_eq!(
            super::base64_decode("cGFzcyB3b3Jk").unwrap(),
            b"pass word".to_vec()
        );
    }
}
