// The module's lines in `taskforce --help`, apart from its code so that help loads nothing else (src/cli-help.ts).
export const HELP = `  grants import-extract FILE  import a Grants.gov XML extract (the daily zip, or its XML) as
                              a stream, keeping the opportunities on the committee's watch list;
                              prints progress; a damaged file changes nothing
  grants source PATH|URL|none where the scheduled import (job grants.extract) reads the extract`;
