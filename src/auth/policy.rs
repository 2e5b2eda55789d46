//! The one place that decides who may do what. Guards and services ask it; handlers never decide.

use super::{Role, User};
use crate::domain::ids::{DepartmentId, VendorId};

/// Which contracts a reader may see; every list and lookup is narrowed by it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Visibility {
    All,
    Departments(Vec<DepartmentId>),
    Vendor(VendorId),
}

impl Visibility {
    /// Whether a contract of this department and vendor is within this visibility (`db::contracts`
    /// writes the same rule as SQL).
    pub fn includes(&self, department_id: DepartmentId, vendor_id: VendorId) -> bool {
        match self {
            Visibility::All => true,
            Visibility::Departments(ids) => ids.contains(&department_id),
            Visibility::Vendor(id) => *id == vendor_id,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Departments and the vendor directory.
    ViewRegistry,
    /// Register and edit vendors and contracts (within the contracts one may see).
    EditRegistry,
    ImportLedger,
    ManageDepartments,
    ManageUsers,
    ViewAuditLog,
    /// Add scoring policies for bid evaluation.
    ManagePolicies,
}

/// What a change may touch: which contracts, and under which departments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditScope {
    pub contracts: Visibility,
    /// `None`: any department, including new ones (administrators and the command line).
    pub departments: Option<Vec<DepartmentId>>,
}

impl EditScope {
    /// Everything: the command line run by whoever administers the server.
    pub fn everything() -> Self {
        EditScope {
            contracts: Visibility::All,
            departments: None,
        }
    }
    pub fn may_use_department(&self, department_id: DepartmentId) -> bool {
        self.departments
            .as_ref()
            .is_none_or(|ids| ids.contains(&department_id))
    }
    pub fn may_create_departments(&self) -> bool {
        self.departments.is_none()
    }
}

/// Which vendors a user may change; `WorkingWith` needs the database to answer (see
/// `services::vendors::authorize`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VendorRights {
    Any,
    /// Vendors with a contract or a tender bid in one of these departments.
    WorkingWith(Vec<DepartmentId>),
    /// A vendor user's own vendor.
    Itself(VendorId),
    Nobody,
}

impl VendorRights {
    /// Whether the one deciding is staff: what staff record about a certificate is verified.
    pub fn is_staff(&self) -> bool {
        matches!(self, VendorRights::Any | VendorRights::WorkingWith(_))
    }
}

impl User {
    /// What this user may change, if anything.
    pub fn edit_scope(&self) -> Option<EditScope> {
        match self.role {
            Role::Admin => Some(EditScope::everything()),
            Role::Officer => Some(EditScope {
                contracts: self.contract_visibility(),
                departments: Some(self.department_ids.clone()),
            }),
            Role::Ciso | Role::Vendor => None,
        }
    }

    pub fn may(&self, permission: Permission) -> bool {
        use Permission::*;
        match self.role {
            Role::Admin => true,
            Role::Officer => matches!(permission, ViewRegistry | EditRegistry | ImportLedger),
            Role::Ciso => matches!(permission, ViewRegistry | ViewAuditLog),
            Role::Vendor => false,
        }
    }

    /// The contracts this user may read; lists, searches and lookups are all narrowed by it.
    pub fn contract_visibility(&self) -> Visibility {
        match self.role {
            Role::Admin | Role::Ciso => Visibility::All,
            Role::Officer => Visibility::Departments(self.department_ids.clone()),
            Role::Vendor => Visibility::Vendor(self.vendor_id.unwrap_or(VendorId::new(0))),
        }
    }

    /// The tenders this user may read: staff by department as for contracts; vendors read their own
    /// bids through the portal instead, never a tender page.
    pub fn tender_visibility(&self) -> Option<Visibility> {
        match self.role {
            Role::Vendor => None,
            _ => Some(self.contract_visibility()),
        }
    }

    /// The contracts this user may submit check sheets for: a vendor its own, editors those they may edit.
    pub fn submission_scope(&self) -> Option<Visibility> {
        match self.role {
            Role::Vendor => Some(self.contract_visibility()),
            _ => self.edit_scope().map(|scope| scope.contracts),
        }
    }

    /// Whose vendor records this user may change: administrators any; an officer only vendors its
    /// departments work with (a contract or a tender), since a vendor's record and certificates move
    /// the scores of every tender it bids in.
    pub fn vendor_rights(&self) -> VendorRights {
        match self.role {
            Role::Admin => VendorRights::Any,
            Role::Officer => VendorRights::WorkingWith(self.department_ids.clone()),
            Role::Ciso | Role::Vendor => VendorRights::Nobody,
        }
    }

    /// Whose certificates this user may record: staff as for vendor records (and what staff record is
    /// verified), a vendor its own (declared until staff verify it).
    pub fn certificate_rights(&self) -> VendorRights {
        match self.role {
            Role::Vendor => VendorRights::Itself(self.vendor_id.unwrap_or(VendorId::new(0))),
            _ => self.vendor_rights(),
        }
    }

    /// The only vendor record this user may see, when limited to one.
    pub fn own_vendor(&self) -> Option<VendorId> {
        match self.role {
            Role::Vendor => Some(self.vendor_id.unwrap_or(VendorId::new(0))),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::UserId;

    fn user(role: Role) -> User {
        User {
            id: UserId::new(1),
            email: "x@example.jp".into(),
            display_name: String::new(),
            role,
            vendor_id: (role == Role::Vendor).then_some(VendorId::new(7)),
            department_ids: if role == Role::Officer {
                vec![DepartmentId::new(3)]
            } else {
                vec![]
            },
        }
    }

    #[test]
    fn each_role() {
        assert!(user(Role::Admin).may(Permission::ManageUsers));
        assert!(!user(Role::Officer).may(Permission::ManageUsers));
        assert!(user(Role::Officer).may(Permission::ImportLedger));
        assert!(!user(Role::Ciso).may(Permission::EditRegistry));
        assert!(user(Role::Ciso).may(Permission::ViewAuditLog));
        assert!(!user(Role::Vendor).may(Permission::ViewRegistry));
        assert_eq!(
            user(Role::Vendor).contract_visibility(),
            Visibility::Vendor(VendorId::new(7))
        );
        assert_eq!(
            user(Role::Officer).contract_visibility(),
            Visibility::Departments(vec![DepartmentId::new(3)])
        );
        let officer = user(Role::Officer).edit_scope().unwrap();
        assert!(officer.may_use_department(DepartmentId::new(3)));
        assert!(!officer.may_use_department(DepartmentId::new(4)));
        assert!(!officer.may_create_departments());
        assert!(user(Role::Admin)
            .edit_scope()
            .unwrap()
            .may_create_departments());
        assert_eq!(user(Role::Ciso).edit_scope(), None);
        assert_eq!(
            user(Role::Vendor).certificate_rights(),
            VendorRights::Itself(VendorId::new(7))
        );
        assert_eq!(user(Role::Vendor).vendor_rights(), VendorRights::Nobody);
        assert_eq!(
            user(Role::Officer).certificate_rights(),
            VendorRights::WorkingWith(vec![DepartmentId::new(3)])
        );
        assert_eq!(user(Role::Ciso).certificate_rights(), VendorRights::Nobody);
        assert!(user(Role::Admin).certificate_rights().is_staff());
        assert_eq!(user(Role::Vendor).edit_scope(), None);
    }
}
