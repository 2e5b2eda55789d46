//! The JSON API under /api/v1, on the database the suite runs against.

mod common;
use common::{Method, Reply, Role};

use common::{corporate_number, spawn, url_encoded, NTA, TOYOTA};
use rocket::http::Status;
use serde_json::{json, Value};

fn contract_body(number: &str, department_id: i64, vendor_id: i64) -> serde_json::Value {
    json!({
        "contract_number": number,
        "title": "住民税納税通知書の印刷業務",
        "department_id": department_id,
        "vendor_id": vendor_id,
        "start_date": "令和7年4月1日",
        "end_date": "R8.3.31",
        "handles_personal_data": true,
        "personal_records": "１５０，０００",
        "importance": "重要",
        "deletion_days": 14
    })
}

#[rocket::async_test]
async fn creates_reads_updates_and_lists_contracts() {
    let app = spawn().await;
    let (department_id, vendor_id) = app
        .seed_department_and_vendor("税務課", NTA, "株式会社いろは印刷")
        .await;
    let (status, created) = app
        .send_json(
            Method::Post,
            "/api/v1/contracts",
            &contract_body("R7-001", department_id, vendor_id),
        )
        .await;
    assert_eq!(status, Status::Created, "{created}");
    assert_eq!(created["start_date"], "2025-04-01");
    assert_eq!(created["end_date"], "2026-03-31");
    assert_eq!(created["deletion_deadline"], "2026-04-14");
    assert_eq!(created["personal_records"], 150000);
    assert_eq!(created["importance"], "important");
    assert_eq!(created["vendor"]["corporate_number"], NTA);
    let id = created["id"].as_i64().unwrap();

    let (status, fetched) = app.get_json(&format!("/api/v1/contracts/{id}")).await;
    assert_eq!(status, Status::Ok);
    assert_eq!(fetched["title"], "住民税納税通知書の印刷業務");
    assert_eq!(fetched["vendor"]["name"], "株式会社いろは印刷");

    let mut changed = contract_body("R7-001", department_id, vendor_id);
    changed["end_date"] = json!("2027-03-31");
    let (status, updated) = app
        .send_json(Method::Put, &format!("/api/v1/contracts/{id}"), &changed)
        .await;
    assert_eq!(status, Status::Ok, "{updated}");
    assert_eq!(updated["end_date"], "2027-03-31");
    assert_eq!(updated["deletion_deadline"], "2027-04-14");

    let (status, list) = app.get_json("/api/v1/contracts").await;
    assert_eq!(status, Status::Ok);
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["contract_number"], "R7-001");
    for key in ["id", "contract_number", "title", "start_date", "end_date"] {
        assert!(list["items"][0].get(key).is_some(), "{key} missing");
    }
}

