-- Erasing an order (a shopper's erasure request, from the console or the
-- API) is recorded in the shop's changes with the order's number (its key:
-- trimmed, without a leading '#', in lower case), as the support view's log
-- keeps the numbers of the orders staff opened: what was erased, by whom and
-- when, with nothing of the shopper's.
ALTER TABLE shop_changes DROP CONSTRAINT shop_changes_what_check;
ALTER TABLE shop_changes ADD CONSTRAINT shop_changes_what_check
    CHECK (what IN ('settings', 'key_made', 'key_revoked', 'secret_made',
                    'role', 'removed', 'invited', 'added', 'deleted', 'erased'));
