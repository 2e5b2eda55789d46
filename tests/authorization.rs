//! Every route, requested as every kind of user: anonymous, administrator, an officer of the
//! contract's department and one of another, the CISO, the contract's vendor and another vendor.
//! The table must name every route Rocket has, so a new route without a rule fails this test.

mod common;
use common::Role;

use common::{corporate_number, Browser, Reply, TestApp, NTA, TOYOTA};
use rocket::http::{ContentType, Header, Method, Status};
use serde_json::json;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Who {
    Anonymous,
    Admin,
    Officer,
    OtherOfficer,
    Ciso,
    Vendor,
    OtherVendor,
}

const EVERYONE: [Who; 7] = [
    Who::Anonymous,
    Who::Admin,
    Who::Officer,
    Who::OtherOfficer,
    Who::Ciso,
    Who::Vendor,
    Who::OtherVendor,
];

/// Who may use a route (on the records of vendor A in department 1).
#[derive(Debug, Clone, Copy)]
enum Rule {
    /// Anyone, signed in or not (the answer may still be 4xx for a made-up token).
    Public,
    SignedIn,
    Staff,
    Editors,
    Admins,
    AuditReaders,
    /// Reading vendor A's contract.
    RecordReaders,
    /// Reading vendor A's record: all staff, and vendor A itself.
    VendorReaders,
    /// Changing vendor A's contract: administrators and the officer of its department.
    ContractEditors,
    /// Submitting a check sheet for vendor A's contract: vendor A and those who may edit the contract.
    Submitters,
    /// Recording vendor A's certifications: administrators, the officer of a department that works
    /// with vendor A (not another department's), and vendor A itself.
    CertificationRecorders,
    /// Changing vendor A's record, or verifying its certificates: administrators and the officer of a
    /// department that works with it.
    VendorEditors,
    /// Reading department 1's tender: administrators, its officer and the CISO (never a vendor).
    TenderReaders,
    /// The vendor portal's list of bids, and where a vendor is a subcontractor: vendors only.
    Vendors,
    /// Department 1's 一斉依頼: administrators, its officer and the CISO.
    RequestReaders,
}

impl Rule {
    fn allows(self, who: Who) -> Option<bool> {
        use Who::*;
        Some(match self {
            Rule::Public => return None,
            Rule::SignedIn => who != Anonymous,
            Rule::Staff => matches!(who, Admin | Officer | OtherOfficer | Ciso),
            Rule::Editors => matches!(who, Admin | Officer | OtherOfficer),
            Rule::Admins => who == Admin,
            Rule::AuditReaders => matches!(who, Admin | Ciso),
            Rule::RecordReaders => matches!(who, Admin | Officer | Ciso | Vendor),
            Rule::VendorReaders => matches!(who, Admin | Officer | OtherOfficer | Ciso | Vendor),
            Rule::ContractEditors => matches!(who, Admin | Officer),
            Rule::Submitters => matches!(who, Admin | Officer | Vendor),
            Rule::CertificationRecorders => matches!(who, Admin | Officer | Vendor),
            Rule::VendorEditors => matches!(who, Admin | Officer),
            Rule::TenderReaders => matches!(who, Admin | Officer | Ciso),
            Rule::Vendors => matches!(who, Vendor | OtherVendor),
            Rule::RequestReaders => matches!(who, Admin | Officer | Ciso),
        })
    }
}

