-- The whole validated order as JSON, written with the rows above in the same
-- transaction: a lookup reads this one column through the (shop_id, number_key)
-- index instead of six tables. NULL for orders written before this migration,
-- which are read from the tables until their next update.
ALTER TABLE orders ADD COLUMN doc TEXT;
