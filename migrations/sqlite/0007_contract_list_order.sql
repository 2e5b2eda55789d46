-- The contract list is ordered by end date (newest first), then number; this index serves that order
-- without sorting the whole table for each page.
CREATE INDEX contracts_list_order ON contracts (end_date DESC, contract_number);
