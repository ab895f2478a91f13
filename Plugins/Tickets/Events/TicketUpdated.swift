import HubKernel

/// `tickets.updated {ticket, change}` on `tickets:<id>` (watchers) and `tickets:queue` (staff).
struct TicketUpdated: HubEvent {
    typealias Module = TicketsModule
    static let name = "updated"
    /// What happened: `kind` as in the audit trail, a short `detail`, the comment if any.
    struct Change: Encodable, Sendable {
        var kind: String
        var detail: String
        var comment: CommentView?
    }
    var ticket: TicketView
    var change: Change
}
