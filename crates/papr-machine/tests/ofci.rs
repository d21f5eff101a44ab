//! The Open Firmware client interface, service by service, as prom_init uses it
//! (linux-pseries-boot.md 2.2), and with hostile prom_args blocks.
// Test code: the casts are on small, known addresses.
#![allow(clippy::cast_possible_truncation)]

use papr_hv::GuestRam;
use papr_machine::devtree::{DeviceTree, Phandle};
use papr_machine::ofci::{ClientInterface, OfOutcome, OfPlatform, OfciError, OF_FAILURE};

const BLOCK: u64 = 0x1000;
const STR: u64 = 0x2000;
const BUF: u64 = 0x3000;

#[derive(Default)]
struct Host {
    console: Vec<u8>,
    methods: Vec<(String, Phandle, Vec<u32>)>,
    quiesced: bool,
}

impl OfPlatform for Host {
    fn console_write(&mut self, bytes: &[u8]) {
        self.console.extend_from_slice(bytes);
    }
    fn call_method(
        &mut self,
        _ram: &GuestRam,
        _tree: &mut DeviceTree,
        method: &str,
        node: Phandle,
        args: &[u32],
    ) -> Option<Vec<u32>> {
        self.methods.push((method.to_owned(), node, args.to_vec()));
        (method == "ibm,client-architecture-support").then(|| vec![0])
    }
    fn milliseconds(&mut self) -> u32 {
        1234
    }
    fn quiesce(&mut self) {
        self.quiesced = true;
    }
}

struct Rig {
    ram: GuestRam,
    tree: DeviceTree,
    ci: ClientInterface,
    host: Host,
    chosen: Phandle,
    vty: Phandle,
}

fn rig() -> Rig {
    let ram = GuestRam::new(16 << 20).unwrap();
    let mut tree = DeviceTree::new();
    let root = tree.root();
    let chosen = tree.add_node(root, "chosen").unwrap();
    let vdev = tree.add_node(root, "vdevice").unwrap();
    let vty = tree.add_node(vdev, "vty@71000000").unwrap();
    tree.set_str(vty, "device_type", "serial").unwrap();
    tree.set_u32(vty, "reg", 0x7100_0000).unwrap();
    let mut ci = ClientInterface::new(8 << 20);
    let stdout = ci.open_instance(vty);
    assert_eq!(stdout, 1);
    tree.set_u32(chosen, "stdout", stdout).unwrap();
    ci.reserve(0, 0x10_0000);
    Rig {
        ram,
        tree,
        ci,
        host: Host::default(),
        chosen,
        vty,
    }
}

impl Rig {
    /// Calls `service` with `args` (strings already placed by the caller); returns the rets.
    fn call(&mut self, service: &str, args: &[u32], nret: u32) -> Vec<u32> {
        let mut name = service.as_bytes().to_vec();
        name.push(0);
        self.ram.write(0x800, &name).unwrap();
        self.ram.write_be32(BLOCK, 0x800).unwrap();
        self.ram.write_be32(BLOCK + 4, args.len() as u32).unwrap();
        self.ram.write_be32(BLOCK + 8, nret).unwrap();
        for (i, a) in args.iter().enumerate() {
            self.ram.write_be32(BLOCK + 12 + 4 * i as u64, *a).unwrap();
        }
        let out = self
            .ci
            .call(&self.ram, &mut self.tree, &mut self.host, BLOCK)
            .unwrap();
        assert_eq!(out, OfOutcome::Continue);
        (0..nret)
            .map(|i| {
                self.ram
                    .read_be32(BLOCK + 12 + 4 * (args.len() as u64 + u64::from(i)))
                    .unwrap()
            })
            .collect()
    }

    fn put_str(&self, at: u64, s: &str) -> u32 {
        let mut b = s.as_bytes().to_vec();
        b.push(0);
        self.ram.write(at, &b).unwrap();
        at as u32
    }

    fn buf(&self, at: u64, len: usize) -> Vec<u8> {
        let mut b = vec![0; len];
        self.ram.read(at, &mut b).unwrap();
        b
    }
}

#[test]
fn the_stdout_sequence_prom_init_starts_with() {
    let mut r = rig();
    let p = r.put_str(STR, "/chosen");
    assert_eq!(r.call("finddevice", &[p], 1), vec![r.chosen]);
    let name = r.put_str(STR, "stdout");
    assert_eq!(
        r.call("getprop", &[r.chosen, name, BUF as u32, 4], 1),
        vec![4]
    );
    assert_eq!(r.buf(BUF, 4), 1u32.to_be_bytes());
    assert_eq!(
        r.call("instance-to-path", &[1, BUF as u32, 255], 1),
        vec![22],
        "strlen + 1, as QEMU returns"
    );
    assert_eq!(&r.buf(BUF, 22), b"/vdevice/vty@71000000\0");
    assert_eq!(r.call("instance-to-package", &[1], 1), vec![r.vty]);
    let dt = r.put_str(STR, "device_type");
    assert_eq!(r.call("getprop", &[r.vty, dt, BUF as u32, 64], 1), vec![7]);
    let text = r.put_str(STR, "Preparing to boot Linux\n");
    assert_eq!(r.call("write", &[1, text, 24], 1), vec![24]);
    assert_eq!(r.host.console, b"Preparing to boot Linux\n");
    // Writing on a closed or unknown instance fails.
    assert_eq!(r.call("write", &[9, text, 24], 1), vec![OF_FAILURE]);
}

