-- Versions of the tables a server keeps in memory between reads. Every write to such a table
-- increments its version in the writing transaction (these triggers), so a reader that reads the
-- version and the rows in one snapshot knows whether what it keeps is those rows.
CREATE TABLE table_versions (
    name TEXT PRIMARY KEY,
    version BIGINT NOT NULL
);
INSERT INTO table_versions (name, version) VALUES ('certifications', 0);

CREATE FUNCTION certifications_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE table_versions SET version = version + 1 WHERE name = 'certifications';
    RETURN NULL;
END;
$$;
CREATE TRIGGER certifications_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON certifications
    FOR EACH STATEMENT EXECUTE FUNCTION certifications_changed();
-- A certification is read with its vendor's name and identifier.
CREATE TRIGGER vendors_certifications_version
    AFTER UPDATE OF name, corporate_number, invoice_number, vendor_code ON vendors
    FOR EACH STATEMENT EXECUTE FUNCTION certifications_changed();
