//! Boot images in a live migration: a destination started with the source's kernel does not
//! receive it again (`BREF` instead of `BOOT`), one started with other images receives the
//! source's and reboots into them, and a reference to images the destination does not hold is
//! refused. Bare-metal guests (guests/bin), migrated paused so the stream is the same each run.

use std::io::{BufReader, BufWriter, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;

use papr_machine::config::MachineConfig;
use papr_machine::machine::migrate::{
    incoming, MigrationError, MigrationParams, MigrationStats, OutgoingMigration, Step,
};
use papr_machine::machine::save::{encode_config, Host, BREF, CONF};
use papr_machine::machine::{BootImages, Machine, RunEnd};
use papr_machine::snapshot::stream::SectionWriter;

mod support;
use support::Sink;

const LIMIT: u64 = 500_000_000;

fn images(name: &str) -> BootImages {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../../guests/bin/{name}.elf"));
    BootImages {
        kernel_name: format!("{name}.elf"),
        kernel: std::fs::read(path).unwrap(),
        initrd: None,
        bios: None,
    }
}

fn cfg() -> MachineConfig {
    MachineConfig {
        ram_bytes: 256 << 20,
        ..MachineConfig::default()
    }
}

/// Migrates the (paused) `src` to a new machine holding `local` images.
fn migrate(
    src: &mut Machine,
    local: Option<BootImages>,
) -> Result<(Machine, Sink, MigrationStats), MigrationError> {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let sink = Sink::default();
    let out = sink.clone();
    let host = Host::from_config(&cfg());
    let dst = std::thread::spawn(move || {
        let (s, _) = listener.accept().unwrap();
        let replies = s.try_clone().unwrap();
        incoming(
            BufReader::new(s),
            replies,
            &host,
            local.as_ref(),
            Box::new(out),
        )
    });
    let stream = TcpStream::connect(addr).unwrap();
    let replies = BufReader::new(stream.try_clone().unwrap());
    let mut mig = OutgoingMigration::start(
        src,
        BufWriter::new(stream),
        replies,
        MigrationParams::default(),
    )?;
    while mig.step(src)? == Step::Continue {}
    let stats = mig.complete(src);
    let d = dst.join().unwrap();
    let stats = stats?;
    Ok((d?, sink, stats))
}

#[test]
fn boot_images_travel_only_when_the_destination_lacks_them() {
    let mmu = images("mmu");
    let (mut whole, whole_out) = {
        let sink = Sink::default();
        (
            Machine::new(cfg(), mmu.clone(), Box::new(sink.clone())).unwrap(),
            sink,
        )
    };
    assert_eq!(whole.run(Some(LIMIT)), RunEnd::FirmwareExit);
    let want = whole_out.bytes();
    let at = whole.retired() / 2;

    let mut bytes = Vec::new();
    for local in [Some(mmu.clone()), Some(images("hello")), None] {
        let sink = Sink::default();
        let mut src = Machine::new(cfg(), mmu.clone(), Box::new(sink.clone())).unwrap();
        let _ = src.run(Some(at));
        let before = sink.bytes();
        let (mut dst, dst_out, stats) = migrate(&mut src, local.clone()).unwrap();
        assert_eq!(dst.run(Some(LIMIT)), RunEnd::FirmwareExit);
        let mut got = before;
        got.extend(dst_out.bytes());
        assert_eq!(
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(&want)
        );
        // A reboot on the destination loads the source's kernel, whichever images it was
        // started with: the guest prints its whole run again.
        dst.system_reset().unwrap();
        let after_reset = dst_out.bytes().len();
        assert_eq!(dst.run(Some(dst.retired() + LIMIT)), RunEnd::FirmwareExit);
        assert_eq!(
            String::from_utf8_lossy(&dst_out.bytes()[after_reset..]),
            String::from_utf8_lossy(&want),
            "after a reset on the destination"
        );
        bytes.push(stats.bytes);
    }
    // Same images: the kernel did not travel; other or no images: it did, and the streams
    // are otherwise alike.
    let kernel = mmu.kernel.len() as u64;
    assert!(bytes[1] >= bytes[0] + kernel, "{bytes:?}, kernel {kernel}");
    assert_eq!(bytes[1], bytes[2], "{bytes:?}");
}

#[test]
fn a_reference_to_images_the_destination_lacks_is_refused() {
    for local in [None, Some(images("hello"))] {
        let mut w = SectionWriter::new(Vec::new()).unwrap();
        w.section(CONF, &encode_config(&cfg())).unwrap();
        w.section(BREF, &images("mmu").digest().to_le_bytes())
            .unwrap();
        let stream = w.finish().unwrap();
        let mut replies = Vec::new();
        let r = incoming(
            &stream[..],
            &mut replies,
            &Host::from_config(&cfg()),
            local.as_ref(),
            Box::new(std::io::sink()),
        );
        let e = r.err().expect("refused").to_string();
        assert!(e.contains("does not hold"), "{e}");
        let replies = String::from_utf8(replies).unwrap();
        assert!(replies.starts_with("OK"), "{replies}");
        assert!(replies.contains("ERR "), "{replies}");
        let _ = std::io::stdout().flush();
    }
}