#[test]
fn property_services() {
    let mut r = rig();
    let name = r.put_str(STR, "name");
    assert_eq!(
        r.call("getproplen", &[r.vty, name], 1),
        vec![4],
        "invented name"
    );
    let missing = r.put_str(STR, "nope");
    assert_eq!(r.call("getproplen", &[r.vty, missing], 1), vec![OF_FAILURE]);
    assert_eq!(
        r.call("getprop", &[r.vty, missing, BUF as u32, 8], 1),
        vec![OF_FAILURE]
    );
    // getprop copies at most len bytes but returns the real length.
    let reg = r.put_str(STR, "reg");
    r.ram.write(BUF, &[0xee; 8]).unwrap();
    assert_eq!(r.call("getprop", &[r.vty, reg, BUF as u32, 2], 1), vec![4]);
    assert_eq!(r.buf(BUF, 4), [0x71, 0x00, 0xee, 0xee]);
    // nextprop walks in order, then 0 after the last.
    let empty = r.put_str(STR, "");
    assert_eq!(r.call("nextprop", &[r.vty, empty, BUF as u32], 1), vec![1]);
    assert_eq!(&r.buf(BUF, 12), b"device_type\0");
    let prev = r.put_str(STR, "device_type");
    assert_eq!(r.call("nextprop", &[r.vty, prev, BUF as u32], 1), vec![1]);
    assert_eq!(&r.buf(BUF, 4), b"reg\0");
    let prev = r.put_str(STR, "reg");
    assert_eq!(r.call("nextprop", &[r.vty, prev, BUF as u32], 1), vec![0]);
    assert_eq!(
        r.call("nextprop", &[0x7777, empty, BUF as u32], 1),
        vec![OF_FAILURE]
    );
    // setprop really updates the tree: prom_init reads values back when flattening.
    let key = r.put_str(STR, "linux,initrd-start");
    r.ram.write(BUF, &0x2c9_0000u64.to_be_bytes()).unwrap();
    assert_eq!(
        r.call("setprop", &[r.chosen, key, BUF as u32, 8], 1),
        vec![8]
    );
    assert_eq!(
        r.tree.prop(r.chosen, "linux,initrd-start").unwrap(),
        0x2c9_0000u64.to_be_bytes()
    );
    assert_eq!(
        r.call("setprop", &[r.chosen, key, BUF as u32, 0x7fff_ffff], 1),
        vec![OF_FAILURE],
        "a huge property is refused"
    );
}

#[test]
fn tree_walking_and_paths() {
    let mut r = rig();
    let root = r.tree.root();
    assert_eq!(r.call("peer", &[0], 1), vec![root]);
    assert_eq!(r.call("child", &[root], 1), vec![r.chosen]);
    let vdev = r.tree.parent(r.vty);
    assert_eq!(r.call("peer", &[r.chosen], 1), vec![vdev]);
    assert_eq!(r.call("peer", &[vdev], 1), vec![0]);
    assert_eq!(r.call("parent", &[root], 1), vec![0]);
    assert_eq!(r.call("child", &[r.vty], 1), vec![0]);
    assert_eq!(
        r.call("package-to-path", &[vdev, BUF as u32, 3], 1),
        vec![9]
    );
    assert_eq!(&r.buf(BUF, 4), b"/vd\0", "at most len bytes are written");
    assert_eq!(
        r.call("package-to-path", &[0xdead, BUF as u32, 64], 1),
        vec![OF_FAILURE]
    );
    let p = r.put_str(STR, "/vdevice/vtpm");
    assert_eq!(r.call("finddevice", &[p], 1), vec![OF_FAILURE]);
}

#[test]
fn open_close_and_call_method() {
    let mut r = rig();
    let p = r.put_str(STR, "/");
    let ih = r.call("open", &[p], 1)[0];
    assert_eq!(ih, 2, "stdout is 1, the next instance 2");
    assert_eq!(r.call("instance-to-package", &[ih], 1), vec![r.tree.root()]);
    let m = r.put_str(STR, "ibm,client-architecture-support");
    assert_eq!(r.call("call-method", &[m, ih, 0x5000], 2), vec![0, 0]);
    assert_eq!(
        r.host.methods,
        vec![(
            "ibm,client-architecture-support".into(),
            r.tree.root(),
            vec![0x5000]
        )]
    );
    let m = r.put_str(STR, "no-such-method");
    assert_eq!(r.call("call-method", &[m, ih], 1), vec![OF_FAILURE]);
    r.call("close", &[ih], 0);
    assert_eq!(r.call("instance-to-package", &[ih], 1), vec![OF_FAILURE]);
    let p = r.put_str(STR, "/nowhere");
    assert_eq!(r.call("open", &[p], 1), vec![0]);
    assert_eq!(r.call("milliseconds", &[], 1), vec![1234]);
    r.call("quiesce", &[], 0);
    assert!(r.host.quiesced);
    let p = r.put_str(STR, "interpret");
    let _ = p;
    assert_eq!(
        r.call("interpret", &[0], 1),
        vec![OF_FAILURE],
        "unknown services fail"
    );
}

