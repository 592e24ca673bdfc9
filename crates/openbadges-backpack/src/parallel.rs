//! Independent CPU-bound work spread over a few threads, answers kept in input order.

use std::sync::atomic::{AtomicUsize, Ordering};

/// As many threads as the machine has cores (1 when that cannot be told).
pub(crate) fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}

/// `work` applied to every item on up to `threads` threads while `meanwhile` runs on the
/// calling thread; answers in the items' order, each computed once. Each thread takes the next
/// item not yet taken, so a slow item never leaves a thread idle while others remain; the
/// calling thread takes items too once `meanwhile` has returned, so a short `meanwhile` leaves
/// no core idle and a long one (a commit) can be given much work to hide. On one thread (or for
/// one item): `meanwhile` first, then each item in turn on the calling thread. The items a
/// thread that panicked had answered, or was working on, are worked again on the calling
/// thread (a panic is a bug, not an answer; one that happens again there is the caller's).
pub(crate) fn map_in_order<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    work: impl Fn(&T) -> R + Sync,
    meanwhile: &mut dyn FnMut(),
) -> Vec<R> {
    let threads = threads.min(items.len());
    if threads <= 1 {
        meanwhile();
        return items.iter().map(&work).collect();
    }
    let next = AtomicUsize::new(0);
    let take_items = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else { break };
            done.push((i, work(item)));
        }
        done
    };
    let done: Vec<Vec<(usize, R)>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads).map(|_| s.spawn(take_items)).collect();
        meanwhile();
        // As a thread's: what this thread answered is lost if an item panics here.
        let mine =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(take_items)).unwrap_or_default();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .chain(std::iter::once(mine))
            .collect()
    });
    let mut out: Vec<Option<R>> = items.iter().map(|_| None).collect();
    for (i, answer) in done.into_iter().flatten() {
        if let Some(slot) = out.get_mut(i) {
            *slot = Some(answer);
        }
    }
    out.into_iter()
        .zip(items)
        .map(|(done, item)| done.unwrap_or_else(|| work(item)))
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn answers_come_back_in_input_order_on_any_number_of_threads() {
        let items: Vec<u64> = (0..200).collect();
        for threads in [0, 1, 2, 3, 8, 500] {
            let mut ran = false;
            let out = map_in_order(
                &items,
                threads,
                |i| {
                    // Early items are the slowest: later ones finish first.
                    std::thread::sleep(std::time::Duration::from_micros((200 - i) % 7 * 50));
                    i * 2
                },
                &mut || ran = true,
            );
            let expected: Vec<u64> = items.iter().map(|i| i * 2).collect();
            assert_eq!(out, expected, "{threads} threads");
            assert!(ran, "{threads} threads: meanwhile did not run");
        }
    }

    #[test]
    fn the_calling_thread_takes_items_once_meanwhile_is_done() {
        // Each item waits (up to 5 s) until three are being worked on at once: only the two
        // threads plus the calling thread can get there.
        let in_flight = std::sync::Mutex::new(0usize);
        let more = std::sync::Condvar::new();
        let items = [0, 1, 2];
        let out = map_in_order(
            &items,
            2,
            |_| {
                let mut n = in_flight.lock().unwrap();
                *n += 1;
                more.notify_all();
                let (n, _) = more
                    .wait_timeout_while(n, std::time::Duration::from_secs(5), |n| *n < 3)
                    .unwrap();
                *n >= 3
            },
            &mut || {},
        );
        assert_eq!(out, [true, true, true]);
    }

    #[test]
    fn what_a_panicked_thread_lost_is_worked_again_on_the_calling_thread() {
        // Item 7 panics the first time only (a thread dies with it); every item still answers,
        // in place.
        let items: Vec<u32> = (0..50).collect();
        let panicked = std::sync::atomic::AtomicBool::new(false);
        let out = map_in_order(
            &items,
            2,
            |i| {
                if *i == 7 && !panicked.swap(true, Ordering::SeqCst) {
                    panic!("boom");
                }
                *i
            },
            &mut || {},
        );
        assert!(panicked.load(Ordering::SeqCst));
        assert_eq!(out, items);
    }
}
