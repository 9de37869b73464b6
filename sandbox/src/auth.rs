//! API keys: declared in keys.json, each with an active flag and a set of permissions.

use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;

#[derive(Debug, Clone, Deserialize)]
pub struct ApiKey {
    pub name: String,
    pub key: String,
    pub active: bool,
    pub permissions: Vec<String>,
}

#[derive(Debug, Default)]
pub struct Keys {
    by_value: HashMap<String, ApiKey>,
}

impl Keys {
    pub fn load(path: &Path) -> Result<Keys, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read keys file {}: {e}", path.display()))?;
        let list: Vec<ApiKey> = serde_json::from_str(&text)
            .map_err(|e| format!("bad keys file {}: {e}", path.display()))?;
        Ok(Keys::from_list(list))
    }

    pub fn from_list(list: Vec<ApiKey>) -> Keys {
        Keys {
            by_value: list.into_iter().map(|k| (k.key.clone(), k)).collect(),
        }
    }

    /// Whether `presented` is a known, active key holding `permission` (`None`: any valid key).
    pub fn allows(&self, presented: Option<&str>, permission: Option<&str>) -> bool {
        let Some(k) = presented.and_then(|p| self.by_value.get(p)) else {
            return false;
        };
        if !k.active {
            return false;
        }
        match permission {
            None => true,
            Some(p) => k.permissions.iter().any(|have| have == "*" || have == p),
        }
    }

    /// The name stats use: the key's name, or for unknown keys its first 4 characters + '…'.
    pub fn display_name(&self, presented: &str) -> String {
        match self.by_value.get(presented) {
            Some(k) => k.name.clone(),
            None => format!("{}…", prefix(presented)),
        }
    }
}

/// The first 4 characters of a key: all a log may show.
pub fn prefix(key: &str) -> String {
    key.chars().take(4).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> Keys {
        let k = |name: &str, key: &str, active, perms: &[&str]| ApiKey {
            name: name.into(),
            key: key.into(),
            active,
            permissions: perms.iter().map(|s| s.to_string()).collect(),
        };
        Keys::from_list(vec![
            k("full", "f", true, &["*"]),
            k("off", "o", false, &["*"]),
            k("ro", "r", true, &["exchange:read"]),
        ])
    }

    #[test]
    fn permissions() {
        let k = keys();
        assert!(k.allows(Some("f"), Some("exchange:write")));
        assert!(!k.allows(Some("o"), None));
        assert!(!k.allows(None, None));
        assert!(!k.allows(Some("nope"), None));
        assert!(k.allows(Some("r"), Some("exchange:read")));
        assert!(!k.allows(Some("r"), Some("exchange:write")));
        assert_eq!(k.display_name("f"), "full");
        assert_eq!(k.display_name("sk_live_x"), "sk_l…");
        assert_eq!(k.display_name(""), "…");
    }
}
