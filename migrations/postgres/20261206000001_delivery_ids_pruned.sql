-- The ids of Shopify deliveries are forgotten a week after they arrived
-- (`Store::prune_delivery_ids`, hourly): this finds them by age.
CREATE INDEX webhook_deliveries_received ON webhook_deliveries(received_at);
