//! The device tree as a mutable model: what the Open Firmware client interface navigates and
//! edits at boot (finddevice, getprop, nextprop, setprop, peer, child, parent, package-to-path),
//! and what becomes a flattened tree (FDT, via `vm-fdt`) when one is needed.
//!
//! Open Firmware semantics (IEEE 1275 and QEMU's VOF, linux-pseries-boot.md 2.2): nodes are
//! known to the client by *phandles*; `peer(0)` is the root; path components match a node's
//! name, with the unit address after `@` compared as hexadecimal, case-insensitively; a node
//! without a `name` property still answers one, made from its node name without the unit
//! address. Property order is kept (the kernel's flattening walks it with nextprop).

use std::fmt::Write as _;

use thiserror::Error;

use crate::snapshot::codec::{Dec, Enc};
use crate::snapshot::SnapshotError;

/// A node's identity for Open Firmware clients. Never 0 (0 means "none" in OF).
pub type Phandle = u32;

/// Device-tree errors.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum DevTreeError {
    /// No such phandle.
    #[error("no node has phandle {0:#x}")]
    NoNode(Phandle),
    /// A malformed node name or path.
    #[error("bad device-tree name {0:?}")]
    BadName(String),
    /// The flattening library refused the tree.
    #[error("cannot flatten the device tree: {0}")]
    Flatten(String),
}

#[derive(Debug, Clone)]
struct Node {
    name: String,
    parent: Option<usize>,
    children: Vec<usize>,
    props: Vec<(String, Vec<u8>)>,
    phandle: Phandle,
}

/// A device tree.
#[derive(Debug, Clone)]
pub struct DeviceTree {
    nodes: Vec<Node>,
    next_phandle: Phandle,
}

/// The first phandle handed out (QEMU's root has 0x1112; clients must not rely on values).
const FIRST_PHANDLE: Phandle = 0x1000;

impl Default for DeviceTree {
    fn default() -> Self {
        Self::new()
    }
}

impl DeviceTree {
    /// A tree with only the root node.
    pub fn new() -> Self {
        DeviceTree {
            nodes: vec![Node {
                name: String::new(),
                parent: None,
                children: Vec::new(),
                props: Vec::new(),
                phandle: FIRST_PHANDLE,
            }],
            next_phandle: FIRST_PHANDLE + 1,
        }
    }

    /// Writes the tree into a snapshot payload: the node count, then per node its name, its
    /// parent's index (0 = none, else index + 1) and its properties in order. Phandles and
    /// child lists follow from the node order, as [`DeviceTree::add_node`] builds them.
    pub fn encode(&self, e: &mut Enc) {
        e.u64(self.nodes.len() as u64);
        for n in &self.nodes {
            e.str(&n.name);
            e.u64(n.parent.map_or(0, |p| p as u64 + 1));
            e.u64(n.props.len() as u64);
            for (k, v) in &n.props {
                e.str(k).bytes(v);
            }
        }
    }

