-- Every table whose rows a server keeps query results of (`db::kept_reads`) has a version. A write
-- to such a table marks it in `table_changes` (these triggers), and the audit entry that every writing
-- transaction appends increments the marked tables' versions and clears the marks, under the audit
-- chain's lock (`db::audit::insert`): versions commit in order, and no other lock is taken. A reader
-- reads the versions and the marks in its own snapshot: a result kept at the same versions is the one
-- its query would give, and a marked table (written without an audit entry yet) is read afresh.
-- (No key: two writers marking the same table must not wait for each other.)
CREATE TABLE table_changes (name TEXT NOT NULL);
DROP TRIGGER certifications_version ON certifications;
DROP TRIGGER vendors_certifications_version ON vendors;
DROP FUNCTION certifications_changed();
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
CREATE FUNCTION table_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO table_changes (name) VALUES (TG_ARGV[0]);
    RETURN NULL;
END;
$$;
CREATE TRIGGER contracts_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON contracts
    FOR EACH STATEMENT EXECUTE FUNCTION table_changed('contracts');
CREATE TRIGGER departments_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON departments
    FOR EACH STATEMENT EXECUTE FUNCTION table_changed('departments');
CREATE TRIGGER vendors_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON vendors
    FOR EACH STATEMENT EXECUTE FUNCTION table_changed('vendors');
CREATE TRIGGER contract_standings_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON contract_standings
    FOR EACH STATEMENT EXECUTE FUNCTION table_changed('contract_standings');
CREATE TRIGGER audit_standings_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON audit_standings
    FOR EACH STATEMENT EXECUTE FUNCTION table_changed('audit_standings');
CREATE TRIGGER checklist_standings_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON checklist_standings
    FOR EACH STATEMENT EXECUTE FUNCTION table_changed('checklist_standings');
CREATE TRIGGER subcontractors_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON subcontractors
    FOR EACH STATEMENT EXECUTE FUNCTION table_changed('subcontractors');
CREATE TRIGGER corrective_actions_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON corrective_actions
    FOR EACH STATEMENT EXECUTE FUNCTION table_changed('corrective_actions');
CREATE TRIGGER contract_clauses_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON contract_clauses
    FOR EACH STATEMENT EXECUTE FUNCTION table_changed('contract_clauses');
CREATE TRIGGER clause_obligations_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON clause_obligations
    FOR EACH STATEMENT EXECUTE FUNCTION table_changed('clause_obligations');
CREATE TRIGGER contract_star_conditions_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON contract_star_conditions
    FOR EACH STATEMENT EXECUTE FUNCTION table_changed('contract_star_conditions');
CREATE TRIGGER suspensions_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON suspensions
    FOR EACH STATEMENT EXECUTE FUNCTION table_changed('suspensions');
CREATE TRIGGER incident_contact_status_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON incident_contact_status
    FOR EACH STATEMENT EXECUTE FUNCTION table_changed('incident_contact_status');
CREATE TRIGGER incident_contact_confirmations_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON incident_contact_confirmations
    FOR EACH STATEMENT EXECUTE FUNCTION table_changed('incident_contact_confirmations');
CREATE TRIGGER certifications_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON certifications
    FOR EACH STATEMENT EXECUTE FUNCTION table_changed('certifications');
CREATE TRIGGER certification_confirmations_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON certification_confirmations
    FOR EACH STATEMENT EXECUTE FUNCTION table_changed('certification_confirmations');
-- A certification is read with its vendor's name and identifier.
CREATE TRIGGER vendors_certifications_changed
    AFTER UPDATE OF name, corporate_number, invoice_number, vendor_code ON vendors
    FOR EACH STATEMENT EXECUTE FUNCTION table_changed('certifications');
