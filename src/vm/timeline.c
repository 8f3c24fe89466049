/*
 * timeline.c - the boot's stages on the host's clock, from console markers
 * (what firmware, GRUB, the kernel print) and host events (QEMU started,
 * minos-init ready, status in, QEMU gone); drawn as text or as SVG.
 */
#include "vm/timeline.h"

#include <string.h>
#include <unistd.h>

#include "util/util.h"

static const struct {
	const char *key, *label;
} stages[TL_NSTAGES] = {
	[TL_HOST] = {"host", "minos (host)"},
	[TL_EXTRACT] = {"extract", "minos: vmlinux out of the bzImage"},
	[TL_INITRAMFS] = {"initramfs", "minos: initramfs"},
	[TL_KVM_TRY] = {"kvm-try", "KVM try, no progress"},
	[TL_FIRMWARE] = {"firmware", "firmware"},
	[TL_BOOTLOADER] = {"bootloader", "bootloader"},
	[TL_LOAD_KERNEL] = {"load-kernel", "bootloader: reading kernel"},
	[TL_LOAD_INITRD] = {"load-initrd", "bootloader: reading initrd"},
	[TL_DECOMPRESS] = {"decompress", "kernel: decompression"},
	[TL_KERNEL] = {"kernel", "kernel: start"},
	[TL_INIT] = {"init", "minos-init"},
	[TL_COMMAND] = {"command", "test command"},
	[TL_POWEROFF] = {"poweroff", "poweroff"},
};

/* What on the console says a stage has begun. */
static const struct {
	enum tl_stage stage;
	const char *text;
} markers[] = {
	{TL_BOOTLOADER, "GNU GRUB"},
	{TL_BOOTLOADER, "Welcome to GRUB"},
	{TL_BOOTLOADER, "Booting `"},
	{TL_LOAD_KERNEL, "Loading Linux"},
	{TL_LOAD_INITRD, "Loading initial ramdisk"},
	{TL_DECOMPRESS, TL_GRUB_HANDOFF},
	{TL_DECOMPRESS, "Probing EDD"},		/* the kernel's real-mode setup */
	{TL_DECOMPRESS, "EFI stub: "},
	{TL_DECOMPRESS, "Decompressing Linux"},
	{TL_KERNEL, "Linux version "},
	{TL_INIT, " as init process"},
};

void timeline_init(struct timeline *t, long long origin_ms)
{
	*t = (struct timeline){.origin = origin_ms, .end = -1, .last = -1};
	for (int i = 0; i < TL_NSTAGES; i++)
		t->at[i] = -1;
	timeline_mark(t, TL_HOST, origin_ms);
}

void timeline_mark(struct timeline *t, enum tl_stage s, long long now_ms)
{
	if ((int)s <= t->last)
		return;
	t->at[s] = now_ms - t->origin;
	t->last = (int)s;
}

static void check_line(struct timeline *t, long long now_ms)
{
	t->line[t->len] = '\0';
	/* With an early console the kernel's first line comes from
	 * start_kernel itself, not from its serial console's start. */
	if (strstr(t->line, "bootconsole ["))
		t->early_console = 1;
	for (size_t i = 0; i < ARRAY_SIZE(markers); i++)
		if ((int)markers[i].stage > t->last && strstr(t->line, markers[i].text))
			timeline_mark(t, markers[i].stage, now_ms);
}

void timeline_console(struct timeline *t, long long now_ms, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\n') {
			check_line(t, now_ms);
			t->len = 0;
			continue;
		}
		if (!p[i])
			continue;
		if (t->len == sizeof(t->line) - 1) {	/* keep the tail */
			memmove(t->line, t->line + sizeof(t->line) / 2, sizeof(t->line) / 2 - 1);
			t->len = sizeof(t->line) / 2 - 1;
		}
		t->line[t->len++] = p[i];
	}
	if (t->len)
		check_line(t, now_ms);
}

void timeline_end(struct timeline *t, long long now_ms)
{
	if (t->end < 0)
		t->end = now_ms - t->origin;
}

