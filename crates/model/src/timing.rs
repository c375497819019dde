//! How long a Redis of a given `maxmemory` takes to save, load and fully sync its dataset, and
//! the time budgets and replication backlog the sized variants derive from that, the way
//! [`crate::sizing`] derives memory: the redis container's startup-probe budget, the pod's
//! `terminationGracePeriodSeconds` and `repl-backlog-size`.
//!
//! # The rates
//!
//! Measured on this project's CI machine by `benchmarks/redis-save-load-rates.sh` (512 MiB of
//! incompressible 1 KiB values, median of 3 runs; the figures and the machine are in
//! `benchmarks/results/redis-save-load-rates.md`): `SAVE`, the load at start, and a diskless
//! full sync until the replica's link is up, for Redis 7.0.15, Redis 8.2.3 and Valkey 9.1.2.
//! The budgets use the slowest server's rate divided by [`SAFETY_DIVISOR`]: a network volume
//! or a busy node is slower than the CI machine's local disk, and a budget that is too short
//! kills a pod in the middle of the work it is waiting for.
//!
//! # The budgets
//!
//! ```text
//! startup budget   = full sync + load + STARTUP_MARGIN_S
//! grace period     = round_up_10( max(MIN_GRACE_S, 2 x (HANDOVER_S + save + 10), 2 x full sync) )
//! repl-backlog     = round_up_16MiB( DESIGN_WRITE_KIB_PER_S x (save' + POD_AWAY_S + load') )
//!                    where save' and load' are at the measured rates (no safety divisor)
//! ```
//! - A replica's first start (an empty volume) is a full sync followed by the load of the RDB
//!   it received; a restart loads its own RDB and then may need a full sync too. The startup
//!   probe (files/redis_startup.sh) passes while the sync or load progresses; the budget is
//!   what a start may take without the probe seeing progress.
//! - The preStop hook (files/trigger-failover-if-master.sh) waits up to half the grace period
//!   for replicas that are catching up (a full sync), then needs up to [`HANDOVER_S`] for the
//!   hand-over; the other half covers the hand-over and the RDB save at shutdown.
//! - While a replica restarts (its shutdown save, the pod recreated, its load), the master
//!   keeps the writes it misses in the backlog; when they no longer fit, the replica needs a
//!   full sync (Redis's default backlog of 1mb holds four seconds of the design stream). The
//!   backlog uses the measured rates without the safety divisor: a backlog that is too small
//!   costs a full sync, not a killed pod, while every pod holds the backlog's memory all the
//!   time (the memory sizing counts it).

use crate::units::{format_redis_memory, MIB};

/// `SAVE` of an RDB, MiB/s: Redis 8.2.3 measured 52.5 (Redis 7.0.15 55.4, Valkey 9.1.2 88.1).
pub const MEASURED_SAVE_MIB_PER_S: u64 = 52;
/// Load of an RDB at start, MiB/s: Redis 8.2.3 measured 71.4 (Redis 7.0.15 124.5, Valkey 9.1.2
/// 119.0).
pub const MEASURED_LOAD_MIB_PER_S: u64 = 71;
/// Diskless full sync until the replica's link is up, MiB/s: Redis 7.0.15 measured 39.3
/// (Redis 8.2.3 42.3, Valkey 9.1.2 65.3).
pub const MEASURED_FULL_SYNC_MIB_PER_S: u64 = 39;

/// The budgets assume rates this many times slower than measured.
pub const SAFETY_DIVISOR: u64 = 3;

/// Added to the startup budget: the role check at start, the first probe, scheduling noise.
pub const STARTUP_MARGIN_S: u64 = 60;

/// The preStop hook's hand-over once replicas have caught up (its FAILOVER_TIMEOUT).
pub const HANDOVER_S: u64 = 30;

/// The shortest grace period (the public chart's default).
pub const MIN_GRACE_S: u64 = 60;

/// How long a restarting replica's pod is away besides its save and load: deletion,
/// scheduling, volume attach, image and init containers.
pub const POD_AWAY_S: u64 = 30;

/// The replication stream the backlog is sized for, KiB/s: about 2,500 writes of 100 bytes
/// per second. A busier instance should raise `repl-backlog-size` (its replicas then log
/// "Full resync" after a restart).
pub const DESIGN_WRITE_KIB_PER_S: u64 = 256;

/// The smallest backlog this chart sets, and the step it is rounded up to.
pub const MIN_BACKLOG_BYTES: u64 = 16 * MIB;

