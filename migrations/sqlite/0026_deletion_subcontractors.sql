-- The subcontractors whose copies a deletion certificate states were deleted: at a contract's end
-- every subcontractor that handled its data needs one (a certificate of its own or the vendor's
-- listing it), or the data counts as retained.
CREATE TABLE deletion_subcontractors (
    deletion_id INTEGER NOT NULL REFERENCES deletion_certificates (id),
    subcontractor_id INTEGER NOT NULL REFERENCES subcontractors (id),
    PRIMARY KEY (deletion_id, subcontractor_id)
);
CREATE INDEX deletion_subcontractors_subcontractor ON deletion_subcontractors (subcontractor_id);
