//! NetworkPolicies of the rendered chart, enforced with nftables inside each pod's network
//! namespace, so that a policy that forgets a flow the chart needs (replication, Sentinel
//! gossip and votes, HAProxy's health checks) breaks the scenario as it would on a cluster.
//!
//! Semantics (networking.k8s.io/v1): a policy selects pods of its own namespace (the
//! release's); a pod selected by no policy of a direction is open in that direction; a
//! selected pod admits only what one of its policies' rules allows (the union). A rule's peers
//! are pods chosen by `podSelector` (`matchLabels` and `matchExpressions`) in the policy's
//! namespace, or in every namespace a `namespaceSelector` selects (a namespace's only label is
//! `kubernetes.io/metadata.name`, as Kubernetes sets it), and `ipBlock` CIDRs (with `except`);
//! no peers means any. Pods outside the release's namespace are the harness's own (a
//! Prometheus in `monitoring`). Ports are numbers or the selected pod's named container
//! ports; no ports means all.
//!
//! The harness's client namespace stands for the node: kubelet's probes, and the harness's
//! own observer and writer, are always admitted (NetworkPolicy implementations admit the
//! node's traffic to probes; the scenarios' writer goes through HAProxy anyway). Every flow
//! between pods is filtered. Replies of admitted connections pass (conntrack).

use crate::error::{Error, Result};
use crate::manifest::str_at;
use serde_json::Value;
use std::collections::BTreeMap;
use std::net::Ipv4Addr;

/// One pod as the policies see it.
#[derive(Debug, Clone)]
pub struct PodInfo {
    pub name: String,
    /// The pod's Kubernetes namespace.
    pub namespace: String,
    pub addr: Ipv4Addr,
    pub labels: BTreeMap<String, String>,
    /// Container ports by name (for named ports in rules).
    pub ports: BTreeMap<String, u16>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Ingress,
    Egress,
}

/// The strings of a YAML list (`values`, `except`); absent or not a list: none.
fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// Whether a Kubernetes label selector (`matchLabels`, `matchExpressions`) selects `labels`.
/// An empty or absent selector selects everything.
pub fn selects(selector: &Value, labels: &BTreeMap<String, String>) -> Result<bool> {
    if let Some(ml) = selector.get("matchLabels").and_then(Value::as_object) {
        for (k, v) in ml {
            let want = v
                .as_str()
                .map(String::from)
                .unwrap_or_else(|| v.to_string());
            if labels.get(k) != Some(&want) {
                return Ok(false);
            }
        }
    }
    for e in selector
        .get("matchExpressions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let key = str_at(e, &["key"]).unwrap_or_default();
        let values = strings(e.get("values"));
        let have = labels.get(&key);
        let ok = match str_at(e, &["operator"]).as_deref() {
            Some("In") => have.is_some_and(|h| values.contains(h)),
            Some("NotIn") => have.is_none_or(|h| !values.contains(h)),
            Some("Exists") => have.is_some(),
            Some("DoesNotExist") => have.is_none(),
            other => {
                return Err(Error::Manifest(format!(
                    "NetworkPolicy: unsupported matchExpressions operator {other:?}"
                )))
            }
        };
        if !ok {
            return Ok(false);
        }
    }
    Ok(true)
}

fn policy_types(policy: &Value) -> Vec<Direction> {
    let spec = policy.get("spec").unwrap_or(&Value::Null);
    match spec.get("policyTypes").and_then(Value::as_array) {
        Some(types) => types
            .iter()
            .filter_map(|t| match t.as_str() {
                Some("Ingress") => Some(Direction::Ingress),
                Some("Egress") => Some(Direction::Egress),
                _ => None,
            })
            .collect(),
        // Kubernetes' default: Ingress, plus Egress when the policy has egress rules.
        None => {
            let mut v = vec![Direction::Ingress];
            if spec.get("egress").is_some() {
                v.push(Direction::Egress);
            }
            v
        }
    }
}

