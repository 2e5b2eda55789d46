-- The home page lists the oldest records waiting for review (or returned). Each kind's oldest are
-- read through these, by status and arrival, so that an upload of one kind leaves the other kinds'
-- windows kept and no read walks every current record to sort it (190 ms at 300,000 contracts).
CREATE INDEX checklist_submissions_queue ON checklist_submissions (status, uploaded_at, id) WHERE superseded = 0;
CREATE INDEX audit_reports_queue ON audit_reports (status, submitted_at, id) WHERE superseded = 0;
CREATE INDEX deletion_certificates_queue ON deletion_certificates (status, submitted_at, id) WHERE superseded = 0;