fn rules() -> BTreeMap<(&'static str, &'static str), Rule> {
    use Rule::*;
    BTreeMap::from([
        (("GET", "/healthz"), Public),
        (("GET", "/static/<name>"), Public),
        (("GET", "/favicon.ico"), Public),
        (("GET", "/login"), Public),
        (("POST", "/login"), Public),
        (("GET", "/setup/<token>"), Public),
        (("POST", "/setup/<token>"), Public),
        (("POST", "/logout"), SignedIn),
        (("GET", "/account"), SignedIn),
        (("POST", "/account/password"), SignedIn),
        (("POST", "/account/sessions/end-others"), SignedIn),
        (("POST", "/account/mail-digest"), Staff),
        (("GET", "/notifications"), SignedIn),
        (("GET", "/requests"), Staff),
        (("GET", "/requests/new"), Staff),
        (("POST", "/requests"), Staff),
        (("GET", "/requests/<id>"), RequestReaders),
        (("GET", "/requests/<id>/export.xlsx"), RequestReaders),
        (("POST", "/api/v1/requests"), Staff),
        (("GET", "/api/v1/requests/<id>"), RequestReaders),
        (("POST", "/notifications/read"), SignedIn),
        (("GET", "/login/mfa"), Public),
        (("GET", "/login/link"), Public),
        (("POST", "/login/link"), Public),
        (("GET", "/login/link/<token>"), Public),
        (("POST", "/login/link/<token>"), Public),
        (("POST", "/login/mfa"), Public),
        (("GET", "/account/mfa"), SignedIn),
        (("POST", "/account/mfa"), SignedIn),
        (("POST", "/account/mfa/recovery-codes"), SignedIn),
        (("POST", "/account/mfa/disable"), SignedIn),
        (("POST", "/admin/users/<id>/mfa-reset"), Admins),
        (("POST", "/account/tokens"), SignedIn),
        (("POST", "/tokens/<id>/revoke"), Admins),
        (("GET", "/"), SignedIn),
        (("GET", "/contracts"), SignedIn),
        (("GET", "/contracts/new"), Editors),
        (("POST", "/contracts"), Editors),
        (("GET", "/contracts/<id>"), RecordReaders),
        (("GET", "/contracts/<id>/edit"), ContractEditors),
        (("POST", "/contracts/<id>"), ContractEditors),
        (("GET", "/vendors"), SignedIn),
        (("GET", "/vendors/new"), Editors),
        (("GET", "/vendors/suggestions"), Staff),
        (("POST", "/vendors"), Editors),
        (("GET", "/vendors/<id>"), VendorReaders),
        (("GET", "/vendors/<id>/edit"), VendorEditors),
        (("POST", "/vendors/<id>"), VendorEditors),
        (("GET", "/departments"), Staff),
        (("POST", "/departments"), Admins),
        (("POST", "/departments/<id>"), Admins),
        (("GET", "/ledger"), Editors),
        (("POST", "/ledger/preview"), Editors),
        (("POST", "/ledger/import"), Editors),
        (("GET", "/admin/users"), Admins),
        (("GET", "/admin/users/new"), Admins),
        (("POST", "/admin/users"), Admins),
        (("GET", "/admin/users/<id>"), Admins),
        (("POST", "/admin/users/<id>"), Admins),
        (("POST", "/admin/users/<id>/reset-password"), Admins),
        (("POST", "/admin/users/<id>/unlock"), Admins),
        (("GET", "/audit"), AuditReaders),
        (("GET", "/audit/export.xlsx"), AuditReaders),
        (("GET", "/api/v1/me"), SignedIn),
        (("GET", "/api/v1/contracts"), SignedIn),
        (("POST", "/api/v1/contracts"), Editors),
        (("GET", "/api/v1/contracts/<id>"), RecordReaders),
        (("PUT", "/api/v1/contracts/<id>"), ContractEditors),
        (("GET", "/api/v1/vendors"), SignedIn),
        (("POST", "/api/v1/vendors"), Editors),
        (("GET", "/api/v1/vendors/<id>"), VendorReaders),
        (("PUT", "/api/v1/vendors/<id>"), VendorEditors),
        (("GET", "/api/v1/departments"), Staff),
        (("POST", "/api/v1/departments"), Admins),
        (("GET", "/api/v1/departments/<id>"), Staff),
        (("PUT", "/api/v1/departments/<id>"), Admins),
        (("POST", "/api/v1/ledger/import"), Editors),
        (
            ("GET", "/contracts/<id>/checklist-template.xlsx"),
            RecordReaders,
        ),
        (("POST", "/contracts/<id>/checklists"), Submitters),
        (("GET", "/checklists/<id>"), RecordReaders),
        (("GET", "/checklists/<id>/file"), RecordReaders),
        (("POST", "/checklists/<id>/review"), ContractEditors),
        (("GET", "/checklists/<id>/export.xlsx"), RecordReaders),
        (("GET", "/checklists/matrix.xlsx"), Staff),
        (("GET", "/api/v1/contracts/<id>/checklists"), RecordReaders),
        (("POST", "/api/v1/contracts/<id>/checklists"), Submitters),
        (("GET", "/api/v1/checklists/<id>"), RecordReaders),
        (("POST", "/api/v1/checklists/<id>/review"), ContractEditors),
        (("POST", "/contracts/<id>/audit-reports"), Submitters),
        (
            ("POST", "/contracts/<id>/deletion-certificates"),
            Submitters,
        ),
        (("POST", "/audit-reports/<id>/review"), ContractEditors),
        (
            ("POST", "/deletion-certificates/<id>/review"),
            ContractEditors,
        ),
        (("GET", "/audit-reports/<id>/file"), RecordReaders),
        (("GET", "/deletion-certificates/<id>/file"), RecordReaders),
        (
            ("GET", "/vendors/<id>/certifications/new"),
            CertificationRecorders,
        ),
        (
            ("POST", "/vendors/<id>/certifications"),
            CertificationRecorders,
        ),
        (("GET", "/certifications/<id>/edit"), CertificationRecorders),
        (("POST", "/certifications/<id>"), CertificationRecorders),
        (("GET", "/certifications/<id>/file"), VendorReaders),
        (("POST", "/certifications/<id>/verification"), VendorEditors),
        (
            ("POST", "/api/v1/certifications/<id>/verification"),
            VendorEditors,
        ),
        (("GET", "/certifications/import"), Editors),
        (("POST", "/certifications/import"), Editors),
        (("GET", "/vendors/import"), Editors),
        (("POST", "/vendors/import"), Editors),
        (("GET", "/suspensions"), Staff),
        (("GET", "/vendors/<id>/incident-contacts"), VendorReaders),
        (
            ("POST", "/certifications/<id>/confirmation"),
            CertificationRecorders,
        ),
        (
            ("POST", "/certifications/<id>/surveillances"),
            CertificationRecorders,
        ),
        (
            ("POST", "/api/v1/certifications/<id>/surveillances"),
            CertificationRecorders,
        ),
        (
            ("POST", "/api/v1/certifications/<id>/confirmation"),
            CertificationRecorders,
        ),
        (
            ("POST", "/vendors/<id>/incident-contacts"),
            CertificationRecorders,
        ),
        (
            ("POST", "/vendors/<id>/incident-contacts/confirm"),
            CertificationRecorders,
        ),
        (("POST", "/contracts/<id>/incident-scope"), ContractEditors),
        (("GET", "/incident-contacts.xlsx"), Staff),
        (
            ("GET", "/api/v1/vendors/<id>/incident-contacts"),
            VendorReaders,
        ),
        (
            ("PUT", "/api/v1/vendors/<id>/incident-contacts"),
            CertificationRecorders,
        ),
        (
            ("POST", "/api/v1/vendors/<id>/incident-contacts/confirm"),
            CertificationRecorders,
        ),
        (
            ("GET", "/api/v1/contracts/<id>/incident-scope"),
            RecordReaders,
        ),
        (
            ("PUT", "/api/v1/contracts/<id>/incident-scope"),
            ContractEditors,
        ),
        (("POST", "/suspensions/import"), Editors),
        (("GET", "/dashboard"), Staff),
        (("GET", "/dashboard/trend"), Staff),
        (("GET", "/dashboard/deadlines"), Staff),
        (("GET", "/reports/<name>"), SignedIn),
        (("GET", "/api/v1/reports/<name>"), SignedIn),
        (
            ("GET", "/api/v1/vendors/<id>/certifications"),
            VendorReaders,
        ),
        (
            ("POST", "/api/v1/vendors/<id>/certifications"),
            CertificationRecorders,
        ),
        (
            ("PUT", "/api/v1/certifications/<id>"),
            CertificationRecorders,
        ),
        (
            ("PUT", "/api/v1/certifications/<id>/file"),
            CertificationRecorders,
        ),
        (("POST", "/api/v1/certifications/import"), Editors),
        (("POST", "/api/v1/vendors/import"), Editors),
        (("GET", "/api/v1/suspensions"), Staff),
        (("POST", "/api/v1/suspensions/import"), Editors),
        (
            ("GET", "/api/v1/contracts/<id>/audit-reports"),
            RecordReaders,
        ),
        (("POST", "/api/v1/contracts/<id>/audit-reports"), Submitters),
        (
            ("POST", "/api/v1/audit-reports/<id>/review"),
            ContractEditors,
        ),
        (
            ("GET", "/api/v1/contracts/<id>/deletion-certificates"),
            RecordReaders,
        ),
        (
            ("POST", "/api/v1/contracts/<id>/deletion-certificates"),
            Submitters,
        ),
        (
            ("POST", "/api/v1/deletion-certificates/<id>/review"),
            ContractEditors,
        ),
        (
            ("POST", "/contracts/<id>/corrective-actions"),
            ContractEditors,
        ),
        (("POST", "/corrective-actions/<id>/plan"), Submitters),
        (("POST", "/corrective-actions/<id>/report"), Submitters),
        (("POST", "/corrective-actions/<id>/review"), ContractEditors),
        (("GET", "/corrective-actions/<id>/file"), RecordReaders),
        (
            ("GET", "/api/v1/contracts/<id>/corrective-actions"),
            RecordReaders,
        ),
        (
            ("POST", "/api/v1/contracts/<id>/corrective-actions"),
            ContractEditors,
        ),
        (("POST", "/api/v1/corrective-actions/<id>/plan"), Submitters),
        (
            ("POST", "/api/v1/corrective-actions/<id>/report"),
            Submitters,
        ),
        (
            ("POST", "/api/v1/corrective-actions/<id>/review"),
            ContractEditors,
        ),
        (("POST", "/contracts/<id>/clauses"), ContractEditors),
        (("POST", "/clause-obligations/<id>/submissions"), Submitters),
        (("POST", "/clause-submissions/<id>/review"), ContractEditors),
        (("GET", "/clause-submissions/<id>/file"), RecordReaders),
        (("GET", "/api/v1/contracts/<id>/clauses"), RecordReaders),
        (("PUT", "/api/v1/contracts/<id>/clauses"), ContractEditors),
        (
            ("POST", "/api/v1/clause-obligations/<id>/submissions"),
            Submitters,
        ),
        (
            ("POST", "/api/v1/clause-submissions/<id>/review"),
            ContractEditors,
        ),
        (("GET", "/api/v1/subcontracting"), Vendors),
        (("POST", "/contracts/<id>/star-level"), ContractEditors),
        (("GET", "/api/v1/contracts/<id>/star-level"), RecordReaders),
        (
            ("PUT", "/api/v1/contracts/<id>/star-level"),
            ContractEditors,
        ),
        (("POST", "/contracts/<id>/incidents"), Submitters),
        (("POST", "/incidents/<id>/updates"), Submitters),
        (("GET", "/api/v1/contracts/<id>/incidents"), RecordReaders),
        (("POST", "/api/v1/contracts/<id>/incidents"), Submitters),
        (("POST", "/api/v1/incidents/<id>/updates"), Submitters),
        (("POST", "/contracts/<id>/subcontractors"), Submitters),
        (("POST", "/subcontractors/<id>/decision"), ContractEditors),
        (
            ("GET", "/api/v1/contracts/<id>/subcontractors"),
            RecordReaders,
        ),
        (
            ("POST", "/api/v1/contracts/<id>/subcontractors"),
            Submitters,
        ),
        (
            ("POST", "/api/v1/subcontractors/<id>/decision"),
            ContractEditors,
        ),
        (("GET", "/tenders"), Staff),
        (("GET", "/tenders/new"), Editors),
        (("POST", "/tenders"), Editors),
        (("GET", "/tenders/<id>"), TenderReaders),
        (("GET", "/tenders/<id>/edit"), ContractEditors),
        (("POST", "/tenders/<id>"), ContractEditors),
        (("POST", "/tenders/<id>/bidders"), ContractEditors),
        (("POST", "/tenders/<id>/request"), ContractEditors),
        (("POST", "/tenders/<id>/finalize"), ContractEditors),
        (("POST", "/tenders/<id>/copy"), ContractEditors),
        (("GET", "/tenders/<id>/evaluation.xlsx"), TenderReaders),
        (("POST", "/bidders/<id>/scope"), ContractEditors),
        (("POST", "/bidders/<id>/delete"), ContractEditors),
        (("GET", "/bids"), Vendors),
        (("GET", "/bids/<id>"), RecordReaders),
        (("GET", "/bids/<id>/checklist-template.xlsx"), RecordReaders),
        (("POST", "/bids/<id>/checklists"), Submitters),
        (("GET", "/bid-sheets/<id>/file"), RecordReaders),
        (("GET", "/admin/policies"), Admins),
        (("GET", "/admin/policies/<id>"), Admins),
        (("POST", "/admin/policies"), Admins),
        (("GET", "/api/v1/tenders"), Staff),
        (("POST", "/api/v1/tenders"), Editors),
        (("GET", "/api/v1/tenders/<id>"), TenderReaders),
        (("PUT", "/api/v1/tenders/<id>"), ContractEditors),
        (("POST", "/api/v1/tenders/<id>/bidders"), ContractEditors),
        (("PUT", "/api/v1/bidders/<id>/scope"), ContractEditors),
        (("GET", "/api/v1/tenders/<id>/rating"), TenderReaders),
        (("POST", "/api/v1/tenders/<id>/finalize"), ContractEditors),
        (("POST", "/api/v1/tenders/<id>/copy"), ContractEditors),
        (("GET", "/api/v1/bids"), Vendors),
        (("POST", "/api/v1/bids/<id>/checklists"), Submitters),
    ])
}

