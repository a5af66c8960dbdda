-- Owners invite accounts from the console's team page: the invitation is mail
-- in the outbox, sent by the same sender, with the same claims and retries as
-- shoppers' order links. `kind` tells the two apart. For an invitation,
-- `email` is the account's (normalised) address and `locale` the inviting
-- owner's console language; the outcome 'turned_off' means the account no
-- longer had a role in the shop when its turn came, and nothing was sent.
ALTER TABLE outbox ADD COLUMN kind TEXT NOT NULL DEFAULT 'link' CHECK (kind IN ('link', 'invite'));

-- A shop sends at most `team::INVITES_PER_DAY` invitations a day: this counts them.
CREATE INDEX outbox_invites ON outbox (shop_id, created_at) WHERE kind = 'invite';
