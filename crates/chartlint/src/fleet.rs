//! Fleet linting (`chartlint --fleet`): every instance of a fleet file linted against its chart
//! as it will be installed, with findings located in the fleet file, plus the checks that only
//! a whole fleet can fail (two releases of one name in one namespace, two groups sharing a
//! Sentinel master name in one namespace) and the fleet's total memory and CPU requests.
//!
//! The caller (the `chartlint` binary) resolves the fleet file against the charts (sizes,
//! defaults, the documents of each instance, in the generator's `fleet` module); this module
//! only lints.

use std::collections::BTreeMap;

use serde_json::Value as Json;

use crate::config::Config;
use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::{self, Chart};
use crate::rules::{Category, RuleMeta};
use crate::source::{Loc, Src};
use crate::values::{self, Inputs};
use crate::yaml::{Document, LoadError};

/// Two instances with one release name in one namespace.
pub static DUPLICATE_RELEASE: RuleMeta = RuleMeta {
    id: "RHA900",
    name: "duplicate-release",
    severity: Severity::Error,
    category: Category::Helm,
    summary: "Two fleet instances are one Helm release: same name in the same namespace.",
    doc: "### What it checks\n\nTwo instances of a fleet file with the same `name` in the same namespace.\n\n\
### Why it matters\n\nA Helm release is identified by its name and namespace: the second instance \
would upgrade the first one's release with its own values (helmfile and Argo CD apply both, one \
after the other), so one of the two Redis groups silently takes the other's size and \
configuration.\n\n\
### Example\n\n```yaml\ninstances:\n  - name: orders\n  - name: orders   # same namespace\n```\n\n\
### Fix\n\nRename one of them, or give it its own `namespace`.\n",
};

/// Two groups with one Sentinel master name in one namespace.
pub static SHARED_MASTER_GROUP: RuleMeta = RuleMeta {
    id: "RHA901",
    name: "shared-master-group-name",
    severity: Severity::Warning,
    category: Category::Sentinel,
    summary: "Two fleet instances in one namespace use the same Sentinel master name.",
    doc: "### What it checks\n\nTwo instances in the same namespace whose `redis.masterGroupName` \
(the name Sentinel monitors the master under) is the same.\n\n\
### Why it matters\n\nSentinel clients ask for a master by that name, and the exporter, the \
alerts and dashboards label each group by it. Two groups with one name in one namespace are \
told apart only by their Service names: a client pointed at the wrong Sentinel Service gets the \
other group's master without any error, and their metrics are indistinguishable per namespace.\n\n\
### Example\n\n```yaml\ndefaults:\n  values:\n    redis:\n      masterGroupName: mymaster\ninstances:\n  - name: orders\n  - name: sessions\n```\n\n\
### Fix\n\nGive each instance its own `redis.masterGroupName` (for example the release name).\n",
};

/// The fleet rules, in id order.
pub static RULES: [&RuleMeta; 2] = [&DUPLICATE_RELEASE, &SHARED_MASTER_GROUP];

/// The fleet rules' reference, in the format of the rule reference (docs/rules.md appends
/// it).
pub fn rules_markdown() -> String {
    let mut s = String::from(
        "\n# Fleet rules\n\nChecked by `chartlint --fleet` across the instances of a fleet file (docs/fleet.md).\n\n| id | name | default severity | category | summary |\n|---|---|---|---|---|\n",
    );
    for m in RULES {
        s.push_str(&format!(
            "| [{}](#{}) | `{}` | {} | {} | {} |\n",
            m.id,
            format!("{}-{}", m.id, m.name).to_ascii_lowercase(),
            m.name,
            m.severity.as_str(),
            m.category.as_str(),
            m.summary
        ));
    }
    for m in RULES {
        s.push_str(&format!(
            "\n## {} {}\n\nDefault severity: **{}**. Category: {}.\n\n{}\n\n{}\n",
            m.id,
            m.name,
            m.severity.as_str(),
            m.category.as_str(),
            m.summary,
            m.doc.trim()
        ));
    }
    s
}

/// One instance to lint.
pub struct Instance<'a> {
    pub name: String,
    pub namespace: String,
    /// Where the instance's name is written in the fleet file.
    pub name_loc: Loc,
    /// The chart it installs.
    pub chart: &'a Chart,
    /// Its `-f` documents in Helm's order, located in the fleet file.
    pub docs: Vec<Document>,
}

/// Memory and CPU requests of running containers, and pod counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Requests {
    /// Bytes.
    pub memory: u64,
    /// Millicores.
    pub cpu_millis: u64,
    pub redis_pods: u64,
    pub haproxy_pods: u64,
}

impl std::ops::AddAssign for Requests {
    fn add_assign(&mut self, o: Requests) {
        self.memory += o.memory;
        self.cpu_millis += o.cpu_millis;
        self.redis_pods += o.redis_pods;
        self.haproxy_pods += o.haproxy_pods;
    }
}

