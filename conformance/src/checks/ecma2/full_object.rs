//! `full-object`: a GetImportEntries call with FullObjectEntries is answered with exactly the
//! objects asked for (guide, "OperationType FullObject"): each existing one complete, as an
//! Add; one that does not exist as a Delete; nothing else; no page above the page size; and,
//! as nothing changed, the watermark where it was.

use std::collections::HashSet;

use ecma2_proto::pb::attribute_value::Kind;
use ecma2_proto::pb::*;

use super::support::{MAX_PAGES, Session, describe, dn_style, import, same_anchor};
use crate::check::{Category, Check, Failure, Need, Outcome};
use crate::run_fn;
use crate::subject::{PREFIX, Subject, same_dn, tag};

/// The checks of this module.
pub fn checks() -> Vec<Check> {
    vec![Check {
        id: "full-object",
        category: Category::Ecma2,
        rule: "FullObjectEntries are answered with exactly the objects asked for: existing ones complete as Add, a missing one as Delete, nothing else",
        writes: None,
        needs: &[
            Need::Interface(Ecma2Interface::CallImport),
            Need::Interface(Ecma2Interface::GetHierarchy),
            Need::DeltaImport,
        ],
        doc: "docs/connector-rules.md#fullobject-requests",
        run: run_fn!(full_object),
    }]
}

/// What the engine sends for an object it knows only by DN and anchor.
fn request_for(entry: &CsEntryChange) -> CsEntryChange {
    CsEntryChange {
        identifier: uuid::Uuid::new_v4().to_string(),
        object_type: entry.object_type.clone(),
        dn: entry.dn.clone(),
        anchor_attributes: entry.anchor_attributes.clone(),
        ..Default::default()
    }
}

/// A request for an object that does not exist: `model`'s type, parent and anchor types, with
/// new values.
fn missing_like(model: &CsEntryChange) -> CsEntryChange {
    let name = format!("{PREFIX}missing-{}", tag());
    let parent = model
        .dn
        .split_once(',')
        .map(|(_, p)| format!(",{p}"))
        .unwrap_or_default();
    let naming = model.dn.split_once('=').map(|(n, _)| n.trim()).unwrap_or("CN");
    let anchor_attributes = model
        .anchor_attributes
        .iter()
        .map(|a| {
            let kind = match a.value.as_ref().and_then(|v| v.kind.as_ref()) {
                Some(Kind::IntegerValue(_)) => Kind::IntegerValue(i64::MAX - 7),
                Some(Kind::BinaryValue(_)) => Kind::BinaryValue(name.clone().into_bytes().into()),
                Some(Kind::ReferenceValue(_)) => Kind::ReferenceValue(name.clone()),
                Some(Kind::BooleanValue(b)) => Kind::BooleanValue(!b),
                // Strings, and UUIDs in strings: a fresh UUID is what most anchors look like.
                _ => Kind::StringValue(uuid::Uuid::new_v4().to_string()),
            };
            AnchorAttribute {
                value: Some(AttributeValue { kind: Some(kind) }),
                ..a.clone()
            }
        })
        .collect();
    CsEntryChange {
        identifier: uuid::Uuid::new_v4().to_string(),
        object_type: model.object_type.clone(),
        dn: format!("{naming}={name}{parent}"),
        anchor_attributes,
        ..Default::default()
    }
}

fn answers(request: &CsEntryChange, entry: &CsEntryChange) -> bool {
    if !request.anchor_attributes.is_empty() && !entry.anchor_attributes.is_empty() {
        return same_anchor(&request.anchor_attributes, &entry.anchor_attributes);
    }
    same_dn(&request.dn, &entry.dn)
}

fn attribute_names(entry: &CsEntryChange) -> HashSet<&str> {
    entry.attribute_changes.iter().map(|a| a.name.as_str()).collect()
}

/// What is wrong with the entries returned for `asked` (the existing objects as a full import
/// showed them, then the missing one).
pub fn answer_problems(existing: &[CsEntryChange], missing: &CsEntryChange, returned: &[CsEntryChange]) -> Vec<String> {
    let mut problems = Vec::new();
    let requests: Vec<CsEntryChange> = existing.iter().map(request_for).chain([missing.clone()]).collect();
    for entry in returned {
        if !requests.iter().any(|r| answers(r, entry)) {
            problems.push(format!("returned {}, which was not asked for", describe(entry)));
        }
    }
    for full in existing {
        let request = request_for(full);
        let found: Vec<&CsEntryChange> = returned.iter().filter(|e| answers(&request, e)).collect();
        match found.as_slice() {
            [] => problems.push(format!("{} was asked for and not returned", full.dn)),
            [one] if one.object_modification_type() != ObjectModificationType::Add => problems.push(format!(
                "{} came back as {}, not as a complete Add",
                full.dn,
                one.object_modification_type().as_str_name()
            )),
            [one] => {
                let (have, want) = (attribute_names(one), attribute_names(full));
                let lacking: Vec<&&str> = want.difference(&have).collect();
                if !lacking.is_empty() {
                    problems.push(format!(
                        "{} came back without {lacking:?}, which its full import has",
                        full.dn
                    ));
                }
            }
            many => problems.push(format!("{} came back {} times", full.dn, many.len())),
        }
    }
    match returned.iter().find(|e| answers(missing, e)) {
        Some(e) if e.object_modification_type() == ObjectModificationType::Delete => {}
        Some(e) => problems.push(format!(
            "the object that does not exist ({}) came back as {}",
            missing.dn,
            e.object_modification_type().as_str_name()
        )),
        None => problems.push(format!(
            "the object that does not exist ({}) was left out; it must come back as a Delete",
            missing.dn
        )),
    }
    problems
}

