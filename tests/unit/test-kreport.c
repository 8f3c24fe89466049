/* test-kreport.c - the kernel's reports out of console transcripts, as
 * Linux 6.1 prints them on x86_64 and arm64, whole, byte by byte and in
 * random pieces; interleaved, cut off, escaped, and past every cap. */
#include <stdlib.h>

#include "tap.h"
#include "vm/kreport.h"
#include "util/util.h"

/* ---- transcripts ---- */

static const char warn_x86[] =
	"[   42.118023] ------------[ cut here ]------------\n"
	"[   42.118542] WARNING: CPU: 1 PID: 231 at drivers/misc/minos_test.c:42 "
	"minos_write+0x4c/0x90 [minos_test]\n"
	"[   42.119612] Modules linked in: minos_test(O) 9p netfs 9pnet_virtio 9pnet\n"
	"[   42.120175] CPU: 1 PID: 231 Comm: sh Tainted: G           O       6.1.0-18-amd64 #1  "
	"Debian 6.1.76-1\n"
	"[   42.120984] Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS "
	"1.16.2-debian-1.16.2-1 04/01/2014\n"
	"[   42.121851] RIP: 0010:minos_write+0x4c/0x90 [minos_test]\n"
	"[   42.122344] Code: 48 89 e5 41 54 53 48 89 d3 e8 5d 4f 1c c1 48 85 db <0f> 0b 31 c0 5b\n"
	"[   42.123918] RSP: 0018:ffffb4d0c03bfe48 EFLAGS: 00010246\n"
	"[   42.124372] RAX: 0000000000000000 RBX: 0000000000000002 RCX: 0000000000000000\n"
	"[   42.127507] FS:  00007f0e4c8e8740(0000) GS:ffff9e3a7dd00000(0000) knlGS:0000000000000000\n"
	"[   42.128214] CS:  0010 DS: 0000 ES: 0000 CR0: 0000000080050033\n"
	"[   42.128717] CR2: 000055d0e4a3e2a0 CR3: 0000000002a0e000 CR4: 00000000000006e0\n"
	"[   42.129344] Call Trace:\n"
	"[   42.129571]  <TASK>\n"
	"[   42.129766]  ? __warn+0x7d/0xc0\n"
	"[   42.130078]  ? minos_write+0x4c/0x90 [minos_test]\n"
	"[   42.130531]  ? report_bug+0xe2/0x150\n"
	"[   42.130880]  ? handle_bug+0x41/0x70\n"
	"[   42.131211]  ? exc_invalid_op+0x13/0x60\n"
	"[   42.131577]  ? asm_exc_invalid_op+0x16/0x20\n"
	"[   42.131974]  ? minos_write+0x4c/0x90 [minos_test 4a0b1c2d3e4f5a6b7c8d9e0f]\n"
	"[   42.132427]  vfs_write+0xc8/0x3e0\n"
	"[   42.132739]  ksys_write+0x5f/0xe0\n"
	"[   42.133049]  do_syscall_64+0x58/0xc0\n"
	"[   42.133385]  ? exit_to_user_mode_prepare+0x44/0x1f0\n"
	"[   42.133849]  entry_SYSCALL_64_after_hwframe+0x64/0xce\n"
	"[   42.134329] RIP: 0033:0x7f0e4c9e0a70\n"
	"[   42.134668] Code: 40 00 48 8b 15 b9 53 0d 00 f7 d8 64 89 02 48 c7 c0 ff ff ff ff\n"
	"[   42.136325] RSP: 002b:00007ffd0a5c0f18 EFLAGS: 00000202 ORIG_RAX: 0000000000000001\n"
	"[   42.136996] RAX: ffffffffffffffda RBX: 0000000000000002 RCX: 00007f0e4c9e0a70\n"
	"[   42.140134]  </TASK>\n"
	"[   42.140332] ---[ end trace 0000000000000000 ]---\n";

static const char warn_arm64[] =
	"[   12.345678] ------------[ cut here ]------------\n"
	"[   12.346012] minosfs: a buffer of 4096 bytes is too small\n"
	"[   12.346512] WARNING: CPU: 0 PID: 97 at fs/minosfs/inode.c:311 "
	"minosfs_fill_super+0x1e4/0x2a0\n"
	"[   12.347100] Modules linked in:\n"
	"[   12.347300] CPU: 0 PID: 97 Comm: mount Not tainted 6.1.0 #1\n"
	"[   12.347600] Hardware name: linux,dummy-virt (DT)\n"
	"[   12.347900] pstate: 60400005 (nZCv daif +PAN -UAO -TCO -DIT -SSBS BTYPE=--)\n"
	"[   12.348200] pc : minosfs_fill_super+0x1e4/0x2a0\n"
	"[   12.348500] lr : minosfs_fill_super+0x1e0/0x2a0\n"
	"[   12.348800] sp : ffff80000a3c3b90\n"
	"[   12.349000] x29: ffff80000a3c3b90 x28: ffff0000c2d1a000 x27: 0000000000000000\n"
	"[   12.350400] x2 : 0000000000000000 x1 : 0000000000000000 x0 : 0000000000001000\n"
	"[   12.350700] Call trace:\n"
	"[   12.350900]  minosfs_fill_super+0x1e4/0x2a0\n"
	"[   12.351100]  mount_bdev+0x1b0/0x1f0\n"
	"[   12.351300]  minosfs_mount+0x20/0x30\n"
	"[   12.351500]  legacy_get_tree+0x34/0x60\n"
	"[   12.351700]  vfs_get_tree+0x2c/0xf0\n"
	"[   12.351900]  path_mount+0x3f0/0xa30\n"
	"[   12.352100]  __arm64_sys_mount+0x1d4/0x290\n"
	"[   12.352300]  invoke_syscall+0x48/0x114\n"
	"[   12.352500]  el0_svc_common.constprop.0+0x44/0xf4\n"
	"[   12.352700]  do_el0_svc+0x30/0xc0\n"
	"[   12.352900]  el0_svc+0x2c/0x84\n"
	"[   12.353100]  el0t_64_sync_handler+0xbc/0x140\n"
	"[   12.353300]  el0t_64_sync+0x18c/0x190\n"
	"[   12.353500] ---[ end trace 0000000000000000 ]---\n";

static const char null_x86[] =
	"[   55.201934] BUG: kernel NULL pointer dereference, address: 0000000000000008\n"
	"[   55.202576] #PF: supervisor write access in kernel mode\n"
	"[   55.203049] #PF: error_code(0x0002) - not-present page\n"
	"[   55.203518] PGD 0 P4D 0 \n"
	"[   55.203766] Oops: 0002 [#1] PREEMPT SMP NOPTI\n"
	"[   55.204158] CPU: 0 PID: 240 Comm: sh Tainted: G           O       6.1.0 #1\n"
	"[   55.204771] Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS "
	"1.16.2-debian-1.16.2-1 04/01/2014\n"
	"[   55.205560] RIP: 0010:minos_ioctl+0x2a/0x60 [minos_test]\n"
	"[   55.206060] Code: 0f 1f 44 00 00 55 48 89 e5 53 48 8b 1d 6e 15 00 00 <48> 89 43 08 31 c0\n"
	"[   55.207700] RSP: 0018:ffffb4d0c03bfe70 EFLAGS: 00010246\n"
	"[   55.212200] CR2: 0000000000000008 CR3: 0000000002a4e000 CR4: 00000000000006f0\n"
	"[   55.212800] Call Trace:\n"
	"[   55.213000]  <TASK>\n"
	"[   55.213200]  ? __die+0x23/0x70\n"
	"[   55.213400]  ? page_fault_oops+0x171/0x4e0\n"
	"[   55.213600]  ? exc_page_fault+0x7f/0x180\n"
	"[   55.213800]  ? asm_exc_page_fault+0x26/0x30\n"
	"[   55.214000]  ? minos_ioctl+0x2a/0x60 [minos_test]\n"
	"[   55.214200]  __x64_sys_ioctl+0x8d/0xd0\n"
	"[   55.214400]  do_syscall_64+0x58/0xc0\n"
	"[   55.214600]  entry_SYSCALL_64_after_hwframe+0x64/0xce\n"
	"[   55.214800] RIP: 0033:0x7f1b2c8c7b5b\n"
	"[   55.215000] Code: 00 48 89 44 24 18 31 c0 48 8d 44 24 60 c7 04 24 10 00 00 00\n"
	"[   55.215200] RSP: 002b:00007ffc4d0e6c60 EFLAGS: 00000246 ORIG_RAX: 0000000000000010\n"
	"[   55.215400]  </TASK>\n"
	"[   55.215600] Modules linked in: minos_test(O)\n"
	"[   55.215800] CR2: 0000000000000008\n"
	"[   55.216000] ---[ end trace 0000000000000000 ]---\n"
	"[   55.216200] RIP: 0010:minos_ioctl+0x2a/0x60 [minos_test]\n"
	"[   55.216400] Code: 0f 1f 44 00 00 55 48 89 e5 53 48 8b 1d 6e 15 00 00 <48> 89 43 08 31 c0\n"
	"[   55.216600] RSP: 0018:ffffb4d0c03bfe70 EFLAGS: 00010246\n"
	"[   55.216800] note: sh[240] exited with irqs disabled\n"
	"[   55.217000] Kernel panic - not syncing: Fatal exception\n"
	"[   55.217200] Kernel Offset: 0x2a000000 from 0xffffffff81000000 (relocation range: "
	"0xffffffff80000000-0xffffffffbfffffff)\n"
	"[   55.217400] ---[ end Kernel panic - not syncing: Fatal exception ]---\n";

