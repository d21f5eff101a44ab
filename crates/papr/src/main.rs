//! The papr command line (QEMU-familiar). Booting a guest (`papr run`, `papr demo`) arrives
//! with the pseries machine loop; until then the command offers what exists (see README.md).

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Parser, Subcommand, ValueEnum};
use papr_machine::config::{IcMode, MachineConfig, ResizeHpt};
use papr_machine::machine::save::Host;
use papr_machine::machine::{BootImages, Machine};
use papr_machine::tree::{apply_cas, build, ActiveIc, CasOutcome};

#[derive(Parser)]
#[command(
    name = "papr",
    version,
    about = "POWER9 pseries (sPAPR) partition emulator"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum IcModeArg {
    Dual,
    Xics,
    Xive,
}

#[derive(Clone, Copy, ValueEnum)]
enum ResizeArg {
    Disabled,
    Enabled,
    Required,
}

#[derive(Clone, Copy, ValueEnum)]
enum Stage {
    /// The tree at machine reset, before CAS.
    Reset,
    /// After CAS, with the controller the guest would pick (XIVE in dual mode).
    Cas,
}

/// The machine's configuration, as QEMU's options name it.
#[derive(Args)]
struct MachineArgs {
    /// RAM size (multiple of 256 MiB).
    #[arg(short = 'm', default_value = "1G")]
    mem: String,
    /// vCPUs.
    #[arg(long, default_value_t = 1)]
    smp: u32,
    /// Interrupt-controller mode.
    #[arg(long, value_enum, default_value = "dual")]
    ic_mode: IcModeArg,
    /// HPT resize policy.
    #[arg(long, value_enum, default_value = "enabled")]
    resize_hpt: ResizeArg,
    /// HPT order (default: from the RAM size, QEMU's rule).
    #[arg(long)]
    hpt_order: Option<u32>,
    /// Kernel command line.
    #[arg(long, default_value = "")]
    append: String,
}

impl MachineArgs {
    fn config(self, deterministic: bool) -> anyhow::Result<MachineConfig> {
        machine_config(
            &self.mem,
            self.smp,
            self.ic_mode,
            self.resize_hpt,
            self.hpt_order,
            self.append,
            deterministic,
        )
    }
}

fn ic_mode_of(a: IcModeArg) -> IcMode {
    match a {
        IcModeArg::Dual => IcMode::Dual,
        IcModeArg::Xics => IcMode::Xics,
        IcModeArg::Xive => IcMode::Xive,
    }
}

/// Runs a machine in a session and prints how it ended (and the counters if asked).
fn session(
    machine: &mut Machine,
    args: &SessionArgs,
    limit: Option<u64>,
    stats: bool,
) -> anyhow::Result<()> {
    let end = papr::console::run_session(machine, args.options(limit)?)?;
    eprintln!("\r\npapr: {end}");
    if stats {
        papr::console::print_stats(machine);
    }
    Ok(())
}

/// Waits for one migration on `uri` and returns the machine it brought.
fn incoming(uri: &str, host: &Host, local: Option<&BootImages>) -> anyhow::Result<Machine> {
    let addr = papr::monitor::parse_tcp_uri(uri).map_err(anyhow::Error::msg)?;
    let listener =
        std::net::TcpListener::bind(&addr).with_context(|| format!("cannot listen on {addr}"))?;
    eprintln!("papr: waiting for a migration on {addr}");
    let (stream, peer) = listener.accept().context("accepting the migration")?;
    let _ = stream.set_nodelay(true);
    let t0 = std::time::Instant::now();
    let replies = stream.try_clone().context("the migration connection")?;
    let m = papr_machine::machine::migrate::incoming(
        std::io::BufReader::with_capacity(1 << 20, stream),
        replies,
        host,
        local,
        Box::new(std::io::stdout()),
    )
    .with_context(|| format!("incoming migration from {peer}"))?;
    eprintln!(
        "papr: migration from {peer} received in {:.3} s; the guest runs here now",
        t0.elapsed().as_secs_f64()
    );
    Ok(m)
}

