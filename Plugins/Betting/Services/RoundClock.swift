import HubKernel
import Logging
import ServiceLifecycle

/// Runs every table's rounds: `betting` → `locked` → `settled` → the next round, on the
/// configured durations. It runs under the kernel's ``Leadership`` (one node at a time) and
/// keeps no state of its own: each tick reads the rounds' rows and moves them by
/// compare-and-set, each move in one transaction with its events, so a tick repeated by a
/// second node, by a deposed leader waking late, or after a crash, does nothing twice and
/// never loses an announcement.
///
/// Restarts: the first pass after gaining leadership resumes a round whose phase deadline has
/// not passed, and voids (refunding every bet, in one transaction) a round whose deadline
/// passed while no clock ran — a result drawn late for bets taken long ago would not be fair.
struct RoundClock: Service {
    let rounds: RoundStore
    let announcer: RoundAnnouncer
    let tables: [String]
    let leadership: any Leadership
    let tick: Duration
    let clock: any HubClock
    let logger: Logger

    /// Runs until the hub shuts down (a graceful shutdown ends it between ticks; every step
    /// is one transaction, so stopping anywhere leaves nothing half done).
    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            try await leadership.whileLeader("betting.clock") {
                var recovering = true
                while !Task.isCancelled {
                    do {
                        try await advanceAll(recovering: recovering)
                        recovering = false
                    } catch {
                        // the database may be down: nothing half done (each step is one transaction); try again
                        logger.warning("the round clock could not advance", metadata: ["error": .string(String(describing: error))])
                    }
                    try await Task.sleep(for: tick)
                }
            }
        }
    }

    /// One pass over every table.
    func advanceAll(recovering: Bool = false) async throws {
        for table in tables { try await advance(table, recovering: recovering) }
    }

    /// Moves `table` on as far as the time says: opens, locks, settles, or (recovering) voids.
    func advance(_ table: String, recovering: Bool = false) async throws {
        let now = clock.nowMs()
        guard let round = try await rounds.current(table) else {
            _ = try await rounds.open(table, at: now, then: { try await announcer.phase($0, in: $1) })
            return
        }
        switch round.phase {
        case "betting", "locked":
            if recovering && now >= round.phaseEndsAt {
                logger.notice("voiding a round whose deadline passed while no clock ran",
                              metadata: ["sb.round": .string(round.id), "sb.table": .string(table)])
                if let outcome = try await rounds.void(round.id, at: now, then: { try await announcer.closed($0, in: $1) }) {
                    announcer.count(outcome)
                    await announcer.notify(outcome)
                }
                _ = try await rounds.open(table, at: now, then: { try await announcer.phase($0, in: $1) })
                return
            }
            guard now >= round.phaseEndsAt else { return }
            if round.phase == "betting" {
                if try await rounds.lock(round.id, then: { try await announcer.phase($0, in: $1) }) != nil {
                    try await advance(table)  // a locked phase of 0 ms settles at once
                }
            } else if let outcome = try await rounds.settle(round.id, at: now, then: { try await announcer.closed($0, in: $1) }) {
                announcer.count(outcome)
                await announcer.notify(outcome)
            }
        default:
            // settled or voided: the next round opens when the settled phase has been shown
            guard now >= round.phaseEndsAt else { return }
            _ = try await rounds.open(table, at: now, then: { try await announcer.phase($0, in: $1) })
        }
    }
}