static const char null_arm64[] =
	"[   20.112233] Unable to handle kernel NULL pointer dereference at virtual address "
	"0000000000000000\n"
	"[   20.112900] Mem abort info:\n"
	"[   20.113100]   ESR = 0x0000000096000045\n"
	"[   20.113300]   EC = 0x25: DABT (current EL), IL = 32 bits\n"
	"[   20.113500]   SET = 0, FnV = 0\n"
	"[   20.113700]   EA = 0, S1PTW = 0\n"
	"[   20.113900]   FSC = 0x05: level 1 translation fault\n"
	"[   20.114100] Data abort info:\n"
	"[   20.114300]   ISV = 0, ISS = 0x00000045\n"
	"[   20.114500]   CM = 0, WnR = 1\n"
	"[   20.114700] user pgtable: 4k pages, 48-bit VAs, pgdp=0000000043f0e000\n"
	"[   20.114900] [0000000000000000] pgd=0000000000000000, p4d=0000000000000000\n"
	"[   20.115100] Internal error: Oops: 0000000096000045 [#1] PREEMPT SMP\n"
	"[   20.115300] Modules linked in: minos_test(O)\n"
	"[   20.115500] CPU: 1 PID: 180 Comm: sh Tainted: G           O       6.1.0 #1\n"
	"[   20.115700] Hardware name: linux,dummy-virt (DT)\n"
	"[   20.115900] pstate: 80400005 (Nzcv daif +PAN -UAO -TCO -DIT -SSBS BTYPE=--)\n"
	"[   20.116100] pc : minos_write+0x1c/0x40 [minos_test]\n"
	"[   20.116300] lr : vfs_write+0xc8/0x2e0\n"
	"[   20.116500] sp : ffff80000a1b3d50\n"
	"[   20.116700] x29: ffff80000a1b3d50 x28: ffff0000c1c2a000 x27: 0000000000000000\n"
	"[   20.116900] x2 : 0000000000000002 x1 : 0000000000000000 x0 : 0000000000000000\n"
	"[   20.117100] Call trace:\n"
	"[   20.117300]  minos_write+0x1c/0x40 [minos_test]\n"
	"[   20.117500]  vfs_write+0xc8/0x2e0\n"
	"[   20.117700]  ksys_write+0x6c/0x100\n"
	"[   20.117900]  __arm64_sys_write+0x1c/0x30\n"
	"[   20.118100]  invoke_syscall+0x48/0x114\n"
	"[   20.118300]  el0_svc_common.constprop.0+0x44/0xf4\n"
	"[   20.118500]  do_el0_svc+0x2c/0xc0\n"
	"[   20.118700]  el0_svc+0x2c/0x84\n"
	"[   20.118900]  el0t_64_sync_handler+0xbc/0x140\n"
	"[   20.119100]  el0t_64_sync+0x18c/0x190\n"
	"[   20.119300] Code: d2800001 d2800000 52800022 f9000020 (b9000041) \n"
	"[   20.119500] ---[ end trace 0000000000000000 ]---\n";

static const char bug_on_x86[] =
	"[   33.000001] ------------[ cut here ]------------\n"
	"[   33.000002] kernel BUG at mm/slub.c:435!\n"
	"[   33.000003] invalid opcode: 0000 [#1] PREEMPT SMP NOPTI\n"
	"[   33.000004] CPU: 0 PID: 1 Comm: swapper/0 Not tainted 6.1.0 #1\n"
	"[   33.000005] Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS "
	"1.16.2-debian-1.16.2-1 04/01/2014\n"
	"[   33.000006] RIP: 0010:__slab_free+0x2b5/0x2c0\n"
	"[   33.000007] Code: 41 5d 41 5e 41 5f e9 4c 6d 9e 00 48 8b 5c 24 28 e9 33 ff ff ff <0f> 0b\n"
	"[   33.000008] RSP: 0000:ffffb4d0c0013d80 EFLAGS: 00010246\n"
	"[   33.000020] Call Trace:\n"
	"[   33.000021]  <TASK>\n"
	"[   33.000022]  ? __die_body.cold+0x1a/0x1f\n"
	"[   33.000023]  ? die+0x2a/0x50\n"
	"[   33.000024]  ? do_trap+0xc5/0x110\n"
	"[   33.000025]  kfree+0x2b5/0x2c0\n"
	"[   33.000030]  minos_init+0x35/0x1000 [minos_test]\n"
	"[   33.000031]  do_one_initcall+0x56/0x220\n"
	"[   33.000032]  </TASK>\n"
	"[   33.000033] Modules linked in: minos_test(O+)\n"
	"[   33.000034] ---[ end trace 0000000000000000 ]---\n";

static const char bug_on_arm64[] =
	"[    8.100000] ------------[ cut here ]------------\n"
	"[    8.100001] kernel BUG at drivers/misc/minos_test.c:77!\n"
	"[    8.100002] Internal error: Oops - BUG: 00000000f2000800 [#1] PREEMPT SMP\n"
	"[    8.100003] Modules linked in: minos_test(O+)\n"
	"[    8.100004] CPU: 0 PID: 120 Comm: insmod Tainted: G           O       6.1.0 #1\n"
	"[    8.100005] Hardware name: linux,dummy-virt (DT)\n"
	"[    8.100006] pstate: 60000005 (nZCv daif -PAN -UAO -TCO -DIT -SSBS BTYPE=--)\n"
	"[    8.100007] pc : minos_init+0x10/0x1000 [minos_test]\n"
	"[    8.100008] lr : do_one_initcall+0x50/0x210\n"
	"[    8.100009] sp : ffff80000a2fbb30\n"
	"[    8.100010] Call trace:\n"
	"[    8.100011]  minos_init+0x10/0x1000 [minos_test]\n"
	"[    8.100012]  do_one_initcall+0x50/0x210\n"
	"[    8.100013]  do_init_module+0x50/0x200\n"
	"[    8.100014]  load_module+0x1b7c/0x2110\n"
	"[    8.100015]  __do_sys_finit_module+0xac/0x130\n"
	"[    8.100016]  __arm64_sys_finit_module+0x28/0x34\n"
	"[    8.100017]  invoke_syscall+0x48/0x114\n"
	"[    8.100018]  el0_svc_common.constprop.0+0xd4/0xf4\n"
	"[    8.100019]  do_el0_svc+0x30/0xc0\n"
	"[    8.100020]  el0_svc+0x2c/0x84\n"
	"[    8.100021]  el0t_64_sync_handler+0xbc/0x140\n"
	"[    8.100022]  el0t_64_sync+0x18c/0x190\n"
	"[    8.100023] Code: d503233f a9bf7bfd 910003fd d503201f (d4210000) \n"
	"[    8.100024] ---[ end trace 0000000000000000 ]---\n";

