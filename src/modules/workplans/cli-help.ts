// The module's lines in `taskforce --help`, apart from its code so that help loads nothing else (src/cli-help.ts).
export const HELP = `  workplans digests [--at INSTANT]
                              send the work-plan e-mails due now (or as of INSTANT, e.g.
                              2026-06-20T12:00:00Z): the updates-due digest in a quarter's
                              last 14 days, and reminders of missing updates; each person
                              gets each kind once per quarter. Without SMTP_URL, mail is
                              logged as skipped`;
