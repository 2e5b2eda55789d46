//! The columns a contract ledger may have, with the header names municipalities give them.

use crate::excel::header::Column;

/// A column the ledger may have, with the header names people give it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    ContractNumber,
    Title,
    Department,
    VendorName,
    CorporateNumber,
    /// 適格請求書発行事業者登録番号, for a vendor without a 法人番号.
    InvoiceNumber,
    /// The municipality's own 業者番号.
    VendorCode,
    StartDate,
    EndDate,
    /// 契約期間 in one cell, when the ledger has no start and end columns.
    Period,
    Amount,
    PersonalData,
    PersonalRecords,
    Importance,
    Cloud,
    DeletionDays,
    Subcontracting,
    /// 特約条項: clause ids or titles, separated by 、 or commas.
    Clauses,
    /// METI's three conditions for the ★ level the contract requires (yes/no each).
    SensitiveData,
    OutageCritical,
    ReachesInternal,
    Notes,
    VendorKana,
    VendorAddress,
    VendorContact,
    VendorPhone,
    VendorEmail,
}

/// Each column with the header names people give it, the name reported in messages first.
const HEADERS: [(Field, &[&str]); 27] = [
    (
        Field::ContractNumber,
        &[
            "契約番号",
            "契約No",
            "契約No.",
            "契約ナンバー",
            "契約管理番号",
            "契約コード",
            "契約ID",
            "No.",
            "No",
            "番号",
        ],
    ),
    (
        Field::Title,
        &[
            "件名",
            "契約件名",
            "契約名",
            "契約名称",
            "業務名",
            "委託業務名",
            "業務名称",
            "委託件名",
        ],
    ),
    (
        Field::Department,
        &[
            "所管課",
            "担当課",
            "所管部署",
            "担当部署",
            "所属",
            "課名",
            "所管課名",
            "担当課名",
            "部署",
            "発注課",
        ],
    ),
    (
        Field::VendorName,
        &[
            "事業者名",
            "委託先",
            "委託先名",
            "委託事業者",
            "委託事業者名",
            "事業者",
            "契約相手方",
            "相手方",
            "業者名",
            "受託者",
            "受託者名",
            "商号又は名称",
            "商号",
        ],
    ),
    (
        Field::CorporateNumber,
        &["法人番号", "事業者法人番号", "委託先法人番号"],
    ),
    (
        Field::InvoiceNumber,
        &[
            "登録番号",
            "適格請求書発行事業者登録番号",
            "インボイス登録番号",
            "適格請求書登録番号",
            "T番号",
        ],
    ),
    (
        Field::VendorCode,
        &[
            "業者番号",
            "業者コード",
            "登録業者番号",
            "業者No",
            "取引先コード",
        ],
    ),
    (
        Field::StartDate,
        &[
            "契約開始日",
            "開始日",
            "契約期間開始",
            "契約期間自",
            "契約期間(自)",
            "履行期間開始",
            "履行期間自",
            "委託期間開始",
            "始期",
            "契約日",
        ],
    ),
    (
        Field::EndDate,
        &[
            "契約終了日",
            "終了日",
            "契約期間終了",
            "契約期間至",
            "契約期間(至)",
            "履行期間終了",
            "履行期間至",
            "委託期間終了",
            "終期",
            "履行期限",
        ],
    ),
    (
        Field::Period,
        &[
            "契約期間",
            "履行期間",
            "委託期間",
            "契約期間(自至)",
            "契約期間(自~至)",
            "期間",
        ],
    ),
    (
        Field::Amount,
        &[
            "契約金額",
            "金額",
            "契約額",
            "委託料",
            "委託金額",
            "委託料(税込)",
            "契約金額(税込)",
            "契約金額(円)",
        ],
    ),
    (
        Field::PersonalData,
        &[
            "個人情報",
            "個人情報の有無",
            "個人情報有無",
            "個人情報取扱い",
            "個人情報の取扱い",
            "個人情報取扱",
        ],
    ),
    (
        Field::PersonalRecords,
        &[
            "個人情報件数",
            "個人情報の件数",
            "件数",
            "取扱件数",
            "レコード数",
        ],
    ),
    (
        Field::Importance,
        &["重要度", "重要", "重要区分", "重要契約", "区分"],
    ),
    (
        Field::Cloud,
        &[
            "クラウド利用",
            "クラウド",
            "クラウドサービス利用",
            "クラウドの利用",
            "クラウドサービス",
        ],
    ),
    (
        Field::DeletionDays,
        &[
            "消去期限(日)",
            "消去期限",
            "消去日数",
            "データ消去期限",
            "消去期限日数",
            "返却・消去期限(日)",
        ],
    ),
    (
        Field::Subcontracting,
        &["再委託", "再委託の可否", "再委託可否", "再委託の有無"],
    ),
    (
        Field::Clauses,
        &[
            "特約条項",
            "情報セキュリティ特約条項",
            "セキュリティ特約条項",
            "特約",
            "適用する特約条項",
        ],
    ),
    (
        Field::SensitiveData,
        &[
            "機微情報の取扱い",
            "機微情報",
            "機微な情報の取扱い",
            "委託先システムでの機微情報の取扱い",
        ],
    ),
    (
        Field::OutageCritical,
        &[
            "停止時の影響",
            "委託先停止時の影響",
            "停止による業務影響",
            "業務停止の影響",
        ],
    ),
    (
        Field::ReachesInternal,
        &[
            "内部システムへの接続",
            "内部接続",
            "庁内システムへの接続",
            "庁内ネットワーク接続",
        ],
    ),
    (Field::Notes, &["備考", "摘要", "メモ"]),
    (
        Field::VendorKana,
        &[
            "事業者名カナ",
            "事業者名(カナ)",
            "フリガナ",
            "ふりがな",
            "事業者カナ",
        ],
    ),
    (Field::VendorAddress, &["所在地", "住所", "事業者所在地"]),
    (
        Field::VendorContact,
        &["担当者", "担当者名", "事業者担当者", "連絡担当者"],
    ),
    (
        Field::VendorPhone,
        &["電話番号", "電話", "連絡先電話番号", "TEL"],
    ),
    (
        Field::VendorEmail,
        &["メールアドレス", "メール", "E-mail", "Email", "電子メール"],
    ),
];

