//! The device framework: KVM_CREATE_DEVICE, device attributes, mmap, vCPU connection, and the
//! release-by-ownership rule (see the [module docs](super) for the lifecycle).

use std::fmt;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};

use thiserror::Error;

use super::xics::XicsEngine;
use super::xive::{XiveEngine, XiveEq};
use super::{EngineRef, IrqType};
use crate::ledger::{Charge, Kind};
use crate::vcpu::Vcpu;
use crate::vm::{Vm, VmError, VmInner};

/// KVM_DEV_TYPE_XICS.
pub const KVM_DEV_TYPE_XICS: u32 = 3;
/// KVM_DEV_TYPE_XIVE.
pub const KVM_DEV_TYPE_XIVE: u32 = 9;
/// KVM_CAP_IRQ_XICS.
pub const KVM_CAP_IRQ_XICS: u32 = 92;
/// KVM_CAP_PPC_IRQ_XIVE.
pub const KVM_CAP_PPC_IRQ_XIVE: u32 = 169;

/// A device type KVM_CREATE_DEVICE can make here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeviceType {
    /// KVM_DEV_TYPE_XICS (3): XICS, as KVM's XICS-on-XIVE device presents it.
    Xics,
    /// KVM_DEV_TYPE_XIVE (9): XIVE native (exploitation mode).
    XiveNative,
    /// A device type without a release, destroyed when the VM drops (tests of the framework).
    #[cfg(test)]
    TestNoRelease,
}

impl DeviceType {
    /// The type from its KVM number; an unknown type is -ENODEV (here ENXIO's NoDevice).
    pub fn from_kvm(number: u32) -> Result<Self, VmError> {
        match number {
            KVM_DEV_TYPE_XICS => Ok(DeviceType::Xics),
            KVM_DEV_TYPE_XIVE => Ok(DeviceType::XiveNative),
            n => Err(VmError::NoDevice(format!("device type {n}"))),
        }
    }

    /// The KVM number of the type.
    pub fn kvm_number(self) -> u32 {
        match self {
            DeviceType::Xics => KVM_DEV_TYPE_XICS,
            DeviceType::XiveNative => KVM_DEV_TYPE_XIVE,
            #[cfg(test)]
            DeviceType::TestNoRelease => 0x7e57,
        }
    }

    /// Whether the type has a `release` op (then it never gets a `destroy`).
    pub fn has_release(self) -> bool {
        match self {
            DeviceType::Xics | DeviceType::XiveNative => true,
            #[cfg(test)]
            DeviceType::TestNoRelease => false,
        }
    }

    fn is_irqchip(self) -> bool {
        match self {
            DeviceType::Xics | DeviceType::XiveNative => true,
            #[cfg(test)]
            DeviceType::TestNoRelease => false,
        }
    }
}

impl fmt::Display for DeviceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DeviceType::Xics => "XICS",
            DeviceType::XiveNative => "XIVE native",
            #[cfg(test)]
            DeviceType::TestNoRelease => "test device (no release)",
        })
    }
}

/// The capability of a vCPU KVM_ENABLE_CAP that connects it to an interrupt controller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IrqCap {
    /// KVM_CAP_IRQ_XICS (92), with an XICS device.
    Xics,
    /// KVM_CAP_PPC_IRQ_XIVE (169), with a XIVE native device.
    Xive,
}

/// The value of a device attribute (what `kvm_device_attr.addr` points to).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttrValue {
    /// No payload (control attributes such as XIVE CTRL/RESET).
    None,
    /// A u32 (NR_SERVERS).
    U32(u32),
    /// A u64 (sources, source configuration, platform addresses).
    U64(u64),
    /// `struct kvm_ppc_xive_eq` (XIVE EQ_CONFIG).
    Eq(XiveEq),
}

impl AttrValue {
    pub(crate) fn u64(&self, what: &str) -> Result<u64, VmError> {
        match *self {
            AttrValue::U64(v) => Ok(v),
            other => Err(VmError::InvalidArgument(format!(
                "{what} takes a u64, not {other:?}"
            ))),
        }
    }

    pub(crate) fn u32(&self, what: &str) -> Result<u32, VmError> {
        match *self {
            AttrValue::U32(v) => Ok(v),
            other => Err(VmError::InvalidArgument(format!(
                "{what} takes a u32, not {other:?}"
            ))),
        }
    }
}

