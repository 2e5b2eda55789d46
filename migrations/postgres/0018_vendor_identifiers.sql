-- A vendor is identified by its 法人番号 when it has one; a sole proprietor by its 適格請求書発行事業者登録番号
-- (T + 13 digits) or the municipality's 業者番号.
ALTER TABLE vendors ALTER COLUMN corporate_number DROP NOT NULL;
ALTER TABLE vendors ADD COLUMN invoice_number TEXT UNIQUE CHECK (invoice_number IS NULL OR length(invoice_number) = 14);
ALTER TABLE vendors ADD COLUMN vendor_code TEXT UNIQUE CHECK (vendor_code IS NULL OR length(vendor_code) BETWEEN 1 AND 20);
ALTER TABLE vendors ADD CONSTRAINT vendors_identified
    CHECK (corporate_number IS NOT NULL OR invoice_number IS NOT NULL OR vendor_code IS NOT NULL);
-- What a check sheet's 回答者欄 gave may now be any of the three.
ALTER TABLE checklist_submissions RENAME COLUMN corporate_number TO respondent_identifier;