async fn full_object(s: &Subject<'_>) -> Result<Outcome, Failure> {
    if dn_style(s) != MaDistinguishedNameStyle::Ldap {
        return Ok(Outcome::skip(
            "FullObject requests arise only with DN style Ldap and a hierarchy",
        ));
    }
    let (entries, watermark) = import(s, false, "", None).await?;
    let picks: Vec<CsEntryChange> = entries
        .iter()
        .filter(|e| !e.anchor_attributes.is_empty() && !e.dn.is_empty())
        .filter(|e| {
            matches!(
                e.error_code_import(),
                MaImportError::Success | MaImportError::Unspecified
            )
        })
        .take(2)
        .cloned()
        .collect();
    if picks.len() < 2 {
        return Ok(Outcome::skip(format!(
            "a full import returned {} objects with an anchor and a DN; the check asks for two",
            picks.len()
        )));
    }
    let missing = missing_like(&picks[0]);
    let requests: Vec<CsEntryChange> = picks.iter().map(request_for).chain([missing.clone()]).collect();
    let sent = format!(
        "delta GetImportEntries with FullObjectEntries [{}]",
        requests.iter().map(|r| r.dn.as_str()).collect::<Vec<_>>().join("; ")
    );
    let session = Session::open(s, true, &watermark, None).await?;
    let mut returned = Vec::new();
    let mut last = watermark.clone();
    let mut oversized = None;
    let read = async {
        let mut full_objects = requests;
        for _ in 0..MAX_PAGES {
            let page = session.page(&last, std::mem::take(&mut full_objects)).await?;
            if page.entries.len() > session.page_size as usize {
                oversized = Some(page.entries.len());
            }
            returned.extend(page.entries);
            last = page.watermark;
            if !page.more {
                return Ok(());
            }
        }
        crate::bail!("the delta did not end after {MAX_PAGES} pages (MoreToImport stayed true)")
    }
    .await;
    let closed = session
        .close(
            if read.is_ok() {
                CloseReason::Normal
            } else {
                CloseReason::TerminatedByUser
            },
            &last,
        )
        .await;
    read.map_err(|f| f.sent(sent.clone()))?;
    closed?;
    let mut problems = answer_problems(&picks, &missing, &returned);
    if let Some(n) = oversized {
        problems.push(format!("a page held {n} entries, more than the page size"));
    }
    if last != watermark {
        problems.push(format!(
            "nothing changed, yet the watermark moved from {watermark:?} to {last:?}"
        ));
    }
    if problems.is_empty() {
        return Ok(Outcome::pass(format!(
            "asked for {} and {} and one that does not exist: got exactly those (two Adds, one Delete)",
            picks[0].dn, picks[1].dn
        )));
    }
    Ok(Outcome::fail(problems.join("; "))
        .sent(sent)
        .received(returned.iter().map(describe).collect::<Vec<_>>().join("; ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(kind: ObjectModificationType, dn: &str, anchor: &str, attrs: &[&str]) -> CsEntryChange {
        CsEntryChange {
            object_modification_type: kind as i32,
            object_type: "person".into(),
            dn: dn.into(),
            anchor_attributes: vec![AnchorAttribute {
                name: "id".into(),
                data_type: AttributeType::String as i32,
                value: Some(AttributeValue {
                    kind: Some(Kind::StringValue(anchor.into())),
                }),
            }],
            attribute_changes: attrs
                .iter()
                .map(|n| AttributeChange {
                    name: (*n).into(),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn exactly_the_objects_asked_for_pass_anything_else_fails() {
        let add = ObjectModificationType::Add;
        let a = entry(add, "CN=a,DC=t", "1", &["cn", "title"]);
        let b = entry(add, "CN=b,DC=t", "2", &["cn"]);
        let missing = missing_like(&a);
        let gone = CsEntryChange {
            object_modification_type: ObjectModificationType::Delete as i32,
            ..missing.clone()
        };
        assert!(answer_problems(&[a.clone(), b.clone()], &missing, &[a.clone(), b.clone(), gone.clone()]).is_empty());
        let extra = entry(add, "CN=c,DC=t", "3", &["cn"]);
        let with_extra = [a.clone(), b.clone(), gone.clone(), extra];
        assert_eq!(answer_problems(&[a.clone(), b.clone()], &missing, &with_extra).len(), 1);
        assert_eq!(
            answer_problems(&[a.clone(), b.clone()], &missing, &[a.clone(), b.clone()]).len(),
            1
        );
        let thin = entry(add, "CN=a,DC=t", "1", &["cn"]);
        assert_eq!(answer_problems(&[a, b.clone()], &missing, &[thin, b, gone]).len(), 1);
    }
}