/// One named figure of a derivation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimingTerm {
    pub name: &'static str,
    /// Seconds (or bytes for the backlog).
    pub value: u64,
    pub reason: String,
}

/// The time budgets of one `maxmemory`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Budgets {
    pub maxmemory: u64,
    /// Seconds to save, load and fully sync the dataset at the budget rates.
    pub save_s: u64,
    pub load_s: u64,
    pub full_sync_s: u64,
    /// Seconds a start may take without visible progress.
    pub startup_budget_s: u64,
    /// `redis.startupProbe.failureThreshold` for the probe's period and initial delay.
    pub startup_failure_threshold: u32,
    pub startup_period_s: u32,
    pub startup_initial_delay_s: u32,
    /// `redis.terminationGracePeriodSeconds`.
    pub termination_grace_s: u64,
    /// `repl-backlog-size` in bytes.
    pub repl_backlog_bytes: u64,
}

/// Seconds for `bytes` at `mib_per_s` divided by [`SAFETY_DIVISOR`], rounded up.
fn seconds(bytes: u64, mib_per_s: u64) -> u64 {
    let rate = u128::from(mib_per_s.max(1)) * u128::from(MIB);
    let scaled = u128::from(bytes) * u128::from(SAFETY_DIVISOR);
    u64::try_from(scaled.div_ceil(rate)).unwrap_or(u64::MAX)
}

/// Seconds a restarting replica is away at the measured rates: its shutdown save, the pod
/// recreated, its load.
fn backlog_away_s(maxmemory: u64) -> u64 {
    let at = |rate: u64| {
        let r = u128::from(rate.max(1)) * u128::from(MIB);
        u64::try_from(u128::from(maxmemory).div_ceil(r)).unwrap_or(u64::MAX)
    };
    at(MEASURED_SAVE_MIB_PER_S)
        .saturating_add(POD_AWAY_S)
        .saturating_add(at(MEASURED_LOAD_MIB_PER_S))
}

/// The budgets for `maxmemory` bytes and a startup probe with `period_s` and
/// `initial_delay_s` (the variant's values).
pub fn budgets(maxmemory: u64, period_s: u32, initial_delay_s: u32) -> Budgets {
    let save_s = seconds(maxmemory, MEASURED_SAVE_MIB_PER_S);
    let load_s = seconds(maxmemory, MEASURED_LOAD_MIB_PER_S);
    let full_sync_s = seconds(maxmemory, MEASURED_FULL_SYNC_MIB_PER_S);
    let startup_budget_s = full_sync_s
        .saturating_add(load_s)
        .saturating_add(STARTUP_MARGIN_S);
    let period = u64::from(period_s.max(1));
    let after_delay = startup_budget_s.saturating_sub(u64::from(initial_delay_s));
    let startup_failure_threshold = u32::try_from(after_delay.div_ceil(period))
        .unwrap_or(u32::MAX)
        .max(5);
    let grace = MIN_GRACE_S
        .max(
            HANDOVER_S
                .saturating_add(save_s)
                .saturating_add(10)
                .saturating_mul(2),
        )
        .max(full_sync_s.saturating_mul(2));
    let termination_grace_s = grace.div_ceil(10).saturating_mul(10);
    let away = backlog_away_s(maxmemory);
    let backlog = DESIGN_WRITE_KIB_PER_S
        .saturating_mul(away)
        .saturating_mul(1024)
        .max(MIN_BACKLOG_BYTES)
        .div_ceil(MIN_BACKLOG_BYTES)
        .saturating_mul(MIN_BACKLOG_BYTES);
    Budgets {
        maxmemory,
        save_s,
        load_s,
        full_sync_s,
        startup_budget_s,
        startup_failure_threshold,
        startup_period_s: period_s.max(1),
        startup_initial_delay_s: initial_delay_s,
        termination_grace_s,
        repl_backlog_bytes: backlog,
    }
}

/// `repl-backlog-size` as the chart writes it (`64mb`).
pub fn repl_backlog_text(b: &Budgets) -> String {
    format_redis_memory(b.repl_backlog_bytes)
}

/// `repl-backlog-size` that the redis-ha chart's redis.conf gets when `redis.config` does not
/// set one (its `maxmemory` is unknown): the pod away ([`POD_AWAY_S`]) at the design write
/// rate, at least [`MIN_BACKLOG_BYTES`]. templates/_config.tpl writes this value; a chartgen
/// test keeps the two equal.
pub fn base_repl_backlog() -> String {
    repl_backlog_text(&budgets(0, 15, 30))
}

