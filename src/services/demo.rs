//! Demo data: the sample ledger under `samples/`, moved by whole fiscal years so that its contracts
//! stand in the same states relative to today as they did on the day it was written.

use super::certifications;
use super::ledger::{self, ImportReport};
use crate::db::contracts::{self, ContractFilter, Visibility};
use crate::db::Db;
use crate::domain::FiscalYear;
use crate::error::AppError;
use crate::excel::Limits;
use chrono::NaiveDate;

pub const SAMPLE_LEDGER: &[u8] = include_bytes!("../../samples/demo-ledger.csv");
pub const SAMPLE_CERTIFICATIONS: &[u8] = include_bytes!("../../samples/demo-certifications.csv");

/// The fiscal year the sample ledger was written in (令和7年度).
const SAMPLE_FISCAL_YEAR: i32 = 2025;

/// Loads the sample ledger when the database has no contracts; says what it loaded, if anything.
pub async fn load_if_empty(
    db: &Db,
    settings: &crate::config::Settings,
    today: NaiveDate,
) -> Result<Option<ImportReport>, AppError> {
    let total = contracts::count(
        &mut *db.acquire().await?,
        &crate::db::kept_reads::Reads::none(),
        &Visibility::All,
        &ContractFilter::default(),
        today,
    )
    .await?;
    if total > 0 {
        return Ok(None);
    }
    let mut ledger = ledger::parse(SAMPLE_LEDGER, &Limits::default()).map_err(|refusal| {
        AppError::Internal(format!(
            "the sample ledger is invalid: {:?}",
            refusal.errors
        ))
    })?;
    ledger.shift_years(FiscalYear::of(today).start_year() - SAMPLE_FISCAL_YEAR);

    let actor = crate::auth::Actor::system("demo");
    let scope = crate::auth::policy::EditScope::everything();
    let shift = FiscalYear::of(today).start_year() - SAMPLE_FISCAL_YEAR;
    let report =
        ledger::apply(db, &actor, &scope, &ledger, settings, false, &mut |_, _| {}).await?;
    load_certifications(db, &actor, shift).await?;
    load_tender(db, settings, &actor, today).await?;
    load_check_sheets(db, settings, today).await?;
    load_subcontractors(db, today).await?;
    load_clause_submissions(db, settings).await?;
    load_incident(db, settings).await?;
    load_suspension(db, today).await?;
    load_incident_contacts(db, today).await?;
    Ok(Some(report))
}

/// A tender a month from today with four of the sample vendors bidding, the check sheet asked for.
async fn load_tender(
    db: &Db,
    settings: &crate::config::Settings,
    actor: &crate::auth::Actor,
    today: NaiveDate,
) -> Result<(), AppError> {
    use super::tenders::{self, BidderInput, TenderInput};
    super::policies::install_shipped(db, settings).await?;
    let department =
        crate::db::departments::find_by_name(&mut *db.acquire().await?, "税務課").await?;
    let scope = crate::auth::policy::EditScope::everything();
    let input = TenderInput {
        title: Some("住民税課税資料の電子化・データ入力業務".into()),
        department_id: department.map(|d| d.id),
        evaluation_date: Some((today + chrono::Days::new(30)).to_string()),
        policy: None,
        uses_cloud: true,
        handles_personal_data: true,
        amount: Some("12,800,000円".into()),
    };
    let tender = tenders::create(db, settings, actor, &scope, &input).await?;
    for number in [
        "8154335349840",
        "4334107653877",
        "3534439589175",
        "9741520749048",
    ] {
        let bidder = BidderInput {
            identifier: Some(number.into()),
            name: None,
        };
        tenders::add_bidder(db, actor, &scope, tender, &bidder).await?;
    }
    tenders::request_checklists(db, actor, &scope, tender).await?;
    Ok(())
}

/// The sample certification list, moved like the ledger: some valid, some expiring, some expired.
async fn load_certifications(
    db: &Db,
    actor: &crate::auth::Actor,
    years: i32,
) -> Result<(), AppError> {
    let mut report = certifications::ImportReport::default();
    let mut rows =
        certifications::parse_list(SAMPLE_CERTIFICATIONS, &Limits::default(), &mut report);
    if !report.accepted() {
        return Err(AppError::Internal(format!(
            "the sample certification list is invalid: {:?}",
            report.errors
        )));
    }
    for row in &mut rows {
        row.shift_years(years);
    }
    let report = certifications::apply(
        db,
        actor,
        &crate::auth::policy::VendorRights::Any,
        &rows,
        report,
    )
    .await?;
    if report.accepted() {
        Ok(())
    } else {
        Err(AppError::Internal(format!(
            "demo certifications: {:?}",
            report.errors
        )))
    }
}

