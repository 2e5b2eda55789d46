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

#[rocket::async_test]
async fn the_conditions_come_with_the_contract_from_the_api_the_form_and_the_ledger() {
    let w = common::vendor_contract("R8-610").await;
    let (status, created) = w
        .app
        .send_json(
            Method::Post,
            "/api/v1/contracts",
            &json!({"contract_number": "R8-611", "title": "基幹系システム運用", "department_id": w.department_id,
                    "vendor_id": w.vendor_id, "start_date": "2026-04-01", "end_date": "2027-03-31",
                    "star_conditions": {"reaches_internal": true}}),
        )
        .await;
    assert_eq!(status, Status::Created, "{created}");
    let (_, standing) = w
        .app
        .get_json(&format!("/api/v1/contracts/{}/star-level", created["id"]))
        .await;
    assert_eq!(standing["required"], "★4", "{standing}");
    assert_eq!(standing["conditions"]["reaches_internal"], true);

    // The form: the conditions are recorded only when 「判定する」 is ticked.
    let form = |number: &'static str, judged: bool| {
        let mut pairs = vec![
            ("contract_number", number),
            ("title", "窓口業務"),
            ("start_date", "令和8年4月1日"),
            ("end_date", "令和9年3月31日"),
            ("importance", "ordinary"),
            ("outage_critical", "on"),
        ];
        if judged {
            pairs.push(("star_given", "on"));
        }
        pairs
    };
    let department = w.department_id.to_string();
    let vendor = w.vendor_id.to_string();
    for (number, judged) in [("R8-612", true), ("R8-613", false)] {
        let mut pairs = form(number, judged);
        pairs.push(("department_id", &department));
        pairs.push(("vendor_id", &vendor));
        let reply = w.app.post_form("/contracts", &pairs).await;
        assert_eq!(reply.status, Status::SeeOther, "{}", reply.body);
    }
    let (_, all) = w.app.get_json("/api/v1/contracts?per_page=50").await;
    let id_of = |number: &str| {
        all["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["contract_number"] == number)
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    let (_, judged) = w
        .app
        .get_json(&format!("/api/v1/contracts/{}/star-level", id_of("R8-612")))
        .await;
    assert_eq!(judged["required"], "★4", "{judged}");
    let (_, unjudged) = w
        .app
        .get_json(&format!("/api/v1/contracts/{}/star-level", id_of("R8-613")))
        .await;
    assert!(unjudged["required"].is_null(), "{unjudged}");
    let (_, edit) = w
        .app
        .get_html(&format!("/contracts/{}/edit", id_of("R8-612")))
        .await;
    assert!(edit.contains(r#"name="outage_critical" checked"#), "{edit}");

    let ledger = format!(
        "契約番号,件名,所管課,事業者名,法人番号,契約開始日,契約終了日,機微情報の取扱い,停止時の影響,内部システムへの接続\n\
         R8-620,台帳の契約,税務課,株式会社いろは印刷,{},R8.4.1,R9.3.31,無,無,無\n\
         R8-621,台帳の契約2,税務課,株式会社いろは印刷,{},R8.4.1,R9.3.31,有,,\n\
         R8-622,台帳の契約3,税務課,株式会社いろは印刷,{},R8.4.1,R9.3.31,,,\n",
        common::NTA,
        common::NTA,
        common::NTA
    );
    let (status, report) = w.app.import_ledger(ledger.clone().into_bytes()).await;
    assert_eq!(status, Status::Ok, "{report}");
    let (_, all) = w.app.get_json("/api/v1/contracts?per_page=50").await;
    let id_of = |number: &str| {
        all["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["contract_number"] == number)
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    for (number, required) in [
        ("R8-620", Some("★3")),
        ("R8-621", Some("★4")),
        ("R8-622", None),
    ] {
        let (_, standing) = w
            .app
            .get_json(&format!("/api/v1/contracts/{}/star-level", id_of(number)))
            .await;
        assert_eq!(
            standing["required"].as_str(),
            required,
            "{number}: {standing}"
        );
    }
    let (_, again) = w.app.import_ledger(ledger.into_bytes()).await;
    assert_eq!(
        again["unchanged"], 3,
        "the same ledger twice changes nothing: {again}"
    );
    let bad = format!(
        "契約番号,件名,所管課,事業者名,法人番号,契約開始日,契約終了日,内部システムへの接続\n\
         R8-623,台帳の契約4,税務課,株式会社いろは印刷,{},R8.4.1,R9.3.31,たぶん\n",
        common::NTA
    );
    let (status, refused) = w.app.import_ledger(bad.into_bytes()).await;
    assert_eq!(status, Status::UnprocessableEntity, "{refused}");
    assert_eq!(refused["errors"][0]["cell"], "H2", "{refused}");
}
