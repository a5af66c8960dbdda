-- A merchant is told by mail when their console account is signed in to
-- from a browser that has not signed in to it before (or not since its
-- password was set), so that a stolen password does not go unseen.
-- `users.signed_in_at` is the account's last sign-in: an account that has
-- never signed in, or not since its password was set by a link, is told
-- nothing of its first one (it has just set its password). Accounts from before have it from their newest session, else
-- from the first time they opened a shop in the console (which needs a
-- sign-in); only accounts that did neither are left without.
ALTER TABLE users ADD COLUMN signed_in_at TEXT;
-- The language of the account's first sign-in since its password was set
-- by a link (for accounts from before: of their first sign-in from a known
-- browser since): its notices are written in it, not in a new browser's,
-- which may be anyone's.
ALTER TABLE users ADD COLUMN sign_in_locale TEXT;
UPDATE users SET signed_in_at = COALESCE(
    (SELECT MAX(created_at) FROM sessions WHERE sessions.user_id = users.id),
    (SELECT MIN(opened_at) FROM memberships WHERE memberships.user_id = users.id));

-- The notices, queued in the transaction that starts the session (only when
-- the server sends mail), at most one waiting per account and at most 6 an
-- hour, and sent as the other mails are: claimed by one sender at a time
-- (claimed_until), retried with backoff (next_at), finished once (done_at,
-- outcome), the address blanked when finished. `email` is the account's
-- address, `locale` the language of the sign-in page, `browser` the
-- browser's name and system from fixed lists (`Firefox|Android`, either
-- may be empty), `signed_in_at` when, `more` how many more sign-ins from
-- new browsers came while it waited (the mail says so), `user_id` the
-- account (its waiting notices go with it when it is deleted).
CREATE TABLE sign_in_notices (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL,
    locale        TEXT NOT NULL,
    browser       TEXT NOT NULL,
    signed_in_at  TEXT NOT NULL,
    more          BIGINT NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    attempts      BIGINT NOT NULL DEFAULT 0,
    next_at       TEXT NOT NULL,
    claimed_until TEXT,
    done_at       TEXT,
    outcome       TEXT CHECK (outcome IN ('sent', 'failed')),
    last_error    TEXT,
    user_id       INTEGER NOT NULL
);
CREATE INDEX sign_in_notices_due ON sign_in_notices (next_at) WHERE done_at IS NULL;
CREATE INDEX sign_in_notices_done ON sign_in_notices (done_at) WHERE done_at IS NOT NULL;
CREATE INDEX sign_in_notices_user ON sign_in_notices (user_id);
