-- When an account first signed in after it was given a role in a shop: the
-- team page says "has signed in" from then on. Per shop, so that one shop's
-- owners learn nothing of the account's other shops (whether it has a
-- password, say). Accounts that have a password now count as signed in.
ALTER TABLE memberships ADD COLUMN signed_in_at TEXT;
UPDATE memberships SET signed_in_at = (SELECT created_at FROM users WHERE users.id = memberships.user_id)
WHERE user_id IN (SELECT id FROM users WHERE password_hash IS NOT NULL);
