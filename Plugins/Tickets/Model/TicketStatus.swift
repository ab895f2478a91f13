import HubKernel

/// A ticket's status and the legal moves between them (modules.md): `new → open`;
/// `open → pending | on_hold | solved`; `pending → open | solved`; `on_hold → open | solved`;
/// `solved → open | closed`; `closed` is final.
enum TicketStatus: String, Codable, Sendable, CaseIterable {
    case new, open, pending, onHold = "on_hold", solved, closed

    var next: Set<TicketStatus> {
        switch self {
        case .new: [.open]
        case .open: [.pending, .onHold, .solved]
        case .pending, .onHold: [.open, .solved]
        case .solved: [.open, .closed]
        case .closed: []
        }
    }

    func canMove(to status: TicketStatus) -> Bool { next.contains(status) }
}

/// How urgent a ticket is; `rank` orders the queue.
enum TicketPriority: String, Codable, Sendable, CaseIterable {
    case low, normal, high, urgent

    var rank: Int {
        switch self {
        case .low: 0
        case .normal: 1
        case .high: 2
        case .urgent: 3
        }
    }
}
