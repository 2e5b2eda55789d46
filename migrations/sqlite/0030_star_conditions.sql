-- METI's three conditions for a contract (★4 when any holds, else ★3), as the officer records them.
CREATE TABLE contract_star_conditions (
    contract_id INTEGER PRIMARY KEY REFERENCES contracts (id),
    sensitive_data INTEGER NOT NULL CHECK (sensitive_data IN (0, 1)),
    outage_critical INTEGER NOT NULL CHECK (outage_critical IN (0, 1)),
    reaches_internal INTEGER NOT NULL CHECK (reaches_internal IN (0, 1)),
    updated_at TEXT NOT NULL
);
