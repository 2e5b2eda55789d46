-- Versions of the tables a server keeps in memory between reads. Every write to such a table
-- increments its version in the writing transaction (these triggers), so a reader that reads the
-- version and the rows in one snapshot knows whether what it keeps is those rows.
CREATE TABLE table_versions (
    name TEXT PRIMARY KEY,
    version INTEGER NOT NULL
);
INSERT INTO table_versions (name, version) VALUES ('certifications', 0);

CREATE TRIGGER certifications_version_insert AFTER INSERT ON certifications BEGIN
    UPDATE table_versions SET version = version + 1 WHERE name = 'certifications';
END;
CREATE TRIGGER certifications_version_update AFTER UPDATE ON certifications BEGIN
    UPDATE table_versions SET version = version + 1 WHERE name = 'certifications';
END;
CREATE TRIGGER certifications_version_delete AFTER DELETE ON certifications BEGIN
    UPDATE table_versions SET version = version + 1 WHERE name = 'certifications';
END;
-- A certification is read with its vendor's name and identifier.
CREATE TRIGGER vendors_certifications_version
    AFTER UPDATE OF name, corporate_number, invoice_number, vendor_code ON vendors BEGIN
    UPDATE table_versions SET version = version + 1 WHERE name = 'certifications';
END;