#[rocket::async_test]
async fn paginates_and_filters() {
    let app = spawn().await;
    let (tax, vendor_a) = app
        .seed_department_and_vendor("税務課", NTA, "株式会社A")
        .await;
    let (status, other) = app
        .send_json(
            Method::Post,
            "/api/v1/departments",
            &json!({"name": "市民課"}),
        )
        .await;
    assert_eq!(status, Status::Created);
    let citizen = other["id"].as_i64().unwrap();
    let (_, b) = app
        .send_json(
            Method::Post,
            "/api/v1/vendors",
            &json!({"corporate_number": TOYOTA, "name": "株式会社B"}),
        )
        .await;
    let vendor_b = b["id"].as_i64().unwrap();
    for i in 0..25 {
        let (department, vendor) = if i % 5 == 0 {
            (citizen, vendor_b)
        } else {
            (tax, vendor_a)
        };
        let mut body = contract_body(&format!("K-{i:03}"), department, vendor);
        body["end_date"] = json!(format!("2026-{:02}-15", 1 + i % 12));
        body["start_date"] = json!("2025-01-01");
        let (status, created) = app
            .send_json(Method::Post, "/api/v1/contracts", &body)
            .await;
        assert_eq!(status, Status::Created, "{created}");
    }
    let (_, page) = app.get_json("/api/v1/contracts?page=2&per_page=10").await;
    assert_eq!(page["total"], 25);
    assert_eq!(page["items"].as_array().unwrap().len(), 10);
    let (_, last) = app.get_json("/api/v1/contracts?page=3&per_page=10").await;
    assert_eq!(last["items"].as_array().unwrap().len(), 5);

    let (_, by_department) = app
        .get_json(&format!("/api/v1/contracts?department_id={citizen}"))
        .await;
    assert_eq!(by_department["total"], 5);
    let (_, by_vendor) = app
        .get_json(&format!("/api/v1/contracts?vendor_id={vendor_b}"))
        .await;
    assert_eq!(by_vendor["total"], 5);
    let (_, by_range) = app
        .get_json("/api/v1/contracts?end_from=2026-03-01&end_to=R8.4.30")
        .await;
    let expected = (0..25).filter(|i| matches!(1 + i % 12, 3 | 4)).count();
    assert_eq!(by_range["total"], expected as i64);
    let (_, by_text) = app
        .get_json(&format!(
            "/api/v1/contracts?q={}",
            common::urlencode("k-02")
        ))
        .await;
    assert_eq!(by_text["total"], 5, "K-020..K-024 match case-insensitively");
    let (_, by_vendor_name) = app
        .get_json(&format!(
            "/api/v1/contracts?q={}&per_page=3",
            common::urlencode("社b")
        ))
        .await;
    assert_eq!(by_vendor_name["total"], 5, "株式会社B's, by its name");
    let listed = by_vendor_name["items"].as_array().unwrap();
    assert_eq!(listed.len(), 3);
    assert!(
        listed.iter().all(|c| c["vendor"]["id"] == vendor_b),
        "{listed:?}"
    );
    let (_, ended) = app.get_json("/api/v1/contracts?status=planned").await;
    assert_eq!(ended["total"], 0);
    let (status, bad) = app
        .get_json(&format!(
            "/api/v1/contracts?status=someday&end_from={}",
            common::urlencode("昨日")
        ))
        .await;
    assert_eq!(status, Status::UnprocessableEntity);
    let fields: Vec<&str> = bad["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["status", "end_from"]);
}

#[rocket::async_test]
async fn refuses_invalid_input_with_field_errors() {
    let app = spawn().await;
    let (department_id, vendor_id) = app
        .seed_department_and_vendor("税務課", NTA, "株式会社A")
        .await;
    let body = json!({
        "contract_number": " ",
        "title": "",
        "department_id": department_id + 100,
        "vendor_id": vendor_id,
        "start_date": "2026-04-01",
        "end_date": "2026-03-31",
        "personal_records": "たくさん",
        "deletion_days": 99999
    });
    let (status, error) = app
        .send_json(Method::Post, "/api/v1/contracts", &body)
        .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert_eq!(error["error"], "validation");
    let fields = common::error_fields(&error);
    for field in [
        "contract_number",
        "title",
        "department_id",
        "end_date",
        "personal_records",
        "deletion_days",
    ] {
        assert!(fields.contains(&field), "{field} not reported in {error}");
    }
    let (_, list) = app.get_json("/api/v1/contracts").await;
    assert_eq!(list["total"], 0, "nothing was written");

    let (status, _) = app
        .send_json(
            Method::Post,
            "/api/v1/contracts",
            &contract_body("R7-001", department_id, vendor_id),
        )
        .await;
    assert_eq!(status, Status::Created);
    let (status, duplicate) = app
        .send_json(
            Method::Post,
            "/api/v1/contracts",
            &contract_body("Ｒ７－００１", department_id, vendor_id),
        )
        .await;
    assert_eq!(
        status,
        Status::UnprocessableEntity,
        "full-width number is the same number"
    );
    assert_eq!(duplicate["errors"][0]["field"], "contract_number");

    let (status, vendor) = app
        .send_json(
            Method::Post,
            "/api/v1/vendors",
            &json!({"corporate_number": "7000012050003", "name": "株式会社C", "email": "x@"}),
        )
        .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(vendor["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("チェックディジット"));
    let (status, vendor) = app
        .send_json(
            Method::Post,
            "/api/v1/vendors",
            &json!({"corporate_number": NTA, "name": "重複"}),
        )
        .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert_eq!(vendor["errors"][0]["field"], "corporate_number");

    let (status, malformed) = app
        .send_json(
            Method::Post,
            "/api/v1/contracts",
            &json!({"department_id": "税務課"}),
        )
        .await;
    assert_eq!(status, Status::UnprocessableEntity, "{malformed}");
}

#[rocket::async_test]
async fn unknown_ids_are_404_never_500() {
    let app = spawn().await;
    for uri in [
        "/api/v1/contracts/999999",
        "/api/v1/contracts/abc",
        "/api/v1/contracts/-1",
        "/api/v1/contracts/99999999999999999999999",
        "/api/v1/vendors/42",
        "/api/v1/departments/42",
        "/api/v1/nothing-here",
    ] {
        let (status, body) = app.get_json(uri).await;
        assert_eq!(status, Status::NotFound, "{uri}");
        assert_eq!(body["error"], "not_found");
    }
    let (status, _) = app
        .send_json(Method::Put, "/api/v1/contracts/77", &json!({"title": "x"}))
        .await;
    assert_eq!(status, Status::NotFound);
    let (status, _) = app
        .send_json(
            Method::Put,
            "/api/v1/vendors/77",
            &json!({"corporate_number": corporate_number(5), "name": "x"}),
        )
        .await;
    assert_eq!(status, Status::NotFound);
}

#[rocket::async_test]
async fn health_check_answers() {
    let app = spawn().await;
    let response = app.client.get("/healthz").dispatch().await;
    assert_eq!(response.status(), Status::Ok);
}

/// Issue 21, finding 3: changing a contract's vendor used to hand the old vendor's check sheet and audit
/// report to the new vendor. A contract with anything the vendor handed in keeps its vendor.
#[rocket::async_test]
async fn a_contract_with_the_vendors_records_cannot_change_vendor() {
    let app = common::spawn().await;
    let first = common::corporate_number(41);
    let (department, vendor) = app
        .seed_department_and_vendor("契約課", &first, "第一株式会社")
        .await;
    let (status, other) = app
        .send_json(
            Method::Post,
            "/api/v1/vendors",
            &json!({"corporate_number": common::corporate_number(42), "name": "第二株式会社"}),
        )
        .await;
    assert_eq!(status, Status::Created, "{other}");
    let contract = app.create_contract("K-41", department, vendor).await;
    let change_to = |vendor_id: i64| {
        json!({"contract_number": "K-41", "title": "業務", "department_id": department,
               "vendor_id": vendor_id, "start_date": "2025-04-01", "end_date": "2030-03-31"})
    };
    // Before anything is handed in, a wrong vendor can be corrected.
    let uri = format!("/api/v1/contracts/{contract}");
    let (status, body) = app
        .send_json(Method::Put, &uri, &change_to(other["id"].as_i64().unwrap()))
        .await;
    assert_eq!(status, Status::Ok, "{body}");
    let (status, body) = app.send_json(Method::Put, &uri, &change_to(vendor)).await;
    assert_eq!(status, Status::Ok, "{body}");
    app.submit_check_sheet(contract, common::filled_check_sheet(&first, |_| "はい"))
        .await;
    let (status, body) = app
        .send_json(Method::Put, &uri, &change_to(other["id"].as_i64().unwrap()))
        .await;
    assert_eq!(status, Status::UnprocessableEntity, "{body}");
    assert_eq!(body["errors"][0]["field"], "vendor_id");
    let (_, kept) = app.get_json(&uri).await;
    assert_eq!(kept["vendor"]["id"], vendor);
}

/// Issue 21, finding 11: a search of 60,000 characters answered 500.
#[rocket::async_test]
async fn a_search_longer_than_200_characters_is_refused_by_name() {
    let app = spawn().await;
    let long = "a".repeat(60_000);
    for list in ["/api/v1/contracts", "/api/v1/vendors"] {
        let (status, body) = app.get_json(&format!("{list}?q={long}")).await;
        assert_eq!(status, Status::UnprocessableEntity, "{list}: {body}");
        assert_eq!(body["errors"][0]["field"], "q", "{list}");
        let (status, _) = app.get_json(&format!("{list}?q={}", "a".repeat(200))).await;
        assert_eq!(status, Status::Ok, "{list}");
    }
    // The list page keeps its filter form and says what is wrong with it.
    let (status, page) = app.get_html(&format!("/contracts?q={long}")).await;
    assert_eq!(status, Status::Ok);
    assert!(page.contains("検索語は200文字以内で入力してください"));
}

/// Issue 21, finding 11: a vendor could file a report of kind 本市による実地検査, which only staff make.
#[rocket::async_test]
async fn only_staff_record_the_municipalitys_own_on_site_inspection() {
    let app = spawn().await;
    let (department, vendor) = app
        .seed_department_and_vendor("契約課", NTA, "国税株式会社")
        .await;
    let contract = app.create_contract("K-ON", department, vendor).await;
    let vendor_user = app
        .browser_as("vendor@test.itaku.example", Role::Vendor, Some(NTA), &[])
        .await;
    let fields = |kind: &'static str| {
        [
            ("report.fiscal_year", "2025"),
            ("report.kind", kind),
            ("report.auditor", "監査課"),
            ("report.audited_on", "2025-10-01"),
            ("report.findings", "0"),
            ("report.follow_up", "none"),
        ]
    };
    let uri = format!("/api/v1/contracts/{contract}/audit-reports");
    let Reply { status, body, .. } = vendor_user
        .post_multipart(&uri, &fields("onsite"), Some(("r.pdf", common::PDF)))
        .await;
    assert_eq!(status, Status::UnprocessableEntity, "{body}");
    assert!(
        body.contains("本市による実地検査は本市の職員が登録します"),
        "{body}"
    );
    let Reply { status, body, .. } = vendor_user
        .post_multipart(&uri, &fields("third_party"), Some(("r.pdf", common::PDF)))
        .await;
    assert_eq!(status, Status::Created, "{body}");
    let Reply { status, body, .. } = app
        .post_multipart(&uri, &fields("onsite"), Some(("r.pdf", common::PDF)))
        .await;
    assert_eq!(status, Status::Created, "{body}");
}

#[rocket::async_test]
async fn the_contract_list_continues_from_next_in_the_same_order_as_its_pages() {
    let app = common::spawn().await;
    let (department, vendor) = app
        .seed_department_and_vendor("税務課", NTA, "株式会社いろは印刷")
        .await;
    for (number, end) in [
        ("R7-003", "2027-03-31"),
        ("R7/契約 #1&x=2", "2027-03-31"),
        ("R7-001", "2027-03-31"),
        ("R6-100", "2026-03-31"),
        ("R8-001", "2028-03-31"),
    ] {
        let body = json!({"contract_number": number, "title": "業務", "department_id": department,
                          "vendor_id": vendor, "start_date": "2025-04-01", "end_date": end});
        let (status, created) = app
            .send_json(Method::Post, "/api/v1/contracts", &body)
            .await;
        assert_eq!(status, Status::Created, "{created}");
    }
    let numbers = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["contract_number"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, all) = app.get_json("/api/v1/contracts?per_page=50").await;
    assert!(
        all.get("next").is_none(),
        "a page that is not full has no next"
    );
    let mut continued = Vec::new();
    let mut uri = "/api/v1/contracts?per_page=2".to_string();
    loop {
        let (status, page) = app.get_json(&uri).await;
        assert_eq!(status, Status::Ok, "{page}");
        assert_eq!(page["total"], 5);
        continued.extend(numbers(&page));
        let Some(next) = page["next"].as_str() else {
            break;
        };
        uri = format!(
            "/api/v1/contracts?per_page=2&after={}",
            common::urlencode(next)
        );
    }
    assert_eq!(continued, numbers(&all));
    assert_eq!(continued[0], "R8-001", "newest end first");

    let (status, refused) = app.get_json("/api/v1/contracts?after=yesterday").await;
    assert_eq!(status, Status::UnprocessableEntity, "{refused}");
    assert!(refused.to_string().contains("after"), "{refused}");
}

#[rocket::async_test]
async fn the_contract_list_sorts_by_the_column_asked_for_in_either_direction() {
    let app = common::spawn().await;
    let (department, vendor) = app
        .seed_department_and_vendor("税務課", NTA, "株式会社いろは印刷")
        .await;
    for (number, title, end) in [
        ("R7-002", "い 業務", "2027-03-31"),
        ("R7-001", "う 業務", "2026-03-31"),
        ("R7-003", "あ 業務", "2028-03-31"),
    ] {
        let body = json!({"contract_number": number, "title": title, "department_id": department,
                          "vendor_id": vendor, "start_date": "2025-04-01", "end_date": end});
        let (status, created) = app
            .send_json(Method::Post, "/api/v1/contracts", &body)
            .await;
        assert_eq!(status, Status::Created, "{created}");
    }
    let numbers = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["contract_number"].as_str().unwrap().to_string())
            .collect()
    };
    for (sort, expected) in [
        ("title", ["R7-003", "R7-002", "R7-001"]),
        ("-title", ["R7-001", "R7-002", "R7-003"]),
        ("contract_number", ["R7-001", "R7-002", "R7-003"]),
        ("end_date", ["R7-001", "R7-002", "R7-003"]),
        ("-end_date", ["R7-003", "R7-002", "R7-001"]),
    ] {
        let (status, page) = app
            .get_json(&format!("/api/v1/contracts?sort={sort}"))
            .await;
        assert_eq!(status, Status::Ok, "{page}");
        assert_eq!(numbers(&page), expected, "sort={sort}");
    }
    // Pages of another order are reached by page number, not by continuing from a row.
    let (_, first) = app
        .get_json("/api/v1/contracts?sort=title&per_page=2")
        .await;
    assert!(first.get("next").is_none(), "{first}");
    let (_, second) = app
        .get_json("/api/v1/contracts?sort=title&per_page=2&page=2")
        .await;
    assert_eq!(numbers(&second), ["R7-001"]);
    let (status, refused) = app.get_json("/api/v1/contracts?sort=price").await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(refused.to_string().contains("sort"), "{refused}");
    let (status, refused) = app
        .get_json("/api/v1/contracts?sort=title&after=2027-03-31.00")
        .await;
    assert_eq!(status, Status::UnprocessableEntity, "{refused}");

    // The page's headings carry the order, and say which column is sorted.
    let (_, page) = app.get_html("/contracts?sort=-title").await;
    assert!(
        page.contains("aria-sort=\"descending\"") && page.contains("href=\"?sort=title\""),
        "{page}"
    );
}

