import HubKernel

extension Identity {
    /// Agents and admins work tickets; everyone else is a requester.
    var isStaff: Bool { role.satisfies(.agent) }
}

extension TicketStore {
    /// The ticket if `identity` may see it: staff see all, requesters their own. Anything
    /// else is `not_found`, so a requester cannot learn that another's ticket exists.
    func visible(_ ticketID: String, to identity: Identity) async throws -> TicketView {
        guard let ticket = try await ticket(ticketID), identity.isStaff || ticket.requesterId == identity.userID else {
            throw HubError.notFound("no ticket '\(ticketID)'")
        }
        return ticket
    }

    /// Whether the ticket exists for `identity` (staff, or its requester); a failing lookup throws.
    func isVisible(_ ticketID: String, to identity: Identity) async throws -> Bool {
        guard let ticket = try await ticket(ticketID) else { return false }
        return identity.isStaff || ticket.requesterId == identity.userID
    }
}