/// The result of linting a fleet.
pub struct Report {
    /// Every finding: each instance's, then the fleet rules', sorted by position.
    pub diagnostics: Vec<Diagnostic>,
    /// Every source a diagnostic may point into.
    pub sources: Vec<Src>,
    /// Requests per namespace.
    pub namespaces: BTreeMap<String, Requests>,
    /// Requests of the whole fleet.
    pub total: Requests,
    /// Number of instances linted.
    pub instances: usize,
}

/// Lints every instance (on all cores) and the fleet as a whole.
pub fn lint(instances: &[Instance<'_>], config: &Config) -> Result<Report, LoadError> {
    use rayon::prelude::*;
    let per_instance: Vec<(Vec<Diagnostic>, Json)> = instances
        .par_iter()
        .map(|inst| {
            let report = engine::lint_documents(inst.chart, &inst.docs, &[], &[], config)?;
            let merged = values::merge(
                &inst.chart.values,
                &Inputs {
                    files: &inst.docs,
                    set: &[],
                    set_string: &[],
                },
            )?;
            Ok((report.diagnostics, merged.to_json()))
        })
        .collect::<Result<_, LoadError>>()?;

    // The fleet's shared defaults are linted once per instance: one finding per place and
    // message, naming the instances it concerns.
    // Keyed by (file, line, column, rule, message): one finding, the instances it concerns.
    type Place = (String, usize, usize, String, String);
    let mut grouped: BTreeMap<Place, (Diagnostic, Vec<String>)> = BTreeMap::new();
    for (inst, (diags, _)) in instances.iter().zip(&per_instance) {
        for d in diags {
            let key = (
                d.file.clone(),
                d.line,
                d.column,
                d.rule.clone(),
                d.message.clone(),
            );
            grouped
                .entry(key)
                .or_insert_with(|| (d.clone(), Vec::new()))
                .1
                .push(format!("{}/{}", inst.namespace, inst.name));
        }
    }
    let mut diagnostics: Vec<Diagnostic> = grouped
        .into_values()
        .map(|(mut d, names)| {
            d.message = format!("{}: {}", instance_list(&names), d.message);
            d
        })
        .collect();

    let merged: Vec<&Json> = per_instance.iter().map(|(_, m)| m).collect();
    diagnostics.extend(
        fleet_rules(instances, &merged)
            .into_iter()
            .filter_map(|d| config.apply(d)),
    );
    diagnostics.sort_by_key(Diagnostic::sort_key);

    let mut namespaces: BTreeMap<String, Requests> = BTreeMap::new();
    let mut total = Requests::default();
    for (inst, m) in instances.iter().zip(&merged) {
        let r = requests(m);
        *namespaces.entry(inst.namespace.clone()).or_default() += r;
        total += r;
    }
    let mut sources: Vec<Src> = Vec::new();
    for inst in instances {
        for src in inst
            .docs
            .iter()
            .map(|d| d.src.clone())
            .chain([inst.chart.values_source()])
        {
            if !sources.iter().any(|s| std::sync::Arc::ptr_eq(s, &src)) {
                sources.push(src);
            }
        }
    }
    Ok(Report {
        diagnostics,
        sources,
        namespaces,
        total,
        instances: instances.len(),
    })
}

/// `shop/a`, or `shop/a, shop/b`, or `shop/a, shop/b and 7 more instances`.
fn instance_list(names: &[String]) -> String {
    match names.len() {
        0..=3 => names.join(", "),
        n => format!("{} and {} more instances", names[..2].join(", "), n - 2),
    }
}

fn fleet_rules(instances: &[Instance<'_>], merged: &[&Json]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut releases: BTreeMap<(&str, &str), &Instance<'_>> = BTreeMap::new();
    let mut groups: BTreeMap<(&str, String), &Instance<'_>> = BTreeMap::new();
    for (inst, m) in instances.iter().zip(merged) {
        match releases.get(&(inst.namespace.as_str(), inst.name.as_str())) {
            Some(first) => out.push(
                Diagnostic::new(
                    &DUPLICATE_RELEASE,
                    &inst.name_loc,
                    "name",
                    format!(
                        "release `{}` is already defined in namespace `{}`: both instances would be one Helm release, and the later one's values would replace the earlier one's",
                        inst.name, inst.namespace
                    ),
                )
                .with_related(&first.name_loc, "the first instance of that name")
                .with_help("rename one of them, or give it its own `namespace`"),
            ),
            None => {
                releases.insert((&inst.namespace, &inst.name), inst);
            }
        }
        let Some(group) = m["redis"]["masterGroupName"].as_str() else {
            continue;
        };
        match groups.get(&(inst.namespace.as_str(), group.to_string())) {
            Some(first) if first.name != inst.name => out.push(
                Diagnostic::new(
                    &SHARED_MASTER_GROUP,
                    &inst.name_loc,
                    "redis.masterGroupName",
                    format!(
                        "`{}` and `{}` in namespace `{}` both name their Sentinel master `{group}`",
                        first.name, inst.name, inst.namespace
                    ),
                )
                .with_related(&first.name_loc, "the other instance")
                .with_help(format!(
                    "set `redis.masterGroupName` per instance, e.g. `{}`",
                    inst.name
                )),
            ),
            Some(_) => {}
            None => {
                groups.insert((&inst.namespace, group.to_string()), inst);
            }
        }
    }
    out
}

/// The requests of one instance's running containers, from the values Helm renders with:
/// per Redis pod the redis, sentinel and split-brain-fix containers and the exporter when
/// enabled; per HAProxy pod (when enabled) the haproxy container. Init containers run before
/// and are not counted.
pub fn requests(values: &Json) -> Requests {
    let req = |v: &Json| -> (u64, u64) {
        let r = &v["resources"]["requests"];
        let memory = quantity(&r["memory"], model::units::parse_memory_quantity);
        let cpu = quantity(&r["cpu"], model::units::parse_cpu_quantity);
        (memory, cpu)
    };
    let count = |v: &Json| -> u64 {
        match v {
            Json::Number(n) => n.as_u64().unwrap_or(0),
            Json::String(s) => s.trim().parse().unwrap_or(0),
            _ => 0,
        }
    };
    let mut per_redis = vec![
        req(&values["redis"]),
        req(&values["sentinel"]),
        req(&values["splitBrainDetection"]),
    ];
    if values["exporter"]["enabled"] == Json::Bool(true) {
        per_redis.push(req(&values["exporter"]));
    }
    let redis_pods = count(&values["replicas"]);
    let haproxy_pods = if values["haproxy"]["enabled"] == Json::Bool(true) {
        count(&values["haproxy"]["replicas"])
    } else {
        0
    };
    let (hm, hc) = req(&values["haproxy"]);
    Requests {
        memory: redis_pods * per_redis.iter().map(|r| r.0).sum::<u64>() + haproxy_pods * hm,
        cpu_millis: redis_pods * per_redis.iter().map(|r| r.1).sum::<u64>() + haproxy_pods * hc,
        redis_pods,
        haproxy_pods,
    }
}

fn quantity<E>(v: &Json, parse: fn(&str) -> Result<u64, E>) -> u64 {
    match v {
        Json::String(s) => parse(s).unwrap_or(0),
        Json::Number(n) => parse(&n.to_string()).unwrap_or(0),
        _ => 0,
    }
}

/// The totals as `chartlint --fleet` prints them.
pub fn totals_text(report: &Report) -> String {
    let line = |name: &str, r: &Requests| {
        format!(
            "  {name:<24} {:>5} Redis pods {:>5} HAProxy pods   memory {:>9.1} GiB   CPU {:>7.2} cores\n",
            r.redis_pods,
            r.haproxy_pods,
            r.memory as f64 / (1u64 << 30) as f64,
            r.cpu_millis as f64 / 1000.0,
        )
    };
    let mut out = format!(
        "requests of {} instances (running containers; limits are equal in the sized charts):\n",
        report.instances
    );
    for (ns, r) in &report.namespaces {
        out.push_str(&line(&format!("namespace {ns}"), r));
    }
    out.push_str(&line("total", &report.total));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn requests_count_the_running_containers() {
        let values = json!({
            "replicas": 3,
            "redis": {"resources": {"requests": {"memory": "2Gi", "cpu": "1"}}},
            "sentinel": {"resources": {"requests": {"memory": "64Mi", "cpu": "100m"}}},
            "splitBrainDetection": {"resources": {"requests": {"memory": "32Mi", "cpu": "50m"}}},
            "exporter": {"enabled": false, "resources": {"requests": {"memory": "1Gi", "cpu": "1"}}},
            "haproxy": {"enabled": true, "replicas": "2", "resources": {"requests": {"memory": "128Mi", "cpu": "250m"}}},
        });
        let r = requests(&values);
        assert_eq!(r.redis_pods, 3);
        assert_eq!(r.haproxy_pods, 2);
        assert_eq!(
            r.memory,
            3 * (2048 + 64 + 32) * 1024 * 1024 + 2 * 128 * 1024 * 1024
        );
        assert_eq!(r.cpu_millis, 3 * 1150 + 500);
    }

    #[test]
    fn long_instance_lists_are_cut() {
        let names: Vec<String> = (0..5).map(|i| format!("ns/i{i}")).collect();
        assert_eq!(instance_list(&names[..2]), "ns/i0, ns/i1");
        assert_eq!(instance_list(&names), "ns/i0, ns/i1 and 3 more instances");
    }
}
