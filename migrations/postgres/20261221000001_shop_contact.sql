-- Where shoppers may write to a shop about an order (an email address, shown
-- on its tracking page and given as the Reply-To of its mails); none at first.
ALTER TABLE shops ADD COLUMN contact_email TEXT;
