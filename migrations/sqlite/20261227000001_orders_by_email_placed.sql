-- A shopper's orders, newest first, read from an index in that order: a
-- support view by email or a page of orders from a mailed link then reads the
-- few it lists, not every order of an address that has thousands (a shop's
-- point-of-sale placeholder, a business buyer), sorted first. It starts with
-- the columns of `orders_by_email`, which it replaces.
CREATE INDEX orders_by_email_placed ON orders (shop_id, email_key, json_extract(doc, '$.placed_at') DESC, id DESC);
DROP INDEX orders_by_email;