/// A region of a device that can be mapped (the mmap page offset of the XIVE device fd).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapRegion {
    /// KVM_XIVE_TIMA_PAGE_OFFSET (0): the 4 TIMA pages, only the OS page (2) backed.
    Tima,
    /// KVM_XIVE_ESB_PAGE_OFFSET (4): 2 ESB pages per source (trigger, management).
    Esb,
}

/// Why an MMIO access to a mapping was refused (KVM would deliver SIGBUS, a platform a
/// machine check or all-ones).
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum MmioError {
    /// Width not 1, 2, 4 or 8, misaligned, or outside the mapping.
    #[error("bad {size}-byte access at offset {offset:#x} of the {region:?} mapping")]
    BadAccess {
        /// Region.
        region: MapRegion,
        /// Offset in the mapping.
        offset: u64,
        /// Width in bytes.
        size: u32,
    },
    /// A TIMA page other than the OS page.
    #[error("TIMA page {page} is not backed (only the OS page 2 is)")]
    Unbacked {
        /// The page.
        page: u64,
    },
    /// An ESB page of a source that does not exist.
    #[error("no interrupt source {lisn}")]
    NoSource {
        /// The source number.
        lisn: u64,
    },
    /// The accessing vCPU is not connected to this device.
    #[error("vCPU {vcpu} is not connected to this XIVE device")]
    NotConnected {
        /// The vCPU id.
        vcpu: u32,
    },
}

/// Why an RTAS ibm,set-xive family call failed. KVM answers every failure with -3.
#[derive(Debug, Error, Clone, Copy, PartialEq, Eq)]
pub enum RtasError {
    /// -3: bad interrupt number, bad server or bad priority (or no XICS device).
    #[error("RTAS parameter error")]
    Parameter,
}

impl RtasError {
    /// The RTAS status word.
    pub fn status(self) -> i32 {
        match self {
            RtasError::Parameter => -3,
        }
    }
}

/// The open device: shared by its [`DeviceFd`]s and [`Mapping`]s; dropping the last reference
/// runs the device's release.
#[derive(Debug)]
pub(crate) struct OpenDevice {
    pub vm: Arc<VmInner>,
    pub kind: DeviceType,
    pub instance: u64,
    _charge: Charge,
}

impl Drop for OpenDevice {
    fn drop(&mut self) {
        if self.kind.has_release() {
            release(&self.vm, self.kind, self.instance);
        }
    }
}

/// The device's release: disconnect every presenter, free the per-open state, forget the
/// irqchip, invalidate cached translations.
fn release(vm: &VmInner, kind: DeviceType, instance: u64) {
    match kind {
        DeviceType::Xics => {
            if let Some(e) = vm.irq.xics.get() {
                e.release(vm, instance);
            }
        }
        DeviceType::XiveNative => {
            if let Some(e) = vm.irq.xive.get() {
                e.release(vm, instance);
            }
        }
        #[cfg(test)]
        DeviceType::TestNoRelease => return,
    }
    {
        let mut chip = vm.irq.chip.lock();
        if chip.active == Some((kind, instance)) {
            chip.active = None;
        }
    }
    vm.irq.releases.fetch_add(1, Ordering::AcqRel);
    vm.pate.invalidate();
}

/// A device of a type without release: kept by the VM, destroyed when the VM drops.
#[derive(Debug)]
pub(crate) struct NoReleaseDevice {
    #[cfg_attr(not(test), allow(dead_code))]
    kind: DeviceType,
    _charge: Charge,
}

#[cfg(test)]
pub(crate) static TEST_DESTROYS: std::sync::atomic::AtomicU64 =
    std::sync::atomic::AtomicU64::new(0);

impl Drop for NoReleaseDevice {
    fn drop(&mut self) {
        // The type's destroy op.
        #[cfg(test)]
        if self.kind == DeviceType::TestNoRelease {
            TEST_DESTROYS.fetch_add(1, Ordering::AcqRel);
        }
    }
}

/// A device file descriptor (KVM_CREATE_DEVICE's `fd`). Dropping it closes it; the device is
/// released once every [`Mapping`] of it is gone too.
#[derive(Debug)]
pub struct DeviceFd {
    dev: Arc<OpenDevice>,
}

/// A mapping of a device region (an mmap of the device fd). Keeps the device alive.
#[derive(Debug)]
pub struct Mapping {
    dev: Arc<OpenDevice>,
    region: MapRegion,
}

