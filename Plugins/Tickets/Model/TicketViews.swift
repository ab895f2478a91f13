/// A ticket as clients see it.
public struct TicketView: Codable, Sendable, Equatable {
    public var id: String
    public var subject: String
    public var description: String
    public var requesterId: String
    public var assigneeId: String?
    public var status: String
    public var priority: String
    public var tags: [String]
    public var createdAt: Int64
    public var updatedAt: Int64
    public var firstResponseAt: Int64?
    public var solvedAt: Int64?
    /// When the first response is due (moves later while the clock is paused).
    public var firstResponseDue: Int64?
    /// When the ticket must be solved.
    public var resolutionDue: Int64?
    /// Whether the SLA monitor warned about a target (`slaWarningPercent` of it used): a
    /// queue colours the ticket amber from the server's own decision.
    public var firstResponseWarned: Bool
    public var resolutionWarned: Bool
    public var firstResponseBreached: Bool
    public var resolutionBreached: Bool
    /// Whether the SLA clock is paused (`pending` or `on_hold`).
    public var slaPaused: Bool
}

/// A comment on a ticket; `internal` notes are for agents only.
public struct CommentView: Codable, Sendable, Equatable {
    public var id: String
    public var ticketId: String
    public var authorId: String
    public var body: String
    public var `internal`: Bool
    public var createdAt: Int64
}

/// One entry of a ticket's audit trail: who did what, when.
public struct AuditEntry: Codable, Sendable, Equatable {
    public var id: String
    public var actorId: String?
    /// `created`, `commented`, `internal_note`, `assigned`, `status`, `priority`.
    public var kind: String
    /// What changed, e.g. `open → pending`.
    public var detail: String
    public var createdAt: Int64
}