struct World {
    app: TestApp,
    browsers: BTreeMap<Who, Browser>,
    contract_id: i64,
    vendor_id: i64,
    department_id: i64,
    target_user_id: i64,
    admin_token_id: i64,
    submission_id: i64,
    certification_id: i64,
    audit_report_id: i64,
    deletion_id: i64,
    tender_id: i64,
    bidder_id: i64,
    bid_sheet_id: i64,
    request_id: i64,
    subcontractor_id: i64,
    corrective_action_id: i64,
    clause_obligation_id: i64,
    clause_submission_id: i64,
    incident_id: i64,
}

/// A finalized tender of department 1 with vendor A as its bidder and a check sheet handed in for it.
/// Finalized from the start, so no request of the table removes or changes what later ones need:
/// whoever may change it is answered 422 (finalized), whoever may not is refused before that.
async fn seed_tender(app: &TestApp, department_id: i64) -> (i64, i64, i64) {
    let (status, tender) = app
        .send_json(
            Method::Post,
            "/api/v1/tenders",
            &json!({"title": "入札", "department_id": department_id, "evaluation_date": "2026-04-01"}),
        )
        .await;
    assert_eq!(status, Status::Created, "{tender}");
    let tender_id = tender["id"].as_i64().unwrap();
    let (status, bidder) = app
        .send_json(
            Method::Post,
            &format!("/api/v1/tenders/{tender_id}/bidders"),
            &json!({"corporate_number": NTA}),
        )
        .await;
    assert_eq!(status, Status::Created, "{bidder}");
    let bidder_id = bidder["bidder_id"].as_i64().unwrap();
    let response = app
        .post_bytes(
            &format!("/api/v1/bids/{bidder_id}/checklists"),
            common::filled_check_sheet(NTA, |_| "はい"),
        )
        .await;
    assert_eq!(response.status(), Status::Created);
    let sheet: serde_json::Value =
        serde_json::from_str(&response.into_string().await.unwrap()).unwrap();
    let (status, _) = app
        .send_json(
            Method::Post,
            &format!("/api/v1/tenders/{tender_id}/finalize"),
            &json!({}),
        )
        .await;
    assert_eq!(status, Status::Ok);
    (tender_id, bidder_id, sheet["sheet_id"].as_i64().unwrap())
}

