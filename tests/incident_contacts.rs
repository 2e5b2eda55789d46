//! インシデント連絡先: the vendor registers and confirms its contacts, the CISO sees important contracts
//! whose vendor has none, none around the clock or no confirmation this fiscal year, and the CSIRT
//! downloads every running contract's contacts.

mod common;
use calamine::{Data, Reader};
use common::{Method, Role, TOYOTA};
use rocket::http::Status;
use serde_json::json;
use std::io::Cursor;

async fn important_contract(w: &common::VendorContract) -> i64 {
    let (status, created) = w
        .app
        .send_json(
            Method::Post,
            "/api/v1/contracts",
            &json!({"contract_number": "R8-801", "title": "住民情報システム運用", "department_id": w.department_id,
                    "vendor_id": w.vendor_id, "start_date": "2026-04-01", "end_date": "2028-03-31",
                    "importance": "important"}),
        )
        .await;
    assert_eq!(status, Status::Created, "{created}");
    created["id"].as_i64().unwrap()
}

async fn missing(w: &common::VendorContract, as_of: &str) -> Vec<String> {
    let (status, all) = w
        .app
        .get_json(&format!("/api/v1/reports/all?as_of={as_of}"))
        .await;
    assert_eq!(status, Status::Ok, "{all}");
    all["contacts"]["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{} {}",
                e["contract_number"].as_str().unwrap(),
                e["what"].as_str().unwrap()
            )
        })
        .collect()
}

#[rocket::async_test]
async fn the_ciso_sees_important_contracts_whose_contacts_are_missing_or_unconfirmed() {
    let w = common::vendor_contract("R8-800").await;
    important_contract(&w).await;
    let uri = format!("/api/v1/vendors/{}/incident-contacts", w.vendor_id);
    let today = ""; // the server's today, in Japan
    assert_eq!(
        missing(&w, today).await,
        ["R8-801 インシデント連絡先が未登録"],
        "only the important contract is listed"
    );

    let day_shift = json!({"name": "山田 太郎", "role": "情報セキュリティ責任者", "phone": "03-1234-5678",
                           "email": "yamada@iroha.example.jp", "hours": "平日 9:00〜18:00"});
    let (status, refused) = w
        .vendor
        .send_json(
            Method::Put,
            &uri,
            &json!({"contacts": [day_shift, {"name": "夜間当番", "phone": "でんわ", "email": "x"}]}),
        )
        .await;
    assert_eq!(status, Status::UnprocessableEntity, "{refused}");
    let fields: Vec<&str> = common::error_fields(&refused);
    assert_eq!(
        fields,
        ["contacts[1].phone", "contacts[1].email"],
        "{refused}"
    );
    let (_, unchanged) = w.vendor.get_json(&uri).await;
    assert!(
        unchanged["contacts"].as_array().unwrap().is_empty(),
        "nothing of a refused list is kept"
    );

    let (status, saved) = w
        .vendor
        .send_json(Method::Put, &uri, &json!({"contacts": [day_shift]}))
        .await;
    assert_eq!(status, Status::Ok, "{saved}");
    assert_eq!(saved["confirmed_this_year"], true);
    assert_eq!(
        missing(&w, today).await,
        ["R8-801 24時間連絡できるインシデント連絡先がない"]
    );

    let night = json!({"name": "夜間当番", "phone": "0120-000-111", "email": "soc@iroha.example.jp",
                       "hours": "24時間", "around_the_clock": true});
    let (status, saved) = w
        .vendor
        .send_json(Method::Put, &uri, &json!({"contacts": [day_shift, night]}))
        .await;
    assert_eq!(status, Status::Ok, "{saved}");
    assert_eq!(saved["around_the_clock"], true);
    assert!(missing(&w, today).await.is_empty());
    // Next fiscal year the confirmation is owed again, 30 days in.
    assert!(missing(&w, "2027-05-01").await.is_empty());
    assert_eq!(
        missing(&w, "2027-05-02").await,
        ["R8-801 インシデント連絡先の年次確認（令和9年度）"]
    );

    w.app.seed_vendor(TOYOTA, "他社株式会社").await;
    let other = w
        .app
        .browser_as("other@example.jp", Role::Vendor, Some(TOYOTA), &[])
        .await;
    let (status, _) = other.get_json(&uri).await;
    assert_eq!(
        status,
        Status::NotFound,
        "another vendor's contacts are not seen"
    );
    let (status, _) = other
        .send_json(Method::Put, &uri, &json!({"contacts": [night]}))
        .await;
    assert!(
        matches!(status, Status::NotFound | Status::Forbidden),
        "{status}"
    );
    let (status, _) = other
        .send_json(Method::Post, &format!("{uri}/confirm"), &json!({}))
        .await;
    assert!(
        matches!(status, Status::NotFound | Status::Forbidden),
        "{status}"
    );
    let (_, still) = w.app.get_json(&uri).await;
    assert_eq!(still["contacts"].as_array().unwrap().len(), 2);
}

