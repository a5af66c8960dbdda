-- An order Shopify deleted (its `orders/delete` webhook) is erased as the
-- merchant's own erasure is, and recorded in the shop's changes as made by
-- Shopify. SQLite cannot change a CHECK, so the table is made again with the
-- new one and its rows and indexes.
CREATE TABLE shop_changes_next (
    id       INTEGER PRIMARY KEY,
    shop_id  INTEGER NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    at       TEXT NOT NULL,
    by_kind  TEXT NOT NULL CHECK (by_kind IN ('account', 'key', 'operator', 'shopify')),
    by_name  TEXT,
    what     TEXT NOT NULL CHECK (what IN ('settings', 'key_made', 'key_revoked', 'secret_made',
                                           'role', 'removed', 'invited', 'added', 'deleted',
                                           'erased')),
    subject  TEXT,
    detail   TEXT
);
INSERT INTO shop_changes_next (id, shop_id, at, by_kind, by_name, what, subject, detail)
    SELECT id, shop_id, at, by_kind, by_name, what, subject, detail FROM shop_changes;
DROP TABLE shop_changes;
ALTER TABLE shop_changes_next RENAME TO shop_changes;
CREATE INDEX shop_changes_shop ON shop_changes(shop_id, id);
CREATE INDEX shop_changes_kind ON shop_changes(shop_id, by_kind, id);
CREATE INDEX shop_changes_subject ON shop_changes(subject) WHERE subject IS NOT NULL;
CREATE INDEX shop_changes_at ON shop_changes(at);
