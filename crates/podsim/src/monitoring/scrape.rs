//! The rendered ServiceMonitors as Prometheus scrape jobs, and the rendered PrometheusRules as
//! one rule file, the way the Prometheus Operator turns them into Prometheus configuration.
//!
//! A ServiceMonitor selects Services (in the namespaces its `namespaceSelector` names, by the
//! Services' labels); each endpoint names a Service port; the targets are the pods behind the
//! Service (its selector) on the container port that Service port targets. Each target gets
//! the labels the Operator gives: `namespace`, `service`, `pod`, `endpoint` (the port name)
//! and `job` (the Service's `jobLabel` label if it has one, else the Service name). The
//! Operator discovers pods through Endpoints, which list a pod from its creation to its
//! deletion (ready or not); podsim writes the same list into a file_sd file whenever pods
//! come and go ([`TargetFiles`]).

use crate::error::{io, Error, Result};
use crate::manifest::{str_at, Manifest, Service};
use crate::netpol::{selects, PodInfo};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// One endpoint of one ServiceMonitor: a scrape job and the Services it scrapes.
#[derive(Debug, Clone)]
pub struct Job {
    /// `serviceMonitor/<namespace>/<name>/<endpoint index>`, as the Operator names it.
    pub name: String,
    /// The Service port the endpoint names.
    pub port_name: String,
    /// The Services the ServiceMonitor selects, with the job label each gives its targets.
    pub services: Vec<(Service, String)>,
    /// The job's Prometheus configuration, without its file_sd section.
    pub config: Map<String, Value>,
}

/// Endpoint keys podsim turns into Prometheus configuration; any other key is an error
/// (podsim would otherwise scrape differently from the cluster).
const ENDPOINT_KEYS: &[&str] = &[
    "port",
    "path",
    "interval",
    "scrapeTimeout",
    "scheme",
    "honorLabels",
    "honorTimestamps",
    "params",
    "relabelings",
    "metricRelabelings",
];

/// The scrape jobs of every ServiceMonitor of `m`.
pub fn jobs(m: &Manifest) -> Result<Vec<Job>> {
    let mut out = Vec::new();
    for sm in &m.service_monitors {
        let name = str_at(sm, &["metadata", "name"]).unwrap_or_default();
        let ns = str_at(sm, &["metadata", "namespace"]).unwrap_or_else(|| m.namespace.clone());
        let bad = |what: String| Error::Manifest(format!("ServiceMonitor {ns}/{name}: {what}"));
        let spec = sm.get("spec").cloned().unwrap_or(Value::Null);
        // Namespaces whose Services it selects: `any`, a list, or its own.
        let nsel = spec
            .get("namespaceSelector")
            .cloned()
            .unwrap_or(Value::Null);
        let in_ns = nsel.get("any").and_then(Value::as_bool) == Some(true)
            || match nsel.get("matchNames").and_then(Value::as_array) {
                Some(names) => names.iter().any(|n| n.as_str() == Some(&m.namespace)),
                None => ns == m.namespace,
            };
        let selector = spec.get("selector").cloned().unwrap_or(Value::Null);
        let job_label = str_at(&spec, &["jobLabel"]);
        let mut services = Vec::new();
        if in_ns {
            for svc in &m.services {
                if selects(&selector, &svc.labels)? {
                    let job = job_label
                        .as_ref()
                        .and_then(|l| svc.labels.get(l))
                        .cloned()
                        .unwrap_or_else(|| svc.name.clone());
                    services.push((svc.clone(), job));
                }
            }
        }
        let endpoints = spec
            .get("endpoints")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for (i, ep) in endpoints.iter().enumerate() {
            let Some(obj) = ep.as_object() else {
                return Err(bad(format!("endpoint {i} is not a mapping")));
            };
            if let Some(k) = obj.keys().find(|k| !ENDPOINT_KEYS.contains(&k.as_str())) {
                return Err(bad(format!(
                    "endpoint {i}: `{k}` is not modelled by podsim (it knows {})",
                    ENDPOINT_KEYS.join(", ")
                )));
            }
            let port_name = str_at(ep, &["port"])
                .ok_or_else(|| bad(format!("endpoint {i} names no Service port (`port`)")))?;
            let scheme = str_at(ep, &["scheme"]).unwrap_or_else(|| "http".into());
            if scheme != "http" {
                return Err(bad(format!(
                    "endpoint {i}: scheme {scheme} (podsim scrapes http only)"
                )));
            }
            let mut config = Map::new();
            let job_name = format!("serviceMonitor/{ns}/{name}/{i}");
            config.insert("job_name".into(), json!(job_name));
            config.insert(
                "metrics_path".into(),
                json!(str_at(ep, &["path"]).unwrap_or_else(|| "/metrics".into())),
            );
            config.insert("scheme".into(), json!(scheme));
            for (from, to) in [
                ("interval", "scrape_interval"),
                ("scrapeTimeout", "scrape_timeout"),
                ("honorLabels", "honor_labels"),
                ("honorTimestamps", "honor_timestamps"),
                ("params", "params"),
            ] {
                if let Some(v) = ep.get(from).filter(|v| !v.is_null()) {
                    config.insert(to.into(), v.clone());
                }
            }
            for (from, to) in [
                ("relabelings", "relabel_configs"),
                ("metricRelabelings", "metric_relabel_configs"),
            ] {
                let list = ep
                    .get(from)
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                let converted = list
                    .iter()
                    .map(relabel)
                    .collect::<std::result::Result<Vec<_>, String>>()
                    .map_err(|e| bad(format!("endpoint {i} {from}: {e}")))?;
                if !converted.is_empty() {
                    config.insert(to.into(), Value::Array(converted));
                }
            }
            out.push(Job {
                name: job_name,
                port_name: port_name.clone(),
                services: services.clone(),
                config,
            });
        }
    }
    Ok(out)
}

