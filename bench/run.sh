#!/bin/sh
# One command for the whole comparison benchmark (issue 8): checks the engines are installed,
# then runs bench/compare.ts on the project's Node 24. Arguments go to compare.ts, e.g.
#   bench/run.sh --scenarios s1,s2 --runs 3
set -eu
cd "$(dirname "$0")/.."
if [ ! -x node_modules/.bin/node ]; then
  echo "bench/run.sh: run npm install first (the project's Node 24 lives in node_modules)" >&2
  exit 1
fi
bench/setup.sh
exec node_modules/.bin/node bench/compare.ts "$@"
