// The module's lines in `taskforce --help`, apart from its code so that help loads nothing else (src/cli-help.ts).
export const DIRECTORY_HELP = `  directory import PATH [--source NAME] [--partial] [--strict] [--report FILE]
                              import an HSDS publication into the service directory: a .zip, a folder
                              with a datapackage.json, a folder of HSDS 3.0, 2.0 or 1.1 CSV files, or
                              HSDS 3.0 .json/.ndjson files; valid records go in, invalid ones are
                              quarantined with their reason (--report FILE writes them all as CSV);
                              --strict imports all or nothing; importing again writes only changes;
                              a full import makes the services its source (NAME, by default the
                              folder's or zip's name) no longer lists inactive; --partial for a delta
  directory export --format json|csv DIR
                              write the directory as HSDS 3.0 (confidential locations redacted; a
                              service or organisation matched across sources once)
  directory generate --services N
                              add N synthetic services across the United States (for benchmarks)
  directory crosswalk report [--format text|csv]
                              source terms (AIRS / 211 LA codes, category names) and language names
                              that the taxonomy crosswalk maps to nothing, by services carrying them
  directory crosswalk apply   map every stored service again with the crosswalk in force`;