#[rocket::async_test]
async fn the_contract_list_page_finds_a_vendor_by_its_name_or_number_typed_in_one_field() {
    let app = spawn().await;
    let (department, iroha) = app
        .seed_department_and_vendor("税務課", NTA, "株式会社いろは印刷")
        .await;
    let other = app.seed_vendor(TOYOTA, "株式会社ほへと情報").await;
    for (number, vendor) in [("R7-101", iroha), ("R7-102", other)] {
        let (status, created) = app
            .send_json(
                Method::Post,
                "/api/v1/contracts",
                &contract_body(number, department, vendor),
            )
            .await;
        assert_eq!(status, Status::Created, "{created}");
    }
    let (_, page) = app.get_html("/contracts").await;
    assert!(
        page.contains("data-suggest=\"/vendors/suggestions\"")
            && page.contains("<datalist id=\"vendor-choices\"></datalist>"),
        "the field asks for its suggestions as it is typed: {page}"
    );
    for typed in [
        "株式会社いろは印刷".to_string(),
        NTA.to_string(),
        format!("  {NTA} "),
    ] {
        let query: String = url_encoded(&typed);
        let (status, page) = app.get_html(&format!("/contracts?vendor={query}")).await;
        assert_eq!(status, Status::Ok);
        assert!(
            page.contains("R7-101") && !page.contains("R7-102"),
            "{typed}: {page}"
        );
    }
    // A vendor chosen by id elsewhere (its page's link) shows in the field as its number.
    let (_, page) = app.get_html(&format!("/contracts?vendor_id={other}")).await;
    assert!(page.contains(&format!(
        "name=\"vendor\" list=\"vendor-choices\" data-suggest=\"/vendors/suggestions\" value=\"{TOYOTA}\""
    )));
    assert!(page.contains("R7-102") && !page.contains("R7-101"));
    assert!(
        page.contains(&format!(
            "<option value=\"{TOYOTA}\">株式会社ほへと情報</option>"
        )),
        "the chosen vendor is the field's one suggestion until more is typed"
    );
    let (_, page) = app
        .get_html(&format!(
            "/contracts?vendor={}",
            url_encoded("知らない会社")
        ))
        .await;
    assert!(
        page.contains("「知らない会社」に当たる事業者がありません"),
        "{page}"
    );
    assert!(
        !page.contains("R7-101"),
        "nothing is listed for an unknown vendor"
    );
}
