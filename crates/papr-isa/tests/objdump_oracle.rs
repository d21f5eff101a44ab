//! Oracle test: papr-isa's disassembly against binutils' objdump over the executable sections of
//! the Debian 12 ppc64el kernel (vmlinux) and busybox.
//!
//! For every word objdump decodes (does not print `.long`), our text must equal objdump's after
//! normalisation (whitespace collapsed, `<symbol+off>` annotations and `# ...` comments dropped,
//! branch targets compared as numbers), unless the word matches an entry of
//! `tests/data/objdump_exceptions.txt` (each with its reason; mirrored in docs/ISA.md).
//!
//! Missing objdump or artifacts: with `PAPR_REQUIRE_ORACLES=1` the test fails and says how to
//! get them; otherwise it prints a loud SKIPPED line and passes.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use papr_isa::{decode, disassemble, format_insn, Opcode};

/// Like eprintln!, but straight to the stderr handle so the summary shows even when the test
/// harness captures output (passing tests).
macro_rules! report {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

const OBJDUMP: &str = "powerpc64le-linux-gnu-objdump";
const MAX_REPORTED: usize = 50;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn require_oracles() -> bool {
    std::env::var("PAPR_REQUIRE_ORACLES").is_ok_and(|v| v == "1")
}

/// Fails (CI) or skips (local) with a message saying what is missing.
fn missing(what: &str) {
    let msg = format!("objdump oracle: {what}");
    if require_oracles() {
        panic!("{msg} (PAPR_REQUIRE_ORACLES=1)");
    }
    // Straight to the stderr handle, not eprintln!: the test harness captures the latter.
    let _ = writeln!(std::io::stderr(), "\n*** SKIPPED: {msg} ***\n");
}

fn find_objdump() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("PAPR_OBJDUMP") {
        let p = PathBuf::from(p);
        return p.exists().then_some(p);
    }
    let usr = PathBuf::from("/usr/bin").join(OBJDUMP);
    if usr.exists() {
        return Some(usr);
    }
    let ok = Command::new(OBJDUMP)
        .arg("--version")
        .stdout(Stdio::null())
        .status();
    ok.is_ok_and(|s| s.success())
        .then(|| PathBuf::from(OBJDUMP))
}

struct Exception {
    mask: u32,
    value: u32,
}

fn parse_hex(s: &str) -> Option<u32> {
    u32::from_str_radix(s.trim_start_matches("0x"), 16).ok()
}

fn load_exceptions() -> Vec<Exception> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/objdump_exceptions.txt");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let mut it = l.split_whitespace();
            let mask = it.next().and_then(parse_hex);
            let value = it.next().and_then(parse_hex);
            let reason = it.collect::<Vec<_>>().join(" ");
            match (mask, value) {
                (Some(mask), Some(value)) if !reason.is_empty() => Exception { mask, value },
                _ => panic!(
                    "bad line in {}: {l} (want: <mask> <value> <reason>)",
                    path.display()
                ),
            }
        })
        .collect()
}

/// objdump's text, normalised: no `<sym>` annotations, no `#` comments, single spaces, branch
/// targets written `0x<hex>`.
fn normalise(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    let mut depth = 0;
    for c in text.chars() {
        match c {
            '<' => depth += 1,
            '>' if depth > 0 => depth -= 1,
            _ if depth == 0 => s.push(c),
            _ => {}
        }
    }
    if let Some(i) = s.find('#') {
        s.truncate(i);
    }
    let mut parts = s.split_whitespace();
    let mnemonic = parts.next().unwrap_or("");
    let operands: String = parts.collect();
    if operands.is_empty() {
        return mnemonic.to_string();
    }
    let ops: Vec<String> = operands
        .split(',')
        .map(|op| {
            let hex = op.strip_prefix("0x").unwrap_or(op);
            let is_addr = (op.starts_with("0x") || hex.len() == 16)
                && !hex.is_empty()
                && hex.chars().all(|c| c.is_ascii_hexdigit());
            match (is_addr, u64::from_str_radix(hex, 16)) {
                (true, Ok(v)) => format!("0x{v:x}"),
                _ => op.to_string(),
            }
        })
        .collect();
    format!("{mnemonic} {}", ops.join(","))
}

#[derive(Default)]
struct Stats {
    decoded: u64,
    agree: u64,
    excepted: u64,
    not_decoded_by_objdump: u64,
    /// Words objdump leaves as `.long` that papr-isa decodes (should be none).
    decoded_only_by_us: Vec<(u32, String)>,
    mismatches: Vec<(u32, u64, String, String)>,
    mismatch_words: HashSet<u32>,
    mismatch_count: u64,
}

