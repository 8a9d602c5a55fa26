#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tap-summary.sh DIR: counts the TAP results of every DIR/**/NAME.tap and
# prints one line per file (with its time, from NAME.seconds, when the
# runner wrote it), the failures, a table of where the time went, and
# last "N passed, N failed". Exits 1 if anything failed.
#
# Besides each "not ok", these count as failures, so that a test cannot
# pass by crashing or by not running:
#   - "ok ... # SKIP": every test is meant to run in this environment;
#   - fewer results than the plan announced, or no plan and no result;
#   - a non-zero exit status (NAME.status) with no "not ok" to show for it.

dir=${1:?usage: tap-summary.sh DIR}
passed=0
failed=0

while read -r tap; do
	name=${tap#"$dir"/}
	name=${name%.tap}
	status=0
	[ -f "${tap%.tap}.status" ] && status=$(cat "${tap%.tap}.status")

	# Prints "passed failed", then one line per failure.
	report=$(awk -v status="$status" '
		/^ok / && /# *[Ss][Kk][Ii][Pp]/ {
			failed++; lines = lines "  skipped (counts as failed): " $0 "\n"; next
		}
		/^ok / { passed++; next }
		/^not ok / { failed++; lines = lines "  " $0 "\n"; details = 10; next }
		/^#/ && details > 0 { details--; lines = lines "    " $0 "\n"; next }
		{ details = 0 }
		/^1\.\.[0-9]+/ { plan = substr($1, 4) + 0 }
		END {
			seen = passed + failed
			if (plan > seen) {
				failed += plan - seen
				lines = lines sprintf("  %d planned results never came\n", plan - seen)
			} else if (seen == 0) {
				failed++
				lines = lines "  no TAP result at all\n"
			}
			if (status != 0 && failed == 0) {
				failed++
				lines = lines sprintf("  exited with status %d\n", status)
			}
			printf "%d %d\n%s", passed, failed, lines
		}' "$tap")

	read -r p f <<< "$(head -n 1 <<< "$report")"
	passed=$((passed + p))
	failed=$((failed + f))
	took=
	[ -f "${tap%.tap}.seconds" ] && took=" $(cat "${tap%.tap}.seconds") s"
	if [ "$f" -eq 0 ]; then
		printf 'PASS %s (%d)%s\n' "$name" "$p" "$took"
	else
		printf 'FAIL %s (%d passed, %d failed)%s\n' "$name" "$p" "$f" "$took"
		tail -n +2 <<< "$report"
		log=${tap%.tap}.log
		if [ -s "$log" ]; then
			echo "  --- last lines of $log:"
			tail -n 15 "$log" | sed 's/^/  /'
		fi
	fi
done < <(find "$dir" -name '*.tap' | sort)

# Where the time went: each VM (its boot and every test in it), then the
# tests that took longest, host and guest, the slowest first. A VM's
# tests ran one after another; VMs and some host tests ran side by side.
echo
echo "where the time went (seconds):"
find "$dir" -name '*.seconds' ! -name wall.seconds | while read -r file; do
	name=${file#"$dir"/}
	printf '%s %s\n' "$(cat "$file")" "${name%.seconds}"
done | sort -rn | awk '
	$2 ~ /\/(vm|system)$/ { vms = vms sprintf("  %6d  %s\n", $1, $2); next }
	tests < 15 { slow = slow sprintf("  %6d  %s\n", $1, $2); tests++ }
	END {
		if (vms)
			printf "  each VM, boot and tests:\n%s", vms
		printf "  the slowest tests:\n%s", slow
	}'
[ -f "$dir/wall.seconds" ] && printf '  %6d  the whole run\n' "$(cat "$dir/wall.seconds")"

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