static const char kasan_x86[] =
	"[   61.000000] ==================================================================\n"
	"[   61.000001] BUG: KASAN: use-after-free in minos_read+0x5e/0x80 [minos_test]\n"
	"[   61.000002] Read of size 8 at addr ffff888003b4c2a8 by task cat/251\n"
	"[   61.000003] \n"
	"[   61.000004] CPU: 1 PID: 251 Comm: cat Tainted: G    B      O       6.1.0 #1\n"
	"[   61.000005] Hardware name: QEMU Standard PC (i440FX + PIIX, 1996)\n"
	"[   61.000006] Call Trace:\n"
	"[   61.000007]  <TASK>\n"
	"[   61.000008]  dump_stack_lvl+0x49/0x63\n"
	"[   61.000009]  print_report+0x177/0x46e\n"
	"[   61.000010]  kasan_report+0xb0/0x140\n"
	"[   61.000011]  minos_read+0x5e/0x80 [minos_test]\n"
	"[   61.000012]  vfs_read+0x13d/0x4c0\n"
	"[   61.000013]  ksys_read+0xc7/0x160\n"
	"[   61.000014]  do_syscall_64+0x58/0xc0\n"
	"[   61.000015]  entry_SYSCALL_64_after_hwframe+0x64/0xce\n"
	"[   61.000016] RIP: 0033:0x7f3c9a4e0992\n"
	"[   61.000018] RSP: 002b:00007ffd8b8e1f88 EFLAGS: 00000246 ORIG_RAX: 0000000000000000\n"
	"[   61.000019]  </TASK>\n"
	"[   61.000020]\n"
	"[   61.000021] Allocated by task 250:\n"
	"[   61.000022]  kasan_save_stack+0x22/0x50\n"
	"[   61.000023]  kasan_set_track+0x25/0x30\n"
	"[   61.000024]  __kasan_kmalloc+0x7e/0x90\n"
	"[   61.000025]  minos_open+0x2a/0x60 [minos_test]\n"
	"[   61.000026]  do_dentry_open+0x1f6/0x6b0\n"
	"[   61.000027] \n"
	"[   61.000028] Freed by task 250:\n"
	"[   61.000029]  kasan_save_stack+0x22/0x50\n"
	"[   61.000030]  kasan_set_track+0x25/0x30\n"
	"[   61.000031]  kasan_save_free_info+0x2e/0x50\n"
	"[   61.000032]  ____kasan_slab_free+0x143/0x1b0\n"
	"[   61.000033]  __kmem_cache_free+0xc8/0x330\n"
	"[   61.000034]  minos_release+0x1e/0x40 [minos_test]\n"
	"[   61.000035]  __fput+0x1cb/0x4a0\n"
	"[   61.000036] \n"
	"[   61.000037] The buggy address belongs to the object at ffff888003b4c2a0\n"
	"[   61.000038]  which belongs to the cache kmalloc-32 of size 32\n"
	"[   61.000039] The buggy address is located 8 bytes inside of\n"
	"[   61.000040]  32-byte region [ffff888003b4c2a0, ffff888003b4c2c0)\n"
	"[   61.000041] \n"
	"[   61.000042] The buggy address belongs to the physical page:\n"
	"[   61.000043] page:00000000c6a8e1b3 refcount:1 mapcount:0 mapping:0000000000000000 "
	"index:0x0 pfn:0x3b4c\n"
	"[   61.000044] flags: 0x100000000000200(slab|node=0|zone=1)\n"
	"[   61.000046] page dumped because: kasan: bad access detected\n"
	"[   61.000047] \n"
	"[   61.000048] Memory state around the buggy address:\n"
	"[   61.000049]  ffff888003b4c180: fa fb fb fb fc fc fc fc fa fb fb fb fc fc fc fc\n"
	"[   61.000050] >ffff888003b4c280: fa fb fb fb fc fc fc fc fa fb fb fb fc fc fc fc\n"
	"[   61.000051]                                   ^\n"
	"[   61.000052]  ffff888003b4c300: fa fb fb fb fc fc fc fc fa fb fb fb fc fc fc fc\n"
	"[   61.000053] ==================================================================\n"
	"[   61.000054] Disabling lock debugging due to kernel taint\n";

static const char ubsan_x86[] =
	"[    5.000000] ==================================================================="
	"=============\n"
	"[    5.000001] UBSAN: shift-out-of-bounds in drivers/misc/minos_test.c:55:21\n"
	"[    5.000002] shift exponent 64 is too large for 64-bit type 'long unsigned int'\n"
	"[    5.000003] CPU: 0 PID: 1 Comm: swapper/0 Not tainted 6.1.0 #1\n"
	"[    5.000004] Hardware name: QEMU Standard PC (i440FX + PIIX, 1996)\n"
	"[    5.000005] Call Trace:\n"
	"[    5.000006]  <TASK>\n"
	"[    5.000007]  dump_stack_lvl+0x44/0x5c\n"
	"[    5.000008]  ubsan_epilogue+0x5/0x40\n"
	"[    5.000009]  __ubsan_handle_shift_out_of_bounds.cold+0x61/0xef\n"
	"[    5.000010]  minos_shift+0x1d/0x30\n"
	"[    5.000011]  minos_init+0x1a/0x40\n"
	"[    5.000012]  do_one_initcall+0x56/0x220\n"
	"[    5.000013]  kernel_init_freeable+0x1e6/0x238\n"
	"[    5.000014]  kernel_init+0x16/0x130\n"
	"[    5.000015]  ret_from_fork+0x22/0x30\n"
	"[    5.000016]  </TASK>\n"
	"[    5.000017] ==================================================================="
	"=============\n";

static const char kfence_x86[] =
	"[   70.000000] ==================================================================\n"
	"[   70.000001] BUG: KFENCE: use-after-free read in minos_peek+0x1b/0x30\n"
	"[   70.000002] \n"
	"[   70.000003] Use-after-free read at 0x00000000a2b7e1d6 (in kfence-#42):\n"
	"[   70.000004]  minos_peek+0x1b/0x30\n"
	"[   70.000005]  minos_init+0x2e/0x40\n"
	"[   70.000006]  do_one_initcall+0x56/0x220\n"
	"[   70.000007] \n"
	"[   70.000008] kfence-#42: 0x00000000a2b7e1d6-0x00000000c1d2e3f4, size=32, "
	"cache=kmalloc-32\n"
	"[   70.000009] \n"
	"[   70.000010] allocated by task 1 on cpu 0 at 69.990000s:\n"
	"[   70.000011]  __kmem_cache_alloc_node+0x2a1/0x310\n"
	"[   70.000012]  kmalloc_trace+0x26/0x90\n"
	"[   70.000013]  minos_init+0x12/0x40\n"
	"[   70.000014] \n"
	"[   70.000015] freed by task 1 on cpu 0 at 69.995000s:\n"
	"[   70.000016]  minos_init+0x26/0x40\n"
	"[   70.000017]  do_one_initcall+0x56/0x220\n"
	"[   70.000018] \n"
	"[   70.000019] CPU: 0 PID: 1 Comm: swapper/0 Not tainted 6.1.0 #1\n"
	"[   70.000020] Hardware name: QEMU Standard PC (i440FX + PIIX, 1996)\n"
	"[   70.000021] ==================================================================\n";

static const char kcsan_x86[] =
	"[   80.000000] ==================================================================\n"
	"[   80.000001] BUG: KCSAN: data-race in minos_reader / minos_writer\n"
	"[   80.000002] \n"
	"[   80.000003] write to 0xffffffffc0a02010 of 4 bytes by task 300 on cpu 1:\n"
	"[   80.000004]  minos_writer+0x2c/0x50 [minos_test]\n"
	"[   80.000005]  kthread+0x1a5/0x1e0\n"
	"[   80.000006]  ret_from_fork+0x1f/0x30\n"
	"[   80.000007] \n"
	"[   80.000008] read to 0xffffffffc0a02010 of 4 bytes by task 299 on cpu 0:\n"
	"[   80.000009]  minos_reader+0x1e/0x40 [minos_test]\n"
	"[   80.000010]  kthread+0x1a5/0x1e0\n"
	"[   80.000011]  ret_from_fork+0x1f/0x30\n"
	"[   80.000012] \n"
	"[   80.000013] value changed: 0x00000001 -> 0x00000002\n"
	"[   80.000014] \n"
	"[   80.000015] Reported by Kernel Concurrency Sanitizer on:\n"
	"[   80.000016] CPU: 0 PID: 299 Comm: minos_reader Tainted: G           O       6.1.0 #1\n"
	"[   80.000017] Hardware name: QEMU Standard PC (i440FX + PIIX, 1996)\n"
	"[   80.000018] ==================================================================\n";

static const char lockdep_x86[] =
	"[   90.000000] \n"
	"[   90.000001] ============================================\n"
	"[   90.000002] WARNING: possible recursive locking detected\n"
	"[   90.000003] 6.1.0 #1 Tainted: G           O      \n"
	"[   90.000004] --------------------------------------------\n"
	"[   90.000005] sh/310 is trying to acquire lock:\n"
	"[   90.000006] ffffffffc0a02040 (minos_lock){+.+.}-{2:2}, at: "
	"minos_twice+0x1d/0x40 [minos_test]\n"
	"[   90.000007] \n"
	"[   90.000008] but task is already holding lock:\n"
	"[   90.000009] ffffffffc0a02040 (minos_lock){+.+.}-{2:2}, at: "
	"minos_once+0x15/0x30 [minos_test]\n"
	"[   90.000010] \n"
	"[   90.000011] other info that might help us debug this:\n"
	"[   90.000012]  Possible unsafe locking scenario:\n"
	"[   90.000013] \n"
	"[   90.000014]        CPU0\n"
	"[   90.000015]        ----\n"
	"[   90.000016]   lock(minos_lock);\n"
	"[   90.000017]   lock(minos_lock);\n"
	"[   90.000018] \n"
	"[   90.000019]  *** DEADLOCK ***\n"
	"[   90.000020] \n"
	"[   90.000021]  May be due to missing lock nesting notation\n"
	"[   90.000022] \n"
	"[   90.000023] 1 lock held by sh/310:\n"
	"[   90.000024]  #0: ffffffffc0a02040 (minos_lock){+.+.}-{2:2}, at: "
	"minos_once+0x15/0x30 [minos_test]\n"
	"[   90.000025] \n"
	"[   90.000026] stack backtrace:\n"
	"[   90.000027] CPU: 0 PID: 310 Comm: sh Tainted: G           O       6.1.0 #1\n"
	"[   90.000028] Hardware name: QEMU Standard PC (i440FX + PIIX, 1996)\n"
	"[   90.000029] Call Trace:\n"
	"[   90.000030]  <TASK>\n"
	"[   90.000031]  dump_stack_lvl+0x5b/0x77\n"
	"[   90.000032]  __lock_acquire.cold+0x1d1/0x2e0\n"
	"[   90.000033]  lock_acquire+0xd3/0x2f0\n"
	"[   90.000034]  _raw_spin_lock+0x2f/0x40\n"
	"[   90.000035]  minos_twice+0x1d/0x40 [minos_test]\n"
	"[   90.000036]  minos_once+0x1f/0x30 [minos_test]\n"
	"[   90.000037]  minos_write+0x31/0x60 [minos_test]\n"
	"[   90.000038]  vfs_write+0xc8/0x3e0\n"
	"[   90.000039]  ksys_write+0x5f/0xe0\n"
	"[   90.000040]  do_syscall_64+0x58/0xc0\n"
	"[   90.000041]  entry_SYSCALL_64_after_hwframe+0x64/0xce\n"
	"[   90.000042] RIP: 0033:0x7f0e4c9e0a70\n"
	"[   90.000043] RSP: 002b:00007ffd0a5c0f18 EFLAGS: 00000202 ORIG_RAX: 0000000000000001\n"
	"[   90.000044]  </TASK>\n"
	"[   90.000045] minos: the next line is not the report's\n";

