-- The counts by department and by vendor are two grouped passes, each over one covering index. Grouped by
-- the (department, vendor) pair they returned about a row per contract (60,000 at 100,000 contracts), which
-- cost more to send than to count.
DROP INDEX contract_standings_holder;
CREATE INDEX contract_standings_holder ON contract_standings
    (department_id, deletion_deadline, deletion_accepted_on, start_date, end_date, first_checklist_on);
CREATE INDEX contract_standings_vendor_holder ON contract_standings
    (vendor_id, deletion_deadline, deletion_accepted_on, start_date, end_date, first_checklist_on);
DROP INDEX audit_standings_holder;
CREATE INDEX audit_standings_holder ON audit_standings
    (department_id, important, fiscal_year, owed_from, year_end, accepted_on, accepted_after_year_end);
CREATE INDEX audit_standings_vendor_holder ON audit_standings
    (vendor_id, important, fiscal_year, owed_from, year_end, accepted_on, accepted_after_year_end);
