import HubKernel

/// `tickets.sla_breached {ticket, target}` on `tickets:<id>` and `tickets:queue`: a target
/// (`firstResponse` or `resolution`) passed its due time unmet.
struct SLABreached: HubEvent {
    typealias Module = TicketsModule
    static let name = "sla_breached"
    var ticket: TicketView
    var target: String
}
