/* arch.h - the machines minos builds for and boots: x86_64 and arm64 */
#ifndef MINOS_ARCH_H
#define MINOS_ARCH_H

enum arch { ARCH_NONE, ARCH_X86_64, ARCH_ARM64 };

/* --arch's words, NULL-ended (for completion). */
extern const char *const arch_names[];
/* --arch's word: x86_64 or arm64 (amd64 and aarch64 accepted); ARCH_NONE if neither. */
enum arch arch_from_name(const char *name);
/* "x86_64", "arm64": Debian's and the kernel's ARCH= name for arm64. */
const char *arch_name(enum arch a);
/* What uname -m says in the guest: "x86_64", "aarch64". */
const char *arch_uname(enum arch a);
/* How file(1) and error messages name its ELF files: "x86-64", "ARM aarch64". */
const char *arch_elf_name(enum arch a);
/* The ELF e_machine of its programs and modules; the arch of one (ARCH_NONE: neither). */
unsigned arch_elf_machine(enum arch a);
enum arch arch_of_elf_machine(unsigned machine);
/* Debian's multiarch triplet, the library directories' name: "aarch64-linux-gnu". */
const char *arch_triplet(enum arch a);
/* Debian's architecture, for PKG:ARCH: "amd64", "arm64". */
const char *arch_debian(enum arch a);
/* The machine minos runs on (x86_64 unless built for arm64). */
enum arch arch_host(void);

#endif
