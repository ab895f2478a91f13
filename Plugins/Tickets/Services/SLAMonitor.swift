import HubKernel
import Logging
import ServiceLifecycle
import SQLKit

/// Watches the SLA clocks: raises `tickets.sla_warning` when a target is `slaWarningPercent`
/// used and `tickets.sla_breached` when it passes, each exactly once per ticket and target
/// (a guarded flag set in the transaction that publishes the event, so a restart or a
/// failover neither loses nor repeats one), and notifies the assignee, or every agent when
/// there is none. Paused, solved and closed tickets are not watched; a met first response
/// ends that clock. Runs on one node (the leader).
struct SLAMonitor: Service {
    let store: TicketStore
    let announcer: TicketAnnouncer
    let leadership: any Leadership
    let interval: Duration
    let clock: any HubClock
    let logger: Logger

    /// One SLA target and the columns of its clock.
    enum Target: String, CaseIterable {
        case firstResponse, resolution

        var column: String { self == .firstResponse ? "first_response" : "resolution" }
        var stillRunning: String {
            self == .firstResponse
                ? "first_response_at IS NULL AND status NOT IN ('solved', 'closed')"
                : "solved_at IS NULL AND status NOT IN ('solved', 'closed')"
        }
        var label: String { self == .firstResponse ? "first response" : "resolution" }
    }

    /// Raises what is due at the current time. - Returns: how many warnings and breaches.
    @discardableResult
    func check() async throws -> Int {
        let now = clock.nowMs()
        var raised = 0
        for target in Target.allCases {
            // the warning first: a ticket found late (after a restart, or a failover to another
            // node) gets its warning, then its breach — late, but neither is skipped
            raised += try await raise(target, breach: false, now: now)
            raised += try await raise(target, breach: true, now: now)
        }
        return raised
    }

    private func raise(_ target: Target, breach: Bool, now: Int64) async throws -> Int {
        let column = target.column
        let flag = breach ? "\(column)_breached" : "\(column)_warned"
        let time = breach ? "\(column)_due" : "\(column)_warn_at"
        let ids = try await store.database.withConnection { sql in
            try await sql.raw("""
                SELECT id FROM tickets_tickets
                WHERE \(unsafeRaw: time) <= \(bind: now) AND \(unsafeRaw: column)_breached = FALSE AND \(unsafeRaw: flag) = FALSE
                  AND paused_at IS NULL AND \(unsafeRaw: target.stillRunning)
                ORDER BY \(unsafeRaw: time) LIMIT 500
                """).all().map { try $0.decode(column: "id", as: String.self) }
        }
        var raised = 0
        for id in ids {
            // the claim and its events commit together: a node dying in between neither loses
            // the warning nor lets the next leader raise it again
            let claimed = try await store.database.transaction { transaction -> TicketView? in
                guard try await transaction.raw("""
                    UPDATE tickets_tickets SET \(unsafeRaw: flag) = TRUE
                    WHERE id = \(bind: id) AND \(unsafeRaw: flag) = FALSE RETURNING id
                    """).first() != nil,
                    let ticket = try await store.load(id, on: transaction)
                else { return nil }
                for topic in [TicketTopics.ticket(id), TicketTopics.queue] {
                    if breach {
                        try await announcer.events.publish(SLABreached(ticket: ticket, target: target.rawValue), on: topic, in: transaction)
                    } else {
                        try await announcer.events.publish(SLAWarning(ticket: ticket, target: target.rawValue), on: topic, in: transaction)
                    }
                }
                return ticket
            }
            guard let ticket = claimed else { continue }
            raised += 1
            let title = breach ? "SLA breached (\(target.label)): \(ticket.subject)" : "SLA at risk (\(target.label)): \(ticket.subject)"
            await announcer.notify(try await announcer.staffFor(ticket), category: breach ? .error : .warning, title: title, body: "", ticket: ticket)
        }
        return raised
    }

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            try await leadership.whileLeader("tickets.sla") {
                while !Task.isCancelled {
                    do { try await check() } catch {
                        logger.warning("SLA check failed", metadata: ["error": .string(String(describing: error))])
                    }
                    try await Task.sleep(for: interval)
                }
            }
        }
    }
}