impl Field {
    pub const ALL: [Field; 27] = [
        Field::ContractNumber,
        Field::Title,
        Field::Department,
        Field::VendorName,
        Field::CorporateNumber,
        Field::InvoiceNumber,
        Field::VendorCode,
        Field::StartDate,
        Field::EndDate,
        Field::Period,
        Field::Amount,
        Field::PersonalData,
        Field::PersonalRecords,
        Field::Importance,
        Field::Cloud,
        Field::DeletionDays,
        Field::Subcontracting,
        Field::Clauses,
        Field::SensitiveData,
        Field::OutageCritical,
        Field::ReachesInternal,
        Field::Notes,
        Field::VendorKana,
        Field::VendorAddress,
        Field::VendorContact,
        Field::VendorPhone,
        Field::VendorEmail,
    ];

    /// The header name reported in messages.
    pub fn label(self) -> &'static str {
        self.synonyms()[0]
    }

    pub fn required(self) -> bool {
        matches!(
            self,
            Field::ContractNumber
                | Field::Title
                | Field::Department
                | Field::VendorName
                | Field::StartDate
                | Field::EndDate
        )
    }

    fn synonyms(self) -> &'static [&'static str] {
        HEADERS
            .iter()
            .find(|(field, _)| *field == self)
            .map_or(&[], |(_, names)| names)
    }
}

impl Column for Field {
    const ALL: &'static [Self] = &Field::ALL;
    fn synonyms(self) -> &'static [&'static str] {
        Field::synonyms(self)
    }
    fn required(self) -> bool {
        Field::required(self)
    }
}

#[cfg(test)]
mod tests {
    use super::{Field, HEADERS};

    #[test]
    fn every_column_has_header_names_once() {
        for field in Field::ALL {
            assert!(!field.synonyms().is_empty(), "{field:?}");
            assert_eq!(
                HEADERS.iter().filter(|(f, _)| *f == field).count(),
                1,
                "{field:?}"
            );
        }
    }
}
