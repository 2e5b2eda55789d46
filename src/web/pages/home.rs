use crate::auth::guards::Chrome;
use crate::db::contracts::ContractFilter;
use crate::domain::{ContractStatus, FiscalYear};
use crate::error::AppResult;
use crate::services::{self, contracts, vendors, Paging};
use crate::web::views::{render, Home, Portal, Todo};
use crate::web::AppState;
use rocket::response::content::RawHtml;
use rocket::{get, routes, Route, State};

/// Staff see the state of the contracts they may see; a vendor sees its own contracts and what it owes.
#[get("/")]
async fn home(state: &State<AppState>, chrome: Chrome) -> AppResult<RawHtml<String>> {
    let today = services::today();
    let visibility = chrome.user.contract_visibility();
    if let Some(vendor_id) = chrome.user.own_vendor() {
        let vendor = vendors::get(&state.db, Some(vendor_id), vendor_id).await?;
        let contracts = contracts::list(
            &state.db,
            &visibility,
            &ContractFilter::default(),
            Paging::new(None, Some(200), 200),
            today,
        )
        .await?;
        let mut todos = deletion_todos(&contracts.items, today);
        for contract in contracts.items.iter().filter(|c| c.end_date >= today) {
            let submissions =
                crate::services::checklists::for_contract(&state.db, &visibility, contract.id)
                    .await?;
            todos.extend(checklist_todo(contract, &submissions, today));
        }
        todos.sort_by_key(|t| t.due);
        return render(&Portal {
            chrome,
            today,
            vendor,
            contracts,
            todos,
        });
    }
    let horizon = today + chrono::Days::new(90);
    let counts = contracts::count_by_status(&state.db, &visibility, today).await?;
    let filter = ContractFilter {
        status: Some(ContractStatus::Active),
        end_to: Some(horizon),
        ..Default::default()
    };
    let mut ending_soon = contracts::list(
        &state.db,
        &visibility,
        &filter,
        Paging::new(None, Some(200), 200),
        today,
    )
    .await?;
    ending_soon
        .items
        .sort_by_key(|c| (c.end_date, c.contract_number.clone()));
    ending_soon.items.truncate(20);
    render(&Home {
        chrome,
        today,
        fiscal_year: FiscalYear::of(today),
        counts,
        ending_soon,
        horizon,
    })
}

/// What a live contract still needs in check sheets: the first one, a returned one again, or this
/// fiscal year's for an important contract.
fn checklist_todo(
    contract: &crate::db::contracts::Contract,
    submissions: &[crate::db::checklists::Submission],
    today: chrono::NaiveDate,
) -> Option<Todo> {
    let fiscal_year = FiscalYear::of(today);
    let (what, due) = match submissions.first() {
        None => (
            "チェックシートの提出（契約時）".to_string(),
            contract.start_date,
        ),
        Some(latest) if latest.status == "returned" => {
            ("差し戻されたチェックシートの再提出".to_string(), today)
        }
        Some(latest)
            if contract.importance == crate::domain::Importance::Important
                && latest.uploaded_at.as_str() < fiscal_year.first_day().to_string().as_str() =>
        {
            (
                format!("{}のチェックシートの提出（年次）", fiscal_year.label()),
                fiscal_year.last_day(),
            )
        }
        Some(_) => return None,
    };
    Some(Todo {
        contract_id: contract.id,
        contract_number: contract.contract_number.clone(),
        title: contract.title.clone(),
        what,
        due,
        overdue: due < today,
        days_left: (due - today).num_days(),
    })
}

/// Contracts that ended or end within 30 days: their data must be returned or deleted by the deadline.
fn deletion_todos(
    contracts: &[crate::db::contracts::Contract],
    today: chrono::NaiveDate,
) -> Vec<Todo> {
    let mut todos: Vec<Todo> = contracts
        .iter()
        .filter(|c| c.end_date <= today + chrono::Days::new(30))
        .filter(|c| c.deletion_deadline >= today - chrono::Days::new(365))
        .map(|c| Todo {
            contract_id: c.id,
            contract_number: c.contract_number.clone(),
            title: c.title.clone(),
            what: "契約終了後のデータの返却・消去".to_string(),
            due: c.deletion_deadline,
            overdue: c.deletion_deadline < today,
            days_left: (c.deletion_deadline - today).num_days(),
        })
        .collect();
    todos.sort_by_key(|t| t.due);
    todos
}

pub fn routes() -> Vec<Route> {
    routes![home]
}
