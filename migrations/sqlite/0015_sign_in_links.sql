-- Sign-in by e-mail link for vendor users: single use, valid 15 minutes, bound to one user; only the
-- link's SHA-256 is kept.
CREATE TABLE sign_in_links (
    id_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX sign_in_links_user ON sign_in_links (user_id, created_at);
