-- A vendor is identified by its 法人番号 when it has one; a sole proprietor by its 適格請求書発行事業者登録番号
-- (T + 13 digits) or the municipality's 業者番号. SQLite cannot drop a NOT NULL or CHECK constraint, so the
-- table is rebuilt by SQLite's documented procedure (copy, drop, rename); `Db::migrate` runs migrations
-- with foreign-key enforcement off and checks every reference afterwards.
CREATE TABLE vendors_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    corporate_number TEXT UNIQUE CHECK (corporate_number IS NULL OR length(corporate_number) = 13),
    invoice_number TEXT UNIQUE CHECK (invoice_number IS NULL OR length(invoice_number) = 14),
    vendor_code TEXT UNIQUE CHECK (vendor_code IS NULL OR length(vendor_code) BETWEEN 1 AND 20),
    name TEXT NOT NULL,
    name_kana TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    contact_person TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (corporate_number IS NOT NULL OR invoice_number IS NOT NULL OR vendor_code IS NOT NULL)
);
INSERT INTO vendors_rebuilt (id, corporate_number, name, name_kana, address, contact_person, phone, email, created_at, updated_at)
    SELECT id, corporate_number, name, name_kana, address, contact_person, phone, email, created_at, updated_at FROM vendors;
DROP TABLE vendors;
ALTER TABLE vendors_rebuilt RENAME TO vendors;
CREATE INDEX vendors_name ON vendors (name);
-- What a check sheet's 回答者欄 gave may now be any of the three.
ALTER TABLE checklist_submissions RENAME COLUMN corporate_number TO respondent_identifier;
