-- The departments and vendors whose standings each write changed, by table, labelled with the version
-- the write gave the table (`db::audit`): a count kept by department or by vendor
-- (`db::kept_reads::fetch_regrouped`) is counted again for those alone. A row with neither stands
-- for every department and vendor (a rebuild). Rows older than the last 1,000 versions are removed.
CREATE TABLE standing_touches (
    name TEXT NOT NULL,
    version BIGINT,
    department_id BIGINT,
    vendor_id BIGINT
);
CREATE INDEX standing_touches_version ON standing_touches (name, version);
