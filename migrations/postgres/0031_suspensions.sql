-- 指名停止: periods in which a company may not bid, as the contract office decides them. Kept by 法人番号,
-- so the municipality's whole list can be imported, also for companies not (yet) registered as vendors.
CREATE TABLE suspensions (
    id BIGSERIAL PRIMARY KEY,
    corporate_number TEXT NOT NULL CHECK (length(corporate_number) = 13),
    company_name TEXT NOT NULL,
    starts_on TEXT NOT NULL CHECK (starts_on LIKE '____-__-__'),
    ends_on TEXT NOT NULL CHECK (ends_on LIKE '____-__-__'),
    reason TEXT NOT NULL,
    document_number TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    CHECK (starts_on <= ends_on),
    UNIQUE (corporate_number, starts_on)
);
CREATE INDEX suspensions_period ON suspensions (ends_on, starts_on);
