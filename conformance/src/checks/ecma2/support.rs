//! What the ECMA2 checks share: the connector's partitions, an import of one partition, one
//! import session driven page by page (for FullObject requests), the kit's own object (added
//! next to an existing one, found again by import, deleted afterwards), and fault reading.

use ecma2_proto::fault::ecma2_name;
use ecma2_proto::frames::Reassembler;
use ecma2_proto::pb::*;

use crate::check::{Context, Failure};
use crate::checks::export::{fixture, result_ok};
use crate::subject::{Subject, same_dn, tag};

/// Pages the checks read before they give up on an import that never ends.
pub const MAX_PAGES: usize = 200_000;

/// The DN style the connector announced (absent reads as Generic).
pub fn dn_style(s: &Subject<'_>) -> MaDistinguishedNameStyle {
    match s.caps.distinguished_name_style() {
        MaDistinguishedNameStyle::Unspecified => MaDistinguishedNameStyle::Generic,
        style => style,
    }
}

/// The connector's partitions (GetPartitions).
pub async fn partitions(s: &Subject<'_>) -> Result<Vec<Partition>, Failure> {
    Ok(s.client()
        .get_partitions(s.request(GetPartitionsRequest {
            config_parameters: s.params.clone(),
        }))
        .await
        .context("GetPartitions")?
        .into_inner()
        .partitions)
}

/// The direct children of `parent` (GetHierarchy).
pub async fn children(s: &Subject<'_>, parent: &str) -> Result<Vec<HierarchyNode>, Failure> {
    Ok(s.client()
        .get_hierarchy(s.request(GetHierarchyRequest {
            config_parameters: s.params.clone(),
            parent: Some(HierarchyNode {
                dn: parent.to_owned(),
                display_name: String::new(),
            }),
        }))
        .await
        .context(format!("GetHierarchy({parent})"))?
        .into_inner()
        .nodes)
}

/// The components of a DN, trimmed and lower-cased (no escaped commas in the kit's own DNs; a
/// connector's escaped commas only make a DN look deeper, never shallower).
pub fn components(dn: &str) -> Vec<String> {
    dn.split(',')
        .map(|c| c.trim().to_ascii_lowercase())
        .filter(|c| !c.is_empty())
        .collect()
}

/// Whether `dn` is `root` or below it.
pub fn within(dn: &str, root: &str) -> bool {
    let (dn, root) = (components(dn), components(root));
    dn.len() >= root.len() && dn[dn.len() - root.len()..] == root[..]
}

/// One page of an import session.
#[derive(Debug, Default)]
pub struct Page {
    /// The page's entries, reassembled.
    pub entries: Vec<CsEntryChange>,
    /// Its watermark.
    pub watermark: String,
    /// MoreToImport.
    pub more: bool,
}

/// An import session the caller drives page by page; [`Session::close`] ends it.
pub struct Session<'s, 'e> {
    subject: &'s Subject<'e>,
    /// The session id.
    pub id: String,
    /// The page size in force.
    pub page_size: i32,
}

impl<'s, 'e> Session<'s, 'e> {
    /// Opens a full or delta import of `partition` (None: the connector's choice).
    pub async fn open(
        subject: &'s Subject<'e>,
        delta: bool,
        watermark: &str,
        partition: Option<Partition>,
    ) -> Result<Self, Failure> {
        let open = subject
            .client()
            .open_import_connection(subject.request(OpenImportConnectionRequest {
                config_parameters: subject.params.clone(),
                types: Some(subject.schema.clone()),
                import_run_step: Some(OpenImportConnectionRunStep {
                    custom_data: watermark.to_owned(),
                    import_type: if delta {
                        OperationType::Delta
                    } else {
                        OperationType::Full
                    } as i32,
                    step_partition: partition,
                    ..Default::default()
                }),
            }))
            .await
            .context(format!(
                "OpenImportConnection ({})",
                if delta { "delta" } else { "full" }
            ))?
            .into_inner();
        Ok(Self {
            subject,
            id: open.session_id,
            page_size: open.page_size,
        })
    }

