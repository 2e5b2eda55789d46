-- Every table whose rows a server keeps query results of (`db::kept_reads`) has a version. A write
-- to such a table marks it in `table_changes` (these triggers), and the audit entry that every writing
-- transaction appends increments the marked tables' versions and clears the marks, under the audit
-- chain's lock (`db::audit::insert`): versions commit in order, and no other lock is taken. A reader
-- reads the versions and the marks in its own snapshot: a result kept at the same versions is the one
-- its query would give, and a marked table (written without an audit entry yet) is read afresh.
CREATE TABLE table_changes (name TEXT PRIMARY KEY);
DROP TRIGGER certifications_version_insert;
DROP TRIGGER certifications_version_update;
DROP TRIGGER certifications_version_delete;
DROP TRIGGER vendors_certifications_version;
INSERT INTO table_versions (name, version) VALUES
    ('contracts', 0),
    ('departments', 0),
    ('vendors', 0),
    ('contract_standings', 0),
    ('audit_standings', 0),
    ('checklist_standings', 0),
    ('subcontractors', 0),
    ('corrective_actions', 0),
    ('contract_clauses', 0),
    ('clause_obligations', 0),
    ('contract_star_conditions', 0),
    ('suspensions', 0),
    ('incident_contact_status', 0),
    ('incident_contact_confirmations', 0),
    ('certification_confirmations', 0);
CREATE TRIGGER contracts_changed_insert AFTER INSERT ON contracts BEGIN
    INSERT OR IGNORE INTO table_changes (name) VALUES ('contracts');
END;
CREATE TRIGGER contracts_changed_update AFTER UPDATE ON contracts BEGIN
    INSERT OR IGNORE INTO table_changes (name) VALUES ('contracts');
END;
CREATE TRIGGER contracts_changed_delete AFTER DELETE ON contracts BEGIN
    INSERT OR IGNORE INTO table_changes (name) VALUES ('contracts');
END;
CREATE TRIGGER departments_changed_insert AFTER INSERT ON departments BEGIN
    INSERT OR IGNORE INTO table_changes (name) VALUES ('departments');
END;
CREATE TRIGGER departments_changed_update AFTER UPDATE ON departments BEGIN
    INSERT OR IGNORE INTO table_changes (name) VALUES ('departments');
END;
CREATE TRIGGER departments_changed_delete AFTER DELETE ON departments BEGIN
    INSERT OR IGNORE INTO table_changes (name) VALUES ('departments');
END;
CREATE TRIGGER vendors_changed_insert AFTER INSERT ON vendors BEGIN
    INSERT OR IGNORE INTO table_changes (name) VALUES ('vendors');
END;
CREATE TRIGGER vendors_changed_update AFTER UPDATE ON vendors BEGIN
    INSERT OR IGNORE INTO table_changes (name) VALUES ('vendors');
END;
CREATE TRIGGER vendors_changed_delete AFTER DELETE ON vendors BEGIN
    INSERT OR IGNORE INTO table_changes (name) VALUES ('vendors');
END;
CREATE TRIGGER contract_standings_changed_insert AFTER INSERT ON contract_standings BEGIN
    INSERT OR IGNORE INTO table_changes (name) VALUES ('contract_standings');
END;
CREATE TRIGGER contract_standings_changed_update AFTER UPDATE ON contract_standings BEGIN
    INSERT OR IGNORE INTO table_changes (name) VALUES ('contract_standings');
END;
CREATE TRIGGER contract_standings_changed_delete AFTER DELETE ON contract_standings BEGIN
    INSERT OR IGNORE INTO table_changes (name) VALUES ('contract_standings');
END;
CREATE TRIGGER audit_standings_changed_insert AFTER INSERT ON audit_standings BEGIN
    INSERT OR IGNORE INTO table_changes (name) VALUES ('audit_standings');
END;
CREATE TRIGGER audit_standings_changed_update AFTER UPDATE ON audit_standings BEGIN
    INSERT OR IGNORE INTO table_changes (name) VALUES ('audit_standings');
END;
CREATE TRIGGER audit_standings_changed_delete AFTER DELETE ON audit_standings BEGIN
    INSERT OR IGNORE INTO table_changes (name) VALUES ('audit_standings');
END;
CREATE TRIGGER checklist_standings_changed_insert AFTER INSERT ON checklist_standings BEGIN
    INSERT OR IGNORE INTO table_changes (name) VALUES ('checklist_standings');
END;
CREATE TRIGGER checklist_standings_changed_update AFTER UPDATE ON checklist_standings BEGIN
    INSERT OR IGNORE INTO table_changes (name) VALUES ('checklist_standings');
END;
CREATE TRIGGER checklist_standings_changed_delete AFTER DELETE ON checklist_standings BEGIN
    INSERT OR IGNORE INTO table_changes (name) VALUES ('checklist_standings');
END;
CREATE TRIGGER subcontractors_changed_insert AFTER INSERT ON subcontractors BEGIN
    INSERT OR IGNORE INTO table_changes (name) VALUES ('subcontractors');
END;
CREATE TRIGGER subcontractors_changed_update AFTER UPDATE ON subcontractors BEGIN
    INSERT OR IGNORE INTO table_changes (name) VALUES ('subcontractors');
END;
CREATE TRIGGER subcontractors_changed_delete AFTER DELETE ON subcontractors BEGIN
    INSERT OR IGNORE INTO table_changes (name) VALUES ('subcontractors');
END;
CREATE TRIGGER corrective_actions_changed_insert AFTER INSERT ON corrective_actions BEGIN
    INSERT OR IGNORE INTO table_changes (name) VALUES ('corrective_actions');
