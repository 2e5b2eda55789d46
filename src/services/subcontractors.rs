//! 再委託先: a contract's chain of subcontractors. The vendor applies for each (承認申請), under itself or
//! under a subcontractor already in the chain; the officer approves it from a date or refuses it with a
//! reason. A subcontractor at work before its approval is 無承認の再委託 on the dashboard.

use super::audit::{self, Event};
use crate::auth::Actor;
use crate::db::contracts::{self, Contract, Visibility};
use crate::db::subcontractors::{self, NewSubcontractor, Subcontractor};
use crate::db::{certifications, vendors, Db};
use crate::domain::ids::{ContractId, SubcontractorId, VendorId};
use crate::domain::text::{optional, parse_count};
use crate::domain::{parse_date, BoundedText, CorporateNumber, VendorIdentifier};
use crate::error::{AppError, AppResult, FieldErrors};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// A subcontractor as typed on the application form or sent to the API.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SubcontractorInput {
    /// The subcontractor it works for (再々委託); none when it works for the vendor.
    pub parent_id: Option<SubcontractorId>,
    pub name: String,
    pub corporate_number: String,
    /// A foreign company without a 法人番号.
    #[serde(deserialize_with = "super::input::flag")]
    pub foreign_company: bool,
    /// 業務内容
    pub work: String,
    /// 取り扱うデータの項目
    pub data_items: String,
    #[serde(deserialize_with = "super::input::flag")]
    pub personal_data: bool,
    pub personal_records: String,
    /// 所在地・作業場所
    pub location: String,
    #[serde(deserialize_with = "super::input::flag")]
    pub uses_cloud: bool,
    pub start_date: String,
    pub end_date: String,
}

/// The officer's decision on an application.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct DecisionInput {
    /// `approve` or `refuse`.
    pub decision: String,
    pub approved_on: String,
    pub reason: String,
}

/// A checked application.
struct Checked {
    name: String,
    corporate_number: Option<CorporateNumber>,
    work: String,
    data_items: String,
    personal_records: Option<i64>,
    location: String,
    start_date: NaiveDate,
    end_date: Option<NaiveDate>,
}

fn free_text(errors: &mut FieldErrors, field: &str, value: &str, label: &str) -> String {
    if value.trim().is_empty() {
        return String::new();
    }
    errors
        .take(field, BoundedText::<1000>::parse(value, label))
        .map(BoundedText::into_string)
        .unwrap_or_default()
}

fn check(input: &SubcontractorInput, contract: &Contract) -> Result<Checked, AppError> {
    let mut errors = FieldErrors::new();
    let name = errors.take(
        "name",
        BoundedText::<200>::parse(&input.name, "再委託先の名称"),
    );
    let corporate_number = match (input.foreign_company, input.corporate_number.trim()) {
        (true, "") => None,
        (true, _) => {
            errors.add(
                "corporate_number",
                "外国企業には法人番号を入力しないでください（法人番号があれば「外国企業」を外してください）",
            );
            None
        }
        (false, "") => {
            errors.add(
                "corporate_number",
                "法人番号（13桁）を入力してください（法人番号のない外国企業は「外国企業」を選んでください）",
            );
            None
        }
        (false, typed) => errors.take("corporate_number", CorporateNumber::parse(typed)),
    };
    let work = errors.take("work", BoundedText::<1000>::parse(&input.work, "業務内容"));
    let data_items = free_text(
        &mut errors,
        "data_items",
        &input.data_items,
        "取り扱うデータ",
    );
    let location = free_text(&mut errors, "location", &input.location, "所在地・作業場所");
    let personal_records = errors
        .take(
            "personal_records",
            optional(Some(input.personal_records.as_str()), |t| {
                parse_count(t, "個人情報の件数")
            }),
        )
        .flatten();
    let date = |text: &str, label: &str| parse_date(text).map_err(|e| format!("{label}: {}", e.0));
    let start_date = errors.take("start_date", date(&input.start_date, "開始日"));
    let end_date = errors
        .take(
            "end_date",
            optional(Some(input.end_date.as_str()), |t| date(t, "終了日")),
        )
        .flatten();
    if let Some(start) = start_date {
        if start > contract.end_date {
            errors.add("start_date", "開始日は契約終了日までの日付にしてください");
        }
        if end_date.is_some_and(|end| end < start) {
            errors.add("end_date", "終了日は開始日以降の日付にしてください");
        }
    }
    errors.into_result()?;
    Ok(Checked {
        name: name.expect("checked").into_string(),
        corporate_number,
        work: work.expect("checked").into_string(),
        data_items,
        personal_records,
        location,
        start_date: start_date.expect("checked"),
        end_date,
    })
}

