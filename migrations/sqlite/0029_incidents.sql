-- Incidents at a contractor: reported by the vendor (the report's time is the server's receipt time)
-- or recorded by staff who learnt of it elsewhere (then not reported by the vendor). The deadline is
-- the contract's reporting clause from the moment the vendor became aware; whether the report met it
-- is kept with it. Follow-ups (続報, 最終報告) and the municipality's notes form its timeline.
CREATE TABLE incidents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    contract_id INTEGER NOT NULL REFERENCES contracts (id),
    occurred_at TEXT,
    aware_at TEXT NOT NULL,
    reported_at TEXT NOT NULL,
    deadline_at TEXT NOT NULL,
    reported_by_vendor INTEGER NOT NULL CHECK (reported_by_vendor IN (0, 1)),
    on_time INTEGER NOT NULL CHECK (on_time IN (0, 1)),
    minutes_late INTEGER NOT NULL,
    summary TEXT NOT NULL,
    personal_data INTEGER NOT NULL CHECK (personal_data IN (0, 1)),
    records INTEGER,
    actions TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('responding', 'contained', 'closed')),
    closed_at TEXT,
    recorded_by TEXT NOT NULL
);
CREATE INDEX incidents_contract ON incidents (contract_id);
CREATE INDEX incidents_reported ON incidents (reported_at);
CREATE TABLE incident_updates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id INTEGER NOT NULL REFERENCES incidents (id),
    kind TEXT NOT NULL CHECK (kind IN ('first', 'follow_up', 'final', 'note')),
    body TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('responding', 'contained', 'closed')),
    at TEXT NOT NULL,
    written_by TEXT NOT NULL
);
CREATE INDEX incident_updates_incident ON incident_updates (incident_id);
