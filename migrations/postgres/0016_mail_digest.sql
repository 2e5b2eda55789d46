-- Staff who choose a daily digest get one message a day listing every reminder due to them.
ALTER TABLE users ADD COLUMN mail_digest BIGINT NOT NULL DEFAULT 0 CHECK (mail_digest IN (0, 1));
