-- A merchant who forgot their console password asks for a link on the
-- sign-in page. Every well-formed request is queued here, account or not (so
-- that asking costs the same whatever the address), and sent like an
-- invitation: claimed by one sender at a time (claimed_until), retried with
-- backoff (next_at), finished once (done_at, outcome), its address blanked
-- when finished. `email` is the normalised address typed, `locale` the
-- language of the page. The sender finds the account by the address; only
-- one on a team is sent a link, at most `password_mails::PASSWORD_MAILS_PER_DAY`
-- in 24 hours: `user_id` and `mailed_at` record, before the mail goes,
-- which account a mail was for and when it was counted.
CREATE TABLE password_mails (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL,
    locale        TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    attempts      BIGINT NOT NULL DEFAULT 0,
    next_at       TEXT NOT NULL,
    claimed_until TEXT,
    done_at       TEXT,
    outcome       TEXT CHECK (outcome IN ('sent', 'no_account', 'day_full', 'failed')),
    last_error    TEXT,
    user_id       INTEGER,
    mailed_at     TEXT
);
CREATE INDEX password_mails_due ON password_mails (next_at) WHERE done_at IS NULL;
CREATE INDEX password_mails_done ON password_mails (done_at) WHERE done_at IS NOT NULL;
CREATE INDEX password_mails_user ON password_mails (user_id, mailed_at);
