//! The Japanese pages: lists, forms that keep what was typed, and error pages.

mod common;
use common::Method;

use common::{corporate_number, spawn, url_encoded, Reply, NTA};
use rocket::http::Status;
use serde_json::json;

#[rocket::async_test]
async fn pages_show_the_registry_in_japanese() {
    let app = spawn().await;
    let (department_id, vendor_id) = app
        .seed_department_and_vendor("税務課", NTA, "株式会社<script>alert(1)</script>")
        .await;
    let (status, created) = app
        .send_json(
            Method::Post,
            "/api/v1/contracts",
            &json!({"contract_number": "R7-001", "title": "印刷業務", "department_id": department_id, "vendor_id": vendor_id,
                    "start_date": "2025-04-01", "end_date": "2026-03-31", "importance": "important"}),
        )
        .await;
    assert_eq!(status, Status::Created);
    let id = created["id"].as_i64().unwrap();

    let (status, html) = app.get_html("/contracts").await;
    assert_eq!(status, Status::Ok);
    assert!(html.contains("契約一覧") && html.contains("R7-001"));
    assert!(html.contains("令和7年4月1日") && html.contains("令和8年3月31日"));
    assert!(
        !html.contains("<script>alert(1)</script>"),
        "vendor names are escaped"
    );
    assert!(html.contains("&lt;script&gt;") || html.contains("&#60;script&#62;"));

    let (status, html) = app.get_html(&format!("/contracts/{id}")).await;
    assert_eq!(status, Status::Ok);
    assert!(
        html.contains("2025-04-01") && html.contains("令和8年4月30日"),
        "ISO date and deletion deadline"
    );
    let (status, html) = app.get_html(&format!("/vendors/{vendor_id}")).await;
    assert_eq!(status, Status::Ok);
    assert!(html.contains(NTA) && html.contains("R7-001"));
    for uri in [
        "/",
        "/vendors",
        "/departments",
        "/ledger",
        "/contracts/new",
        "/vendors/new",
        &format!("/contracts/{id}/edit"),
    ] {
        let (status, html) = app.get_html(uri).await;
        assert_eq!(status, Status::Ok, "{uri}");
        assert!(html.contains("<html lang=\"ja\">"), "{uri}");
    }
    let (status, html) = app
        .get_html("/contracts?status=ended&q=%E5%8D%B0%E5%88%B7")
        .await;
    assert_eq!(status, Status::Ok);
    assert!(html.contains("R7-001"));
}

#[rocket::async_test]
async fn a_refused_form_keeps_what_was_typed_and_says_why_beside_the_field() {
    let app = spawn().await;
    let (department_id, vendor_id) = app
        .seed_department_and_vendor("税務課", NTA, "株式会社A")
        .await;
    let Reply {
        status, body: html, ..
    } = app
        .post_form(
            "/contracts",
            &[
                ("contract_number", "R7-009"),
                ("title", "入力途中の件名"),
                ("department_id", &department_id.to_string()),
                ("vendor_id", &vendor_id.to_string()),
                ("start_date", "令和7年4月1日"),
                ("end_date", "令和7年3月31日"),
                ("deletion_days", "三十"),
            ],
        )
        .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(
        html.contains("value=\"入力途中の件名\""),
        "typed title kept: {}",
        html.split("id=\"title\"")
            .nth(1)
            .unwrap_or("")
            .chars()
            .take(120)
            .collect::<String>()
    );
    assert!(html.contains("value=\"令和7年4月1日\""), "typed date kept");
    assert!(html.contains("契約終了日は契約開始日以降の日付にしてください"));
    assert!(html.contains("消去期限（日）は0以上の整数で入力してください"));

    let Reply {
        status, location, ..
    } = app
        .post_form(
            "/contracts",
            &[
                ("contract_number", "R7-009"),
                ("title", "件名"),
                ("department_id", &department_id.to_string()),
                ("vendor_id", &vendor_id.to_string()),
                ("start_date", "R7.4.1"),
                ("end_date", "R8.3.31"),
                ("handles_personal_data", "on"),
            ],
        )
        .await;
    assert_eq!(status, Status::SeeOther);
    let location = location.unwrap();
    let (_, html) = app.get_html(&location).await;
    assert!(html.contains("保存しました") && html.contains("個人情報</dt><dd>あり"));

    let Reply {
        status, body: html, ..
    } = app
        .post_form(
            "/vendors",
            &[("corporate_number", "123"), ("name", "株式会社テスト")],
        )
        .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(html.contains("法人番号は13桁です") && html.contains("value=\"株式会社テスト\""));
    let Reply {
        status, body: html, ..
    } = app.post_form("/departments", &[("name", "税務課")]).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(html.contains("同じ名前の所管課が既に登録されています"));
}

