-- The review queue's count, on every staff page, is kept like the dashboard's queries (migration 0037):
-- the records waiting for review get versions too.
INSERT INTO table_versions (name, version) VALUES
    ('checklist_submissions', 0),
    ('audit_reports', 0),
    ('deletion_certificates', 0);
CREATE TRIGGER checklist_submissions_changed_insert AFTER INSERT ON checklist_submissions BEGIN
    INSERT OR IGNORE INTO table_changes (name) VALUES ('checklist_submissions');
END;
CREATE TRIGGER checklist_submissions_changed_update AFTER UPDATE ON checklist_submissions BEGIN
    INSERT OR IGNORE INTO table_changes (name) VALUES ('checklist_submissions');
END;
CREATE TRIGGER checklist_submissions_changed_delete AFTER DELETE ON checklist_submissions BEGIN
    INSERT OR IGNORE INTO table_changes (name) VALUES ('checklist_submissions');
END;
CREATE TRIGGER audit_reports_changed_insert AFTER INSERT ON audit_reports BEGIN
    INSERT OR IGNORE INTO table_changes (name) VALUES ('audit_reports');
END;
CREATE TRIGGER audit_reports_changed_update AFTER UPDATE ON audit_reports BEGIN
    INSERT OR IGNORE INTO table_changes (name) VALUES ('audit_reports');
END;
CREATE TRIGGER audit_reports_changed_delete AFTER DELETE ON audit_reports BEGIN
    INSERT OR IGNORE INTO table_changes (name) VALUES ('audit_reports');
END;
CREATE TRIGGER deletion_certificates_changed_insert AFTER INSERT ON deletion_certificates BEGIN
    INSERT OR IGNORE INTO table_changes (name) VALUES ('deletion_certificates');
END;
CREATE TRIGGER deletion_certificates_changed_update AFTER UPDATE ON deletion_certificates BEGIN
    INSERT OR IGNORE INTO table_changes (name) VALUES ('deletion_certificates');
END;
CREATE TRIGGER deletion_certificates_changed_delete AFTER DELETE ON deletion_certificates BEGIN
    INSERT OR IGNORE INTO table_changes (name) VALUES ('deletion_certificates');
END;
