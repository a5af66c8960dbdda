-- A merchant who changes their console password on the account page is told
-- so by mail, so that a change they did not make does not go unseen. The
-- notice is queued in the transaction that changes the password (only when
-- the server sends mail), at most one waiting per account, and sent like the
-- other mails: claimed by one sender at a time (claimed_until), retried with
-- backoff (next_at), finished once (done_at, outcome), its address blanked
-- when finished. `email` is the account's address, `locale` the language
-- of the page the change was made on, `user_id` the account (its waiting
-- notices go with it when it is deleted).
CREATE TABLE password_notices (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL,
    locale        TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    attempts      BIGINT NOT NULL DEFAULT 0,
    next_at       TEXT NOT NULL,
    claimed_until TEXT,
    done_at       TEXT,
    outcome       TEXT CHECK (outcome IN ('sent', 'failed')),
    last_error    TEXT,
    user_id       INTEGER NOT NULL
);
CREATE INDEX password_notices_due ON password_notices (next_at) WHERE done_at IS NULL;
CREATE INDEX password_notices_done ON password_notices (done_at) WHERE done_at IS NOT NULL;
CREATE INDEX password_notices_user ON password_notices (user_id);
