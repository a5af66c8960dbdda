-- Who sent an invitation (an account id; none for invitations made before), so
-- that its mail can name them.
ALTER TABLE invitations ADD COLUMN invited_by INTEGER;
