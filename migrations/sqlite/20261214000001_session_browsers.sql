-- The account page lists the browsers an account is signed in on, so that a
-- merchant can see a session they do not know and sign it out. `browser` is
-- what the browser's User-Agent said at sign-in, reduced to two names from
-- fixed lists, "Firefox|Android" (either may be empty when it said nothing
-- known): nothing the browser sent is kept as it was sent.
ALTER TABLE sessions ADD COLUMN browser TEXT NOT NULL DEFAULT '';
