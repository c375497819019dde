//! Pod volumes on the host: ConfigMaps and Secrets as files, emptyDirs, and persistent
//! claim directories.

use super::PodRt;
use crate::error::{io, Error, Result};
use crate::manifest::{str_at, Manifest};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Materialises the pod's volumes under its directory: ConfigMaps and Secrets as files,
/// emptyDirs fresh at every (re)creation, volumeClaimTemplates persistent per pod.
pub(super) fn prepare_volumes(m: &Manifest, pod: &mut PodRt) -> Result<()> {
    let vol_root = pod.sandbox.dir.join("vol");
    if vol_root.exists() {
        std::fs::remove_dir_all(&vol_root).map_err(io(&vol_root))?;
    }
    std::fs::create_dir_all(&vol_root).map_err(io(&vol_root))?;
    let spec = pod.template.get("spec").cloned().unwrap_or(Value::Null);
    for v in spec
        .get("volumes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let vname = str_at(v, &["name"]).unwrap_or_default();
        let dir = vol_root.join(&vname);
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
        if let Some(cm) = v.get("configMap") {
            let mode = file_mode(cm.get("defaultMode"));
            write_source(m, &pod.name, &vname, Source::ConfigMap, cm, mode, &dir)?;
        } else if let Some(sec) = v.get("secret") {
            let mode = file_mode(sec.get("defaultMode"));
            write_source(m, &pod.name, &vname, Source::Secret, sec, mode, &dir)?;
        } else if let Some(projected) = v.get("projected") {
            let mode = file_mode(projected.get("defaultMode"));
            for src in projected
                .get("sources")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(cm) = src.get("configMap") {
                    write_source(m, &pod.name, &vname, Source::ConfigMap, cm, mode, &dir)?;
                } else if let Some(sec) = src.get("secret") {
                    write_source(m, &pod.name, &vname, Source::Secret, sec, mode, &dir)?;
                } else {
                    return Err(Error::Manifest(format!(
                        "pod {} volume {vname}: unsupported projected source {src}",
                        pod.name
                    )));
                }
            }
        } else if v.get("emptyDir").is_some() {
            set_mode(&dir, 0o777)?;
        } else if v.get("persistentVolumeClaim").is_some() {
            // Treated like a claim template: persistent per pod.
        } else {
            return Err(Error::Manifest(format!(
                "pod {} volume {vname}: unsupported volume type",
                pod.name
            )));
        }
    }
    for c in &pod.claims {
        let dir = pod.sandbox.dir.join("pvc").join(c);
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
    }
    Ok(())
}

/// The (key, content) pairs of a ConfigMap or Secret.
type Keys = Vec<(String, Vec<u8>)>;

#[derive(Clone, Copy)]
enum Source {
    ConfigMap,
    Secret,
}

/// Writes the keys of one ConfigMap or Secret reference (`name`/`secretName`, `items`,
/// `optional`) into `dir`: every key, or only the listed `items` at their `path`.
fn write_source(
    m: &Manifest,
    pod: &str,
    vname: &str,
    kind: Source,
    spec: &Value,
    mode: u32,
    dir: &Path,
) -> Result<()> {
    let (what, name, data): (&str, String, Option<Keys>) = match kind {
        Source::ConfigMap => {
            let name = str_at(spec, &["name"]).unwrap_or_default();
            let data = m.config_maps.get(&name).map(|d| {
                d.iter()
                    .map(|(k, v)| (k.clone(), v.as_bytes().to_vec()))
                    .collect()
            });
            ("ConfigMap", name, data)
        }
        Source::Secret => {
            // A volume names its Secret `secretName`, a projected source `name`.
            let name = str_at(spec, &["secretName"])
                .or_else(|| str_at(spec, &["name"]))
                .unwrap_or_default();
            let data = m
                .secrets
                .get(&name)
                .map(|d| d.iter().map(|(k, v)| (k.clone(), v.clone())).collect());
            ("Secret", name, data)
        }
    };
    let Some(data) = data else {
        if spec.get("optional").and_then(Value::as_bool) == Some(true) {
            return Ok(());
        }
        return Err(Error::Manifest(format!(
            "pod {pod} volume {vname}: {what} {name} not rendered"
        )));
    };
    match spec.get("items").and_then(Value::as_array) {
        None => {
            for (k, bytes) in &data {
                write_file(&dir.join(k), bytes, mode)?;
            }
        }
        Some(items) => {
            for item in items {
                let key = str_at(item, &["key"]).unwrap_or_default();
                let path = str_at(item, &["path"]).unwrap_or_else(|| key.clone());
                if path.split('/').any(|c| c == ".." || c.is_empty()) {
                    return Err(Error::Manifest(format!(
                        "pod {pod} volume {vname}: bad item path {path:?}"
                    )));
                }
                let bytes = data.iter().find(|(k, _)| *k == key).map(|(_, b)| b);
                let Some(bytes) = bytes else {
                    return Err(Error::Manifest(format!(
                        "pod {pod} volume {vname}: {what} {name} has no key {key}"
                    )));
                };
                let item_mode = item.get("mode").map(|v| file_mode(Some(v))).unwrap_or(mode);
                let target = dir.join(&path);
                if let Some(parent) = target.parent() {
                    std::fs::create_dir_all(parent).map_err(io(parent))?;
                }
                write_file(&target, bytes, item_mode)?;
            }
        }
    }
    Ok(())
}

/// A volume's defaultMode. The manifest is read with Kubernetes' YAML 1.1 typing
/// (helm_values), so `0755` is already the integer 493; anything else means the default.
fn file_mode(v: Option<&Value>) -> u32 {
    v.and_then(Value::as_u64)
        .and_then(|n| u32::try_from(n).ok())
        .filter(|n| *n <= 0o7777)
        .unwrap_or(0o644)
}

fn set_mode(p: &Path, mode: u32) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).map_err(io(p))
}

fn write_file(p: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    std::fs::write(p, bytes).map_err(io(p))?;
    set_mode(p, mode)
}

/// The host directory behind a volume name of this pod.
pub(super) fn volume_source(pod: &PodRt, vname: &str) -> PathBuf {
    if pod.claims.iter().any(|c| c == vname) {
        pod.sandbox.dir.join("pvc").join(vname)
    } else {
        pod.sandbox.dir.join("vol").join(vname)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_mode_is_the_yaml11_integer() {
        let docs = helm_values::json::load_all("m", "defaultMode: 0755\n---\ndefaultMode: 420\n")
            .expect("yaml");
        assert_eq!(file_mode(docs[0].get("defaultMode")), 0o755);
        assert_eq!(file_mode(docs[1].get("defaultMode")), 0o644);
        assert_eq!(file_mode(Some(&serde_json::json!("0644"))), 0o644);
        assert_eq!(file_mode(None), 0o644);
    }
}
