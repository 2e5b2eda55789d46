-- 予定価格 / 契約金額 of a tender, for policy rules that apply only above an amount.
ALTER TABLE tenders ADD COLUMN amount BIGINT CHECK (amount IS NULL OR amount >= 0);
