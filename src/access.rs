//! What a key may read, and what its answers mean.
//!
//! The API answers an invalid key, an inactive key and a key missing one permission the
//! same way: 403 with an empty body. One 403 cannot tell them apart, but the pattern across
//! every resource group can: a key that is refused everything is invalid or inactive (no
//! active key is created with no permission at all), and a key refused some groups but not
//! others lacks those permissions. [`GROUPS`] lists one cheap read per group (the first page
//! of one item, never a write); [`verdict`] reads the pattern.
//!
//! ```
//! use conveyor_client::access::{verdict, Read, Verdict, GROUPS};
//! let reads: Vec<Read> = GROUPS.iter().map(|_| Read::Forbidden).collect();
//! assert_eq!(verdict(&reads), Verdict::InvalidKey);
//! ```

use alloc::{borrow::ToOwned, string::String, vec::Vec};

/// One resource group of the API and the read that probes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Group {
    /// Stable snake_case name, e.g. `access_requests`.
    pub resource: &'static str,
    /// The list endpoint probed, relative to the base URL.
    pub path: &'static str,
}

/// The query every probe sends: one record of the first page, the least the API can send.
pub const PROBE_QUERY: &str = "?page=1&per_page=1";

/// How many probes may be in flight at once: enough to finish in a few round trips,
/// few enough not to crowd out the caller's own requests behind the limiter.
pub const MAX_PARALLEL: usize = 4;

/// Every resource group, in the order the API documents its areas.
pub const GROUPS: [Group; 10] = [
    Group {
        resource: "access_requests",
        path: "/exchange/authorization_requests",
    },
    Group {
        resource: "authorizations",
        path: "/exchange/authorizations",
    },
    Group {
        resource: "access_groups",
        path: "/exchange/access_groups",
    },
    Group {
        resource: "folders",
        path: "/exchange/folders",
    },
    Group {
        resource: "documents",
        path: "/exchange/documents",
    },
    Group {
        resource: "connections",
        path: "/exchange/connections",
    },
    Group {
        resource: "questionnaires",
        path: "/questionnaires",
    },
    Group {
        resource: "knowledge_base",
        path: "/knowledge_base/questions",
    },
    Group {
        resource: "interactions",
        path: "/interactions",
    },
    Group {
        resource: "product_lines",
        path: "/product_lines",
    },
];

/// The outcome of one probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Read {
    /// A 2xx: the key may read this group.
    Ok,
    /// A 403: the key may not (or is not valid at all).
    Forbidden,
    /// Anything else (network, 5xx, 429, a malformed body): nothing is known.
    Error,
}

impl Read {
    /// The string the JS entry carries in `read`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Read::Ok => "ok",
            Read::Forbidden => "forbidden",
            Read::Error => "error",
        }
    }

    /// The read named by [`Read::as_str`]; anything else (or nothing) is an error.
    pub fn parse(s: Option<&str>) -> Read {
        match s {
            Some("ok") => Read::Ok,
            Some("forbidden") => Read::Forbidden,
            _ => Read::Error,
        }
    }
}

/// What the probes say about the key, taken together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every group answered 2xx.
    AllReadable,
    /// Every group answered 403: the key is invalid or inactive.
    InvalidKey,
    /// Some groups answered 2xx and some 403: the key lacks those groups' permissions.
    /// Holds the forbidden groups' names, and those that could not be checked.
    MissingPermissions {
        /// Groups answered with 403.
        forbidden: Vec<&'static str>,
        /// Groups whose probe failed otherwise.
        unchecked: Vec<&'static str>,
    },
    /// Some probes failed for another reason, so the pattern is incomplete. Holds the
    /// failed groups; `all_others_forbidden` is true when every answered probe was a 403
    /// (most likely an invalid key, but not proven).
    Incomplete {
        /// Groups whose probe failed otherwise.
        unchecked: Vec<&'static str>,
        /// Whether every answered probe was forbidden.
        all_others_forbidden: bool,
    },
}

impl Verdict {
    /// Stable code for scripts: `ok`, `invalid_key`, `missing_permissions`, `incomplete`.
    pub const fn code(&self) -> &'static str {
        match self {
            Verdict::AllReadable => "ok",
            Verdict::InvalidKey => "invalid_key",
            Verdict::MissingPermissions { .. } => "missing_permissions",
            Verdict::Incomplete { .. } => "incomplete",
        }
    }

    /// One sentence for a person, naming the groups concerned; never the key.
    pub fn message(&self) -> String {
        use crate::text::Cat;
        match self {
            Verdict::AllReadable => "the key is valid and can read every resource".to_owned(),
            Verdict::InvalidKey => "the key is invalid or inactive: every resource answered 403. Check it in Conveyor (Settings > Integrations > Conveyor API)".to_owned(),
            Verdict::MissingPermissions { forbidden, unchecked } => {
                let mut m = [
                    "the key lacks these permissions: ",
                    &forbidden.joined(", "),
                    " (403); the others are readable",
                ]
                .cat();
                if !unchecked.is_empty() {
                    m.push_str("; not checked: ");
                    m.push_str(&unchecked.joined(", "));
                }
                m
            }
            Verdict::Incomplete { unchecked, all_others_forbidden } => {
                let mut m = [
                    "some resources could not be checked (",
                    &unchecked.joined(", "),
                    "): try again",
                ]
                .cat();
                if *all_others_forbidden {
                    m.push_str("; every other resource answered 403, so the key is most likely invalid or inactive");
                }
                m
            }
        }
    }
}