impl Vm {
    /// KVM_CREATE_DEVICE: makes a device of `kind`.
    ///
    /// Refused with `Exists` (-EEXIST) while an interrupt controller of either type exists in
    /// this VM (one irqchip per VM; a closed device whose mappings are still alive exists).
    pub fn create_device(&self, kind: DeviceType) -> Result<DeviceFd, VmError> {
        let vm = &self.inner;
        let mut chip = vm.irq.chip.lock();
        let instance = chip.next_instance;
        if kind.is_irqchip() {
            if let Some((t, _)) = chip.active {
                return Err(VmError::Exists(format!(
                    "this VM already has an interrupt controller ({t}); one irqchip per VM"
                )));
            }
            match kind {
                DeviceType::Xics => vm
                    .irq
                    .xics
                    .get_or_init(|| Arc::new(XicsEngine::new(&vm.ledger)))
                    .open(instance, &vm.ledger),
                DeviceType::XiveNative => vm
                    .irq
                    .xive
                    .get_or_init(|| Arc::new(XiveEngine::new(&vm.ledger)))
                    .open(instance, &vm.ledger),
                #[cfg(test)]
                DeviceType::TestNoRelease => {}
            }
            chip.active = Some((kind, instance));
        } else {
            chip.without_release.push(NoReleaseDevice {
                kind,
                _charge: vm.ledger.charge(
                    Kind::DeviceState,
                    std::mem::size_of::<NoReleaseDevice>() as u64,
                ),
            });
        }
        chip.next_instance += 1;
        drop(chip);
        Ok(DeviceFd {
            dev: Arc::new(OpenDevice {
                vm: Arc::clone(&self.inner),
                kind,
                instance,
                _charge: vm
                    .ledger
                    .charge(Kind::DeviceState, std::mem::size_of::<OpenDevice>() as u64),
            }),
        })
    }

    /// KVM_CREATE_DEVICE with KVM_CREATE_DEVICE_TEST: whether `type_number` can be created
    /// (no device is made).
    pub fn probe_device(&self, type_number: u32) -> Result<DeviceType, VmError> {
        DeviceType::from_kvm(type_number)
    }

    /// KVM_IRQ_LINE: a device interrupt `irq` at `level` (true: asserted / triggered, false:
    /// deasserted — meaningful for level-sensitive sources only), delivered through the
    /// interrupt controller that exists.
    pub fn irq_line(&self, irq: u32, level: bool) -> Result<(), VmError> {
        let active = self.inner.irq.chip.lock().active;
        match active {
            Some((DeviceType::Xics, inst)) => match self.inner.irq.xics.get() {
                Some(e) => e.irq_line(inst, irq, level),
                None => Err(VmError::NoDevice("no XICS device".into())),
            },
            Some((DeviceType::XiveNative, inst)) => match self.inner.irq.xive.get() {
                Some(e) => e.irq_line(&self.inner, inst, irq, level),
                None => Err(VmError::NoDevice("no XIVE device".into())),
            },
            _ => Err(VmError::NoDevice(
                "the VM has no interrupt controller".into(),
            )),
        }
    }

    fn xics_for_rtas(&self) -> Result<(&XicsEngine, u64), RtasError> {
        let active = self.inner.irq.chip.lock().active;
        match (active, self.inner.irq.xics.get()) {
            (Some((DeviceType::Xics, inst)), Some(e)) => Ok((e, inst)),
            _ => Err(RtasError::Parameter),
        }
    }

    /// RTAS ibm,set-xive (irq, server, priority): sets priority and saved priority.
    pub fn rtas_set_xive(&self, irq: u32, server: u32, priority: u32) -> Result<(), RtasError> {
        let (e, inst) = self.xics_for_rtas()?;
        e.rtas_set_xive(inst, irq, server, priority)
    }

    /// RTAS ibm,get-xive (irq) -> (server, priority).
    pub fn rtas_get_xive(&self, irq: u32) -> Result<(u32, u32), RtasError> {
        let (e, inst) = self.xics_for_rtas()?;
        e.rtas_get_xive(inst, irq)
    }

    /// RTAS ibm,int-off (irq): saved priority := priority, priority := 0xFF.
    pub fn rtas_int_off(&self, irq: u32) -> Result<(), RtasError> {
        let (e, inst) = self.xics_for_rtas()?;
        e.rtas_int_off(inst, irq)
    }