/// Source (ingress) or destination (egress) addresses of one rule: `None` = any address.
fn peers(
    rule_peers: Option<&Value>,
    pods: &[PodInfo],
    namespace: &str,
) -> Result<Option<Vec<String>>> {
    let ns_labels =
        |ns: &str| BTreeMap::from([("kubernetes.io/metadata.name".to_string(), ns.to_string())]);
    let Some(list) = rule_peers.and_then(Value::as_array) else {
        return Ok(None);
    };
    if list.is_empty() {
        return Ok(None);
    }
    let mut out = Vec::new();
    for peer in list {
        if let Some(block) = peer.get("ipBlock") {
            let cidr = str_at(block, &["cidr"]).unwrap_or_default();
            let except = strings(block.get("except"));
            if except.is_empty() {
                out.push(cidr);
            } else {
                // A CIDR minus exceptions has no one-element nftables form: list the pods it
                // admits (the only addresses there are).
                for p in pods {
                    if in_cidr(p.addr, &cidr)?
                        && !except.iter().any(|e| in_cidr(p.addr, e).unwrap_or(false))
                    {
                        out.push(p.addr.to_string());
                    }
                }
            }
            continue;
        }
        let pod_sel = peer.get("podSelector").cloned().unwrap_or(Value::Null);
        for p in pods {
            let ns_ok = match peer.get("namespaceSelector") {
                None => p.namespace == namespace, // podSelector alone: the policy's namespace
                Some(sel) => selects(sel, &ns_labels(&p.namespace))?,
            };
            if ns_ok && selects(&pod_sel, &p.labels)? {
                out.push(p.addr.to_string());
            }
        }
    }
    Ok(Some(out))
}

fn in_cidr(addr: Ipv4Addr, cidr: &str) -> Result<bool> {
    let bad = || Error::Manifest(format!("NetworkPolicy: bad CIDR {cidr:?}"));
    let (net, len) = cidr.split_once('/').ok_or_else(bad)?;
    let net: Ipv4Addr = net.parse().map_err(|_| bad())?;
    let len: u32 = len.parse().map_err(|_| bad())?;
    if len > 32 {
        return Err(bad());
    }
    let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
    Ok(u32::from(addr) & mask == u32::from(net) & mask)
}

/// TCP/UDP ports of one rule on `target` (the pod whose container ports name them): `None` =
/// every port.
fn rule_ports(ports: Option<&Value>, target: &PodInfo) -> Result<Option<Vec<(String, String)>>> {
    let Some(list) = ports.and_then(Value::as_array) else {
        return Ok(None);
    };
    if list.is_empty() {
        return Ok(None);
    }
    let mut out = Vec::new();
    for p in list {
        let proto = str_at(p, &["protocol"])
            .unwrap_or_else(|| "TCP".into())
            .to_lowercase();
        let port = match p.get("port") {
            None => {
                out.push((proto, String::new()));
                continue;
            }
            Some(Value::Number(n)) => n.to_string(),
            Some(Value::String(s)) => match target.ports.get(s) {
                Some(n) => n.to_string(),
                // A named port the pod does not have matches nothing.
                None => continue,
            },
            Some(other) => return Err(Error::Manifest(format!("NetworkPolicy: bad port {other}"))),
        };
        let port = match p.get("endPort").and_then(Value::as_u64) {
            Some(end) => format!("{port}-{end}"),
            None => port,
        };
        out.push((proto, port));
    }
    Ok(Some(out))
}

