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
            let cname = str_at(cm, &["name"]).unwrap_or_default();
            let mode = file_mode(cm.get("defaultMode"));
            let data = m.config_maps.get(&cname).ok_or_else(|| {
                Error::Manifest(format!(
                    "pod {} volume {vname}: ConfigMap {cname} not rendered",
                    pod.name
                ))
            })?;
            for (k, text) in data {
                write_file(&dir.join(k), text.as_bytes(), mode)?;
            }
        } else if let Some(sec) = v.get("secret") {
            let sname = str_at(sec, &["secretName"]).unwrap_or_default();
            let mode = file_mode(sec.get("defaultMode"));
            if let Some(data) = m.secrets.get(&sname) {
                for (k, bytes) in data {
                    write_file(&dir.join(k), bytes, mode)?;
                }
            } else if sec.get("optional").and_then(Value::as_bool) != Some(true) {
                return Err(Error::Manifest(format!(
                    "pod {} volume {vname}: Secret {sname} not rendered",
                    pod.name
                )));
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

/// A volume's defaultMode. Kubernetes reads `0755` as YAML 1.1 octal (493); a YAML 1.2
/// parser yields 755, so a value above 0o777 made only of octal digits is read as octal.
fn file_mode(v: Option<&Value>) -> u32 {
    let text = match v {
        Some(Value::Number(n)) => match n.as_f64() {
            // serde-saphyr reads `0755` as the float 755.0.
            Some(f) if f.fract() == 0.0 && f >= 0.0 => format!("{}", f as u64),
            _ => n.to_string(),
        },
        Some(Value::String(s)) => s.trim().to_string(),
        _ => return 0o644,
    };
    let octal = text
        .strip_prefix("0o")
        .or_else(|| text.strip_prefix('0').filter(|r| !r.is_empty()));
    match octal {
        Some(o) => u32::from_str_radix(o, 8).unwrap_or(0o644),
        None => match text.parse::<u32>() {
            Ok(n) if n > 0o777 && text.chars().all(|c| ('0'..='7').contains(&c)) => {
                u32::from_str_radix(&text, 8).unwrap_or(0o644)
            }
            Ok(n) => n,
            Err(_) => 0o644,
        },
    }
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
    fn default_mode_reads_yaml11_octal() {
        assert_eq!(file_mode(Some(&serde_json::json!(755.0))), 0o755);
        assert_eq!(file_mode(Some(&serde_json::json!(493))), 0o755);
        assert_eq!(file_mode(Some(&serde_json::json!("0644"))), 0o644);
        assert_eq!(file_mode(None), 0o644);
    }
}
