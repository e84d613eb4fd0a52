// The module's lines in `taskforce --help`, apart from its code so that help loads nothing else (src/cli-help.ts).
export const HELP = `  referrals purge [--at INSTANT]
                              delete the client details and notes of referrals closed more
                              than REFERRAL_RETENTION_DAYS ago (default 90), keeping the
                              de-identified record (the server runs it daily)
  referrals reminders [--at INSTANT]
                              expire referrals nobody accepted or declined within
                              REFERRAL_EXPIRY_DAYS of sending, and remind the receiving
                              organisation (in the app and by e-mail, a link only) of
                              referrals not acted on for REFERRAL_REMINDER_DAYS
  referrals rekey [--vacuum]  move referrals made before per-referral data keys under keys
                              of their own, and re-wrap data keys under the first key of
                              DATA_KEY after a rotation; --vacuum also rewrites the
                              database file (SQLite) or the referral tables (PostgreSQL)
                              so that no copy of values deleted earlier is left`;
