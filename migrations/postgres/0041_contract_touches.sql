-- Touches name the contract too: a list's window of entries kept (`db::kept_reads::fetch_window`)
-- is read again for the contracts written since, not whole. A write to `contracts` notes the contract
-- with its department and vendor before and after (these triggers), so that a contract's title,
-- number or period edited brings the lists forward like its standings do. Past 300 rows noted by one
-- transaction (a ledger's import, a seed) one row with no contract, department or vendor stands for
-- every one of them.
ALTER TABLE standing_touches ADD COLUMN contract_id BIGINT;
CREATE FUNCTION contracts_touched() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    noted BIGINT;
    written BIGINT;
BEGIN
    SELECT COUNT(*) INTO noted FROM (SELECT 1 FROM standing_touches
        WHERE name = 'contracts' AND version IS NULL LIMIT 300) n;
    IF TG_OP = 'INSERT' THEN
        SELECT COUNT(*) INTO written FROM new_rows;
    ELSIF TG_OP = 'UPDATE' THEN
        SELECT 2 * COUNT(*) INTO written FROM new_rows;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT COUNT(*) INTO written FROM old_rows;
    ELSE
        written := 300;
    END IF;
    IF noted >= 300 THEN
        RETURN NULL;
    ELSIF noted + written >= 300 THEN
        INSERT INTO standing_touches (name) VALUES ('contracts');
    ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO standing_touches (name, contract_id, department_id, vendor_id)
        SELECT 'contracts', id, department_id, vendor_id FROM new_rows;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO standing_touches (name, contract_id, department_id, vendor_id)
        SELECT 'contracts', id, department_id, vendor_id FROM new_rows
        UNION SELECT 'contracts', id, department_id, vendor_id FROM old_rows;
    ELSE
        INSERT INTO standing_touches (name, contract_id, department_id, vendor_id)
        SELECT 'contracts', id, department_id, vendor_id FROM old_rows;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER contracts_touched_insert AFTER INSERT ON contracts REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION contracts_touched();
CREATE TRIGGER contracts_touched_update AFTER UPDATE ON contracts
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION contracts_touched();
CREATE TRIGGER contracts_touched_delete AFTER DELETE ON contracts REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION contracts_touched();
CREATE TRIGGER contracts_touched_truncate AFTER TRUNCATE ON contracts
    FOR EACH STATEMENT EXECUTE FUNCTION contracts_touched();