const char *timeline_label(const struct timeline *t, enum tl_stage s)
{
	/* A PVH boot: QEMU loads the ELF itself and the firmware jumps to its
	 * 32-bit entry; nothing decompresses. */
	if (t->pvh && s == TL_FIRMWARE)
		return "QEMU, firmware, PVH entry";
	if (t->pvh && s == TL_KERNEL)
		return "kernel: start (PVH)";
	/* Without an early console the kernel says nothing until its serial
	 * console starts, a little way into start_kernel. */
	if (s == TL_DECOMPRESS && !t->early_console && t->at[TL_KERNEL] >= 0)
		return "kernel: decompression, early start";
	return stages[s].label;
}

long long timeline_stage_end(const struct timeline *t, enum tl_stage s)
{
	for (int i = (int)s + 1; i < TL_NSTAGES; i++)
		if (t->at[i] >= 0)
			return t->at[i];
	return t->end;
}

static void print_ms(FILE *out, long long ms)
{
	if (ms >= 1000)
		fprintf(out, "%.2f s", ms / 1000.0);
	else
		fprintf(out, "%lld ms", ms);
}

void timeline_print(const struct timeline *t, FILE *out)
{
	fputs("minos: timeline (host clock, seconds after minos started):\n", out);
	for (int s = 0; s < TL_NSTAGES; s++) {
		long long end = timeline_stage_end(t, s);

		if (t->at[s] < 0)
			continue;
		fprintf(out, "minos: %8.3f  %-36s ", t->at[s] / 1000.0, timeline_label(t, s));
		if (end >= 0)
			print_ms(out, end - t->at[s]);
		else
			fputs("(did not end)", out);
		fputc('\n', out);
	}
	if (t->end >= 0)
		fprintf(out, "minos: %8.3f  %-36s\n", t->end / 1000.0, "QEMU exited");
}

/* Text for SVG: the five characters XML reserves, escaped. */
static void put_escaped(FILE *f, const char *s)
{
	for (; *s; s++)
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\t')
				fputc(*s, f);
		}
}

static const char *const colours[TL_NSTAGES] = {
	[TL_HOST] = "#9e9e9e", [TL_EXTRACT] = "#7f7f7f", [TL_INITRAMFS] = "#b3b3b3",
	[TL_KVM_TRY] = "#d9d9d9",
	[TL_FIRMWARE] = "#8da0cb", [TL_BOOTLOADER] = "#66c2a5",
	[TL_LOAD_KERNEL] = "#4daf8f", [TL_LOAD_INITRD] = "#3d9a7c",
	[TL_DECOMPRESS] = "#fdae61", [TL_KERNEL] = "#f46d43",
	[TL_INIT] = "#e78ac3", [TL_COMMAND] = "#a6d854", [TL_POWEROFF] = "#bdbdbd",
};

#define SVG_LABEL_W 260
#define SVG_BAR_W 560
#define SVG_ROW_H 26
#define SVG_TOP 48

/* A tick step giving at most 12 ticks over total ms. */
static long long tick_step(long long total)
{
	static const long long steps[] = {10, 20, 50, 100, 200, 500, 1000, 2000, 5000,
					  10000, 20000, 30000, 60000, 120000, 300000};

	for (size_t i = 0; i < ARRAY_SIZE(steps); i++)
		if (total / steps[i] <= 12)
			return steps[i];
	return 600000;
}

