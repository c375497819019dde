//! The redis-ha chart's default `repl-backlog-size` (written by templates/_config.tpl when
//! `redis.config` sets none) is the model's, and every variant's comes from model::timing.

use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_template_default_backlog_is_the_models() {
    let tpl = std::fs::read_to_string(root().join("chart-src/templates/_config.tpl"))
        .expect("chart-src/templates/_config.tpl");
    let want = format!("repl-backlog-size {}", model::timing::base_repl_backlog());
    assert!(
        tpl.lines().any(|l| l.trim() == want),
        "_config.tpl must write `{want}` (model::timing::base_repl_backlog())"
    );
}

#[test]
fn variants_carry_their_time_budgets() {
    let out = generator::generate(root()).expect("generate");
    let path = Path::new("generated-charts/redis-1g/values.yaml");
    let values = out
        .output
        .files
        .get(path)
        .map(|f| String::from_utf8_lossy(&f.contents).into_owned())
        .expect("redis-1g values.yaml");
    let b = model::timing::budgets(1 << 30, 15, 30);
    for want in [
        format!(
            "repl-backlog-size: \"{}\"",
            model::timing::repl_backlog_text(&b)
        ),
        format!("terminationGracePeriodSeconds: {}", b.termination_grace_s),
        format!("failureThreshold: {}", b.startup_failure_threshold),
    ] {
        assert!(
            values.contains(&want),
            "redis-1g values.yaml lacks `{want}`"
        );
    }
}
