-- The Shopify orders linked to one order number, found without reading the
-- shop's every link: each delivery to a stored order asks which of Shopify's
-- orders holds its number, and an erasure forgets the number's links.
CREATE INDEX shopify_orders_by_number ON shopify_orders (shop_id, number_key);
