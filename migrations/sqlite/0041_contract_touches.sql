-- Touches name the contract too: a list's window of entries kept (`db::kept_reads::fetch_window`)
-- is read again for the contracts written since, not whole. A write to `contracts` notes the contract
-- with its department and vendor before and after (these triggers), so that a contract's title,
-- number or period edited brings the lists forward like its standings do. Past 300 rows noted by one
-- transaction (a ledger's import, a seed) one row with no contract, department or vendor stands for
-- every one of them.
ALTER TABLE standing_touches ADD COLUMN contract_id BIGINT;
-- The contracts' touches, noted through this view so that the limit is written once.
CREATE VIEW contract_touches (contract_id, department_id, vendor_id) AS
    SELECT contract_id, department_id, vendor_id FROM standing_touches WHERE name = 'contracts';
CREATE TRIGGER contract_touches_noted INSTEAD OF INSERT ON contract_touches BEGIN
    INSERT INTO standing_touches (name, contract_id, department_id, vendor_id)
    SELECT 'contracts', CASE WHEN noted < 299 THEN NEW.contract_id END,
        CASE WHEN noted < 299 THEN NEW.department_id END, CASE WHEN noted < 299 THEN NEW.vendor_id END
    FROM (SELECT COUNT(*) AS noted FROM (SELECT 1 FROM standing_touches
        WHERE name = 'contracts' AND version IS NULL LIMIT 300)) WHERE noted < 300;
END;
CREATE TRIGGER contracts_touched_insert AFTER INSERT ON contracts BEGIN
    INSERT INTO contract_touches VALUES (NEW.id, NEW.department_id, NEW.vendor_id);
END;
CREATE TRIGGER contracts_touched_update AFTER UPDATE ON contracts BEGIN
    INSERT INTO contract_touches VALUES (NEW.id, NEW.department_id, NEW.vendor_id);
    INSERT INTO contract_touches SELECT OLD.id, OLD.department_id, OLD.vendor_id
    WHERE OLD.department_id <> NEW.department_id OR OLD.vendor_id <> NEW.vendor_id OR OLD.id <> NEW.id;
END;
CREATE TRIGGER contracts_touched_delete AFTER DELETE ON contracts BEGIN
    INSERT INTO contract_touches VALUES (OLD.id, OLD.department_id, OLD.vendor_id);
END;