    /// Reads one page, asking for `full_objects` with it.
    pub async fn page(&self, watermark: &str, full_objects: Vec<CsEntryChange>) -> Result<Page, Failure> {
        let mut stream = self
            .subject
            .client()
            .get_import_entries(self.subject.request(GetImportEntriesRequest {
                session_id: self.id.clone(),
                import_run_step: Some(GetImportEntriesRunStep {
                    custom_data: watermark.to_owned(),
                    full_object_entries: full_objects,
                }),
            }))
            .await
            .context("GetImportEntries")?
            .into_inner();
        let mut reassembler = Reassembler::default();
        let mut page = Page::default();
        let mut results = None;
        while let Some(frame) = stream.message().await.context("GetImportEntries")? {
            match frame.frame {
                Some(get_import_entries_response::Frame::Entry(e)) => page.entries.push(e),
                Some(get_import_entries_response::Frame::EntryFragment(f)) => {
                    page.entries.extend(reassembler.push(f)?);
                }
                Some(get_import_entries_response::Frame::Results(r)) => results = Some(r),
                Some(get_import_entries_response::Frame::EntryBatch(_)) => {
                    crate::bail!(
                        "the connector sent an entry batch, which this call did not ask for (docs/protocol.md#entry-batches)"
                    )
                }
                None => {}
            }
        }
        let results = results.context("a page ended without its results frame")?;
        page.watermark = results.custom_data;
        page.more = results.more_to_import;
        Ok(page)
    }

    /// Closes the session with `reason`.
    pub async fn close(self, reason: CloseReason, watermark: &str) -> Result<(), Failure> {
        self.subject
            .client()
            .close_import_connection(self.subject.request(CloseImportConnectionRequest {
                session_id: self.id,
                import_run_step: Some(CloseImportConnectionRunStep {
                    reason: reason as i32,
                    custom_data: watermark.to_owned(),
                }),
            }))
            .await
            .context("CloseImportConnection")?;
        Ok(())
    }
}

/// A whole import of one partition; returns its entries and the last watermark.
pub async fn import(
    s: &Subject<'_>,
    delta: bool,
    watermark: &str,
    partition: Option<Partition>,
) -> Result<(Vec<CsEntryChange>, String), Failure> {
    let session = Session::open(s, delta, watermark, partition).await?;
    let mut entries = Vec::new();
    let mut last = watermark.to_owned();
    let mut pages = 0;
    let read = async {
        loop {
            let page = session.page(&last, Vec::new()).await?;
            pages += 1;
            entries.extend(page.entries);
            last = page.watermark;
            if !page.more {
                return Ok(());
            }
            if pages >= MAX_PAGES {
                crate::bail!("import did not end after {MAX_PAGES} pages (MoreToImport stayed true)");
            }
        }
    }
    .await;
    let reason = if read.is_ok() {
        CloseReason::Normal
    } else {
        CloseReason::TerminatedByUser
    };
    let closed = session.close(reason, &last).await;
    read?;
    closed?;
    Ok((entries, last))
}

/// An object the kit added to the connector's target.
#[derive(Debug, Clone)]
pub struct KitObject {
    /// Its object type.
    pub object_type: String,
    /// Its DN now.
    pub dn: String,
    /// Its anchor, as the connector imports it (or as the add's result gave it).
    pub anchors: Vec<AnchorAttribute>,
    /// The watermark of the full import that found it.
    pub watermark: String,
}

