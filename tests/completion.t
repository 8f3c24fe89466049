#!/bin/sh
# minos completion bash: bash's completion function, driven here as bash
# drives it, offers the commands, each command's flags (exactly those its
# help lists), the words of --compress, --accel, --boot, --machine and
# iso's --secure-boot, files where a file goes, and nothing after -- (the
# guest command's words).
. "$(dirname "$0")/lib.sh"

# The candidates bash's completion offers for the line "$1", the cursor at
# its end, one per line, sorted.
complete_words() {
	bash -c '
		source <("$1" completion bash)
		line=$2
		read -ra COMP_WORDS <<<"$line"
		case $line in *" ") COMP_WORDS+=("") ;; esac
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_minos
		printf "%s\n" "${COMPREPLY[@]}"
	' _ "$MINOS" "$1" | sort
}

words() { printf "%s\n" "$@" | sort; }

test_expect_success 'minos <Tab>: the commands' '
	complete_words "minos " >got
	words initramfs iso run test ls kconfig netboot completion help --help --version >want
	test_cmp want got
	complete_words "minos i" >got
	words initramfs iso >want
	test_cmp want got
'

test_expect_success 'minos initramfs --compress <Tab>: the compressions' '
	complete_words "minos initramfs --compress " >got
	words none gzip zstd xz lz4 >want
	test_cmp want got
	complete_words "minos iso --compress z" >got
	words zstd >want
	test_cmp want got
'

test_expect_success '--accel, --boot, --machine and --secure-boot: their words' '
	complete_words "minos iso --secure-boot " >got
	words auto on off >want
	test_cmp want got
	# run'"'"'s --secure-boot takes no word: what follows is the next flag
	complete_words "minos run --secure-boot --u" >got
	words --uefi --usb >want
	test_cmp want got
	complete_words "minos run --accel " >got
	words auto kvm tcg >want
	test_cmp want got
	complete_words "minos test --boot " >got
	words auto pvh bzimage >want
	test_cmp want got
	complete_words "minos run --machine " >got
	words auto microvm pc q35 virt >want
	test_cmp want got
	complete_words "minos initramfs --arch " >got
	words x86_64 arm64 >want
	test_cmp want got
'

test_expect_success 'minos iso --<Tab>: its flags' '
	complete_words "minos iso --" >got
	grep -qx -- --output got
	grep -qx -- --label got
	grep -qx -- --busybox got
	expect_absent "^--accel$" got
'

for cmd in initramfs iso run test ls; do
	test_expect_success "minos $cmd: every flag its help lists is completed, and nothing else" "
		\"\$MINOS\" help $cmd | grep -o -- '--[a-z][a-z-]*' | sort -u >help
		complete_words \"minos $cmd --\" >got
		test_cmp help got
	"
done

test_expect_success 'files where a file goes, directories where a directory, nothing for numbers' '
	mkdir -p dir/sub
	touch dir/kernel-1 dir/kernel-2
	complete_words "minos run --kernel dir/ker" >got
	words dir/kernel-1 dir/kernel-2 >want
	test_cmp want got
	complete_words "minos initramfs --modules-dir dir/" >got
	words dir/sub >want
	test_cmp want got
	complete_words "minos run --memory " >got
	expect_eq "$(cat got)" ""
	complete_words "minos ls dir/kernel-" >got
	words dir/kernel-1 dir/kernel-2 >want
	test_cmp want got
'

test_expect_success 'after --, the guest command: nothing' '
	complete_words "minos test --kernel k -- ls --" >got
	expect_eq "$(cat got)" ""
'

test_expect_success 'minos completion with no shell, or another: one line, status 2' '
	set +e
	"$MINOS" completion 2>err; rc1=$?
	"$MINOS" completion fish 2>err2; rc2=$?
	set -e
	cat err err2
	expect_eq "$rc1 $rc2" "2 2"
	grep -q "which shell" err
	grep -q "fish: not a shell minos completes" err2
'

test_done
