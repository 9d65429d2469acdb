//! `partitions` and `hierarchy`: the DN style's rules (guide, "DistinguishedNameStyle",
//! "Partitions", "Hierarchies"). Generic and None mean one partition named "default" and no
//! hierarchy; Ldap partitions have unique GUIDs and DNs and an import of one returns only objects
//! inside it; GetHierarchy returns the direct children of a container, inside its partition.

use std::collections::HashSet;

use ecma2_proto::pb::*;

use super::support::{children, components, dn_style, import, partitions, within};
use crate::check::{Category, Check, Failure, Need, Outcome};
use crate::run_fn;
use crate::subject::Subject;

/// Containers the hierarchy check expands, at most, before it stops looking.
const MAX_CONTAINERS: usize = 50;
/// How deep below each partition it looks.
const DEPTH: usize = 2;

/// The checks of this module.
pub fn checks() -> Vec<Check> {
    vec![
        Check {
            id: "partitions",
            category: Category::Ecma2,
            rule: "Generic and None mean one partition named \"default\" and no hierarchy; Ldap partitions have unique GUIDs and DNs, and an import of one returns only objects inside it",
            writes: None,
            needs: &[],
            doc: "docs/connector-rules.md#partitions-hierarchy-and-dn-styles",
            run: run_fn!(check_partitions),
        },
        Check {
            id: "hierarchy",
            category: Category::Ecma2,
            rule: "GetHierarchy returns the direct children of a container, inside its partition, each once",
            writes: None,
            needs: &[Need::Interface(Ecma2Interface::GetHierarchy)],
            doc: "docs/connector-rules.md#partitions-hierarchy-and-dn-styles",
            run: run_fn!(check_hierarchy),
        },
    ]
}

/// What is wrong with an Ldap connector's partition list.
pub fn ldap_partition_problems(list: &[Partition]) -> Vec<String> {
    let mut problems = Vec::new();
    if list.is_empty() {
        problems.push("GetPartitions returned no partition".to_owned());
    }
    let mut ids = HashSet::new();
    let mut dns = HashSet::new();
    for p in list {
        match uuid::Uuid::parse_str(&p.identifier) {
            Ok(id) if ids.insert(id) => {}
            Ok(_) => problems.push(format!("partition {} repeats the identifier {}", p.dn, p.identifier)),
            Err(_) => problems.push(format!(
                "partition {} has identifier {:?}, not a GUID",
                p.dn, p.identifier
            )),
        }
        if p.dn.trim().is_empty() {
            problems.push(format!("partition {:?} has no DN", p.name));
        } else if !dns.insert(components(&p.dn)) {
            problems.push(format!("two partitions have the DN {}", p.dn));
        }
    }
    problems
}

/// The partition an object of `dn` belongs to: the deepest one that holds it (guide,
/// "Partitions and DNs").
pub fn home<'p>(list: &'p [Partition], dn: &str) -> Option<&'p Partition> {
    list.iter()
        .filter(|p| within(dn, &p.dn))
        .max_by_key(|p| components(&p.dn).len())
}