fn run_binary(objdump: &Path, binary: &Path, exceptions: &[Exception]) -> Stats {
    let mut child = Command::new(objdump)
        .args(["-d", "-M", "power9"])
        .arg(binary)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", objdump.display()));
    let stdout = child
        .stdout
        .take()
        .unwrap_or_else(|| panic!("objdump has no stdout"));
    let reader = BufReader::with_capacity(1 << 20, stdout);
    let mut stats = Stats::default();
    // Disassembly of non-branch words does not depend on the address: cache it.
    let mut cache: HashMap<u32, String> = HashMap::new();
    for line in reader.lines() {
        let Ok(line) = line else { break };
        // "c000000000000000:\t48 00 00 08 \ttdi     0,r0,72"
        let mut fields = line.splitn(3, '\t');
        let (Some(addr), Some(bytes), Some(text)) = (fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        let Some(addr) = addr.trim().strip_suffix(':') else {
            continue;
        };
        let Ok(addr) = u64::from_str_radix(addr, 16) else {
            continue;
        };
        let b: Vec<u8> = bytes
            .split_whitespace()
            .filter_map(|x| u8::from_str_radix(x, 16).ok())
            .collect();
        let Ok(b) = <[u8; 4]>::try_from(b.as_slice()) else {
            continue;
        };
        let word = u32::from_le_bytes(b);
        if text.starts_with(".long") {
            stats.not_decoded_by_objdump += 1;
            let insn = decode(word);
            if insn.op != Opcode::Invalid && !exceptions.iter().any(|e| word & e.mask == e.value) {
                stats
                    .decoded_only_by_us
                    .push((word, format_insn(insn, addr)));
            }
            continue;
        }
        stats.decoded += 1;
        let theirs = normalise(text);
        let insn = decode(word);
        let ours = if matches!(insn.op, Opcode::B | Opcode::Bc) {
            normalise(&format_insn(insn, addr))
        } else {
            cache
                .entry(word)
                .or_insert_with(|| normalise(&format_insn(insn, addr)))
                .clone()
        };
        if ours == theirs {
            stats.agree += 1;
        } else if exceptions.iter().any(|e| word & e.mask == e.value) {
            stats.excepted += 1;
        } else {
            stats.mismatch_count += 1;
            if stats.mismatch_words.insert(word) && stats.mismatches.len() < MAX_REPORTED {
                stats.mismatches.push((word, addr, ours, theirs));
            }
        }
    }
    let _ = child.wait();
    stats
}

/// xorshift64*: a small deterministic generator for the synthetic-word test.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u32 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        #[allow(clippy::cast_possible_truncation)] // taking the high half on purpose
        let v = (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 32) as u32;
        v
    }
}

/// Words that exercise every table entry (random operand fields, and each reserved bit set in
/// turn), every extended-opcode slot of every primary opcode, and plain random words.
fn synthetic_words(seed: u64, scale: usize) -> Vec<u32> {
    let mut rng = Rng(seed | 1);
    let mut words = Vec::new();
    for (_, value, mask) in papr_isa::table::encodings() {
        for _ in 0..48 * scale {
            words.push(value | (rng.next() & !mask));
        }
        let reserved = mask & 0x03ff_ffff;
        for bit in 0..26 {
            if reserved & (1 << bit) != 0 {
                words.push((value | (rng.next() & !mask)) ^ (1 << bit));
            }
        }
    }
    for po in 0..64u32 {
        for key in 0..2048u32 {
            let low = if matches!(po, 4) {
                key
            } else {
                (key & 0x3ff) << 1 | (key >> 10)
            };
            for _ in 0..scale {
                words.push((po << 26) | (rng.next() & 0x03ff_f800) | (low & 0x7ff));
            }
            words.push((po << 26) | (low & 0x7ff));
        }
    }
    for _ in 0..300_000 * scale {
        words.push(rng.next());
    }
    words
}

