-- Where a session was opened from, so its user can recognise it on the account page (and end the
-- ones it does not recognise).
ALTER TABLE sessions ADD COLUMN ip TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
