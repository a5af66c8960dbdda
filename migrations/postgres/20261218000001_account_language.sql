-- The language a console account chose on its account page: the console's
-- pages and the mails to the account are written in it. NULL (every account
-- until it chooses, and again once its password is set by a link) follows
-- the browser: pages in the language it asks for, mails as before (a
-- sign-in notice in the language of the account's first sign-in since its
-- password was set by a link, other mails in the language of the page they
-- were asked from). Only the codes the console speaks.
ALTER TABLE users ADD COLUMN locale TEXT
    CHECK (locale IS NULL OR locale IN ('en', 'nb', 'sv', 'de', 'zh'));
