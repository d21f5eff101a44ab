//! Bit-field helpers in the Power ISA's own numbering.
//!
//! The Power ISA numbers bits from the most significant: in a 64-bit register bit 0 is the MSB
//! and bit 63 the LSB. These helpers take ISA bit numbers so that code can be checked against
//! the book line by line.

/// The mask of IBM bit `n` of a 64-bit value (`ibm_bit(0)` is the MSB).
#[inline]
pub const fn ibm_bit(n: u32) -> u64 {
    1u64 << (63 - n)
}

/// The mask of IBM bits `first..=last` of a 64-bit value.
#[inline]
pub const fn ibm_mask(first: u32, last: u32) -> u64 {
    let width = last - first + 1;
    let ones = if width == 64 {
        u64::MAX
    } else {
        (1u64 << width) - 1
    };
    ones << (63 - last)
}

/// Extracts IBM bits `first..=last` of `value`, right-justified.
#[inline]
pub const fn ibm_field(value: u64, first: u32, last: u32) -> u64 {
    (value & ibm_mask(first, last)) >> (63 - last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bit_numbering_matches_the_book() {
        assert_eq!(ibm_bit(0), 0x8000_0000_0000_0000);
        assert_eq!(ibm_bit(63), 1);
        // H_EXACT is IBM bit 24 (fact sheet 2.3).
        assert_eq!(ibm_bit(24), 0x80_0000_0000);
        assert_eq!(ibm_mask(0, 63), u64::MAX);
        assert_eq!(ibm_mask(62, 63), 3);
        assert_eq!(ibm_field(0xC000_0000_0000_0000, 0, 1), 3);
    }
}
