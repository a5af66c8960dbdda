-- The abuse panel's refusals, most attempts first, read from an index in that
-- order: the overview reads the hundred it lists, not every refusal of a day
-- of a flood from many clients, sorted first.
CREATE INDEX refusals_by_attempts ON refusals (shop_id, attempts DESC, last_at DESC);