static const char rcu_usage_x86[] =
	"[   95.000000] =============================\n"
	"[   95.000001] WARNING: suspicious RCU usage\n"
	"[   95.000002] 6.1.0 #1 Tainted: G           O      \n"
	"[   95.000003] -----------------------------\n"
	"[   95.000004] drivers/misc/minos_test.c:120 suspicious rcu_dereference_check() usage!\n"
	"[   95.000005] \n"
	"[   95.000006] other info that might help us debug this:\n"
	"[   95.000007] \n"
	"[   95.000009] rcu_scheduler_active = 2, debug_locks = 1\n"
	"[   95.000010] 1 lock held by sh/320:\n"
	"[   95.000011]  #0: ffff888003a1c0a8 (&minos->mutex){+.+.}-{3:3}, at: "
	"minos_ioctl+0x1d/0x60 [minos_test]\n"
	"[   95.000012] \n"
	"[   95.000013] stack backtrace:\n"
	"[   95.000014] CPU: 0 PID: 320 Comm: sh Tainted: G           O       6.1.0 #1\n"
	"[   95.000015] Hardware name: QEMU Standard PC (i440FX + PIIX, 1996)\n"
	"[   95.000016] Call Trace:\n"
	"[   95.000017]  <TASK>\n"
	"[   95.000018]  dump_stack_lvl+0x5b/0x77\n"
	"[   95.000019]  lockdep_rcu_suspicious.cold+0x38/0x41\n"
	"[   95.000020]  minos_lookup+0x8e/0xa0 [minos_test]\n"
	"[   95.000021]  minos_ioctl+0x2f/0x60 [minos_test]\n"
	"[   95.000022]  </TASK>\n"
	"[   95.000023] \n";

static const char hung_x86[] =
	"[  245.000000] INFO: task kworker/0:1:12 blocked for more than 120 seconds.\n"
	"[  245.000001]       Tainted: G           O       6.1.0 #1\n"
	"[  245.000002] \"echo 0 > /proc/sys/kernel/hung_task_timeout_secs\" disables this message.\n"
	"[  245.000003] task:kworker/0:1     state:D stack:0     pid:12    ppid:2      "
	"flags:0x00004000\n"
	"[  245.000004] Workqueue: events minos_work_fn [minos_test]\n"
	"[  245.000005] Call Trace:\n"
	"[  245.000006]  <TASK>\n"
	"[  245.000007]  __schedule+0x34d/0x9e0\n"
	"[  245.000008]  schedule+0x5a/0xd0\n"
	"[  245.000009]  schedule_preempt_disabled+0x11/0x20\n"
	"[  245.000010]  __mutex_lock.constprop.0+0x3b4/0x700\n"
	"[  245.000011]  minos_work_fn+0x1e/0x40 [minos_test]\n"
	"[  245.000012]  process_one_work+0x1c7/0x380\n"
	"[  245.000013]  worker_thread+0x4d/0x380\n"
	"[  245.000014]  kthread+0xd7/0x100\n"
	"[  245.000015]  ret_from_fork+0x22/0x30\n"
	"[  245.000016]  </TASK>\n"
	"[  245.000017] \n";

static const char softlockup_x86[] =
	"[   48.000000] watchdog: BUG: soft lockup - CPU#1 stuck for 22s! [sh:260]\n"
	"[   48.000001] Modules linked in: minos_test(O)\n"
	"[   48.000002] CPU: 1 PID: 260 Comm: sh Tainted: G           O L     6.1.0 #1\n"
	"[   48.000003] Hardware name: QEMU Standard PC (i440FX + PIIX, 1996)\n"
	"[   48.000004] RIP: 0010:minos_spin+0x12/0x20 [minos_test]\n"
	"[   48.000005] Code: 0f 1f 44 00 00 eb fe 66 2e 0f 1f 84 00 00 00 00 00 <eb> fe\n"
	"[   48.000006] RSP: 0018:ffffb4d0c03bfe60 EFLAGS: 00000202\n"
	"[   48.000007] RAX: 0000000000000000 RBX: 0000000000000002 RCX: 0000000000000000\n"
	"[   48.000008] Call Trace:\n"
	"[   48.000009]  <TASK>\n"
	"[   48.000010]  minos_write+0x25/0x60 [minos_test]\n"
	"[   48.000011]  vfs_write+0xc8/0x3e0\n"
	"[   48.000012]  ksys_write+0x5f/0xe0\n"
	"[   48.000013]  do_syscall_64+0x58/0xc0\n"
	"[   48.000014]  entry_SYSCALL_64_after_hwframe+0x64/0xce\n"
	"[   48.000015]  </TASK>\n"
	"[   48.000016] minos: something else\n";

static const char softlockup_arm64[] =
	"[   48.000000] watchdog: BUG: soft lockup - CPU#0 stuck for 26s! [sh:199]\n"
	"[   48.000001] Modules linked in: minos_test(O)\n"
	"[   48.000002] irq event stamp: 0\n"
	"[   48.000003] hardirqs last  enabled at (0): [<0000000000000000>] 0x0\n"
	"[   48.000004] CPU: 0 PID: 199 Comm: sh Tainted: G           O L     6.1.0 #1\n"
	"[   48.000005] Hardware name: linux,dummy-virt (DT)\n"
	"[   48.000006] pstate: 60400005 (nZCv daif +PAN -UAO -TCO -DIT -SSBS BTYPE=--)\n"
	"[   48.000007] pc : minos_spin+0x8/0x10 [minos_test]\n"
	"[   48.000008] lr : minos_write+0x2c/0x50 [minos_test]\n"
	"[   48.000009] sp : ffff80000a1b3d40\n"
	"[   48.000010] Call trace:\n"
	"[   48.000011]  minos_spin+0x8/0x10 [minos_test]\n"
	"[   48.000012]  minos_write+0x2c/0x50 [minos_test]\n"
	"[   48.000013]  vfs_write+0xc8/0x2e0\n"
	"[   48.000014]  el0t_64_sync+0x18c/0x190\n";

static const char hardlockup_x86[] =
	"[  100.000000] NMI watchdog: Watchdog detected hard LOCKUP on cpu 1\n"
	"[  100.000001] Modules linked in: minos_test(O)\n"
	"[  100.000002] CPU: 1 PID: 270 Comm: sh Tainted: G           O       6.1.0 #1\n"
	"[  100.000003] Hardware name: QEMU Standard PC (i440FX + PIIX, 1996)\n"
	"[  100.000004] RIP: 0010:minos_spin_irqoff+0x14/0x20 [minos_test]\n"
	"[  100.000005] Code: 0f 1f 44 00 00 fa eb fe 66 0f 1f 84 00 00 00 00 00 <eb> fe\n"
	"[  100.000006] RSP: 0018:ffffb4d0c03bfe60 EFLAGS: 00000046\n"
	"[  100.000007] Call Trace:\n"
	"[  100.000008]  <TASK>\n"
	"[  100.000009]  minos_write+0x2d/0x60 [minos_test]\n"
	"[  100.000010]  vfs_write+0xc8/0x3e0\n"
	"[  100.000011]  </TASK>\n"
	"[  100.000012] Kernel panic - not syncing: Hard LOCKUP\n"
	"[  100.000013] CPU: 1 PID: 270 Comm: sh Tainted: G           O       6.1.0 #1\n"
	"[  100.000014] Call Trace:\n"
	"[  100.000015]  <NMI>\n"
	"[  100.000016]  dump_stack_lvl+0x44/0x5c\n"
	"[  100.000017]  panic+0x10c/0x2a6\n"
	"[  100.000018]  nmi_panic.cold+0xc/0xc\n"
	"[  100.000019]  watchdog_overflow_callback.cold+0x5c/0x70\n"
	"[  100.000020]  __perf_event_overflow+0x55/0x100\n"
	"[  100.000021]  handle_pmi_common+0x1a9/0x340\n"
	"[  100.000022]  intel_pmu_handle_irq+0x10c/0x230\n"
	"[  100.000023]  perf_event_nmi_handler+0x26/0x40\n"
	"[  100.000024]  nmi_handle+0x5c/0x100\n"
	"[  100.000025]  default_do_nmi+0x40/0x100\n"
	"[  100.000026]  exc_nmi+0x13a/0x170\n"
	"[  100.000027]  end_repeat_nmi+0x16/0x67\n"
	"[  100.000028] RIP: 0010:minos_spin_irqoff+0x14/0x20 [minos_test]\n"
	"[  100.000029] RSP: 0018:ffffb4d0c03bfe60 EFLAGS: 00000046\n"
	"[  100.000030]  </NMI>\n"
	"[  100.000031]  <TASK>\n"
	"[  100.000032]  minos_write+0x2d/0x60 [minos_test]\n"
	"[  100.000033]  </TASK>\n"
	"[  100.000034] Kernel Offset: disabled\n"
	"[  100.000035] ---[ end Kernel panic - not syncing: Hard LOCKUP ]---\n";

