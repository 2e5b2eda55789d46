//! Tenders (案件): an officer creates one with its evaluation date and scoring policy, adds the bidders
//! (registered vendors, or new ones by 法人番号), confirms each bidder's ISMS scope, and asks bidders
//! for the check sheet, which they upload through the vendor portal.

use super::audit::{self, Event};
use super::checklists::{read_for_vendor, Submitted};
use super::given;
use super::policies;
use super::vendors::VendorInput;
use crate::auth::policy::EditScope;
use crate::auth::Actor;
use crate::config::Settings;
use crate::db::contracts::Visibility;
use crate::db::tenders::{self, Bid, BidSheet, Bidder, NewBidSheet, NewTender, Tender};
use crate::db::{departments, vendors, Conn, Db};
use crate::domain::dates::JpDate;
use crate::domain::ids::{BidSheetId, BidderId, DepartmentId, PolicyId, TenderId, VendorId};
use crate::domain::{parse_date, VendorIdentifier, Yen};
use crate::error::{AppError, AppResult, FieldErrors};
use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TenderInput {
    pub title: Option<String>,
    pub department_id: Option<DepartmentId>,
    /// 2026-04-01, 令和8年4月1日, R8.4.1 …
    pub evaluation_date: Option<String>,
    /// `itaku-standard`, `itaku-standard@1` or a stored id; empty for the configured default.
    pub policy: Option<String>,
    #[serde(default, deserialize_with = "super::input::flag")]
    pub uses_cloud: bool,
    #[serde(default, deserialize_with = "super::input::flag")]
    pub handles_personal_data: bool,
    /// 予定価格 or 契約金額 (「1,200万円」「12,000,000」); blank when not known.
    pub amount: Option<String>,
}

impl TenderInput {
    pub fn from_tender(tender: &Tender) -> Self {
        TenderInput {
            title: Some(tender.title.clone()),
            department_id: tender.department_id,
            evaluation_date: Some(tender.evaluation_date.jp()),
            policy: Some(tender.policy_reference()),
            uses_cloud: tender.uses_cloud,
            handles_personal_data: tender.handles_personal_data,
            amount: tender.amount().map(|yen| yen.value().to_string()),
        }
    }
}

/// Checked input, ready to write.
struct TenderFields {
    title: String,
    department_id: Option<DepartmentId>,
    evaluation_date: chrono::NaiveDate,
    policy_id: PolicyId,
    policy_reference: String,
    amount: Option<Yen>,
}

/// A tender's fields as the audit log records them, before and after a change.
#[derive(Serialize)]
struct Recorded<'a> {
    title: &'a str,
    department_id: Option<DepartmentId>,
    evaluation_date: chrono::NaiveDate,
    policy: String,
    uses_cloud: bool,
    handles_personal_data: bool,
    amount: Option<i64>,
}

impl<'a> Recorded<'a> {
    fn of_tender(tender: &'a Tender) -> Self {
        Recorded {
            title: &tender.title,
            department_id: tender.department_id,
            evaluation_date: tender.evaluation_date,
            policy: tender.policy_reference(),
            uses_cloud: tender.uses_cloud,
            handles_personal_data: tender.handles_personal_data,
            amount: tender.amount,
        }
    }

    fn of_input(fields: &'a TenderFields, input: &TenderInput) -> Self {
        Recorded {
            title: &fields.title,
            department_id: fields.department_id,
            evaluation_date: fields.evaluation_date,
            policy: fields.policy_reference.clone(),
            uses_cloud: input.uses_cloud,
            handles_personal_data: input.handles_personal_data,
            amount: fields.amount.map(|yen| yen.value()),
        }
    }
}

