-- Two-factor sign-in (TOTP, RFC 6238): a user's secret (enabled once a first code was right), its
-- one-time recovery codes (kept as SHA-256 digests), and sign-ins that passed the password and wait
-- for the second factor.
CREATE TABLE user_mfa (
    user_id INTEGER PRIMARY KEY REFERENCES users (id),
    secret TEXT NOT NULL,
    enabled_at TEXT,
    last_step INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE mfa_recovery_codes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id),
    code_hash TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX mfa_recovery_codes_user ON mfa_recovery_codes (user_id);

CREATE TABLE sign_in_challenges (
    id_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    expires_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    ip TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT ''
);