    /// Reads a tree [`DeviceTree::encode`] wrote, checking its shape: node 0 is the root
    /// (no name, no parent), every other node has a name without `/` and a parent created
    /// before it.
    pub fn decode(d: &mut Dec) -> Result<Self, SnapshotError> {
        let count = d.count("device-tree node count", 17)?;
        if count == 0 {
            return Err(d.err("the device tree has no root node"));
        }
        let mut nodes: Vec<Node> = Vec::with_capacity(count);
        for i in 0..count {
            let name = d.str("node name")?.to_owned();
            let parent = d.u64("node parent")?;
            let parent = match (i, parent) {
                (0, 0) => None,
                (0, _) => return Err(d.err("the device-tree root has a parent")),
                (_, 0) => None,
                (_, p) => match usize::try_from(p - 1).ok().filter(|&p| p < i) {
                    Some(p) => Some(p),
                    None => {
                        return Err(d.err(format!(
                            "device-tree node {i} names parent {} (not an earlier node)",
                            p - 1
                        )))
                    }
                },
            };
            if (i == 0) != name.is_empty() || name.contains('/') {
                return Err(d.err(format!("device-tree node {i} has the name {name:?}")));
            }
            let nprops = d.count("property count", 16)?;
            let mut props = Vec::with_capacity(nprops);
            for _ in 0..nprops {
                let k = d.str("property name")?.to_owned();
                let v = d.bytes("property value")?.to_vec();
                props.push((k, v));
            }
            let phandle = FIRST_PHANDLE
                + Phandle::try_from(i).map_err(|_| d.err("too many device-tree nodes"))?;
            if let Some(p) = parent {
                nodes[p].children.push(i);
            }
            nodes.push(Node {
                name,
                parent,
                children: Vec::new(),
                props,
                phandle,
            });
        }
        let next_phandle = FIRST_PHANDLE
            + Phandle::try_from(count).map_err(|_| d.err("too many device-tree nodes"))?;
        Ok(DeviceTree {
            nodes,
            next_phandle,
        })
    }

    /// The root's phandle.
    pub fn root(&self) -> Phandle {
        self.nodes[0].phandle
    }

    fn index(&self, ph: Phandle) -> Result<usize, DevTreeError> {
        // Phandles are handed out densely from FIRST_PHANDLE, in node order.
        ph.checked_sub(FIRST_PHANDLE)
            .and_then(|i| usize::try_from(i).ok())
            .filter(|&i| i < self.nodes.len())
            .ok_or(DevTreeError::NoNode(ph))
    }

    /// Adds a child node `name` (e.g. `"vty@71000000"`) under `parent`; returns its phandle.
    pub fn add_node(&mut self, parent: Phandle, name: &str) -> Result<Phandle, DevTreeError> {
        if name.is_empty() || name.contains('/') {
            return Err(DevTreeError::BadName(name.to_owned()));
        }
        let p = self.index(parent)?;
        let ph = self.next_phandle;
        self.next_phandle += 1;
        let i = self.nodes.len();
        self.nodes.push(Node {
            name: name.to_owned(),
            parent: Some(p),
            children: Vec::new(),
            props: Vec::new(),
            phandle: ph,
        });
        self.nodes[p].children.push(i);
        Ok(ph)
    }

    /// Sets (adds or replaces, keeping its position) property `name` of `node`.
    pub fn set_prop(
        &mut self,
        node: Phandle,
        name: &str,
        value: impl Into<Vec<u8>>,
    ) -> Result<(), DevTreeError> {
        let i = self.index(node)?;
        let value = value.into();
        let props = &mut self.nodes[i].props;
        match props.iter_mut().find(|(n, _)| n == name) {
            Some((_, v)) => *v = value,
            None => props.push((name.to_owned(), value)),
        }
        Ok(())
    }

    /// Sets a property of big-endian 32-bit cells.
    pub fn set_cells(
        &mut self,
        node: Phandle,
        name: &str,
        cells: &[u32],
    ) -> Result<(), DevTreeError> {
        let bytes: Vec<u8> = cells.iter().flat_map(|c| c.to_be_bytes()).collect();
        self.set_prop(node, name, bytes)
    }

    /// Sets a property of one big-endian 32-bit cell.
    pub fn set_u32(&mut self, node: Phandle, name: &str, value: u32) -> Result<(), DevTreeError> {
        self.set_cells(node, name, &[value])
    }

    /// Sets a property of one 64-bit value as two cells.
    pub fn set_u64(&mut self, node: Phandle, name: &str, value: u64) -> Result<(), DevTreeError> {
        self.set_prop(node, name, value.to_be_bytes().to_vec())
    }

    /// Sets a NUL-terminated string property.
    pub fn set_str(&mut self, node: Phandle, name: &str, value: &str) -> Result<(), DevTreeError> {
        let mut b = value.as_bytes().to_vec();
        b.push(0);
        self.set_prop(node, name, b)
    }