/// The anchor values of an export result, as anchor attributes.
pub fn anchors_of(result: &CsEntryChangeResult) -> Vec<AnchorAttribute> {
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

/// Adds an object named with the kit's prefix next to an object of the most common type (or
/// of `wanted_type`), then reads it back with a full import.
pub async fn add_kit_object(s: &Subject<'_>, wanted_type: Option<&str>) -> Result<KitObject, Failure> {
    let (existing, _) = import(s, false, "", None).await?;
    let t = match wanted_type {
        Some(name) => s.schema.types.iter().find(|t| t.name == name),
        None => s
            .schema
            .types
            .iter()
            .max_by_key(|t| existing.iter().filter(|e| e.object_type == t.name).count()),
    }
    .context("the schema has no object type to add an object of")?;
    let sibling = existing.iter().find(|e| e.object_type == t.name && !e.dn.is_empty());
    let add = fixture(t, sibling, &tag());
    let results = s.export(vec![add.clone()]).await?;
    let returned = result_ok(&results, &add.identifier)
        .map_err(|f| Failure {
            message: format!("adding the kit's object {} failed", add.dn),
            sent: Some(format!("PutExportEntries: Add {} ({})", add.dn, add.object_type)),
            received: f.received,
        })?
        .map(|r| anchors_of(&r))
        .unwrap_or_default();
    let (after, watermark) = import(s, false, "", None).await?;
    let found = after.iter().find(|e| same_dn(&e.dn, &add.dn));
    Ok(KitObject {
        object_type: add.object_type.clone(),
        dn: add.dn.clone(),
        anchors: match found {
            Some(e) if !e.anchor_attributes.is_empty() => e.anchor_attributes.clone(),
            _ => returned,
        },
        watermark,
    })
}

/// Deletes the kit's object; returns what was left behind when that failed.
pub async fn delete_kit_object(s: &Subject<'_>, object: &KitObject) -> Vec<String> {
    let delete = CsEntryChange {
        identifier: uuid::Uuid::new_v4().to_string(),
        object_modification_type: ObjectModificationType::Delete as i32,
        object_type: object.object_type.clone(),
        dn: object.dn.clone(),
        anchor_attributes: object.anchors.clone(),
        ..Default::default()
    };
    match s.export(vec![delete.clone()]).await {
        Ok(results) if result_ok(&results, &delete.identifier).is_ok() => Vec::new(),
        Ok(_) | Err(_) => vec![format!("{} ({})", object.dn, object.object_type)],
    }
}

/// The ECMA2 exception a failed call carries, or the status code when it carries none.
pub fn fault_name(status: &tonic::Status) -> String {
    match Fault::from_status(status) {
        Some(fault) => ecma2_name(fault.fault_kind()).to_owned(),
        None => format!("{:?} (no fault): {}", status.code(), status.message()),
    }
}

/// Short text of an entry for reports.
pub fn describe(entry: &CsEntryChange) -> String {
    let anchors: Vec<String> = entry
        .anchor_attributes
        .iter()
        .map(|a| format!("{}={}", a.name, ecma2_engine::space::value_text(a.value.as_ref())))
        .collect();
    format!(
        "{} {} [{}]",
        entry
            .object_modification_type()
            .as_str_name()
            .trim_start_matches("OBJECT_MODIFICATION_TYPE_"),
        entry.dn,
        anchors.join(",")
    )
}

/// Whether two entries carry the same anchor: the same names and values (data types aside, as
/// an export result may leave them out), and not empty.
pub fn same_anchor(a: &[AnchorAttribute], b: &[AnchorAttribute]) -> bool {
    let key = |anchors: &[AnchorAttribute]| {
        let mut pairs: Vec<(String, String)> = anchors
            .iter()
            .map(|x| (x.name.clone(), ecma2_engine::space::value_text(x.value.as_ref())))
            .collect();
        pairs.sort();
        pairs
    };
    !a.is_empty() && key(a) == key(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn within_compares_whole_components() {
        assert!(within("CN=a, OU=People,DC=one,DC=test", "dc=one,dc=TEST"));
        assert!(within("DC=one,DC=test", "DC=one,DC=test"));
        assert!(!within("DC=sone,DC=test", "DC=one,DC=test"));
        assert!(!within("DC=test", "DC=one,DC=test"));
    }
}
