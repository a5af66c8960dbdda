-- The time zone a shop's shopper pages say times in (an IANA name such as
-- Europe/Oslo) before their island says them in the shopper's own; none at
-- first, which is UTC, as before.
ALTER TABLE shops ADD COLUMN time_zone TEXT;
