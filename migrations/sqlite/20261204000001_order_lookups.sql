-- Lookups found in one descent of one B-tree. Through `orders`, a lookup reads
-- a leaf of the (shop_id, number_key) index and then the table's pages down to
-- the row; with a million orders neither fits in a reader's page cache, so a
-- hit costs two or three page reads. `order_lookups` keeps each order's keys
-- and shopper view under one integer, `orders.lookup_id`: a 63-bit hash of the
-- normalised order number (computed by the server, `app/src/store/lookup_id.rs`)
-- combined with the shop's id by exclusive or. Its interior pages are few
-- enough to stay cached, so a hit reads one page.
--
-- The triggers below keep it from `orders`, so every write to an order (the
-- server's, a migration's, another tool's) keeps it too. Two orders whose
-- lookup ids collide share one row: the first holds it and the other is found
-- through `orders` (the row is there with other keys, which sends a lookup to
-- `orders`). An erased order leaves its row empty (every column but the id
-- NULL) rather than deleting it, for the same reason: an empty row sends a
-- lookup to `orders`, a missing row means there is no such order. A later order
-- with that id takes the empty row.
ALTER TABLE orders ADD COLUMN lookup_id INTEGER;
-- The rows still to give a lookup id, found without reading the table (empty
-- once the server has filled them in, which it does when it migrates).
CREATE INDEX orders_without_lookup_id ON orders (id) WHERE lookup_id IS NULL;

CREATE TABLE order_lookups (
    id           INTEGER PRIMARY KEY, -- orders.lookup_id
    shop_id      INTEGER,             -- NULL in an empty row, as are the rest
    number_key   TEXT,
    email_key    TEXT,
    shopper_view TEXT
);

-- An order's row: written when its id is free, empty, or already the order's.
CREATE TRIGGER orders_lookup_insert AFTER INSERT ON orders
WHEN NEW.lookup_id IS NOT NULL
BEGIN
    INSERT INTO order_lookups (id, shop_id, number_key, email_key, shopper_view)
    VALUES (NEW.lookup_id, NEW.shop_id, NEW.number_key, NEW.email_key, NEW.shopper_view)
    ON CONFLICT (id) DO UPDATE SET shop_id = excluded.shop_id, number_key = excluded.number_key,
        email_key = excluded.email_key, shopper_view = excluded.shopper_view
    WHERE order_lookups.number_key IS NULL
       OR (order_lookups.shop_id = excluded.shop_id AND order_lookups.number_key = excluded.number_key);
END;

CREATE TRIGGER orders_lookup_update AFTER UPDATE OF lookup_id, shop_id, number_key, email_key, shopper_view ON orders
BEGIN
    -- The old row, if the order held one under other keys, is left empty.
    UPDATE order_lookups SET shop_id = NULL, number_key = NULL, email_key = NULL, shopper_view = NULL
    WHERE id = OLD.lookup_id AND shop_id = OLD.shop_id AND number_key = OLD.number_key
      AND (NEW.lookup_id IS NOT OLD.lookup_id OR NEW.shop_id != OLD.shop_id OR NEW.number_key != OLD.number_key);
    INSERT INTO order_lookups (id, shop_id, number_key, email_key, shopper_view)
    SELECT NEW.lookup_id, NEW.shop_id, NEW.number_key, NEW.email_key, NEW.shopper_view
    WHERE NEW.lookup_id IS NOT NULL
    ON CONFLICT (id) DO UPDATE SET shop_id = excluded.shop_id, number_key = excluded.number_key,
        email_key = excluded.email_key, shopper_view = excluded.shopper_view
    WHERE order_lookups.number_key IS NULL
       OR (order_lookups.shop_id = excluded.shop_id AND order_lookups.number_key = excluded.number_key);
END;

CREATE TRIGGER orders_lookup_delete AFTER DELETE ON orders
BEGIN
    UPDATE order_lookups SET shop_id = NULL, number_key = NULL, email_key = NULL, shopper_view = NULL
    WHERE id = OLD.lookup_id AND shop_id = OLD.shop_id AND number_key = OLD.number_key;
END;
