//! Bid evaluation on the pages: tenders with their bidders and the side-by-side rating (staff), the
//! bids a vendor takes part in with the check-sheet upload (vendor portal), and scoring policies (admin).

use crate::auth::policy::EditScope;
use crate::auth::{Actor, User};
use crate::db::contracts::Visibility;
use crate::domain::ids::{BidSheetId, BidderId, PolicyId, TenderId};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::services::checklists::Submitted;
use crate::services::rating::{self, RatingView};
use crate::services::tenders::{self, BidderInput, Submitter, TenderInput};
use crate::services::{contracts, policies};
use crate::web::csrf;
use crate::web::download::{spreadsheet_original, FileDownload};
use crate::web::fields::Fields;
use crate::web::guards::{Acting, Chrome, Editor, UserAdmin};
use crate::web::pages::admin::XlsxDownload;
use crate::web::pages::ledger::{display_name, read_upload};
use crate::web::views::{
    render, BidList, BidPage, ChecklistRefused, PolicyList, PolicyPage, TenderForm, TenderList,
    TenderPage,
};
use crate::web::{AppState, FormOutcome};
use rocket::form::{Form, FromForm};
use rocket::fs::TempFile;
use rocket::http::Status;
use rocket::response::content::RawHtml;
use rocket::response::status::Custom;
use rocket::response::Redirect;
use rocket::{get, post, routes, Route, State};

fn tender_visibility(user: &User) -> AppResult<Visibility> {
    user.tender_visibility().ok_or(AppError::Forbidden)
}

fn edit_scope(user: &User) -> AppResult<EditScope> {
    user.edit_scope().ok_or(AppError::Forbidden)
}

/// For a form that changes a tender: the token checked, then who acts and within what scope.
fn acting(chrome: &Chrome, token: &str) -> AppResult<(Actor, EditScope)> {
    check_csrf(token, chrome)?;
    Ok((chrome.actor.clone(), edit_scope(&chrome.user)?))
}

fn check_csrf(given: &str, chrome: &Chrome) -> AppResult<()> {
    csrf::require(given, &chrome.csrf)
}

#[get("/tenders")]
async fn list(state: &State<AppState>, chrome: Chrome) -> AppResult<RawHtml<String>> {
    let tenders = tenders::list(&state.db, &tender_visibility(&chrome.user)?).await?;
    let policies = crate::services::policies::list(&state.db).await?;
    render(&TenderList {
        chrome,
        tenders,
        policies,
    })
}

async fn form_page(
    state: &AppState,
    chrome: Chrome,
    id: Option<TenderId>,
    input: TenderInput,
    errors: FieldErrors,
) -> AppResult<RawHtml<String>> {
    let scope = edit_scope(&chrome.user)?;
    let mut departments = contracts::departments(&state.db).await?;
    departments.retain(|d| scope.may_use_department(d.id));
    render(&TenderForm {
        chrome,
        id,
        input,
        departments,
        policies: policies::list(&state.db).await?,
        errors,
    })
}

#[get("/tenders/new")]
async fn new(
    state: &State<AppState>,
    _editor: Editor,
    chrome: Chrome,
) -> AppResult<RawHtml<String>> {
    let input = TenderInput {
        department_id: chrome.user.department_ids.first().copied(),
        ..<TenderInput as Default>::default()
    };
    form_page(state, chrome, None, input, FieldErrors::new()).await
}

#[get("/tenders/<id>/edit")]
async fn edit(
    state: &State<AppState>,
    _editor: Editor,
    chrome: Chrome,
    id: TenderId,
) -> AppResult<RawHtml<String>> {
    let tender = tenders::get(&state.db, &tender_visibility(&chrome.user)?, id).await?;
    let input = TenderInput::from_tender(&tender);
    form_page(state, chrome, Some(tender.id), input, FieldErrors::new()).await
}

#[derive(FromForm)]
struct TenderSubmission {
    csrf_token: String,
    tender: Fields<TenderInput>,
}