async fn check(
    conn: &mut Conn,
    db: &Db,
    settings: &Settings,
    scope: &EditScope,
    input: &TenderInput,
) -> AppResult<TenderFields> {
    let mut errors = FieldErrors::new();
    let title = match given(&input.title) {
        None => {
            errors.add("title", "件名を入力してください");
            None
        }
        Some(title) if title.chars().count() > 200 => {
            errors.add("title", "件名は200文字以内で入力してください");
            None
        }
        Some(title) => Some(title.to_string()),
    };
    let evaluation_date = match given(&input.evaluation_date) {
        None => {
            errors.add("evaluation_date", "評価日を入力してください");
            None
        }
        Some(text) => errors.take(
            "evaluation_date",
            parse_date(text).map_err(|e| format!("評価日: {e}")),
        ),
    };
    let amount = errors
        .take(
            "amount",
            crate::domain::text::optional(given(&input.amount), Yen::parse),
        )
        .flatten();
    match input.department_id {
        Some(id) if departments::find(conn, id).await?.is_none() => {
            errors.add("department_id", "所管課が見つかりません")
        }
        Some(id) if !scope.may_use_department(id) => errors.add(
            "department_id",
            "担当していない所管課の案件は登録できません",
        ),
        None if !scope.may_create_departments() => {
            errors.add("department_id", "所管課を選んでください")
        }
        _ => {}
    }
    let policy = match policies::resolve(db, settings, input.policy.as_deref()).await {
        Ok(policy) => Some(policy),
        Err(AppError::Validation(policy_errors)) => {
            for error in policy_errors.iter() {
                errors.add(&error.field, error.message.clone());
            }
            None
        }
        Err(other) => return Err(other),
    };
    errors.into_result()?;
    let (Some(title), Some(evaluation_date), Some(policy)) = (title, evaluation_date, policy)
    else {
        return Err(AppError::Internal(
            "checked tender input is incomplete".into(),
        ));
    };
    Ok(TenderFields {
        title,
        department_id: input.department_id,
        evaluation_date,
        policy_id: policy.id,
        policy_reference: policy.reference(),
        amount,
    })
}

