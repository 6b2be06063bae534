#!/usr/bin/env bash
# `npm run test:runtimes`: the tests on each maintained Node.js line, beside the one `npm test` ran on
# (whatever `node` is on PATH: CI's is the machine's Node 20). `.ci/run` calls it after `npm ci && npm test`.
#
# Each line comes from the npm registry as the package `node` at its latest release of that major,
# installed into .runtimes/node-<major>/ (git-ignored). A clean clone downloads them, all at once
# (17 to 32 s for the three on this machine, about 200 MB each); a checkout that has the latest
# already only asks the registry which release that is. With that folder's .bin first on PATH, npm, npx, jest and every
# process the tests start (servers and emulators: they spawn process.execPath) run on that Node.
#
# What runs on each line, and what once:
# - jest, on every line: everything the server and the tests do at run time.
# - the build (tsc) and codegen, once, first (the tests run dist/ and the generated examples): their
#   output does not depend on the Node that runs them (tsc emits for tsconfig's target, ES2022;
#   codegen writes text from schema.gql). The type checks judge the code against @types/node, not the
#   running Node: `npm test` does them, and they are not repeated here.
# - three suites on one line only, ONE_LINE (default 26, the Active LTS), as they check tools or
#   packaging rather than the server on that Node, and cost the most: the browser suite
#   (graphiql.e2e-spec.ts: the page in Chromium; the assets it is served are fetched by every line's
#   http tests), the benchmark script's smoke test (bench-script.e2e-spec.ts: a load generator, about
#   40 s of CPU; every line's e2e suites drive the same server paths, multi-instance sign-outs
#   included) and the production install (production-install.e2e-spec.ts: ~30 s, most of it
#   `npm ci --omit=dev`, whose tree is the lockfile's whatever the Node; `npm test` runs it on the
#   machine's Node too). Together they would add ~2.5 min to each other line, and CI must stay well
#   under 15 min on 2 cores (measured: a fresh clone's .ci/run took 705 s, 11.75 min, with them on one line).
#
# RUNTIMES="24" or ONE_LINE=24 choose otherwise; extra arguments go to jest
# (`npm run test:runtimes -- test/features/sign-in.e2e-spec.ts`).
# Prints one line per runtime (version, passed or failed, seconds) and exits non-zero if any failed.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNTIMES=${RUNTIMES:-"22 24 26"}
ONE_LINE=${ONE_LINE:-26}
ONE_LINE_SUITES='test/(graphiql|bench-script|production-install)\.e2e-spec\.ts'
CACHE=$PWD/.runtimes
mkdir -p "$CACHE"

now() { date +%s; }

# Every call to the registry is bounded: npm's own defaults (5 min a request, 2 retries) could hold
# CI for a quarter of an hour on a registry that hangs. The environment reaches the nested install
# that the `node` package's preinstall runs, too.
export npm_config_fetch_timeout=30000 npm_config_fetch_retries=1

# The latest release of a major on the registry, e.g. 24 -> 24.21.0.
latest() {
  timeout 60 npm view "node@$1" version --json |
    node -e 'const v = [].concat(JSON.parse(require("fs").readFileSync(0, "utf8")));
      const key = (s) => s.split(".").map(Number);
      v.sort((a, b) => { const [x, y] = [key(a), key(b)]; return x[0] - y[0] || x[1] - y[1] || x[2] - y[2]; });
      console.log(v.at(-1));'
}

# Installs node@<major>'s latest into .runtimes/node-<major> unless it is there; its log says why it failed.
install() {
  local major=$1 dir=$CACHE/node-$1 version
  # With the registry out of reach, a line already here is tested as it is.
  version=$(latest "$major") || { "$dir/node_modules/.bin/node" --version && return 0; return 1; }
  [ "$("$dir/node_modules/.bin/node" --version 2>/dev/null)" = "v$version" ] && return 0
  timeout 300 npm install --prefix "$dir" --no-save --no-audit --no-fund "node@$version"
}

started=$(now)
for major in $RUNTIMES; do install "$major" >"$CACHE/node-$major.install.log" 2>&1 & done
wait || true
echo "runtimes: ready in $(($(now) - started)) s ($RUNTIMES; logs in .runtimes/)"

started=$(now)
npm run -s build
npm run -s codegen >/dev/null
echo "runtimes: build and codegen in $(($(now) - started)) s"

summary=()
failed=0
tests_passed=0
tests_failed=0
for major in $RUNTIMES; do
  bin=$CACHE/node-$major/node_modules/.bin
  version=$("$bin/node" --version 2>/dev/null || echo none)
  if [[ $version != "v$major."* ]]; then
    summary+=("node $major: not installed (found $version; see .runtimes/node-$major.install.log)")
    failed=1
    continue
  fi
  # After the caller's arguments: jest's --testPathIgnorePatterns takes every word that follows it.
  # --passWithNoTests: a run of one of those suites alone (`-- test/graphiql.e2e-spec.ts`) finds none here.
  skip=()
  [ "$major" = "$ONE_LINE" ] || skip=("--testPathIgnorePatterns=$ONE_LINE_SUITES" --passWithNoTests)
  echo "runtimes: jest on node $version${skip:+ (without the browser, benchmark-script and production-install suites)}"
  report=$CACHE/jest-$major.json
  rm -f "$report"
  started=$(now)
  if PATH=$bin:$PATH npx jest --json --outputFile="$report" "$@" "${skip[@]}"; then result=passed; else result=FAILED; failed=1; fi
  counts=$(node -e 'try { const r = require(process.argv[1]);
      console.log(r.numPassedTests, r.numFailedTests + r.numRuntimeErrorTestSuites) } catch { console.log(0, 1) }' "$report")
  read -r passed failing <<<"$counts"
  tests_passed=$((tests_passed + passed))
  tests_failed=$((tests_failed + failing))
  summary+=("node $version: $result, $passed tests passed, $failing failed, in $(($(now) - started)) s${skip:+ (browser, benchmark-script and production-install suites on node $ONE_LINE only)}")
done

echo
printf 'runtimes: %s\n' "${summary[@]}"
echo "runtimes: $tests_passed passed, $tests_failed failed"
exit $failed
