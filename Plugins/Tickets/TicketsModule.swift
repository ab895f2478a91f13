public import HubKernel
public import ServiceLifecycle

/// Tickets: a helpdesk with a status machine, public replies and internal notes, assignment
/// to agents, an audit trail of every change, live updates on `tickets:<id>` (watchers) and
/// `tickets:queue` (staff), and notifications through the `Notifier` capability.
public struct TicketsModule: HubModule {
    public static let name: ModuleName = "tickets"

    let store: TicketStore
    let announcer: TicketAnnouncer
    let monitor: SLAMonitor

    public init(setup: ModuleSetup) throws {
        let configuration = try TicketsConfiguration(config: setup.config)
        store = TicketStore(database: setup.database, clock: setup.clock, policy: configuration, directory: setup.users)
        announcer = TicketAnnouncer(events: try setup.events(for: TicketsModule.self), notifier: setup.capability((any Notifier).self),
                                    store: store, logger: setup.logger, metrics: setup.metrics)
        monitor = SLAMonitor(store: store, announcer: announcer, leadership: setup.leadership,
                             interval: .milliseconds(configuration.slaCheckIntervalMs), clock: setup.clock, logger: setup.logger)
    }

    public var migrations: [any Migration] { [Tickets001CreateTickets(), Tickets002CreateComments(), Tickets003AddSLA()] }

    public var services: [any Service] { [monitor] }

    public var events: [any HubEvent.Type] { [TicketUpdated.self, SLAWarning.self, SLABreached.self] }

    public var commands: [any CommandHandler] {
        [
            CreateTicket(store: store, announcer: announcer), GetTicket(store: store), ListTickets(store: store),
            CommentTicket(store: store, announcer: announcer), AssignTicket(store: store, announcer: announcer),
            TransitionTicket(store: store, announcer: announcer), SetPriority(store: store, announcer: announcer),
            TicketHistory(store: store),
        ]
    }

    /// `tickets:queue` is for staff; `tickets:<id>` for staff and the ticket's requester
    /// (anyone else gets `not_found`, as for the ticket itself).
    public func authorize(_ topic: Topic, for identity: Identity) async throws -> TopicAccess {
        if topic.localName == "queue" { return .allow(if: identity.isStaff, else: "the ticket queue is for staff") }
        return try await store.ticket(topic.localName, seenBy: identity) != nil ? .allow : .notFound("no ticket '\(topic.localName)'")
    }
}
