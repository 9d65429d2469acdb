//! Export checks. These write: they add an object named with [`PREFIX`] next to an object the
//! connector already has, update it and delete it, confirming each step with a delta import;
//! and they re-add an existing object to see a per-object error. Whatever they create is
//! deleted afterwards; what could not be deleted is reported as left behind.

use ecma2_proto::pb::*;

use crate::check::{Category, Check, Context, Failure, Need, Outcome};
use crate::run_fn;
use crate::subject::{PREFIX, Subject, attr_value, same_dn, string_value, tag};

const ROUND_TRIP_NEEDS: &[Need] = &[
    Need::Interface(Ecma2Interface::CallExport),
    Need::Interface(Ecma2Interface::CallImport),
    Need::DeltaImport,
];
const ROUND_TRIP_WRITES: &str =
    "adds one object named ecma2-conformance-<tag> next to an existing one, updates it, then deletes it";

/// The checks of this module, in run order.
pub fn checks() -> Vec<Check> {
    let round_trip = |id, rule, run| Check {
        id,
        category: Category::Protocol,
        rule,
        writes: Some(ROUND_TRIP_WRITES),
        needs: ROUND_TRIP_NEEDS,
        doc: "docs/protocol.md#call-based-export",
        run,
    };
    vec![
        round_trip(
            "export-add-confirmed",
            "an exported add comes back in the next delta import",
            run_fn!(add_confirmed),
        ),
        round_trip(
            "export-update-confirmed",
            "an exported update comes back changed in the next delta import",
            run_fn!(update_confirmed),
        ),
        round_trip(
            "export-delete-confirmed",
            "an exported delete comes back as Delete in the next delta import",
            run_fn!(delete_confirmed),
        ),
        Check {
            id: "object-level-errors",
            category: Category::Protocol,
            rule: "a bad object in an export batch fails alone, in its result; the batch goes on",
            writes: Some(
                "re-adds an object that already exists (it must be refused per object) and adds one object named ecma2-conformance-<tag>, deleted afterwards",
            ),
            needs: &[
                Need::Interface(Ecma2Interface::CallExport),
                Need::Interface(Ecma2Interface::CallImport),
            ],
            doc: "docs/protocol.md#call-based-export",
            run: run_fn!(object_errors),
        },
    ]
}

async fn add_confirmed(s: &Subject<'_>) -> Result<Outcome, Failure> {
    Ok(round_trip(s).await[0].clone())
}

async fn update_confirmed(s: &Subject<'_>) -> Result<Outcome, Failure> {
    Ok(round_trip(s).await[1].clone())
}

async fn delete_confirmed(s: &Subject<'_>) -> Result<Outcome, Failure> {
    Ok(round_trip(s).await[2].clone())
}

/// The round trip runs once; its three checks read their verdict from it.
async fn round_trip<'a>(s: &'a Subject<'_>) -> &'a Vec<Outcome> {
    s.round_trip
        .get_or_init(|| async {
            match export_round_trip(s).await {
                Ok(v) => v,
                Err(e) => vec![Outcome::from(e); 3],
            }
        })
        .await
}