/// The nftables ruleset (for `nft -f`) of `pod`, or `None` when no policy selects it.
/// `node` is the address always admitted (the harness's client namespace).
pub fn ruleset(
    pod: &PodInfo,
    pods: &[PodInfo],
    policies: &[Value],
    namespace: &str,
    node: Ipv4Addr,
) -> Result<Option<String>> {
    let mut chains: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut selected = false;
    for policy in policies {
        if pod.namespace != namespace {
            break; // the policies are the release's: they select only its namespace's pods
        }
        let spec = policy.get("spec").unwrap_or(&Value::Null);
        let sel = spec.get("podSelector").cloned().unwrap_or(Value::Null);
        if !selects(&sel, &pod.labels)? {
            continue;
        }
        let name = str_at(policy, &["metadata", "name"]).unwrap_or_default();
        for dir in policy_types(policy) {
            selected = true;
            let (chain, key, peer_key, addr_field) = match dir {
                Direction::Ingress => ("input", "ingress", "from", "saddr"),
                Direction::Egress => ("output", "egress", "to", "daddr"),
            };
            let lines = chains.entry(chain).or_default();
            for (i, rule) in spec
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                let addrs = peers(rule.get(peer_key), pods, namespace)?;
                // Ingress ports are the selected pod's; egress ports name the peer's ports,
                // which for a named port are those of each destination pod: resolved on this
                // pod when it has the name, else on any pod that does.
                let port_owner = match dir {
                    Direction::Ingress => pod.clone(),
                    Direction::Egress => merged_ports(pods),
                };
                let ports = rule_ports(rule.get("ports"), &port_owner)?;
                let addr_match = match &addrs {
                    None => String::new(),
                    Some(a) if a.is_empty() => continue, // selects no peer
                    Some(a) => format!("ip {addr_field} {{ {} }} ", a.join(", ")),
                };
                let comment = format!("comment \"{name} {key}[{i}]\"");
                match ports {
                    None => lines.push(format!("{addr_match}accept {comment}")),
                    Some(ps) => {
                        for (proto, port) in ps {
                            if port.is_empty() {
                                lines.push(format!(
                                    "{addr_match}meta l4proto {proto} accept {comment}"
                                ));
                            } else {
                                lines.push(format!(
                                    "{addr_match}{proto} dport {port} accept {comment}"
                                ));
                            }
                        }
                    }
                }
            }
        }
    }
    if !selected {
        return Ok(None);
    }
    let mut text = String::from("table inet podsim_netpol\ndelete table inet podsim_netpol\n");
    text += "table inet podsim_netpol {\n";
    for (chain, hook, peer) in [("input", "input", "saddr"), ("output", "output", "daddr")] {
        text += &format!("  chain {chain} {{\n    type filter hook {hook} priority 0;\n");
        match chains.get(chain) {
            // Not selected in this direction: open.
            None => text += "    policy accept;\n",
            Some(rules) => {
                text += "    policy drop;\n";
                text += "    ct state established,related accept\n";
                text += "    meta iif lo accept\n    meta oif lo accept\n";
                text += &format!("    ip {peer} {node} accept comment \"node\"\n");
                for r in rules {
                    text += &format!("    {r}\n");
                }
            }
        }
        text += "  }\n";
    }
    text += "}\n";
    Ok(Some(text))
}

