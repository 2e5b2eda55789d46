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