async fn save(
    state: &AppState,
    chrome: Chrome,
    id: Option<TenderId>,
    form: &TenderSubmission,
) -> AppResult<FormOutcome> {
    let (actor, scope) = acting(&chrome, &form.csrf_token)?;
    let result = match id {
        None => tenders::create(&state.db, &state.settings, &actor, &scope, &form.tender).await,
        Some(id) => tenders::update(&state.db, &state.settings, &actor, &scope, id, &form.tender)
            .await
            .map(|()| id),
    };
    match result {
        Ok(id) => Ok(FormOutcome::saved(format!("/tenders/{id}"))),
        Err(AppError::Validation(errors)) => Ok(FormOutcome::Invalid(
            form_page(state, chrome, id, form.tender.clone(), errors).await?,
        )),
        Err(other) => Err(other),
    }
}

#[post("/tenders", data = "<form>")]
async fn create(
    state: &State<AppState>,
    chrome: Chrome,
    form: Form<TenderSubmission>,
) -> AppResult<FormOutcome> {
    save(state, chrome, None, &form).await
}

#[post("/tenders/<id>", data = "<form>")]
async fn update(
    state: &State<AppState>,
    chrome: Chrome,
    id: TenderId,
    form: Form<TenderSubmission>,
) -> AppResult<FormOutcome> {
    save(state, chrome, Some(id), &form).await
}

async fn tender_page(
    state: &AppState,
    chrome: Chrome,
    id: TenderId,
    notice: Option<String>,
    errors: FieldErrors,
    bidder_input: BidderInput,
) -> AppResult<RawHtml<String>> {
    let visibility = tender_visibility(&chrome.user)?;
    let view: RatingView = rating::current(&state.db, &state.settings, &visibility, id).await?;
    let bidders = tenders::bidders(&state.db, &visibility, id).await?;
    let editable = !view.frozen
        && chrome
            .user
            .edit_scope()
            .is_some_and(|scope| tenders::in_scope(&scope, &view.tender));
    render(&TenderPage {
        chrome,
        view,
        bidders,
        editable,
        notice,
        errors,
        bidder_input,
    })
}

#[get("/tenders/<id>?<done>")]
async fn show(
    state: &State<AppState>,
    chrome: Chrome,
    id: TenderId,
    done: Option<&str>,
) -> AppResult<RawHtml<String>> {
    let notice = done.and_then(|done| match done {
        "bidder" => Some("入札者を追加しました".to_string()),
        "removed" => Some("入札者から外しました".to_string()),
        "scope" => Some("ISMS適用範囲の確認を記録しました".to_string()),
        "finalized" => {
            Some("評価を確定しました。以後、記録が変わってもこの評価は変わりません".to_string())
        }
        "copied" => Some("複製しました。この案件で再評価できます".to_string()),
        requested => requested
            .strip_prefix("requested-")
            .and_then(|count| count.parse::<u32>().ok())
            .map(|count| format!("{count}社にチェックシートの提出を依頼しました")),
    });
    tender_page(
        state,
        chrome,
        id,
        notice,
        FieldErrors::new(),
        <BidderInput as Default>::default(),
    )
    .await
}

#[derive(FromForm)]
struct BidderSubmission {
    csrf_token: String,
    bidder: Fields<BidderInput>,
}

#[post("/tenders/<id>/bidders", data = "<form>")]
async fn add_bidder(
    state: &State<AppState>,
    chrome: Chrome,
    id: TenderId,
    form: Form<BidderSubmission>,
) -> AppResult<FormOutcome> {
    let (actor, scope) = acting(&chrome, &form.csrf_token)?;
    match tenders::add_bidder(&state.db, &actor, &scope, id, &form.bidder).await {
        Ok(_) => Ok(FormOutcome::saved(format!("/tenders/{id}?done=bidder"))),
        Err(AppError::Validation(errors)) => Ok(FormOutcome::Invalid(
            tender_page(state, chrome, id, None, errors, form.bidder.clone()).await?,
        )),
        Err(other) => Err(other),
    }
}

#[derive(FromForm)]
struct Token {
    csrf_token: String,
}

#[derive(FromForm)]
struct ScopeForm {
    csrf_token: String,
    confirmed: bool,
}

#[post("/bidders/<id>/scope", data = "<form>")]
async fn confirm_scope(
    state: &State<AppState>,
    chrome: Chrome,
    id: BidderId,
    form: Form<ScopeForm>,
) -> AppResult<Redirect> {
    let (actor, scope) = acting(&chrome, &form.csrf_token)?;
    let tender = tenders::confirm_scope(&state.db, &actor, &scope, id, form.confirmed).await?;
    Ok(Redirect::to(format!("/tenders/{tender}?done=scope")))
}