/// The demo vendor's check sheets for its running contract: a first version with two gaps, approved
/// by the officer with a comment and a corrective action on each, and a second that changes three
/// answers (closing one action), waiting for review.
async fn load_check_sheets(
    db: &Db,
    settings: &crate::config::Settings,
    today: NaiveDate,
) -> Result<(), AppError> {
    use super::checklists::{self, Decision, Submitted};
    use crate::checklist::Answer;
    let Some(contract) = contracts::find_by_number(&mut *db.acquire().await?, "R7-001").await?
    else {
        return Ok(());
    };
    let definition = settings.definition();
    let items: Vec<&str> = definition.items.iter().map(|i| i.id.as_str()).collect();
    let [first_gap, second_gap, third, ..] = items.as_slice() else {
        return Ok(());
    };
    let filled_on = contract.start_date.max(today - chrono::Days::new(200));
    let sheet = |changes: &[(&str, Answer, &str)], filled_on: NaiveDate| {
        answered_sheet(&definition, &contract, changes, filled_on)
    };
    let first = sheet(
        &[
            (
                first_gap,
                Answer::No,
                "規程を改定中です。令和8年9月に制定予定です。",
            ),
            (
                second_gap,
                Answer::Partial,
                "本社のみ実施。工場は年度内に実施します。",
            ),
        ],
        filled_on,
    )?;
    let second = sheet(
        &[
            (
                first_gap,
                Answer::Yes,
                "令和8年9月に規程を制定しました（別添）。",
            ),
            (second_gap, Answer::Partial, "工場の実施は来月の予定です。"),
            (third, Answer::No, "担当者の異動により一時的に未実施です。"),
        ],
        filled_on + chrono::Days::new(120),
    )?;
    let sandbox = crate::sandbox::Sandbox::from_settings(settings);
    let hand_in = |name: &'static str, bytes: Vec<u8>| {
        let sandbox = &sandbox;
        let contract = &contract;
        async move {
            let vendor = crate::auth::Actor::system("事業者 伊呂波 花子");
            let all = Visibility::All;
            match checklists::submit(
                db,
                &vendor,
                &all,
                contract.id,
                name,
                &bytes,
                settings,
                sandbox,
            )
            .await?
            {
                Submitted::Accepted { submission_id, .. } => Ok(submission_id),
                Submitted::Refused(result) => Err(AppError::Internal(format!(
                    "the demo check sheet was refused: {:?}",
                    result.errors
                ))),
            }
        }
    };
    let first_version = hand_in("チェックシート_第1版.xlsx", first).await?;
    let comments = std::collections::HashMap::from([
        (
            first_gap.to_string(),
            "規程の制定後、写しを提出してください。".to_string(),
        ),
        (
            second_gap.to_string(),
            "工場の実施予定日を次回の提出で教えてください。".to_string(),
        ),
    ]);
    checklists::review(
        db,
        &crate::auth::Actor::system("契約担当 山田 太郎"),
        &crate::auth::policy::EditScope::everything(),
        first_version,
        Decision::Approve,
        "条件付きで承認します。改善の状況を次回の提出で報告してください。",
        &comments,
    )
    .await?;
    require_corrections(db, contract.id, [first_gap, second_gap], today).await?;
    // The second version answers the first gap はい, which closes its corrective action.
    hand_in("チェックシート_第2版.xlsx", second).await?;
    Ok(())
}

/// The contract's check sheet filled in by its vendor: every item はい but for `changes`.
fn answered_sheet(
    definition: &crate::checklist::Definition,
    contract: &crate::db::contracts::Contract,
    changes: &[(&str, crate::checklist::Answer, &str)],
    filled_on: NaiveDate,
) -> Result<Vec<u8>, AppError> {
    use crate::checklist::Answer;
    let mut answers: std::collections::HashMap<String, (Answer, String)> = definition
        .items
        .iter()
        .map(|item| (item.id.clone(), (Answer::Yes, String::new())))
        .collect();
    for (id, answer, note) in changes {
        answers.insert(id.to_string(), (*answer, note.to_string()));
    }
    super::templates::build(
        definition,
        &crate::excel::template::Prefill {
            vendor_name: Some(contract.vendor_name.clone()),
            identifier: Some(contract.vendor_identifier.clone()),
            contract: Some(format!("{} {}", contract.contract_number, contract.title)),
            filled_on: Some(filled_on),
            filled_by: Some("情報システム課 主任 伊呂波 花子".into()),
            answers,
        },
    )
}

