//! Sized variants: the values of each variant chart, with resources and PVC derived from its
//! `maxmemory` by the model's sizing module (the same one the linter judges values with).

use helm_values::json::merge;
use model::sizing::{self, Resources, Sizing, SizingInput};
use model::timing::{self, Budgets};
use model::units::{format_binary_bytes, parse_redis_memory};
use serde_json::{json, Value};

use crate::spec::{Spec, Variant};
use crate::{Error, Result};

/// A variant with its complete values and the sizing that produced them.
pub struct SizedVariant {
    pub name: String,
    pub description: String,
    pub values: Value,
    pub sizing: Sizing,
    pub timing: Budgets,
}

/// Builds the values of `variant`: model defaults, then the shared variant defaults, then the
/// variant's `maxmemory`, then the sized resources and PVC, then the variant's own overrides
/// (an override always wins).
pub fn size_variant(spec: &Spec, variant: &Variant, defaults: &Value) -> Result<SizedVariant> {
    let fail = |message: String| Error::Variant {
        name: variant.name.clone(),
        message,
    };
    let maxmemory = parse_redis_memory(&variant.maxmemory).map_err(|e| fail(e.to_string()))?;
    let maxmemory_value = json!({"redis": {"config": {"maxmemory": variant.maxmemory}}});
    let base = merge(defaults, &[spec.variant_defaults.clone(), maxmemory_value]);
    // Time budgets follow the size; a variant's own overrides still have the last word.
    let timing = budgets_for(&base, maxmemory);
    let values = merge(&base, &[timing_values(&timing), variant.overrides.clone()]);

    let input = sizing_input(&values).map_err(&fail)?;
    if input.maxmemory != maxmemory {
        return Err(fail(format!(
            "overrides set redis.config.maxmemory to {} bytes, but the variant says {}",
            input.maxmemory, variant.maxmemory
        )));
    }
    let sized = sizing::size(&input).map_err(|e| fail(e.to_string()))?;
    let values = merge(&values, &[sized_values(&sized), variant.overrides.clone()]);

    let description = variant.description.clone().unwrap_or_else(|| {
        format!(
            "Redis with Sentinel and HAProxy sized for maxmemory {}: memory limit {} (request = limit), PVC {}.",
            variant.maxmemory,
            format_binary_bytes(sized.redis.memory_limit),
            format_binary_bytes(sized.pvc)
        )
    });
    Ok(SizedVariant {
        name: variant.name.clone(),
        description,
        values,
        sizing: sized,
        timing,
    })
}

/// What a Redis memory size adds over a chart's `values` and the instance's own `layers`:
/// `redis.config.maxmemory`, the time budgets of that size, and the resources and PVC that
/// `model::sizing` derives from the rest (pods, persistence, buffers), exactly as a variant of
/// that size is sized. What `layers` set still wins over the budgets, as a variant's overrides do.
pub fn resize(
    values: &Value,
    layers: &[Value],
    maxmemory: &str,
) -> std::result::Result<Value, String> {
    let bytes = parse_redis_memory(maxmemory).map_err(|e| e.to_string())?;
    let maxmemory_value = json!({"redis": {"config": {"maxmemory": maxmemory}}});
    let budgets = budgets_for(&merge(values, layers), bytes);
    let timing = timing_values(&budgets);
    let mut files = vec![timing.clone()];
    files.extend(layers.iter().cloned());
    files.push(maxmemory_value.clone());
    let input = sizing_input(&merge(values, &files))?;
    let sized = sizing::size(&input).map_err(|e| e.to_string())?;
    Ok(merge(&maxmemory_value, &[timing, sized_values(&sized)]))
}

/// The time budgets of a variant's `maxmemory`, for its startup probe's period and delay.
fn budgets_for(values: &Value, maxmemory: u64) -> Budgets {
    let probe = &values["redis"]["startupProbe"];
    let num = |k: &str, d: u32| {
        probe[k]
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(d)
    };
    timing::budgets(
        maxmemory,
        num("periodSeconds", 15),
        num("initialDelaySeconds", 30),
    )
}

/// The values the time budgets decide (before the sizing, which counts the backlog).
fn timing_values(b: &Budgets) -> Value {
    json!({"redis": {
        "terminationGracePeriodSeconds": b.termination_grace_s,
        "startupProbe": {"failureThreshold": b.startup_failure_threshold},
        "config": {"repl-backlog-size": timing::repl_backlog_text(b)},
    }})
}

/// The sizing input of a chart's values: its `redis.config`, pod count and image tag.
pub fn sizing_input(values: &Value) -> std::result::Result<SizingInput, String> {
    let pods = match &values["replicas"] {
        Value::Number(n) => n.as_u64().unwrap_or(0),
        Value::String(s) => s.trim().parse().unwrap_or(0),
        _ => 0,
    };
    let pods = u32::try_from(pods).unwrap_or(u32::MAX);
    let major = values["image"]["tag"]
        .as_str()
        .and_then(sizing::redis_major_version);
    let config = &values["redis"]["config"];
    // The value Redis reads for a key: the model's renderer, the last line of a list.
    SizingInput::from_redis_config(pods, major, |key| {
        let text = model::conf::effective(config.get(key)?)?;
        Some(model::conf::unquote(&text).to_string())
    })
    .map_err(|e| e.to_string())
}

/// The values that the sizing decides: every container's resources and the PVC size.
fn sized_values(s: &Sizing) -> Value {
    json!({
        "redis": {"resources": resources(&s.redis)},
        "sentinel": {"resources": resources(&sizing::SENTINEL)},
        "splitBrainDetection": {"resources": resources(&sizing::SPLIT_BRAIN_FIX)},
        "exporter": {"resources": resources(&sizing::EXPORTER)},
        "init": {"resources": resources(&sizing::INIT)},
        "haproxy": {
            "resources": resources(&sizing::HAPROXY),
            "init": {"resources": resources(&sizing::HAPROXY_INIT)},
        },
        "persistentVolume": {"size": format_binary_bytes(s.pvc)},
    })
}

fn resources(r: &Resources) -> Value {
    let (req_cpu, req_mem, lim_cpu, lim_mem) = r.quantities();
    json!({
        "requests": {"cpu": req_cpu, "memory": req_mem},
        "limits": {"cpu": lim_cpu, "memory": lim_mem},
    })
}

/// The generated Markdown table of every variant.
pub fn table(variants: &[SizedVariant]) -> String {
    let mut out = String::from(
        "| Chart | maxmemory | Redis memory request = limit | maxmemory / limit | Redis CPU | PVC | Redis pods | HAProxy pods |\n\
         |---|---|---|---|---|---|---|---|\n",
    );
    for v in variants {
        let s = &v.sizing;
        let (cpu, mem, _, _) = s.redis.quantities();
        let percent = s.input.maxmemory.saturating_mul(100) / s.redis.memory_limit.max(1);
        out.push_str(&format!(
            "| `{}` | `{}` | {} | {}% | {} | {} | {} | {} |\n",
            v.name,
            v.values["redis"]["config"]["maxmemory"]
                .as_str()
                .unwrap_or_default(),
            mem,
            percent,
            cpu,
            format_binary_bytes(s.pvc),
            v.values["replicas"],
            v.values["haproxy"]["replicas"],
        ));
    }
    out
}
