//! The wasm heap: talc, growing the linear memory in proportion to its size.
//!
//! talc's own wasm handler grows the memory by just enough for the allocation that did not
//! fit, one 64 KiB page at a time in practice. Each `memory.grow` makes the engine replace
//! the memory's `ArrayBuffer` (and V8 accounts for it with a garbage collection whose cost
//! follows the heap), so a heap built up page by page costs time quadratic in its size:
//! 100,000 requests in flight at once took 4× longer per request than 25,000. Growing by an
//! eighth of the memory (at least what the allocation needs) makes that a logarithmic
//! number of grows, and leaves at most an eighth of the memory unused.

#[cfg(target_arch = "wasm32")]
use talc::{OomHandler, Span, Talc};

/// Bytes in a wasm page.
const PAGE: usize = 64 * 1024;

#[cfg(target_arch = "wasm32")]
/// talc's out-of-memory handler for the wasm linear memory, growing it geometrically.
pub(crate) struct Growing {
    /// The span talc manages, extended in place while the memory grows contiguously.
    heap: Span,
}

#[cfg(target_arch = "wasm32")]
impl Growing {
    /// A handler that has claimed nothing yet.
    pub(crate) const fn new() -> Growing {
        Growing {
            heap: Span::empty(),
        }
    }
}

// Used by the wasm handler only; native builds test it.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
/// How many pages to grow for an allocation of `required` bytes when the memory has
/// `current` pages: an eighth of the memory, at least the allocation, at least one page.
pub(crate) fn pages_to_grow(current: usize, required: usize) -> usize {
    required.div_ceil(PAGE).max(current / 8).max(1)
}

#[cfg(target_arch = "wasm32")]
impl OomHandler for Growing {
    fn handle_oom(talc: &mut Talc<Self>, layout: core::alloc::Layout) -> Result<(), ()> {
        // As talc's handler: room for the allocation plus talc's tag, aligned.
        let required = (layout.size() + 8).max(layout.align() * 2);
        let mut delta = pages_to_grow(core::arch::wasm32::memory_size::<0>(), required);
        // An engine may refuse a large step and still grant a smaller one: halve until it
        // grants, and let talc call again if that was not enough.
        let prev = loop {
            if delta == 0 {
                return Err(());
            }
            let prev = core::arch::wasm32::memory_grow::<0>(delta);
            if prev != usize::MAX {
                break prev;
            }
            delta >>= 1;
        };
        let base = (prev * PAGE) as *mut u8;
        let acme = base.wrapping_add(delta * PAGE);
        if let Some((old_base, old_acme)) = talc.oom_handler.heap.get_base_acme() {
            if old_acme == base {
                // SAFETY: the new pages directly follow the span talc manages, and only
                // this allocator uses the memory (single-threaded wasm32).
                #[allow(unsafe_code)]
                let heap = unsafe { talc.extend(talc.oom_handler.heap, Span::new(old_base, acme)) };
                talc.oom_handler.heap = heap;
                return Ok(());
            }
        }
        // SAFETY: fresh pages nobody else uses; at least one page is room for talc's
        // metadata, so claiming cannot fail for lack of space.
        #[allow(unsafe_code)]
        let heap = unsafe { talc.claim(Span::new(base, acme)) }?;
        talc.oom_handler.heap = heap;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a heap of `total` bytes from allocations of `each` bytes, starting from
    /// `start` pages, as the handler grows it; returns (grows, pages at the end).
    fn build_up(start: usize, total: usize, each: usize) -> (usize, usize) {
        let (mut pages, mut free, mut grows) = (start, 0usize, 0usize);
        for _ in 0..total / each {
            while free < each {
                let delta = pages_to_grow(pages, each);
                pages += delta;
                free += delta * PAGE;
                grows += 1;
            }
            free -= each;
        }
        (grows, pages)
    }

    #[test]
    fn grows_a_logarithmic_number_of_times() {
        // 100,000 requests of ~1.5 KB from a 1 MB stack + small heap (17 pages).
        let (grows, pages) = build_up(17, 100_000 * 1536, 1536);
        // Page by page this was 2,344 grows; an eighth at a time it is ~43.
        assert!(grows <= 50, "{grows} grows");
        let needed = (100_000 * 1536usize).div_ceil(PAGE) + 17;
        assert!(
            pages <= needed + needed / 8 + 1,
            "{pages} pages for {needed}"
        );
        // Ten times the heap costs about twenty more grows, not ten times as many.
        let (grows_10x, _) = build_up(17, 1_000_000 * 1536, 1536);
        assert!(grows_10x <= grows + 25, "{grows_10x} vs {grows}");
    }

    #[test]
    fn a_large_allocation_gets_at_least_its_size() {
        assert_eq!(pages_to_grow(16, 10 * PAGE + 1), 11);
        assert_eq!(pages_to_grow(0, 1), 1);
        assert_eq!(pages_to_grow(800, 8), 100);
    }
}