    /// RTAS ibm,int-on (irq): priority := saved priority.
    pub fn rtas_int_on(&self, irq: u32) -> Result<(), RtasError> {
        let (e, inst) = self.xics_for_rtas()?;
        e.rtas_int_on(inst, irq)
    }
}

impl DeviceFd {
    /// The device's type.
    pub fn device_type(&self) -> DeviceType {
        self.dev.kind
    }

    /// Another descriptor of the same open device (dup).
    pub fn try_clone(&self) -> DeviceFd {
        DeviceFd {
            dev: Arc::clone(&self.dev),
        }
    }

    /// Closes the descriptor (the same as dropping it).
    pub fn close(self) {}

    /// KVM_SET_DEVICE_ATTR.
    pub fn set_attr(&self, group: u32, attr: u64, value: &AttrValue) -> Result<(), VmError> {
        let d = &self.dev;
        match d.kind {
            DeviceType::Xics => xics_engine(&d.vm)?.set_attr(d.instance, group, attr, value),
            DeviceType::XiveNative => {
                xive_engine(&d.vm)?.set_attr(&d.vm, d.instance, group, attr, value)
            }
            #[cfg(test)]
            DeviceType::TestNoRelease => Err(VmError::NoDevice("no attributes".into())),
        }
    }

    /// KVM_GET_DEVICE_ATTR.
    pub fn get_attr(&self, group: u32, attr: u64) -> Result<AttrValue, VmError> {
        let d = &self.dev;
        match d.kind {
            DeviceType::Xics => xics_engine(&d.vm)?.get_attr(d.instance, group, attr),
            DeviceType::XiveNative => xive_engine(&d.vm)?.get_attr(d.instance, group, attr),
            #[cfg(test)]
            DeviceType::TestNoRelease => Err(VmError::NoDevice("no attributes".into())),
        }
    }

    /// The numbers of the interrupt sources this device has (created through GRP_SOURCES /
    /// GRP_SOURCE and not gone since), ascending.
    ///
    /// papr's own query, not a KVM ioctl: under KVM the VMM knows which sources it created
    /// and saves exactly those; here the snapshot code asks the device, so that a source the
    /// platform or a test created on the side is never left out of a migration.
    pub fn sources(&self) -> Result<Vec<u32>, VmError> {
        let d = &self.dev;
        match d.kind {
            DeviceType::Xics => xics_engine(&d.vm)?.sources(d.instance),
            DeviceType::XiveNative => xive_engine(&d.vm)?.sources(d.instance),
            #[cfg(test)]
            DeviceType::TestNoRelease => Ok(Vec::new()),
        }
    }

    /// KVM_HAS_DEVICE_ATTR: whether the attribute exists (else KVM answers -ENXIO).
    pub fn has_attr(&self, group: u32, attr: u64) -> bool {
        match self.dev.kind {
            DeviceType::Xics => super::xics::has_attr(group, attr),
            DeviceType::XiveNative => super::xive::has_attr(group, attr),
            #[cfg(test)]
            DeviceType::TestNoRelease => false,
        }
    }

    /// mmap of the device fd: the XIVE TIMA or ESB pages. XICS has no mappable region
    /// (NoDevice, KVM's -ENODEV).
    pub fn mmap(&self, region: MapRegion) -> Result<Mapping, VmError> {
        if self.dev.kind != DeviceType::XiveNative {
            return Err(VmError::NoDevice(format!(
                "the {} device has no mappable region",
                self.dev.kind
            )));
        }
        // The platform is about to place new pages in the guest-physical map.
        self.dev.vm.pate.invalidate();
        Ok(Mapping {
            dev: Arc::clone(&self.dev),
            region,
        })
    }

    pub(crate) fn vm(&self) -> &Arc<VmInner> {
        &self.dev.vm
    }
}

fn xics_engine(vm: &VmInner) -> Result<&XicsEngine, VmError> {
    vm.irq
        .xics
        .get()
        .map(|e| &**e)
        .ok_or_else(|| VmError::NoDevice("XICS slot".into()))
}

fn xive_engine(vm: &VmInner) -> Result<&XiveEngine, VmError> {
    vm.irq
        .xive
        .get()
        .map(|e| &**e)
        .ok_or_else(|| VmError::NoDevice("XIVE slot".into()))
}

