import HubKernel

/// The tickets module's topics, built in one place.
enum TicketTopics {
    /// `tickets:queue`: every change and SLA event, for staff.
    static let queue = ModuleTopic<TicketsModule>("queue")
    /// `tickets:<id>`: one ticket's public changes, for staff and its requester.
    static func ticket(_ id: String) -> ModuleTopic<TicketsModule> { ModuleTopic(id) }
}
