//! 契約: the contract registry.

use super::{given, Paged, Paging};
use crate::auth::policy::EditScope;
use crate::auth::Actor;
use crate::db::contracts::{self, ContractFilter, Visibility};
use crate::db::kept_reads::Reads;
use crate::db::{departments, vendors, Conn, Db};
use crate::domain::contract::MAX_DELETION_DAYS;
use crate::domain::dates::JpDate;
use crate::domain::fields;
use crate::domain::ids::{ContractId, DepartmentId, VendorId};
use crate::domain::text::parse_count;
use crate::domain::{parse_date, ContractDraft, ContractStatus, Importance, Period, Yen};
use crate::error::{AppError, AppResult, FieldErrors, Unique};
use crate::services::audit;
use crate::services::audit::Event;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use contracts::Contract;

/// A contract as typed into the form or sent to the API; every field is checked by `parse`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ContractInput {
    pub contract_number: Option<String>,
    pub title: Option<String>,
    pub department_id: Option<DepartmentId>,
    pub vendor_id: Option<VendorId>,
    /// Alternative to `vendor_id` for API clients that know the vendor by its 法人番号, 登録番号 or 業者番号.
    #[serde(alias = "vendor_corporate_number")]
    pub vendor_identifier: Option<String>,
    #[serde(default, deserialize_with = "super::input::text_or_number")]
    pub start_date: Option<String>,
    #[serde(default, deserialize_with = "super::input::text_or_number")]
    pub end_date: Option<String>,
    #[serde(default, deserialize_with = "super::input::flag")]
    pub handles_personal_data: bool,
    #[serde(default, deserialize_with = "super::input::text_or_number")]
    pub personal_records: Option<String>,
    pub importance: Option<String>,
    #[serde(default, deserialize_with = "super::input::flag")]
    pub uses_cloud: bool,
    #[serde(default, deserialize_with = "super::input::flag")]
    pub subcontracting_allowed: bool,
    #[serde(default, deserialize_with = "super::input::text_or_number")]
    pub deletion_days: Option<String>,
    /// 契約金額 in yen (「1,234,000円」「1,234千円」 or a JSON number); blank when unknown.
    #[serde(default, deserialize_with = "super::input::text_or_number")]
    pub amount: Option<String>,
    pub notes: Option<String>,
    /// METI's three conditions from the API: `{"sensitive_data": true, …}`; absent leaves them as
    /// recorded.
    pub star_conditions: Option<super::star_level::StarInput>,
    /// The form's section of the three conditions was sent (its unticked boxes send nothing).
    #[serde(default, deserialize_with = "super::input::flag")]
    pub star_given: bool,
    #[serde(default, deserialize_with = "super::input::flag")]
    pub sensitive_data: bool,
    #[serde(default, deserialize_with = "super::input::flag")]
    pub outage_critical: bool,
    #[serde(default, deserialize_with = "super::input::flag")]
    pub reaches_internal: bool,
}

impl ContractInput {
    pub fn from_contract(contract: &Contract) -> Self {
        ContractInput {
            contract_number: Some(contract.contract_number.clone()),
            title: Some(contract.title.clone()),
            department_id: Some(contract.department_id),
            vendor_id: Some(contract.vendor_id),
            vendor_identifier: None,
            start_date: Some(contract.start_date.jp()),
            end_date: Some(contract.end_date.jp()),
            handles_personal_data: contract.handles_personal_data,
            personal_records: contract.personal_records.map(|n| n.to_string()),
            importance: Some(contract.importance.as_code().to_string()),
            uses_cloud: contract.uses_cloud,
            subcontracting_allowed: contract.subcontracting_allowed,
            deletion_days: Some(contract.deletion_days.to_string()),
            amount: contract.amount().map(|yen| yen.value().to_string()),
            notes: Some(contract.notes.clone()),
            ..ContractInput::default()
        }
    }

    /// The form's or the API's three conditions, when given.
    pub fn star_conditions(&self) -> Option<crate::domain::star::StarConditions> {
        let given = match &self.star_conditions {
            Some(input) => input,
            None if self.star_given => &super::star_level::StarInput {
                sensitive_data: self.sensitive_data,
                outage_critical: self.outage_critical,
                reaches_internal: self.reaches_internal,
            },
            None => return None,
        };
        Some(given.conditions())
    }

    /// The edit form's boxes ticked as the contract's conditions are recorded.
    pub fn with_star_conditions(
        mut self,
        recorded: Option<crate::domain::star::StarConditions>,
    ) -> Self {
        if let Some(c) = recorded {
            self.star_given = true;
            self.sensitive_data = c.sensitive_data;
            self.outage_critical = c.outage_critical;
            self.reaches_internal = c.reaches_internal;
        }
        self
    }