static const char rcu_self_x86[] =
	"[  150.000000] rcu: INFO: rcu_preempt self-detected stall on CPU\n"
	"[  150.000001] rcu: \t0-....: (20999 ticks this GP) idle=9f4c/1/0x4000000000000000 "
	"softirq=3012/3012 fqs=5249\n"
	"[  150.000002] \t(t=21003 jiffies g=4229 q=1120 ncpus=2)\n"
	"[  150.000003] NMI backtrace for cpu 0\n"
	"[  150.000004] CPU: 0 PID: 280 Comm: sh Tainted: G           O       6.1.0 #1\n"
	"[  150.000005] Hardware name: QEMU Standard PC (i440FX + PIIX, 1996)\n"
	"[  150.000006] Call Trace:\n"
	"[  150.000007]  <IRQ>\n"
	"[  150.000008]  dump_stack_lvl+0x44/0x5c\n"
	"[  150.000009]  nmi_cpu_backtrace.cold+0x30/0x70\n"
	"[  150.000010]  ? lapic_can_unplug_cpu+0x80/0x80\n"
	"[  150.000011]  nmi_trigger_cpumask_backtrace+0xe5/0xf0\n"
	"[  150.000012]  rcu_dump_cpu_stacks+0xc5/0x100\n"
	"[  150.000013]  rcu_sched_clock_irq.cold+0x45/0x13b\n"
	"[  150.000014]  update_process_times+0x8c/0xc0\n"
	"[  150.000015]  tick_sched_handle+0x22/0x60\n"
	"[  150.000016]  tick_sched_timer+0x7a/0x90\n"
	"[  150.000017]  ? tick_sched_do_timer+0xa0/0xa0\n"
	"[  150.000018]  __hrtimer_run_queues+0x112/0x2b0\n"
	"[  150.000019]  hrtimer_interrupt+0xfe/0x220\n"
	"[  150.000020]  __sysvec_apic_timer_interrupt+0x7f/0x170\n"
	"[  150.000021]  sysvec_apic_timer_interrupt+0x99/0xc0\n"
	"[  150.000022]  </IRQ>\n"
	"[  150.000023]  <TASK>\n"
	"[  150.000024]  asm_sysvec_apic_timer_interrupt+0x16/0x20\n"
	"[  150.000025] RIP: 0010:minos_spin_rcu+0x10/0x20 [minos_test]\n"
	"[  150.000026] Code: 0f 1f 44 00 00 eb fe 66 2e 0f 1f 84 00 00 00 00 00 <eb> fe\n"
	"[  150.000027] RSP: 0018:ffffb4d0c03bfe60 EFLAGS: 00000246\n"
	"[  150.000028] RAX: 0000000000000000 RBX: 0000000000000002 RCX: 0000000000000000\n"
	"[  150.000029]  minos_write+0x35/0x60 [minos_test]\n"
	"[  150.000030]  vfs_write+0xc8/0x3e0\n"
	"[  150.000031]  </TASK>\n"
	"[  150.000032] minos: unrelated\n";

/* With CONFIG_PRINTK_CALLER: CPU 1's NMI backtrace and a task's line in
 * the middle of CPU 0's stall warning. */
static const char rcu_other_caller[] =
	"[  160.000000][    C0] rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:\n"
	"[  160.000001][    C0] rcu: \t1-...!: (0 ticks this GP) idle=b4c/1/0x4000000000000000 "
	"softirq=2910/2910 fqs=0\n"
	"[  160.000002][    C0] \t(detected by 0, t=21002 jiffies, g=4233, q=12 ncpus=2)\n"
	"[  160.000003][    C0] Sending NMI from CPU 0 to CPUs 1:\n"
	"[  160.000004][    C1] NMI backtrace for cpu 1\n"
	"[  160.000005][    C1] CPU: 1 PID: 290 Comm: sh Tainted: G           O       6.1.0 #1\n"
	"[  160.000006][    C1] Hardware name: QEMU Standard PC (i440FX + PIIX, 1996)\n"
	"[  160.000007][    C1] RIP: 0010:minos_spin_irqoff+0x14/0x20 [minos_test]\n"
	"[  160.000008][    C1] Code: 0f 1f 44 00 00 fa eb fe 66 0f 1f 84 00 00 00 00 00 <eb> fe\n"
	"[  160.000009][    C1] Call Trace:\n"
	"[  160.000010][    C1]  <TASK>\n"
	"[  160.000011][    C1]  minos_write+0x2d/0x60 [minos_test]\n"
	"[  160.000012][    C1]  </TASK>\n"
	"[  160.000013][    C0] rcu: rcu_preempt kthread starved for 21004 jiffies! g4233 f0x0 "
	"RCU_GP_WAIT_FQS(5) ->state=0x0 ->cpu=1\n"
	"[  160.000014][    C0] rcu: \tUnless rcu_preempt kthread gets sufficient CPU time, "
	"OOM is now expected behavior.\n"
	"[  160.000015][  T280] minos: unrelated, from another task\n"
	"[  160.000016][    C0] rcu: RCU grace-period kthread stack dump:\n"
	"[  160.000017][    C0] task:rcu_preempt     state:R  running task     stack:0     "
	"pid:14    ppid:2      flags:0x00004000\n"
	"[  160.000018][    C0] Call Trace:\n"
	"[  160.000019][    C0]  <TASK>\n"
	"[  160.000020][    C0]  __schedule+0x34d/0x9e0\n"
	"[  160.000021][    C0]  schedule+0x5a/0xd0\n"
	"[  160.000022][    C0]  schedule_timeout+0x88/0x150\n"
	"[  160.000023][    C0]  rcu_gp_fqs_loop+0xfd/0x4f0\n"
	"[  160.000024][    C0]  rcu_gp_kthread+0xd0/0x190\n"
	"[  160.000025][    C0]  kthread+0xd7/0x100\n"
	"[  160.000026][    C0]  ret_from_fork+0x22/0x30\n"
	"[  160.000027][    C0]  </TASK>\n"
	"[  160.000028][    C0] minos: after\n";

static const char sleeping_x86[] =
	"[   30.000000] BUG: sleeping function called from invalid context at "
	"kernel/locking/mutex.c:580\n"
	"[   30.000001] in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: 233, name: sh\n"
	"[   30.000002] preempt_count: 1, expected: 0\n"
	"[   30.000003] RCU nest depth: 0, expected: 0\n"
	"[   30.000004] 1 lock held by sh/233:\n"
	"[   30.000005]  #0: ffffffffc0a02040 (minos_lock){+.+.}-{2:2}, at: "
	"minos_write+0x1d/0x60 [minos_test]\n"
	"[   30.000006] Preemption disabled at:\n"
	"[   30.000007] [<ffffffffc0a00a1d>] minos_write+0x1d/0x60 [minos_test]\n"
	"[   30.000008] CPU: 0 PID: 233 Comm: sh Tainted: G           O       6.1.0 #1\n"
	"[   30.000009] Hardware name: QEMU Standard PC (i440FX + PIIX, 1996)\n"
	"[   30.000010] Call Trace:\n"
	"[   30.000011]  <TASK>\n"
	"[   30.000012]  dump_stack_lvl+0x44/0x5c\n"
	"[   30.000013]  __might_resched.cold+0xcc/0xe4\n"
	"[   30.000014]  __mutex_lock.constprop.0+0x47/0x700\n"
	"[   30.000015]  minos_write+0x3b/0x60 [minos_test]\n"
	"[   30.000016]  vfs_write+0xc8/0x3e0\n"
	"[   30.000017]  </TASK>\n";