    /// Sets a string-list property (each string NUL-terminated).
    pub fn set_strs(
        &mut self,
        node: Phandle,
        name: &str,
        values: &[&str],
    ) -> Result<(), DevTreeError> {
        let mut b = Vec::new();
        for v in values {
            b.extend_from_slice(v.as_bytes());
            b.push(0);
        }
        self.set_prop(node, name, b)
    }

    /// Sets an empty (boolean) property.
    pub fn set_flag(&mut self, node: Phandle, name: &str) -> Result<(), DevTreeError> {
        self.set_prop(node, name, Vec::new())
    }

    /// Removes a property; returns whether it existed.
    pub fn remove_prop(&mut self, node: Phandle, name: &str) -> Result<bool, DevTreeError> {
        let i = self.index(node)?;
        let before = self.nodes[i].props.len();
        self.nodes[i].props.retain(|(n, _)| n != name);
        Ok(self.nodes[i].props.len() != before)
    }

    /// Removes `node` and its subtree from the tree (its phandles stay unused).
    pub fn remove_node(&mut self, node: Phandle) -> Result<(), DevTreeError> {
        let i = self.index(node)?;
        let parent = self.nodes[i]
            .parent
            .ok_or(DevTreeError::BadName("/".into()))?;
        self.nodes[parent].children.retain(|&c| c != i);
        self.nodes[i].parent = None;
        Ok(())
    }

    /// A property's value, as OF `getprop` sees it: stored properties first, then the `name`
    /// OF invents from the node name (without its unit address).
    pub fn prop(&self, node: Phandle, name: &str) -> Option<Vec<u8>> {
        let n = &self.nodes[self.index(node).ok()?];
        if !self.is_attached(self.index(node).ok()?) {
            return None;
        }
        if let Some((_, v)) = n.props.iter().find(|(k, _)| k == name) {
            return Some(v.clone());
        }
        (name == "name").then(|| {
            let base = n.name.split('@').next().unwrap_or("");
            let mut b = base.as_bytes().to_vec();
            b.push(0);
            b
        })
    }

    /// The property after `prev` (`""` for the first), as OF `nextprop`: `None` after the last.
    pub fn next_prop(&self, node: Phandle, prev: &str) -> Option<String> {
        let n = &self.nodes[self.index(node).ok()?];
        let pos = if prev.is_empty() {
            0
        } else {
            n.props.iter().position(|(k, _)| k == prev)? + 1
        };
        n.props.get(pos).map(|(k, _)| k.clone())
    }

    fn is_attached(&self, mut i: usize) -> bool {
        while let Some(p) = self.nodes[i].parent {
            i = p;
        }
        i == 0
    }

    /// OF `child`: the first child, or 0.
    pub fn child(&self, node: Phandle) -> Phandle {
        self.index(node)
            .ok()
            .and_then(|i| self.nodes[i].children.first())
            .map_or(0, |&c| self.nodes[c].phandle)
    }

    /// OF `peer`: the next sibling, or 0; `peer(0)` is the root.
    pub fn peer(&self, node: Phandle) -> Phandle {
        if node == 0 {
            return self.root();
        }
        let Ok(i) = self.index(node) else { return 0 };
        let Some(p) = self.nodes[i].parent else {
            return 0;
        };
        let sibs = &self.nodes[p].children;
        sibs.iter()
            .position(|&c| c == i)
            .and_then(|k| sibs.get(k + 1))
            .map_or(0, |&c| self.nodes[c].phandle)
    }

    /// OF `parent`: the parent, or 0 for the root.
    pub fn parent(&self, node: Phandle) -> Phandle {
        self.index(node)
            .ok()
            .and_then(|i| self.nodes[i].parent)
            .map_or(0, |p| self.nodes[p].phandle)
    }