impl Mapping {
    /// The mapped region.
    pub fn region(&self) -> MapRegion {
        self.region
    }

    /// Its size in bytes.
    pub fn size(&self) -> u64 {
        match self.region {
            MapRegion::Tima => super::xive::TIMA_SIZE,
            MapRegion::Esb => super::xive::ESB_REGION_SIZE,
        }
    }

    /// A guest load of `size` bytes at `offset` by `vcpu`; a refused access reads all-ones.
    pub fn read(&self, vcpu: &Vcpu, offset: u64, size: u32) -> u64 {
        self.try_read(vcpu, offset, size)
            .unwrap_or_else(|_| ones(size))
    }

    /// A guest store of `size` bytes at `offset` by `vcpu`; a refused access is dropped.
    pub fn write(&self, vcpu: &Vcpu, offset: u64, size: u32, value: u64) {
        // A refused store has no effect, as on a bus that ignores it.
        let _ = self.try_write(vcpu, offset, size, value);
    }

    /// A guest load that says why it was refused.
    pub fn try_read(&self, vcpu: &Vcpu, offset: u64, size: u32) -> Result<u64, MmioError> {
        self.access(vcpu, offset, size, None)
    }

    /// A guest store that says why it was refused.
    pub fn try_write(
        &self,
        vcpu: &Vcpu,
        offset: u64,
        size: u32,
        value: u64,
    ) -> Result<(), MmioError> {
        self.access(vcpu, offset, size, Some(value)).map(|_| ())
    }

    /// A load (`value` = None) or store through this mapping, handed to the XIVE engine.
    fn access(
        &self,
        vcpu: &Vcpu,
        offset: u64,
        size: u32,
        value: Option<u64>,
    ) -> Result<u64, MmioError> {
        let e = xive_engine(&self.dev.vm).map_err(|_| MmioError::BadAccess {
            region: self.region,
            offset,
            size,
        })?;
        let (vm, instance) = (&self.dev.vm, self.dev.instance);
        e.mmio(vm, instance, self.region, vcpu, offset, size, value)
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // The platform takes these pages out of the guest-physical map: no vCPU may keep a
        // translation to them (the release, if this was the last reference, bumps it again).
        self.dev.vm.pate.invalidate();
    }
}

/// All-ones of `size` bytes.
pub(crate) fn ones(size: u32) -> u64 {
    match size {
        1 => 0xFF,
        2 => 0xFFFF,
        4 => 0xFFFF_FFFF,
        _ => u64::MAX,
    }
}

impl Vcpu {
    /// KVM_ENABLE_CAP(KVM_CAP_IRQ_XICS / KVM_CAP_PPC_IRQ_XIVE, device, server): connects this
    /// vCPU's presenter to `device` as interrupt server `server`.
    ///
    /// Errors as KVM: the device is another VM's, or not of the capability's type ->
    /// NotPermitted (-EPERM); the vCPU is already connected -> Busy (-EBUSY); the server is
    /// beyond the device's NR_SERVERS -> InvalidArgument (-EINVAL); another vCPU already uses
    /// the server -> Exists (-EEXIST).
    ///
    /// A released device cannot be named: release runs only once every `DeviceFd` and
    /// `Mapping` of it is gone, so connecting to one does not compile:
    ///
    /// ```compile_fail
    /// use papr_hv::irq::{DeviceType, IrqCap};
    /// let vm = papr_hv::Vm::new(papr_hv::VmConfig::with_ram(1 << 20)).unwrap();
    /// let vcpu = vm.create_vcpu(0).unwrap();
    /// let fd = vm.create_device(DeviceType::Xics).unwrap();
    /// fd.close();
    /// vcpu.enable_cap(IrqCap::Xics, &fd, 0).unwrap(); // error: use of moved value `fd`
    /// ```
    ///
    /// while the same code without the close connects:
    ///
    /// ```
    /// use papr_hv::irq::{DeviceType, IrqCap, IrqType};
    /// let vm = papr_hv::Vm::new(papr_hv::VmConfig::with_ram(1 << 20)).unwrap();
    /// let vcpu = vm.create_vcpu(0).unwrap();
    /// let fd = vm.create_device(DeviceType::Xics).unwrap();
    /// vcpu.enable_cap(IrqCap::Xics, &fd, 0).unwrap();
    /// assert_eq!(vcpu.irq_type(), IrqType::Xics);
    /// ```
    pub fn enable_cap(&self, cap: IrqCap, device: &DeviceFd, server: u32) -> Result<(), VmError> {
        let vm = device.vm();
        if !Arc::ptr_eq(self.partition_entry(), &vm.pate) {
            return Err(VmError::NotPermitted(format!(
                "the device does not belong to vCPU {}'s VM",
                self.id()
            )));
        }
        let d = &device.dev;
        match (cap, d.kind) {
            (IrqCap::Xics, DeviceType::Xics) => {
                let slot = vm
                    .irq
                    .xics
                    .get()
                    .ok_or_else(|| VmError::NoDevice("XICS".into()))?;
                slot.connect(d.instance, self, server, Arc::downgrade(slot))
            }
            (IrqCap::Xive, DeviceType::XiveNative) => {
                let slot = vm
                    .irq
                    .xive
                    .get()
                    .ok_or_else(|| VmError::NoDevice("XIVE".into()))?;
                slot.connect(vm, d.instance, self, server, Arc::downgrade(slot))
            }
            (cap, kind) => Err(VmError::NotPermitted(format!(
                "capability {cap:?} does not connect to a {kind} device"
            ))),
        }
    }