    /// Checks every field, and that the department and vendor exist.
    async fn parse(
        &self,
        conn: &mut Conn,
        default_deletion_days: i64,
    ) -> Result<ContractDraft, AppError> {
        let mut errors = FieldErrors::new();
        let contract_number = errors.take(
            "contract_number",
            fields::contract_number(self.contract_number.as_deref().unwrap_or("")),
        );
        let title = errors.take(
            "title",
            fields::contract_title(self.title.as_deref().unwrap_or("")),
        );
        let department_id = match self.department_id {
            Some(id) if departments::find(conn, id).await?.is_some() => Some(id),
            _ => {
                errors.add("department_id", "所管課を選択してください");
                None
            }
        };
        let vendor_id = self.resolve_vendor(conn, &mut errors).await?;
        let start = errors.take(
            "start_date",
            parse_date(given(&self.start_date).unwrap_or(""))
                .map_err(|e| format!("契約開始日: {e}")),
        );
        let end = errors.take(
            "end_date",
            parse_date(given(&self.end_date).unwrap_or("")).map_err(|e| format!("契約終了日: {e}")),
        );
        let period = match (start, end) {
            (Some(start), Some(end)) => errors.take("end_date", Period::new(start, end)),
            _ => None,
        };
        let personal_records = errors.take(
            "personal_records",
            crate::domain::text::optional(given(&self.personal_records), |v| {
                parse_count(v, "個人情報の件数")
            }),
        );
        let importance = errors.take(
            "importance",
            Importance::parse(given(&self.importance).unwrap_or("ordinary")),
        );
        let deletion_days = errors.take(
            "deletion_days",
            parse_deletion_days(given(&self.deletion_days), default_deletion_days),
        );
        let amount = errors.take(
            "amount",
            crate::domain::text::optional(given(&self.amount), Yen::parse),
        );
        let notes = errors.take("notes", fields::notes(self.notes.as_deref().unwrap_or("")));
        errors.clone().into_result()?;
        match (
            contract_number,
            title,
            department_id,
            vendor_id,
            period,
            personal_records,
            importance,
            deletion_days,
            amount,
            notes,
        ) {
            (
                Some(contract_number),
                Some(title),
                Some(department_id),
                Some(vendor_id),
                Some(period),
                Some(personal_records),
                Some(importance),
                Some(deletion_days),
                Some(amount),
                Some(notes),
            ) => Ok(ContractDraft {
                contract_number,
                title,
                department_id,
                vendor_id,
                period,
                handles_personal_data: self.handles_personal_data,
                personal_records: personal_records.filter(|_| self.handles_personal_data),
                importance,
                uses_cloud: self.uses_cloud,
                subcontracting_allowed: self.subcontracting_allowed,
                deletion_days,
                amount,
                notes,
            }),
            _ => Err(AppError::Validation(errors)),
        }
    }

    async fn resolve_vendor(
        &self,
        conn: &mut Conn,
        errors: &mut FieldErrors,
    ) -> Result<Option<VendorId>, AppError> {
        if let Some(id) = self.vendor_id {
            if vendors::find(conn, id).await?.is_some() {
                return Ok(Some(id));
            }
        } else if let Some(typed) = given(&self.vendor_identifier) {
            match crate::services::vendors::typed_in(conn, typed).await? {
                Ok(id) => return Ok(Some(id)),
                Err(message) => errors.add("vendor_identifier", message),
            }
            return Ok(None);
        }
        errors.add("vendor_id", "事業者を選択してください");
        Ok(None)
    }
}

/// Days allowed for deletion after the end; blank means the configured default.
pub fn parse_deletion_days(value: Option<&str>, default: i64) -> Result<i64, String> {
    match value {
        None => Ok(default),
        Some(text) => {
            let days = parse_count(text, "消去期限（日）")?;
            if days > MAX_DELETION_DAYS {
                Err(format!(
                    "消去期限（日）は{MAX_DELETION_DAYS}日以内で入力してください"
                ))
            } else {
                Ok(days)
            }
        }
    }
}

/// The list filter as typed in a query string; bad values are reported, not ignored.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ContractQuery {
    pub q: Option<String>,
    pub department_id: Option<DepartmentId>,
    pub vendor_id: Option<VendorId>,
    /// The vendor as typed in the list's field: its number or its name, as the choices offer them.
    pub vendor: Option<String>,
    pub status: Option<String>,
    pub end_from: Option<String>,
    pub end_to: Option<String>,
    /// 契約金額 at least / at most, as typed (「100万円」「1,000,000」).
    pub amount_min: Option<String>,
    pub amount_max: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
    /// The `next` of the previous page: the page then starts just after that contract, and `page` is
    /// not used.
    pub after: Option<String>,
    /// The order: a column (`contract_number`, `title`, `department`, `vendor`, `start_date`,
    /// `end_date`, `deletion_deadline`), `-` in front for descending; by default `-end_date`.
    pub sort: Option<String>,
}

