//! The audit log as people read it: actions and records in Japanese, moments in Japan time, and the
//! fields that a change touched as a table of before and after, never raw JSON.

use super::formats::{moment, Moment};
use crate::db::audit::AuditEntry;
use crate::domain::certification::{Scheme, Verification};
use crate::domain::flags::Importance;
use crate::services::audit::RecordNames;
use serde_json::Value;

pub const ACTIONS: [(&str, &str); 28] = [
    ("sign_in", "サインイン"),
    ("sign_in_failed", "サインイン失敗"),
    ("sign_in_challenge", "パスワード確認（二要素認証待ち）"),
    ("sign_in_link", "ログイン用リンクの送信"),
    ("sign_out", "サインアウト"),
    ("create", "登録"),
    ("update", "変更"),
    ("delete", "削除"),
    ("upload", "提出"),
    ("review", "確認（承認・差戻し）"),
    ("verify", "認証の確認"),
    ("confirm", "年次確認"),
    ("finalize", "確定"),
    ("import", "取込"),
    ("export", "出力"),
    ("download", "ダウンロード"),
    ("mail", "お知らせメールの送信"),
    ("password_change", "パスワード変更"),
    ("password_reset", "パスワード再発行"),
    ("token_create", "トークン発行"),
    ("token_revoke", "トークン失効"),
    ("unlock", "ロック解除"),
    ("mfa_enable", "二要素認証の設定"),
    ("mfa_disable", "二要素認証の無効化"),
    ("mfa_reset", "二要素認証のリセット"),
    ("mfa_recovery_codes", "回復コードの再発行"),
    ("rebuild", "再構築"),
    ("seed", "デモデータの作成"),
];

pub const ENTITY_TYPES: [(&str, &str); 30] = [
    ("contract", "契約"),
    ("vendor", "事業者"),
    ("department", "所管課"),
    ("user", "ユーザー"),
    ("api_token", "APIトークン"),
    ("ledger", "契約台帳"),
    ("audit_log", "監査ログ"),
    ("audit_report", "監査報告書"),
    ("deletion_certificate", "データ消去証明書"),
    ("checklist", "チェックシート"),
    ("bid_checklist", "入札時チェックシート"),
    ("certification", "認証"),
    ("tender", "入札案件"),
    ("tender_bidder", "入札者"),
    ("rating_policy", "加点方針"),
    ("request", "一斉依頼"),
    ("reminder", "期限のお知らせ"),
    ("report", "報告書"),
    ("standings", "判定表"),
    ("seed", "デモデータ"),
    ("file", "ファイル"),
    ("subcontractor", "再委託先"),
    ("corrective_action", "是正"),
    ("contract_clauses", "特約条項"),
    ("clause_submission", "特約条項の提出物"),
    ("incident", "インシデント"),
    ("contract_star_conditions", "★レベルの条件"),
    ("suspension", "指名停止"),
    ("incident_contacts", "インシデント連絡先"),
    ("contract_incident_scope", "インシデント時の対応範囲"),
];

/// The Japanese names of the fields that before/after values carry; a field not named here is shown
/// by its key.
const FIELDS: [(&str, &str); 64] = [
    ("subcontractor_ids", "消去を証明した再委託先"),
    ("answer_count", "回答した項目数"),
    ("contract_number", "契約番号"),
    ("title", "件名"),
    ("name", "名称"),
    ("department", "所管課"),
    ("department_id", "所管課"),
    ("department_ids", "所管課"),
    ("vendor_id", "事業者"),
    ("identifier", "法人番号・登録番号"),
    ("start_date", "開始日"),
    ("end_date", "終了日"),
    ("importance", "重要度"),
    ("handles_personal_data", "個人情報"),
    ("personal_records", "個人情報の件数"),
    ("uses_cloud", "クラウド利用"),
    ("subcontracting_allowed", "再委託"),
    ("amount", "契約金額"),
    ("amount_yen", "契約金額"),
    ("deletion_days", "消去期限（日数）"),
    ("notes", "備考"),
    ("email", "メールアドレス"),
    ("display_name", "氏名"),
    ("role", "役割"),
    ("active", "有効"),
    ("status", "状態"),
    ("comment", "コメント"),
    ("note", "メモ"),
    ("file_name", "ファイル名"),
    ("size", "サイズ"),
    ("sha256", "SHA-256"),
    ("file_id", "ファイル"),
    ("fiscal_year", "年度"),
    ("kind", "種別"),
    ("auditor", "監査人"),
    ("audited_on", "実施日"),
    ("findings", "指摘事項"),
    ("follow_up", "対応"),
    ("deleted_on", "消去日"),
    ("data_items", "データ項目"),
    ("media", "媒体"),
    ("quantity", "数量"),
    ("method", "消去方法"),
    ("responsible_person", "責任者"),
    ("covers_backups", "バックアップを含む"),
    ("covers_subcontractors", "再委託先を含む"),
    ("covers_test_environments", "検証環境を含む"),
    ("accepted_on", "受理日"),
    ("due_on", "期限"),
    ("expires_at", "有効期限"),
    ("evaluation_date", "評価基準日"),
    ("policy", "加点方針"),
    ("policy_title", "加点方針"),
    ("points", "点数"),
    ("disqualified", "不適合"),
    ("finalized", "確定"),
    ("finalized_at", "確定日時"),
    ("finalized_by", "確定者"),
    ("verification", "確認"),
    ("subject", "件名"),
    ("to", "宛先"),
    ("smtp_response", "送信結果"),
    ("contracts", "契約"),
    ("items", "項目"),
];

