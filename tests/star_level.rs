//! The ★ level a contract requires from METI's three conditions, against its vendor's verified METI
//! certificate: recorded by the officer, shown on the contract page and through the API.

mod common;
use common::{Method, Role, TOYOTA};
use rocket::http::Status;
use serde_json::json;

#[rocket::async_test]
async fn the_conditions_decide_the_level_and_the_vendors_certificate_meets_it_or_not() {
    let w = common::vendor_contract("R8-601").await;
    let uri = format!("/api/v1/contracts/{}/star-level", w.contract_id);
    let (status, none) = w.app.get_json(&uri).await;
    assert_eq!(status, Status::Ok);
    assert!(none["required"].is_null(), "{none}");

    let (status, star4) = w
        .app
        .send_json(Method::Put, &uri, &json!({"sensitive_data": true}))
        .await;
    assert_eq!(status, Status::Ok, "{star4}");
    assert_eq!(star4["required"], "★4");
    assert!(star4["held"].is_null());
    assert_eq!(star4["shortfall"], true);

    let (status, cert) = w
        .vendor
        .send_json(
            Method::Post,
            &format!("/api/v1/vendors/{}/certifications", w.vendor_id),
            &json!({"scheme": "meti", "level": "3", "number": "SC-0001", "issued_on": "2026-04-01",
                    "valid_until": "2029-03-31"}),
        )
        .await;
    assert_eq!(status, Status::Created, "{cert}");
    let (_, declared) = w.app.get_json(&uri).await;
    assert!(
        declared["held"].is_null(),
        "a certificate the vendor declared counts once staff verify it: {declared}"
    );
    let (status, body) = w
        .app
        .send_json(
            Method::Post,
            &format!("/api/v1/certifications/{}/verification", cert["id"]),
            &json!({"decision": "verify", "note": "登録簿で確認"}),
        )
        .await;
    assert_eq!(status, Status::Ok, "{body}");
    let (_, short) = w.app.get_json(&uri).await;
    assert_eq!(
        (short["required"].as_str(), short["held"].as_str()),
        (Some("★4"), Some("★3"))
    );
    assert_eq!(short["shortfall"], true);
    let (_, page) = w
        .vendor
        .get_html(&format!("/contracts/{}", w.contract_id))
        .await;
    assert!(page.contains("要求★4・現状★3"), "{page}");
    let (_, all) = w.app.get_json("/api/v1/reports/all").await;
    let short_list = all["star"]["shortfall"].as_array().unwrap();
    assert_eq!(short_list.len(), 1, "{all}");
    assert_eq!(short_list[0]["contract_number"], "R8-601");
    assert_eq!(short_list[0]["what"], "★レベル不足（要求★4）");
    let (_, dashboard) = w.app.get_html("/dashboard").await;
    assert!(dashboard.contains("★レベル不足（1件）"), "{dashboard}");

    let (_, star3) = w
        .app
        .send_json(Method::Put, &uri, &json!({"sensitive_data": false}))
        .await;
    assert_eq!(
        (star3["required"].as_str(), star3["shortfall"].as_bool()),
        (Some("★3"), Some(false))
    );
    let (_, all) = w.app.get_json("/api/v1/reports/all").await;
    assert!(
        all["star"]["shortfall"].as_array().unwrap().is_empty(),
        "{all}"
    );

    let (status, _) = w
        .vendor
        .send_json(Method::Put, &uri, &json!({"sensitive_data": true}))
        .await;
    assert_eq!(
        status,
        Status::Forbidden,
        "the officer records the conditions"
    );
    w.app.seed_vendor(TOYOTA, "他社株式会社").await;
    let other = w
        .app
        .browser_as("other@example.jp", Role::Vendor, Some(TOYOTA), &[])
        .await;
    let (status, _) = other.get_json(&uri).await;
    assert_eq!(status, Status::NotFound);
}