/// The demo vendor's running contract passes its print data to an approved subcontractor, which passed
/// the address printing on a month ago without an approval: 無承認の再委託 on the dashboard.
async fn load_subcontractors(db: &Db, today: NaiveDate) -> Result<(), AppError> {
    use super::subcontractors::{self, DecisionInput, SubcontractorInput};
    let Some(contract) = contracts::find_by_number(&mut *db.acquire().await?, "R7-001").await?
    else {
        return Ok(());
    };
    let vendor = crate::auth::Actor::system("事業者 伊呂波 花子");
    let all = Visibility::All;
    let first = SubcontractorInput {
        name: "はにほ情報システム株式会社".into(),
        corporate_number: "8154335349840".into(),
        work: "納税通知書の印刷データの作成（宛名・税額の変換）".into(),
        data_items: "氏名・住所・税額".into(),
        personal_data: true,
        personal_records: "152,000".into(),
        location: "和歌山県和歌山市（自社データセンター）".into(),
        start_date: contract.start_date.to_string(),
        ..SubcontractorInput::default()
    };
    let first_id = subcontractors::apply(db, &vendor, &all, contract.id, &first).await?;
    let approval = DecisionInput {
        decision: "approve".into(),
        approved_on: (contract.start_date - chrono::Days::new(7)).to_string(),
        reason: String::new(),
    };
    let officer = crate::auth::Actor::system("契約担当 山田 太郎");
    subcontractors::decide(db, &officer, &all, first_id, &approval).await?;
    let second = SubcontractorInput {
        parent_id: Some(first_id),
        name: "有限会社わかよ宛名".into(),
        corporate_number: "3170001205000".into(),
        work: "宛名の印字".into(),
        data_items: "氏名・住所".into(),
        personal_data: true,
        personal_records: "152,000".into(),
        location: "大阪府大阪市".into(),
        start_date: (today - chrono::Days::new(30))
            .max(contract.start_date)
            .to_string(),
        ..SubcontractorInput::default()
    };
    subcontractors::apply(db, &vendor, &all, contract.id, &second).await?;
    Ok(())
}

/// The running contract's clauses at work: the encryption statement and the first quarter's access
/// log accepted, the second quarter's waiting for review, the rest still owed.
async fn load_clause_submissions(
    db: &Db,
    settings: &crate::config::Settings,
) -> Result<(), AppError> {
    use super::clauses::{self, SubmissionInput};
    use super::evidence::{ReviewInput, Upload};
    let Some(contract) = contracts::find_by_number(&mut *db.acquire().await?, "R7-001").await?
    else {
        return Ok(());
    };
    let all = Visibility::All;
    let vendor = crate::auth::Actor::system("事業者 伊呂波 花子");
    let officer = crate::auth::Actor::system("契約担当 山田 太郎");
    let set = clauses::for_contract(db, settings, &all, contract.id).await?;
    let handed_in = [
        (
            "保存データの暗号化の確認（契約開始時）",
            "暗号化確認書.pdf",
            "サーバ・端末・媒体の暗号化の設定を確認しました",
            true,
        ),
        (
            "アクセスログの提出（",
            "アクセスログ_第1四半期.pdf",
            "4月〜6月の操作ログです",
            true,
        ),
        (
            "アクセスログの提出（",
            "アクセスログ_第2四半期.pdf",
            "7月〜9月の操作ログです",
            false,
        ),
    ];
    let mut used = Vec::new();
    for (what, file, note, accept) in handed_in {
        let Some(owed) = set
            .obligations
            .iter()
            .find(|o| o.what.starts_with(what) && !used.contains(&o.obligation.id))
        else {
            continue;
        };
        used.push(owed.obligation.id);
        let upload = Upload {
            name: file.into(),
            bytes: SAMPLE_PDF.to_vec(),
        };
        let note = SubmissionInput { note: note.into() };
        let limit = settings.upload_limit_bytes;
        let id = clauses::submit(
            db,
            &vendor,
            &all,
            owed.obligation.id,
            &note,
            Some(&upload),
            limit,
        )
        .await?;
        if accept {
            let review = ReviewInput {
                decision: "accept".into(),
                accepted_on: None,
                comment: None,
            };
            clauses::review(db, &officer, &all, id, &review).await?;
        }
    }
    Ok(())
}

