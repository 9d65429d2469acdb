//! LDAP-style distinguished names as the demo directory uses them: `CN=Ada,OU=People,DC=demo,
//! DC=example`. Parsing (with `\,` style escapes), a normal form for storage and lookups, the two
//! fixed partitions, and the inclusion/exclusion scope of an import run step.

use std::fmt;

/// A partition: a fixed DN suffix every object lives under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartitionDef {
    /// Stable identifier (a GUID in canonical text).
    pub id: &'static str,
    /// The root DN.
    pub dn: &'static str,
    /// The name shown to the administrator.
    pub name: &'static str,
}

/// The two partitions of the demo directory.
pub const PARTITIONS: [PartitionDef; 2] = [
    PartitionDef {
        id: "0b5e1c2a-6d0e-4c5b-9a55-6b1f0a3d9e01",
        dn: "DC=demo,DC=example",
        name: "demo.example",
    },
    PartitionDef {
        id: "0b5e1c2a-6d0e-4c5b-9a55-6b1f0a3d9e02",
        dn: "DC=lab,DC=example",
        name: "lab.example",
    },
];

/// Why a DN could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DnError {
    /// Empty text.
    #[error("the DN is empty")]
    Empty,
    /// A component without `=`, an empty name or an empty value.
    #[error("DN component {component:?} is not of the form name=value")]
    Component {
        /// The offending component.
        component: String,
    },
    /// A trailing backslash.
    #[error("the DN ends inside an escape sequence")]
    Escape,
}

/// One `name=value` component; `value` keeps its escapes, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rdn {
    /// The component name as written (such as `CN`).
    pub name: String,
    /// The value with escapes kept.
    pub raw_value: String,
}

impl Rdn {
    /// The value with escapes resolved (`Lovelace\, Ada` → `Lovelace, Ada`).
    pub fn value(&self) -> String {
        unescape(&self.raw_value)
    }
}

/// A parsed DN, most specific component first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dn {
    /// The components.
    pub rdns: Vec<Rdn>,
}

impl Dn {
    /// Parses `text`.
    pub fn parse(text: &str) -> Result<Dn, DnError> {
        if text.trim().is_empty() {
            return Err(DnError::Empty);
        }
        let mut rdns = Vec::new();
        for part in split_unescaped(text)? {
            let Some((name, value)) = split_once_unescaped(&part, '=') else {
                return Err(DnError::Component { component: part });
            };
            let (name, value) = (name.trim(), trim_value(value));
            if name.is_empty() || value.is_empty() {
                return Err(DnError::Component { component: part });
            }
            rdns.push(Rdn {
                name: name.to_owned(),
                raw_value: value.to_owned(),
            });
        }
        Ok(Dn { rdns })
    }

    /// The first component.
    pub fn rdn(&self) -> &Rdn {
        &self.rdns[0]
    }

    /// The parent DN, or `None` for a single component.
    pub fn parent(&self) -> Option<Dn> {
        (self.rdns.len() > 1).then(|| Dn {
            rdns: self.rdns[1..].to_vec(),
        })
    }

    /// Whether `self` equals `ancestor` or lies below it (component-wise, case-insensitive).
    pub fn is_within(&self, ancestor: &Dn) -> bool {
        let n = ancestor.rdns.len();
        self.rdns.len() >= n
            && self.rdns[self.rdns.len() - n..]
                .iter()
                .zip(&ancestor.rdns)
                .all(|(a, b)| {
                    a.name.eq_ignore_ascii_case(&b.name) && a.raw_value.to_lowercase() == b.raw_value.to_lowercase()
                })
    }

    /// The partition this DN lies in (the root itself counts).
    pub fn partition(&self) -> Option<&'static PartitionDef> {
        PARTITIONS
            .iter()
            .find(|p| self.is_within(&Dn::parse(p.dn).expect("partition DNs are valid")))
    }
}

impl fmt::Display for Dn {
    /// The normal form: components joined by `,` without spaces, names upper-cased.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, rdn) in self.rdns.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{}={}", rdn.name.to_ascii_uppercase(), rdn.raw_value)?;
        }
        Ok(())
    }
}

/// The normal form of `text` (see [`Dn`]'s `Display`).
pub fn normalize(text: &str) -> Result<String, DnError> {
    Dn::parse(text).map(|dn| dn.to_string())
}

/// The partition with this DN (case-insensitive) or identifier.
pub fn find_partition(dn: &str, id: &str) -> Option<&'static PartitionDef> {
    let parsed = Dn::parse(dn).ok();
    PARTITIONS.iter().find(|p| {
        parsed
            .as_ref()
            .is_some_and(|d| d.to_string().eq_ignore_ascii_case(p.dn))
            || (!id.is_empty() && p.id.eq_ignore_ascii_case(id))
    })
}

