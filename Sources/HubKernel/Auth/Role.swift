/// What an identity may do. Roles are not a strict ladder: `agent` (helpdesk staff) and
/// `host` (game host) are side by side above `user`, and `admin` may do everything.
public enum Role: String, Sendable, Codable, CaseIterable, Comparable {
    /// A short-lived identity from `POST /auth/guest` (e.g. a game player).
    case guest
    /// A registered account.
    case user
    /// Helpdesk staff.
    case agent
    /// A game host.
    case host
    /// An operator.
    case admin

    /// Whether an identity with this role may run something that requires `required`.
    ///
    /// `guest` ⊂ `user` ⊂ `agent`, `host` ⊂ `admin`; `agent` does not satisfy `host` nor the reverse.
    public func satisfies(_ required: Role) -> Bool {
        switch (self, required) {
        case (.admin, _): true
        case (_, .guest): true
        case (.guest, _): false
        case (_, .user): true
        default: self == required
        }
    }

    /// Orders roles by privilege, for display (`guest` first, `admin` last).
    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank < rhs.rank }

    private var rank: Int {
        switch self {
        case .guest: 0
        case .user: 1
        case .agent: 2
        case .host: 3
        case .admin: 4
        }
    }
}
