//! The processor part of a `VCPU` section: papr-cpu's [`VcpuState`] (the KVM_GET/SET_REGS,
//! SREGS and ONE_REG analogue) as bytes.
//!
//! Layout (all little-endian): GPR 0–31, CR, XER (its architected value), LR, CTR, NIP, MSR,
//! VSR 0–63 (u128), FPSCR, VSCR, VRSAVE; the SPRs in the order of papr-cpu's `Sprs` (SRR0,
//! SRR1, DAR, DSISR, SPRG0–3, CFAR, DSCR, AMR, IAMR, UAMOR, AMOR, TAR, PPR, CTRL, FSCR, TIDR,
//! PIDR, PSPB, EBBHR, EBBRR, BESCR, the PMU (MMCR0, MMCR1, MMCR2, MMCRA, PMC1–6, SIAR, SDAR,
//! SIER), PIR, PVR); the 32 SLB entries (ESID word, VSID word); the LPCR model (AIL field,
//! ILE, LPES, LD); the time base (retired, clock ns, TB offset, DEC written, its TB, DEC
//! deadline, PURR base, DEC width); the reservation (optional: real address, length, 16
//! bytes); the interpreter's retired count.
//!
//! Every structure is taken apart field by field without `..`, so a field added to papr-cpu's
//! state fails to compile here until the snapshot carries it. The decoded state is validated by
//! [`papr_cpu::Cpu::restore_state`], which refuses what a processor could never hold.

use papr_cpu::interp::Reservation;
use papr_cpu::lpcr::{Ail, Lpcr};
use papr_cpu::state::{Cr, Pmu, Sprs, Xer};
use papr_cpu::timebase::TimebaseState;
use papr_cpu::vcpu_state::VcpuState;
use papr_cpu::{Cpu, Interpreter};

use super::codec::{Dec, Enc};
use super::SnapshotError;

fn enc_sprs(s: &Sprs, e: &mut Enc) {
    let Sprs {
        srr0,
        srr1,
        dar,
        dsisr,
        sprg,
        cfar,
        dscr,
        amr,
        iamr,
        uamor,
        amor,
        tar,
        ppr,
        ctrl,
        fscr,
        tidr,
        pidr,
        pspb,
        ebbhr,
        ebbrr,
        bescr,
        pmu,
        pir,
        pvr,
    } = *s;
    e.u64(srr0).u64(srr1).u64(dar).u32(dsisr);
    for g in sprg {
        e.u64(g);
    }
    e.u64(cfar)
        .u64(dscr)
        .u64(amr)
        .u64(iamr)
        .u64(uamor)
        .u64(amor)
        .u64(tar)
        .u64(ppr)
        .u32(ctrl)
        .u64(fscr)
        .u64(tidr)
        .u64(pidr)
        .u32(pspb)
        .u64(ebbhr)
        .u64(ebbrr)
        .u64(bescr);
    let Pmu {
        mmcr0,
        mmcr1,
        mmcr2,
        mmcra,
        pmc,
        siar,
        sdar,
        sier,
    } = pmu;
    e.u64(mmcr0).u64(mmcr1).u64(mmcr2).u64(mmcra);
    for p in pmc {
        e.u32(p);
    }
    e.u64(siar).u64(sdar).u64(sier).u64(pir).u64(pvr);
}

