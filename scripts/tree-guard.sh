#!/bin/sh
# tree-guard.sh before|after STATE: make check's promise that the suite
# writes only under its own temporary directories.  "before" records what
# git sees in the work tree (changed and untracked files, ignored ones
# aside) into STATE; "after" fails, naming each file, if the suite left a
# file that was not there or not changed before.  Outside a git work tree
# it does nothing.
set -eu

what=$1 state=$2
cd "$(dirname "$0")/.."
git rev-parse --is-inside-work-tree >/dev/null 2>&1 || exit 0
status() { git status --porcelain=v1 --untracked-files=all --ignore-submodules; }

case $what in
before)
	status >"$state"
	;;
after)
	dir=$(mktemp -d)
	trap 'rm -rf "$dir"' EXIT
	sort "$state" >"$dir/before"
	status | sort >"$dir/after"
	comm -13 "$dir/before" "$dir/after" >"$dir/left"
	while read -r st path; do
		echo "make check: the suite left $path in the tree ($st): tests write only" \
			"under their own temporary directory" >&2
	done <"$dir/left"
	[ ! -s "$dir/left" ]
	;;
*)
	echo "usage: tree-guard.sh before|after STATE" >&2
	exit 2
	;;
esac
