/* iso_read.c - read an ISO 9660 image back: its files and El Torito entries */
#include "iso.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#define LIBISOFS_WITHOUT_LIBBURN 1
#include <libisofs.h>

#include "util.h"

int iso_detect(const char *path)
{
	char id[5];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return fail_errno(path, "cannot open");
	n = pread(fd, id, sizeof(id), 16 * 2048 + 1);	/* volume descriptor 16 */
	close(fd);
	if (n < 0)
		return fail_errno(path, "cannot read");
	return n == sizeof(id) && !memcmp(id, "CD001", 5);
}

struct walk {
	void (*entry_fn)(const struct iso_entry *e, void *ctx);
	void *ctx;
};

static void walk_dir(struct walk *w, IsoDir *dir, const char *prefix)
{
	IsoDirIter *it;
	IsoNode *n;

	if (iso_dir_get_children(dir, &it) < 0)
		return;
	while (iso_dir_iter_next(it, &n) == 1) {
		char *path = xasprintf("%s/%s", prefix, iso_node_get_name(n));
		enum IsoNodeType type = iso_node_get_type(n);
		struct iso_entry e = {
			.path = path,
			.mode = iso_node_get_mode(n),
			.uid = iso_node_get_uid(n),
			.gid = iso_node_get_gid(n),
			.mtime = iso_node_get_mtime(n),
		};

		if (type == LIBISO_FILE)
			e.size = iso_file_get_size((IsoFile *)n);
		else if (type == LIBISO_SYMLINK)
			e.target = iso_symlink_get_dest((IsoSymlink *)n);
		w->entry_fn(&e, w->ctx);
		if (type == LIBISO_DIR)
			walk_dir(w, (IsoDir *)n, path);
		free(path);
	}
	iso_dir_iter_free(it);
}

static void report_boot(IsoImage *img, void (*boot_fn)(const struct iso_boot *, void *),
			void *ctx)
{
	static const char *const emul[] = {"floppy", "hard disk", "no"};
	ElToritoBootImage **boots = NULL;
	IsoFile **nodes = NULL;
	int n = 0;

	if (iso_image_get_all_boot_imgs(img, &n, &boots, &nodes, 0) != 1)
		return;
	for (int i = 0; i < n; i++) {
		enum eltorito_boot_media_type media;
		int pid = el_torito_get_boot_platform_id(boots[i]);
		char other[8], *path = nodes[i] ? iso_tree_get_node_path((IsoNode *)nodes[i]) : NULL;
		struct iso_boot b = {.path = path};

		snprintf(other, sizeof(other), "0x%02x", pid & 0xff);
		b.platform = pid == 0 ? "BIOS" : pid == 0xef ? "UEFI" : other;
		el_torito_get_boot_media_type(boots[i], &media);
		b.emulation = (unsigned)media < ARRAY_SIZE(emul) ? emul[media] : "?";
		b.load_sectors = (unsigned)el_torito_get_load_size(boots[i]) & 0xffff;
		boot_fn(&b, ctx);
		free(path);
	}
	free(boots);
	free(nodes);
}

int iso_read(const char *path, void (*entry_fn)(const struct iso_entry *e, void *ctx),
	     void (*boot_fn)(const struct iso_boot *b, void *ctx), void *ctx)
{
	IsoDataSource *src = NULL;
	IsoReadOpts *ropts = NULL;
	IsoImage *img = NULL;
	struct walk w = {entry_fn, ctx};
	int rc;

	if ((rc = iso_init()) < 0)
		return fail(path, "libisofs: %s", iso_error_to_msg(rc));
	iso_set_msgs_severities("NEVER", "NEVER", "minos");
	if ((rc = iso_data_source_new_from_file(path, &src)) < 0 ||
	    (rc = iso_read_opts_new(&ropts, 0)) < 0 ||
	    (rc = iso_image_new("", &img)) < 0 ||
	    (rc = iso_image_import(img, src, ropts, NULL)) < 0) {
		fail(path, "cannot read the ISO image: %s", iso_error_to_msg(rc));
		rc = -1;
	} else {
		walk_dir(&w, iso_image_get_root(img), "");
		report_boot(img, boot_fn, ctx);
		rc = 0;
	}
	if (img)
		iso_image_unref(img);
	if (ropts)
		iso_read_opts_free(ropts);
	if (src)
		iso_data_source_unref(src);
	iso_finish();
	return rc;
}