/// The derivation, term by term, for `chartgen explain`.
pub fn explain(b: &Budgets) -> String {
    let mut out = String::new();
    let mut line = |s: String| {
        out.push_str(&s);
        out.push('\n');
    };
    let mm = format_redis_memory(b.maxmemory);
    line(format!(
        "Time budgets for maxmemory {mm} (rates measured here / {SAFETY_DIVISOR}: save {} MiB/s, \
         load {} MiB/s, full sync {} MiB/s; benchmarks/redis-save-load-rates.sh)",
        MEASURED_SAVE_MIB_PER_S / SAFETY_DIVISOR.max(1),
        MEASURED_LOAD_MIB_PER_S / SAFETY_DIVISOR.max(1),
        MEASURED_FULL_SYNC_MIB_PER_S / SAFETY_DIVISOR.max(1),
    ));
    let rows: [(&str, String, String); 7] = [
        ("save", format!("{} s", b.save_s), format!("RDB save of {mm} (at shutdown, or for a sync)")),
        ("load", format!("{} s", b.load_s), format!("load of {mm} at start")),
        ("full sync", format!("{} s", b.full_sync_s), "a replica's full sync until its link is up".into()),
        (
            "startup budget",
            format!("{} s", b.startup_budget_s),
            format!("full sync + load + {STARTUP_MARGIN_S} s: what a start may take without visible progress"),
        ),
        (
            "startupProbe",
            format!("{} x {} s", b.startup_failure_threshold, b.startup_period_s),
            format!(
                "failureThreshold = ceil((budget - initialDelaySeconds {}) / periodSeconds), at least 5",
                b.startup_initial_delay_s
            ),
        ),
        (
            "terminationGrace",
            format!("{} s", b.termination_grace_s),
            format!(
                "max({MIN_GRACE_S}, 2 x (hand-over {HANDOVER_S} s + save + 10 s), 2 x full sync), \
                 rounded up to 10 s: preStop waits up to half of it for replicas that catch up"
            ),
        ),
        (
            "repl-backlog-size",
            repl_backlog_text(b),
            format!(
                "{DESIGN_WRITE_KIB_PER_S} KiB/s x (save + {POD_AWAY_S} s away + load at the measured \
                 rates = {} s), rounded up to {}: a restarting replica resyncs partially",
                backlog_away_s(b.maxmemory),
                format_redis_memory(MIN_BACKLOG_BYTES)
            ),
        ),
    ];
    for (name, value, reason) in rows {
        line(format!("  {name:<20}{value:>10}  {reason}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::GIB;

    #[test]
    fn budgets_grow_with_the_dataset() {
        let small = budgets(512 * MIB, 15, 30);
        let big = budgets(16 * GIB, 15, 30);
        assert!(big.save_s > small.save_s);
        assert!(big.termination_grace_s >= small.termination_grace_s);
        assert!(big.startup_failure_threshold >= small.startup_failure_threshold);
        assert!(big.repl_backlog_bytes >= small.repl_backlog_bytes);
        assert!(small.termination_grace_s >= MIN_GRACE_S);
        assert!(small.repl_backlog_bytes >= MIN_BACKLOG_BYTES);
        assert_eq!(small.repl_backlog_bytes % MIN_BACKLOG_BYTES, 0);
    }

    #[test]
    fn the_probe_covers_the_budget() {
        for mm in [512 * MIB, GIB, 16 * GIB] {
            let b = budgets(mm, 15, 30);
            let covered = 30 + u64::from(b.startup_failure_threshold) * 15;
            assert!(covered >= b.startup_budget_s, "{b:?}");
        }
    }

    #[test]
    fn the_grace_period_covers_the_hook_and_the_save() {
        for mm in [512 * MIB, 4 * GIB, 16 * GIB] {
            let b = budgets(mm, 15, 30);
            // The hook waits up to half, then hands over; the shutdown save follows.
            assert!(b.termination_grace_s / 2 >= HANDOVER_S + b.save_s, "{b:?}");
            assert!(b.termination_grace_s / 2 >= b.full_sync_s, "{b:?}");
        }
    }

    #[test]
    fn absurd_sizes_do_not_panic() {
        let b = budgets(u64::MAX, 0, u32::MAX);
        assert!(b.startup_failure_threshold >= 5);
    }
}
