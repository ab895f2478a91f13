/// `tickets.updated {ticket, change}` on `tickets:<id>` (watchers) and `tickets:queue` (staff).
struct TicketUpdated: Encodable, Sendable {
    static let type = "tickets.updated"
    /// What happened: `kind` as in the audit trail, a short `detail`, the comment if any.
    struct Change: Encodable, Sendable {
        var kind: String
        var detail: String
        var comment: CommentView?
    }
    var ticket: TicketView
    var change: Change
}

/// `tickets.sla_warning|sla_breached {ticket, target}` on `tickets:<id>` and `tickets:queue`;
/// `target` is `firstResponse` or `resolution`.
struct SLAEvent: Encodable, Sendable {
    static let warning = "tickets.sla_warning"
    static let breached = "tickets.sla_breached"
    var ticket: TicketView
    var target: String
}
