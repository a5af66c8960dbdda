-- Which order a Shopify delivery was about, as its order number's key (the
-- number in lower case, without its `#`), for the console's list of
-- deliveries: NULL when no order could be read from it (a payload that is
-- not one, an unknown topic), for an erased order, and for deliveries
-- received before. An order's erasure blanks it.
ALTER TABLE webhook_log ADD COLUMN order_key TEXT;
