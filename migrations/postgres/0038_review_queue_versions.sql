-- The review queue's count, on every staff page, is kept like the dashboard's queries (migration 0037):
-- the records waiting for review get versions too.
INSERT INTO table_versions (name, version) VALUES
    ('checklist_submissions', 0),
    ('audit_reports', 0),
    ('deletion_certificates', 0);
CREATE TRIGGER checklist_submissions_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON checklist_submissions
    FOR EACH STATEMENT EXECUTE FUNCTION table_changed('checklist_submissions');
CREATE TRIGGER audit_reports_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON audit_reports
    FOR EACH STATEMENT EXECUTE FUNCTION table_changed('audit_reports');
CREATE TRIGGER deletion_certificates_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON deletion_certificates
    FOR EACH STATEMENT EXECUTE FUNCTION table_changed('deletion_certificates');
