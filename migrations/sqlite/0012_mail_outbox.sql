-- Reminders: each message is written here in the transaction that decides it is due (unique on the
-- obligation, its deadline, the stage and the recipient, so nothing is sent twice), then sent; a
-- failed send stays with its error and is retried with back-off. A stage that went out in a daily
-- digest (staff who chose one) is kept as `digested`, so the next digest does not repeat it.
CREATE TABLE mail_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    obligation TEXT NOT NULL,
    deadline TEXT NOT NULL,
    stage TEXT NOT NULL,
    recipient TEXT NOT NULL,
    audience TEXT NOT NULL CHECK (audience IN ('vendor', 'officer', 'ciso')),
    contract_id INTEGER REFERENCES contracts (id),
    contract_number TEXT NOT NULL DEFAULT '',
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'digested')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    next_attempt_at TEXT NOT NULL,
    claimed_at TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    smtp_response TEXT NOT NULL DEFAULT '',
    UNIQUE (obligation, deadline, stage, recipient)
);
CREATE INDEX mail_outbox_due ON mail_outbox (status, next_attempt_at);