pub fn action_label(code: &str) -> &str {
    label_in(&ACTIONS, code)
}

pub fn entity_label(code: &str) -> &str {
    label_in(&ENTITY_TYPES, code)
}

fn label_in<'a>(labels: &[(&'static str, &'static str)], code: &'a str) -> &'a str {
    label_of(labels, code).unwrap_or(code)
}

/// One field a change touched.
pub struct Change {
    pub field: String,
    pub before: String,
    pub after: String,
    /// A file's digest: shown inside the disclosure 「ファイルの詳細」, not in the text.
    pub digest: bool,
}

/// One entry of the audit log, ready to read.
pub struct AuditRow {
    pub when: Moment,
    pub actor: String,
    pub ip: String,
    pub action: String,
    pub record: String,
    pub summary: String,
    pub changes: Vec<Change>,
}

impl AuditRow {
    /// The entry, its ids of departments and vendors read as their `names`.
    pub fn new(entry: &AuditEntry, names: &RecordNames) -> Self {
        let entity = entity_label(&entry.entity_type);
        AuditRow {
            when: moment(&entry.occurred_at),
            actor: entry.actor.clone(),
            ip: entry.ip.clone(),
            action: action_label(&entry.action).to_string(),
            record: if entry.entity_id.is_empty() {
                entity.to_string()
            } else {
                format!("{entity} {}", entry.entity_id)
            },
            summary: entry.summary.clone(),
            changes: changes(
                entry.before_json.as_deref(),
                entry.after_json.as_deref(),
                names,
            ),
        }
    }
}

/// The fields whose values differ between before and after, flattened (`answers.1-1`), in the
/// order the after value lists them.
fn changes(before: Option<&str>, after: Option<&str>, names: &RecordNames) -> Vec<Change> {
    let parse = |text: Option<&str>| {
        let mut fields = Vec::new();
        if let Some(value) = text.and_then(|t| serde_json::from_str::<Value>(t).ok()) {
            flatten("", &value, &mut fields);
        }
        fields
    };
    let (before, after) = (parse(before), parse(after));
    let value_in = |fields: &[(String, Value)], key: &str| {
        fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    };
    let mut keys: Vec<&String> = after.iter().map(|(k, _)| k).collect();
    keys.extend(
        before
            .iter()
            .map(|(k, _)| k)
            .filter(|k| !after.iter().any(|(a, _)| a == *k)),
    );
    keys.into_iter()
        .filter_map(|key| {
            let (old, new) = (value_in(&before, key), value_in(&after, key));
            (old != new).then(|| Change {
                field: field_label(key),
                before: old
                    .as_ref()
                    .map(|v| shown_as(key, v, names))
                    .unwrap_or_default(),
                after: new
                    .as_ref()
                    .map(|v| shown_as(key, v, names))
                    .unwrap_or_default(),
                digest: key.rsplit('.').next() == Some("sha256"),
            })
        })
        .collect()
}

fn flatten(prefix: &str, value: &Value, out: &mut Vec<(String, Value)>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten(&path, inner, out);
            }
        }
        other if prefix.is_empty() => out.push(("値".to_string(), other.clone())),
        other => out.push((prefix.to_string(), other.clone())),
    }
}

fn field_label(path: &str) -> String {
    path.split('.')
        .map(|part| label_in(&FIELDS, part))
        .collect::<Vec<_>>()
        .join("・")
}