/// Escapes a value for use in a DN.
pub fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for (i, c) in value.chars().enumerate() {
        let special = matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';' | '=')
            || (i == 0 && (c == '#' || c == ' '))
            || (i == value.chars().count() - 1 && c == ' ');
        if special {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn unescape(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' && i + 1 < bytes.len() {
            let hex = raw.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok());
            match hex {
                Some(b) => {
                    out.push(b);
                    i += 3;
                }
                None => {
                    out.push(bytes[i + 1]);
                    i += 2;
                }
            }
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn split_unescaped(text: &str) -> Result<Vec<String>, DnError> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                current.push(c);
                current.push(chars.next().ok_or(DnError::Escape)?);
            }
            ',' | ';' => parts.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    parts.push(current);
    Ok(parts)
}

fn split_once_unescaped(text: &str, sep: char) -> Option<(&str, &str)> {
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            c if c == sep => return Some((&text[..i], &text[i + 1..])),
            _ => {}
        }
    }
    None
}

/// Trims spaces around a value, keeping an escaped trailing space.
fn trim_value(value: &str) -> &str {
    let start = value.trim_start();
    let mut end = start.len();
    while end > 0 && start.as_bytes()[end - 1] == b' ' {
        if end >= 2 && start.as_bytes()[end - 2] == b'\\' {
            break;
        }
        end -= 1;
    }
    &start[..end]
}

/// Which containers an import covers: the run step's inclusion and exclusion nodes. The
/// deepest node above an object decides; with no inclusion nodes everything is included.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    nodes: Vec<(Dn, bool)>,
    any_inclusion: bool,
}

impl Scope {
    /// A scope from the run step's node DNs; unparsable DNs are ignored.
    pub fn new<'a>(included: impl IntoIterator<Item = &'a str>, excluded: impl IntoIterator<Item = &'a str>) -> Scope {
        let mut nodes: Vec<(Dn, bool)> = included
            .into_iter()
            .filter_map(|d| Dn::parse(d).ok().map(|d| (d, true)))
            .collect();
        let any_inclusion = !nodes.is_empty();
        nodes.extend(
            excluded
                .into_iter()
                .filter_map(|d| Dn::parse(d).ok().map(|d| (d, false))),
        );
        Scope { nodes, any_inclusion }
    }

    /// Whether an object at `dn` is in scope.
    pub fn contains(&self, dn: &Dn) -> bool {
        if !self.any_inclusion {
            return !self
                .nodes
                .iter()
                .any(|(node, included)| !included && dn.is_within(node));
        }
        self.nodes
            .iter()
            .filter(|(node, _)| dn.is_within(node))
            .max_by_key(|(node, _)| node.rdns.len())
            .is_some_and(|(_, included)| *included)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_escapes_and_normalizes_spacing() {
        let dn = Dn::parse(r"cn=Lovelace\, Ada , ou=People,DC=demo, DC=example").unwrap();
        assert_eq!(dn.rdns.len(), 4);
        assert_eq!(dn.rdn().value(), "Lovelace, Ada");
        assert_eq!(dn.to_string(), r"CN=Lovelace\, Ada,OU=People,DC=demo,DC=example");
        assert_eq!(dn.partition().unwrap().name, "demo.example");
        assert_eq!(dn.parent().unwrap().to_string(), "OU=People,DC=demo,DC=example");
        assert_eq!(Dn::parse(r"CN=a\2Cb,DC=x").unwrap().rdn().value(), "a,b");
        assert_eq!(escape("Lovelace, Ada"), r"Lovelace\, Ada");
    }

    #[test]
    fn rejects_malformed_dns() {
        assert_eq!(Dn::parse(""), Err(DnError::Empty));
        assert!(matches!(Dn::parse("CN=a,,DC=x"), Err(DnError::Component { .. })));
        assert!(matches!(Dn::parse("novalue"), Err(DnError::Component { .. })));
        assert_eq!(Dn::parse(r"CN=a\"), Err(DnError::Escape));
        assert!(Dn::parse("CN=x,DC=other,DC=example").unwrap().partition().is_none());
    }

    #[test]
    fn the_deepest_node_decides_the_scope() {
        let scope = Scope::new(
            ["DC=demo,DC=example", "OU=Keep,OU=Drop,DC=demo,DC=example"],
            ["OU=Drop,DC=demo,DC=example"],
        );
        let has = |d: &str| scope.contains(&Dn::parse(d).unwrap());
        assert!(has("CN=a,DC=demo,DC=example"));
        assert!(!has("CN=a,OU=Drop,DC=demo,DC=example"));
        assert!(has("CN=a,OU=Keep,OU=Drop,DC=demo,DC=example"));
        assert!(!has("CN=a,DC=lab,DC=example"));
        assert!(Scope::default().contains(&Dn::parse("CN=a,DC=lab,DC=example").unwrap()));
    }
}
