use crate::domain::ids::ContractId;
use crate::domain::ContractStatus;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::services::contracts::{self, ContractInput, ContractQuery};
use crate::services::{self, Paged, Paging};
use crate::services::{audit_reports, deletions, reports, vendors};
use crate::web::csrf::CsrfForm;
use crate::web::fields::Fields;
use crate::web::guards::{Chrome, Editing, Editor};
use crate::web::views::{render, ContractForm, ContractList, ContractShow, EvidenceForms};
use crate::web::{query_prefix, AppState, FormOutcome};
use rocket::response::content::RawHtml;
use rocket::{get, post, routes, Route, State};

#[get("/contracts?<query..>")]
async fn list(
    state: &State<AppState>,
    chrome: Chrome,
    query: Fields<ContractQuery>,
) -> AppResult<RawHtml<String>> {
    let today = services::today();
    let paging = Paging::new(query.page, query.per_page, 50);
    let visibility = chrome.user.contract_visibility();
    let (departments, typed_vendor) = if chrome.is_vendor() {
        (Vec::new(), None)
    } else {
        (
            contracts::departments(&state.db).await?,
            services::given(&query.vendor),
        )
    };
    let chosen_vendor = match (query.vendor_id, typed_vendor) {
        (None, Some(typed)) => Some(vendors::typed(&state.db, typed).await?),
        _ => None,
    };
    // A vendor user sees no other vendor's name, even by putting its id in the address.
    let filtered_vendor = match chrome.is_vendor() {
        true => None,
        false => query.vendor_id.or_else(|| chosen_vendor.clone()?.ok()),
    };
    let shown_vendor = vendors::shown(&state.db, filtered_vendor, None).await?;
    let asked = query.filter().and_then(|mut filter| {
        match chosen_vendor {
            Some(Ok(id)) => filter.vendor_id = Some(id),
            Some(Err(message)) => {
                let mut errors = FieldErrors::new();
                errors.add("vendor", message);
                return Err(AppError::Validation(errors));
            }
            None => {}
        }
        Ok((filter, query.order()?))
    });
    let (paged, errors) = match asked {
        Ok((filter, order)) => (
            contracts::list_continuing(
                &state.db,
                &visibility,
                &filter,
                paging,
                (None, order),
                today,
            )
            .await?,
            FieldErrors::new(),
        ),
        Err(AppError::Validation(errors)) => (Paged::new(Vec::new(), 0, paging), errors),
        Err(other) => return Err(other),
    };
    let order = query.order().unwrap_or_default();
    let filter_query = query_prefix(&[
        ("q", query.q.clone()),
        ("department_id", query.department_id.map(|v| v.to_string())),
        ("vendor_id", query.vendor_id.map(|v| v.to_string())),
        ("vendor", query.vendor.clone()),
        ("status", query.status.clone()),
        ("end_from", query.end_from.clone()),
        ("end_to", query.end_to.clone()),
        ("amount_min", query.amount_min.clone()),
        ("amount_max", query.amount_max.clone()),
        ("per_page", query.per_page.map(|v| v.to_string())),
    ]);
    let page_query = format!(
        "{filter_query}{}",
        query_prefix(&[("sort", Some(order.code()))])
    );
    render(&ContractList {
        chrome,
        today,
        paged,
        query: query.into_inner(),
        page_query,
        filter_query,
        order,
        departments,
        shown_vendor,
        statuses: ContractStatus::ALL,
        errors,
    })
}

async fn form_page(
    state: &AppState,
    chrome: Chrome,
    id: Option<ContractId>,
    input: ContractInput,
    errors: FieldErrors,
) -> AppResult<RawHtml<String>> {
    let mut departments = contracts::departments(&state.db).await?;
    if let Some(scope) = chrome.user.edit_scope() {
        departments.retain(|d| scope.may_use_department(d.id));
    }
    let shown_vendor = vendors::shown(
        &state.db,
        input.vendor_id,
        services::given(&input.vendor_identifier),
    )
    .await?;
    render(&ContractForm {
        chrome,
        id,
        input,
        errors,
        departments,
        shown_vendor,
        default_deletion_days: state.settings.default_deletion_days,
    })
}

#[get("/contracts/new")]
async fn new(
    state: &State<AppState>,
    _editor: Editor,
    chrome: Chrome,
) -> AppResult<RawHtml<String>> {
    form_page(
        state,
        chrome,
        None,
        ContractInput::default(),
        FieldErrors::new(),
    )
    .await
}

#[post("/contracts", data = "<input>")]
async fn create(
    state: &State<AppState>,
    editing: Editing,
    chrome: Chrome,
    input: CsrfForm<Fields<ContractInput>>,
) -> AppResult<FormOutcome> {
    let input = input.into_inner().into_inner();
    let Editing { actor, scope, .. } = editing;
    match contracts::create(&state.db, &state.settings, &actor, &scope, &input).await {
        Ok(id) => Ok(FormOutcome::saved(format!("/contracts/{id}?saved=true"))),
        Err(AppError::Validation(errors)) => Ok(FormOutcome::Invalid(
            form_page(state, chrome, None, input, errors).await?,
        )),
        Err(other) => Err(other),
    }
}

