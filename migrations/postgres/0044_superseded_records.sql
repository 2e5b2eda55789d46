-- Whether a later record of the same thing came in: a later check sheet or deletion certificate of the
-- contract, a later audit report of its fiscal year. The review queue counts the latest records waiting
-- on every staff page; asking each waiting record whether a later one exists cost 45-55 ms on PostgreSQL
-- at 300,000 contracts after every upload. A record is marked when the next one is inserted. Inserts of
-- records of one contract wait for each other (a lock on the contract's row until commit; each of the
-- trigger's statements then sees the other's record), and an insert marks itself too when a record with a
-- larger id is already there: ids are not handed out in commit order.
ALTER TABLE checklist_submissions ADD COLUMN superseded BIGINT NOT NULL DEFAULT 0 CHECK (superseded IN (0, 1));
ALTER TABLE audit_reports ADD COLUMN superseded BIGINT NOT NULL DEFAULT 0 CHECK (superseded IN (0, 1));
ALTER TABLE deletion_certificates ADD COLUMN superseded BIGINT NOT NULL DEFAULT 0 CHECK (superseded IN (0, 1));
UPDATE checklist_submissions t SET superseded = 1 WHERE EXISTS
    (SELECT 1 FROM checklist_submissions u WHERE u.contract_id = t.contract_id AND u.id > t.id);
UPDATE audit_reports t SET superseded = 1 WHERE EXISTS
    (SELECT 1 FROM audit_reports u WHERE u.contract_id = t.contract_id
     AND u.fiscal_year = t.fiscal_year AND u.id > t.id);
UPDATE deletion_certificates t SET superseded = 1 WHERE EXISTS
    (SELECT 1 FROM deletion_certificates u WHERE u.contract_id = t.contract_id AND u.id > t.id);
-- checklist_submissions: a later check sheet of the contract.
CREATE FUNCTION checklist_submissions_supersede() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Not FOR UPDATE: the insert's foreign key holds FOR KEY SHARE on the contract, and two inserts
    -- each waiting for the other's share would deadlock.
    PERFORM 1 FROM contracts WHERE id = NEW.contract_id FOR NO KEY UPDATE;
    UPDATE checklist_submissions SET superseded = 1
    WHERE contract_id = NEW.contract_id AND id < NEW.id AND superseded = 0;
    UPDATE checklist_submissions SET superseded = 1 WHERE id = NEW.id AND EXISTS
        (SELECT 1 FROM checklist_submissions u WHERE u.contract_id = NEW.contract_id AND u.id > NEW.id);
    RETURN NULL;
END;
$$;
CREATE TRIGGER checklist_submissions_supersede AFTER INSERT ON checklist_submissions
    FOR EACH ROW EXECUTE FUNCTION checklist_submissions_supersede();
-- audit_reports: a later audit report of the contract's fiscal year.
CREATE FUNCTION audit_reports_supersede() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Not FOR UPDATE: the insert's foreign key holds FOR KEY SHARE on the contract, and two inserts
    -- each waiting for the other's share would deadlock.
    PERFORM 1 FROM contracts WHERE id = NEW.contract_id FOR NO KEY UPDATE;
    UPDATE audit_reports SET superseded = 1
    WHERE contract_id = NEW.contract_id AND fiscal_year = NEW.fiscal_year AND id < NEW.id AND superseded = 0;
    UPDATE audit_reports SET superseded = 1 WHERE id = NEW.id AND EXISTS
        (SELECT 1 FROM audit_reports u WHERE u.contract_id = NEW.contract_id AND u.fiscal_year = NEW.fiscal_year AND u.id > NEW.id);
    RETURN NULL;
END;
$$;
CREATE TRIGGER audit_reports_supersede AFTER INSERT ON audit_reports
    FOR EACH ROW EXECUTE FUNCTION audit_reports_supersede();
-- deletion_certificates: a later deletion certificate of the contract.
CREATE FUNCTION deletion_certificates_supersede() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Not FOR UPDATE: the insert's foreign key holds FOR KEY SHARE on the contract, and two inserts
    -- each waiting for the other's share would deadlock.
    PERFORM 1 FROM contracts WHERE id = NEW.contract_id FOR NO KEY UPDATE;
    UPDATE deletion_certificates SET superseded = 1
    WHERE contract_id = NEW.contract_id AND id < NEW.id AND superseded = 0;
    UPDATE deletion_certificates SET superseded = 1 WHERE id = NEW.id AND EXISTS
        (SELECT 1 FROM deletion_certificates u WHERE u.contract_id = NEW.contract_id AND u.id > NEW.id);
    RETURN NULL;
END;
$$;
CREATE TRIGGER deletion_certificates_supersede AFTER INSERT ON deletion_certificates
    FOR EACH ROW EXECUTE FUNCTION deletion_certificates_supersede();
-- The latest records of a status, by contract: the queue's count and window read these alone.
CREATE INDEX checklist_submissions_current ON checklist_submissions (status, contract_id) WHERE superseded = 0;
CREATE INDEX audit_reports_current ON audit_reports (status, contract_id) WHERE superseded = 0;
CREATE INDEX deletion_certificates_current ON deletion_certificates (status, contract_id) WHERE superseded = 0;
ANALYZE checklist_submissions;
ANALYZE audit_reports;
ANALYZE deletion_certificates;
