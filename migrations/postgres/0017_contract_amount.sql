-- 契約金額: the contract's amount in yen, as the ledger or the officer gives it (unknown for older contracts).
ALTER TABLE contracts ADD COLUMN amount BIGINT CHECK (amount IS NULL OR amount >= 0);