async fn world() -> World {
    let app = common::spawn().await;
    let (department_id, vendor_id) = app
        .seed_department_and_vendor("税務課", NTA, "株式会社A")
        .await;
    let (other_department, other_vendor) = app
        .seed_department_and_vendor("市民課", TOYOTA, "株式会社B")
        .await;
    let contract = |number: &str, department: i64, vendor: i64| {
        json!({"contract_number": number, "title": "業務", "department_id": department, "vendor_id": vendor,
               "start_date": "2025-04-01", "end_date": "2030-03-31"})
    };
    let (status, a) = app
        .send_json(
            Method::Post,
            "/api/v1/contracts",
            &contract("A-1", department_id, vendor_id),
        )
        .await;
    assert_eq!(status, Status::Created);
    let (status, _) = app
        .send_json(
            Method::Post,
            "/api/v1/contracts",
            &contract("B-1", other_department, other_vendor),
        )
        .await;
    assert_eq!(status, Status::Created);
    let mut browsers = BTreeMap::new();
    browsers.insert(
        Who::Officer,
        app.browser_as(
            "officer@test.itaku.example",
            Role::Officer,
            None,
            &[department_id],
        )
        .await,
    );
    browsers.insert(
        Who::OtherOfficer,
        app.browser_as(
            "other@test.itaku.example",
            Role::Officer,
            None,
            &[other_department],
        )
        .await,
    );
    browsers.insert(
        Who::Ciso,
        app.browser_as("ciso@test.itaku.example", Role::Ciso, None, &[])
            .await,
    );
    browsers.insert(
        Who::Vendor,
        app.browser_as("vendor-a@test.itaku.example", Role::Vendor, Some(NTA), &[])
            .await,
    );
    browsers.insert(
        Who::OtherVendor,
        app.browser_as(
            "vendor-b@test.itaku.example",
            Role::Vendor,
            Some(TOYOTA),
            &[],
        )
        .await,
    );
    browsers.insert(Who::Anonymous, app.anonymous().await);
    browsers.insert(
        Who::Admin,
        Browser::signed_in(&app.db, &app.settings, common::ADMIN, common::PASSWORD).await,
    );
    let target_user_id =
        common::add_user(&app.db, "target@test.itaku.example", Role::Ciso, None, &[]).await;
    let admin_id = itaku::services::accounts::find_user_id(&app.db, common::ADMIN)
        .await
        .unwrap();
    itaku::services::accounts::create_token(
        &app.db,
        &app.settings,
        &itaku::auth::Actor::system("test"),
        admin_id,
        "t",
        None,
    )
    .await
    .unwrap();
    let admin_token_id = itaku::services::accounts::tokens_of(&app.db, admin_id)
        .await
        .unwrap()[0]
        .id
        .get();
    let contract_id = a["id"].as_i64().unwrap();
    let sheet = common::filled_check_sheet(NTA, |_| "はい");
    let submission_id = app.submit_check_sheet(contract_id, sheet).await;
    let (certification_id, audit_report_id, deletion_id) =
        common::seed_evidence(&app, vendor_id, contract_id).await;
    let (tender_id, bidder_id, bid_sheet_id) = seed_tender(&app, department_id).await;
    let (status, request) = app
        .send_json(
            Method::Post,
            "/api/v1/requests",
            &json!({"title": "一斉依頼", "fiscal_year": "2026", "department_id": department_id,
                    "wants_checklist": true, "due_on": "2099-03-31"}),
        )
        .await;
    assert_eq!(status, Status::Created, "{request}");
    let request_id = request["request"]["id"].as_i64().unwrap();
    let (status, subcontractor) = app
        .send_json(
            Method::Post,
            &format!("/api/v1/contracts/{contract_id}/subcontractors"),
            &json!({"name": "株式会社ちりぬ封入", "corporate_number": TOYOTA, "work": "封入封緘",
                    "start_date": "2026-04-01"}),
        )
        .await;
    assert_eq!(status, Status::Created, "{subcontractor}");
    let subcontractor_id = subcontractor["id"].as_i64().unwrap();
    let corrective_action_id = {
        use itaku::db::corrective_actions::{insert, NewAction};
        use itaku::domain::ids::{ContractId, SubmissionId};
        let mut conn = app.db.acquire().await.unwrap();
        let day = chrono::NaiveDate::from_ymd_opt(2026, 4, 1).unwrap();
        let new = NewAction {
            contract_id: ContractId::new(contract_id),
            submission_id: SubmissionId::new(submission_id),
            item_id: "A-1",
            what: "規程の制定",
            due_on: day,
            required_on: day,
            required_by: "test",
        };
        let id = insert(&mut conn, &new).await.unwrap();
        let evidence =
            itaku::db::deletions::find(&mut conn, itaku::domain::ids::DeletionId::new(deletion_id))
                .await
                .unwrap()
                .unwrap()
                .file_id;
        itaku::db::corrective_actions::set_report(&mut conn, id, "実施しました", evidence, day)
            .await
            .unwrap();
        id.get()
    };
    let (clause_obligation_id, clause_submission_id) =
        seed_clause_submission(&app, contract_id, deletion_id).await;
    let (status, incident) = app
        .send_json(
            Method::Post,
            &format!("/api/v1/contracts/{contract_id}/incidents"),
            &json!({"aware_at": "2026-04-01T09:00:00+09:00", "summary": "誤送付"}),
        )
        .await;
    assert_eq!(status, Status::Created, "{incident}");
    let incident_id = incident["id"].as_i64().unwrap();
    World {
        app,
        browsers,
        contract_id,
        vendor_id,
        department_id,
        target_user_id,
        admin_token_id,
        submission_id,
        certification_id,
        audit_report_id,
        deletion_id,
        tender_id,
        bidder_id,
        bid_sheet_id,
        request_id,
        subcontractor_id,
        corrective_action_id,
        clause_obligation_id,
        clause_submission_id,
        incident_id,
    }
}