fn dec_sprs(d: &mut Dec) -> Result<Sprs, SnapshotError> {
    let srr0 = d.u64("SRR0")?;
    let srr1 = d.u64("SRR1")?;
    let dar = d.u64("DAR")?;
    let dsisr = d.u32("DSISR")?;
    let mut sprg = [0u64; 4];
    for g in &mut sprg {
        *g = d.u64("SPRG")?;
    }
    let cfar = d.u64("CFAR")?;
    let dscr = d.u64("DSCR")?;
    let amr = d.u64("AMR")?;
    let iamr = d.u64("IAMR")?;
    let uamor = d.u64("UAMOR")?;
    let amor = d.u64("AMOR")?;
    let tar = d.u64("TAR")?;
    let ppr = d.u64("PPR")?;
    let ctrl = d.u32("CTRL")?;
    let fscr = d.u64("FSCR")?;
    let tidr = d.u64("TIDR")?;
    let pidr = d.u64("PIDR")?;
    let pspb = d.u32("PSPB")?;
    let ebbhr = d.u64("EBBHR")?;
    let ebbrr = d.u64("EBBRR")?;
    let bescr = d.u64("BESCR")?;
    let mmcr0 = d.u64("MMCR0")?;
    let mmcr1 = d.u64("MMCR1")?;
    let mmcr2 = d.u64("MMCR2")?;
    let mmcra = d.u64("MMCRA")?;
    let mut pmc = [0u32; 6];
    for p in &mut pmc {
        *p = d.u32("PMC")?;
    }
    let pmu = Pmu {
        mmcr0,
        mmcr1,
        mmcr2,
        mmcra,
        pmc,
        siar: d.u64("SIAR")?,
        sdar: d.u64("SDAR")?,
        sier: d.u64("SIER")?,
    };
    Ok(Sprs {
        srr0,
        srr1,
        dar,
        dsisr,
        sprg,
        cfar,
        dscr,
        amr,
        iamr,
        uamor,
        amor,
        tar,
        ppr,
        ctrl,
        fscr,
        tidr,
        pidr,
        pspb,
        ebbhr,
        ebbrr,
        bescr,
        pmu,
        pir: d.u64("PIR")?,
        pvr: d.u64("PVR")?,
    })
}

/// Writes the processor state of `cpu` (with its interpreter's) into `e`.
pub fn encode(cpu: &Cpu, interp: &Interpreter, e: &mut Enc) {
    encode_state(&cpu.save_state(interp), e);
}

/// Writes a [`VcpuState`].
pub fn encode_state(s: &VcpuState, e: &mut Enc) {
    let VcpuState {
        regs,
        slb,
        lpcr,
        timebase,
        reservation,
        retired,
    } = s;
    for g in regs.gpr {
        e.u64(g);
    }
    e.u32(regs.cr.0)
        .u64(regs.xer.value())
        .u64(regs.lr)
        .u64(regs.ctr)
        .u64(regs.nip)
        .u64(regs.msr());
    for v in regs.vsr {
        e.u128(v);
    }
    e.u64(regs.fpscr).u32(regs.vscr).u32(regs.vrsave);
    enc_sprs(&regs.sprs, e);
    for (esid, vsid) in slb {
        e.u64(*esid).u64(*vsid);
    }
    let Lpcr { ail, ile, lpes, ld } = *lpcr;
    e.u8(match ail {
        Ail::None => 0,
        Ail::Relocated => 3,
    })
    .bool(ile)
    .bool(lpes)
    .bool(ld);
    let TimebaseState {
        retired: tb_retired,
        clock_ns,
        tb_offset,
        dec_written,
        dec_written_tb,
        dec_deadline,
        purr_base,
        dec_bits,
    } = *timebase;
    e.u64(tb_retired)
        .u64(clock_ns)
        .u64(tb_offset)
        .u64(dec_written)
        .u64(dec_written_tb)
        .u64(dec_deadline)
        .u64(purr_base)
        .u32(dec_bits);
    match reservation {
        Some(Reservation { real, len, bytes }) => {
            e.u8(1).u64(*real).u8(*len).raw(bytes);
        }
        None => {
            e.u8(0);
        }
    }
    e.u64(*retired);
}