/// A field's value as text: ids of departments and vendors by name, codes by their label, anything
/// else as `shown` says.
fn shown_as(path: &str, value: &Value, names: &RecordNames) -> String {
    let field = path.rsplit('.').next().unwrap_or(path);
    let named = |map: &std::collections::HashMap<i64, String>, value: &Value| {
        value
            .as_i64()
            .and_then(|id| map.get(&id).cloned())
            .unwrap_or_else(|| shown(value))
    };
    let listed = |map, value: &Value| match value {
        Value::Array(items) if !items.is_empty() => items
            .iter()
            .map(|item| named(map, item))
            .collect::<Vec<_>>()
            .join("、"),
        other => named(map, other),
    };
    let code = value.as_str().unwrap_or_default();
    let label = match field {
        "department_id" | "department_ids" => return listed(&names.departments, value),
        "vendor_id" => return listed(&names.vendors, value),
        "size" if value.is_i64() => return super::formats::file_size(value.as_i64().unwrap_or(0)),
        "role" => crate::auth::Role::parse(code).map(|r| r.label()),
        "importance" if !code.is_empty() => Some(Importance::from_code(code).label()),
        "scheme" => Scheme::from_code(code).map(Scheme::label),
        "verification" => Verification::from_code(code).map(Verification::label),
        "status" | "decision" => label_of(&STATES, code),
        _ => None,
    };
    label.map(str::to_string).unwrap_or_else(|| shown(value))
}

/// States and decisions of submissions and reviews.
const STATES: [(&str, &str); 11] = [
    ("submitted", "確認待ち"),
    ("accepted", "受理"),
    ("accept", "受理"),
    ("approved", "承認"),
    ("approve", "承認"),
    ("returned", "差戻し"),
    ("return", "差戻し"),
    ("open", "受付中"),
    ("finalized", "確定"),
    ("verify", "確認済"),
    ("withdrawn", "取下げ"),
];

fn label_of(labels: &[(&'static str, &'static str)], code: &str) -> Option<&'static str> {
    labels
        .iter()
        .find(|(known, _)| *known == code)
        .map(|(_, label)| *label)
}

/// A value as text: はい / いいえ for booleans, dates and moments in Japanese, lists joined by 、.
fn shown(value: &Value) -> String {
    match value {
        Value::Null => "（なし）".into(),
        Value::Bool(true) => "はい".into(),
        Value::Bool(false) => "いいえ".into(),
        Value::Number(n) => n.to_string(),
        Value::String(text) => readable(text),
        Value::Array(items) if items.is_empty() => "（なし）".into(),
        Value::Array(items) => items.iter().map(shown).collect::<Vec<_>>().join("、"),
        Value::Object(_) => {
            let mut fields = Vec::new();
            flatten("", value, &mut fields);
            fields
                .iter()
                .map(|(k, v)| format!("{}: {}", field_label(k), shown(v)))
                .collect::<Vec<_>>()
                .join("、")
        }
    }
}

fn readable(text: &str) -> String {
    use crate::domain::dates::JpDate;
    if let Ok(at) = text.parse::<crate::domain::time::Timestamp>() {
        return crate::services::japan_moment(at.instant());
    }
    match chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(day) => day.jp(),
        Err(_) => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_lists_only_the_fields_that_differ_in_japanese() {
        let rows = changes(
            Some(r#"{"title":"旧","start_date":"2026-04-01","uses_cloud":false,"notes":""}"#),
            Some(r#"{"title":"新","start_date":"2026-04-01","uses_cloud":true,"notes":""}"#),
            &RecordNames::default(),
        );
        let shown: Vec<_> = rows
            .iter()
            .map(|c| (c.field.as_str(), c.before.as_str(), c.after.as_str()))
            .collect();
        assert_eq!(
            shown,
            vec![("件名", "旧", "新"), ("クラウド利用", "いいえ", "はい")]
        );
    }

    #[test]
    fn a_new_record_shows_its_values_with_dates_in_japanese() {
        let rows = changes(
            None,
            Some(
                r#"{"end_date":"2027-03-31","department_ids":[1,2],"vendor_id":7,"role":"officer","scheme":"pmark","status":"returned","importance":"important"}"#,
            ),
            &RecordNames {
                departments: [(1, "税務課".to_string())].into(),
                vendors: [(7, "株式会社いろは印刷".to_string())].into(),
            },
        );
        let after = |field: &str| {
            rows.iter()
                .find(|c| c.field == field)
                .unwrap()
                .after
                .clone()
        };
        assert_eq!(after("終了日"), "令和9年3月31日");
        assert_eq!(
            after("所管課"),
            "税務課、2",
            "an id without a name stays a number"
        );
        assert_eq!(after("事業者"), "株式会社いろは印刷");
        assert_eq!(after("役割"), "契約担当");
        assert_eq!(after("状態"), "差戻し");
        assert_eq!(after("重要度"), "重要");
        assert!(
            rows.iter().any(|c| c.after == "プライバシーマーク"),
            "scheme by label"
        );
        assert_eq!(action_label("sign_in"), "サインイン");
        assert_eq!(action_label("unknown"), "unknown");
    }
}