static const char atomic_x86[] =
	"[   31.000000] BUG: scheduling while atomic: sh/234/0x00000002\n"
	"[   31.000001] Modules linked in: minos_test(O)\n"
	"[   31.000002] Preemption disabled at:\n"
	"[   31.000003] [<ffffffffc0a00b10>] minos_sleepy+0x10/0x40 [minos_test]\n"
	"[   31.000004] CPU: 0 PID: 234 Comm: sh Tainted: G        W  O       6.1.0 #1\n"
	"[   31.000005] Hardware name: QEMU Standard PC (i440FX + PIIX, 1996)\n"
	"[   31.000006] Call Trace:\n"
	"[   31.000007]  <TASK>\n"
	"[   31.000008]  dump_stack_lvl+0x44/0x5c\n"
	"[   31.000009]  __schedule_bug.cold+0x84/0x94\n"
	"[   31.000010]  __schedule+0x6a6/0x9e0\n"
	"[   31.000011]  schedule+0x5a/0xd0\n"
	"[   31.000012]  schedule_timeout+0x88/0x150\n"
	"[   31.000013]  msleep+0x2a/0x40\n"
	"[   31.000014]  minos_sleepy+0x2a/0x40 [minos_test]\n"
	"[   31.000015]  </TASK>\n"
	"[   31.000016] \n";

static const char init_panic_x86[] =
	"[    3.000000] Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000100\n"
	"[    3.000001] CPU: 0 PID: 1 Comm: init Not tainted 6.1.0 #1\n"
	"[    3.000002] Hardware name: QEMU Standard PC (i440FX + PIIX, 1996)\n"
	"[    3.000003] Call Trace:\n"
	"[    3.000004]  <TASK>\n"
	"[    3.000005]  dump_stack_lvl+0x44/0x5c\n"
	"[    3.000006]  panic+0x10c/0x2a6\n"
	"[    3.000007]  do_exit.cold+0x15/0x15\n"
	"[    3.000008]  do_group_exit+0x2d/0x90\n"
	"[    3.000009]  __x64_sys_exit_group+0x14/0x20\n"
	"[    3.000010]  do_syscall_64+0x58/0xc0\n"
	"[    3.000011]  entry_SYSCALL_64_after_hwframe+0x64/0xce\n"
	"[    3.000012] RIP: 0033:0x4a1b2c\n"
	"[    3.000013] Code: Unable to access opcode bytes at 0x4a1b02.\n"
	"[    3.000014]  </TASK>\n"
	"[    3.000015] Kernel Offset: 0x1c000000 from 0xffffffff81000000 (relocation range: "
	"0xffffffff80000000-0xffffffffbfffffff)\n";

static const char gpf_x86[] =
	"[   40.000000] general protection fault, probably for non-canonical address "
	"0xdffffc0000000001: 0000 [#1] PREEMPT SMP KASAN NOPTI\n"
	"[   40.000001] KASAN: null-ptr-deref in range [0x0000000000000008-0x000000000000000f]\n"
	"[   40.000002] CPU: 0 PID: 241 Comm: sh Not tainted 6.1.0 #1\n"
	"[   40.000003] Hardware name: QEMU Standard PC (i440FX + PIIX, 1996)\n"
	"[   40.000004] RIP: 0010:minos_list_walk+0x3c/0x90 [minos_test]\n"
	"[   40.000005] Code: 48 89 fa 48 c1 ea 03 80 3c 02 00 75 4b <48> 8b 5b 08\n"
	"[   40.000006] Call Trace:\n"
	"[   40.000007]  <TASK>\n"
	"[   40.000008]  minos_ioctl+0x44/0x60 [minos_test]\n"
	"[   40.000009]  </TASK>\n"
	"[   40.000010] Modules linked in: minos_test\n"
	"[   40.000011] ---[ end trace 0000000000000000 ]---\n";

/* A boot's ordinary lines, a "WARNING:" that is not a report, userspace text. */
static const char quiet_boot[] =
	"SeaBIOS (version 1.16.2-debian-1.16.2-1)\r\n"
	"Booting from ROM..\r\n"
	"[    0.000000] Linux version 6.1.0 (gcc) #1 SMP PREEMPT_DYNAMIC\r\n"
	"[    0.012345] WARNING: BIOS bug: CPU MTRRs don't cover all of memory\r\n"
	"[    0.012346] e820: update [mem 0x00000000-0x00000fff] usable ==> reserved\r\n"
	"[    1.234567] Run /init as init process\r\n"
	"minos-init: BUG: printed by a program, not by the kernel\r\n"
	"Kernel panic - not syncing: says a test, with echo\r\n";

/* ---- feeding ---- */

static unsigned long rng = 1;

static size_t rand_below(size_t n)
{
	rng = rng * 6364136223846793005UL + 1442695040888963407UL;
	return (size_t)(rng >> 33) % n;
}

enum { WHOLE, BYTES, CHUNKS, NMODES };
static const char *const mode_names[NMODES] = {"whole", "byte by byte", "in random pieces"};

static void feed(struct kreport_reader *r, const char *s, size_t n, int mode)
{
	size_t off = 0, step;

	while (off < n) {
		step = mode == WHOLE ? n - off : mode == BYTES ? 1 : 1 + rand_below(97);
		if (step > n - off)
			step = n - off;
		kreport_feed(r, s + off, step);
		off += step;
	}
}

static void read_text(struct kreport_reader *r, const char *s, int mode)
{
	kreport_reader_init(r);
	feed(r, s, strlen(s), mode);
	kreport_finish(r);
}

/* ---- what each transcript gives ---- */

struct want {
	enum kreport_kind kind;
	const char *title, *function, *location;
	size_t nframes;
	int cut;
};

static const struct {
	const char *name, *text;
	size_t n;
	struct want w[2];
} cases[] = {
	{"x86 WARN_ON", warn_x86, 1, {{KREPORT_WARNING,
		"WARNING at drivers/misc/minos_test.c:42 minos_write+0x4c/0x90 [minos_test]",
		"minos_write", "drivers/misc/minos_test.c:42", 13, 0}}},
	{"arm64 WARN", warn_arm64, 1, {{KREPORT_WARNING,
		"WARNING at fs/minosfs/inode.c:311 minosfs_fill_super+0x1e4/0x2a0",
		"minosfs_fill_super", "fs/minosfs/inode.c:311", 15, 0}}},
	{"x86 NULL pointer Oops, then the panic", null_x86, 2, {
		{KREPORT_OOPS, "Oops: NULL pointer dereference in minos_ioctl", "minos_ioctl", NULL,
		 9, 0},
		{KREPORT_PANIC, "Kernel panic - not syncing: Fatal exception", NULL, NULL, 0, 0}}},
	{"arm64 NULL pointer Oops", null_arm64, 1, {{KREPORT_OOPS,
		"Oops: NULL pointer dereference in minos_write", "minos_write", NULL, 12, 0}}},
	{"x86 BUG_ON", bug_on_x86, 1, {{KREPORT_KERNEL_BUG,
		"kernel BUG at mm/slub.c:435 in __slab_free", "__slab_free", "mm/slub.c:435", 7, 0}}},
	{"arm64 BUG_ON", bug_on_arm64, 1, {{KREPORT_KERNEL_BUG,
		"kernel BUG at drivers/misc/minos_test.c:77 in minos_init", "minos_init",
		"drivers/misc/minos_test.c:77", 14, 0}}},
	{"x86 KASAN", kasan_x86, 1, {{KREPORT_KASAN, "BUG: KASAN: use-after-free in minos_read",
		"minos_read", NULL, 20, 0}}},
	{"x86 UBSAN", ubsan_x86, 1, {{KREPORT_UBSAN, "UBSAN: shift-out-of-bounds in minos_shift",
		"minos_shift", "drivers/misc/minos_test.c:55:21", 9, 0}}},
	{"x86 KFENCE", kfence_x86, 1, {{KREPORT_KFENCE,
		"BUG: KFENCE: use-after-free read in minos_peek", "minos_peek", NULL, 8, 0}}},
	{"x86 KCSAN", kcsan_x86, 1, {{KREPORT_KCSAN,
		"BUG: KCSAN: data-race in minos_reader / minos_writer", "minos_reader", NULL, 6, 0}}},
	{"lockdep: recursive locking", lockdep_x86, 1, {{KREPORT_LOCKDEP,
		"WARNING: possible recursive locking detected in minos_twice", "minos_twice", NULL,
		11, 0}}},
	{"lockdep: suspicious RCU usage", rcu_usage_x86, 1, {{KREPORT_LOCKDEP,
		"WARNING: suspicious RCU usage in minos_lookup", "minos_lookup",
		"drivers/misc/minos_test.c:120", 4, 0}}},
	{"hung task", hung_x86, 1, {{KREPORT_HUNG_TASK,
		"INFO: task kworker/0:1:12 blocked for more than 120 seconds", "minos_work_fn", NULL,
		9, 0}}},
	{"x86 soft lockup", softlockup_x86, 1, {{KREPORT_SOFT_LOCKUP, "soft lockup in minos_spin",
		"minos_spin", NULL, 6, 0}}},
	{"arm64 soft lockup, cut off", softlockup_arm64, 1, {{KREPORT_SOFT_LOCKUP,
		"soft lockup in minos_spin", "minos_spin", NULL, 6, 0}}},
	{"x86 hard lockup, then the panic", hardlockup_x86, 2, {
		{KREPORT_HARD_LOCKUP, "hard lockup in minos_spin_irqoff", "minos_spin_irqoff", NULL,
		 3, 0},
		{KREPORT_PANIC, "Kernel panic - not syncing: Hard LOCKUP", "minos_spin_irqoff", NULL,
		 14, 0}}},
	{"RCU self-detected stall", rcu_self_x86, 1, {{KREPORT_RCU_STALL,
		"INFO: rcu_preempt self-detected stall on CPU in minos_spin_rcu", "minos_spin_rcu",
		NULL, 18, 0}}},
	{"RCU stall, another CPU's NMI backtrace (caller ids)", rcu_other_caller, 1, {{
		KREPORT_RCU_STALL,
		"INFO: rcu_preempt detected stalls on CPUs/tasks in minos_spin_irqoff",
		"minos_spin_irqoff", NULL, 9, 0}}},
	{"sleeping in atomic context", sleeping_x86, 1, {{KREPORT_BUG,
		"BUG: sleeping function called from invalid context in minos_write", "minos_write",
		"kernel/locking/mutex.c:580", 5, 0}}},
	{"scheduling while atomic", atomic_x86, 1, {{KREPORT_BUG,
		"BUG: scheduling while atomic in minos_sleepy", "minos_sleepy", NULL, 7, 0}}},
	{"init killed: panic, cut off", init_panic_x86, 1, {{KREPORT_PANIC,
		"Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000100", "do_exit",
		NULL, 7, 1}}},
	{"x86 GPF (KASAN's non-canonical hint)", gpf_x86, 1, {{KREPORT_OOPS,
		"Oops: general protection fault in minos_list_walk", "minos_list_walk", NULL, 2, 0}}},
};