void timeline_write_svg(const struct timeline *t, FILE *f, const char *title)
{
	long long total = t->end, step;
	int rows = 0, y, width = SVG_LABEL_W + SVG_BAR_W + 120, height;

	for (int s = 0; s < TL_NSTAGES; s++)
		if (t->at[s] >= 0) {
			rows++;
			if (total < t->at[s])
				total = t->at[s];
		}
	if (total < 1)
		total = 1;
	step = tick_step(total);
	height = SVG_TOP + rows * SVG_ROW_H + 44;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		   "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		   "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"13\">\n",
		width, height, width, height);
	fputs("<title>", f);
	put_escaped(f, title);
	fputs("</title>\n<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n"
	      "<text x=\"10\" y=\"24\" font-size=\"15\" font-weight=\"bold\">", f);
	put_escaped(f, title);
	fputs("</text>\n", f);
	/* The time axis: a grid line and a label per tick. */
	for (long long ms = 0; ms <= total; ms += step) {
		double x = SVG_LABEL_W + (double)ms * SVG_BAR_W / total;

		fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#e0e0e0\"/>\n"
			   "<text x=\"%.1f\" y=\"%d\" fill=\"#666666\" text-anchor=\"middle\">",
			x, SVG_TOP - 6, x, SVG_TOP + rows * SVG_ROW_H, x,
			SVG_TOP + rows * SVG_ROW_H + 16);
		if (step < 1000)
			fprintf(f, "%.1f s</text>\n", ms / 1000.0);
		else
			fprintf(f, "%lld s</text>\n", ms / 1000);
	}
	y = SVG_TOP;
	for (int s = 0; s < TL_NSTAGES; s++) {
		long long end = timeline_stage_end(t, s);
		double x, w;

		if (t->at[s] < 0)
			continue;
		if (end < t->at[s])
			end = total;
		x = SVG_LABEL_W + (double)t->at[s] * SVG_BAR_W / total;
		w = (double)(end - t->at[s]) * SVG_BAR_W / total;
		fprintf(f, "<g class=\"stage\" data-stage=\"%s\" data-start-ms=\"%lld\" "
			   "data-end-ms=\"%lld\">\n<title>", stages[s].key, t->at[s], end);
		put_escaped(f, timeline_label(t, s));
		fprintf(f, ": %.3f s to %.3f s</title>\n"
			   "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">",
			t->at[s] / 1000.0, end / 1000.0, SVG_LABEL_W - 8, y + 17);
		put_escaped(f, timeline_label(t, s));
		fprintf(f, "</text>\n<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
			   "rx=\"2\" fill=\"%s\"/>\n<text x=\"%.1f\" y=\"%d\">",
			x, y + 4, w < 1 ? 1 : w, SVG_ROW_H - 8, colours[s], x + (w < 1 ? 1 : w) + 5,
			y + 17);
		print_ms(f, end - t->at[s]);
		fputs("</text>\n</g>\n", f);
		y += SVG_ROW_H;
	}
	fprintf(f, "<text x=\"10\" y=\"%d\" fill=\"#666666\">total ", height - 10);
	print_ms(f, total);
	fputs(" (host clock, from minos's start)</text>\n</svg>\n", f);
}

void timeline_qemu_started(struct timeline *t, long long first_spawn_ms, long long spawn_ms)
{
	if (first_spawn_ms != spawn_ms)
		timeline_mark(t, TL_KVM_TRY, first_spawn_ms);
	timeline_mark(t, TL_FIRMWARE, spawn_ms);
}

char *timeline_title(const char *image, const char *medium, const char *firmware, int kvm)
{
	const char *base = strrchr(image, '/') ? strrchr(image, '/') + 1 : image;

	return xasprintf("Boot timeline: %s%s, %s, %s, %s",
			 !medium ? "" : !strcmp(medium, "CD") ? "ISO " : "USB ", base,
			 medium ? medium : "-kernel", firmware, kvm ? "KVM" : "TCG");
}

int timeline_save(struct timeline *t, struct outfile *out, const char *title, int verbose)
{
	FILE *f;
	int rc = -1;

	timeline_end(t, now_ms_host());
	if (verbose)
		timeline_print(t, stderr);
	f = fdopen(dup(out->fd), "w");
	if (f) {
		timeline_write_svg(t, f, title);
		rc = ferror(f) ? -1 : 0;
		if (fclose(f) != 0)
			rc = -1;
	}
	if (rc < 0) {
		fail_errno(out->path, "cannot write the timeline");
		outfile_abort(out);
		return -1;
	}
	return outfile_commit(out);
}