/// A new object of `t`, shaped from the schema, next to an object the connector already has.
pub fn fixture(t: &SchemaType, sibling: Option<&CsEntryChange>, tag: &str) -> CsEntryChange {
    let rdn = format!("{PREFIX}{tag}");
    // Same naming attribute and parent as an object of the type the connector already has.
    let (first, parent) = match sibling.and_then(|e| e.dn.split_once(',')) {
        Some((first, parent)) => (first, Some(parent)),
        None => (sibling.map(|e| e.dn.as_str()).unwrap_or("CN=x"), None),
    };
    let naming = first
        .split_once('=')
        .map(|(k, _)| k.trim())
        .filter(|k| !k.is_empty())
        .unwrap_or("CN");
    let dn = match parent {
        Some(parent) => format!("{naming}={rdn},{parent}"),
        None => format!("{naming}={rdn}"),
    };
    let attribute_changes = t
        .attributes
        .iter()
        .filter(|a| !a.is_anchor && !a.is_multi_valued)
        .filter(|a| a.allowed_attribute_operation() != AttributeOperation::ImportOnly)
        .filter_map(|a| {
            let kind = match a.data_type() {
                AttributeType::String if a.name.to_ascii_lowercase().contains("mail") => {
                    attribute_value::Kind::StringValue(format!("{rdn}@example.com"))
                }
                AttributeType::String if a.name.eq_ignore_ascii_case(naming) || a.name.eq_ignore_ascii_case("cn") => {
                    attribute_value::Kind::StringValue(rdn.clone())
                }
                AttributeType::String => attribute_value::Kind::StringValue(format!("{rdn} {}", a.name)),
                AttributeType::Boolean => attribute_value::Kind::BooleanValue(true),
                _ => return None,
            };
            Some(AttributeChange {
                name: a.name.clone(),
                data_type: a.data_type,
                modification_type: AttributeModificationType::Add as i32,
                value_changes: vec![ValueChange {
                    value: Some(AttributeValue { kind: Some(kind) }),
                    modification_type: ValueModificationType::Add as i32,
                }],
                ..Default::default()
            })
        })
        .collect();
    CsEntryChange {
        identifier: uuid::Uuid::new_v4().to_string(),
        object_modification_type: ObjectModificationType::Add as i32,
        object_type: t.name.clone(),
        dn,
        attribute_changes,
        ..Default::default()
    }
}

/// The result for `id` when it succeeded; a failure when the connector reported an error.
pub fn result_ok(results: &[CsEntryChangeResult], id: &str) -> Result<Option<CsEntryChangeResult>, Failure> {
    match results.iter().find(|r| r.identifier == id) {
        None => Ok(None),
        Some(r) if is_success(r) => Ok(Some(r.clone())),
        Some(r) => Err(Failure {
            message: "the export of the kit's object failed".into(),
            sent: None,
            received: Some(format!("{:?}: {} {}", r.error_code(), r.error_name, r.error_detail)),
        }),
    }
}

fn is_success(r: &CsEntryChangeResult) -> bool {
    matches!(r.error_code(), MaExportError::Success | MaExportError::Unspecified)
}

fn anchors_of(result: &CsEntryChangeResult) -> Vec<AnchorAttribute> {
    result
        .anchor_attributes
        .iter()
        .map(|a| AnchorAttribute {
            name: a.name.clone(),
            data_type: a.data_type,
            value: a.value_changes.first().and_then(|v| v.value.clone()),
        })
        .collect()
}

fn delete_of(add: &CsEntryChange, anchor_attributes: Vec<AnchorAttribute>) -> CsEntryChange {
    CsEntryChange {
        identifier: uuid::Uuid::new_v4().to_string(),
        object_modification_type: ObjectModificationType::Delete as i32,
        object_type: add.object_type.clone(),
        dn: add.dn.clone(),
        anchor_attributes,
        ..Default::default()
    }
}

/// Deletes the kit's object; returns what was left when that failed.
async fn clean_up(s: &Subject<'_>, add: &CsEntryChange, anchors: Vec<AnchorAttribute>) -> Vec<String> {
    let delete = delete_of(add, anchors);
    match s.export(vec![delete.clone()]).await {
        Ok(results) if result_ok(&results, &delete.identifier).is_ok() => Vec::new(),
        Ok(_) | Err(_) => vec![format!("{} ({})", add.dn, add.object_type)],
    }
}

/// Deletes the kit's object `add` when its export `result` succeeded; returns what was left.
pub async fn clean_up_result(s: &Subject<'_>, add: &CsEntryChange, result: &CsEntryChangeResult) -> Vec<String> {
    if is_success(result) {
        clean_up(s, add, anchors_of(result)).await
    } else {
        Vec::new()
    }
}