#[post("/bidders/<id>/delete", data = "<form>")]
async fn remove_bidder(
    state: &State<AppState>,
    chrome: Chrome,
    id: BidderId,
    form: Form<Token>,
) -> AppResult<Redirect> {
    let (actor, scope) = acting(&chrome, &form.csrf_token)?;
    let tender = tenders::remove_bidder(&state.db, &actor, &scope, id).await?;
    Ok(Redirect::to(format!("/tenders/{tender}?done=removed")))
}

/// What the tender's buttons do: ask for check sheets, finalize, or copy into a new evaluation.
async fn tender_action(
    state: &AppState,
    chrome: &Chrome,
    token: &str,
    id: TenderId,
    action: &str,
) -> AppResult<Redirect> {
    let (actor, scope) = acting(chrome, token)?;
    let to = match action {
        "request" => {
            let asked = tenders::request_checklists(&state.db, &actor, &scope, id).await?;
            format!("/tenders/{id}?done=requested-{asked}")
        }
        "finalize" => {
            rating::finalize(&state.db, &state.settings, &actor, &scope, id).await?;
            format!("/tenders/{id}?done=finalized")
        }
        _ => {
            let new_id = rating::copy(&state.db, &actor, &scope, id).await?;
            format!("/tenders/{new_id}?done=copied")
        }
    };
    Ok(Redirect::to(to))
}

#[post("/tenders/<id>/request", data = "<form>")]
async fn request_checklists(
    state: &State<AppState>,
    chrome: Chrome,
    id: TenderId,
    form: Form<Token>,
) -> AppResult<Redirect> {
    tender_action(state, &chrome, &form.csrf_token, id, "request").await
}

#[post("/tenders/<id>/finalize", data = "<form>")]
async fn finalize(
    state: &State<AppState>,
    chrome: Chrome,
    id: TenderId,
    form: Form<Token>,
) -> AppResult<Redirect> {
    tender_action(state, &chrome, &form.csrf_token, id, "finalize").await
}

#[post("/tenders/<id>/copy", data = "<form>")]
async fn copy(
    state: &State<AppState>,
    chrome: Chrome,
    id: TenderId,
    form: Form<Token>,
) -> AppResult<Redirect> {
    tender_action(state, &chrome, &form.csrf_token, id, "copy").await
}

#[get("/tenders/<id>/evaluation.xlsx")]
async fn evaluation_sheet(
    state: &State<AppState>,
    acting: Acting,
    id: TenderId,
) -> AppResult<XlsxDownload> {
    let Acting { user, actor } = acting;
    let view = rating::current(&state.db, &state.settings, &tender_visibility(&user)?, id).await?;
    Ok(XlsxDownload::new(
        rating::export_evaluation(&state.db, &actor, &view).await?,
        &format!("evaluation-{id}.xlsx"),
    ))
}

#[get("/bids")]
async fn bids(state: &State<AppState>, chrome: Chrome) -> AppResult<RawHtml<String>> {
    let vendor = chrome.user.own_vendor().ok_or(AppError::Forbidden)?;
    let bids = tenders::bids_of_vendor(&state.db, vendor).await?;
    render(&BidList { chrome, bids })
}

#[get("/bids/<id>?<submitted>")]
async fn bid(
    state: &State<AppState>,
    chrome: Chrome,
    id: BidderId,
    submitted: bool,
) -> AppResult<RawHtml<String>> {
    let (bid, sheet) = tenders::bid(&state.db, &chrome.user.contract_visibility(), id).await?;
    render(&BidPage {
        chrome,
        bid,
        sheet,
        submitted,
    })
}

/// The blank workbook with the bidder already in the respondent block.
#[get("/bids/<id>/checklist-template.xlsx")]
async fn bid_template(
    state: &State<AppState>,
    user: User,
    id: BidderId,
) -> AppResult<XlsxDownload> {
    let visibility = user.contract_visibility();
    let sheet =
        crate::services::templates::for_bid(&state.db, &state.settings, &visibility, id).await?;
    Ok(XlsxDownload::new(sheet.bytes, &sheet.file_name))
}