/// Every named container port of every pod (egress rules name the destination's ports).
fn merged_ports(pods: &[PodInfo]) -> PodInfo {
    let mut ports = BTreeMap::new();
    for p in pods {
        for (k, v) in &p.ports {
            ports.entry(k.clone()).or_insert(*v);
        }
    }
    PodInfo {
        name: String::new(),
        namespace: String::new(),
        addr: Ipv4Addr::UNSPECIFIED,
        labels: BTreeMap::new(),
        ports,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(name: &str, octet: u8, labels: &[(&str, &str)]) -> PodInfo {
        PodInfo {
            name: name.into(),
            namespace: "redis".into(),
            addr: Ipv4Addr::new(10, 0, 0, octet),
            labels: labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ports: [("redis".to_string(), 6379)].into_iter().collect(),
        }
    }

    fn policy() -> Value {
        json!({
            "metadata": {"name": "np"},
            "spec": {
                "podSelector": {"matchLabels": {"app": "redis"}},
                "policyTypes": ["Ingress"],
                "ingress": [
                    {"from": [{"podSelector": {"matchLabels": {"app": "redis"}}}],
                     "ports": [{"port": "redis"}, {"port": 26379, "protocol": "TCP"}]},
                    {"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}],
                     "ports": [{"port": 9121}]}
                ]
            }
        })
    }

    #[test]
    fn selected_pod_admits_only_its_rules() {
        let pods = vec![
            pod("r0", 10, &[("app", "redis")]),
            pod("h0", 20, &[("app", "haproxy")]),
        ];
        let node = Ipv4Addr::new(10, 0, 0, 250);
        let text = ruleset(&pods[0], &pods, &[policy()], "redis", node)
            .unwrap()
            .unwrap();
        assert!(
            text.contains("ip saddr { 10.0.0.10 } tcp dport 6379 accept"),
            "{text}"
        );
        assert!(
            text.contains("ip saddr { 10.0.0.10 } tcp dport 26379 accept"),
            "{text}"
        );
        // The monitoring namespace holds no pod here: no rule.
        assert!(!text.contains("9121"), "{text}");
        assert!(!text.contains("10.0.0.20"), "{text}");
        assert!(text.contains("ip saddr 10.0.0.250 accept"), "{text}");
        // Egress is not restricted by an Ingress-only policy.
        assert!(
            text.contains(
                "chain output {\n    type filter hook output priority 0;\n    policy accept;"
            ),
            "{text}"
        );
        // The HAProxy pod is selected by nothing.
        assert!(ruleset(&pods[1], &pods, &[policy()], "redis", node)
            .unwrap()
            .is_none());
    }

    #[test]
    fn namespace_selectors_admit_pods_of_the_namespaces_they_name() {
        let mut prom = pod("prometheus", 40, &[("app", "redis")]);
        prom.namespace = "monitoring".into();
        let mut other = pod("elsewhere", 41, &[]);
        other.namespace = "apps".into();
        let pods = vec![pod("r0", 10, &[("app", "redis")]), prom, other];
        let node = Ipv4Addr::new(10, 0, 0, 250);
        let text = ruleset(&pods[0], &pods, &[policy()], "redis", node)
            .unwrap()
            .unwrap();
        // The monitoring namespace's pod reaches the exporter port, and only that port;
        // its `app: redis` label does not make it a same-namespace peer.
        assert!(
            text.contains("ip saddr { 10.0.0.40 } tcp dport 9121 accept"),
            "{text}"
        );
        assert!(
            text.contains("ip saddr { 10.0.0.10 } tcp dport 6379 accept"),
            "{text}"
        );
        assert!(!text.contains("10.0.0.41"), "{text}");
        // The release's policies do not select pods of other namespaces.
        assert!(ruleset(&pods[1], &pods, &[policy()], "redis", node)
            .unwrap()
            .is_none());
    }

    #[test]
    fn selectors_follow_kubernetes() {
        let labels: BTreeMap<String, String> =
            [("app".to_string(), "x".to_string())].into_iter().collect();
        assert!(selects(&json!({}), &labels).unwrap());
        assert!(selects(
            &json!({"matchExpressions": [{"key": "app", "operator": "In", "values": ["x", "y"]}]}),
            &labels
        )
        .unwrap());
        assert!(!selects(
            &json!({"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["x"]}]}),
            &labels
        )
        .unwrap());
        assert!(selects(
            &json!({"matchExpressions": [{"key": "tier", "operator": "DoesNotExist"}]}),
            &labels
        )
        .unwrap());
        assert!(!selects(&json!({"matchLabels": {"app": "y"}}), &labels).unwrap());
        assert!(in_cidr(Ipv4Addr::new(169, 254, 1, 2), "169.254.0.0/16").unwrap());
        assert!(!in_cidr(Ipv4Addr::new(10, 0, 0, 1), "169.254.0.0/16").unwrap());
    }

    #[test]
    fn same_namespace_peers_and_any_namespace() {
        let pods = vec![pod("r0", 10, &[("app", "redis")]), pod("c", 30, &[])];
        let p = json!({
            "metadata": {"name": "np"},
            "spec": {
                "podSelector": {},
                "policyTypes": ["Ingress", "Egress"],
                "ingress": [{"from": [{"podSelector": {}}], "ports": [{"port": 6379}]}],
                "egress": [{"to": [{"namespaceSelector": {}}]}]
            }
        });
        let text = ruleset(&pods[0], &pods, &[p], "redis", Ipv4Addr::new(10, 0, 0, 250))
            .unwrap()
            .unwrap();
        assert!(
            text.contains("ip saddr { 10.0.0.10, 10.0.0.30 } tcp dport 6379 accept"),
            "{text}"
        );
        assert!(
            text.contains("ip daddr { 10.0.0.10, 10.0.0.30 } accept"),
            "{text}"
        );
    }
}
