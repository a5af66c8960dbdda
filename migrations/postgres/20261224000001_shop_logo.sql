-- A shop's logo (an https:// address), shown at the top of its tracking page
-- in place of its name; none at first.
ALTER TABLE shops ADD COLUMN logo_url TEXT;