#[derive(FromForm)]
struct SheetUpload<'r> {
    csrf_token: String,
    file: TempFile<'r>,
}

#[post("/bids/<id>/checklists", data = "<upload>")]
async fn submit_sheet(
    state: &State<AppState>,
    chrome: Chrome,
    id: BidderId,
    upload: Form<SheetUpload<'_>>,
) -> AppResult<FormOutcome> {
    check_csrf(&upload.csrf_token, &chrome)?;
    let who = Submitter::of(&chrome.user)?;
    let bytes = read_upload(&upload.file, state.settings.upload_limit_bytes).await?;
    let actor = chrome.actor.clone();
    let name = display_name(&upload.file)?;
    match tenders::submit_sheet(
        &state.db,
        &state.settings,
        &state.sandbox,
        &actor,
        &who,
        id,
        &name,
        &bytes,
    )
    .await?
    {
        Submitted::Accepted { .. } => Ok(FormOutcome::saved(format!("/bids/{id}?submitted=true"))),
        Submitted::Refused(result) => {
            let page = render(&ChecklistRefused {
                chrome,
                back: format!("/bids/{id}"),
                result,
            })?;
            Ok(FormOutcome::Refused(Custom(
                Status::UnprocessableEntity,
                page,
            )))
        }
    }
}

#[get("/bid-sheets/<id>/file")]
async fn sheet_file(
    state: &State<AppState>,
    acting: Acting,
    id: BidSheetId,
) -> AppResult<FileDownload> {
    let Acting { user, actor } = acting;
    let visibility = user.contract_visibility();
    let (name, bytes) = tenders::sheet_file(&state.db, &actor, &visibility, id).await?;
    Ok(spreadsheet_original(
        &name,
        bytes,
        &format!("checksheet-bid-sheet-{id}"),
    ))
}

#[get("/admin/policies?<added>")]
async fn policy_list(
    state: &State<AppState>,
    _admin: UserAdmin,
    chrome: Chrome,
    added: Option<String>,
) -> AppResult<RawHtml<String>> {
    render(&PolicyList {
        chrome,
        policies: policies::list(&state.db).await?,
        error: None,
        added,
    })
}

#[get("/admin/policies/<id>")]
async fn policy_page(
    state: &State<AppState>,
    _admin: UserAdmin,
    chrome: Chrome,
    id: PolicyId,
) -> AppResult<RawHtml<String>> {
    let (stored, policy) = policies::get(&state.db, id).await?;
    render(&PolicyPage {
        chrome,
        stored,
        policy,
    })
}

#[post("/admin/policies", data = "<upload>")]
async fn add_policy(
    state: &State<AppState>,
    admin: UserAdmin,
    chrome: Chrome,
    upload: Form<SheetUpload<'_>>,
) -> AppResult<FormOutcome> {
    check_csrf(&upload.csrf_token, &chrome)?;
    let bytes = read_upload(&upload.file, state.settings.upload_limit_bytes).await?;
    let refused = |message: String| AppError::Unprocessable(message);
    let result = match String::from_utf8(bytes) {
        Ok(text) => policies::add(&state.db, admin.actor(), &text).await,
        Err(_) => Err(refused(
            "方針ファイルは UTF-8 のテキストで保存してください".into(),
        )),
    };
    match result {
        Ok(stored) => Ok(FormOutcome::saved(format!(
            "/admin/policies?added={}",
            stored.reference()
        ))),
        Err(AppError::Unprocessable(message)) => {
            let page = render(&PolicyList {
                chrome,
                policies: policies::list(&state.db).await?,
                error: Some(message),
                added: None,
            })?;
            Ok(FormOutcome::Refused(Custom(
                Status::UnprocessableEntity,
                page,
            )))
        }
        Err(other) => Err(other),
    }
}

pub fn routes() -> Vec<Route> {
    routes![
        list,
        new,
        edit,
        create,
        update,
        show,
        add_bidder,
        confirm_scope,
        remove_bidder,
        request_checklists,
        finalize,
        copy,
        evaluation_sheet,
        bids,
        bid,
        bid_template,
        submit_sheet,
        sheet_file,
        policy_list,
        policy_page,
        add_policy
    ]
}
