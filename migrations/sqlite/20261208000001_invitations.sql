-- Owners invite accounts from the console's team page. An invitation is mail
-- to send, kept apart from the shoppers' `outbox` (a server that does not know
-- invitations never takes one) but sent the same way: claimed by one sender at
-- a time (claimed_until), retried with backoff (next_at), finished once
-- (done_at, outcome), its address blanked when finished. `email` is the
-- account's normalised address, `locale` the inviting owner's console
-- language. `user_id` (kept when the row is finished, no address) counts an
-- account's invitations from every shop; it is no foreign key, so that the
-- count outlives the account's removal from a team.
CREATE TABLE invitations (
    id            INTEGER PRIMARY KEY,
    shop_id       INTEGER NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    user_id       INTEGER NOT NULL,
    email         TEXT NOT NULL,
    locale        TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    attempts      BIGINT NOT NULL DEFAULT 0,
    next_at       TEXT NOT NULL,
    claimed_until TEXT,
    done_at       TEXT,
    outcome       TEXT CHECK (outcome IN ('sent', 'withdrawn', 'failed')),
    last_error    TEXT
);
CREATE INDEX invitations_due ON invitations (next_at) WHERE done_at IS NULL;
CREATE INDEX invitations_done ON invitations (done_at) WHERE done_at IS NOT NULL;
-- A shop's, and an account's, invitations of the last day (`invites::*_PER_DAY`).
CREATE INDEX invitations_shop ON invitations (shop_id, created_at);
CREATE INDEX invitations_user ON invitations (user_id, created_at);
