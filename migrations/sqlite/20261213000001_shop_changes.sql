-- What was changed in a shop's setup, by whom: the owners' console page
-- "Changes" reads it. A row is written in the transaction that makes the
-- change (settings, API keys, the Shopify signing secret, the team), so a
-- change that is not recorded was not made. `by_kind` is who made it: an
-- account (`by_name` its email, kept when the account is deleted, as the
-- support view's log keeps it), an API key (`by_name` its prefix) or the
-- server's operator on the command line (`by_name` NULL). `what` is one
-- of the kinds below; `subject` what it was made to (an account's email, a
-- key's prefix) and `detail` the rest (a role, a key's name, the settings
-- that changed). Only the newest 1,000 rows of a shop by each kind of maker
-- are kept, pruned by the insert, and none for more than a year (the hourly
-- housekeeping); an account forgotten as idle has its address blanked in
-- the subjects (NULL: "an address since forgotten").
CREATE TABLE shop_changes (
    id       INTEGER PRIMARY KEY,
    shop_id  INTEGER NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    at       TEXT NOT NULL,
    by_kind  TEXT NOT NULL CHECK (by_kind IN ('account', 'key', 'operator')),
    by_name  TEXT,
    what     TEXT NOT NULL CHECK (what IN ('settings', 'key_made', 'key_revoked', 'secret_made',
                                           'role', 'removed', 'invited', 'added', 'deleted')),
    subject  TEXT,
    detail   TEXT
);
CREATE INDEX shop_changes_shop ON shop_changes(shop_id, id);
CREATE INDEX shop_changes_kind ON shop_changes(shop_id, by_kind, id);
CREATE INDEX shop_changes_subject ON shop_changes(subject) WHERE subject IS NOT NULL;
CREATE INDEX shop_changes_at ON shop_changes(at);
