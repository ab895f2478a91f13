/// An account as stored: what `/auth/*` returns as `user`.
public struct UserRecord: Sendable, Codable, Equatable {
    /// Stable id (UUID string).
    public var id: String
    /// Lowercase login name; `nil` for guests.
    public var username: String?
    /// The name shown to others.
    public var displayName: String
    /// What the user may do.
    public var role: Role

    /// The identity a session of this user acts as.
    public var identity: Identity { Identity(userID: id, displayName: displayName, role: role) }
}
