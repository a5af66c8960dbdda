-- Shopify webhook deliveries already applied, by X-Shopify-Webhook-Id, so a
-- redelivery changes nothing. Rows older than a week can be deleted: Shopify
-- retries a delivery for at most 48 hours.
CREATE TABLE webhook_deliveries (
    shop_id     BIGINT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    webhook_id  TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (shop_id, webhook_id)
);

-- Shopify's numeric order id for each order that came through its webhooks:
-- refund payloads name the order only by this id.
CREATE TABLE shopify_orders (
    shop_id          BIGINT NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    shopify_order_id TEXT NOT NULL,
    number_key       TEXT NOT NULL,
    PRIMARY KEY (shop_id, shopify_order_id)
);