/// Gives the contract the access-log clause and hands in its first quarter's log, with the file of the
/// deletion certificate: one obligation and one submission waiting for review.
async fn seed_clause_submission(app: &TestApp, contract_id: i64, deletion_id: i64) -> (i64, i64) {
    let (status, set) = app
        .send_json(
            Method::Put,
            &format!("/api/v1/contracts/{contract_id}/clauses"),
            &json!({"clauses": ["access-log"]}),
        )
        .await;
    assert_eq!(status, Status::Ok, "{set}");
    let obligation = set["obligations"][0]["id"].as_i64().unwrap();
    let mut conn = app.db.acquire().await.unwrap();
    let file =
        itaku::db::deletions::find(&mut conn, itaku::domain::ids::DeletionId::new(deletion_id))
            .await
            .unwrap()
            .unwrap()
            .file_id;
    let submission = itaku::db::clauses::submit(
        &mut conn,
        itaku::domain::ids::ClauseObligationId::new(obligation),
        "",
        file,
        "test",
    )
    .await
    .unwrap();
    (obligation, submission.get())
}

impl World {
    fn concrete(&self, path: &str) -> String {
        let under = |prefix: &str| {
            path.starts_with(prefix) || path.starts_with(&format!("/api/v1{prefix}"))
        };
        let id = if under("/checklists") {
            self.submission_id
        } else if under("/certifications") {
            self.certification_id
        } else if under("/audit-reports") {
            self.audit_report_id
        } else if under("/deletion-certificates") {
            self.deletion_id
        } else if under("/tenders") {
            self.tender_id
        } else if under("/bidders") || under("/bids") {
            self.bidder_id
        } else if under("/bid-sheets") {
            self.bid_sheet_id
        } else if under("/requests") {
            self.request_id
        } else if under("/subcontractors") {
            self.subcontractor_id
        } else if under("/corrective-actions") {
            self.corrective_action_id
        } else if under("/incidents") {
            self.incident_id
        } else if under("/clause-obligations") {
            self.clause_obligation_id
        } else if under("/clause-submissions") {
            self.clause_submission_id
        } else if path.starts_with("/admin/policies") {
            1
        } else if path.starts_with("/contracts") || path.starts_with("/api/v1/contracts") {
            self.contract_id
        } else if path.starts_with("/vendors") || path.starts_with("/api/v1/vendors") {
            self.vendor_id
        } else if path.starts_with("/departments") || path.starts_with("/api/v1/departments") {
            self.department_id
        } else if path.starts_with("/admin/users") {
            self.target_user_id
        } else {
            self.admin_token_id
        };
        let report = if path.starts_with("/api/") {
            "retention"
        } else {
            "retention.xlsx"
        };
        path.replace("<id>", &id.to_string())
            .replace("<token>", "not-a-setup-token")
            .replace("<name>", report)
    }