async fn export_round_trip(s: &Subject<'_>) -> Result<Vec<Outcome>, Failure> {
    let full = s.import(false, "", 0, 200_000).await?;
    // The type with the most imported objects, so the fixture sits where real objects live.
    let t = s
        .schema
        .types
        .iter()
        .max_by_key(|t| full.entries.iter().filter(|e| e.object_type == t.name).count())
        .context("no object type")?;
    let sibling = full.entries.iter().find(|e| e.object_type == t.name);
    let tag = tag();
    let add = fixture(t, sibling, &tag);
    let confirm_adds = s.caps.object_confirmation() != MaObjectConfirmation::NoAddAndDeleteConfirmation;
    let confirm_deletes = matches!(
        s.caps.object_confirmation(),
        MaObjectConfirmation::Normal | MaObjectConfirmation::Unspecified
    );
    let sent_add = format!("PutExportEntries: Add {} ({})", add.dn, add.object_type);

    let results = s.export(vec![add.clone()]).await.map_err(|f| f.sent(&sent_add))?;
    let anchors = result_ok(&results, &add.identifier)
        .map_err(|f| f.sent(&sent_add))?
        .map(|r| anchors_of(&r))
        .unwrap_or_default();
    let delta = match s.import(true, &full.watermark, 0, 10_000).await {
        Ok(d) => d,
        Err(e) => {
            let left = clean_up(s, &add, anchors).await;
            return Ok(vec![
                Outcome::from(e).left(left),
                Outcome::skip("the add was not confirmed"),
                Outcome::skip("the add was not confirmed"),
            ]);
        }
    };
    let found = delta.entries.iter().find(|e| same_dn(&e.dn, &add.dn));
    let add_verdict = match (found, confirm_adds) {
        (Some(e), _) => Outcome::pass(format!("{} came back as {:?}", e.dn, e.object_modification_type())),
        (None, false) => Outcome::pass("adds are not confirmed (NoAddAndDeleteConfirmation)"),
        (None, true) => {
            let left = clean_up(s, &add, anchors).await;
            return Ok(vec![
                Outcome::fail("the exported add did not come back in the next delta import")
                    .sent(sent_add)
                    .received(format!(
                        "a delta import of {} entries without {}",
                        delta.entries.len(),
                        add.dn
                    ))
                    .left(left),
                Outcome::skip("the add was not confirmed"),
                Outcome::skip("the add was not confirmed"),
            ]);
        }
    };
    let anchor_attributes: Vec<AnchorAttribute> = match found {
        Some(e) if !e.anchor_attributes.is_empty() => e.anchor_attributes.clone(),
        _ => anchors,
    };

    let target = add
        .attribute_changes
        .iter()
        .find(|a| {
            a.data_type() == AttributeType::String
                && !a.name.eq_ignore_ascii_case("cn")
                && !a.name.to_ascii_lowercase().contains("mail")
        })
        .map(|a| a.name.clone());
    let update_verdict = match target {
        None => Outcome::skip("no updatable string attribute"),
        Some(name) => {
            let new_value = format!("{PREFIX}{tag} updated");
            let update = CsEntryChange {
                identifier: uuid::Uuid::new_v4().to_string(),
                object_modification_type: ObjectModificationType::Update as i32,
                object_type: add.object_type.clone(),
                dn: add.dn.clone(),
                anchor_attributes: anchor_attributes.clone(),
                attribute_changes: vec![AttributeChange {
                    name: name.clone(),
                    data_type: AttributeType::String as i32,
                    modification_type: AttributeModificationType::Replace as i32,
                    value_changes: vec![ValueChange {
                        value: string_value(new_value.clone()),
                        modification_type: ValueModificationType::Add as i32,
                    }],
                    ..Default::default()
                }],
                ..Default::default()
            };
            let sent = format!("PutExportEntries: Update {} Replace {name}={new_value:?}", add.dn);
            let updated = async {
                let results = s.export(vec![update.clone()]).await?;
                result_ok(&results, &update.identifier)?;
                s.import(true, &delta.watermark, 0, 10_000).await
            }
            .await;
            match updated {
                Err(e) => Outcome::from(e.sent(sent)),
                Ok(delta2) => match delta2.entries.iter().find(|e| same_dn(&e.dn, &add.dn)) {
                    Some(e) if attr_value(e, &name).as_deref() == Some(new_value.as_str()) => {
                        Outcome::pass(format!("{name} came back changed ({:?})", e.object_modification_type()))
                    }
                    Some(e) => Outcome::fail(format!("{} came back without the new {name}", e.dn))
                        .sent(sent)
                        .received(format!("{name}={:?}", attr_value(e, &name))),
                    None => Outcome::fail("the exported update did not come back")
                        .sent(sent)
                        .received(format!(
                            "a delta import of {} entries without {}",
                            delta2.entries.len(),
                            add.dn
                        )),
                },
            }
        }
    };

    let deleted = async {
        let watermark = s.import(false, "", 0, 200_000).await?.watermark;
        let delete = delete_of(&add, anchor_attributes.clone());
        let results = s.export(vec![delete.clone()]).await?;
        result_ok(&results, &delete.identifier)?;
        let delta3 = s.import(true, &watermark, 0, 10_000).await?;
        Ok::<_, Failure>((delete, delta3))
    }
    .await;
    let sent_delete = format!("PutExportEntries: Delete {}", add.dn);
    let delete_verdict = match deleted {
        Err(e) => {
            let left = clean_up(s, &add, anchor_attributes).await;
            Outcome::from(e.sent(sent_delete)).left(left)
        }
        Ok((delete, delta3)) => match delta3.entries.iter().find(|e| {
            same_dn(&e.dn, &add.dn)
                || (!e.anchor_attributes.is_empty() && e.anchor_attributes == delete.anchor_attributes)
        }) {
            Some(e) if e.object_modification_type() == ObjectModificationType::Delete => {
                Outcome::pass("the delete came back as Delete")
            }
            Some(e) => Outcome::fail("the deleted object did not come back as Delete")
                .sent(sent_delete)
                .received(format!("{} {:?}", e.dn, e.object_modification_type())),
            None if !confirm_deletes => Outcome::pass("deletes are not confirmed (ObjectConfirmation)"),
            None => Outcome::fail("the exported delete did not come back")
                .sent(sent_delete)
                .received(format!(
                    "a delta import of {} entries without {}",
                    delta3.entries.len(),
                    add.dn
                )),
        },
    };
    Ok(vec![add_verdict, update_verdict, delete_verdict])
}

