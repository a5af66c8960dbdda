-- When an invitation's mail was first handed to the sender's mail server (or
-- was about to be: it is written before the mail goes, so that senders working
-- at once cannot pass the bound). An account is sent at most
-- `invites::MAILS_PER_ACCOUNT_PER_DAY` invitations in 24 hours from every shop
-- together; one over it waits, as "waiting to be sent", until the day has room.
-- The bound used to refuse the invitation, which told one shop's owner that
-- other shops had invited the address.
ALTER TABLE invitations ADD COLUMN mailed_at TEXT;
-- Invitations mailed before this (sent, or refused by the mail server) count
-- from when they were finished.
UPDATE invitations SET mailed_at = done_at WHERE outcome IN ('sent', 'failed');
