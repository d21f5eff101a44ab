//! The papr command line (QEMU-familiar). The pseries platform that boots a guest is being
//! built (see docs/STATUS.md); for now the command reports what exists.

use clap::{Parser, Subcommand};

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

#[derive(Subcommand)]
enum Command {
    /// Print the HPT order papr would choose for a RAM size (QEMU's rule).
    HptOrder {
        /// RAM size, e.g. 1G, 512M.
        #[arg(short = 'm', default_value = "1G")]
        mem: String,
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

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::HptOrder { mem } => {
            let bytes = parse_size(&mem)?;
            println!("{}", papr_machine::hpt_order_for_ram(bytes));
        }
    }
    Ok(())
}
