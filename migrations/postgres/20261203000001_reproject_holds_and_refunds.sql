-- The projection now puts platforms' hold reasons in neutral words and counts
-- only refunds a shopper may see: the views of orders that have a hold reason
-- or a refund are made again (the server fills in every view left NULL when it
-- migrates, from the stored document).
UPDATE orders SET shopper_view = NULL
WHERE doc ->> 'hold_reason' IS NOT NULL
   OR doc::text LIKE '%"refunded"%';
