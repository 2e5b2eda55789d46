-- A returned check sheet is owed again a set number of days after its return (`resubmission_days`), so
-- each version's standing keeps the day in Japan it was returned. Every standing is rebuilt from the
-- records at the next start, which fills the column for versions returned before this migration.
ALTER TABLE checklist_standings ADD COLUMN returned_on TEXT;
UPDATE standings_built SET built = 0 WHERE id = 1;
