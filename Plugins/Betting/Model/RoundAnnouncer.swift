import HubKernel
import Logging

/// Tells the table and the players what a round did: events in the transaction that did it
/// (delivered after its commit, never for a rolled-back one), then notifications through the
/// `Notifier` capability when the notifications module is there. Betting keeps working without
/// it; the metric `notifications_unsent_total` says when a notification could not be sent.
struct RoundAnnouncer: Sendable {
    let events: EventPublisher<BettingModule>
    let notifier: Capability<any Notifier>
    let logger: Logger
    let metrics: ModuleMetrics

    /// The round's new phase, to its table.
    func phase(_ round: RoundStore.Round, in transaction: Transaction) async throws {
        try await events.publish(RoundChanged(round: round.view), on: BettingTopics.table(round.table), in: transaction)
    }

    /// A settled or voided round: the table hears the round (and the result), each player their bets.
    func closed(_ outcome: RoundStore.Outcome, in transaction: Transaction) async throws {
        let round = outcome.round
        try await events.publish(RoundChanged(round: round.view), on: BettingTopics.table(round.table), in: transaction)
        if let result = round.result {
            try await events.publish(RoundResult(roundId: round.id, result: result, serverSeed: round.serverSeed),
                                     on: BettingTopics.table(round.table), in: transaction)
        }
        for (userID, bets) in outcome.bets {
            try await events.publish(BetsSettled(roundId: round.id, bets: bets, balance: outcome.balances[userID] ?? .zero),
                                     toUser: userID, in: transaction)
        }
    }

    /// Counts what a closed round moved, in minor units, per table.
    func count(_ outcome: RoundStore.Outcome) {
        let table = [("table", outcome.round.table)]
        if outcome.round.phase == "voided" { metrics.increment("rounds_voided_total", help: "Rounds voided and refunded", labels: table) }
        for bets in outcome.bets.values {
            for bet in bets {
                metrics.increment("bets_settled_total", help: "Bets settled", labels: table + [("status", bet.status)])
                metrics.increment("payouts_minor_units_total", by: bet.payout?.minorUnits ?? 0, help: "Money credited by settled bets, in cents",
                                  labels: table + [("status", bet.status)])
            }
        }
    }

    /// Notifies each player of their settled bets; never fails the round.
    func notify(_ outcome: RoundStore.Outcome) async {
        guard !outcome.bets.isEmpty else { return }
        guard let notifier = notifier.value else {
            metrics.increment("notifications_unsent_total", by: Int64(outcome.bets.count), help: "Notifications betting could not send",
                              labels: [("reason", "not_loaded")])
            return
        }
        let round = outcome.round
        for (userID, bets) in outcome.bets {
            let won = bets.filter { $0.status == "won" }.reduce(Int64(0)) { $0 + ($1.payout?.minorUnits ?? 0) }
            let title = round.phase == "voided" ? "Round \(round.number) was voided: your bets are refunded"
                : won > 0 ? "You won \(Money(minorUnits: won)) in round \(round.number)" : "Round \(round.number): result \(round.result ?? 0)"
            do {
                let sent = try await notifier.notify(.init(userIDs: [userID], category: won > 0 ? .success : .info, title: title,
                                                           body: "Balance: \(outcome.balances[userID] ?? .zero)", link: "/web/betting",
                                                           source: "betting"))
                if case .skipped = sent {
                    metrics.increment("notifications_unsent_total", help: "Notifications betting could not send", labels: [("reason", "skipped")])
                }
            } catch {
                logger.warning("bet notification failed", metadata: ["sb.round": .string(round.id), "error": .string(String(describing: error))])
                metrics.increment("notifications_unsent_total", help: "Notifications betting could not send", labels: [("reason", "failed")])
            }
        }
    }
}
