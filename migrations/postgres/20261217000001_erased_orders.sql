-- Which Shopify orders a shop erased (a shopper's erasure request), so that
-- Shopify sending such an order again (a webhook for it) does not store it
-- again: the delivery is answered `erased` and changes nothing. Kept are
-- Shopify's order id and the order's number (as the shop's Changes page keeps
-- it), nothing of the shopper's; a new order that reuses the number under
-- another id is stored as any, and the erased order's news is not merged
-- into it. An order stored again by the merchant (a PUT through the API or an
-- import that creates it) forgets its number here. Kept a year, as the
-- Changes page's entries.
CREATE TABLE erased_orders (
    shop_id          BIGINT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    shopify_order_id TEXT NOT NULL,
    number_key       TEXT NOT NULL,
    erased_at        TEXT NOT NULL,
    PRIMARY KEY (shop_id, shopify_order_id)
);
CREATE INDEX erased_orders_number ON erased_orders(shop_id, number_key);
CREATE INDEX erased_orders_at ON erased_orders(erased_at);
