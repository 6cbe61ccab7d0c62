#!/usr/bin/env bash
# Runs every test: the C unit tests ($BUILD/tests/test_*, built by `make test`), the bats
# integration suite and, when asked (VMTEST), the cgroup v2 guest (tests/vm/run.sh), all TAP,
# shown as they run. Counts the results of all and ends with exactly one line:
# `N passed, N failed` (`, N skipped` when some were skipped). Exits non-zero if anything
# failed.
#
# Environment:
#   BUILD        build directory holding tests/test_* (default: build)
#   EDGERUN      runtime under test (default: ./edgerun; see tests/integration/helpers.bash)
#   BATS_FILTER  only run the integration tests whose name matches this regex
#   VMTEST       1: also boot the cgroup v2 guest and count its tests (`make test VMTEST=1`);
#                only: run nothing but the guest (`make test-vm`); unset or 0: no guest.
#                A guest that cannot boot or does not finish counts as a failure. Its own
#                settings (VMTEST_ONLY, VMTEST_VERBOSE, KERNEL, ...): tests/vm/README.md.
set -uo pipefail

cd "$(dirname "$0")/.." || exit 1
build=${BUILD:-build}
passed=0
failed=0
skipped=0
rcfile=$(mktemp)
trap 'rm -f "$rcfile"' EXIT

# tally LABEL CMD...: runs CMD, copies its TAP output to stdout as it comes and counts the
# results. A TODO or skip directive counts as skipped. A command that exits non-zero without
# reporting a failure, or that reports fewer results than its plan, counts as one failure.
tally() {
	local label=$1 line plan="" results=0 failed_before=$failed rc
	shift
	while IFS= read -r line; do
		printf '%s\n' "$line"
		case "$line" in
		"not ok"*)
			results=$((results + 1))
			if [[ "$line" =~ \#[[:space:]]*(TODO|todo) ]]; then
				skipped=$((skipped + 1))
			else
				failed=$((failed + 1))
			fi
			;;
		"ok"*)
			results=$((results + 1))
			if [[ "$line" =~ \#[[:space:]]*([Ss][Kk][Ii][Pp]|TODO|todo) ]]; then
				skipped=$((skipped + 1))
			else
				passed=$((passed + 1))
			fi
			;;
		"Bail out!"*)
			failed=$((failed + 1))
			;;
		esac
		if [[ "$line" =~ ^1\.\.([0-9]+) ]]; then
			plan=${BASH_REMATCH[1]}
		fi
	done < <("$@" 2>&1 </dev/null; echo $? >"$rcfile")
	rc=$(<"$rcfile")
	if [[ -n "$plan" && "$results" -lt "$plan" ]]; then
		echo "not ok - $label: $results results for a plan of $plan"
		failed=$((failed + 1))
	elif [[ "$rc" -ne 0 && "$failed" -eq "$failed_before" ]]; then
		echo "not ok - $label exited with status $rc"
		failed=$((failed + 1))
	fi
}

vmtest=${VMTEST:-0}
case "$vmtest" in
0 | 1 | only) ;;
*)
	echo "run-all: VMTEST must be 0, 1 or only, not \`$vmtest'" >&2
	exit 2
	;;
esac

if [[ "$vmtest" != only ]]; then
	for t in "$build"/tests/test_*; do
		[[ -f "$t" && -x "$t" ]] || continue
		echo "# unit: $t"
		tally "$t" "$t"
	done

	echo "# integration: tests/integration (EDGERUN=${EDGERUN:-./edgerun})"
	bats_args=(--tap)
	if [[ -n "${BATS_FILTER:-}" ]]; then
		bats_args+=(--filter "$BATS_FILTER")
	fi
	tally "bats" bats "${bats_args[@]}" tests/integration
fi

if [[ "$vmtest" != 0 ]]; then
	# The guest always tests ./edgerun (EDGERUN may name runc for the host's bats run).
	echo "# vm: the cgroup v2 guest (tests/vm/run.sh)"
	tally "vm" env EDGERUN= BUILD="$build" tests/vm/run.sh
fi

summary="$passed passed, $failed failed"
if [[ "$skipped" -gt 0 ]]; then
	summary+=", $skipped skipped"
fi
echo "$summary"
[[ "$failed" -eq 0 ]]