impl ContractQuery {
    /// The order asked for, or the field error naming the choices.
    pub fn order(&self) -> AppResult<contracts::Order> {
        let Some(sort) = given(&self.sort) else {
            return Ok(contracts::Order::DEFAULT);
        };
        contracts::Order::parse(sort).ok_or_else(|| {
            let choices: Vec<&str> = contracts::OrderKey::ALL.iter().map(|k| k.code()).collect();
            let mut errors = FieldErrors::new();
            errors.add(
                "sort",
                format!(
                    "並び順（sort）は {} のいずれかです（降順は先頭に -）",
                    choices.join(" / ")
                ),
            );
            AppError::Validation(errors)
        })
    }

    pub fn filter(&self) -> AppResult<ContractFilter> {
        let mut errors = FieldErrors::new();
        let status = match given(&self.status) {
            None => None,
            Some(code) => errors
                .take(
                    "status",
                    ContractStatus::parse(code).map(Some).ok_or_else(|| {
                        "状態は planned / active / ended のいずれかです".to_string()
                    }),
                )
                .flatten(),
        };
        let mut date = |field: &str, value: &Option<String>| {
            errors
                .take(
                    field,
                    crate::domain::text::optional(given(value), |v| parse_date(v).map_err(|e| e.0)),
                )
                .flatten()
        };
        let end_from = date("end_from", &self.end_from);
        let end_to = date("end_to", &self.end_to);
        let mut amount = |field: &str, value: &Option<String>| {
            errors
                .take(
                    field,
                    crate::domain::text::optional(given(value), Yen::parse),
                )
                .flatten()
        };
        let amount_min = amount("amount_min", &self.amount_min);
        let amount_max = amount("amount_max", &self.amount_max);
        let query = errors
            .take("q", crate::domain::text::search_text(self.q.as_deref()))
            .flatten();
        errors.into_result()?;
        Ok(ContractFilter {
            query,
            department_id: self.department_id,
            vendor_id: self.vendor_id,
            status,
            end_from,
            end_to,
            amount_min,
            amount_max,
        })
    }
}

/// Where the list continues after `contract`, as `next` hands it out: the end date, and the contract
/// number in hex so that any number travels in a query string as it is.
fn continuation(contract: &Contract) -> String {
    format!(
        "{}.{}",
        contract.end_date,
        hex::encode(&contract.contract_number)
    )
}

/// The start of the page an `after` names, or the field error.
fn start_after(after: &str) -> AppResult<contracts::Start> {
    let parsed = after.split_once('.').and_then(|(date, number)| {
        let end_date = date.parse::<NaiveDate>().ok()?;
        let contract_number = String::from_utf8(hex::decode(number).ok()?).ok()?;
        Some(contracts::Start::After {
            end_date,
            contract_number,
        })
    });
    parsed.ok_or_else(|| {
        let mut errors = FieldErrors::new();
        errors.add(
            "after",
            "続きの位置（after）が読み取れません。前のページの next をそのまま指定してください",
        );
        AppError::Validation(errors)
    })
}

pub async fn list(
    db: &Db,
    visibility: &Visibility,
    filter: &ContractFilter,
    paging: Paging,
    today: NaiveDate,
) -> AppResult<Paged<Contract>> {
    list_continuing(
        db,
        visibility,
        filter,
        paging,
        (None, contracts::Order::DEFAULT),
        today,
    )
    .await
}

/// A page of the list in `order`: the `paging.page`-th, or with `after` (a `next` from an earlier page)
/// the one just after that contract, found through the list's index however deep it is (the default
/// order only). A full page in the default order carries the `next` of the page after it.
pub async fn list_continuing(
    db: &Db,
    visibility: &Visibility,
    filter: &ContractFilter,
    paging: Paging,
    (after, order): (Option<&str>, contracts::Order),
    today: NaiveDate,
) -> AppResult<Paged<Contract>> {
    let start = match after.filter(|after| !after.trim().is_empty()) {
        Some(_) if order != contracts::Order::DEFAULT => {
            let mut errors = FieldErrors::new();
            errors.add(
                "after",
                "続きの位置（after）は既定の並び順（-end_date）でのみ使えます。ほかの並び順では page を指定してください",
            );
            return Err(AppError::Validation(errors));
        }
        Some(after) => start_after(after.trim())?,
        None => contracts::Start::Offset(paging.offset()),
    };
    // The page and its total are read in one snapshot, so the total counts the rows the page is of.
    let mut snapshot = db.begin_snapshot().await?;
    let reads = Reads::of(&mut snapshot, &db.reads).await?;
    let items = contracts::page(
        &mut snapshot,
        &reads,
        visibility,
        filter,
        today,
        paging.per_page,
        &start,
        order,
    )
    .await?;
    let total = contracts::count(&mut snapshot, &reads, visibility, filter, today).await?;
    snapshot.rollback().await?;
    let next = (items.len() as i64 == paging.per_page && order == contracts::Order::DEFAULT)
        .then(|| items.last().map(continuation))
        .flatten();
    Ok(Paged {
        next,
        ..Paged::new(items, total, paging)
    })
}

