-- The account page lists the browsers an account is signed in on, so that a
-- merchant can see a session they do not know and sign it out. `browser` is
-- what the browser's User-Agent said at sign-in, reduced to two names from
-- fixed lists, "Firefox|Android" (either may be empty when it said nothing
-- known): nothing the browser sent is kept as it was sent. `handle` names
-- the session on the page and in the form that signs it out: the first 16
-- bytes of the SHA-256 of `id_hash`, in hex (neither the cookie's id nor
-- `id_hash`); sessions from before are given theirs at start-up.
ALTER TABLE sessions ADD COLUMN browser TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN handle TEXT NOT NULL DEFAULT '';
CREATE INDEX sessions_handle ON sessions(user_id, handle);
