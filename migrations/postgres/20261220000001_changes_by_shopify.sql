-- An order Shopify deleted (its `orders/delete` webhook) is erased as the
-- merchant's own erasure is, and recorded in the shop's changes as made by
-- Shopify.
ALTER TABLE shop_changes DROP CONSTRAINT shop_changes_by_kind_check;
ALTER TABLE shop_changes ADD CONSTRAINT shop_changes_by_kind_check
    CHECK (by_kind IN ('account', 'key', 'operator', 'shopify'));
