-- The review queue (every staff page's count, the home page's list) reads the records waiting for
-- review through these: the waiting ones by contract, and whether a later record of the same thing exists.
CREATE INDEX checklist_submissions_waiting ON checklist_submissions (contract_id, id) WHERE status = 'submitted';
CREATE INDEX audit_reports_waiting ON audit_reports (contract_id, fiscal_year, id) WHERE status = 'submitted';
CREATE INDEX deletion_certificates_waiting ON deletion_certificates (contract_id, id) WHERE status = 'submitted';
CREATE INDEX checklist_submissions_latest ON checklist_submissions (contract_id, id);
CREATE INDEX audit_reports_latest ON audit_reports (contract_id, fiscal_year, id);
CREATE INDEX deletion_certificates_latest ON deletion_certificates (contract_id, id);