#[test]
fn objdump_agrees_on_synthetic_words() {
    let Some(objdump) = find_objdump() else {
        missing(&format!(
            "{OBJDUMP} not found; install it with `apt-get install binutils-powerpc64le-linux-gnu` \
             (or set PAPR_OBJDUMP)"
        ));
        return;
    };
    let seed = std::env::var("PAPR_ISA_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_1234_u64);
    // PAPR_ISA_FUZZ_SCALE multiplies the number of words (default 1: about 600k words).
    let scale = std::env::var("PAPR_ISA_FUZZ_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let words = synthetic_words(seed, scale);
    let dir = std::env::temp_dir().join(format!("papr-isa-oracle-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("temp dir: {e}"));
    let file = dir.join("words.bin");
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    std::fs::write(&file, bytes).unwrap_or_else(|e| panic!("write {}: {e}", file.display()));
    let out = Command::new(&objdump)
        .args([
            "-D",
            "-b",
            "binary",
            "-m",
            "powerpc:common64",
            "-EL",
            "-M",
            "power9",
            "-z",
        ])
        .arg(&file)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", objdump.display()));
    let _ = std::fs::remove_dir_all(&dir);
    let text = String::from_utf8_lossy(&out.stdout);
    let exceptions = load_exceptions();
    let (mut compared, mut differ, mut over) = (0u64, Vec::new(), Vec::new());
    let mut seen = HashSet::new();
    for line in text.lines() {
        let mut fields = line.splitn(3, '\t');
        let (Some(addr), Some(bytes), Some(theirs)) = (fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        let Some(addr) = addr.trim().strip_suffix(':') else {
            continue;
        };
        let Ok(addr) = u64::from_str_radix(addr, 16) else {
            continue;
        };
        let b: Vec<u8> = bytes
            .split_whitespace()
            .filter_map(|x| u8::from_str_radix(x, 16).ok())
            .collect();
        let Ok(b) = <[u8; 4]>::try_from(b.as_slice()) else {
            continue;
        };
        let word = u32::from_le_bytes(b);
        if !seen.insert(word) || exceptions.iter().any(|e| word & e.mask == e.value) {
            continue;
        }
        let ours = normalise(&disassemble(word, addr));
        if theirs.starts_with(".long") {
            if !ours.starts_with(".long") {
                over.push((word, ours));
            }
            continue;
        }
        compared += 1;
        let theirs = normalise(theirs);
        if ours != theirs {
            differ.push((word, ours, theirs));
        }
    }
    report!(
        "synthetic: {} distinct words, {compared} decoded by objdump, {} differ, {} decoded only by papr-isa",
        seen.len(),
        differ.len(),
        over.len()
    );
    for (word, ours, theirs) in differ.iter().take(MAX_REPORTED) {
        report!("  {word:#010x}: ours `{ours}` objdump `{theirs}`");
    }
    for (word, ours) in over.iter().take(MAX_REPORTED) {
        report!("  {word:#010x}: ours `{ours}` objdump `.long`");
    }
    assert!(compared > 0, "objdump decoded nothing");
    assert!(
        differ.is_empty() && over.is_empty(),
        "papr-isa differs from objdump on synthetic words"
    );
}

#[test]
fn objdump_agrees_on_debian_vmlinux_and_busybox() {
    let Some(objdump) = find_objdump() else {
        missing(&format!(
            "{OBJDUMP} not found; install it with `apt-get install binutils-powerpc64le-linux-gnu` \
             (or set PAPR_OBJDUMP)"
        ));
        return;
    };
    let cache = repo_root().join(".cache/debian");
    let binaries = [cache.join("vmlinux"), cache.join("busybox")];
    if binaries.iter().any(|b| !b.exists()) {
        let script = repo_root().join("scripts/fetch-debian-guest.sh");
        let _ = Command::new("bash").arg(&script).status();
    }
    if let Some(b) = binaries.iter().find(|b| !b.exists()) {
        missing(&format!(
            "{} is missing; run scripts/fetch-debian-guest.sh (needs apt-get and the ppc64el \
             dpkg architecture)",
            b.display()
        ));
        return;
    }
    let exceptions = load_exceptions();
    let results: Vec<(String, Stats)> = std::thread::scope(|s| {
        let handles: Vec<_> = binaries
            .iter()
            .map(|b| {
                let (objdump, exceptions) = (&objdump, &exceptions);
                let name = b.file_name().map_or_else(
                    || b.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                );
                s.spawn(move || (name, run_binary(objdump, b, exceptions)))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| panic!("oracle thread panicked"))
            })
            .collect()
    });
    let mut failed = false;
    for (name, st) in &results {
        #[allow(clippy::cast_precision_loss)] // a percentage
        let pct = 100.0 * (st.agree + st.excepted) as f64 / st.decoded.max(1) as f64;
        report!(
            "{name}: {} words objdump decodes, {} agree, {} excepted, {} differ ({} distinct) \
             => {pct:.4}% agreement; {} words objdump leaves as .long, {} of which papr-isa decodes",
            st.decoded,
            st.agree,
            st.excepted,
            st.mismatch_count,
            st.mismatch_words.len(),
            st.not_decoded_by_objdump,
            st.decoded_only_by_us.len()
        );
        for (word, addr, ours, theirs) in &st.mismatches {
            report!("  {word:#010x} at {addr:#x}: ours `{ours}` objdump `{theirs}`");
        }
        for (word, ours) in st.decoded_only_by_us.iter().take(MAX_REPORTED) {
            report!("  {word:#010x}: ours `{ours}` objdump `.long`");
        }
        failed |= st.mismatch_count > 0 || st.decoded == 0 || !st.decoded_only_by_us.is_empty();
    }
    assert!(
        !failed,
        "papr-isa disassembly differs from objdump (see the list above)"
    );
}

/// Every one of the 2^26 words of each primary opcode listed in `PAPR_ISA_PRIMARIES`
/// (comma-separated, or `all`), compared both ways. Slow (about a minute of objdump per primary
/// opcode): run on demand with `scripts/isa-oracle.sh exhaustive [PRIMARIES]`.
#[test]
#[ignore = "exhaustive: minutes per primary opcode; run via scripts/isa-oracle.sh exhaustive"]
fn objdump_agrees_on_every_word_of_primaries() {
    let Some(objdump) = find_objdump() else {
        missing(&format!(
            "{OBJDUMP} not found; install it with `apt-get install binutils-powerpc64le-linux-gnu`"
        ));
        return;
    };
    let spec = std::env::var("PAPR_ISA_PRIMARIES").unwrap_or_else(|_| "all".to_string());
    let primaries: Vec<u32> = if spec == "all" {
        (0..64).collect()
    } else {
        spec.split(',')
            .filter_map(|s| s.trim().parse().ok())
            .filter(|p| *p < 64)
            .collect()
    };
    let exceptions = load_exceptions();
    let dir = std::env::temp_dir().join(format!("papr-isa-exhaustive-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("temp dir: {e}"));
    let mut failed = false;
    for po in primaries {
        let file = dir.join(format!("po{po}.bin"));
        {
            let mut out = std::io::BufWriter::new(
                std::fs::File::create(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display())),
            );
            for low in 0..(1u32 << 26) {
                let _ = out.write_all(&((po << 26) | low).to_le_bytes());
            }
        }
        let mut child = Command::new(&objdump)
            .args([
                "-D",
                "-b",
                "binary",
                "-m",
                "powerpc:common64",
                "-EL",
                "-M",
                "power9",
                "-z",
            ])
            .arg(&file)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", objdump.display()));
        let stdout = child
            .stdout
            .take()
            .unwrap_or_else(|| panic!("objdump has no stdout"));
        let (mut decoded, mut differ, mut over) = (0u64, Vec::new(), Vec::new());
        let (mut n_differ, mut n_over) = (0u64, 0u64);
        for line in BufReader::with_capacity(1 << 20, stdout).lines() {
            let Ok(line) = line else { break };
            let mut fields = line.splitn(3, '\t');
            let (Some(addr), Some(_), Some(theirs)) = (fields.next(), fields.next(), fields.next())
            else {
                continue;
            };
            let Some(addr) = addr.trim().strip_suffix(':') else {
                continue;
            };
            let Ok(addr) = u64::from_str_radix(addr, 16) else {
                continue;
            };
            let Ok(low) = u32::try_from(addr / 4) else {
                continue;
            };
            let word = (po << 26) | low;
            if exceptions.iter().any(|e| word & e.mask == e.value) {
                continue;
            }
            let insn = decode(word);
            if theirs.starts_with(".long") {
                if insn.op != Opcode::Invalid {
                    n_over += 1;
                    if over.len() < MAX_REPORTED {
                        over.push((word, format_insn(insn, addr)));
                    }
                }
                continue;
            }
            decoded += 1;
            let theirs = normalise(theirs);
            let ours = normalise(&format_insn(insn, addr));
            if ours != theirs {
                n_differ += 1;
                if differ.len() < MAX_REPORTED {
                    differ.push((word, ours, theirs));
                }
            }
        }
        let _ = child.wait();
        let _ = std::fs::remove_file(&file);
        report!(
            "primary {po}: {decoded} words decoded by objdump, {n_differ} differ, {n_over} decoded only by papr-isa"
        );
        for (word, ours, theirs) in &differ {
            report!("  {word:#010x}: ours `{ours}` objdump `{theirs}`");
        }
        for (word, ours) in &over {
            report!("  {word:#010x}: ours `{ours}` objdump `.long`");
        }
        failed |= n_differ > 0 || n_over > 0;
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!failed, "papr-isa differs from objdump (see above)");
}