#[rocket::async_test]
async fn the_vendor_confirms_from_its_portal_and_the_csirt_downloads_the_binder() {
    let w = common::vendor_contract("R8-810").await;
    let contract = important_contract(&w).await;
    let page = format!("/vendors/{}/incident-contacts", w.vendor_id);
    let (_, portal) = w.vendor.get_html("/").await;
    assert!(
        portal.contains("インシデント連絡先") && portal.contains("未登録"),
        "{portal}"
    );

    let reply = w
        .vendor
        .post_form(
            &format!("/vendors/{}/incident-contacts/confirm", w.vendor_id),
            &[],
        )
        .await;
    assert_eq!(
        reply.status,
        Status::UnprocessableEntity,
        "nothing to confirm yet"
    );

    let reply = w
        .vendor
        .post_form(
            &page,
            &[
                ("name", "山田 太郎"),
                ("role", ""),
                ("phone", "03-1234-5678"),
                ("email", "yamada@iroha.example.jp"),
                ("hours", ""),
                ("name", ""),
                ("role", ""),
                ("phone", ""),
                ("email", ""),
                ("hours", ""),
                ("name", "夜間当番"),
                ("role", "SOC"),
                ("phone", "0120-000-111"),
                ("email", "soc@iroha.example.jp"),
                ("hours", "24時間"),
                ("around_the_clock", "2"),
            ],
        )
        .await;
    assert_eq!(reply.status, Status::SeeOther, "{}", reply.body);
    let (_, shown) = w.vendor.get_html(&page).await;
    assert!(
        shown.contains("確認済み") && shown.contains("0120-000-111"),
        "{shown}"
    );
    let (_, saved) = w.app.get_json(&format!("/api/v1{page}")).await;
    let night = &saved["contacts"][1];
    assert_eq!(
        (night["name"].as_str(), night["around_the_clock"].as_bool()),
        (Some("夜間当番"), Some(true)),
        "{saved}"
    );

    let reply = w
        .vendor
        .post_form(
            &format!("/vendors/{}/incident-contacts/confirm", w.vendor_id),
            &[],
        )
        .await;
    assert_eq!(reply.status, Status::SeeOther);

    let scope_uri = format!("/api/v1/contracts/{contract}/incident-scope");
    let (status, _) = w
        .vendor
        .send_json(Method::Put, &scope_uri, &json!({"scope": "何でもします"}))
        .await;
    assert_eq!(
        status,
        Status::Forbidden,
        "the officer records the agreed scope"
    );
    let (status, scope) = w
        .app
        .send_json(
            Method::Put,
            &scope_uri,
            &json!({"scope": "初動対応（24時間以内の隔離）、ログの保全と提出、原因調査報告"}),
        )
        .await;
    assert_eq!(status, Status::Ok, "{scope}");
    let (_, seen) = w.vendor.get_json(&scope_uri).await;
    assert!(seen["scope"].as_str().unwrap().contains("ログの保全"));
    let (_, contract_page) = w.vendor.get_html(&format!("/contracts/{contract}")).await;
    assert!(
        contract_page.contains("ログの保全と提出") && contract_page.contains("tel:0120-000-111"),
        "{contract_page}"
    );

    let response = w.app.client.get("/incident-contacts.xlsx").dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    let bytes = response.into_bytes().await.unwrap();
    let mut workbook = calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).unwrap();
    let sheet = workbook.worksheet_range("インシデント連絡先").unwrap();
    let rows: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect();
    let night_line = rows
        .iter()
        .find(|r| r.contains(&"0120-000-111".to_string()))
        .unwrap();
    assert_eq!(night_line[0], "R8-801");
    assert_eq!(night_line[11], "可");
    assert!(night_line[13].contains("ログの保全"));
    assert!(
        rows.iter()
            .any(|r| r.first().map(String::as_str) == Some("R8-810")),
        "every running contract is listed"
    );
    let (_, audit) = w.app.get_html("/audit?entity_type=incident_contacts").await;
    assert!(
        audit.contains("インシデント連絡先一覧を出力") && audit.contains("年次確認"),
        "{audit}"
    );
    let (status, _) = w.vendor.get_html("/incident-contacts.xlsx").await;
    assert_eq!(status, Status::Forbidden);
}