/// How the session runs: control socket, determinism, paused start.
#[derive(Args, Clone)]
struct SessionArgs {
    /// Serve the control socket (JSON lines, QMP-like) at this path: status, stop, cont,
    /// system_reset, quit, migrate, snapshot, info-hpt, info-pic, info-hcalls, info-ledger.
    #[arg(long, value_name = "PATH")]
    control: Option<PathBuf>,
    /// Deterministic mode: fixed real-time clock (2026-01-01) and random seeds, idle time
    /// skipped instead of waited for; two runs give identical console output.
    #[arg(long)]
    deterministic: bool,
    /// Start with the guest paused (the control socket's `cont` starts it), like QEMU's -S.
    #[arg(short = 'S')]
    paused: bool,
}

impl SessionArgs {
    fn options(&self, limit: Option<u64>) -> anyhow::Result<papr::console::SessionOptions> {
        let control = self
            .control
            .as_deref()
            .map(|p| {
                papr::control::ControlServer::bind(p)
                    .with_context(|| format!("cannot serve the control socket {}", p.display()))
            })
            .transpose()?;
        Ok(papr::console::SessionOptions {
            limit,
            control,
            deterministic: self.deterministic,
            paused: self.paused,
        })
    }
}

#[derive(Subcommand)]
enum Command {
    /// Boot a kernel (QEMU-familiar options; the console is this terminal, Ctrl-A x quits).
    Run {
        /// The kernel (ELF).
        #[arg(long, required_unless_present_any = ["bios", "incoming"])]
        kernel: Option<PathBuf>,
        /// A raw firmware image (QEMU's -bios): loaded at 0, entered at 0x100 big-endian with
        /// r3 = the final flattened device tree (no Open Firmware client interface, no CAS).
        #[arg(long)]
        bios: Option<PathBuf>,
        /// An initrd.
        #[arg(long)]
        initrd: Option<PathBuf>,
        #[command(flatten)]
        machine: MachineArgs,
        /// Stop after this many guest instructions.
        #[arg(long)]
        max_insns: Option<u64>,
        /// At exit, print hcall/RTAS counters, the interpreter's counters (decoded blocks, MMU
        /// walks) and the hypervisor's allocation ledger.
        #[arg(long)]
        stats: bool,
        /// Wait for a live migration from another papr on tcp:ADDR:PORT instead of booting;
        /// the machine options say what this destination hosts (RAM size and vCPU count
        /// must match the source; a forced ic-mode must be the one the guest negotiated).
        /// Given the source's --kernel/--initrd/--bios too, the images are not sent again.
        #[arg(long, value_name = "tcp:ADDR:PORT")]
        incoming: Option<String>,
        #[command(flatten)]
        session: SessionArgs,
    },
    /// Restore a snapshot (written by the control socket's `snapshot`) and run it.
    Restore {
        /// The snapshot file.
        file: PathBuf,
        /// Refuse the snapshot unless its guest runs on this interrupt controller.
        #[arg(long, value_enum)]
        ic_mode: Option<IcModeArg>,
        /// Stop after this many guest instructions (counted from the snapshot's start).
        #[arg(long)]
        max_insns: Option<u64>,
        /// At exit, print counters and the allocation ledger.
        #[arg(long)]
        stats: bool,
        #[command(flatten)]
        session: SessionArgs,
    },
    /// The main job: boot Debian 12's ppc64le kernel with a busybox initramfs to an
    /// interactive shell. On first use it downloads the pinned Debian packages (apt-get
    /// download, multiarch ppc64el) into the cache directory.
    Demo {
        /// Where the Debian artifacts are kept (default: $XDG_CACHE_HOME/papr or ~/.cache/papr).
        #[arg(long)]
        cache: Option<PathBuf>,
        /// RAM size.
        #[arg(short = 'm', default_value = "1G")]
        mem: String,
        /// vCPUs.
        #[arg(long, default_value_t = 2)]
        smp: u32,
        /// Interrupt-controller mode.
        #[arg(long, value_enum, default_value = "dual")]
        ic_mode: IcModeArg,
        /// Extra kernel command-line arguments (after console=hvc0).
        #[arg(long, default_value = "")]
        append: String,
        /// At exit, print counters and the allocation ledger.
        #[arg(long)]
        stats: bool,
        #[command(flatten)]
        session: SessionArgs,
    },
    /// Build a busybox initramfs (newc cpio) whose /init mounts the kernel filesystems and
    /// starts a shell on the console.
    Mkinitramfs {
        /// A static busybox binary for ppc64le (Debian's busybox-static).
        #[arg(long)]
        busybox: PathBuf,
        /// Output file.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Print the HPT order papr would choose for a RAM size (QEMU's rule).
    HptOrder {
        /// RAM size, e.g. 1G, 512M.
        #[arg(short = 'm', default_value = "1G")]
        mem: String,
    },
    /// Write the flattened device tree papr presents for a configuration (like QEMU's
    /// `-machine dumpdtb=FILE`); inspect it with `dtc -I dtb -O dts FILE`.
    Dumpdtb {
        /// Output file.
        #[arg(short, long)]
        output: PathBuf,
        #[command(flatten)]
        machine: MachineArgs,
        /// Which tree.
        #[arg(long, value_enum, default_value = "reset")]
        stage: Stage,
    },
}

fn parse_size(s: &str) -> anyhow::Result<u64> {
    let s = s.trim();
    let (num, mult) = match s.chars().last() {
        Some('K' | 'k') => (&s[..s.len() - 1], 1u64 << 10),
        Some('M' | 'm') => (&s[..s.len() - 1], 1 << 20),
        Some('G' | 'g') => (&s[..s.len() - 1], 1 << 30),
        Some('T' | 't') => (&s[..s.len() - 1], 1 << 40),
        _ => (s, 1 << 20),
    };
    let n: u64 = num
        .parse()
        .map_err(|_| anyhow::anyhow!("unusable size {s:?}: expected a number with K, M, G or T"))?;
    n.checked_mul(mult)
        .ok_or_else(|| anyhow::anyhow!("size {s:?} is too large"))
}

fn main() -> std::process::ExitCode {
    match run(Cli::parse()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // The error chain, without a backtrace: the messages name what is wrong.
            eprintln!("papr: error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn machine_config(
    mem: &str,
    smp: u32,
    ic_mode: IcModeArg,
    resize_hpt: ResizeArg,
    hpt_order: Option<u32>,
    append: String,
    deterministic: bool,
) -> anyhow::Result<MachineConfig> {
    let cfg = MachineConfig {
        ram_bytes: parse_size(mem)?,
        cpus: smp,
        ic_mode: ic_mode_of(ic_mode),
        resize_hpt: match resize_hpt {
            ResizeArg::Disabled => ResizeHpt::Disabled,
            ResizeArg::Enabled => ResizeHpt::Enabled,
            ResizeArg::Required => ResizeHpt::Required,
        },
        hpt_order,
        bootargs: append,
        deterministic,
    };
    cfg.validate()?;
    Ok(cfg)
}

fn default_cache() -> PathBuf {
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(|| PathBuf::from(".cache"))
        .join("papr")
}

fn read_file(what: &str, path: &std::path::Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot read the {what} {}", path.display()))
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Run {
            kernel,
            bios,
            initrd,
            machine,
            max_insns,
            stats,
            incoming: incoming_uri,
            session: sargs,
        } => {
            let cfg = machine.config(sargs.deterministic)?;
            let images = BootImages {
                kernel_name: kernel
                    .as_ref()
                    .map_or_else(String::new, |k| k.display().to_string()),
                kernel: kernel
                    .as_deref()
                    .map(|k| read_file("kernel", k))
                    .transpose()?
                    .unwrap_or_default(),
                initrd: initrd
                    .as_deref()
                    .map(|p| read_file("initrd", p))
                    .transpose()?,
                bios: bios
                    .as_deref()
                    .map(|p| read_file("--bios image", p))
                    .transpose()?,
            };
            if let Some(uri) = incoming_uri {
                let local = (kernel.is_some() || bios.is_some()).then_some(&images);
                let mut m = incoming(&uri, &Host::from_config(&cfg), local)?;
                return session(&mut m, &sargs, max_insns, stats);
            }
            let mut machine = Machine::new(cfg, images, Box::new(std::io::stdout()))?;
            session(&mut machine, &sargs, max_insns, stats)?;
        }
        Command::Restore {
            file,
            ic_mode: forced,
            max_insns,
            stats,
            session: sargs,
        } => {
            let f = std::fs::File::open(&file)
                .with_context(|| format!("cannot open the snapshot {}", file.display()))?;
            let host = Host {
                ic_mode: forced.map(ic_mode_of),
                ..Host::default()
            };
            let t0 = std::time::Instant::now();
            let mut reader = papr_machine::snapshot::stream::SectionReader::new(
                std::io::BufReader::with_capacity(1 << 20, f),
            )
            .with_context(|| format!("cannot restore {}", file.display()))?;
            let mut m = Machine::restore_snapshot(&mut reader, &host, Box::new(std::io::stdout()))
                .with_context(|| format!("cannot restore {}", file.display()))?;
            eprintln!(
                "papr: restored {} in {:.3} s",
                file.display(),
                t0.elapsed().as_secs_f64()
            );
            let limit = max_insns.map(|n| m.retired().saturating_add(n));
            session(&mut m, &sargs, limit, stats)?;
        }
        Command::Demo {
            cache,
            mem,
            smp,
            ic_mode,
            append,
            stats,
            session: sargs,
        } => {
            let dir = cache.unwrap_or_else(default_cache);
            let (kernel, busybox) = papr::demo::artifacts(&dir)?;
            let cfg = machine_config(
                &mem,
                smp,
                ic_mode,
                ResizeArg::Enabled,
                None,
                format!("console=hvc0 {append}").trim().to_owned(),
                sargs.deterministic,
            )?;
            let images = BootImages {
                kernel_name: kernel.display().to_string(),
                kernel: read_file("kernel", &kernel)?,
                initrd: Some(papr_machine::initramfs::busybox_initramfs(
                    &read_file("busybox binary", &busybox)?,
                    papr_machine::initramfs::DEMO_INIT,
                )),
                bios: None,
            };
            eprintln!("papr: booting {} (Ctrl-A x quits)", kernel.display());
            let mut machine = Machine::new(cfg, images, Box::new(std::io::stdout()))?;
            session(&mut machine, &sargs, None, stats)?;
        }
        Command::Mkinitramfs { busybox, output } => {
            let bb = read_file("busybox binary", &busybox)?;
            let archive =
                papr_machine::initramfs::busybox_initramfs(&bb, papr_machine::initramfs::DEMO_INIT);
            std::fs::write(&output, archive)
                .with_context(|| format!("cannot write {}", output.display()))?;
        }
        Command::HptOrder { mem } => {
            let bytes = parse_size(&mem)?;
            println!("{}", papr_machine::hpt_order_for_ram(bytes));
        }
        Command::Dumpdtb {
            output,
            machine,
            stage,
        } => {
            let cfg = machine.config(true)?;
            let (mut tree, mut nodes) = build(&cfg, None)?;
            if let Stage::Cas = stage {
                let (ic, vec5) = match cfg.ic_mode {
                    IcMode::Xics => (ActiveIc::Xics, vec![0, 0]),
                    IcMode::Dual | IcMode::Xive => (ActiveIc::Xive, {
                        let mut v = vec![22u8];
                        v.extend([0u8; 23]);
                        v[23] = 0x40;
                        v
                    }),
                };
                let current = papr_machine::tree::reset_ic(cfg.ic_mode);
                apply_cas(
                    &mut tree,
                    &mut nodes,
                    &cfg,
                    current,
                    &CasOutcome { ic, vec5 },
                )?;
            }
            let fdt = tree.to_fdt(&[])?;
            std::fs::write(&output, fdt)
                .with_context(|| format!("cannot write {}", output.display()))?;
        }
    }
    Ok(())
}
