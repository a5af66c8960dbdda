-- What a shopper may see of each order, as the JSON a lookup answers with
-- (docs/api.md, "The shopper view"). The projection makes it from `doc`
-- whenever the order is written, so a lookup reads this column and never the
-- merchant's document. NULL only in rows written before this column existed;
-- the server fills those in when it migrates.
ALTER TABLE orders ADD COLUMN shopper_view TEXT;
-- The rows still to fill, found without reading the table (empty once filled).
CREATE INDEX orders_without_view ON orders (id) WHERE shopper_view IS NULL;