async fn check_partitions(s: &Subject<'_>) -> Result<Outcome, Failure> {
    let style = dn_style(s);
    let has_partitions = s.has(Ecma2Interface::GetPartitions);
    if style != MaDistinguishedNameStyle::Ldap {
        let name = style.as_str_name().trim_start_matches("MA_DISTINGUISHED_NAME_STYLE_");
        if s.has(Ecma2Interface::GetHierarchy) {
            return Ok(Outcome::fail(format!(
                "DN style {name} has no hierarchy, but the connector implements IMAExtensible2GetHierarchy"
            )));
        }
        if !has_partitions {
            return Ok(Outcome::pass(format!(
                "DN style {name}: the one implicit partition, no hierarchy"
            )));
        }
        let list = partitions(s).await?;
        return Ok(match list.as_slice() {
            [only] if only.name == "default" => Outcome::pass(format!("DN style {name}: one partition, \"default\"")),
            _ => Outcome::fail(format!(
                "DN style {name} means one partition named \"default\"; GetPartitions returned {}",
                list.iter()
                    .map(|p| format!("{:?} ({})", p.name, p.dn))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
            .sent("GetPartitions"),
        });
    }
    if !has_partitions {
        return Ok(Outcome::skip(
            "DN style Ldap without IMAExtensible2GetPartitions: nothing to check",
        ));
    }
    let list = partitions(s).await?;
    let problems = ldap_partition_problems(&list);
    if !problems.is_empty() {
        return Ok(Outcome::fail(problems.join("; ")).sent("GetPartitions"));
    }
    if !s.has(Ecma2Interface::CallImport) {
        return Ok(Outcome::pass(format!(
            "{} partitions (the connector does not import)",
            list.len()
        )));
    }
    let mut counts = Vec::new();
    for p in &list {
        let (entries, _) = import(s, false, "", Some(p.clone())).await?;
        let strays: Vec<String> = entries
            .iter()
            .filter(|e| !e.dn.is_empty())
            .filter(|e| home(&list, &e.dn).is_none_or(|h| h.dn != p.dn))
            .take(3)
            .map(|e| e.dn.clone())
            .collect();
        if !strays.is_empty() {
            return Ok(Outcome::fail(format!(
                "a full import of partition {} returned objects of other partitions: {}",
                p.dn,
                strays.join(", ")
            ))
            .sent(format!("OpenImportConnection(Full, StepPartition {})", p.dn)));
        }
        counts.push(format!("{} ({})", p.dn, entries.len()));
    }
    Ok(Outcome::pass(format!(
        "{} partitions, each import inside its own: {}",
        list.len(),
        counts.join(", ")
    )))
}

async fn check_hierarchy(s: &Subject<'_>) -> Result<Outcome, Failure> {
    if dn_style(s) != MaDistinguishedNameStyle::Ldap {
        return Ok(Outcome::skip(
            "hierarchies exist only with DN style Ldap (see partitions)",
        ));
    }
    if !s.has(Ecma2Interface::GetPartitions) {
        return Ok(Outcome::skip(
            "no IMAExtensible2GetPartitions: the kit has no partition root to start from",
        ));
    }
    let list = partitions(s).await?;
    let mut seen: HashSet<Vec<String>> = HashSet::new();
    let mut expanded = 0;
    let mut level: Vec<(String, String)> = list.iter().map(|p| (p.dn.clone(), p.dn.clone())).collect();
    for _ in 0..DEPTH {
        let mut next = Vec::new();
        for (parent, root) in &level {
            if expanded >= MAX_CONTAINERS {
                break;
            }
            expanded += 1;
            for node in children(s, parent).await? {
                let (child, up) = (components(&node.dn), components(parent));
                let direct = child.len() == up.len() + 1 && child[1..] == up[..];
                let problem = if !direct {
                    Some(format!("{} is not a direct child of {parent}", node.dn))
                } else if home(&list, &node.dn).is_none_or(|h| components(&h.dn) != components(root)) {
                    Some(format!("{} is outside the partition {root}", node.dn))
                } else if !seen.insert(child) {
                    Some(format!("{} is returned twice", node.dn))
                } else {
                    None
                };
                if let Some(problem) = problem {
                    return Ok(Outcome::fail(problem).sent(format!("GetHierarchy(parent {parent})")));
                }
                next.push((node.dn, root.clone()));
            }
        }
        level = next;
    }
    Ok(Outcome::pass(format!(
        "{} containers below {} partitions ({expanded} expanded, {DEPTH} levels): all direct children inside their partition",
        seen.len(),
        list.len()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn partition(id: &str, dn: &str) -> Partition {
        Partition {
            identifier: id.into(),
            dn: dn.into(),
            name: dn.into(),
            hidden_by_default: false,
        }
    }

    #[test]
    fn partitions_need_unique_guids_and_dns() {
        let a = "6f1b7a52-0c43-4c59-9a51-3f0f1f1e0a01";
        let b = "6f1b7a52-0c43-4c59-9a51-3f0f1f1e0a02";
        assert!(ldap_partition_problems(&[partition(a, "DC=one"), partition(b, "DC=two")]).is_empty());
        assert_eq!(
            ldap_partition_problems(&[partition(a, "DC=one"), partition(a, "DC=two")]).len(),
            1
        );
        assert_eq!(
            ldap_partition_problems(&[partition(a, "DC=one"), partition(b, "dc=ONE")]).len(),
            1
        );
        assert_eq!(ldap_partition_problems(&[partition("x", "DC=one")]).len(), 1);
    }

    #[test]
    fn an_object_belongs_to_its_deepest_partition() {
        let list = [partition("1", "DC=test"), partition("2", "DC=one,DC=test")];
        assert_eq!(home(&list, "CN=a,DC=one,DC=test").unwrap().identifier, "2");
        assert_eq!(home(&list, "CN=a,DC=two,DC=test").unwrap().identifier, "1");
        assert!(home(&list, "CN=a,DC=else").is_none());
    }
}
