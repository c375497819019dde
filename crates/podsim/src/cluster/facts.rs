//! Facts about the rendered chart the harness needs to talk to the pods: names, ports,
//! passwords and the HAProxy address, read from vars.sh, sentinel.conf and container env.

use super::Inner;
use crate::error::{Error, Result};
use crate::manifest::{as_uint, container_plan, str_at, Manifest, WorkloadKind};
use serde_json::Value;
use std::collections::BTreeMap;
use std::net::SocketAddr;

/// Facts read from the chart's vars.sh and env, needed to talk to the pods.
#[derive(Debug, Clone)]
pub struct Facts {
    pub fullname: String,
    pub namespace: String,
    pub master_group: String,
    pub redis_port: u16,
    pub sentinel_port: u16,
    pub quorum: u32,
    /// `sentinel down-after-milliseconds` from the rendered sentinel.conf.
    pub down_after_ms: u64,
    pub auth: Option<String>,
    pub sentinel_auth: Option<String>,
    /// HAProxy frontend address (pod 0 of the HAProxy Deployment), if HAProxy is enabled.
    pub haproxy: Option<SocketAddr>,
    /// `min-replicas-to-write` and `min-replicas-max-lag` of the rendered redis.conf (Redis
    /// defaults 0 and 10 when absent).
    pub min_replicas_to_write: u64,
    pub min_replicas_max_lag_s: u64,
}

/// Parses `NAME='value'` lines of vars.sh (single-quoted with '\'' escapes, or bare).
pub fn parse_vars(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        if !k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') || k.is_empty() {
            continue;
        }
        let mut val = String::new();
        let mut rest = v;
        while !rest.is_empty() {
            if let Some(r) = rest.strip_prefix('\'') {
                let end = r.find('\'').unwrap_or(r.len());
                val.push_str(&r[..end]);
                rest = r.get(end + 1..).unwrap_or("");
            } else if let Some(r) = rest.strip_prefix("\\'") {
                val.push('\'');
                rest = r;
            } else if let Some(r) = rest.strip_prefix('"') {
                let end = r.find('"').unwrap_or(r.len());
                val.push_str(&r[..end]);
                rest = r.get(end + 1..).unwrap_or("");
            } else {
                let end = rest.find(['\'', '"', ' ', '#']).unwrap_or(rest.len());
                if end == 0 {
                    break;
                }
                val.push_str(&rest[..end]);
                rest = &rest[end..];
            }
        }
        out.insert(k.to_string(), val);
    }
    out
}

pub(super) fn facts(m: &Manifest, sts: &crate::manifest::Workload, inner: &Inner) -> Result<Facts> {
    let vars_text = m
        .config_maps
        .iter()
        .find_map(|(n, d)| {
            if n.ends_with("-configmap") && !n.ends_with("-health-configmap") {
                d.get("vars.sh")
            } else {
                None
            }
        })
        .ok_or_else(|| Error::Manifest("no vars.sh in the chart's ConfigMap".into()))?;
    let vars = parse_vars(vars_text);
    let get = |k: &str| {
        vars.get(k)
            .cloned()
            .ok_or_else(|| Error::Manifest(format!("vars.sh lacks {k}")))
    };
    let port = |k: &str| -> Result<u16> {
        get(k)?
            .parse()
            .map_err(|_| Error::Manifest(format!("vars.sh {k} is not a port")))
    };
    let spec = sts.template.get("spec").cloned().unwrap_or(Value::Null);
    let pod0 = inner
        .pods
        .first()
        .ok_or_else(|| Error::Manifest("StatefulSet has no replicas".into()))?;
    let env_of = |cname: &str, key: &str| -> Result<Option<String>> {
        for c in spec
            .get("containers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if str_at(c, &["name"]).as_deref() == Some(cname) {
                let plan = container_plan(m, c, &pod0.name, &pod0.addr.to_string())?;
                return Ok(plan
                    .env
                    .iter()
                    .find(|(k, _)| k == key)
                    .map(|(_, v)| v.clone())
                    .filter(|v| !v.is_empty()));
            }
        }
        Ok(None)
    };
    let haproxy = inner
        .pods
        .iter()
        .find(|p| p.kind == WorkloadKind::Deployment)
        .and_then(|p| {
            let hs = m
                .services
                .iter()
                .find(|s| s.name.ends_with("-haproxy") && !s.headless)?;
            let target = &hs.ports.first()?.target;
            let c = p
                .template
                .get("spec")?
                .get("containers")?
                .as_array()?
                .first()?;
            let cport = c
                .get("ports")?
                .as_array()?
                .iter()
                .find(|x| {
                    str_at(x, &["name"]).as_deref() == Some(target.as_str())
                        || str_at(x, &["containerPort"]).as_deref() == Some(target.as_str())
                })
                .and_then(|x| as_uint(x.get("containerPort")?))? as u16;
            Some(SocketAddr::from((p.addr, cport)))
        });
    Ok(Facts {
        fullname: get("SERVICE")?,
        namespace: m.namespace.clone(),
        master_group: get("MASTER_GROUP")?,
        redis_port: port("REDIS_PORT")?,
        sentinel_port: port("SENTINEL_PORT")?,
        quorum: get("QUORUM")?.parse().unwrap_or(2),
        down_after_ms: m
            .config_maps
            .values()
            .filter_map(|d| d.get("sentinel.conf"))
            .flat_map(|t| t.lines())
            .find_map(|l| {
                let w: Vec<&str> = l.split_whitespace().collect();
                (w.len() == 4 && w[0] == "sentinel" && w[1] == "down-after-milliseconds")
                    .then(|| w[3].parse().ok())
                    .flatten()
            })
            .unwrap_or(30_000),
        min_replicas_to_write: redis_conf_number(m, "min-replicas-to-write").unwrap_or(0),
        min_replicas_max_lag_s: redis_conf_number(m, "min-replicas-max-lag").unwrap_or(10),
        // The chart mounts the passwords as files (/secrets); older charts passed them in env.
        auth: match env_of("redis", "AUTH")? {
            Some(a) => Some(a),
            None => mounted_file(m, &spec, "redis", "/secrets/auth"),
        },
        sentinel_auth: match env_of("sentinel", "SENTINELAUTH")? {
            Some(a) => Some(a),
            None => mounted_file(m, &spec, "sentinel", "/secrets/sentinel-auth"),
        },
        haproxy,
    })
}

