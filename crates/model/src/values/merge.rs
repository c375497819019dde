//! Helm's way of combining a user values file with the chart's values.yaml.

use serde_json::Value;

/// Merges `user` over `base` (the chart defaults) in place, as Helm coalesces values:
/// maps merge key by key, recursively; a user `null` deletes a key that has a default (a
/// `null` for a key without a default stays); lists and scalars from the user replace the
/// default whole, whatever its type. Default keys keep their order; new user keys follow.
pub fn helm_merge(base: &mut Value, user: &Value) {
    let Value::Object(user_map) = user else {
        // A values document that is not a map: Helm refuses it before merging; keep the base.
        return;
    };
    let Value::Object(base_map) = base else {
        *base = user.clone();
        return;
    };
    for (key, user_value) in user_map {
        match (base_map.get_mut(key), user_value) {
            (Some(_), Value::Null) => {
                base_map.shift_remove(key);
            }
            (Some(base_value @ Value::Object(_)), Value::Object(_)) => {
                helm_merge(base_value, user_value);
            }
            (Some(base_value), _) => {
                *base_value = user_value.clone();
            }
            (None, _) => {
                base_map.insert(key.clone(), user_value.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::helm_merge;
    use serde_json::json;

    #[test]
    fn maps_merge_nulls_delete_lists_replace() {
        let mut base = json!({
            "a": { "x": 1, "y": 2 },
            "l": [1, 2],
            "s": "keep",
            "n": null
        });
        let user = json!({
            "a": { "y": null, "z": 3 },
            "l": [9],
            "new": { "k": null },
            "n": { "m": 1 }
        });
        helm_merge(&mut base, &user);
        assert_eq!(
            base,
            json!({
                "a": { "x": 1, "z": 3 },
                "l": [9],
                "s": "keep",
                "n": { "m": 1 },
                "new": { "k": null }
            })
        );
        // Order of the default keys is kept, new keys come last.
        let keys: Vec<&str> = base["a"]
            .as_object()
            .map(|m| m.keys().map(String::as_str).collect())
            .unwrap_or_default();
        assert_eq!(keys, ["x", "z"]);
    }

    #[test]
    fn user_scalar_replaces_default_map_and_back() {
        let mut base = json!({ "affinity": "", "pdb": {} });
        helm_merge(&mut base, &json!({ "affinity": {}, "pdb": "x" }));
        assert_eq!(base, json!({ "affinity": {}, "pdb": "x" }));
    }
}