/// The verdict for `reads`, one per entry of [`GROUPS`] in the same order (extra entries
/// are ignored, missing ones count as unchecked).
pub fn verdict(reads: &[Read]) -> Verdict {
    let read_of = |i: usize| reads.get(i).copied().unwrap_or(Read::Error);
    let named = |want: Read| -> Vec<&'static str> {
        let mut out = Vec::new();
        for (i, g) in GROUPS.iter().enumerate() {
            if read_of(i) == want {
                out.push(g.resource);
            }
        }
        out
    };
    let forbidden = named(Read::Forbidden);
    let unchecked = named(Read::Error);
    let ok = GROUPS.len() - forbidden.len() - unchecked.len();
    if forbidden.is_empty() && unchecked.is_empty() {
        Verdict::AllReadable
    } else if ok == 0 && unchecked.is_empty() {
        Verdict::InvalidKey
    } else if ok > 0 && !forbidden.is_empty() {
        Verdict::MissingPermissions {
            forbidden,
            unchecked,
        }
    } else {
        Verdict::Incomplete {
            all_others_forbidden: ok == 0 && !forbidden.is_empty(),
            unchecked,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::{self, ResponseKind};

    fn all(r: Read) -> Vec<Read> {
        vec![r; GROUPS.len()]
    }

    #[test]
    fn every_probe_is_a_list_read_of_a_known_endpoint() {
        for g in GROUPS {
            let ep = resources::all()
                .find(|e| e.path == g.path && e.method == "GET")
                .unwrap_or_else(|| {
                    panic!("{} probes {}, which is no GET endpoint", g.resource, g.path)
                });
            assert!(
                matches!(ep.response, ResponseKind::List { .. }),
                "{} must be a list (it takes per_page)",
                ep.name
            );
        }
        let names: std::collections::BTreeSet<_> = GROUPS.iter().map(|g| g.resource).collect();
        assert_eq!(names.len(), GROUPS.len(), "resource names are unique");
    }

    #[test]
    fn probes_ask_for_one_record() {
        assert_eq!(PROBE_QUERY, "?page=1&per_page=1");
        assert!(MAX_PARALLEL >= 1 && MAX_PARALLEL < GROUPS.len());
    }

    #[test]
    fn all_ok_is_readable() {
        assert_eq!(verdict(&all(Read::Ok)), Verdict::AllReadable);
        assert_eq!(Verdict::AllReadable.code(), "ok");
    }

    #[test]
    fn all_forbidden_is_an_invalid_or_inactive_key() {
        let v = verdict(&all(Read::Forbidden));
        assert_eq!(v, Verdict::InvalidKey);
        assert!(v.message().contains("invalid or inactive"));
    }

    #[test]
    fn some_forbidden_names_the_missing_permissions() {
        let mut reads = all(Read::Ok);
        reads[7] = Read::Forbidden; // knowledge_base
        reads[9] = Read::Forbidden; // product_lines
        let v = verdict(&reads);
        assert_eq!(
            v,
            Verdict::MissingPermissions {
                forbidden: vec!["knowledge_base", "product_lines"],
                unchecked: vec![]
            }
        );
        assert_eq!(v.code(), "missing_permissions");
        assert!(v
            .message()
            .starts_with("the key lacks these permissions: knowledge_base, product_lines"));
    }

    #[test]
    fn a_failed_probe_beside_forbidden_and_ok_ones_is_listed_as_unchecked() {
        let mut reads = all(Read::Ok);
        reads[0] = Read::Forbidden;
        reads[1] = Read::Error;
        let v = verdict(&reads);
        assert_eq!(
            v,
            Verdict::MissingPermissions {
                forbidden: vec!["access_requests"],
                unchecked: vec!["authorizations"]
            }
        );
        assert!(v.message().contains("not checked: authorizations"));
    }

    #[test]
    fn failures_without_a_readable_group_are_incomplete_not_invalid() {
        let mut reads = all(Read::Forbidden);
        reads[3] = Read::Error;
        let v = verdict(&reads);
        assert_eq!(
            v,
            Verdict::Incomplete {
                unchecked: vec!["folders"],
                all_others_forbidden: true
            }
        );
        assert!(v.message().contains("most likely invalid or inactive"));

        let mut reads = all(Read::Ok);
        reads[3] = Read::Error;
        let v = verdict(&reads);
        assert_eq!(
            v,
            Verdict::Incomplete {
                unchecked: vec!["folders"],
                all_others_forbidden: false
            }
        );
        assert!(!v.message().contains("invalid"));

        let v = verdict(&all(Read::Error));
        assert_eq!(v.code(), "incomplete");
        assert!(!v.message().contains("invalid"), "no answer proves nothing");
    }

    #[test]
    fn missing_reads_count_as_unchecked() {
        let v = verdict(&[Read::Ok]);
        assert_eq!(v.code(), "incomplete");
    }

    #[test]
    fn reads_round_trip_and_anything_else_is_an_error() {
        for r in [Read::Ok, Read::Forbidden, Read::Error] {
            assert_eq!(Read::parse(Some(r.as_str())), r);
        }
        for s in [None, Some(""), Some("OK"), Some("granted")] {
            assert_eq!(Read::parse(s), Read::Error);
        }
    }
}
