//! The global menu: the pages a role works in, the current one marked, the counts of waiting work.

use crate::auth::Role;
use crate::web::guards::Chrome;

/// One entry of the global menu.
pub struct MenuItem {
    pub href: String,
    pub label: &'static str,
    /// A count shown beside the label, and what it counts for screen readers.
    pub count: Option<(i64, &'static str)>,
    pub current: bool,
}

impl Chrome {
    /// The menu for this user's role, in the order people work through it.
    pub fn menu(&self) -> Vec<MenuItem> {
        let entry = |href: &str, label| MenuItem {
            href: href.to_string(),
            label,
            count: None,
            current: false,
        };
        let mut items = Vec::new();
        if self.is_vendor() {
            items.push(entry("/", "自社の契約"));
            items.push(entry("/bids", "入札案件"));
            if let Some(vendor) = self.user.vendor_id {
                items.push(entry(&format!("/vendors/{vendor}"), "自社の情報・認証"));
            }
        } else {
            if self.user.role != Role::Ciso {
                let waiting = Some(self.counts.waiting).filter(|n| *n > 0);
                items.push(MenuItem {
                    count: waiting.map(|n| (n, "確認待ち")),
                    ..entry("/", "ホーム")
                });
            }
            items.push(entry("/dashboard", "セキュリティ状況"));
            items.push(entry("/contracts", "契約"));
            items.push(entry("/vendors", "事業者"));
            items.push(entry("/tenders", "入札評価"));
            items.push(entry("/suspensions", "指名停止"));
            items.push(entry("/requests", "一斉依頼"));
            items.push(entry("/departments", "所管課"));
            if self.may_import() {
                items.push(entry("/ledger", "契約台帳の取込"));
                items.push(entry("/certifications/import", "認証一覧の取込"));
            }
            if self.may_manage_users() {
                items.push(entry("/admin/users", "ユーザー・設定"));
            }
            if self.may_read_audit_log() {
                items.push(entry("/audit", "監査ログ"));
            }
        }
        let current = self.current_href(items.iter().map(|item| item.href.as_str()));
        for item in &mut items {
            item.current = current.as_deref() == Some(item.href.as_str());
        }
        items
    }

    /// The menu entry the current page belongs to: the longest one that prefixes the path.
    /// The CISO's home is the dashboard.
    fn current_href<'a>(&self, hrefs: impl Iterator<Item = &'a str>) -> Option<String> {
        let path = if self.path == "/" && self.user.role == Role::Ciso {
            "/dashboard"
        } else {
            self.path.as_str()
        };
        hrefs
            .filter(|href| {
                path == *href
                    || (*href != "/"
                        && path.starts_with(href)
                        && path[href.len()..].starts_with('/'))
            })
            .max_by_key(|href| href.len())
            .map(str::to_string)
    }

    /// The role shown beside the user's name, unless the name already says it (a user named 「CISO」).
    pub fn shown_role(&self) -> Option<&'static str> {
        Some(self.role_label()).filter(|role| *role != self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{Actor, User};
    use crate::domain::ids::{UserId, VendorId};

    fn chrome(role: Role, path: &str, name: &str) -> Chrome {
        let user = User {
            id: UserId::new(1),
            email: "someone@example.jp".into(),
            display_name: name.into(),
            role,
            vendor_id: (role == Role::Vendor).then(|| VendorId::new(7)),
            department_ids: Vec::new(),
        };
        Chrome {
            actor: Actor::user(&user, "127.0.0.1"),
            user,
            csrf: String::new(),
            counts: Default::default(),
            path: path.into(),
        }
    }

    fn current(chrome: &Chrome) -> Vec<String> {
        chrome
            .menu()
            .into_iter()
            .filter(|item| item.current)
            .map(|item| item.href)
            .collect()
    }

    #[test]
    fn the_current_page_is_marked_by_its_section() {
        assert_eq!(
            current(&chrome(Role::Officer, "/contracts/12/edit", "")),
            ["/contracts"]
        );
        assert_eq!(current(&chrome(Role::Officer, "/", "")), ["/"]);
        assert_eq!(current(&chrome(Role::Ciso, "/", "")), ["/dashboard"]);
        assert_eq!(
            current(&chrome(Role::Vendor, "/vendors/7", "")),
            ["/vendors/7"]
        );
        assert!(current(&chrome(Role::Officer, "/contractsx", "")).is_empty());
        assert!(current(&chrome(Role::Admin, "/account", "")).is_empty());
    }

    #[test]
    fn the_role_is_shown_once() {
        assert_eq!(chrome(Role::Ciso, "/", "CISO").shown_role(), None);
        assert_eq!(
            chrome(Role::Officer, "/", "山田 花子").shown_role(),
            Some("契約担当")
        );
    }
}