    /// The node's name with its unit address (empty for the root).
    pub fn node_name(&self, node: Phandle) -> Option<&str> {
        Some(&self.nodes[self.index(node).ok()?].name)
    }

    /// The full path of a node (`/` for the root).
    pub fn path(&self, node: Phandle) -> Option<String> {
        let mut i = self.index(node).ok()?;
        if !self.is_attached(i) {
            return None;
        }
        let mut parts = Vec::new();
        while let Some(p) = self.nodes[i].parent {
            parts.push(self.nodes[i].name.as_str());
            i = p;
        }
        if parts.is_empty() {
            return Some("/".into());
        }
        let mut s = String::new();
        for part in parts.iter().rev() {
            let _ = write!(s, "/{part}");
        }
        Some(s)
    }

    /// OF `finddevice`: the node at `path`, or `None`. A component without a unit address
    /// matches a node of that name with or without one (the first); with one, the addresses
    /// must match as hexadecimal numbers.
    pub fn find(&self, path: &str) -> Option<Phandle> {
        let rest = path.strip_prefix('/')?;
        let mut i = 0usize;
        for comp in rest.split('/').filter(|c| !c.is_empty()) {
            i = *self.nodes[i]
                .children
                .iter()
                .find(|&&c| component_matches(&self.nodes[c].name, comp))?;
        }
        Some(self.nodes[i].phandle)
    }

    /// Flattens the tree (FDT v17) with the given memory reservations (address, size).
    pub fn to_fdt(&self, reserve: &[(u64, u64)]) -> Result<Vec<u8>, DevTreeError> {
        let err = |e: vm_fdt::Error| DevTreeError::Flatten(e.to_string());
        let entries: Vec<vm_fdt::FdtReserveEntry> = reserve
            .iter()
            .map(|&(a, s)| vm_fdt::FdtReserveEntry::new(a, s))
            .collect::<Result<_, _>>()
            .map_err(err)?;
        let mut w = vm_fdt::FdtWriter::new_with_mem_reserv(&entries).map_err(err)?;
        self.write_node(&mut w, 0).map_err(err)?;
        w.finish().map_err(err)
    }

    fn write_node(&self, w: &mut vm_fdt::FdtWriter, i: usize) -> Result<(), vm_fdt::Error> {
        let n = &self.nodes[i];
        let token = w.begin_node(&n.name)?;
        for (k, v) in &n.props {
            w.property(k, v)?;
        }
        if !n.props.iter().any(|(k, _)| k == "phandle") {
            w.property_u32("phandle", n.phandle)?;
        }
        for &c in &n.children {
            self.write_node(w, c)?;
        }
        w.end_node(token)
    }
}

fn component_matches(node: &str, comp: &str) -> bool {
    let (n_name, n_unit) = split_unit(node);
    let (c_name, c_unit) = split_unit(comp);
    if n_name != c_name {
        return false;
    }
    match (c_unit, n_unit) {
        (None, _) => true,
        (Some(c), Some(n)) => match (u64::from_str_radix(c, 16), u64::from_str_radix(n, 16)) {
            (Ok(a), Ok(b)) => a == b,
            _ => c.eq_ignore_ascii_case(n),
        },
        (Some(_), None) => false,
    }
}