static int same(const char *got, const char *want)
{
	return got == want || (got && want && !strcmp(got, want));
}

static int check_report(const struct kreport *k, const struct want *w)
{
	return k && k->kind == w->kind && same(k->title, w->title) &&
	       same(k->function, w->function) && same(k->location, w->location) &&
	       k->nframes == w->nframes && k->cut == w->cut;
}

/* What the table says transcript text gives first. */
static const struct want *want_of(const char *text)
{
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		if (cases[i].text == text)
			return &cases[i].w[0];
	return NULL;
}

static void explain(const struct kreport *k, const struct want *w)
{
	if (!k) {
		printf("#   no report\n");
		return;
	}
	printf("#   kind %s/%s, title '%s'/'%s'\n", kreport_kind_name(k->kind),
	       kreport_kind_name(w->kind), k->title, w->title);
	printf("#   function '%s'/'%s', location '%s'/'%s'\n",
	       k->function ? k->function : "(null)", w->function ? w->function : "(null)",
	       k->location ? k->location : "(null)", w->location ? w->location : "(null)");
	printf("#   frames %zu/%zu, cut %d/%d\n", k->nframes, w->nframes, k->cut, w->cut);
}

static void transcripts(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		for (int mode = 0; mode < NMODES; mode++) {
			struct kreport_reader r;
			int good;

			read_text(&r, cases[i].text, mode);
			good = kreport_count(&r) == cases[i].n && !kreport_dropped(&r);
			for (size_t j = 0; good && j < cases[i].n; j++)
				good = check_report(kreport_get(&r, j), &cases[i].w[j]);
			if (!ok(good, "%s, %s", cases[i].name, mode_names[mode])) {
				printf("#   %zu reports\n", kreport_count(&r));
				for (size_t j = 0; j < cases[i].n; j++)
					explain(kreport_get(&r, j), &cases[i].w[j]);
			}
			kreport_reader_free(&r);
		}
}

/* ---- the blocks and frames ---- */

static int printable_line(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

static int printable_block(const char *s, size_t n)
{
	if (!n || s[n - 1] != '\n' || strlen(s) != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] != '\n' && s[i] != '\t' && ((unsigned char)s[i] < 0x20 ||
						      (unsigned char)s[i] > 0x7e))
			return 0;
	return 1;
}

static void warn_frames(void)
{
	struct kreport_reader r;
	const struct kreport *k;
	const struct kreport_frame *f;

	read_text(&r, warn_x86, CHUNKS);
	k = kreport_get(&r, 0);
	f = k->frames;
	is_str(f[0].symbol, "minos_write", "the RIP is the first frame");
	ok(f[0].from == KREPORT_FROM_IP && f[0].off == 0x4c && f[0].size == 0x90 &&
	   f[0].reliable && f[0].stack == 0, "from the registers, +0x4c/0x90, reliable, stack 0");
	is_str(f[0].module, "minos_test", "its module");
	is_str(f[1].symbol, "__warn", "then the trace");
	ok(!f[1].reliable && f[1].from == KREPORT_FROM_TRACE && f[1].stack == 0,
	   "\"? __warn\" is a guess, of the same stack as the RIP");
	is_str(f[7].module, "minos_test", "a module's build ID is not its name");
	ok(!f[1].module && !f[8].module, "vmlinux frames have no module");
	is_str(f[8].symbol, "vfs_write", "a reliable frame");
	ok(f[8].reliable && f[8].off == 0xc8 && f[8].size == 0x3e0, "its offset and size");
	is_str(f[12].symbol, "entry_SYSCALL_64_after_hwframe", "user registers are no frame");
	ok(!strncmp(k->block, "[   42.118023] ------------[ cut here ]------------\n", 52),
	   "the block begins at \"cut here\"");
	ok(strstr(k->block, "---[ end trace 0000000000000000 ]---\n") ==
	   k->block + k->block_len - 37, "and ends with the end marker");
	ok(printable_block(k->block, k->block_len), "the block is printable lines");
	kreport_reader_free(&r);

	read_text(&r, warn_arm64, WHOLE);
	k = kreport_get(&r, 0);
	ok(strstr(k->block, "minosfs: a buffer of 4096 bytes is too small\n"),
	   "WARN()'s message, before the WARNING line, is in the block");
	f = k->frames;
	ok(f[0].from == KREPORT_FROM_IP && f[1].from == KREPORT_FROM_LR && !f[1].reliable,
	   "arm64: pc, then lr, a return address that may be stale");
	ok(f[2].stack == 0 && f[14].stack == 0, "pc, lr and the call trace are one stack");
	is_str(f[10].symbol, "el0_svc_common.constprop.0", "symbols as kallsyms names them");
	kreport_reader_free(&r);
}

static void other_stacks(void)
{
	struct kreport_reader r;
	const struct kreport *k;

	read_text(&r, kasan_x86, BYTES);
	k = kreport_get(&r, 0);
	ok(k->frames[0].stack == 0 && k->frames[8].stack == 1 && k->frames[13].stack == 2,
	   "KASAN: the access, the allocation and the free are three stacks");
	is_str(k->frames[11].symbol, "minos_open", "the allocation's frames");
	ok(strstr(k->block, "Memory state around the buggy address:"), "blank lines do not end it");
	ok(!strstr(k->block, "Disabling lock debugging"), "the rule of '=' does");
	kreport_reader_free(&r);

	read_text(&r, rcu_other_caller, CHUNKS);
	k = kreport_get(&r, 0);
	ok(strstr(k->block, "[    C1] NMI backtrace for cpu 1\n"),
	   "CPU 1's NMI backtrace joins CPU 0's stall warning");
	ok(!strstr(k->block, "unrelated"), "a task's line in between does not");
	ok(strstr(k->block, "rcu_gp_kthread+0xd0/0x190"), "the kthread's stack is in");
	ok(k->frames[0].stack == 0 && k->frames[1].stack == 0 && k->frames[2].stack == 1,
	   "two stacks");
	kreport_reader_free(&r);

	read_text(&r, lockdep_x86, WHOLE);
	k = kreport_get(&r, 0);
	ok(!strncmp(k->block, "[   90.000001] =====", 20), "lockdep's rule opens its block");
	ok(!strstr(k->block, "not the report's"), "the line after the trace ends it");
	kreport_reader_free(&r);
}

/* ---- a hostile or broken console ---- */

/* s's lines with CONFIG_PRINTK_CALLER's "[  T123]" after the timestamp. */
static char *with_caller(const char *s, const char *id)
{
	struct buf b = {0};

	for (const char *e; *s; s = e + 1) {
		const char *close = strchr(s, ']');

		e = strchr(s, '\n');
		buf_add(&b, s, close + 1 - s);
		buf_add(&b, "[", 1);
		buf_add(&b, id, strlen(id));
		buf_add(&b, "]", 1);
		buf_add(&b, close + 1, e + 1 - (close + 1));
	}
	buf_add(&b, "", 1);
	return (char *)b.data;
}

/* The lines of a and b taken in turn. */
static char *interleave(const char *a, const char *b)
{
	struct buf out = {0};
	const char *p[2] = {a, b};

	for (int i = 0; *p[0] || *p[1]; i ^= 1) {
		const char *e = strchr(p[i], '\n');

		if (!e)
			continue;
		buf_add(&out, p[i], e + 1 - p[i]);
		p[i] = e + 1;
	}
	buf_add(&out, "", 1);
	return (char *)out.data;
}

/* s's lines without their timestamps: a kernel booted with printk.time=0. */
static char *without_stamps(const char *s)
{
	struct buf b = {0};

	for (const char *e; *s; s = e + 1) {
		const char *text = strchr(s, ']') + 1;

		e = strchr(s, '\n');
		text += *text == ' ';
		buf_add(&b, text, e + 1 - text);
	}
	buf_add(&b, "", 1);
	return (char *)b.data;
}