    fn engine(&self) -> Result<(EngineRef, u64, u32), VmError> {
        let c = self.irq.connection().ok_or_else(|| {
            VmError::NoDevice(format!("vCPU {} has no interrupt presenter", self.id()))
        })?;
        Ok((c.engine, c.instance, c.server))
    }

    fn xics_slot(&self) -> Result<(Arc<XicsEngine>, u64, u32), VmError> {
        match self.engine()? {
            (EngineRef::Xics(w), inst, server) => upgrade(&w).map(|e| (e, inst, server)),
            _ => Err(VmError::NoDevice(format!(
                "vCPU {} is not connected to XICS",
                self.id()
            ))),
        }
    }

    fn xive_slot(&self) -> Result<(Arc<XiveEngine>, u64, u32), VmError> {
        match self.engine()? {
            (EngineRef::Xive(w), inst, server) => upgrade(&w).map(|e| (e, inst, server)),
            _ => Err(VmError::NotPermitted(format!(
                "vCPU {} is not connected to XIVE",
                self.id()
            ))),
        }
    }

    /// KVM_GET_ONE_REG(KVM_REG_PPC_ICP_STATE): CPPR (bits 56-63), XISR (32-55), MFRR (24-31),
    /// pending priority (16-23).
    pub fn get_icp_state(&self) -> Result<u64, VmError> {
        let (e, inst, server) = self.xics_slot()?;
        e.get_icp_state(inst, server)
    }

    /// KVM_SET_ONE_REG(KVM_REG_PPC_ICP_STATE), validated as KVM does.
    pub fn set_icp_state(&self, value: u64) -> Result<(), VmError> {
        let (e, inst, server) = self.xics_slot()?;
        e.set_icp_state(inst, server, value)
    }

    /// KVM_GET_ONE_REG(KVM_REG_PPC_VP_STATE): the OS ring word 0-1 (NSR, CPPR, IPB, LSMFB,
    /// ACK#, INC, AGE, PIPR from the most significant byte), then a reserved 0.
    pub fn get_vp_state(&self) -> Result<[u64; 2], VmError> {
        let (e, inst, server) = self.xive_slot()?;
        e.get_vp_state(inst, server)
    }

    /// KVM_SET_ONE_REG(KVM_REG_PPC_VP_STATE): restores CPPR and IPB (PIPR and NSR follow).
    pub fn set_vp_state(&self, value: [u64; 2]) -> Result<(), VmError> {
        let (e, inst, server) = self.xive_slot()?;
        e.set_vp_state(inst, server, value)
    }
}

fn upgrade<T>(w: &Weak<T>) -> Result<Arc<T>, VmError> {
    w.upgrade()
        .ok_or_else(|| VmError::NoDevice("the interrupt controller is gone".into()))
}

/// Checks that `conn` (a vCPU's connection) is to `kind` instance `instance`.
pub(crate) fn connected_to(vcpu: &Vcpu, kind: IrqType, instance: u64) -> Option<u32> {
    vcpu.irq
        .target(kind)
        .and_then(|(inst, server)| (inst == instance).then_some(server))
}
