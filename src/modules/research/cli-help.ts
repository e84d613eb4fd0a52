// The module's lines in `taskforce --help`, apart from its code so that help loads nothing else (src/cli-help.ts).
export const HELP = `  research reminders [--at INSTANT]
                              e-mail the staff of each agency that still owes an open data
                              call: once when it is due within 7 days, once when overdue.
                              Without SMTP_URL, mail is logged as skipped
  research snapshots [--at INSTANT]
                              regenerate the published datasets (data.json, insights CSV)
                              and keep a dated version of each that changed`;