/// Applies for approval of a subcontractor of a contract within `scope` (the vendor's own contracts,
/// or those an officer may edit).
pub async fn apply(
    db: &Db,
    actor: &Actor,
    scope: &Visibility,
    contract_id: ContractId,
    input: &SubcontractorInput,
) -> AppResult<SubcontractorId> {
    let mut tx = db.begin().await?;
    let contract = contracts::find(&mut tx, scope, contract_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let checked = check(input, &contract)?;
    if let Some(parent) = input.parent_id {
        let in_chain = subcontractors::find(&mut tx, parent)
            .await?
            .is_some_and(|p| p.contract_id == contract_id);
        if !in_chain {
            let mut errors = FieldErrors::new();
            errors.add(
                "parent_id",
                "委託元の再委託先はこの契約の再委託先から選んでください",
            );
            return Err(AppError::Validation(errors));
        }
    }
    let number = checked.corporate_number.as_ref().map(|n| n.as_str());
    let id = subcontractors::insert(
        &mut tx,
        &NewSubcontractor {
            contract_id,
            parent_id: input.parent_id,
            name: &checked.name,
            corporate_number: number,
            foreign_company: input.foreign_company,
            work: &checked.work,
            data_items: &checked.data_items,
            personal_data: input.personal_data,
            personal_records: checked.personal_records,
            location: &checked.location,
            uses_cloud: input.uses_cloud,
            start_date: checked.start_date,
            end_date: checked.end_date,
            applied_by: &actor.label,
        },
    )
    .await?;
    let summary = format!(
        "再委託の承認申請 {}（{}）",
        contract.contract_number, checked.name
    );
    crate::db::notifications::notify_contract_officers(
        &mut tx,
        contract.id,
        &summary,
        &format!("/contracts/{}#subcontractors", contract.id),
    )
    .await?;
    let after = json!({
        "contract_id": contract.id, "parent_id": input.parent_id, "name": checked.name,
        "corporate_number": number, "foreign_company": input.foreign_company, "work": checked.work,
        "data_items": checked.data_items, "personal_data": input.personal_data,
        "personal_records": checked.personal_records, "location": checked.location,
        "uses_cloud": input.uses_cloud, "start_date": checked.start_date, "end_date": checked.end_date,
    });
    audit::record(
        &mut tx,
        actor,
        Event::new("create", "subcontractor", id, summary).changes(None, Some(after)),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Approves an application from a day, or refuses it with a reason, for a contract within `scope`
/// (the officer's); the contract's id.
pub async fn decide(
    db: &Db,
    actor: &Actor,
    scope: &Visibility,
    id: SubcontractorId,
    input: &DecisionInput,
) -> AppResult<ContractId> {
    let mut tx = db.begin().await?;
    let subcontractor = subcontractors::find(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let contract = contracts::find(&mut tx, scope, subcontractor.contract_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut errors = FieldErrors::new();
    if subcontractor.status != "applied" {
        errors.add("decision", "この申請はすでに承認または不承認としています");
    }
    let (approved_on, reason) = match input.decision.trim() {
        "approve" => {
            let day = errors.take(
                "approved_on",
                parse_date(&input.approved_on).map_err(|e| format!("承認日: {}", e.0)),
            );
            if day.is_some_and(|d| d > super::today()) {
                errors.add("approved_on", "承認日に未来の日付は指定できません");
            }
            (day, String::new())
        }
        "refuse" => {
            let reason = errors.take(
                "reason",
                BoundedText::<1000>::parse(&input.reason, "不承認の理由"),
            );
            (
                None,
                reason.map(BoundedText::into_string).unwrap_or_default(),
            )
        }
        _ => {
            errors.add("decision", "承認するか不承認とするかを選んでください");
            (None, String::new())
        }
    };
    errors.into_result()?;
    subcontractors::decide(&mut tx, contract.id, id, approved_on, &reason, &actor.label).await?;
    let verdict = if approved_on.is_some() {
        "承認"
    } else {
        "不承認"
    };
    let summary = format!(
        "再委託の{verdict} {}（{}）",
        contract.contract_number, subcontractor.name
    );
    crate::db::notifications::notify_vendor(
        &mut tx,
        contract.vendor_id,
        &summary,
        &format!("/contracts/{}#subcontractors", contract.id),
    )
    .await?;
    let before = json!({"status": subcontractor.status});
    let after = json!({"status": if approved_on.is_some() { "approved" } else { "refused" },
        "approved_on": approved_on, "refusal_reason": reason});
    audit::record(
        &mut tx,
        actor,
        Event::new("review", "subcontractor", id, summary).changes(Some(before), Some(after)),
    )
    .await?;
    tx.commit().await?;
    Ok(contract.id)
}

/// The contract of a subcontractor within `scope`.
pub async fn contract_of(
    db: &Db,
    scope: &Visibility,
    id: SubcontractorId,
) -> AppResult<ContractId> {
    let mut conn = db.acquire().await?;
    let subcontractor = subcontractors::find(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    contracts::find(&mut conn, scope, subcontractor.contract_id)
        .await?
        .map(|c| c.id)
        .ok_or(AppError::NotFound)
}

/// One subcontractor as the contract page shows it: its depth in the chain, and the certificates of
/// its own vendor record, when it has one.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Link {
    pub subcontractor: Subcontractor,
    /// 1 for a subcontractor of the vendor (再委託), 2 for one of a subcontractor (再々委託), …
    pub depth: usize,
    /// The schemes of its verified certificates valid on the day (ISMS, プライバシーマーク…).
    pub certificates: Vec<String>,
}

/// The chain of a contract within `scope`, each subcontractor after the one it works for.
pub async fn chain(
    db: &Db,
    scope: &Visibility,
    contract_id: ContractId,
    as_of: NaiveDate,
) -> AppResult<Vec<Link>> {
    let mut conn = db.acquire().await?;
    contracts::find(&mut conn, scope, contract_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let all = subcontractors::for_contract(&mut conn, contract_id).await?;
    let mut links = Vec::with_capacity(all.len());
    for (subcontractor, depth) in in_tree_order(all) {
        let mut certificates = Vec::new();
        if let Some(number) = subcontractor.corporate_number.as_deref() {
            let identifier = VendorIdentifier::of_stored(number);
            if let Some(vendor) = vendors::find_by_identifier(&mut conn, &identifier).await? {
                certificates = certifications::for_vendor(&mut conn, vendor.id)
                    .await?
                    .into_iter()
                    .filter(|c| c.verification.counts())
                    .filter(|c| c.valid_until.is_none_or(|until| until >= as_of))
                    .map(|c| c.scheme.label().to_string())
                    .collect();
                certificates.dedup();
            }
        }
        links.push(Link {
            subcontractor,
            depth,
            certificates,
        });
    }
    Ok(links)
}

/// Each subcontractor after its parent, with its depth; one whose parent is missing counts as the
/// vendor's own.
fn in_tree_order(all: Vec<Subcontractor>) -> Vec<(Subcontractor, usize)> {
    fn visit(
        parent: Option<SubcontractorId>,
        depth: usize,
        all: &[Subcontractor],
        out: &mut Vec<(Subcontractor, usize)>,
    ) {
        for child in all.iter().filter(|s| s.parent_id == parent) {
            out.push((child.clone(), depth));
            visit(Some(child.id), depth + 1, all, out);
        }
    }
    let known: std::collections::HashSet<SubcontractorId> = all.iter().map(|s| s.id).collect();
    let mut rooted: Vec<Subcontractor> = all
        .into_iter()
        .map(|mut s| {
            if s.parent_id.is_some_and(|p| !known.contains(&p)) {
                s.parent_id = None;
            }
            s
        })
        .collect();
    rooted.sort_by_key(|s| s.id.get());
    let mut out = Vec::with_capacity(rooted.len());
    visit(None, 1, &rooted, &mut out);
    out
}

/// A contract's chain as one of its subcontractors sees it: who passed the work to it, and its own
/// part of the chain (itself and those below it), never the rest.
#[derive(Debug, Clone, Serialize)]
pub struct PartOfChain {
    pub contract_number: String,
    pub contract_title: String,
    pub department_name: String,
    /// Who passed the work on: the contract's vendor or the subcontractor above.
    pub passed_on_by: String,
    /// The subcontractor itself first, then those below it, each with its depth under it (0 for itself).
    pub links: Vec<(Subcontractor, usize)>,
}

/// Where the vendor `vendor_id` (through its 法人番号) is a subcontractor in another vendor's chain.
pub async fn parts_of_vendor(db: &Db, vendor_id: VendorId) -> AppResult<Vec<PartOfChain>> {
    let mut conn = db.acquire().await?;
    let Some(vendor) = vendors::find(&mut conn, vendor_id).await? else {
        return Ok(Vec::new());
    };
    let Some(number) = vendor.corporate_number.clone() else {
        return Ok(Vec::new());
    };
    let mut parts = Vec::new();
    for contract_id in subcontractors::contracts_of_company(&mut conn, &number).await? {
        let Some(contract) = contracts::find(&mut conn, &Visibility::All, contract_id).await?
        else {
            continue;
        };
        let ordered = in_tree_order(subcontractors::for_contract(&mut conn, contract_id).await?);
        for (at, (own, depth)) in ordered.iter().enumerate() {
            if own.corporate_number.as_deref() != Some(number.as_str()) {
                continue;
            }
            let passed_on_by = own
                .parent_id
                .and_then(|p| ordered.iter().find(|(s, _)| s.id == p))
                .map_or_else(|| contract.vendor_name.clone(), |(s, _)| s.name.clone());
            let below = ordered[at + 1..]
                .iter()
                .take_while(|(_, d)| d > depth)
                .map(|(s, d)| (s.clone(), d - depth));
            parts.push(PartOfChain {
                contract_number: contract.contract_number.clone(),
                contract_title: contract.title.clone(),
                department_name: contract.department_name.clone(),
                passed_on_by,
                links: std::iter::once((own.clone(), 0)).chain(below).collect(),
            });
        }
    }
    Ok(parts)
}
