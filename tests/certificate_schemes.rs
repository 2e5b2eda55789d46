//! Certificates as the schemes really work: a プライバシーマーク renewal matched to its predecessor by
//! body code and number, typed with or without the (mm) renewal count.

mod common;
use common::{Method, NTA};
use rocket::http::Status;
use serde_json::{json, Value};

async fn import(w: &common::VendorContract, number: &str, until: &str) -> Value {
    let list = format!(
        "法人番号,事業者名,種別,番号,有効期限\n{NTA},株式会社いろは印刷,プライバシーマーク,{number},{until}\n"
    );
    let response = w
        .app
        .post_bytes("/api/v1/certifications/import", list.into_bytes())
        .await;
    assert_eq!(response.status(), Status::Ok);
    serde_json::from_str(&response.into_string().await.unwrap()).unwrap()
}

async fn pmarks(w: &common::VendorContract) -> Vec<(String, String)> {
    let (_, certs) = w
        .app
        .get_json(&format!("/api/v1/vendors/{}/certifications", w.vendor_id))
        .await;
    certs["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["scheme"] == "pmark")
        .map(|c| {
            (
                c["number"].as_str().unwrap().to_string(),
                c["valid_until"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[rocket::async_test]
async fn a_pmark_renewal_supersedes_its_predecessor_with_or_without_the_suffix() {
    let w = common::vendor_contract("R8-901").await;
    assert_eq!(
        import(&w, "10820163(05)", "2026-03-31").await["imported"],
        1
    );
    let renewed = import(&w, "第10820163(06)号", "2028-03-31").await;
    assert_eq!(
        (renewed["imported"].as_i64(), renewed["updated"].as_i64()),
        (Some(0), Some(1)),
        "{renewed}"
    );
    assert_eq!(
        pmarks(&w).await,
        [("10820163(06)".to_string(), "2028-03-31".to_string())]
    );

    let bare = import(&w, "10820163", "2028-03-31").await;
    assert_eq!(
        bare["unchanged"], 1,
        "the same period without the suffix is the same certificate: {bare}"
    );
    let older = import(&w, "10820163(05)", "2026-03-31").await;
    assert_eq!(
        older["unchanged"], 1,
        "an older renewal never replaces the newer: {older}"
    );
    assert_eq!(
        pmarks(&w).await,
        [("10820163(06)".to_string(), "2028-03-31".to_string())]
    );

    let later = import(&w, "10820163", "2030-03-31").await;
    assert_eq!(later["updated"], 1, "{later}");
    assert_eq!(
        pmarks(&w).await,
        [("10820163".to_string(), "2030-03-31".to_string())]
    );

    // The vendor typing its next renewal as a new certificate renews the one on file.
    let uri = format!("/api/v1/vendors/{}/certifications", w.vendor_id);
    let (status, body) = w
        .vendor
        .send_json(
            Method::Post,
            &uri,
            &json!({"scheme": "pmark", "number": "10820163(08)", "valid_until": "2032-03-31"}),
        )
        .await;
    assert!(status.code < 300, "{status} {body}");
    assert_eq!(
        pmarks(&w).await,
        [("10820163(08)".to_string(), "2032-03-31".to_string())]
    );
    let (status, refused) = w
        .vendor
        .send_json(
            Method::Post,
            &uri,
            &json!({"scheme": "pmark", "number": "10820163(07)", "valid_until": "2030-03-31"}),
        )
        .await;
    assert_eq!(status, Status::UnprocessableEntity, "{refused}");
    assert!(refused.to_string().contains("より新しい更新"), "{refused}");
    let (status, _) = w
        .vendor
        .send_json(
            Method::Post,
            &uri,
            &json!({"scheme": "pmark", "number": "17001234(01)", "valid_until": "2030-03-31"}),
        )
        .await;
    assert_eq!(
        status,
        Status::Created,
        "another registration is another certificate"
    );
    assert_eq!(pmarks(&w).await.len(), 2);
}

async fn unconfirmed(w: &common::VendorContract, as_of: &str) -> Vec<String> {
    let (status, all) = w
        .app
        .get_json(&format!("/api/v1/reports/all?as_of={as_of}"))
        .await;
    assert_eq!(status, Status::Ok, "{all}");
    all["certifications"]["unconfirmed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["what"].as_str().unwrap().to_string())
        .collect()
}

#[rocket::async_test]
async fn a_security_action_declaration_is_confirmed_once_a_fiscal_year() {
    let w = common::vendor_contract("R8-902").await;
    let (status, declared) = w
        .vendor
        .send_json(
            Method::Post,
            &format!("/api/v1/vendors/{}/certifications", w.vendor_id),
            &json!({"scheme": "security_action", "level": "★★", "number": "123-4567-8901",
                    "issued_on": "2025-06-01"}),
        )
        .await;
    assert_eq!(status, Status::Created, "{declared}");
    let id = declared["id"].as_i64().unwrap();
    // Due 30 days into the fiscal year: listed from the day after.
    assert!(unconfirmed(&w, "2026-05-01").await.is_empty());
    assert_eq!(
        unconfirmed(&w, "2026-05-02").await,
        ["SECURITY ACTION 自己宣言の年次確認（令和8年度、12345678901）"]
    );
    let (_, portal) = w.vendor.get_html("/").await;
    assert!(portal.contains("自己宣言を確認する"), "{portal}");

    let uri = format!("/api/v1/certifications/{id}/confirmation");
    w.app.seed_vendor(common::TOYOTA, "他社株式会社").await;
    let other = w
        .app
        .browser_as(
            "other@example.jp",
            common::Role::Vendor,
            Some(common::TOYOTA),
            &[],
        )
        .await;
    let (status, _) = other.send_json(Method::Post, &uri, &json!({})).await;
    assert!(
        matches!(status, Status::NotFound | Status::Forbidden),
        "{status}"
    );

    let (status, confirmed) = w.vendor.send_json(Method::Post, &uri, &json!({})).await;
    assert_eq!(status, Status::Ok, "{confirmed}");
    assert_eq!(
        confirmed["confirmation"]["confirmed_this_year"], true,
        "{confirmed}"
    );
    assert!(unconfirmed(&w, "").await.is_empty(), "confirmed this year");
    assert_eq!(
        unconfirmed(&w, "2026-05-02").await.len(),
        1,
        "a confirmation counts from its day on"
    );
    let (_, portal) = w.vendor.get_html("/").await;
    assert!(!portal.contains("自己宣言を確認する"), "{portal}");

    let (status, isms) = w
        .vendor
        .send_json(
            Method::Post,
            &format!("/api/v1/vendors/{}/certifications", w.vendor_id),
            &json!({"scheme": "isms", "number": "JQA-IM0685", "issued_on": "2025-04-01", "valid_until": "2028-03-31"}),
        )
        .await;
    assert_eq!(status, Status::Created, "{isms}");
    let (status, _) = w
        .vendor
        .send_json(
            Method::Post,
            &format!("/api/v1/certifications/{}/confirmation", isms["id"]),
            &json!({}),
        )
        .await;
    assert_eq!(
        status,
        Status::UnprocessableEntity,
        "only declarations are confirmed yearly"
    );
}

async fn isms(w: &common::VendorContract) -> Value {
    let (_, certs) = w
        .app
        .get_json(&format!("/api/v1/vendors/{}/certifications", w.vendor_id))
        .await;
    certs["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["scheme"] == "isms")
        .unwrap()
        .clone()
}

#[rocket::async_test]
async fn isms_against_the_2013_edition_expired_with_the_transition_and_surveillance_is_yearly() {
    let w = common::vendor_contract("R8-903").await;
    let list = |standard: &str, until: &str| {
        format!(
            "法人番号,事業者名,種別,番号,規格,取得日,有効期限\n{NTA},株式会社いろは印刷,ISMS,JQA-IM0685,{standard},2025-04-01,{until}\n"
        )
        .into_bytes()
    };
    let response = w
        .app
        .post_bytes(
            "/api/v1/certifications/import",
            list("ISO/IEC 27001:2013", "2027-03-31"),
        )
        .await;
    assert_eq!(response.status(), Status::Ok);
    let old = isms(&w).await;
    assert_eq!(old["valid_until"], "2025-10-31", "{old}");
    assert_eq!(old["printed_valid_until"], "2027-03-31");
    assert_eq!(old["status"], "expired", "{old}");
    let (_, all) = w.app.get_json("/api/v1/reports/certifications").await;
    let expired = all["expired"].as_array().unwrap();
    assert_eq!(expired.len(), 1, "{all}");
    assert_eq!(expired[0]["contract_number"], "R8-903");

    let response = w
        .app
        .post_bytes(
            "/api/v1/certifications/import",
            list("JIS Q 27001:2023", "2028-03-31"),
        )
        .await;
    assert_eq!(response.status(), Status::Ok);
    let current = isms(&w).await;
    assert_eq!(
        (current["valid_until"].as_str(), current["status"].as_str()),
        (Some("2028-03-31"), Some("valid")),
        "{current}"
    );
    assert!(current["printed_valid_until"].is_null());
    // Issued 2025-04-01 with no surveillance recorded since: over a year old.
    assert_eq!(current["surveillance"]["needs_check"], true, "{current}");

    let id = current["id"].as_i64().unwrap();
    let uri = format!("/api/v1/certifications/{id}/surveillances");
    let (status, refused) = w
        .vendor
        .send_json(
            Method::Post,
            &uri,
            &json!({"audited_on": "2099-01-01", "result": "適合"}),
        )
        .await;
    assert_eq!(status, Status::UnprocessableEntity, "{refused}");
    assert_eq!(common::error_fields(&refused), ["audited_on"]);
    let (status, recorded) = w
        .vendor
        .send_json(
            Method::Post,
            &uri,
            &json!({"audited_on": "令和8年6月1日", "result": "minor", "note": "軽微1件"}),
        )
        .await;
    assert_eq!(status, Status::Created, "{recorded}");
    assert_eq!(recorded["surveillance"]["needs_check"], false, "{recorded}");
    assert_eq!(recorded["surveillance"]["last_audited_on"], "2026-06-01");
    let (_, page) = w
        .vendor
        .get_html(&format!("/vendors/{}", w.vendor_id))
        .await;
    assert!(
        page.contains("維持審査 令和8年6月1日 軽微な不適合あり"),
        "{page}"
    );

    w.app.seed_vendor(common::TOYOTA, "他社株式会社").await;
    let other = w
        .app
        .browser_as(
            "other@example.jp",
            common::Role::Vendor,
            Some(common::TOYOTA),
            &[],
        )
        .await;
    let (status, _) = other
        .send_json(
            Method::Post,
            &uri,
            &json!({"audited_on": "2026-06-01", "result": "conforming"}),
        )
        .await;
    assert!(
        matches!(status, Status::NotFound | Status::Forbidden),
        "{status}"
    );
    let reply = w
        .vendor
        .post_form(
            &format!("/certifications/{id}/surveillances"),
            &[
                ("audited_on", "いつか"),
                ("result", "conforming"),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(reply.status, Status::UnprocessableEntity);
    assert!(
        reply.body.contains("role=\"alert\""),
        "the refusal is shown by the certificate"
    );
}