static void interleaved(void)
{
	char *a = with_caller(warn_x86, "  T231"), *b = with_caller(sleeping_x86, "  T233");
	char *noise = with_caller("[   42.1] minos: a line from another task\n"
				  "[   42.2] random: crng init done\n", "    T1");
	char *ab = interleave(a, b), *all = interleave(ab, noise);
	struct kreport_reader r;
	const struct kreport *w, *s;

	read_text(&r, all, CHUNKS);
	is_int(kreport_count(&r), 2, "two reports printed at once by two tasks");
	w = kreport_get(&r, 0);
	s = kreport_get(&r, 1);
	if (w && s && w->kind != KREPORT_WARNING) {
		const struct kreport *t = w;

		w = s;
		s = t;
	}
	ok(w && check_report(w, want_of(warn_x86)), "the WARNING whole");
	ok(s && check_report(s, want_of(sleeping_x86)), "the BUG whole");
	ok(w && !strstr(w->block, "T233") && !strstr(w->block, "T1]"),
	   "each block holds its own task's lines");
	kreport_reader_free(&r);
	free(a);
	free(b);
	free(noise);
	free(ab);
	free(all);

	/* without caller ids another CPU's lines land in the block, no more */
	ab = interleave(warn_x86, "[   42.5] minos: another CPU's line\n");
	read_text(&r, ab, WHOLE);
	ok(kreport_count(&r) == 1 && kreport_get(&r, 0)->nframes == 13,
	   "without caller ids: the report, with a stranger's line in it");
	kreport_reader_free(&r);
	free(ab);

	ab = without_stamps(warn_x86);
	read_text(&r, ab, BYTES);
	ok(kreport_count(&r) == 1 && check_report(kreport_get(&r, 0), want_of(warn_x86)),
	   "a kernel that prints no timestamps");
	kreport_reader_free(&r);
	free(ab);
}

static void cut_off(void)
{
	struct kreport_reader r;
	const char *at = strstr(warn_x86, "[   42.132739]");
	const struct kreport *k;

	kreport_reader_init(&r);
	feed(&r, warn_x86, at - warn_x86 + 22, CHUNKS);
	kreport_finish(&r);
	k = kreport_get(&r, 0);
	ok(kreport_count(&r) == 1 && k->cut, "a report the guest died in is kept, cut");
	ok(k && !strcmp(k->block + k->block_len - 7, "ksys_w\n"), "its half line too");
	ok(k && k->nframes == 9, "the frames before it");
	kreport_reader_free(&r);

	read_text(&r, quiet_boot, BYTES);
	is_int(kreport_count(&r), 0, "a quiet boot: no report");
	kreport_reader_free(&r);

	/* a console that prints a WARNING's first line only */
	read_text(&r, "[    1.0] ------------[ cut here ]------------\n"
		      "[    1.1] WARNING: CPU: 0 PID: 1 at kernel/foo.c:1 foo+0x1/0x2\n", WHOLE);
	k = kreport_get(&r, 0);
	ok(kreport_count(&r) == 1 && k->cut && k->nframes == 0,
	   "a title alone is a report, cut");
	is_str(k ? k->function : NULL, "foo", "named by its title");
	kreport_reader_free(&r);
}

static void escapes(void)
{
	struct buf b = {0};
	struct kreport_reader r;
	const struct kreport *k;

	/* colours, a window title, CRs, NULs, a charset switch, a byte past ASCII */
	for (const char *s = warn_x86; *s; s++) {
		if (*s == '\n')
			buf_add(&b, "\r\n", 2);
		else if (*s == 'W' && s[1] == 'A')
			buf_add(&b, "\033[0;1;31mW\033[0m", sizeof("\033[0;1;31mW\033[0m") - 1);
		else if (*s == 'm' && s[1] == 'i')
			buf_add(&b, "\033]0;title\007\033(Bm\0", sizeof("\033]0;title\007\033(Bm\0") - 1);
		else
			buf_add(&b, s, 1);
	}
	buf_add(&b, "[   43.0] \xc3\xa9t\xc3\xa9\033[31", sizeof("[   43.0] \xc3\xa9t\xc3\xa9\033[31") - 1);
	kreport_reader_init(&r);
	feed(&r, (char *)b.data, b.len, CHUNKS);
	kreport_finish(&r);
	k = kreport_get(&r, 0);
	ok(kreport_count(&r) == 1 && check_report(k, want_of(warn_x86)),
	   "escape sequences, CRs and NULs are not text");
	ok(k && printable_block(k->block, k->block_len), "the block is printable");
	ok(k && !strchr(k->block, '\r') && !strchr(k->block, '\033'), "no CR, no ESC");
	kreport_reader_free(&r);
	buf_free(&b);

	/* "[  1.0] " after a program's text on the same console line */
	read_text(&r, "[    0.5] Linux version 6.1.0\n"
		      "sh-5.2# echo hi[   12.0] BUG: kernel NULL pointer dereference, address: 0\n"
		      "[   12.1] RIP: 0010:foo+0x1/0x2\n[   12.2] ---[ end trace 0 ]---\n", WHOLE);
	k = kreport_get(&r, 0);
	ok(kreport_count(&r) == 1 && k && same(k->title, "Oops: NULL pointer dereference in foo"),
	   "a kernel line after a program's text on the same console line");
	kreport_reader_free(&r);
}

/* A report whose block grows past its cap, with too many frames. */
static void caps_block(void)
{
	struct kreport_reader r;
	const struct kreport *k;
	char line[80];

	kreport_reader_init(&r);
	feed(&r, warn_x86, strstr(warn_x86, "[   42.129571]") - warn_x86, WHOLE);
	for (int i = 0; i < 5000; i++) {
		int n = snprintf(line, sizeof(line), "[   50.%06d]  frame_%d+0x10/0x20\n", i, i);

		kreport_feed(&r, line, n);
	}
	kreport_finish(&r);
	k = kreport_get(&r, 0);
	ok(kreport_count(&r) == 1 && k->cut, "a block past its cap is cut");
	ok(k && k->block_len <= KREPORT_BLOCK_MAX && k->block[k->block_len - 1] == '\n',
	   "at a line's end, within the cap");
	is_int(k ? k->nframes : 0, KREPORT_FRAMES_MAX, "frames to their cap");
	ok(kreport_memory(&r) <= KREPORT_MEM_MAX, "memory within the cap");
	kreport_reader_free(&r);
}

/* A line of megabytes, reports beyond the list's cap, a long stream. */
static void caps_stream(void)
{
	struct kreport_reader r;
	size_t big = 3 << 20, peak = 0;
	int printable = 1;
	char *x = xmalloc(big);
	const struct kreport *k;

	memset(x, 'x', big);
	kreport_reader_init(&r);
	feed(&r, bug_on_x86, strstr(bug_on_x86, "[   33.000020]") - bug_on_x86, WHOLE);
	kreport_feed(&r, "[   33.000010] ", 15);
	kreport_feed(&r, x, big);
	kreport_feed(&r, "\n", 1);
	feed(&r, strstr(bug_on_x86, "[   33.000020]"), strlen(strstr(bug_on_x86, "[   33.000020]")),
	     WHOLE);
	k = kreport_get(&r, 0);
	ok(kreport_count(&r) == 1 && k->nframes == 7 && !k->cut,
	   "a line of 3 MiB in a report: the report goes on");
	ok(k && strstr(k->block, "[   33.000010] xxx") &&
	   k->block_len == strlen(bug_on_x86) + KREPORT_LINE_MAX + 1, "that line kept to its cap");
	for (int i = 0; i < 149; i++) {
		feed(&r, i % 2 ? kasan_x86 : hung_x86, strlen(i % 2 ? kasan_x86 : hung_x86), CHUNKS);
		if (kreport_memory(&r) > peak)
			peak = kreport_memory(&r);
	}
	kreport_finish(&r);
	is_int(kreport_count(&r), KREPORT_KEEP, "100 reports kept");
	is_int(kreport_dropped(&r), 50, "the others counted");
	ok(peak <= KREPORT_MEM_MAX, "memory within its cap all along (%zu bytes)", peak);
	for (size_t i = 0; i < kreport_count(&r); i++)
		printable &= printable_line(kreport_get(&r, i)->title);
	ok(printable, "every title is one printable line");
	kreport_reader_free(&r);
	free(x);
}

static void names(void)
{
	is_str(kreport_kind_name(KREPORT_WARNING), "WARNING", "kind names");
	is_str(kreport_kind_name(KREPORT_KERNEL_BUG), "kernel BUG", "kind names");
	is_str(kreport_kind_name(KREPORT_RCU_STALL), "RCU stall", "kind names");
	is_str(kreport_kind_name(KREPORT_NKINDS), "?", "no kind");
}

int main(void)
{
	transcripts();
	warn_frames();
	other_stacks();
	interleaved();
	cut_off();
	escapes();
	caps_block();
	caps_stream();
	names();
	return done_testing();
}
