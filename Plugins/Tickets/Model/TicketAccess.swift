import HubKernel

extension Identity {
    /// Agents and admins work tickets; everyone else is a requester.
    var isStaff: Bool { role.satisfies(.agent) }
}

extension TicketStore {
    /// The ticket if `identity` may see it (staff see all, requesters their own), else `nil`;
    /// a failing lookup throws. The one visibility rule, for commands and topic access alike.
    func ticket(_ ticketID: String, seenBy identity: Identity) async throws -> TicketView? {
        guard let ticket = try await ticket(ticketID), identity.isStaff || ticket.requesterId == identity.userID else { return nil }
        return ticket
    }

    /// The ticket if `identity` may see it. Anything else is `not_found`, so a requester cannot
    /// learn that another's ticket exists.
    func visible(_ ticketID: String, to identity: Identity) async throws -> TicketView {
        guard let ticket = try await ticket(ticketID, seenBy: identity) else { throw HubError.notFound("no ticket '\(ticketID)'") }
        return ticket
    }
}
