//! The gates of model::gates are real: with its gate off, changing a setting of the subtree
//! leaves the chart's render (helm4 template) unchanged, and with the gate on the same change
//! shows. chartlint's ignored-setting rule (RHA160) and the "Used only when" sentences of the
//! schema rest on this.

use model::gates::GATES;
use testkit::{base_chart, render_values};

/// (subtree, what its gate needs besides itself, a setting whose change shows when it is on).
const CASES: &[(&str, &[&str], &str)] = &[
    ("persistentVolume", &[], "persistentVolume.size=7Gi"),
    ("haproxy", &[], "haproxy.replicas=5"),
    (
        "haproxy.tls",
        &["haproxy.enabled=true", "haproxy.tls.secretName=base-pem"],
        "haproxy.tls.secretName=other-pem",
    ),
    (
        "haproxy.readOnly",
        &["haproxy.enabled=true"],
        "haproxy.readOnly.port=6390",
    ),
    (
        "haproxy.metrics",
        &["haproxy.enabled=true"],
        "haproxy.metrics.port=9102",
    ),
    (
        "haproxy.metrics.serviceMonitor",
        &["haproxy.enabled=true", "haproxy.metrics.enabled=true"],
        "haproxy.metrics.serviceMonitor.interval=17s",
    ),
    (
        "haproxy.networkPolicy",
        &["haproxy.enabled=true"],
        "haproxy.networkPolicy.labels.x=y",
    ),
    ("exporter", &[], "exporter.port=9122"),
    (
        "exporter.serviceMonitor",
        &["exporter.enabled=true"],
        "exporter.serviceMonitor.interval=17s",
    ),
    (
        "prometheusRule",
        &["exporter.enabled=true"],
        "prometheusRule.interval=17s",
    ),
    ("networkPolicy", &[], "networkPolicy.labels.x=y"),
    ("sysctlImage", &[], "sysctlImage.tag=9.9.9"),
];

fn render(sets: &[String]) -> String {
    let mut args: Vec<String> = vec!["--api-versions".into(), "monitoring.coreos.com/v1".into()];
    for s in sets {
        args.push("--set".into());
        args.push(s.clone());
    }
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    match render_values(&base_chart(), "{}\n", &refs) {
        Ok(r) => r.manifest.clone(),
        Err(e) => panic!("helm4 template with {sets:?}: {e}"),
    }
}

#[test]
fn gated_settings_change_nothing_while_the_gate_is_off() {
    let mut failures = Vec::new();
    for gate in GATES {
        let Some((_, needs, sample)) = CASES.iter().find(|(s, ..)| *s == gate.subtree) else {
            failures.push(format!("{}: no case in tests/gates.rs", gate.subtree));
            continue;
        };
        for on in [false, true] {
            let mut base: Vec<String> = needs.iter().map(|s| s.to_string()).collect();
            base.push(format!("{}={on}", gate.gate));
            let mut changed = base.clone();
            changed.push(sample.to_string());
            let same = render(&base) == render(&changed);
            if same == on {
                failures.push(format!(
                    "{}: with {}={on}, `{sample}` {} the render",
                    gate.subtree,
                    gate.gate,
                    if same { "does not change" } else { "changes" }
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
