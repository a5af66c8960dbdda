-- Each console form that makes a secret (an API key, a webhook signing secret)
-- carries a one-time token, recorded here in the transaction that makes it:
-- the same form sent again (a reload, a second click) makes nothing new.
-- `made` is the prefix of the key it made, or empty for a signing secret.
-- Forgotten a day after use, longer than any session whose page held the form.
CREATE TABLE used_forms (
    token   TEXT PRIMARY KEY,
    shop_id INTEGER NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    made    TEXT NOT NULL,
    used_at TEXT NOT NULL
);
CREATE INDEX used_forms_used ON used_forms(used_at);
-- A shop keeps its newest 100 (`forms::USED_FORMS_KEPT`).
CREATE INDEX used_forms_shop ON used_forms(shop_id, used_at);

-- The support view's audit log is kept for a year (`Store::prune_support_views`,
-- hourly): this finds its entries by age.
CREATE INDEX support_views_viewed ON support_views(viewed_at);

-- A key's name, what it is for ("ERP sync"): at most 60 characters, no
-- control characters (`keys::label`); empty when none was given.
ALTER TABLE api_keys ADD COLUMN label TEXT NOT NULL DEFAULT '';
