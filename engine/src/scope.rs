//! Which objects a run covers: its partition and the administrator's selected containers (the
//! inclusion and exclusion hierarchy nodes). Guide, Partitions and DNs: "When running an import,
//! all objects must match the DN in the partition that is currently running"; guide,
//! OpenImportConnection: an imported object "in an out-of-scope OU" is ignored, not staged. As in
//! the sync engine's container selection, the deepest node above an object decides; with no
//! inclusion node the whole partition is included. DNs compare component by component, case
//! and spacing around `=` and `,` ignored, escaped commas kept inside their component.

use ecma2_proto::pb::{HierarchyNode, Partition};

/// A run's partition and selected containers.
#[derive(Debug, Clone, Default)]
pub struct Containers {
    /// The run's partition; None: the connector's only (default) partition.
    pub partition: Option<Partition>,
    /// Included containers (DNs).
    pub included: Vec<String>,
    /// Excluded containers (DNs).
    pub excluded: Vec<String>,
}

/// A DN as its normalized components, leaf first.
fn components(dn: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut escaped = false;
    for c in dn.chars() {
        if escaped {
            current.push(c);
            escaped = false;
        } else if c == '\\' {
            current.push(c);
            escaped = true;
        } else if c == ',' {
            parts.push(normalize(&current));
            current.clear();
        } else {
            current.push(c);
        }
    }
    if !current.trim().is_empty() || !parts.is_empty() {
        parts.push(normalize(&current));
    }
    parts
}

fn normalize(component: &str) -> String {
    match component.split_once('=') {
        Some((k, v)) => format!("{}={}", k.trim().to_lowercase(), v.trim().to_lowercase()),
        None => component.trim().to_lowercase(),
    }
}

/// Whether `dn` is `ancestor` or lies below it.
pub fn is_within(dn: &str, ancestor: &str) -> bool {
    let dn = components(dn);
    let ancestor = components(ancestor);
    !ancestor.is_empty() && dn.len() >= ancestor.len() && dn[dn.len() - ancestor.len()..] == ancestor[..]
}

impl Containers {
    /// Whether the run selects any container (objects can then be out of scope by container).
    pub fn has_hierarchy(&self) -> bool {
        !self.included.is_empty() || !self.excluded.is_empty()
    }

    /// The key of the run's partition in the connector space (its DN, or `default`).
    pub fn partition_key(&self) -> String {
        partition_key(self.partition.as_ref())
    }

    /// Whether an object at `dn` is in the run's partition and selected containers.
    pub fn contains(&self, dn: &str) -> bool {
        if let Some(p) = self.partition.as_ref().filter(|p| !p.dn.is_empty())
            && !is_within(dn, &p.dn)
        {
            return false;
        }
        if !self.has_hierarchy() {
            return true;
        }
        let deepest = self
            .included
            .iter()
            .map(|n| (n, true))
            .chain(self.excluded.iter().map(|n| (n, false)))
            .filter(|(node, _)| is_within(dn, node))
            .max_by_key(|(node, _)| components(node).len());
        match deepest {
            Some((_, included)) => included,
            None => self.included.is_empty(),
        }
    }

    /// The nodes as the run step carries them: (inclusion, exclusion).
    pub fn nodes(&self) -> (Vec<HierarchyNode>, Vec<HierarchyNode>) {
        let node = |dn: &String| HierarchyNode {
            dn: dn.clone(),
            display_name: components(dn)
                .first()
                .and_then(|c| c.split_once('=').map(|(_, v)| v.to_owned()))
                .unwrap_or_default(),
        };
        (
            self.included.iter().map(node).collect(),
            self.excluded.iter().map(node).collect(),
        )
    }
}

/// The connector space's key of a partition: its DN, or `default`.
pub fn partition_key(partition: Option<&Partition>) -> String {
    partition
        .filter(|p| !p.dn.is_empty())
        .map(|p| p.dn.clone())
        .unwrap_or_else(|| "default".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn containers(partition: &str, included: &[&str], excluded: &[&str]) -> Containers {
        Containers {
            partition: Some(Partition {
                dn: partition.into(),
                ..Default::default()
            }),
            included: included.iter().map(|s| s.to_string()).collect(),
            excluded: excluded.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn the_partition_bounds_every_run() {
        let c = containers("DC=demo,DC=example", &[], &[]);
        assert!(c.contains("CN=a,OU=People,dc=Demo, DC=example"));
        assert!(!c.contains("CN=a,OU=People,DC=lab,DC=example"));
        assert!(!c.contains("CN=a,DC=xdemo,DC=example"));
    }

    #[test]
    fn the_deepest_node_decides() {
        let c = containers(
            "DC=demo,DC=example",
            &["DC=demo,DC=example", "OU=Keep,OU=Europe,DC=demo,DC=example"],
            &["OU=Europe,DC=demo,DC=example"],
        );
        assert!(c.contains("CN=a,OU=People,DC=demo,DC=example"));
        assert!(!c.contains("CN=a,OU=Europe,DC=demo,DC=example"));
        assert!(c.contains("CN=a,OU=Keep,OU=Europe,DC=demo,DC=example"));
        let only = containers("DC=demo,DC=example", &["OU=People,DC=demo,DC=example"], &[]);
        assert!(!only.contains("CN=g,OU=Groups,DC=demo,DC=example"), "inclusions select");
        assert!(
            !only.contains(r"CN=a\,OU=People,OU=Groups,DC=demo,DC=example"),
            "escaped comma"
        );
    }
}
