// The module's lines in `taskforce --help`, apart from its code so that help loads nothing else (src/cli-help.ts).
export const HELP = `  listening reminders [--at INSTANT]
                              e-mail each confirmed registrant of a listening session that
                              starts within its series' reminder window (now, or as of
                              INSTANT); each registrant once. Without SMTP_URL, mail is
                              logged as skipped`;
