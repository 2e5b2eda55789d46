-- A certificate a vendor declares for itself counts only once staff have verified it (against the
-- certificate file or the issuer's public register). Certificates recorded before this change are
-- declared: staff verify them once.
ALTER TABLE certifications ADD COLUMN verification TEXT NOT NULL DEFAULT 'declared'
    CHECK (verification IN ('declared', 'verified', 'returned'));
ALTER TABLE certifications ADD COLUMN verified_by TEXT NOT NULL DEFAULT '';
ALTER TABLE certifications ADD COLUMN verified_at TEXT;
ALTER TABLE certifications ADD COLUMN verification_note TEXT NOT NULL DEFAULT '';
CREATE INDEX certifications_verification ON certifications (verification);