END;
CREATE TRIGGER corrective_actions_changed_update AFTER UPDATE ON corrective_actions BEGIN
    INSERT OR IGNORE INTO table_changes (name) VALUES ('corrective_actions');
END;
CREATE TRIGGER corrective_actions_changed_delete AFTER DELETE ON corrective_actions BEGIN
    INSERT OR IGNORE INTO table_changes (name) VALUES ('corrective_actions');
END;
CREATE TRIGGER contract_clauses_changed_insert AFTER INSERT ON contract_clauses BEGIN
    INSERT OR IGNORE INTO table_changes (name) VALUES ('contract_clauses');
END;
CREATE TRIGGER contract_clauses_changed_update AFTER UPDATE ON contract_clauses BEGIN
    INSERT OR IGNORE INTO table_changes (name) VALUES ('contract_clauses');
END;
CREATE TRIGGER contract_clauses_changed_delete AFTER DELETE ON contract_clauses BEGIN
    INSERT OR IGNORE INTO table_changes (name) VALUES ('contract_clauses');
END;
CREATE TRIGGER clause_obligations_changed_insert AFTER INSERT ON clause_obligations BEGIN
    INSERT OR IGNORE INTO table_changes (name) VALUES ('clause_obligations');
END;
CREATE TRIGGER clause_obligations_changed_update AFTER UPDATE ON clause_obligations BEGIN
    INSERT OR IGNORE INTO table_changes (name) VALUES ('clause_obligations');
END;
CREATE TRIGGER clause_obligations_changed_delete AFTER DELETE ON clause_obligations BEGIN
    INSERT OR IGNORE INTO table_changes (name) VALUES ('clause_obligations');
END;
CREATE TRIGGER contract_star_conditions_changed_insert AFTER INSERT ON contract_star_conditions BEGIN
    INSERT OR IGNORE INTO table_changes (name) VALUES ('contract_star_conditions');
END;
CREATE TRIGGER contract_star_conditions_changed_update AFTER UPDATE ON contract_star_conditions BEGIN
    INSERT OR IGNORE INTO table_changes (name) VALUES ('contract_star_conditions');
END;
CREATE TRIGGER contract_star_conditions_changed_delete AFTER DELETE ON contract_star_conditions BEGIN
    INSERT OR IGNORE INTO table_changes (name) VALUES ('contract_star_conditions');
END;
CREATE TRIGGER suspensions_changed_insert AFTER INSERT ON suspensions BEGIN
    INSERT OR IGNORE INTO table_changes (name) VALUES ('suspensions');
END;
CREATE TRIGGER suspensions_changed_update AFTER UPDATE ON suspensions BEGIN
    INSERT OR IGNORE INTO table_changes (name) VALUES ('suspensions');
END;
CREATE TRIGGER suspensions_changed_delete AFTER DELETE ON suspensions BEGIN
    INSERT OR IGNORE INTO table_changes (name) VALUES ('suspensions');
END;
CREATE TRIGGER incident_contact_status_changed_insert AFTER INSERT ON incident_contact_status BEGIN
    INSERT OR IGNORE INTO table_changes (name) VALUES ('incident_contact_status');
END;
CREATE TRIGGER incident_contact_status_changed_update AFTER UPDATE ON incident_contact_status BEGIN
    INSERT OR IGNORE INTO table_changes (name) VALUES ('incident_contact_status');
END;
CREATE TRIGGER incident_contact_status_changed_delete AFTER DELETE ON incident_contact_status BEGIN
    INSERT OR IGNORE INTO table_changes (name) VALUES ('incident_contact_status');
END;
CREATE TRIGGER incident_contact_confirmations_changed_insert AFTER INSERT ON incident_contact_confirmations BEGIN
    INSERT OR IGNORE INTO table_changes (name) VALUES ('incident_contact_confirmations');
END;
CREATE TRIGGER incident_contact_confirmations_changed_update AFTER UPDATE ON incident_contact_confirmations BEGIN
    INSERT OR IGNORE INTO table_changes (name) VALUES ('incident_contact_confirmations');
END;
CREATE TRIGGER incident_contact_confirmations_changed_delete AFTER DELETE ON incident_contact_confirmations BEGIN
    INSERT OR IGNORE INTO table_changes (name) VALUES ('incident_contact_confirmations');
END;
CREATE TRIGGER certifications_changed_insert AFTER INSERT ON certifications BEGIN
    INSERT OR IGNORE INTO table_changes (name) VALUES ('certifications');
END;
CREATE TRIGGER certifications_changed_update AFTER UPDATE ON certifications BEGIN
    INSERT OR IGNORE INTO table_changes (name) VALUES ('certifications');
END;
CREATE TRIGGER certifications_changed_delete AFTER DELETE ON certifications BEGIN
    INSERT OR IGNORE INTO table_changes (name) VALUES ('certifications');
END;
CREATE TRIGGER certification_confirmations_changed_insert AFTER INSERT ON certification_confirmations BEGIN
    INSERT OR IGNORE INTO table_changes (name) VALUES ('certification_confirmations');
END;
CREATE TRIGGER certification_confirmations_changed_update AFTER UPDATE ON certification_confirmations BEGIN
    INSERT OR IGNORE INTO table_changes (name) VALUES ('certification_confirmations');
END;
CREATE TRIGGER certification_confirmations_changed_delete AFTER DELETE ON certification_confirmations BEGIN
    INSERT OR IGNORE INTO table_changes (name) VALUES ('certification_confirmations');
END;
-- A certification is read with its vendor's name and identifier.
CREATE TRIGGER vendors_certifications_changed
    AFTER UPDATE OF name, corporate_number, invoice_number, vendor_code ON vendors BEGIN
    INSERT OR IGNORE INTO table_changes (name) VALUES ('certifications');
END;
