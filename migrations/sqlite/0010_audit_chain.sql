-- A tamper-evident audit log: each entry stores the hash of the one before it and its own hash
-- (SHA-256 over its canonical content), and the head row holds the last hash and id. An entry edited,
-- removed or inserted directly in the database (by someone who dropped the triggers) breaks the chain,
-- and `itaku audit verify` names the first entry that does not fit. Entries written before this
-- migration have no hash: the chain starts after them.
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_log ADD COLUMN entry_hash TEXT;

CREATE TABLE audit_chain_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    last_id INTEGER NOT NULL,
    last_hash TEXT NOT NULL CHECK (length(last_hash) = 64),
    entries INTEGER NOT NULL
);
INSERT INTO audit_chain_head (id, last_id, last_hash, entries)
    VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000', 0);
