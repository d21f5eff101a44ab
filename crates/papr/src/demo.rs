//! The demo's artifacts: Debian 12's ppc64el kernel and busybox-static, fetched on first use
//! with the same script the test suite uses (embedded here, so the binary needs no checkout).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context};

/// scripts/fetch-debian-guest.sh.
const FETCH_SCRIPT: &str = include_str!("../../../scripts/fetch-debian-guest.sh");

/// The kernel and busybox paths in `cache`, fetching them first if they are not there.
pub fn artifacts(cache: &Path) -> anyhow::Result<(PathBuf, PathBuf)> {
    let dir = cache.join("debian");
    let kernel = dir.join("vmlinux");
    let busybox = dir.join("busybox");
    if kernel.is_file() && busybox.is_file() {
        return Ok((kernel, busybox));
    }
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("cannot create the cache directory {}", dir.display()))?;
    let script = dir.join("fetch-debian-guest.sh");
    std::fs::write(&script, FETCH_SCRIPT)
        .with_context(|| format!("cannot write {}", script.display()))?;
    eprintln!(
        "papr: fetching Debian 12's ppc64el kernel and busybox into {} ...",
        dir.display()
    );
    let status = Command::new("bash")
        .arg(&script)
        .arg(&dir)
        .status()
        .context("cannot run bash to fetch the Debian packages")?;
    if !status.success() || !kernel.is_file() || !busybox.is_file() {
        bail!(
            "could not fetch the Debian artifacts (see the message above). By hand: download \
             the bookworm ppc64el packages linux-image-6.1.0-47-powerpc64le (or any \
             linux-image-6.1.*-powerpc64le) and busybox-static into {}, then run papr demo \
             again; or boot your own files with `papr run --kernel VMLINUX --initrd INITRD`",
            dir.display()
        );
    }
    Ok((kernel, busybox))
}
