// The module's lines in `taskforce --help`, apart from its code so that help loads nothing else (src/cli-help.ts).
export const HELP = `  practices digest [--at INSTANT]
                              e-mail each confirmed digest subscriber the practices that are
                              new or re-rated since their last digest (nothing if none), with
                              a one-click unsubscribe link. Without SMTP_URL, mail is logged as
                              skipped`;
