//! A busybox initramfs for the demo and the boot tests: an uncompressed cpio archive in the
//! "newc" format the kernel unpacks (Linux Documentation/driver-api/early-userspace: each
//! entry is a 110-byte ASCII header of hexadecimal fields, the NUL-terminated name, padding to
//! 4 bytes, the data, padding to 4 bytes; the archive ends with an entry named `TRAILER!!!`).

/// File type and permission bits.
const S_IFDIR: u32 = 0o040_000;
const S_IFREG: u32 = 0o100_000;
const S_IFLNK: u32 = 0o120_000;
const S_IFCHR: u32 = 0o020_000;

/// A newc cpio archive being written.
#[derive(Debug, Default)]
pub struct CpioWriter {
    out: Vec<u8>,
    ino: u32,
}

fn pad4(out: &mut Vec<u8>) {
    while !out.len().is_multiple_of(4) {
        out.push(0);
    }
}

impl CpioWriter {
    /// An empty archive.
    pub fn new() -> Self {
        CpioWriter {
            out: Vec::new(),
            ino: 300,
        }
    }

    fn entry(&mut self, name: &str, mode: u32, data: &[u8], rdev: (u32, u32)) {
        self.ino += 1;
        let nlink = if mode & S_IFDIR != 0 { 2 } else { 1 };
        let fields = [
            self.ino,
            mode,
            0, // uid
            0, // gid
            nlink,
            0, // mtime: fixed, so archives are reproducible
            u32::try_from(data.len()).unwrap_or(u32::MAX),
            0, // dev major
            0, // dev minor
            rdev.0,
            rdev.1,
            u32::try_from(name.len() + 1).unwrap_or(u32::MAX),
            0, // check
        ];
        self.out.extend_from_slice(b"070701");
        for f in fields {
            self.out.extend_from_slice(format!("{f:08x}").as_bytes());
        }
        self.out.extend_from_slice(name.as_bytes());
        self.out.push(0);
        pad4(&mut self.out);
        self.out.extend_from_slice(data);
        pad4(&mut self.out);
    }

    /// Adds a directory.
    pub fn dir(&mut self, name: &str) -> &mut Self {
        self.entry(name, S_IFDIR | 0o755, &[], (0, 0));
        self
    }

    /// Adds a regular file with permission bits `perm`.
    pub fn file(&mut self, name: &str, perm: u32, data: &[u8]) -> &mut Self {
        self.entry(name, S_IFREG | (perm & 0o7777), data, (0, 0));
        self
    }

    /// Adds a symbolic link to `target`.
    pub fn symlink(&mut self, name: &str, target: &str) -> &mut Self {
        self.entry(name, S_IFLNK | 0o777, target.as_bytes(), (0, 0));
        self
    }

    /// Adds a character device node.
    pub fn char_dev(&mut self, name: &str, perm: u32, major: u32, minor: u32) -> &mut Self {
        self.entry(name, S_IFCHR | (perm & 0o7777), &[], (major, minor));
        self
    }

    /// Ends the archive.
    pub fn finish(mut self) -> Vec<u8> {
        self.entry("TRAILER!!!", 0, &[], (0, 0));
        // The kernel reads the archive in 512-byte blocks as cpio tools write them.
        while !self.out.len().is_multiple_of(512) {
            self.out.push(0);
        }
        self.out
    }
}

/// The /init papr's demo initramfs runs: mount the kernel filesystems, install busybox's
/// applets, and start a shell on the console (with job control through cttyhack).
pub const DEMO_INIT: &str = "#!/bin/busybox sh
/bin/busybox mkdir -p /proc /sys /dev /tmp /sbin /usr/bin /usr/sbin
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev 2>/dev/null
/bin/busybox mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
/bin/busybox --install -s
echo
echo 'papr: busybox initramfs ready (poweroff -f to stop, reboot -f to reset)'
exec /bin/busybox setsid /bin/busybox cttyhack /bin/sh
";

/// Builds an initramfs with `busybox` (a static binary) as /bin/busybox, `/bin/sh`, and `init`
/// as /init.
pub fn busybox_initramfs(busybox: &[u8], init: &str) -> Vec<u8> {
    let mut w = CpioWriter::new();
    w.dir("bin")
        .dir("dev")
        .dir("proc")
        .dir("sys")
        .dir("tmp")
        .dir("root")
        .char_dev("dev/console", 0o600, 5, 1)
        .char_dev("dev/null", 0o666, 1, 3)
        .file("bin/busybox", 0o755, busybox)
        .symlink("bin/sh", "busybox")
        .file("init", 0o755, init.as_bytes());
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_layout() {
        let mut w = CpioWriter::new();
        w.file("a", 0o644, b"xyz");
        let a = w.finish();
        assert_eq!(&a[..6], b"070701");
        // mode field (second) = regular file 0644.
        assert_eq!(&a[14..22], b"000081a4");
        // filesize field (seventh).
        assert_eq!(&a[6 + 6 * 8..6 + 7 * 8], b"00000003");
        // name at 110, padded to 112, then the data.
        assert_eq!(&a[110..112], b"a\0");
        assert_eq!(&a[112..115], b"xyz");
        assert_eq!(a.len() % 512, 0);
        let trailer = a.windows(10).position(|w| w == b"TRAILER!!!").unwrap();
        assert!(trailer > 115);
    }
}
