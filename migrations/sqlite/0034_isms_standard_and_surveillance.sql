-- The edition of ISO/IEC 27001 an ISMS certificate is against ('2013' or '2022'; '' when not recorded):
-- certificates against the 2013 edition count as expired after the transition ended (2025-10-31).
ALTER TABLE certifications ADD COLUMN standard TEXT NOT NULL DEFAULT '';

-- The yearly surveillance audits (維持審査) of an ISMS certificate.
CREATE TABLE certification_surveillances (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    certification_id INTEGER NOT NULL REFERENCES certifications (id),
    audited_on TEXT NOT NULL CHECK (audited_on LIKE '____-__-__'),
    result TEXT NOT NULL CHECK (result IN ('conforming', 'minor', 'major')),
    note TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX certification_surveillances_certification ON certification_surveillances (certification_id, audited_on);