fn split_unit(s: &str) -> (&str, Option<&str>) {
    match s.split_once('@') {
        Some((a, b)) => (a, Some(b)),
        None => (s, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> (DeviceTree, Phandle, Phandle, Phandle) {
        let mut t = DeviceTree::new();
        let root = t.root();
        let chosen = t.add_node(root, "chosen").unwrap();
        let vdev = t.add_node(root, "vdevice").unwrap();
        let vty = t.add_node(vdev, "vty@71000000").unwrap();
        t.set_str(chosen, "bootargs", "console=hvc0").unwrap();
        t.set_u32(vty, "reg", 0x7100_0000).unwrap();
        t.set_strs(vty, "compatible", &["hvterm1"]).unwrap();
        (t, chosen, vdev, vty)
    }

    #[test]
    fn open_firmware_navigation() {
        let (t, chosen, vdev, vty) = sample();
        let root = t.root();
        assert_eq!(t.peer(0), root);
        assert_eq!(t.child(root), chosen);
        assert_eq!(t.peer(chosen), vdev);
        assert_eq!(t.peer(vdev), 0);
        assert_eq!(t.parent(vty), vdev);
        assert_eq!(t.parent(root), 0);
        assert_eq!(t.find("/vdevice/vty@71000000"), Some(vty));
        assert_eq!(
            t.find("/vdevice/VTY@71000000"),
            None,
            "names are case-sensitive"
        );
        assert_eq!(
            t.find("/vdevice/vty@71000000".to_uppercase().as_str()),
            None
        );
        assert_eq!(t.find("/vdevice/vty@7100000A"), None);
        assert_eq!(
            t.find("/vdevice/vty"),
            Some(vty),
            "no unit address: first by name"
        );
        assert_eq!(
            t.find("/vdevice/vty@0071000000"),
            Some(vty),
            "unit addresses compare as numbers"
        );
        assert_eq!(t.find("/vdevice/vty@1"), None);
        assert_eq!(t.find("/"), Some(root));
        assert_eq!(t.find("nope"), None);
        assert_eq!(t.path(vty).as_deref(), Some("/vdevice/vty@71000000"));
        assert_eq!(t.path(root).as_deref(), Some("/"));
    }

    #[test]
    fn properties_keep_their_order_and_name_is_invented() {
        let (mut t, chosen, _, vty) = sample();
        assert_eq!(t.prop(vty, "name").unwrap(), b"vty\0");
        assert_eq!(t.next_prop(vty, ""), Some("reg".into()));
        assert_eq!(t.next_prop(vty, "reg"), Some("compatible".into()));
        assert_eq!(t.next_prop(vty, "compatible"), None);
        assert_eq!(t.next_prop(vty, "missing"), None);
        // setprop replaces in place: prom_init reads back what it set.
        t.set_u64(chosen, "linux,initrd-start", 0x2c9_0000).unwrap();
        t.set_str(chosen, "bootargs", "quiet").unwrap();
        assert_eq!(t.prop(chosen, "bootargs").unwrap(), b"quiet\0");
        assert_eq!(t.next_prop(chosen, ""), Some("bootargs".into()));
        assert_eq!(
            t.prop(chosen, "linux,initrd-start").unwrap(),
            0x2c9_0000u64.to_be_bytes()
        );
        assert!(t.remove_prop(chosen, "bootargs").unwrap());
        assert_eq!(t.prop(chosen, "bootargs"), None);
        assert_eq!(t.prop(0xdead, "x"), None);
    }

    #[test]
    fn removed_subtrees_are_gone_but_phandles_of_others_stay() {
        let (mut t, chosen, vdev, vty) = sample();
        t.remove_node(vdev).unwrap();
        assert_eq!(t.find("/vdevice"), None);
        assert_eq!(t.prop(vty, "reg"), None);
        assert_eq!(t.peer(chosen), 0);
        let ic = t.add_node(t.root(), "interrupt-controller").unwrap();
        assert_ne!(ic, vdev);
        assert_eq!(t.find("/interrupt-controller"), Some(ic));
        assert!(t.remove_node(t.root()).is_err());
    }

    #[test]
    fn flattens_to_a_valid_fdt() {
        let (t, ..) = sample();
        let fdt = t.to_fdt(&[(0x2c9_0000, 0x13_0000)]).unwrap();
        assert_eq!(&fdt[0..4], &[0xd0, 0x0d, 0xfe, 0xed]);
        let totalsize = u32::from_be_bytes(fdt[4..8].try_into().unwrap());
        assert_eq!(totalsize as usize, fdt.len());
    }
}
