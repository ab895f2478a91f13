import HubKernel

/// `tickets.sla_warning {ticket, target}` on `tickets:<id>` and `tickets:queue`: a running
/// target (`firstResponse` or `resolution`) reached the warning percentage.
struct SLAWarning: HubEvent {
    typealias Module = TicketsModule
    static let name = "sla_warning"
    var ticket: TicketView
    var target: String
}
