-- When an account first opened the shop in the console after it was given a
-- role there: the team page says so from then on. Per shop, and set only by
-- opening that shop (not by signing in, nor by anything done in another shop),
-- so that one shop's owners learn nothing of the account's other shops. Empty
-- for every membership at first: each is set at the account's next visit.
ALTER TABLE memberships ADD COLUMN opened_at TEXT;