#[get("/contracts/<id>?<saved>")]
async fn show(
    state: &State<AppState>,
    chrome: Chrome,
    id: ContractId,
    saved: Option<bool>,
) -> AppResult<RawHtml<String>> {
    contract_page(
        state,
        chrome,
        id,
        saved.unwrap_or(false),
        EvidenceForms::default(),
    )
    .await
}

/// A contract with its check sheets, audit reports, deletion certificates and what it owes today;
/// `forms` carries a refused form back with what was typed.
pub async fn contract_page(
    state: &AppState,
    chrome: Chrome,
    id: ContractId,
    saved: bool,
    forms: EvidenceForms,
) -> AppResult<RawHtml<String>> {
    let today = services::today();
    let visibility = chrome.user.contract_visibility();
    let c = contracts::get(&state.db, &visibility, id).await?;
    let submissions = crate::services::checklists::for_contract(&state.db, &visibility, id).await?;
    let audit_reports = audit_reports::for_contract(&state.db, &visibility, id).await?;
    let deletions = deletions::for_contract(&state.db, &visibility, id).await?;
    let subcontractors =
        crate::services::subcontractors::chain(&state.db, &visibility, id, today).await?;
    let deletion_coverage = deletions::coverage(&state.db, &visibility, id).await?;
    let corrective_actions =
        crate::services::corrective_actions::for_contract(&state.db, &visibility, id).await?;
    let gaps = crate::services::corrective_actions::gaps(&state.db, &visibility, id).await?;
    let clauses =
        crate::services::clauses::for_contract(&state.db, &state.settings, &visibility, id).await?;
    let clause_editions = crate::services::clauses::editions(&state.settings)?;
    let incidents = crate::services::incidents::for_contract(&state.db, &visibility, id).await?;
    let star = crate::services::star_level::standing(&state.db, &visibility, id, today).await?;
    let incident_contacts = crate::services::incident_contacts::of_vendor(
        &state.db,
        chrome.user.own_vendor(),
        c.vendor_id,
        today,
    )
    .await?;
    let incident_scope =
        crate::services::incident_contacts::scope_of(&state.db, &visibility, id).await?;
    let owed = reports::owed_by(&state.db, &state.settings, c.clone(), today).await?;
    let may_submit = chrome
        .user
        .submission_scope()
        .is_some_and(|scope| scope.includes(c.department_id, c.vendor_id));
    let may_review = chrome
        .user
        .edit_scope()
        .is_some_and(|scope| scope.contracts.includes(c.department_id, c.vendor_id));
    render(&ContractShow {
        chrome,
        today,
        c,
        saved,
        submissions,
        may_submit,
        may_review,
        owed,
        audit_reports,
        deletions,
        subcontractors,
        deletion_coverage,
        corrective_actions,
        gaps,
        clauses,
        clause_editions,
        incidents,
        incident_contacts,
        incident_scope,
        star,
        forms,
    })
}

/// The contract page again after a form on it was refused, the errors shown where the form was
/// (`target`, e.g. `clauses` or `incidents/7`).
pub async fn refused_on_contract_page(
    state: &AppState,
    chrome: Chrome,
    contract_id: ContractId,
    target: String,
    errors: crate::error::FieldErrors,
) -> AppResult<FormOutcome> {
    let forms = EvidenceForms {
        review_target: target,
        review_errors: errors,
        ..Default::default()
    };
    Ok(FormOutcome::Invalid(
        contract_page(state, chrome, contract_id, false, forms).await?,
    ))
}

#[get("/contracts/<id>/edit")]
async fn edit(
    state: &State<AppState>,
    editing: Editing,
    chrome: Chrome,
    id: ContractId,
) -> AppResult<RawHtml<String>> {
    let Editing { scope, .. } = editing;
    let contract = contracts::get(&state.db, &scope.contracts, id).await?;
    let today = services::today();
    let recorded = crate::services::star_level::standing(&state.db, &scope.contracts, id, today)
        .await?
        .conditions;
    form_page(
        state,
        chrome,
        Some(id),
        ContractInput::from_contract(&contract).with_star_conditions(recorded),
        FieldErrors::new(),
    )
    .await
}

#[post("/contracts/<id>", data = "<input>")]
async fn update(
    state: &State<AppState>,
    editing: Editing,
    chrome: Chrome,
    id: ContractId,
    input: CsrfForm<Fields<ContractInput>>,
) -> AppResult<FormOutcome> {
    let input = input.into_inner().into_inner();
    let Editing { actor, scope, .. } = editing;
    match contracts::update(
        &state.db,
        &actor,
        &scope,
        id,
        &input,
        state.settings.default_deletion_days,
    )
    .await
    {
        Ok(()) => Ok(FormOutcome::saved(format!("/contracts/{id}?saved=true"))),
        Err(AppError::Validation(errors)) => Ok(FormOutcome::Invalid(
            form_page(state, chrome, Some(id), input, errors).await?,
        )),
        Err(other) => Err(other),
    }
}

pub fn routes() -> Vec<Route> {
    routes![list, new, create, show, edit, update]
}
