-- Which order a Shopify delivery was about, as its order number's key (the
-- number in lower case, without its `#`), for the console's list of
-- deliveries: NULL when the delivery named none that could be read (a
-- payload refused, an unknown topic) and for deliveries received before.
-- An order's erasure blanks it.
ALTER TABLE webhook_log ADD COLUMN order_key TEXT;
