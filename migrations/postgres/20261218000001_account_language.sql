-- The language a console account chose on its account page: the console's
-- pages and every mail to the account are written in it. NULL (every
-- account until it chooses) follows the browser: pages in the language it
-- asks for, mails as before (a sign-in notice in the language of the
-- account's first sign-in since its password was set by a link, other mails
-- in the language of the page they were asked from). Only the codes the
-- console speaks are stored.
ALTER TABLE users ADD COLUMN locale TEXT;