/// 指名停止 of the document-storage vendor, from two weeks ago for six months: its long-running
/// contract is on the dashboard, and it is 不適合 in any tender evaluated meanwhile.
async fn load_suspension(db: &Db, today: NaiveDate) -> Result<(), AppError> {
    use crate::domain::suspension::{Suspension, SuspensionFields};
    let starts_on = today - chrono::Days::new(14);
    let suspension = Suspension::build(&SuspensionFields {
        corporate_number: "9742428765391",
        company_name: "株式会社さくら文書保管",
        starts_on: Some(starts_on),
        ends_on: starts_on
            .checked_add_months(chrono::Months::new(6))
            .map(|d| d - chrono::Days::new(1)),
        reason: "他団体の委託業務における保管文書の紛失",
        document_number: "契第208号",
    })
    .map_err(|errors| AppError::Internal(format!("demo suspension: {errors:?}")))?;
    let mut conn = db.acquire().await?;
    crate::db::suspensions::insert(&mut conn, &suspension, "demo").await?;
    Ok(())
}

/// The demo vendor's incident contacts, a day shift and a 24-hour line, confirmed this year; the other
/// vendors of important contracts have none, so the dashboard lists them.
async fn load_incident_contacts(db: &Db, today: NaiveDate) -> Result<(), AppError> {
    use crate::domain::incident_contact::ContactFields;
    let Some(contract) = contracts::find_by_number(&mut *db.acquire().await?, "R7-001").await?
    else {
        return Ok(());
    };
    let rows = [
        ContactFields {
            name: "井呂波 一郎".into(),
            role: "情報セキュリティ責任者".into(),
            phone: "073-400-1001".into(),
            email: "security@iroha-print.example.jp".into(),
            hours: "平日 9:00〜18:00".into(),
            around_the_clock: false,
        },
        ContactFields {
            name: "夜間・休日当番".into(),
            role: "インシデント受付".into(),
            phone: "0120-400-119".into(),
            email: "soc@iroha-print.example.jp".into(),
            hours: "24時間365日".into(),
            around_the_clock: true,
        },
    ];
    super::incident_contacts::save(
        db,
        &crate::auth::Actor::system("demo"),
        &crate::auth::policy::VendorRights::Any,
        contract.vendor_id,
        &rows,
        today,
    )
    .await
}

/// An incident the running contract's vendor reported 40 minutes after becoming aware of it, with
/// the officer's note: the dashboard's open incidents and the contract's timeline.
async fn load_incident(db: &Db, settings: &crate::config::Settings) -> Result<(), AppError> {
    use super::incidents::{self, IncidentInput, UpdateInput};
    let Some(contract) = contracts::find_by_number(&mut *db.acquire().await?, "R7-001").await?
    else {
        return Ok(());
    };
    let now = chrono::Utc::now();
    let input = IncidentInput {
        occurred_at: (now - chrono::Duration::minutes(90)).to_rfc3339(),
        aware_at: (now - chrono::Duration::minutes(40)).to_rfc3339(),
        summary: "封入封緘工程の作業用PCで、取引先を装ったメールの添付ファイルを開いた。感染の有無を調査中".into(),
        personal_data: true,
        records: Some("152,000".into()),
        actions: "当該PCをネットワークから切り離し、セキュリティ会社に調査を依頼した".into(),
    };
    let vendor = crate::auth::Actor::system("事業者 伊呂波 花子");
    let scope = Visibility::Vendor(contract.vendor_id);
    let received = incidents::report(db, settings, &vendor, &scope, contract.id, &input).await?;
    let note = UpdateInput {
        kind: "note".into(),
        body: "CSIRT に共有。県への第一報を準備中".into(),
        status: String::new(),
    };
    let officer = crate::auth::Actor::system("契約担当 山田 太郎");
    incidents::update(db, &officer, &Visibility::All, received.id, &note).await?;
    // Residents' tax data on the vendor's systems: ★4 required, which its certificates do not show.
    let conditions = super::star_level::StarInput {
        sensitive_data: true,
        ..Default::default()
    };
    super::star_level::set(db, &officer, &Visibility::All, contract.id, &conditions).await?;
    Ok(())
}

/// A one-page PDF standing for a vendor's statement or log export.
const SAMPLE_PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

/// The officer's corrective actions for the first version's two gaps.
async fn require_corrections(
    db: &Db,
    contract_id: crate::domain::ids::ContractId,
    gaps: [&str; 2],
    today: NaiveDate,
) -> Result<(), AppError> {
    let what = [
        ("情報セキュリティ規程を制定し、写しを提出する", 60),
        ("工場でも同じ対策を実施し、実施記録を提出する", 45),
    ];
    for (item, (what, days)) in gaps.into_iter().zip(what) {
        let input = super::corrective_actions::RequireInput {
            item_id: item.to_string(),
            what: what.into(),
            due_on: (today + chrono::Days::new(days)).to_string(),
        };
        super::corrective_actions::require(
            db,
            &crate::auth::Actor::system("契約担当 山田 太郎"),
            &Visibility::All,
            contract_id,
            &input,
        )
        .await?;
    }
    Ok(())
}
