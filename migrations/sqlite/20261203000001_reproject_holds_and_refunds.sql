-- The projection now puts platforms' hold reasons in neutral words and counts
-- only refunds a shopper may see: the views of orders that have a hold reason
-- or a refund are made again (the server fills in every view left NULL when it
-- migrates, from the stored document). The documents are compact JSON as the
-- server wrote them, matched as text so that no unreadable one stops the migration.
UPDATE orders SET shopper_view = NULL
WHERE doc LIKE '%"hold_reason":"%'
   OR doc LIKE '%"refunded"%';