    /// Sends one request as `who`; answers the status and where a redirect points.
    async fn request(&self, who: Who, method: &str, path: &str) -> (Status, Option<String>) {
        let browser = &self.browsers[&who];
        let uri = self.concrete(path);
        let csrf = browser.csrf.clone();
        let response = match (method, path) {
            ("GET", _) => browser.client.get(uri).dispatch().await,
            ("POST", "/ledger/preview")
            | ("POST", "/contracts/<id>/checklists")
            | ("POST", "/bids/<id>/checklists")
            | ("POST", "/admin/policies") => {
                let Reply {
                    status, location, ..
                } = browser
                    .post_file(&uri, "l.csv", "契約番号,件名\n".as_bytes())
                    .await;
                return (status, location);
            }
            ("POST", "/contracts/<id>/audit-reports")
            | ("POST", "/contracts/<id>/deletion-certificates")
            | ("POST", "/vendors/<id>/certifications")
            | ("POST", "/certifications/<id>")
            | ("POST", "/certifications/import")
            | ("POST", "/vendors/import")
            | ("POST", "/suspensions/import")
            | ("POST", "/api/v1/contracts/<id>/audit-reports")
            | ("POST", "/api/v1/contracts/<id>/deletion-certificates")
            | ("POST", "/corrective-actions/<id>/report")
            | ("POST", "/api/v1/corrective-actions/<id>/report")
            | ("POST", "/clause-obligations/<id>/submissions")
            | ("POST", "/api/v1/clause-obligations/<id>/submissions") => {
                let Reply {
                    status, location, ..
                } = browser
                    .post_multipart(&uri, &[("dry_run", "true")], Some(("x.csv", b"a,b\n")))
                    .await;
                return (status, location);
            }
            ("POST", "/api/v1/ledger/import")
            | ("POST", "/api/v1/contracts/<id>/checklists")
            | ("POST", "/api/v1/certifications/import")
            | ("POST", "/api/v1/vendors/import")
            | ("POST", "/api/v1/suspensions/import")
            | ("POST", "/api/v1/bids/<id>/checklists") => {
                browser.post_bytes(&uri, b"a,b\n".to_vec()).await
            }
            (_, p) if p.starts_with("/api/") => {
                let request = if method == "PUT" {
                    browser.client.put(uri)
                } else {
                    browser.client.post(uri)
                };
                request
                    .header(ContentType::JSON)
                    .header(Header::new("X-CSRF-Token", csrf))
                    // A review needs a decision to get past the body to the scope check.
                    .body(if p.ends_with("/review") {
                        r#"{"decision":"approve"}"#
                    } else if p.ends_with("/scope") {
                        r#"{"isms_scope_confirmed":true}"#
                    } else {
                        "{}"
                    })
                    .dispatch()
                    .await
            }
            _ => {
                let fields: &[(&str, &str)] = if path.ends_with("/review") {
                    &[("decision", "approve")]
                } else {
                    &[("token", "x")]
                };
                let Reply {
                    status, location, ..
                } = browser.post_form(&uri, fields).await;
                return (status, location);
            }
        };
        let location = response.headers().get_one("Location").map(str::to_string);
        (response.status(), location)
    }
}

fn denied(status: Status, location: &Option<String>) -> bool {
    matches!(status.code, 401 | 403 | 404)
        || (status == Status::SeeOther
            && location
                .as_deref()
                .is_some_and(|l| l.starts_with("/login?next=")))
}

