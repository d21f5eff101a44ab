//! CAS against the vectors Debian's 6.1 kernel really sent (shared/docs/reference/qemu-traces/
//! cas-vector-{xive,xics}.bin) and the decisions QEMU made for them.

use papr_machine::cas::{negotiate, parse, CasError};
use papr_machine::config::{IcMode, MachineConfig, ResizeHpt};
use papr_machine::tree::{ActiveIc, PVR_ARCH_300};
use proptest::prelude::*;
use std::path::PathBuf;

fn vector(name: &str) -> Option<Vec<u8>> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/docs/reference/qemu-traces")
        .join(name);
    match std::fs::read(&p) {
        Ok(b) => Some(b),
        Err(_) if std::env::var("PAPR_REQUIRE_ORACLES").as_deref() == Ok("1") => {
            panic!("missing oracle {}", p.display())
        }
        Err(_) => {
            eprintln!("SKIPPED: {} missing", p.display());
            None
        }
    }
}

#[test]
fn the_xive_vector_linux_sent() {
    let Some(b) = vector("cas-vector-xive.bin") else {
        return;
    };
    let req = parse(&b).unwrap();
    assert_eq!(req.pvrs.len(), 14);
    assert_eq!(req.pvrs[13], (0xffff_fffe, 0x0f00_0001), "terminator pair");
    // Linux claims 6 vectors (count byte 5) and appends a 7th, the banner: only the claimed
    // ones are parsed.
    assert_eq!(b[0x70], 5);
    assert_eq!(req.vectors.len(), 6);
    assert_eq!(req.vectors[0], vec![0x00, 0xff, 0xc0], "OV1");
    assert_eq!(req.byte(2, 33), 0x30, "OV2 max_pft_size = 48");
    assert_eq!(req.byte(5, 2), 0xf3);
    assert_eq!(req.byte(5, 6), 0x05);
    assert_eq!(req.byte(5, 23), 0x40, "XIVE exploitation");
    assert_eq!(req.byte(5, 24), 0x00, "hash");
    assert_eq!(
        req.vectors[5],
        vec![0x00, 0x00, 0x02],
        "OV6: the OS is Linux"
    );

    let d = negotiate(&MachineConfig::default(), &req).unwrap();
    assert_eq!(d.pvr, PVR_ARCH_300, "QEMU chose 0x0f000005");
    assert_eq!(d.tree.ic, ActiveIc::Xive);
    assert!(d.guest_resizes_hpt);
    // Granted: HPT resize (byte 6) and XIVE (byte 23), published as [len-2, byte1, ...].
    let mut want = vec![22u8];
    want.extend([0u8; 23]);
    want[6] = 0x01;
    want[23] = 0x40;
    assert_eq!(d.tree.vec5, want);
    // QEMU's published vector had the same shape: 24 bytes, byte 0 = 0x16, byte 23 = 0x40.
    assert_eq!((d.tree.vec5.len(), d.tree.vec5[0]), (24, 0x16));

    // A XICS-only machine cannot honour it; neither resize disabled changes the IC.
    let xics_only = MachineConfig {
        ic_mode: IcMode::Xics,
        ..MachineConfig::default()
    };
    assert_eq!(
        negotiate(&xics_only, &req),
        Err(CasError::IcNotAvailable {
            requested: "XIVE",
            mode: "xics"
        })
    );
    let no_resize = MachineConfig {
        resize_hpt: ResizeHpt::Disabled,
        ..MachineConfig::default()
    };
    let d = negotiate(&no_resize, &req).unwrap();
    assert_eq!(d.tree.vec5[6], 0, "resize not granted when disabled");
}

#[test]
fn the_xics_vector_linux_sent() {
    let Some(b) = vector("cas-vector-xics.bin") else {
        return;
    };
    let req = parse(&b).unwrap();
    assert_eq!(req.byte(5, 23), 0x00);
    let d = negotiate(&MachineConfig::default(), &req).unwrap();
    assert_eq!(d.tree.ic, ActiveIc::Xics);
    assert_eq!(
        d.tree.vec5,
        vec![5, 0, 0, 0, 0, 0, 0x01],
        "only HPT resize granted"
    );
    let xive_only = MachineConfig {
        ic_mode: IcMode::Xive,
        ..MachineConfig::default()
    };
    assert!(negotiate(&xive_only, &req).is_err());
}

#[test]
fn refusals() {
    let Some(b) = vector("cas-vector-xive.bin") else {
        return;
    };
    let req = parse(&b).unwrap();
    // Locate OV5 byte 23 and 24 and 6 in the raw vector and change them.
    let ov5_start = {
        let mut at = 0x70 + 1;
        for _ in 0..4 {
            at += 1 + usize::from(b[at]) + 1;
        }
        at + 1
    };
    assert_eq!(b[ov5_start + 22], 0x40, "located OV5 byte 23");
    let mut radix = b.clone();
    radix[ov5_start + 23] = 0x40;
    assert_eq!(
        negotiate(&MachineConfig::default(), &parse(&radix).unwrap()),
        Err(CasError::RadixRefused(0x40))
    );
    let mut both = b.clone();
    both[ov5_start + 22] = 0x80;
    assert_eq!(
        negotiate(&MachineConfig::default(), &parse(&both).unwrap()),
        Err(CasError::BadIcRequest(0x80))
    );
    let mut no_resize = b.clone();
    no_resize[ov5_start + 5] = 0x04;
    let required = MachineConfig {
        resize_hpt: ResizeHpt::Required,
        ..MachineConfig::default()
    };
    assert_eq!(
        negotiate(&required, &parse(&no_resize).unwrap()),
        Err(CasError::ResizeRequired)
    );
    assert!(negotiate(&required, &req).is_ok());
    // A guest that lists no PVR we run.
    let mut alien = b.clone();
    for pair in alien[..0x70].chunks_exact_mut(8) {
        pair[4..8].copy_from_slice(&0x0012_0000u32.to_be_bytes());
    }
    alien[0x6c..0x70].copy_from_slice(&0x0f00_0001u32.to_be_bytes());
    assert_eq!(
        negotiate(&MachineConfig::default(), &parse(&alien).unwrap()),
        Err(CasError::NoPvr)
    );
    // Truncations are errors, not panics.
    for cut in [0, 7, 0x70, 0x71, 0x75] {
        let _ = parse(&b[..cut]);
    }
    assert!(parse(&b[..0x70]).is_err());
    assert!(parse(&[0u8; 1024]).is_err(), "no terminator in 64 pairs");
}

proptest! {
    #[test]
    fn arbitrary_vectors_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..700)) {
        if let Ok(req) = parse(&bytes) {
            let _ = negotiate(&MachineConfig::default(), &req);
        }
    }
}
