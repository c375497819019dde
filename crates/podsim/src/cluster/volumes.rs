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