pub async fn create(
    db: &Db,
    settings: &Settings,
    actor: &Actor,
    scope: &EditScope,
    input: &TenderInput,
) -> AppResult<TenderId> {
    let mut tx = db.begin().await?;
    let fields = check(&mut tx, db, settings, scope, input).await?;
    let id = tenders::insert(
        &mut tx,
        &NewTender {
            title: &fields.title,
            department_id: fields.department_id,
            evaluation_date: fields.evaluation_date,
            policy_id: fields.policy_id,
            uses_cloud: input.uses_cloud,
            handles_personal_data: input.handles_personal_data,
            amount: fields.amount,
            copied_from: None,
            created_by: &actor.label,
        },
    )
    .await?;
    let after = json!(Recorded::of_input(&fields, input));
    audit::record(
        &mut tx,
        actor,
        Event::new("create", "tender", id, format!("案件登録 {}", fields.title))
            .changes(None, Some(after)),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Changes an open tender's title, department, evaluation date, policy or flags.
pub async fn update(
    db: &Db,
    settings: &Settings,
    actor: &Actor,
    scope: &EditScope,
    id: TenderId,
    input: &TenderInput,
) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let before = editable(&mut tx, scope, id).await?;
    let fields = check(&mut tx, db, settings, scope, input).await?;
    tenders::update(
        &mut tx,
        id,
        &NewTender {
            title: &fields.title,
            department_id: fields.department_id,
            evaluation_date: fields.evaluation_date,
            policy_id: fields.policy_id,
            uses_cloud: input.uses_cloud,
            handles_personal_data: input.handles_personal_data,
            amount: fields.amount,
            copied_from: before.copied_from,
            created_by: &before.created_by,
        },
    )
    .await?;
    audit::record(
        &mut tx,
        actor,
        Event::new("update", "tender", id, format!("案件変更 {}", fields.title)).changes(
            Some(json!(Recorded::of_tender(&before))),
            Some(json!(Recorded::of_input(&fields, input))),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn list(db: &Db, visibility: &Visibility) -> AppResult<Vec<Tender>> {
    Ok(tenders::list(&mut *db.acquire().await?, visibility).await?)
}

pub async fn get(db: &Db, visibility: &Visibility, id: TenderId) -> AppResult<Tender> {
    tenders::find(&mut *db.acquire().await?, visibility, id)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn bidders(db: &Db, visibility: &Visibility, id: TenderId) -> AppResult<Vec<Bidder>> {
    let mut conn = db.acquire().await?;
    tenders::find(&mut conn, visibility, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(tenders::bidders(&mut conn, id).await?)
}

/// Whether `scope` covers the tender's department (a tender without one: only unrestricted editors).
pub fn in_scope(scope: &EditScope, tender: &Tender) -> bool {
    match tender.department_id {
        Some(department) => scope.may_use_department(department),
        None => scope.may_create_departments(),
    }
}

/// The tender if `scope` may change it: visible, in one of the editor's departments, and still open.
pub(crate) async fn editable(
    conn: &mut Conn,
    scope: &EditScope,
    id: TenderId,
) -> AppResult<Tender> {
    let tender = tenders::find(conn, &scope.contracts, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !in_scope(scope, &tender) {
        return Err(AppError::Forbidden);
    }
    if tender.finalized() {
        return Err(AppError::Unprocessable(
            "確定済みの案件は変更できません。変更が必要なときは「複製して再評価」で新しい評価を作ってください".into(),
        ));
    }
    Ok(tender)
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct BidderInput {
    /// The bidder's 法人番号, 登録番号 (T + 13 digits) or 業者番号.
    #[serde(alias = "corporate_number")]
    pub identifier: Option<String>,
    /// Needed only when the vendor is not registered yet: it is then registered with its identifier.
    pub name: Option<String>,
}

/// Adds a bidder by its 法人番号, 登録番号 or 業者番号, registering the vendor when it is new and a
/// name is given.
pub async fn add_bidder(
    db: &Db,
    actor: &Actor,
    scope: &EditScope,
    tender_id: TenderId,
    input: &BidderInput,
) -> AppResult<BidderId> {
    let mut tx = db.begin().await?;
    let tender = editable(&mut tx, scope, tender_id).await?;
    let invalid = |message: String| {
        let mut errors = FieldErrors::new();
        errors.add("identifier", message);
        AppError::Validation(errors)
    };
    let identifier =
        VendorIdentifier::parse(input.identifier.as_deref().unwrap_or("")).map_err(invalid)?;
    let vendor_id = match vendors::find_by_identifier(&mut tx, &identifier).await? {
        Some(vendor) => vendor.id,
        None if given(&input.name).is_none() => {
            return Err(invalid(format!(
                "{identifier} の事業者は登録されていません。事業者名も入力すると新しく登録して追加します"
            )))
        }
        None => {
            let typed = Some(identifier.as_str().to_string());
            let mut vendor = VendorInput {
                name: input.name.clone(),
                ..VendorInput::default()
            };
            match identifier {
                VendorIdentifier::Corporate(_) => vendor.corporate_number = typed,
                VendorIdentifier::Invoice(_) => vendor.invoice_number = typed,
                VendorIdentifier::Code(_) => vendor.vendor_code = typed,
            }
            let record = vendor
            .parse()
            .map_err(AppError::Validation)?;
            let id = vendors::insert(&mut tx, &record).await?;
            audit::record(
                &mut tx,
                actor,
                Event::new("create", "vendor", id, format!("事業者登録 {}（入札者として）", record.name))
                    .changes(None, Some(json!(record))),
            )
            .await?;
            id
        }
    };
    let bidders = tenders::bidders(&mut tx, tender_id).await?;
    if bidders.iter().any(|b| b.vendor_id == vendor_id) {
        return Err(invalid(format!("{identifier} の事業者は既に入札者です")));
    }
    let id = tenders::add_bidder(&mut tx, tender_id, vendor_id, true).await?;
    audit::record(
        &mut tx,
        actor,
        Event::new(
            "create",
            "tender_bidder",
            id,
            format!("入札者追加 {} ← {identifier}", tender.title),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The bidder and its tender, if `scope` may change the tender.
async fn editable_bidder(
    conn: &mut Conn,
    scope: &EditScope,
    bidder_id: BidderId,
) -> AppResult<(Tender, Bidder)> {
    let bidder = tenders::find_bidder(conn, bidder_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let tender = editable(conn, scope, bidder.tender_id).await?;
    Ok((tender, bidder))
}

pub async fn remove_bidder(
    db: &Db,
    actor: &Actor,
    scope: &EditScope,
    bidder_id: BidderId,
) -> AppResult<TenderId> {
    let mut tx = db.begin().await?;
    let (tender, bidder) = editable_bidder(&mut tx, scope, bidder_id).await?;
    tenders::remove_bidder(&mut tx, bidder_id).await?;
    audit::record(
        &mut tx,
        actor,
        Event::new(
            "delete",
            "tender_bidder",
            bidder_id,
            format!("入札者削除 {} ← {}", tender.title, bidder.name),
        )
        .changes(Some(json!(bidder)), None),
    )
    .await?;
    tx.commit().await?;
    Ok(tender.id)
}

/// Records whether the bidder's ISMS scope covers the work (the ISMS rule counts only when it does).
pub async fn confirm_scope(
    db: &Db,
    actor: &Actor,
    scope: &EditScope,
    bidder_id: BidderId,
    confirmed: bool,
) -> AppResult<TenderId> {
    let mut tx = db.begin().await?;
    let (tender, bidder) = editable_bidder(&mut tx, scope, bidder_id).await?;
    tenders::set_scope_confirmed(&mut tx, bidder_id, confirmed).await?;
    let summary = format!(
        "ISMS適用範囲の確認 {} {}: {}",
        tender.title,
        bidder.name,
        if confirmed {
            "確認済み"
        } else {
            "未確認"
        }
    );
    audit::record(
        &mut tx,
        actor,
        Event::new("update", "tender_bidder", bidder_id, summary).changes(
            Some(json!({"isms_scope_confirmed": bidder.isms_scope_confirmed})),
            Some(json!({"isms_scope_confirmed": confirmed})),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(tender.id)
}

/// Asks every bidder of the tender that has not submitted yet for the check sheet; they see the
/// request in the vendor portal. Returns how many were asked.
pub async fn request_checklists(
    db: &Db,
    actor: &Actor,
    scope: &EditScope,
    tender_id: TenderId,
) -> AppResult<usize> {
    let mut tx = db.begin().await?;
    let tender = editable(&mut tx, scope, tender_id).await?;
    let mut asked = 0;
    for bidder in tenders::bidders(&mut tx, tender_id).await? {
        if bidder.sheet_version.is_none() {
            tenders::request_checklist(&mut tx, bidder.id).await?;
            asked += 1;
        }
    }
    audit::record(
        &mut tx,
        actor,
        Event::new(
            "update",
            "tender",
            tender_id,
            format!("チェックシート提出依頼 {}（{asked}社）", tender.title),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(asked)
}

/// A vendor's bids, for the vendor portal.
pub async fn bids_of_vendor(db: &Db, vendor_id: VendorId) -> AppResult<Vec<Bid>> {
    Ok(tenders::bids_of_vendor(&mut *db.acquire().await?, vendor_id).await?)
}

/// Who hands in a bid's check sheet: the bidding vendor itself, or an editor of the tender.
pub enum Submitter {
    Vendor(VendorId),
    Staff(EditScope),
}

impl Submitter {
    /// The user as a submitter: a vendor for itself, staff who edit within their scope; others may not.
    pub fn of(user: &crate::auth::User) -> AppResult<Self> {
        match (user.own_vendor(), user.edit_scope()) {
            (Some(vendor), _) => Ok(Submitter::Vendor(vendor)),
            (None, Some(scope)) => Ok(Submitter::Staff(scope)),
            (None, None) => Err(AppError::Forbidden),
        }
    }
}

/// The bid a submitter may act on: its own for a vendor (the tender still open), any editable one for staff.
async fn submittable(
    conn: &mut Conn,
    who: &Submitter,
    bidder_id: BidderId,
) -> AppResult<(Tender, Bidder)> {
    match who {
        Submitter::Staff(scope) => editable_bidder(conn, scope, bidder_id).await,
        Submitter::Vendor(vendor_id) => {
            let bidder = tenders::find_bidder(conn, bidder_id)
                .await?
                .filter(|b| b.vendor_id == *vendor_id)
                .ok_or(AppError::NotFound)?;
            let tender = tenders::find(conn, &Visibility::Vendor(*vendor_id), bidder.tender_id)
                .await?
                .ok_or(AppError::NotFound)?;
            if tender.finalized() {
                return Err(AppError::Unprocessable(
                    "この案件の評価は確定済みのため、チェックシートは受け付けていません".into(),
                ));
            }
            Ok((tender, bidder))
        }
    }
}

/// A bid as `visibility` may see it: a vendor only its own, staff any bid of a tender they see.
/// The vendor's view carries the tender's title and dates, never the other bidders.
pub async fn bid(
    db: &Db,
    visibility: &Visibility,
    bidder_id: BidderId,
) -> AppResult<(Bid, Option<BidSheet>)> {
    let mut conn = db.acquire().await?;
    let bidder = tenders::find_bidder(&mut conn, bidder_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let visible = match visibility {
        Visibility::Vendor(vendor_id) => bidder.vendor_id == *vendor_id,
        _ => tenders::find(&mut conn, visibility, bidder.tender_id)
            .await?
            .is_some(),
    };
    if !visible {
        return Err(AppError::NotFound);
    }
    let bid = tenders::bids_of_vendor(&mut conn, bidder.vendor_id)
        .await?
        .into_iter()
        .find(|b| b.bidder_id == bidder_id)
        .ok_or(AppError::NotFound)?;
    let sheet = tenders::latest_sheet(&mut conn, bidder_id).await?;
    Ok((bid, sheet))
}

/// Reads a check sheet handed in for a bid and stores it as the bid's next version; a sheet that would
/// be refused, or that names another company, stores nothing.
#[allow(clippy::too_many_arguments)]
pub async fn submit_sheet(
    db: &Db,
    settings: &Settings,
    sandbox: &crate::sandbox::Sandbox,
    actor: &Actor,
    who: &Submitter,
    bidder_id: BidderId,
    file_name: &str,
    bytes: &[u8],
) -> AppResult<Submitted<BidSheetId>> {
    let (tender, bidder) = submittable(&mut *db.acquire().await?, who, bidder_id).await?;
    let definition = settings.definition();
    let vendor = vendors::find(&mut *db.acquire().await?, bidder.vendor_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let result = read_for_vendor(sandbox, settings, &definition, bytes, &vendor).await?;
    if !result.accepted {
        return Ok(Submitted::Refused(result));
    }
    let digest = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(bytes));
    let answers =
        serde_json::to_string(&result.answers).map_err(|e| AppError::Internal(e.to_string()))?;
    let mut tx = db.begin().await?;
    submittable(&mut tx, who, bidder_id).await?;
    let (id, version) = tenders::insert_sheet(
        &mut tx,
        &NewBidSheet {
            bidder_id,
            definition_id: &definition.id,
            file_name,
            content: bytes,
            sha256: &digest,
            answers: &answers,
            uploader: &actor.label,
        },
    )
    .await?;
    let summary = format!(
        "入札チェックシート提出 {} {} 第{version}版（{file_name}）",
        tender.title, bidder.name
    );
    audit::record(
        &mut tx,
        actor,
        Event::new("upload", "bid_checklist", id, summary).changes(
            None,
            Some(json!({"sha256": digest, "size": bytes.len(), "answer_count": result.answers.len()})),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Submitted::Accepted {
        submission_id: id,
        version,
        result,
    })
}

/// The original workbook of a bid's check sheet, for the bidding vendor or anyone who sees the tender.
pub async fn sheet_file(
    db: &Db,
    actor: &Actor,
    visibility: &Visibility,
    sheet_id: BidSheetId,
) -> AppResult<(String, Vec<u8>)> {
    let mut conn = db.acquire().await?;
    let sheet = tenders::find_sheet(&mut conn, sheet_id)
        .await?
        .ok_or(AppError::NotFound)?;
    drop(conn);
    bid(db, visibility, sheet.bidder_id).await?;
    let content = tenders::sheet_content(&mut *db.acquire().await?, sheet_id)
        .await?
        .ok_or(AppError::NotFound)?;
    super::audit::downloaded(db, actor, "bid_sheet", sheet_id, &sheet.file_name, &content).await?;
    Ok((sheet.file_name, content))
}