/// One Operator `RelabelConfig` (camelCase) as a Prometheus `relabel_config`.
fn relabel(r: &Value) -> std::result::Result<Value, String> {
    let obj = r.as_object().ok_or("a relabeling is not a mapping")?;
    let mut out = Map::new();
    for (k, v) in obj {
        let key = match k.as_str() {
            "sourceLabels" => "source_labels",
            "targetLabel" => "target_label",
            "separator" | "regex" | "modulus" | "replacement" => k.as_str(),
            // The Operator accepts any case (`Replace`, `labelmap`); Prometheus wants lower.
            "action" => {
                out.insert(
                    "action".into(),
                    json!(v.as_str().unwrap_or_default().to_lowercase()),
                );
                continue;
            }
            other => return Err(format!("unknown relabeling key `{other}`")),
        };
        out.insert(key.into(), v.clone());
    }
    Ok(Value::Object(out))
}

/// Kubernetes label names as Prometheus meta label suffixes (`app.kubernetes.io/name` ->
/// `app_kubernetes_io_name`).
fn sanitize(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// The file_sd target groups of `job`: one per pod that exists, behind each selected Service.
pub fn target_groups(job: &Job, namespace: &str, pods: &[PodInfo]) -> Vec<Value> {
    let mut out = Vec::new();
    for (svc, job_label) in &job.services {
        let Some(port) = svc.ports.iter().find(|p| p.name == job.port_name) else {
            continue; // the Service has no such port: no target (as Endpoints would have none)
        };
        if svc.selector.is_empty() {
            continue;
        }
        for pod in pods.iter().filter(|p| {
            p.namespace == namespace && svc.selector.iter().all(|(k, v)| p.labels.get(k) == Some(v))
        }) {
            // A named target port the pod lacks puts no address in the Endpoints.
            let Some(cport) = port
                .target
                .parse::<u16>()
                .ok()
                .or_else(|| pod.ports.get(&port.target).copied())
            else {
                continue;
            };
            let mut labels = BTreeMap::new();
            labels.insert("namespace".to_string(), namespace.to_string());
            labels.insert("service".into(), svc.name.clone());
            labels.insert("pod".into(), pod.name.clone());
            labels.insert("endpoint".into(), job.port_name.clone());
            labels.insert("job".into(), job_label.clone());
            // The meta labels kubernetes_sd gives, for the endpoint's relabelings.
            labels.insert("__meta_kubernetes_namespace".into(), namespace.to_string());
            labels.insert("__meta_kubernetes_service_name".into(), svc.name.clone());
            labels.insert("__meta_kubernetes_pod_name".into(), pod.name.clone());
            labels.insert("__meta_kubernetes_pod_ip".into(), pod.addr.to_string());
            labels.insert(
                "__meta_kubernetes_endpoint_port_name".into(),
                job.port_name.clone(),
            );
            for (k, v) in &svc.labels {
                labels.insert(
                    format!("__meta_kubernetes_service_label_{}", sanitize(k)),
                    v.clone(),
                );
            }
            for (k, v) in &pod.labels {
                labels.insert(
                    format!("__meta_kubernetes_pod_label_{}", sanitize(k)),
                    v.clone(),
                );
            }
            out.push(json!({"targets": [format!("{}:{cport}", pod.addr)], "labels": labels}));
        }
    }
    out
}

/// The rule file: every group of every rendered PrometheusRule.
pub fn rule_file(m: &Manifest) -> Value {
    let groups: Vec<Value> = m
        .prometheus_rules
        .iter()
        .flat_map(|r| {
            r.pointer("/spec/groups")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        })
        .collect();
    json!({ "groups": groups })
}

/// The file_sd files of the jobs, rewritten (atomically, only on change) as pods come and go.
#[derive(Debug)]
pub struct TargetFiles {
    dir: PathBuf,
    last: BTreeMap<String, String>,
}

impl TargetFiles {
    pub fn new(dir: &Path) -> Result<TargetFiles> {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        Ok(TargetFiles {
            dir: dir.to_path_buf(),
            last: BTreeMap::new(),
        })
    }

    /// The file of `job`.
    pub fn path(&self, job: &Job) -> PathBuf {
        self.dir.join(format!("{}.json", sanitize(&job.name)))
    }

    /// Writes each job's current targets; `pods` are the pods that exist.
    pub fn sync(&mut self, jobs: &[Job], namespace: &str, pods: &[PodInfo]) -> Result<()> {
        for job in jobs {
            let text = Value::Array(target_groups(job, namespace, pods)).to_string();
            if self.last.get(&job.name) == Some(&text) {
                continue;
            }
            let path = self.path(job);
            let tmp = path.with_extension("json.tmp");
            std::fs::write(&tmp, &text).map_err(io(&tmp))?;
            std::fs::rename(&tmp, &path).map_err(io(&path))?;
            self.last.insert(job.name.clone(), text);
        }
        Ok(())
    }
}

/// The whole Prometheus configuration: `global` intervals, the rule file, and one job per
/// ServiceMonitor endpoint reading its targets from its file.
pub fn config(
    jobs: &[Job],
    files: &TargetFiles,
    rule_file: &Path,
    scrape_interval: Duration,
    evaluation_interval: Duration,
) -> Value {
    let ms = |d: Duration| format!("{}ms", d.as_millis());
    let scrape_configs: Vec<Value> = jobs
        .iter()
        .map(|j| {
            let mut c = j.config.clone();
            c.insert(
                "file_sd_configs".into(),
                json!([{"files": [files.path(j)], "refresh_interval": "1s"}]),
            );
            Value::Object(c)
        })
        .collect();
    json!({
        "global": {
            "scrape_interval": ms(scrape_interval),
            // Prometheus refuses a timeout above the interval.
            "scrape_timeout": ms(scrape_interval.min(Duration::from_secs(10))),
            "evaluation_interval": ms(evaluation_interval),
        },
        "rule_files": [rule_file],
        "scrape_configs": scrape_configs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relabelings_become_prometheus_relabel_configs() {
        let r = relabel(&json!({"sourceLabels": ["__meta_kubernetes_pod_node_name"],
                                "targetLabel": "node", "action": "Replace"}))
        .unwrap();
        assert_eq!(
            r,
            json!({"source_labels": ["__meta_kubernetes_pod_node_name"],
                   "target_label": "node", "action": "replace"})
        );
        assert!(relabel(&json!({"bogus": 1})).is_err());
    }
}