#[rocket::async_test]
async fn unknown_pages_and_records_are_japanese_404s() {
    let app = spawn().await;
    for uri in [
        "/contracts/424242",
        "/contracts/abc",
        "/vendors/0",
        "/contracts/1/edit",
        "/no/such/page",
    ] {
        let (status, html) = app.get_html(uri).await;
        assert_eq!(status, Status::NotFound, "{uri}");
        assert!(html.contains("ページが見つかりません"), "{uri}");
    }
    let Reply { status, .. } = app.post_form("/contracts/99", &[("title", "x")]).await;
    assert_eq!(status, Status::NotFound);
}

#[rocket::async_test]
async fn an_administrators_home_shows_users_mail_database_and_rules_and_an_officers_does_not() {
    let app = spawn().await;
    let (department_id, _) = app
        .seed_department_and_vendor("税務課", NTA, "株式会社いろは印刷")
        .await;
    let (status, html) = app.get_html("/").await;
    assert_eq!(status, Status::Ok);
    assert!(html.contains("システムの状態"), "{html}");
    assert!(html.contains("管理者 1人"), "users by role: {html}");
    assert!(html.contains("SQLite") || html.contains("PostgreSQL"));
    assert!(
        html.contains("差し戻したチェックシートの再提出期限") && html.contains("差戻しの14日後")
    );
    let officer = app
        .browser_as(
            "officer@example.jp",
            itaku::auth::Role::Officer,
            None,
            &[department_id],
        )
        .await;
    let (_, html) = officer.get_html("/").await;
    assert!(!html.contains("システムの状態"));
}

