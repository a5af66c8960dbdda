-- The numbers of a shop's erased orders (a shopper's erasure request), so
-- that the platform sending such an order again (a Shopify webhook for it)
-- does not store it again: the delivery is answered `erased` and changes
-- nothing. The order's number is all that is kept, as the shop's Changes
-- page keeps it. An order stored again through the API (a PUT that creates
-- it) forgets its number here; an order that exists is never refused by it.
-- Kept a year, as the Changes page's entries.
CREATE TABLE erased_orders (
    shop_id    BIGINT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    number_key TEXT NOT NULL,
    erased_at  TEXT NOT NULL,
    PRIMARY KEY (shop_id, number_key)
);
CREATE INDEX erased_orders_at ON erased_orders(erased_at);
