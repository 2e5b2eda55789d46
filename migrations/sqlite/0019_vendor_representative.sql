-- 代表者: the vendor's representative, as the list of qualified bidders (入札参加資格者名簿) names it.
ALTER TABLE vendors ADD COLUMN representative TEXT NOT NULL DEFAULT '';
