-- A merchant who forgot their console password asks for a link on the
-- sign-in page; the mail is queued here and sent like an invitation: claimed
-- by one sender at a time (claimed_until), retried with backoff (next_at),
-- finished once (done_at, outcome), its address blanked when finished.
-- `email` is the account's normalised address, `locale` the language of the
-- page it was asked from. `user_id` counts an account's requests of the last
-- day (`password_mails::PASSWORD_MAILS_PER_DAY`); the sender finds the
-- account by its address again, never by this id.
CREATE TABLE password_mails (
    id            INTEGER PRIMARY KEY,
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
CREATE INDEX password_mails_due ON password_mails (next_at) WHERE done_at IS NULL;
CREATE INDEX password_mails_done ON password_mails (done_at) WHERE done_at IS NOT NULL;
CREATE INDEX password_mails_user ON password_mails (user_id, created_at);