/// Reads a [`VcpuState`] (not validated yet).
pub fn decode_state(d: &mut Dec) -> Result<VcpuState, SnapshotError> {
    let mut s = VcpuState::default();
    for g in &mut s.regs.gpr {
        *g = d.u64("GPR")?;
    }
    s.regs.cr = Cr(d.u32("CR")?);
    let mut xer = Xer::default();
    xer.set(d.u64("XER")?);
    s.regs.xer = xer;
    s.regs.lr = d.u64("LR")?;
    s.regs.ctr = d.u64("CTR")?;
    s.regs.nip = d.u64("NIP")?;
    s.set_msr(d.u64("MSR")?);
    for v in &mut s.regs.vsr {
        *v = d.u128("VSR")?;
    }
    s.regs.fpscr = d.u64("FPSCR")?;
    s.regs.vscr = d.u32("VSCR")?;
    s.regs.vrsave = d.u32("VRSAVE")?;
    s.regs.sprs = dec_sprs(d)?;
    for (esid, vsid) in &mut s.slb {
        *esid = d.u64("SLB ESID")?;
        *vsid = d.u64("SLB VSID")?;
    }
    let ail = d.u8("LPCR AIL")?;
    s.lpcr = Lpcr {
        ail: Ail::from_field(u64::from(ail))
            .ok_or_else(|| d.err(format!("LPCR AIL {ail} is not one papr offers")))?,
        ile: d.bool("LPCR ILE")?,
        lpes: d.bool("LPCR LPES")?,
        ld: d.bool("LPCR LD")?,
    };
    s.timebase = TimebaseState {
        retired: d.u64("timebase retired")?,
        clock_ns: d.u64("timebase clock")?,
        tb_offset: d.u64("TB offset")?,
        dec_written: d.u64("DEC written")?,
        dec_written_tb: d.u64("DEC written TB")?,
        dec_deadline: d.u64("DEC deadline")?,
        purr_base: d.u64("PURR base")?,
        dec_bits: d.u32("DEC width")?,
    };
    s.reservation = if d.bool("reservation")? {
        let real = d.u64("reservation address")?;
        let len = d.u8("reservation length")?;
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(d.take(16, "reservation bytes")?);
        Some(Reservation { real, len, bytes })
    } else {
        None
    };
    s.retired = d.u64("retired")?;
    Ok(s)
}

/// Reads the processor state and restores it into `cpu` and `interp` (validated: a value no
/// processor could hold is a section error naming the field, and nothing changes).
pub fn decode(d: &mut Dec, cpu: &mut Cpu, interp: &mut Interpreter) -> Result<(), SnapshotError> {
    let s = decode_state(d)?;
    cpu.restore_state(interp, &s)
        .map_err(|e| d.err(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every field distinct and non-zero survives the bytes.
    #[test]
    fn every_field_round_trips() {
        let mut s = VcpuState::default();
        let mut k = 1u64;
        let mut next = || {
            k = k.wrapping_mul(0x9e37_79b9_7f4a_7c15).wrapping_add(7);
            k
        };
        for g in &mut s.regs.gpr {
            *g = next();
        }
        s.regs.cr = Cr(0x1234_5678);
        s.regs.xer.so = true;
        s.regs.xer.ca32 = true;
        s.regs.xer.other = 0x45;
        s.regs.lr = next();
        s.regs.ctr = next();
        s.regs.nip = 0x1234_5678;
        s.set_msr(0x8000_0000_0000_1033);
        for v in &mut s.regs.vsr {
            *v = u128::from(next()) << 64 | u128::from(next());
        }
        s.regs.fpscr = 0xff;
        s.regs.vscr = 1;
        s.regs.vrsave = 0xdead;
        s.regs.sprs.srr0 = next();
        s.regs.sprs.sprg[3] = next();
        s.regs.sprs.pmu.pmc[5] = 77;
        s.regs.sprs.pmu.sier = next();
        s.regs.sprs.pvr = 0x004e_1202;
        s.slb[31] = (next(), next());
        s.lpcr.ail = Ail::Relocated;
        s.lpcr.ile = true;
        s.timebase.dec_deadline = next();
        s.timebase.dec_bits = 56;
        s.reservation = Some(Reservation {
            real: 0x1000,
            len: 8,
            bytes: [9; 16],
        });
        s.retired = next();
        let mut e = Enc::new();
        encode_state(&s, &mut e);
        let bytes = e.finish();
        let mut d = Dec::new("VCPU", &bytes);
        assert_eq!(decode_state(&mut d).unwrap(), s);
        d.end().unwrap();
        for cut in [0, 1, bytes.len() / 2, bytes.len() - 1] {
            assert!(decode_state(&mut Dec::new("VCPU", &bytes[..cut])).is_err());
        }
    }
}