#[test]
fn claim_and_release() {
    let mut r = rig();
    // Exact claims: free -> the address; overlapping -> -1.
    assert_eq!(
        r.call("claim", &[0x2fff_0000 & 0xff_ffff, 0x82c, 0], 1),
        vec![0xff_0000]
    );
    assert_eq!(r.call("claim", &[0xff_0100, 0x10, 0], 1), vec![OF_FAILURE]);
    assert_eq!(
        r.call("claim", &[0x80_0000, 0x10_0000, 0], 1),
        vec![0x80_0000]
    );
    // Outside RAM.
    assert_eq!(
        r.call("claim", &[0x0fff_0000, 0x1000, 0], 1),
        vec![OF_FAILURE]
    );
    // Aligned claims pick the lowest free aligned range below alloc_top (8 MiB here).
    assert_eq!(r.call("claim", &[0, 0x1000, 0x1_0000], 1), vec![0x10_0000]);
    assert_eq!(r.call("claim", &[0, 0x1000, 0x1_0000], 1), vec![0x11_0000]);
    assert_eq!(
        r.call("claim", &[0, 0x80_0000, 0x1000], 1),
        vec![OF_FAILURE]
    );
    assert_eq!(
        r.call("claim", &[0, 0x1000, 3], 1),
        vec![OF_FAILURE],
        "alignment 3"
    );
    r.call("release", &[0x10_0000, 0x1000], 0);
    assert_eq!(r.call("claim", &[0, 0x1000, 0x1_0000], 1), vec![0x10_0000]);
}

#[test]
fn exit_stops_the_machine() {
    let mut r = rig();
    r.put_str(0x800, "exit");
    r.ram.write_be32(BLOCK, 0x800).unwrap();
    r.ram.write_be32(BLOCK + 4, 0).unwrap();
    r.ram.write_be32(BLOCK + 8, 0).unwrap();
    assert_eq!(
        r.ci.call(&r.ram, &mut r.tree, &mut r.host, BLOCK),
        Ok(OfOutcome::Exit)
    );
}

#[test]
fn hostile_blocks_are_refused_without_harm() {
    let mut r = rig();
    let size = r.ram.size();
    assert_eq!(
        r.ci.call(&r.ram, &mut r.tree, &mut r.host, size - 8),
        Err(OfciError::BadBlock(size - 8))
    );
    r.ram.write_be32(BLOCK, 0x800).unwrap();
    r.ram.write_be32(BLOCK + 4, 8).unwrap();
    r.ram.write_be32(BLOCK + 8, 3).unwrap();
    assert_eq!(
        r.ci.call(&r.ram, &mut r.tree, &mut r.host, BLOCK),
        Err(OfciError::TooManyCells { nargs: 8, nret: 3 })
    );
    r.ram.write_be32(BLOCK, u32::MAX).unwrap();
    r.ram.write_be32(BLOCK + 4, 0).unwrap();
    r.ram.write_be32(BLOCK + 8, 0).unwrap();
    assert_eq!(
        r.ci.call(&r.ram, &mut r.tree, &mut r.host, BLOCK),
        Err(OfciError::BadServiceName(0xffff_ffff))
    );
    // A name with no NUL before the end of RAM.
    r.ram.write(size - 4, b"abcd").unwrap();
    r.ram.write_be32(BLOCK, (size - 4) as u32).unwrap();
    assert!(r.ci.call(&r.ram, &mut r.tree, &mut r.host, BLOCK).is_err());
    // Pointers outside RAM inside services: -1, no panic.
    assert_eq!(r.call("finddevice", &[0xffff_fff0], 1), vec![OF_FAILURE]);
    let name = r.put_str(STR, "reg");
    assert_eq!(
        r.call("getprop", &[r.vty, name, 0xffff_fff0, 4], 1),
        vec![OF_FAILURE]
    );
    assert_eq!(r.call("write", &[1, 0xffff_fff0, 100], 1), vec![OF_FAILURE]);
    // Random blocks never panic.
    let mut x = 0x9e37_79b9u32;
    for _ in 0..3000 {
        let mut words = [0u32; 13];
        for w in &mut words {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            *w = if x.is_multiple_of(3) {
                x % 16
            } else {
                x % (32 << 20)
            };
        }
        for (i, w) in words.iter().enumerate() {
            r.ram.write_be32(BLOCK + 4 * i as u64, *w).unwrap();
        }
        let _ = r.ci.call(&r.ram, &mut r.tree, &mut r.host, BLOCK);
    }
}
