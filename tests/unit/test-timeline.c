/* test-timeline.c - boot stages from console transcripts, and their SVG */
#include <stdlib.h>

#include "tap.h"
#include "vm/timeline.h"
#include "util/util.h"

/* Feeds s at host time ms (origin 1000). */
static void feed(struct timeline *t, long long ms, const char *s)
{
	timeline_console(t, 1000 + ms, s, strlen(s));
}

static void grub_iso_boot(void)
{
	struct timeline t;

	timeline_init(&t, 1000);
	timeline_mark(&t, TL_HOST, 1000);
	timeline_mark(&t, TL_FIRMWARE, 1010);
	feed(&t, 300, "\033[H\033[J\033[1;1H  Booting `minos'\r\n\r\n");
	/* A marker split across two reads counts when its line completes. */
	feed(&t, 305, "Loading Li");
	is_int(t.at[TL_LOAD_KERNEL], -1, "half a marker is not a marker");
	feed(&t, 306, "nux ...\r\n");
	feed(&t, 900, "Loading initial ramdisk ...\r\nStarting Linux ...\r\n");
	feed(&t, 4000, "[    0.000000] Linux version 6.1.0 (gcc) #1 SMP\r\n"
		       "[    0.000000] Command line: console=ttyS0\r\n");
	feed(&t, 5500, "[    1.500000] Run /init as init process\r\n");
	/* A later line repeating an earlier marker moves nothing back. */
	feed(&t, 5501, "Booting `again'\r\n");
	timeline_mark(&t, TL_COMMAND, 1000 + 5530);
	timeline_mark(&t, TL_POWEROFF, 1000 + 5550);
	timeline_mark(&t, TL_FIRMWARE, 1000 + 5560);
	timeline_end(&t, 1000 + 5600);

	is_int(t.at[TL_HOST], 0, "host stage at 0");
	is_int(t.at[TL_FIRMWARE], 10, "firmware when QEMU started");
	is_int(t.at[TL_KVM_TRY], -1, "no KVM try");
	is_int(t.at[TL_BOOTLOADER], 300, "GRUB's 'Booting' starts the bootloader");
	is_int(t.at[TL_LOAD_KERNEL], 306, "'Loading Linux' once its line is whole");
	is_int(t.at[TL_LOAD_INITRD], 900, "'Loading initial ramdisk'");
	is_int(t.at[TL_DECOMPRESS], 900, "the hand-off echo starts decompression");
	is_int(t.at[TL_KERNEL], 4000, "'Linux version' starts the kernel");
	is_int(t.at[TL_INIT], 5500, "'Run /init as init process'");
	is_int(t.at[TL_COMMAND], 5530, "ready frame");
	is_int(t.at[TL_POWEROFF], 5550, "status frame");
	is_int(t.end, 5600, "QEMU's end");
	is_int(timeline_stage_end(&t, TL_INIT), 5530, "a stage ends where the next begins");
	is_int(timeline_stage_end(&t, TL_POWEROFF), 5600, "the last ends with QEMU");
	is_str(timeline_label(&t, TL_DECOMPRESS), "kernel: decompression, early start",
	       "without an early console the decompression bar says it holds more");
}

static void kernel_boot_early_console(void)
{
	struct timeline t;

	timeline_init(&t, 1000);
	timeline_mark(&t, TL_HOST, 1000);
	timeline_mark(&t, TL_KVM_TRY, 1100);
	timeline_mark(&t, TL_FIRMWARE, 6100);
	feed(&t, 5300, "Probing EDD (edd=off to disable)... ok\r\n");
	feed(&t, 7800, "[    0.000000] Linux version 6.1.0\r\n[    0.000000] printk: "
		       "bootconsole [earlyser0] enabled\r\n");
	/* A kernel line longer than the line buffer keeps its tail. */
	{
		char *big = xmalloc(5000);

		memset(big, 'x', 4999);
		big[4999] = '\0';
		feed(&t, 9000, big);
		feed(&t, 9000, " Run /init as init process\n");
		free(big);
	}
	timeline_end(&t, 1000 + 9500);
	is_int(t.at[TL_KVM_TRY], 100, "KVM try");
	is_int(t.at[TL_FIRMWARE], 5100, "firmware of the second start");
	is_int(t.at[TL_BOOTLOADER], -1, "no bootloader with -kernel");
	is_int(t.at[TL_DECOMPRESS], 5300, "the real-mode setup's line");
	is_int(t.at[TL_INIT], 9000, "a marker at the end of a very long line");
	is_int(t.at[TL_COMMAND], -1, "no test command");
	is_int(timeline_stage_end(&t, TL_INIT), 9500, "init lasts to the end");
	is_str(timeline_label(&t, TL_DECOMPRESS), "kernel: decompression",
	       "an early console makes it decompression alone");
}

static void svg(void)
{
	struct timeline t;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	timeline_init(&t, 0);
	timeline_mark(&t, TL_HOST, 0);
	timeline_mark(&t, TL_FIRMWARE, 20);
	feed(&t, -1000 + 2000, "[ 0.0] Linux version 6\n");
	timeline_end(&t, 2500);
	timeline_write_svg(&t, f, "a <b> & \"c\"");
	fclose(f);
	ok(strstr(text, "<svg xmlns=\"http://www.w3.org/2000/svg\""), "an SVG root");
	ok(strstr(text, "<title>a &lt;b&gt; &amp; &quot;c&quot;</title>"), "title escaped");
	ok(strstr(text, "data-stage=\"firmware\" data-start-ms=\"20\" data-end-ms=\"2000\""),
	   "firmware bar from 20 to 2000 ms");
	ok(strstr(text, "data-stage=\"kernel\" data-start-ms=\"2000\" data-end-ms=\"2500\""),
	   "kernel bar to the end");
	ok(strstr(text, ">1.98 s</text>"), "duration label");
	ok(!strstr(text, "data-stage=\"bootloader\""), "no bar for a stage not seen");
	ok(strstr(text, "</svg>\n"), "closed");
	free(text);
}

int main(void)
{
	grub_iso_boot();
	kernel_boot_early_console();
	svg();
	return done_testing();
}