async fn object_errors(s: &Subject<'_>) -> Result<Outcome, Failure> {
    let full = s.import(false, "", 0, 200_000).await?;
    let busiest = s
        .schema
        .types
        .iter()
        .max_by_key(|t| full.entries.iter().filter(|e| e.object_type == t.name).count())
        .map(|t| t.name.clone())
        .unwrap_or_default();
    let Some(existing) = full
        .entries
        .iter()
        .find(|e| !e.dn.is_empty() && e.object_type == busiest)
    else {
        return Ok(Outcome::skip("nothing imported to collide with"));
    };
    let t = s
        .schema
        .types
        .iter()
        .find(|t| t.name == existing.object_type)
        .context("imported type not in schema")?;
    let good = fixture(t, Some(existing), &tag());
    // An add of an object that already exists: the connector must answer per object, not fail.
    let mut duplicate = existing.clone();
    duplicate.identifier = uuid::Uuid::new_v4().to_string();
    duplicate.anchor_attributes.clear();
    let sent = format!(
        "PutExportEntries: Add {} (exists already), Add {} (new)",
        existing.dn, good.dn
    );
    let results = match s.export(vec![duplicate.clone(), good.clone()]).await {
        Ok(r) => r,
        Err(e) => {
            return Ok(Outcome::fail("a batch with one bad object failed as a whole")
                .sent(sent)
                .received(e.message));
        }
    };
    let dup = results.iter().find(|r| r.identifier == duplicate.identifier);
    let mut verdict = match dup {
        Some(r) if !is_success(r) => match results.iter().find(|r| r.identifier == good.identifier) {
            Some(g) if !is_success(g) => Outcome::fail("the good object of the batch failed too")
                .sent(sent)
                .received(format!(
                    "{}: {:?} {} {}",
                    good.dn,
                    g.error_code(),
                    g.error_name,
                    g.error_detail
                )),
            _ => Outcome::pass(format!(
                "duplicate add of {}: {:?} {}",
                existing.dn,
                r.error_code(),
                r.error_name
            )),
        },
        _ => Outcome::fail("adding an existing object again was reported as a success")
            .sent(sent)
            .received(format!("{}: Success", existing.dn)),
    };
    // Clean up the good fixture.
    if let Some(r) = results
        .iter()
        .find(|r| r.identifier == good.identifier && is_success(r))
    {
        let left = clean_up(s, &good, anchors_of(r)).await;
        verdict = verdict.left(left);
    }
    Ok(verdict)
}