#[rocket::async_test]
async fn every_route_allows_exactly_whom_the_policy_names() {
    let world = world().await;
    let table = rules();
    let mut routes: Vec<(String, String)> = world
        .app
        .client
        .rocket()
        .routes()
        .map(|r| (r.method.as_str().to_string(), r.uri.path().to_string()))
        .collect();
    routes.sort();
    routes.dedup();
    let unlisted: Vec<_> = routes
        .iter()
        .filter(|(m, p)| !table.contains_key(&(m.as_str(), p.as_str())))
        .collect();
    assert!(
        unlisted.is_empty(),
        "routes without an authorization rule: {unlisted:?}"
    );
    let stale: Vec<_> = table
        .keys()
        .filter(|(m, p)| !routes.iter().any(|(rm, rp)| rm == m && rp == p))
        .collect();
    assert!(
        stale.is_empty(),
        "rules for routes that no longer exist: {stale:?}"
    );

    // Sign-out ends the session the other requests use, so it goes last.
    routes.sort_by_key(|(_, p)| p == "/logout");
    let mut failures = Vec::new();
    for (method, path) in &routes {
        let rule = table[&(method.as_str(), path.as_str())];
        for who in EVERYONE {
            let (status, location) = world.request(who, method, path).await;
            if status.code >= 500 {
                failures.push(format!("{method} {path} as {who:?}: {status}"));
                continue;
            }
            match rule.allows(who) {
                None => {}
                Some(true) if denied(status, &location) => {
                    failures.push(format!("{method} {path} as {who:?}: refused with {status}"))
                }
                Some(false) if !denied(status, &location) => {
                    failures.push(format!("{method} {path} as {who:?}: allowed with {status}"))
                }
                _ => {}
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} authorization failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(Method::Get.as_str(), "GET");
}

#[rocket::async_test]
async fn lists_and_searches_show_a_vendor_only_its_own_records() {
    let world = world().await;
    for who in [Who::Vendor, Who::OtherVendor] {
        let browser = &world.browsers[&who];
        let (_, contracts) = browser.get_json("/api/v1/contracts?per_page=200").await;
        let (_, vendors) = browser.get_json("/api/v1/vendors").await;
        let own = if who == Who::Vendor { "A-1" } else { "B-1" };
        assert_eq!(contracts["total"], 1, "{who:?} {contracts}");
        assert_eq!(contracts["items"][0]["contract_number"], own);
        assert_eq!(vendors["total"], 1);
        let (_, html) = browser.get_html("/contracts?q=1").await;
        assert!(html.contains(own) && !html.contains(if own == "A-1" { "B-1" } else { "A-1" }));
        let (_, html) = browser
            .get_html(&format!("/vendors?q={}", common::urlencode("株式会社")))
            .await;
        let listed = html.split("<main").nth(1).unwrap_or_default();
        assert_eq!(
            listed.matches("href=\"/vendors/").count(),
            1,
            "{who:?} sees one vendor"
        );
    }
    let (_, officer) = world.browsers[&Who::OtherOfficer]
        .get_json("/api/v1/contracts")
        .await;
    assert_eq!(officer["total"], 1);
    assert_eq!(officer["items"][0]["contract_number"], "B-1");
    // An officer cannot move a contract into a department it does not work for.
    let body = json!({"contract_number": "B-2", "title": "x", "department_id": world.department_id, "vendor_id": world.vendor_id,
                      "start_date": "2025-04-01", "end_date": "2026-03-31"});
    let (status, error) = world.browsers[&Who::OtherOfficer]
        .send_json(Method::Post, "/api/v1/contracts", &body)
        .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert_eq!(error["errors"][0]["field"], "department_id");
    let _ = corporate_number(1);
}

/// Routes a signed-in session changes state through (sign-in and the setup link have their own token).
fn state_changing_routes() -> Vec<(&'static str, &'static str)> {
    rules()
        .keys()
        .filter(|(method, path)| *method != "GET" && !matches!(*path, "/login" | "/setup/<token>"))
        .copied()
        .collect()
}

async fn audit_entries(world: &World) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
        .fetch_one(&mut *world.app.db.acquire().await.unwrap())
        .await
        .unwrap()
}

#[rocket::async_test]
async fn every_state_changing_route_refuses_a_forged_or_missing_csrf_token() {
    let mut world = world().await;
    let table = rules();
    let before = audit_entries(&world).await;
    let mut failures = Vec::new();
    let mut tried = 0;
    for token in ["", "forged-0123456789abcdef"] {
        for browser in world.browsers.values_mut() {
            browser.csrf = token.to_string();
        }
        for (method, path) in state_changing_routes() {
            // Someone the policy lets through, so a refusal can only be the token's.
            let Some(who) = [Who::Admin, Who::Vendor, Who::OtherVendor]
                .into_iter()
                .find(|who| table[&(method, path)].allows(*who) == Some(true))
            else {
                continue;
            };
            let (status, _) = world.request(who, method, path).await;
            tried += 1;
            if status != Status::Forbidden {
                failures.push(format!(
                    "{method} {path} as {who:?} with token {token:?}: {status}"
                ));
            }
        }
    }
    assert!(tried > 60, "only {tried} requests");
    assert!(
        failures.is_empty(),
        "accepted without a valid CSRF token:\n{}",
        failures.join("\n")
    );
    assert_eq!(
        audit_entries(&world).await,
        before,
        "nothing was changed or recorded"
    );
}

const SCRIPT: &str = "<script>alert('itaku')</script><img src=x onerror=alert(1)>";

fn shows_script_raw(html: &str) -> bool {
    html.contains("<script>alert(") || html.contains("<img src=x")
}

#[rocket::async_test]
async fn script_typed_into_every_text_field_is_shown_as_text() {
    let world = world().await;
    let app = &world.app;
    // Every free-text field of vendor A's records, its department, a certification and a review.
    let contract_id = world.contract_id;
    let changes = [
        (
            format!("/api/v1/vendors/{}", world.vendor_id),
            json!({"corporate_number": NTA, "name": SCRIPT, "name_kana": SCRIPT, "address": SCRIPT,
                   "contact_person": SCRIPT, "phone": "03-1234-5678", "email": "a@vendor.example"}),
        ),
        (
            format!("/api/v1/contracts/{contract_id}"),
            json!({"contract_number": "A-1", "title": SCRIPT, "department_id": world.department_id,
                   "vendor_id": world.vendor_id, "start_date": "2025-04-01", "end_date": "2030-03-31",
                   "notes": SCRIPT}),
        ),
        (
            format!("/api/v1/departments/{}", world.department_id),
            json!({"name": SCRIPT}),
        ),
    ];
    for (uri, body) in &changes {
        let (status, answer) = app.send_json(Method::Put, uri, body).await;
        assert_eq!(status, Status::Ok, "{uri}: {answer}");
    }
    let (status, answer) = app
        .send_json(
            Method::Post,
            &format!("/api/v1/vendors/{}/certifications", world.vendor_id),
            &json!({"scheme": "pmark", "number": "10820001(01)", "issued_on": "2025-04-01",
                    "valid_until": "2027-03-31", "scope": SCRIPT, "notes": SCRIPT}),
        )
        .await;
    assert_eq!(status, Status::Created, "{answer}");
    let (status, answer) = app
        .send_json(
            Method::Post,
            &format!("/api/v1/checklists/{}/review", world.submission_id),
            &json!({"decision": "return", "comment": SCRIPT, "items": {"A-1": SCRIPT}}),
        )
        .await;
    assert_eq!(status, Status::Ok, "{answer}");
    let (status, answer) = app
        .send_json(
            Method::Post,
            "/api/v1/vendors",
            &json!({"corporate_number": corporate_number(77), "name": SCRIPT}),
        )
        .await;
    assert_eq!(status, Status::Created, "{answer}");

    let encoded = rocket::http::RawStr::new(SCRIPT)
        .percent_encode()
        .to_string();
    let mut pages: Vec<String> = rules()
        .keys()
        .filter(|(method, path)| {
            *method == "GET"
                && !path.starts_with("/api/")
                && !path.contains(".xlsx")
                && !path.ends_with("/file")
        })
        .map(|(_, path)| world.concrete(path))
        .collect();
    // Reflected: what a link can put into a page.
    for list in ["/contracts", "/vendors", "/tenders", "/audit", "/bids"] {
        pages.push(format!(
            "{list}?q={encoded}&status={encoded}&page={encoded}"
        ));
    }
    pages.push(format!("/login?next={encoded}"));
    pages.push(format!("/reports/{encoded}"));
    pages.push(format!("/contracts/{encoded}"));
    let mut escaped_on = 0;
    let mut raw = Vec::new();
    for who in [
        Who::Admin,
        Who::Officer,
        Who::Ciso,
        Who::Vendor,
        Who::Anonymous,
    ] {
        for page in &pages {
            let response = world.browsers[&who]
                .client
                .get(page.as_str())
                .dispatch()
                .await;
            let status = response.status();
            let html = response.into_string().await.unwrap_or_default();
            assert!(status.code < 500, "{page} as {who:?}: {status}");
            if shows_script_raw(&html) {
                raw.push(format!("{page} as {who:?}"));
            }
            if html.contains("&#60;script&#62;alert(") || html.contains("&lt;script&gt;alert(") {
                escaped_on += 1;
            }
        }
    }
    assert!(raw.is_empty(), "script shown unescaped on: {raw:?}");
    assert!(
        escaped_on >= 12,
        "the typed script was shown (escaped) on only {escaped_on} pages"
    );
    eprintln!(
        "{} pages × 5 users: the script shown escaped {escaped_on} times, never raw",
        pages.len()
    );
}

impl World {
    /// Posts `bytes` as the file of an upload route, the way its form or API takes files.
    async fn upload(&self, who: Who, path: &str, bytes: &[u8]) -> (Status, String) {
        let browser = &self.browsers[&who];
        let uri = self.concrete(path);
        if path.starts_with("/api/")
            && !path.contains("audit-reports")
            && !path.contains("deletion-certificates")
            && !path.contains("corrective-actions")
            && !path.contains("clause-obligations")
        {
            let request = if path.ends_with("/file") {
                browser.client.put(uri)
            } else {
                browser.client.post(uri)
            };
            let response = request
                .header(Header::new("X-CSRF-Token", browser.csrf.clone()))
                .body(bytes)
                .dispatch()
                .await;
            let status = response.status();
            return (status, response.into_string().await.unwrap_or_default());
        }
        let fields: &[(&str, &str)] = if path.contains("audit-reports") {
            &[
                ("report.fiscal_year", "2025"),
                ("report.kind", "external"),
                ("report.auditor", "監査法人"),
            ]
        } else if path.contains("deletion-certificates") {
            &[
                ("deletion.deleted_on", "2025-04-01"),
                ("deletion.method", "上書き消去"),
            ]
        } else if path.contains("corrective-actions") {
            &[("report.text", "規程を制定しました")]
        } else if path.contains("clause-obligations") {
            &[("submission.note", "第1四半期分")]
        } else if path.contains("certifications") && !path.ends_with("/import") {
            &[
                ("scheme", "isms"),
                ("number", "IS 123"),
                ("issued_on", "2025-04-01"),
                ("valid_until", "2028-03-31"),
            ]
        } else {
            &[]
        };
        let Reply { status, body, .. } = browser
            .post_multipart(&uri, fields, Some(("upload.xlsx", bytes)))
            .await;
        (status, body)
    }
}

const UPLOAD_ROUTES: [&str; 24] = [
    "/corrective-actions/<id>/report",
    "/clause-obligations/<id>/submissions",
    "/api/v1/clause-obligations/<id>/submissions",
    "/api/v1/corrective-actions/<id>/report",
    "/ledger/preview",
    "/contracts/<id>/checklists",
    "/bids/<id>/checklists",
    "/admin/policies",
    "/contracts/<id>/audit-reports",
    "/contracts/<id>/deletion-certificates",
    "/vendors/<id>/certifications",
    "/certifications/<id>",
    "/certifications/import",
    "/vendors/import",
    "/suspensions/import",
    "/api/v1/contracts/<id>/audit-reports",
    "/api/v1/contracts/<id>/deletion-certificates",
    "/api/v1/ledger/import",
    "/api/v1/contracts/<id>/checklists",
    "/api/v1/certifications/import",
    "/api/v1/vendors/import",
    "/api/v1/suspensions/import",
    "/api/v1/bids/<id>/checklists",
    "/api/v1/certifications/<id>/file",
];

#[rocket::async_test]
async fn oversized_and_malformed_uploads_are_refused_with_a_message_on_every_upload_route() {
    let world = world().await;
    let limit = world.app.settings.upload_limit_bytes;
    let oversized = vec![b'A'; limit + 1];
    let malformed: [(&str, Vec<u8>); 4] = [
        (
            "a cut-off ZIP",
            b"PK\x03\x04\x14\x00\x00\x00\x08\x00garbage".to_vec(),
        ),
        (
            "an OLE header and nothing else",
            b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".to_vec(),
        ),
        (
            "binary noise",
            (0..4096u32)
                .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
                .collect(),
        ),
        ("empty", Vec::new()),
    ];
    let mut failures = Vec::new();
    for path in UPLOAD_ROUTES {
        let who = if path.contains("/bids/") {
            Who::Vendor
        } else {
            Who::Admin
        };
        let (status, body) = world.upload(who, path, &oversized).await;
        if status != Status::PayloadTooLarge || !body.contains("大きすぎます") {
            failures.push(format!(
                "{path}: oversized answered {status}: {}",
                &body.chars().take(200).collect::<String>()
            ));
        }
        for (what, bytes) in &malformed {
            let (status, body) = world.upload(who, path, bytes).await;
            let japanese = body.chars().any(|c| ('\u{3040}'..='\u{30ff}').contains(&c));
            if status != Status::UnprocessableEntity || !japanese {
                failures.push(format!(
                    "{path}: {what} answered {status}: {}",
                    &body.chars().take(200).collect::<String>()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