pub async fn get(db: &Db, visibility: &Visibility, id: ContractId) -> AppResult<Contract> {
    contracts::find(&mut *db.acquire().await?, visibility, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Counts of the visible contracts by status on `today`, in the order of `ContractStatus::ALL`.
pub async fn count_by_status(
    db: &Db,
    visibility: &Visibility,
    today: NaiveDate,
) -> AppResult<Vec<(ContractStatus, i64)>> {
    let mut snapshot = db.begin_snapshot().await?;
    let reads = Reads::of(&mut snapshot, &db.reads).await?;
    let counts = contracts::count_by_status(&mut snapshot, &reads, visibility, today).await?;
    snapshot.rollback().await?;
    Ok(ContractStatus::ALL.into_iter().zip(counts).collect())
}

fn duplicate_number() -> AppError {
    let mut errors = FieldErrors::new();
    errors.add("contract_number", "この契約番号は既に登録されています");
    AppError::Validation(errors)
}

/// A contract number already taken is the user's mistake, named on its field.
fn map_write_error(error: impl Into<AppError>) -> AppError {
    match error.into() {
        AppError::Duplicate(Unique::ContractNumber) => duplicate_number(),
        other => other,
    }
}

/// Refuses a department the caller may not file contracts under.
fn check_department(scope: &EditScope, draft: &ContractDraft) -> AppResult<()> {
    if scope.may_use_department(draft.department_id) {
        Ok(())
    } else {
        let mut errors = FieldErrors::new();
        errors.add(
            "department_id",
            "担当していない所管課の契約は登録できません",
        );
        Err(AppError::Validation(errors))
    }
}

/// Registers a contract with the default security clauses of the catalogue in force for its importance.
pub async fn create(
    db: &Db,
    settings: &crate::config::Settings,
    actor: &Actor,
    scope: &EditScope,
    input: &ContractInput,
) -> AppResult<ContractId> {
    let catalogue = settings.clause_catalogue().map_err(AppError::Internal)?;
    let mut tx = db.begin().await?;
    let draft = input.parse(&mut tx, settings.default_deletion_days).await?;
    check_department(scope, &draft)?;
    let id = contracts::insert(&mut tx, &draft)
        .await
        .map_err(map_write_error)?;
    super::clauses::assign_defaults(&mut tx, &catalogue, id, &draft).await?;
    if let Some(conditions) = input.star_conditions() {
        super::star_level::record(
            &mut tx,
            actor,
            id,
            draft.contract_number.as_str(),
            conditions,
        )
        .await?;
    }
    let summary = format!("契約登録 {}", draft.contract_number);
    audit::record(
        &mut tx,
        actor,
        Event::new("create", "contract", id, summary).changes(None, Some(draft.to_json())),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Changes a contract the caller may edit; others are not found.
pub async fn update(
    db: &Db,
    actor: &Actor,
    scope: &EditScope,
    id: ContractId,
    input: &ContractInput,
    default_deletion_days: i64,
) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let before = contracts::find(&mut tx, &scope.contracts, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let draft = input.parse(&mut tx, default_deletion_days).await?;
    check_department(scope, &draft)?;
    // Check sheets, audit reports and deletion certificates are the vendor's own statements, visible
    // to whoever holds the contract: a new vendor would see (and answer for) the old one's.
    if draft.vendor_id != before.vendor_id && contracts::has_vendor_records(&mut tx, id).await? {
        let mut errors = FieldErrors::new();
        errors.add(
            "vendor_id",
            "事業者から提出された記録（チェックシート・監査報告書・消去証明書）がある契約の事業者は変更できません。新しい事業者とは別の契約として登録してください",
        );
        return Err(AppError::Validation(errors));
    }
    if !contracts::update(&mut tx, id, &draft)
        .await
        .map_err(map_write_error)?
    {
        return Err(AppError::NotFound);
    }
    if let Some(conditions) = input.star_conditions() {
        super::star_level::record(
            &mut tx,
            actor,
            id,
            draft.contract_number.as_str(),
            conditions,
        )
        .await?;
    }
    let summary = format!("契約変更 {}", draft.contract_number);
    let old = Some(before.draft().to_json());
    audit::record(
        &mut tx,
        actor,
        Event::new("update", "contract", id, summary).changes(old, Some(draft.to_json())),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The departments a contract form offers.
pub async fn departments(db: &Db) -> AppResult<Vec<departments::Department>> {
    Ok(departments::all(&mut *db.acquire().await?).await?)
}
