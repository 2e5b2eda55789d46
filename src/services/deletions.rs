//! Data-deletion certificates (データ消去証明書): after a contract ends the vendor states what it
//! deleted, where, how and when, with the signed certificate; the officer accepts or returns it.

use super::audit::{self, Event};
use super::evidence::{self, Upload};
use crate::auth::Actor;
use crate::config::Settings;
use crate::db::contracts::{self, Visibility};
use crate::db::deletions::{self, DeletionCertificate, NewDeletionCertificate};
use crate::db::Db;
use crate::domain::ids::{ContractId, DeletionId, SubcontractorId};
use crate::domain::parse_date;
use crate::error::{AppError, AppResult, FieldErrors};
use serde::Deserialize;
use serde_json::json;

/// A certificate as typed on the form or sent to the API.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct DeletionInput {
    /// 消去したデータの項目（住民税課税データ 等）
    pub data_items: String,
    /// 媒体（サーバー、PC、USBメモリ、紙 等）
    pub media: String,
    /// 数量（台数・件数・枚数）
    pub quantity: String,
    /// 方法（上書き消去、物理破壊、溶解 等）
    pub method: String,
    pub responsible_person: String,
    pub deleted_on: String,
    #[serde(default, deserialize_with = "super::input::flag")]
    pub covers_subcontractors: bool,
    #[serde(default, deserialize_with = "super::input::flag")]
    pub covers_backups: bool,
    #[serde(default, deserialize_with = "super::input::flag")]
    pub covers_test_environments: bool,
    /// The subcontractors whose copies were deleted too (ids of the contract's chain).
    #[serde(default)]
    pub subcontractor_ids: Vec<SubcontractorId>,
}

const FIELDS: [(&str, &str); 5] = [
    ("data_items", "消去したデータの項目"),
    ("media", "媒体"),
    ("quantity", "数量"),
    ("method", "消去の方法"),
    ("responsible_person", "消去の責任者"),
];

/// The subcontractors a certificate lists, each once; an error unless all are of the contract's chain.
async fn listed_subcontractors(
    conn: &mut crate::db::Conn,
    contract_id: ContractId,
    input: &DeletionInput,
    errors: &mut FieldErrors,
) -> AppResult<Vec<SubcontractorId>> {
    let chain = crate::db::subcontractors::for_contract(conn, contract_id).await?;
    let mut listed = input.subcontractor_ids.clone();
    listed.sort_by_key(|id| id.get());
    listed.dedup();
    if listed.iter().any(|id| !chain.iter().any(|s| s.id == *id)) {
        errors.add(
            "subcontractor_ids",
            "再委託先はこの契約の再委託先から選んでください",
        );
    }
    Ok(listed)
}

/// Stores a certificate for a contract within `scope` (the vendor's own, or the officer's).
pub async fn submit(
    db: &Db,
    settings: &Settings,
    actor: &Actor,
    scope: &Visibility,
    contract_id: ContractId,
    input: &DeletionInput,
    file: Option<&Upload>,
) -> AppResult<DeletionId> {
    let today = super::today();
    let mut tx = db.begin().await?;
    let contract = contracts::find(&mut tx, scope, contract_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut errors = FieldErrors::new();
    let values = [
        &input.data_items,
        &input.media,
        &input.quantity,
        &input.method,
        &input.responsible_person,
    ];
    for ((field, label), value) in FIELDS.iter().zip(values) {
        let value = value.trim();
        if value.is_empty() {
            errors.add(field, format!("{label}を入力してください"));
        } else if value.chars().count() > 1000 {
            errors.add(field, format!("{label}は1000文字以内で入力してください"));
        }
    }
    let deleted_on = errors.take(
        "deleted_on",
        parse_date(&input.deleted_on).map_err(|e| format!("消去日: {}", e.0)),
    );
    if let Some(day) = deleted_on {
        if day > today {
            errors.add("deleted_on", "消去日に未来の日付は指定できません");
        } else if day < contract.start_date {
            errors.add("deleted_on", "消去日は契約開始日以降の日付にしてください");
        }
    }
    let covers = listed_subcontractors(&mut tx, contract_id, input, &mut errors).await?;
    match file {
        Some(upload) => {
            evidence::check_upload(upload, "file", settings.upload_limit_bytes, &mut errors)
        }
        None => errors.add(
            "file",
            "署名・押印されたデータ消去証明書のファイルを添付してください",
        ),
    }
    errors.into_result()?;
    let (deleted_on, upload) = (deleted_on.expect("checked"), file.expect("checked"));
    let file_id = evidence::store(&mut tx, actor, upload).await?;
    let id = deletions::insert(
        &mut tx,
        &NewDeletionCertificate {
            contract_id,
            data_items: input.data_items.trim(),
            media: input.media.trim(),
            quantity: input.quantity.trim(),
            method: input.method.trim(),
            responsible_person: input.responsible_person.trim(),
            deleted_on,
            covers_subcontractors: input.covers_subcontractors,
            covers_backups: input.covers_backups,
            covers_test_environments: input.covers_test_environments,
            file_id,
            submitted_by: &actor.label,
            covers: &covers,
        },
    )
    .await?;
    let after = json!({
        "data_items": input.data_items.trim(), "media": input.media.trim(), "quantity": input.quantity.trim(),
        "method": input.method.trim(), "responsible_person": input.responsible_person.trim(),
        "deleted_on": deleted_on.to_string(), "covers_subcontractors": input.covers_subcontractors,
        "covers_backups": input.covers_backups, "covers_test_environments": input.covers_test_environments,
        "file_id": file_id, "subcontractor_ids": covers,
    });
    let summary = format!("データ消去証明書提出 {}", contract.contract_number);
    crate::db::notifications::notify_contract_officers(
        &mut tx,
        contract.id,
        &summary,
        &format!("/contracts/{}#deletion", contract.id),
    )
    .await?;
    audit::record(
        &mut tx,
        actor,
        Event::new("create", "deletion_certificate", id, summary).changes(None, Some(after)),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn for_contract(
    db: &Db,
    visibility: &Visibility,
    contract_id: ContractId,
) -> AppResult<Vec<DeletionCertificate>> {
    let mut conn = db.acquire().await?;
    contracts::find(&mut conn, visibility, contract_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(deletions::for_contract(&mut conn, contract_id).await?)
}

/// The subcontractors each deletion certificate of a contract within `scope` lists.
pub async fn coverage(
    db: &Db,
    scope: &Visibility,
    contract_id: ContractId,
) -> AppResult<Vec<(DeletionId, SubcontractorId)>> {
    let mut conn = db.acquire().await?;
    contracts::find(&mut conn, scope, contract_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(deletions::coverage(&mut conn, contract_id).await?)
}