#[rocket::async_test]
async fn the_vendor_field_is_searched_by_name_or_number_and_takes_either() {
    let app = spawn().await;
    let (department_id, vendor_id) = app
        .seed_department_and_vendor("税務課", NTA, "株式会社いろは印刷")
        .await;
    let (_, form) = app.get_html("/contracts/new").await;
    assert!(
        form.contains("list=\"vendor-choices\" data-suggest=\"/vendors/suggestions\"")
            && !form.contains("株式会社いろは印刷"),
        "the field asks for suggestions as it is typed and embeds no vendor: {form}"
    );
    let (status, suggested) = app
        .get_json(&format!("/vendors/suggestions?q={}", url_encoded("いろは")))
        .await;
    assert_eq!(status, Status::Ok);
    assert_eq!(
        suggested,
        json!([{"id": vendor_id, "name": "株式会社いろは印刷", "identifier": NTA}])
    );
    let post = |number: &'static str, vendor: &'static str| {
        let department = department_id.to_string();
        let app = &app;
        async move {
            app.post_form(
                "/contracts",
                &[
                    ("contract_number", number),
                    ("title", "件名"),
                    ("department_id", &department),
                    ("vendor_identifier", vendor),
                    ("start_date", "R7.4.1"),
                    ("end_date", "R8.3.31"),
                ],
            )
            .await
        }
    };
    for (number, typed) in [("V-1", NTA), ("V-2", "株式会社いろは印刷")] {
        let Reply { status, body, .. } = post(number, typed).await;
        assert_eq!(status, Status::SeeOther, "{typed}: {body}");
    }
    let (_, list) = app.get_json("/api/v1/contracts").await;
    assert!(list["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["vendor"]["id"] == vendor_id));
    let Reply { status, body, .. } = post("V-3", "存在しない商事").await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(
        body.contains("候補から選んでください") && body.contains("value=\"存在しない商事\""),
        "{body}"
    );
    // Editing shows the vendor's number and name.
    let id = list["items"][0]["id"].as_i64().unwrap();
    let (_, edit) = app.get_html(&format!("/contracts/{id}/edit")).await;
    assert!(
        edit.contains(&format!("value=\"{NTA}\"")) && edit.contains("選択中: 株式会社いろは印刷")
    );
}

#[rocket::async_test]
async fn vendor_suggestions_match_any_part_of_a_name_or_number_and_only_staff_get_them() {
    let app = spawn().await;
    for n in 0..25u64 {
        app.seed_vendor(&corporate_number(500 + n), &format!("テスト商事{n:02}"))
            .await;
    }
    let prefixed = app
        .seed_vendor(&corporate_number(600), "いろは印刷株式会社")
        .await;
    let inside = app
        .seed_vendor(&corporate_number(601), "株式会社いろは")
        .await;
    let wildcard = app.seed_vendor(&corporate_number(602), "100%_商事").await;
    let names = |value: &serde_json::Value| -> Vec<String> {
        value
            .as_array()
            .expect("a list of vendors")
            .iter()
            .map(|v| v["name"].as_str().unwrap().to_string())
            .collect()
    };
    let ask = |typed: &str| format!("/vendors/suggestions?q={}", url_encoded(typed));
    let (_, found) = app.get_json(&ask("いろは")).await;
    assert_eq!(
        names(&found),
        ["いろは印刷株式会社", "株式会社いろは"],
        "a name that begins with what was typed comes first"
    );
    assert_eq!(found[1]["id"], inside);
    let (_, found) = app.get_json(&ask("テスト")).await;
    assert_eq!(names(&found).len(), 20, "at most 20 suggestions");
    let (_, found) = app.get_json(&ask("%")).await;
    assert_eq!(found[0]["id"], wildcard, "% is a character, not a wildcard");
    assert_eq!(names(&found).len(), 1);
    let (_, found) = app.get_json(&ask("_")).await;
    assert_eq!(names(&found), ["100%_商事"]);
    let number = corporate_number(600);
    let (_, found) = app.get_json(&ask(&number[..7])).await;
    assert_eq!(
        found[0]["id"], prefixed,
        "found by the start of its 法人番号"
    );
    let full_width: String = number[..7]
        .chars()
        .map(|c| char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap())
        .collect();
    let (_, found) = app.get_json(&ask(&full_width)).await;
    assert_eq!(
        found[0]["id"], prefixed,
        "full-width digits are read as digits"
    );
    let (_, found) = app.get_json(&ask("  ")).await;
    assert_eq!(found, json!([]), "nothing typed, nothing suggested");
    let (status, refused) = app.get_html(&ask(&"あ".repeat(300))).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(refused.contains("検索語は"), "{refused}");
    let ciso = app
        .browser_as("ciso@example.jp", itaku::auth::Role::Ciso, None, &[])
        .await;
    let (status, found) = ciso.get_json(&ask("いろは")).await;
    assert_eq!((status, names(&found).len()), (Status::Ok, 2));
    let vendor = app
        .browser_as(
            "vendor@example.jp",
            itaku::auth::Role::Vendor,
            Some(&number),
            &[],
        )
        .await;
    let (status, body) = vendor.get_html(&ask("いろは")).await;
    assert_eq!(status, Status::Forbidden);
    assert!(!body.contains("株式会社いろは"), "{body}");
    let (_, list) = vendor
        .get_html(&format!("/contracts?vendor_id={wildcard}"))
        .await;
    assert!(
        !list.contains("100%_商事") && !list.contains("vendor-choices"),
        "a vendor's contract list names no other vendor and has no vendor field"
    );
}

/// Counts past a thousand read as people write them: 1,200件, not 1200件.
#[rocket::async_test]
async fn counts_group_their_digits_by_three() {
    let app = spawn().await;
    app.seed_synthetic(30, 1_200, 9).await;
    let (_, list) = app.get_html("/contracts?per_page=20").await;
    assert!(list.contains("（1,200件）"), "the pager's total");
}