/// The content of the file at `path` in container `cname` of the pod spec, when a Secret,
/// ConfigMap or projected volume mounted there provides it (`items` honoured).
fn mounted_file(m: &Manifest, spec: &Value, cname: &str, path: &str) -> Option<String> {
    let container = spec
        .get("containers")?
        .as_array()?
        .iter()
        .find(|c| str_at(c, &["name"]).as_deref() == Some(cname))?;
    let (vname, rel) = container
        .get("volumeMounts")?
        .as_array()?
        .iter()
        .find_map(|vm| {
            let mount = str_at(vm, &["mountPath"])?;
            let rel = path
                .strip_prefix(mount.trim_end_matches('/'))?
                .strip_prefix('/')?;
            Some((str_at(vm, &["name"])?, rel.to_string()))
        })?;
    let volume = spec
        .get("volumes")?
        .as_array()?
        .iter()
        .find(|v| str_at(v, &["name"]).as_deref() == Some(vname.as_str()))?;
    // (kind, object name, reference) of every source of the volume.
    let mut sources: Vec<(&str, String, &Value)> = Vec::new();
    if let Some(s) = volume.get("secret") {
        sources.push(("Secret", str_at(s, &["secretName"])?, s));
    }
    if let Some(c) = volume.get("configMap") {
        sources.push(("ConfigMap", str_at(c, &["name"])?, c));
    }
    for src in volume
        .get("projected")
        .and_then(|p| p.get("sources"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(s) = src.get("secret") {
            sources.push(("Secret", str_at(s, &["name"])?, s));
        } else if let Some(c) = src.get("configMap") {
            sources.push(("ConfigMap", str_at(c, &["name"])?, c));
        }
    }
    sources.into_iter().find_map(|(kind, name, reference)| {
        let key = match reference.get("items").and_then(Value::as_array) {
            Some(items) => items
                .iter()
                .find(|i| str_at(i, &["path"]).as_deref() == Some(rel.as_str()))
                .and_then(|i| str_at(i, &["key"]))?,
            None => rel.clone(),
        };
        match kind {
            "Secret" => m.secret_text(&name, &key),
            _ => m.config_maps.get(&name)?.get(&key).cloned(),
        }
    })
}

/// A numeric directive of the rendered redis.conf (the chart's ConfigMap), if present.
fn redis_conf_number(m: &Manifest, key: &str) -> Option<u64> {
    m.config_maps
        .values()
        .filter_map(|d| d.get("redis.conf"))
        .flat_map(|t| t.lines())
        .find_map(|l| {
            let mut w = l.split_whitespace();
            (w.next() == Some(key))
                .then(|| w.next()?.trim_matches('"').parse().ok())
                .flatten()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vars_sh_values_are_unquoted() {
        let v = parse_vars("# c\nSERVICE='rel-redis-ha'\nPW='it'\\''s'\nPORT=6379\n");
        assert_eq!(v.get("SERVICE").map(String::as_str), Some("rel-redis-ha"));
        assert_eq!(v.get("PW").map(String::as_str), Some("it's"));
        assert_eq!(v.get("PORT").map(String::as_str), Some("6379"));
    }
}
