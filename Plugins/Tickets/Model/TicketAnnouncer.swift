import HubKernel
import Logging

/// Tells watchers, the staff queue and the right people about a change: live events, and
/// notifications through the `Notifier` capability when the notifications module is there.
/// Tickets keep working without it; the log says when a notification could not be sent.
struct TicketAnnouncer: Sendable {
    let events: EventPublisher<TicketsModule>
    let notifier: Capability<any Notifier>
    let store: TicketStore
    let logger: Logger
    let metrics: ModuleMetrics

    private func unsent(_ reason: String) {
        metrics.increment("notifications_unsent_total", help: "Notifications tickets could not send", labels: [("reason", reason)])
    }

    /// Publishes the change once `transaction` commits (so it leaves exactly with the change,
    /// and the command's connection goes on without waiting for the flush); internal notes go
    /// to staff only (the queue), never to the ticket's topic.
    func announce(_ ticket: TicketView, kind: String, detail: String, comment: CommentView? = nil, in transaction: Transaction) async throws {
        let event = TicketUpdated(ticket: ticket, change: .init(kind: kind, detail: detail, comment: comment))
        try await events.publish(event, on: TicketTopics.queue, in: transaction)
        if comment?.internal != true {
            try await events.publish(event, on: TicketTopics.ticket(ticket.id), in: transaction)
        }
    }

    /// Notifies users; never fails the command that caused it.
    func notify(_ userIDs: [String], category: OutgoingNotification.Category, title: String, body: String, ticket: TicketView) async {
        let recipients = Array(Set(userIDs))
        guard !recipients.isEmpty else { return }
        guard let notifier = notifier.value else {
            logger.notice("ticket notification not sent: the notifications module is not loaded", metadata: ["sb.ticket": .string(ticket.id)])
            unsent("not_loaded")
            return
        }
        do {
            let outcome = try await notifier.notify(.init(userIDs: recipients, category: category, title: String(title.prefix(200)),
                                                          body: String(body.prefix(2000)), link: "/tickets/\(ticket.id)", source: "tickets"))
            if case .skipped(let reason) = outcome {
                logger.notice("ticket notification not sent", metadata: ["sb.ticket": .string(ticket.id), "reason": .string(reason)])
                unsent("skipped")
            }
        } catch {
            logger.warning("ticket notification failed", metadata: ["sb.ticket": .string(ticket.id), "error": .string(String(describing: error))])
            unsent("failed")
        }
    }

    /// The people to tell about a requester's message: the assignee, or every agent.
    func staffFor(_ ticket: TicketView) async throws -> [String] {
        if let assignee = ticket.assigneeId { return [assignee] }
        return try await store.agents()
    }
}
