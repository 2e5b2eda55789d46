-- Whether a later record of the same thing came in: a later check sheet or deletion certificate of the
-- contract, a later audit report of its fiscal year. The review queue counts the latest records waiting
-- on every staff page; asking each waiting record whether a later one exists cost 45-55 ms on PostgreSQL
-- at 300,000 contracts after every upload. A record is marked when the next one is inserted (SQLite
-- writes one transaction at a time, and ids only grow).
ALTER TABLE checklist_submissions ADD COLUMN superseded INTEGER NOT NULL DEFAULT 0 CHECK (superseded IN (0, 1));
ALTER TABLE audit_reports ADD COLUMN superseded INTEGER NOT NULL DEFAULT 0 CHECK (superseded IN (0, 1));
ALTER TABLE deletion_certificates ADD COLUMN superseded INTEGER NOT NULL DEFAULT 0 CHECK (superseded IN (0, 1));
UPDATE checklist_submissions SET superseded = 1 WHERE EXISTS
    (SELECT 1 FROM checklist_submissions u WHERE u.contract_id = checklist_submissions.contract_id
     AND u.id > checklist_submissions.id);
UPDATE audit_reports SET superseded = 1 WHERE EXISTS
    (SELECT 1 FROM audit_reports u WHERE u.contract_id = audit_reports.contract_id
     AND u.fiscal_year = audit_reports.fiscal_year AND u.id > audit_reports.id);
UPDATE deletion_certificates SET superseded = 1 WHERE EXISTS
    (SELECT 1 FROM deletion_certificates u WHERE u.contract_id = deletion_certificates.contract_id
     AND u.id > deletion_certificates.id);
CREATE TRIGGER checklist_submissions_supersede AFTER INSERT ON checklist_submissions BEGIN
    UPDATE checklist_submissions SET superseded = 1
    WHERE contract_id = NEW.contract_id AND id < NEW.id AND superseded = 0;
END;
CREATE TRIGGER audit_reports_supersede AFTER INSERT ON audit_reports BEGIN
    UPDATE audit_reports SET superseded = 1
    WHERE contract_id = NEW.contract_id AND fiscal_year = NEW.fiscal_year AND id < NEW.id AND superseded = 0;
END;
CREATE TRIGGER deletion_certificates_supersede AFTER INSERT ON deletion_certificates BEGIN
    UPDATE deletion_certificates SET superseded = 1
    WHERE contract_id = NEW.contract_id AND id < NEW.id AND superseded = 0;
END;
-- The latest records of a status, by contract: the queue's count and window read these alone.
CREATE INDEX checklist_submissions_current ON checklist_submissions (status, contract_id) WHERE superseded = 0;
CREATE INDEX audit_reports_current ON audit_reports (status, contract_id) WHERE superseded = 0;
CREATE INDEX deletion_certificates_current ON deletion_certificates (status, contract_id) WHERE superseded = 0;
